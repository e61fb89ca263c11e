/** The access matrix of a stack: its rendered shared-role policy, its teams and secrets. */
import type { PolicyDocument } from "../../../../components/lib/iam";
import { isAbacDocument, parseDocument } from "../../../../policypack/policies/iamDocuments";
import { MatrixSpec } from "../checks/accessMatrix";
import type { Plan } from "./plan";

import { DEFAULT_OTHER_CLUSTER } from "./defaults";

export { DEFAULT_OTHER_CLUSTER };

export interface StackMatrixOptions {
    /** Clusters beside the stack's own. @default [DEFAULT_OTHER_CLUSTER] */
    otherClusters?: string[];
    /** Evaluate this permission policy instead of the rendered one (to show what a change would open). */
    permissionPolicy?: PolicyDocument;
}

/**
 * The shared role: the one whose permission policy keys on principal tags,
 * as the policy pack decides it; of several (the CSI role keys on the pod's
 * tags too), the one the ClusterSecretStore names.
 */
export function abacRoleOf(plan: Plan): { name: string; permissionPolicy: PolicyDocument } {
    const candidates = plan.roles.filter((r) => r.permissionPolicies.some((p) => isAbacDocument(parseDocument(p) ?? [])));
    const storeRole = (plan.clusterSecretStore as { spec?: { provider?: { aws?: { role?: unknown } } } } | undefined)?.spec?.provider?.aws?.role;
    const named = typeof storeRole === "string" ? candidates.find((r) => storeRole.endsWith(`:role/${r.name}`)) : undefined;
    const role = named ?? candidates[0];
    if (role === undefined) throw new Error("the stack has no role whose permission policy keys on principal tags");
    const statements = role.permissionPolicies.flatMap((p) => (p as PolicyDocument).Statement);
    return { name: role.name, permissionPolicy: { Version: "2012-10-17", Statement: statements } };
}

/** The matrix spec of a plan, in the plan's own account and Region. */
export function matrixSpecFromPlan(plan: Plan, options: StackMatrixOptions = {}): MatrixSpec {
    const abac = abacRoleOf(plan);
    return {
        accountId: plan.account.accountId,
        partition: plan.account.partition,
        region: plan.account.region,
        abacRoleName: abac.name,
        permissionPolicy: options.permissionPolicy ?? abac.permissionPolicy,
        clusters: [plan.clusterName, ...(options.otherClusters ?? [DEFAULT_OTHER_CLUSTER])],
        namespaces: plan.teams.map((t) => t.namespace),
        secrets: plan.teams.flatMap((t) => t.secrets.map((s) => ({ name: s.name, namespace: t.namespace }))),
        parameters: plan.teams.flatMap((t) => (t.parameters ?? []).map((p) => ({ name: p.name, namespace: t.namespace }))),
    };
}
