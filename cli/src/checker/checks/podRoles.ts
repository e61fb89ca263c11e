/**
 * Roles that pods take themselves through EKS Pod Identity (the CSI role of
 * the Secrets Store CSI Driver with ASCP): their ABAC document keys the
 * namespace on the pod's own `kubernetes-namespace` session tag, which Pod
 * Identity sets (docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html).
 * Their readers are the sessions of the service accounts associated with
 * them, one per pod: the matrix decides them as `sessionKind: "pod"`, and the
 * principal check counts them among the expected readers.
 */
import type { PolicyDocument } from "../../../../components/lib/iam";
import { keysNamespaceOnPodTag } from "../../../../policypack/policies/csi";
import { parseDocument } from "../../../../policypack/policies/iamDocuments";
import type { MatrixSpec } from "./accessMatrix";
import type { RecordedResource } from "../inputs/offlineCloud";

/**
 * The document compares a resource's namespace tag with the pod's own
 * namespace tag: the policy pack's own reading of a CSI role's document
 * (`policypack/policies/csi.ts`), so the checker and the pack agree on which
 * role is judged with per-pod sessions.
 */
export function keysOnPodNamespace(doc: PolicyDocument): boolean {
    const statements = parseDocument(doc);
    return statements !== undefined && keysNamespaceOnPodTag(statements);
}

/** The name of the role an ARN names, any path. */
const roleNameOf = (arn: unknown): string | undefined => (typeof arn === "string" ? /:role\/(?:.*\/)?([^/]+)$/.exec(arn)?.[1] : undefined);

/** The service accounts associated with `roleName`, by namespace, from the stack's Pod Identity associations. */
export function associatedServiceAccounts(resources: RecordedResource[], roleName: string): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const r of resources) {
        if (r.type !== "aws:eks/podIdentityAssociation:PodIdentityAssociation") continue;
        if (roleNameOf(r.inputs?.roleArn) !== roleName) continue;
        const { namespace, serviceAccount } = r.inputs ?? {};
        if (typeof namespace !== "string" || typeof serviceAccount !== "string") continue;
        (out[namespace] ??= []).push(serviceAccount);
    }
    for (const list of Object.values(out)) list.sort();
    return out;
}

/**
 * The matrix of a pod role: one session per associated service account
 * and cluster, against every team's secrets and parameters (another team's
 * are what a pod must not read). A namespace without an association has no
 * session: the Pod Identity agent gives its pods no credentials of this role.
 */
export function podMatrixSpec(spec: MatrixSpec, resources: RecordedResource[]): MatrixSpec {
    const serviceAccounts = associatedServiceAccounts(resources, spec.abacRoleName);
    // A pod role that no statement lets touch Parameter Store (no CSI team has parameters) reads no
    // parameter: requiring it to read its pods' own ones would fail a correct stack.
    const ssm = spec.permissionPolicy.Statement.some((s) => s.Effect === "Allow" && [s.Action].flat().some((a) => a === "*" || /^ssm:/i.test(a)));
    return { ...spec, sessionKind: "pod", sessionNamespaceTagKey: undefined, namespaces: Object.keys(serviceAccounts).sort(), serviceAccounts, ...(ssm ? {} : { parameters: [] }) };
}
