/**
 * The plan and its verdict built from a stack's resources, whatever the
 * source: a program run offline, a preview, a state file. Teams, roles and
 * clusters are read from the resources themselves (the secrets' tags, the
 * roles' documents, the stores), never from a config schema, so a program of
 * the user's own and a stack written in another language are planned alike.
 */
import * as YAML from "yaml";
import { CLUSTER_TAG_KEY, NAMESPACE_TAG_KEY } from "../../../../components/lib/constants";
import type { PolicyDocument } from "../../../../components/lib/iam";
import { isAbacDocument, parseDocument } from "../../../../policypack/policies/iamDocuments";
import type { MatrixSpec } from "../checks/accessMatrix";
import { DEFAULT_OTHER_CLUSTER, OFFLINE } from "./defaults";
import type { StackInput, StackResource } from "../inputs";
import { UNKNOWN } from "../inputs/resources";
import { chartOf, Plan, Progress, RolePlan, TeamPlan } from "./plan";
import { trustedReadersFromConfig } from "./trustedReaderConfig";
import { keysOnPodNamespace, podMatrixSpec } from "../checks/podRoles";
import type { JudgeOptions, Verdict } from "../judge";
import type { TrustedReader } from "../../../../components/lib/trustedReaders";

export interface StackRole extends RolePlan {
    urn?: string;
    arn?: string;
}

export interface StackPlan extends Plan {
    roles: StackRole[];
    /** Every cluster the stack's secrets, stores and Pod Identity associations name. */
    clusters: string[];
    input: Pick<StackInput, "kind" | "source" | "project" | "stack" | "undecidable" | "notes" | "pending" | "pendingDeletion" | "pendingOperations">;
    /** AWS managed policies attached to the stack's roles: their documents are not in the stack, so not evaluated. */
    managedPolicies: { role: string; policyArn: string }[];
    /** The config's `trustedReaders`: principals that may read team secrets, with the reason. */
    trustedReaders: TrustedReader[];
}

const ofType = (resources: StackResource[], type: string) => resources.filter((r) => r.custom && r.type === type);
const value = (r: StackResource, key: string) => r.state?.[key] ?? r.inputs?.[key];
const hasUnknown = (v: unknown): boolean => v === UNKNOWN || (typeof v === "string" ? v.includes(UNKNOWN) : v !== null && typeof v === "object" && Object.values(v).some(hasUnknown));

function parseJson(v: unknown): unknown {
    if (typeof v !== "string") return v;
    if (v === UNKNOWN) return UNKNOWN;
    try {
        return JSON.parse(v);
    } catch {
        return v;
    }
}

/** ASCP's `objects`: YAML (components/lib/csi.ts writes JSON) naming each secret or parameter. */
function mountsOf(objects: unknown): string[] {
    if (typeof objects !== "string" || objects === UNKNOWN) return [];
    try {
        const parsed = YAML.parse(objects) as { objectName?: string }[];
        return Array.isArray(parsed) ? parsed.map((o) => String(o?.objectName)) : [];
    } catch {
        return [];
    }
}

function groupBy<T>(items: T[], key: (item: T) => string | undefined): Map<string, T[]> {
    const groups = new Map<string, T[]>();
    for (const item of items) {
        const k = key(item);
        if (k === undefined) continue;
        groups.set(k, [...(groups.get(k) ?? []), item]);
    }
    return groups;
}

/** Account, partition and Region: from the ARNs the stack holds, the AWS provider's `region`, the config's `aws:region`. */
function accountOf(resources: StackResource[], config: Record<string, string> = {}) {
    const arns = resources.map((r) => r.state?.arn).filter((a): a is string => typeof a === "string" && a.startsWith("arn:"));
    const roleArn = arns.find((a) => a.split(":")[2] === "iam");
    const regional = arns.map((a) => a.split(":")).find((p) => p[3] !== "");
    const provider = resources.find((r) => r.type === "pulumi:providers:aws" && typeof r.inputs.region === "string");
    const region = config["aws:region"] ?? provider?.inputs.region ?? regional?.[3];
    const accountId = roleArn?.split(":")[4] ?? regional?.[4];
    return {
        accountId: accountId ?? OFFLINE.accountId,
        partition: (roleArn ?? regional?.join(":"))?.split(":")[1] ?? OFFLINE.partition,
        region: region ?? OFFLINE.region,
        accountFromConfig: accountId !== undefined && accountId !== OFFLINE.accountId,
    };
}

