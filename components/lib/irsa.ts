/**
 * The IRSA controller path, as pure functions: for clusters where EKS Pod
 * Identity is not available (Fargate-only ESO, older clusters). IRSA adds no
 * session tags and role tags cannot be made transitive, so the cluster
 * boundary travels as a ClusterSecretStore tag (`sessionTagsPolicy:
 * Custom`, `customSessionTags: { eks-cluster-name: <cluster> }`), and the
 * shared role's trust admits the IRSA controller role only with that tag
 * equal to its own cluster.
 */
import { CLUSTER_TAG_KEY, POD_IDENTITY_TRANSITIVE_TAGS } from "./constants";
import type { AccountContext, PolicyDocument, PolicyStatement } from "./iam";

/** How a cluster's ESO controller gets its AWS credentials. */
export type ClusterIdentity = "podIdentity" | "irsa";
export const CLUSTER_IDENTITIES: readonly ClusterIdentity[] = ["podIdentity", "irsa"];

/** The audience EKS projects into IRSA tokens. docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html */
export const IRSA_AUDIENCE = "sts.amazonaws.com";
/** Service-account annotation the EKS Pod Identity webhook reads for IRSA. */
export const IRSA_ROLE_ANNOTATION = "eks.amazonaws.com/role-arn";


export const OIDC_PROVIDER_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):oidc-provider\/(oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?\/id\/[A-Za-z0-9]+)$/;

/** The issuer host and path of an EKS OIDC provider ARN: the prefix of its condition keys. */
export function oidcIssuer(oidcProviderArn: string): string {
    const m = OIDC_PROVIDER_ARN.exec(oidcProviderArn);
    if (!m) throw new Error(`not an EKS OIDC provider ARN: ${oidcProviderArn}`);
    return m[3];
}

export interface IrsaControllerTrustArgs {
    /** `arn:aws:iam::<account>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<id>` of the cluster. */
    oidcProviderArn: string;
    esoNamespace: string;
    esoServiceAccount: string;
}

/**
 * Trust of the IRSA controller role: only the cluster's OIDC provider, only
 * ESO's service account (`sub`), only tokens for STS (`aud`). No
 * `sts:TagSession`: the web identity call carries no tags; the store adds
 * them on the next hop.
 */
export function irsaControllerTrustPolicy(args: IrsaControllerTrustArgs): PolicyDocument {
    const issuer = oidcIssuer(args.oidcProviderArn);
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "EksIrsaForEsoController",
                Effect: "Allow",
                Principal: { Federated: args.oidcProviderArn },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: {
                    StringEquals: {
                        [`${issuer}:sub`]: `system:serviceaccount:${args.esoNamespace}:${args.esoServiceAccount}`,
                        [`${issuer}:aud`]: IRSA_AUDIENCE,
                    },
                },
            },
        ],
    };
}

export interface IrsaController {
    /** ARN of the cluster's IRSA controller role. */
    roleArn: string;
    /** The cluster's name: the only `eks-cluster-name` that role may claim. */
    clusterName: string;
}

/**
 * Statements of the shared role's trust for IRSA controllers, one per
 * cluster: the role by name (`aws:PrincipalArn`), and the cluster tag it
 * sends pinned to its own cluster (`aws:RequestTag/eks-cluster-name`), so
 * an IRSA store cannot claim another cluster's name. `sts:TagSession`
 * because the store always tags the session.
 */
export function irsaAbacTrustStatements(ctx: AccountContext, controllers: IrsaController[]): PolicyStatement[] {
    return [...controllers]
        .sort((a, b) => a.clusterName.localeCompare(b.clusterName))
        .map((c) => ({
            Sid: `EsoIrsaController${c.clusterName.replace(/[^A-Za-z0-9]/g, "")}`,
            Effect: "Allow" as const,
            Principal: { AWS: `arn:${ctx.partition}:iam::${ctx.accountId}:root` },
            Action: ["sts:AssumeRole", "sts:TagSession"],
            Condition: {
                ArnEquals: { "aws:PrincipalArn": c.roleArn },
                StringEquals: { [`aws:RequestTag/${CLUSTER_TAG_KEY}`]: c.clusterName },
            },
        }));
}

/** The session tags a cluster's store sends beside ESO's own: the cluster name on IRSA only. */
export function storeCustomSessionTags(identity: ClusterIdentity, clusterName: string): Record<string, string> | undefined {
    return identity === "irsa" ? { [CLUSTER_TAG_KEY]: clusterName } : undefined;
}

/** Keys of `tags` that collide with a Pod Identity transitive tag (case-insensitive), which STS refuses. */
export function transitiveTagCollisions(tags: Record<string, string>): string[] {
    const reserved = new Set<string>(POD_IDENTITY_TRANSITIVE_TAGS);
    return Object.keys(tags).filter((k) => reserved.has(k.toLowerCase()));
}

/** Helm values that annotate ESO's service account for IRSA (the chart's `serviceAccount.annotations`). */
export function irsaHelmValues(controllerRoleArn: unknown): { serviceAccount: { annotations: Record<string, unknown> } } {
    return { serviceAccount: { annotations: { [IRSA_ROLE_ANNOTATION]: controllerRoleArn } } };
}

/** A ClusterSecretStore manifest with custom session tags: `Custom` instead of `Simple`. */
export function withCustomSessionTags<T extends { spec: { provider: { aws: Record<string, unknown> } } }>(
    manifest: T,
    tags: Record<string, string> | undefined,
): T {
    if (tags === undefined || Object.keys(tags).length === 0) return manifest;
    return {
        ...manifest,
        spec: {
            ...manifest.spec,
            provider: { ...manifest.spec.provider, aws: { ...manifest.spec.provider.aws, sessionTagsPolicy: "Custom", customSessionTags: { ...tags } } },
        },
    };
}
