/**
 * Validation of how the ESO controller gets credentials (`identity`), and of
 * the session tags a store may add on top of ESO's own.
 */
import { CLUSTER_IDENTITIES, ClusterIdentity, IRSA_ROLE_ANNOTATION, OIDC_PROVIDER_ARN, transitiveTagCollisions } from "./irsa";
import type { Problem } from "./validate";

export interface IdentityArgs {
    clusterName?: unknown;
    identity?: string;
    oidcProviderArn?: string;
    installPodIdentityAgent?: boolean;
    podIdentityAgentVersion?: string;
    helmValues?: { [key: string]: unknown };
}

function quote(v: unknown): string {
    return "`" + String(v) + "`";
}

function roleAnnotation(values: IdentityArgs["helmValues"]): unknown {
    const sa = values?.serviceAccount as { annotations?: Record<string, unknown> } | undefined;
    return sa?.annotations?.[IRSA_ROLE_ANNOTATION];
}

/** Problems of `identity` and what goes with it; empty when consistent. */
export function identityProblems(args: IdentityArgs): Problem[] {
    const problems: Problem[] = [];
    const add = (path: string, message: string) => problems.push({ path, message });
    const identity = args.identity ?? "podIdentity";
    if (!(CLUSTER_IDENTITIES as readonly string[]).includes(identity)) {
        add("identity", `is ${quote(identity)}: use "podIdentity" (EKS Pod Identity, the default) or "irsa" (IAM roles for service accounts)`);
        return problems;
    }
    const annotation = roleAnnotation(args.helmValues);
    if (identity === "irsa") {
        if (args.oidcProviderArn === undefined || args.oidcProviderArn === "") {
            add("oidcProviderArn", "is missing, and identity is irsa: give the cluster's IAM OIDC provider ARN (arn:aws:iam::<account>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<id>)");
        } else if (!OIDC_PROVIDER_ARN.test(args.oidcProviderArn)) {
            add("oidcProviderArn", `is ${quote(args.oidcProviderArn)}: give an EKS IAM OIDC provider ARN, arn:aws:iam::<account>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<id>`);
        }
        if (args.installPodIdentityAgent === true) {
            add("installPodIdentityAgent", "is true, and identity is irsa: the IRSA path uses no Pod Identity agent; remove it");
        }
        if (args.podIdentityAgentVersion !== undefined) {
            add("podIdentityAgentVersion", "is set, and identity is irsa: the IRSA path uses no Pod Identity agent; remove it");
        }
        if (annotation !== undefined) {
            add(`helmValues.serviceAccount.annotations.${IRSA_ROLE_ANNOTATION}`, `is ${quote(annotation)}: with identity irsa the component sets it to the controller role; remove it`);
        }
    } else {
        if (args.installPodIdentityAgent === undefined) {
            const cluster = typeof args.clusterName === "string" && args.clusterName !== "" ? args.clusterName : "<cluster>";
            add(
                "installPodIdentityAgent",
                "is missing: EKS Pod Identity needs its agent on the cluster. Set true to install the eks-pod-identity-agent add-on (a new cluster); " +
                    `set false if the cluster has the agent already (\`aws eks describe-addon --cluster-name ${cluster} --addon-name eks-pod-identity-agent\` succeeds, or EKS Auto Mode, which runs it built in). ` +
                    "Creating the add-on where it exists fails the deployment with ResourceInUseException",
            );
        }
        if (args.installPodIdentityAgent === false && args.podIdentityAgentVersion !== undefined) {
            add("podIdentityAgentVersion", "is set, and installPodIdentityAgent is false: the component installs no agent, so the version would change nothing; remove it, or set installPodIdentityAgent: true");
        }
        if (args.oidcProviderArn !== undefined) {
            add("oidcProviderArn", "is set, and identity is podIdentity: set identity: irsa to use IRSA, or remove oidcProviderArn");
        }
        if (annotation !== undefined) {
            add(
                `helmValues.serviceAccount.annotations.${IRSA_ROLE_ANNOTATION}`,
                `is ${quote(annotation)}: with Pod Identity the controller would get IRSA credentials as well, and a session without Pod Identity's tags; remove it, or set identity: irsa`,
            );
        }
    }
    return problems;
}

/**
 * Problems of a store's custom session tags. On a Pod Identity cluster the
 * session already carries Pod Identity's transitive tags, and STS refuses a
 * chained AssumeRole that sends one of those keys again: a custom
 * `eks-cluster-name` there would fail every read.
 */
export function customSessionTagProblems(identity: ClusterIdentity, tags: Record<string, string> | undefined, path = "customSessionTags"): Problem[] {
    if (identity !== "podIdentity" || tags === undefined) return [];
    return transitiveTagCollisions(tags).map((key) => ({
        path: `${path}.${key}`,
        message: "repeats a transitive tag of EKS Pod Identity, which STS refuses on the chained AssumeRole (every read would fail): remove it; only an IRSA cluster sends eks-cluster-name",
    }));
}