export function planFromInput(input: StackInput, stackFile = input.source): StackPlan {
    const resources = input.resources;
    const managedPolicies: StackPlan["managedPolicies"] = [];
    const policyByArn = new Map(ofType(resources, "aws:iam/policy:Policy").map((p) => [String(value(p, "arn")), parseJson(value(p, "policy"))]));
    const rolePolicies = groupBy(ofType(resources, "aws:iam/rolePolicy:RolePolicy"), (p) => String(value(p, "role")));
    const attachments = groupBy(ofType(resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment"), (p) => String(value(p, "role")));
    const roles = ofType(resources, "aws:iam/role:Role").map((role): StackRole => {
        const name = String(value(role, "name") ?? role.name);
        const inline = ((value(role, "inlinePolicies") ?? []) as { policy?: unknown }[]).filter((p) => p && p.policy).map((p) => parseJson(p.policy));
        const attached = [...((value(role, "managedPolicyArns") ?? []) as string[]), ...(attachments.get(name) ?? []).map((a) => String(value(a, "policyArn")))];
        const documents = attached.flatMap((arn) => {
            if (policyByArn.has(arn)) return [policyByArn.get(arn)];
            managedPolicies.push({ role: name, policyArn: arn });
            return [];
        });
        return {
            name,
            urn: role.urn,
            ...(typeof role.state?.arn === "string" ? { arn: role.state.arn } : {}),
            trustPolicy: parseJson(value(role, "assumeRolePolicy")),
            permissionPolicies: [...(rolePolicies.get(name) ?? []).map((p) => parseJson(value(p, "policy"))), ...inline, ...documents],
        };
    });
    const tagsOf = (r: StackResource) => (r.inputs.tags ?? r.state?.tags ?? {}) as Record<string, string>;
    const secrets = ofType(resources, "aws:secretsmanager/secret:Secret");
    const parameters = ofType(resources, "aws:ssm/parameter:Parameter");
    const externalSecrets = ofType(resources, "kubernetes:external-secrets.io/v1:ExternalSecret");
    const stores = ofType(resources, "kubernetes:external-secrets.io/v1:ClusterSecretStore");
    const clusters = [
        ...new Set(
            [
                ...secrets.map((s) => tagsOf(s)[CLUSTER_TAG_KEY]),
                ...parameters.map((s) => tagsOf(s)[CLUSTER_TAG_KEY]),
                ...ofType(resources, "aws:eks/podIdentityAssociation:PodIdentityAssociation").map((a) => value(a, "clusterName")),
            ].filter((c): c is string => typeof c === "string" && c !== "" && c !== UNKNOWN),
        ),
    ];
    const secretsByNs = groupBy(secrets, (s) => tagsOf(s)[NAMESPACE_TAG_KEY]);
    const parametersByNs = groupBy(parameters, (s) => tagsOf(s)[NAMESPACE_TAG_KEY]);
    const externalByNs = groupBy(externalSecrets, (e) => e.inputs.metadata?.namespace);
    const created = new Set(ofType(resources, "kubernetes:core/v1:Namespace").map((n) => n.inputs.metadata?.name));
    const namespaces = [...new Set([...secretsByNs.keys(), ...parametersByNs.keys(), ...externalByNs.keys()])].filter((n) => n !== "" && n !== UNKNOWN).sort();
    const named = (r: StackResource) => ({ name: String(value(r, "name") ?? r.name), tags: tagsOf(r) });
    // Secrets as files: a team's Pod Identity associations (ESO's is in its own namespace) and what each SecretProviderClass mounts.
    const associationsByNs = groupBy(ofType(resources, "aws:eks/podIdentityAssociation:PodIdentityAssociation"), (a) => value(a, "namespace") as string | undefined);
    const providerClassesByNs = groupBy(ofType(resources, "kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClass"), (c) => c.inputs.metadata?.namespace);
    const csiOf = (ns: string): TeamPlan["csi"] => {
        const classes = providerClassesByNs.get(ns) ?? [];
        if (classes.length === 0) return undefined;
        return {
            serviceAccounts: [...new Set((associationsByNs.get(ns) ?? []).map((a) => String(value(a, "serviceAccount"))))].sort(),
            secretProviderClasses: classes.map((c) => ({ name: String(c.inputs.metadata?.name ?? c.name), mounts: mountsOf(c.inputs.spec?.parameters?.objects) })),
        };
    };
    const teams = namespaces.map(
        (ns): TeamPlan => ({
            namespace: ns,
            namespaceAction: created.has(ns) ? "create" : "label existing",
            secrets: (secretsByNs.get(ns) ?? []).map(named).sort((a, b) => a.name.localeCompare(b.name)),
            parameters: (parametersByNs.get(ns) ?? []).map(named).sort((a, b) => a.name.localeCompare(b.name)),
            externalSecrets: (externalByNs.get(ns) ?? []).map((e) => ({
                name: String(e.inputs.metadata?.name ?? e.name),
                reads: [...(e.inputs.spec?.data ?? []).map((d: any) => d?.remoteRef?.key), ...(e.inputs.spec?.dataFrom ?? []).map((d: any) => d?.extract?.key)].filter(Boolean),
            })),
            ...(csiOf(ns) ? { csi: csiOf(ns) } : {}),
        }),
    );
    const counts: Record<string, number> = {};
    for (const r of resources.filter((x) => x.custom)) counts[r.type] = (counts[r.type] ?? 0) + 1;
    return {
        stackFile,
        clusterName: clusters[0] ?? "(no cluster named)",
        clusters,
        account: accountOf(resources, input.config),
        chart: chartOf(resources),
        resourceCount: resources.filter((r) => r.custom).length,
        resourcesByType: Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b))),
        roles,
        clusterSecretStore: stores[0]?.inputs,
        clusterSecretStores: stores.map((s) => s.inputs),
        teams,
        resources,
        managedPolicies,
        trustedReaders: trustedReadersFromConfig(input.config ?? {}, input.project, input.source),
        input: { kind: input.kind, source: input.source, project: input.project, stack: input.stack, undecidable: input.undecidable, notes: input.notes, ...(input.pending ? { pending: input.pending } : {}), pendingDeletion: input.pendingDeletion, pendingOperations: input.pendingOperations },
    };
}

