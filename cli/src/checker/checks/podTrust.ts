/**
 * Who can hold a pod session of a role at all: its trust policy decided for
 * EKS Pod Identity's AssumeRole. The permission matrix decides what a
 * session may read; this decides which sessions exist. A service account
 * without an association has no session to decide: Pod Identity credentials
 * exist only for a service account with an association (EKS API Reference,
 * CreatePodIdentityAssociation; the agent's EKS Auth AssumeRoleForPodIdentity
 * returns the association it used), and ASCP fails the mount when the agent
 * gives none (secrets-store-csi-driver-provider-aws 3.1.1,
 * credential_provider/pod_identity_credential_provider.go `GetAWSConfig`),
 * so nothing here can model it but its absence.
 */
import { DEFAULT_ESO_NAMESPACE, POD_IDENTITY_SERVICE_PRINCIPAL } from "../../../../components/lib/constants";
import type { PolicyDocument } from "../../../../components/lib/iam";
import { DEFAULT_POD_SERVICE_ACCOUNT, MatrixSpec, podSessionContext } from "./accessMatrix";
import { decide, IamRequest } from "./iamEvaluator";

export interface PodIdentityCaller {
    cluster: string;
    namespace: string;
    serviceAccount?: string;
    /** The account Pod Identity calls from. @default the spec's */
    sourceAccount?: string;
    /** The cluster's ARN. @default the ARN of `cluster` in the spec's account */
    clusterArn?: string;
}

/**
 * Pod Identity's request to assume a role for a pod: the service principal,
 * `aws:SourceAccount`, and the six session tags as `aws:RequestTag/...`
 * (docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html, pod-id-abac.html).
 */
export function podIdentityAssumeRequest(spec: Pick<MatrixSpec, "accountId" | "partition" | "region" | "abacRoleName">, trust: PolicyDocument, caller: PodIdentityCaller, action: "sts:AssumeRole" | "sts:TagSession"): IamRequest {
    const tags = podSessionContext(spec, { cluster: caller.cluster, esoNamespace: caller.namespace, serviceAccount: caller.serviceAccount });
    const context: Record<string, string> = { "aws:SourceAccount": caller.sourceAccount ?? spec.accountId };
    for (const [key, value] of Object.entries(tags)) if (key.startsWith("aws:PrincipalTag/")) context[key.replace("aws:PrincipalTag/", "aws:RequestTag/")] = value;
    if (caller.clusterArn !== undefined) context["aws:RequestTag/eks-cluster-arn"] = caller.clusterArn;
    return {
        principal: POD_IDENTITY_SERVICE_PRINCIPAL,
        action,
        resource: `arn:${spec.partition}:iam::${spec.accountId}:role/${spec.abacRoleName}`,
        resourceAccount: spec.accountId,
        context,
        resourcePolicy: trust,
    };
}

/** Pod Identity gets a session only when the trust allows both AssumeRole and TagSession (it always tags). */
export function trustAdmits(spec: Pick<MatrixSpec, "accountId" | "partition" | "region" | "abacRoleName">, trust: PolicyDocument, caller: PodIdentityCaller): boolean {
    return (["sts:AssumeRole", "sts:TagSession"] as const).every((action) => decide(podIdentityAssumeRequest(spec, trust, caller, action)) === "Allowed");
}

export interface TrustCheck {
    /** Team pods of the role's cluster the trust refuses: their mounts would fail. */
    teamsRefused: string[];
    /** Callers the trust admits that must never hold a session: a refused namespace, another cluster, another account. */
    admittedAttackers: string[];
    decisions: number;
}

/**
 * The trust of a per-cluster pod role judged for the spec's teams (the first
 * `limit` namespaces: the trust names no team, so more prove nothing new)
 * and for the callers that must never hold a session.
 */
export function checkPodTrust(spec: MatrixSpec, trust: PolicyDocument, refusedNamespaces: string[] = [DEFAULT_ESO_NAMESPACE], limit = 50): TrustCheck {
    const cluster = spec.clusters[0];
    const teamsRefused: string[] = [];
    const admittedAttackers: string[] = [];
    let decisions = 0;
    const admits = (caller: PodIdentityCaller) => {
        decisions += 2;
        return trustAdmits(spec, trust, caller);
    };
    for (const namespace of spec.namespaces.slice(0, limit)) {
        for (const serviceAccount of spec.serviceAccounts?.[namespace] ?? [DEFAULT_POD_SERVICE_ACCOUNT]) {
            if (!admits({ cluster, namespace, serviceAccount })) teamsRefused.push(`${cluster}/${namespace}/${serviceAccount}`);
        }
    }
    const attackers: [string, PodIdentityCaller][] = [
        ...refusedNamespaces.map((ns): [string, PodIdentityCaller] => [`a pod of the refused namespace ${ns} on ${cluster}`, { cluster, namespace: ns, serviceAccount: ns }]),
        ...spec.clusters.slice(1).map((other): [string, PodIdentityCaller] => [`a pod of ${spec.namespaces[0]} on another cluster (${other})`, { cluster: other, namespace: spec.namespaces[0] }]),
        [`a pod of ${spec.namespaces[0]} on a cluster of the same name in another account`, { cluster, namespace: spec.namespaces[0], sourceAccount: "999999999999", clusterArn: `arn:${spec.partition}:eks:${spec.region}:999999999999:cluster/${cluster}` }],
    ];
    for (const [words, caller] of attackers) if (admits(caller)) admittedAttackers.push(words);
    return { teamsRefused, admittedAttackers, decisions };
}