/** The roles the matrix is decided for: those whose permission policy keys on principal tags, as the policy pack decides it. */
type AbacRole = { name: string; arn?: string; permissionPolicy?: PolicyDocument; undecided?: string };

export function abacRoles(plan: StackPlan): AbacRole[] {
    return plan.roles.flatMap((r): AbacRole[] => {
        if (r.permissionPolicies.some(hasUnknown)) {
            // A document not known yet (a preview of a new stack): decide it only if it could be ABAC at all.
            const known = r.permissionPolicies.filter((p) => !hasUnknown(p));
            return known.some((p) => isAbacDocument(parseDocument(p) ?? [])) || known.length === 0
                ? [{ name: r.name, undecided: "its permission policy holds a value that is not known (a secret, or computed during the deployment)" }]
                : [];
        }
        if (!r.permissionPolicies.some((p) => isAbacDocument(parseDocument(p) ?? []))) return [];
        return [{ name: r.name, arn: r.arn, permissionPolicy: { Version: "2012-10-17", Statement: r.permissionPolicies.flatMap((p) => (p as PolicyDocument).Statement) } }];
    });
}

/**
 * The shared roles whose team sessions are the expected readers: ABAC roles
 * that an ESO store of the stack assumes (`spec.provider.aws.role`). Another
 * ABAC-style role of the stack is one more principal for the principal check.
 * Without a store that names a role (a stack of roles only), every ABAC role.
 */
export function sharedRoleNames(plan: StackPlan): string[] {
    const abac = abacRoles(plan).map((r) => r.name);
    const assumed = new Set(
        plan.resources
            .filter((r) => r.custom && /^kubernetes:external-secrets\.io\/v1(beta1)?:(Cluster)?SecretStore$/.test(r.type))
            .map((r) => r.inputs?.spec?.provider?.aws?.role)
            .filter((a): a is string => typeof a === "string" && a !== UNKNOWN)
            .map((a) => a.replace(/^arn:[^:]+:iam::\d+:role\/(.*\/)?/, "")),
    );
    const named = abac.filter((n) => assumed.has(n));
    // Roles pods take themselves are judged by their own matrix of per-pod sessions, not as other principals.
    const podRoles = abacRoles(plan)
        .filter((r) => r.permissionPolicy !== undefined && keysOnPodNamespace(r.permissionPolicy))
        .map((r) => r.name);
    return [...new Set([...(named.length > 0 ? named : abac.filter((n) => !podRoles.includes(n))), ...podRoles])];
}

/** The matrix of one shared role, in the role's own account (the secrets' account in a cross-account stack). */
export function matrixSpecOf(plan: Pick<StackPlan, "account" | "clusterName" | "teams" | "resources"> & { clusters?: string[] }, role: { name: string; arn?: string; permissionPolicy: PolicyDocument }, otherClusters = [DEFAULT_OTHER_CLUSTER]): MatrixSpec {
    const arn = role.arn?.split(":");
    const own = plan.clusters ?? [];
    const spec: MatrixSpec = {
        accountId: arn?.[4] || plan.account.accountId,
        partition: arn?.[1] || plan.account.partition,
        region: plan.account.region,
        abacRoleName: role.name,
        permissionPolicy: role.permissionPolicy,
        clusters: [...(own.length > 0 ? own : [plan.clusterName]), ...otherClusters.filter((c) => !own.includes(c))],
        namespaces: plan.teams.map((t) => t.namespace),
        secrets: plan.teams.flatMap((t) => t.secrets.map((s) => ({ name: s.name, namespace: t.namespace }))),
        parameters: plan.teams.flatMap((t) => (t.parameters ?? []).map((p) => ({ name: p.name, namespace: t.namespace }))),
    };
    // A role pods take themselves (the CSI role): one session per associated service account.
    return keysOnPodNamespace(role.permissionPolicy) ? podMatrixSpec(spec, plan.resources) : spec;
}

/** @deprecated the one verdict is judge() (cli/src/checker/judge.ts); kept for tests of other branches until the merge. */
export type StackVerdict = Verdict;

/** @deprecated call judge() (cli/src/checker/judge.ts); kept for tests of other branches until the merge. */
export async function judgeStack(plan: StackPlan, onProgress?: Progress, options: Omit<JudgeOptions, "onProgress"> = {}): Promise<Verdict> {
    const { judge } = await import("../judge");
    return judge(plan, { ...options, onProgress });
}
