/**
 * The Kubernetes copies of a team's values: the Secret ESO writes for each
 * ExternalSecret (in the ExternalSecret's namespace) and the Secret the CSI
 * driver syncs when `syncSecret` is on. Whoever RBAC lets get, list or watch
 * Secrets in a team's namespace reads them. Written from the Kubernetes RBAC
 * documentation (kubernetes.io/docs/reference/access-authn-authz/rbac/):
 *
 * - a RoleBinding grants its Role, or a ClusterRole, only in its namespace;
 *   a ClusterRoleBinding grants a ClusterRole in every namespace;
 * - `*` in apiGroups, resources or verbs matches all; `resourceNames` limits
 *   get to the names listed (still a read of those);
 * - aggregation: a ClusterRole with an `aggregationRule` holds the rules of
 *   every ClusterRole whose labels match its selectors; the default
 *   `admin`, `edit` and `view` aggregate `aggregate-to-admin/-edit/-view`,
 *   `view` is labelled into `edit` and `edit` into `admin`;
 * - "edit ... also allows accessing Secrets", "view ... does not allow
 *   viewing Secrets" ("User-facing roles"); `cluster-admin` allows every verb
 *   on every resource;
 * - the group `system:serviceaccounts` holds every service account,
 *   `system:serviceaccounts:<ns>` those of one namespace, `system:authenticated`
 *   every authenticated user ("Default roles and role bindings", "Referring to subjects").
 *
 * A team's own subjects: its namespace's service accounts and service-account
 * group, and users or groups bound only in its namespace. ESO's service
 * account, the CSI driver's when it syncs, and trusted readers are the
 * readers that must. Every other subject that reads a team's Secrets is a
 * reader of the team's values. Also every store of the `kubernetes` provider
 * that reads a team's namespace for another namespace (a ClusterSecretStore
 * without `conditions`, a SecretStore elsewhere).
 */
import type { StackResource } from "../../inputs";
import { list, value } from "../principalDocuments";
import type { ReadFinding } from "../stackPrincipals";
import { esoControllers } from "./sessions";
import { chartControllers, chartRbac, RBAC_KINDS, RbacObject, RbacRule } from "./chartRbac";
import { subjectTrustNames } from "../../../../../components/lib/trustedReaders";
import { ofType, ReachContext, reachFinding, trustedBy } from "./context";

const RBAC = "kubernetes:rbac.authorization.k8s.io/v1";
const READ_VERBS = ["get", "list", "watch"];

type Rule = RbacRule;
interface ClusterRole {
    name: string;
    labels: Record<string, string>;
    rules: Rule[];
    selectors?: Record<string, string>[];
}

const ALL_SECRET_VERBS = ["get", "list", "watch", "create", "update", "patch", "delete"];
/** The default user-facing ClusterRoles as the RBAC documentation describes them, with the bootstrap aggregation labels. */
export const DEFAULT_CLUSTER_ROLES: ClusterRole[] = [
    { name: "cluster-admin", labels: {}, rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }] },
    { name: "admin", labels: {}, rules: [], selectors: [{ "rbac.authorization.k8s.io/aggregate-to-admin": "true" }] },
    { name: "edit", labels: { "rbac.authorization.k8s.io/aggregate-to-admin": "true" }, rules: [], selectors: [{ "rbac.authorization.k8s.io/aggregate-to-edit": "true" }] },
    { name: "view", labels: { "rbac.authorization.k8s.io/aggregate-to-edit": "true" }, rules: [], selectors: [{ "rbac.authorization.k8s.io/aggregate-to-view": "true" }] },
    { name: "system:aggregate-to-edit", labels: { "rbac.authorization.k8s.io/aggregate-to-edit": "true" }, rules: [{ apiGroups: [""], resources: ["secrets", "configmaps", "pods", "serviceaccounts"], verbs: ALL_SECRET_VERBS }] },
    { name: "system:aggregate-to-view", labels: { "rbac.authorization.k8s.io/aggregate-to-view": "true" }, rules: [{ apiGroups: [""], resources: ["configmaps", "pods", "services"], verbs: READ_VERBS }] },
];

const strings = (v: unknown): string[] => list(v).filter((x): x is string => typeof x === "string");
const metadata = (r: StackResource) => (value(r, "metadata") ?? {}) as { name?: string; namespace?: string; labels?: Record<string, string> };

/** The verbs of a rule that read Secrets, and the names it is limited to. */
export function secretReadVerbs(rule: Rule): string[] {
    const groups = strings(rule.apiGroups);
    const resources = strings(rule.resources);
    if (!groups.some((g) => g === "" || g === "*")) return [];
    if (!resources.some((x) => x === "*" || x === "secrets")) return [];
    const verbs = strings(rule.verbs);
    return verbs.includes("*") ? READ_VERBS : READ_VERBS.filter((v) => verbs.includes(v));
}

/** Every ClusterRole's rules with aggregation applied until nothing changes. */
export function aggregated(roles: ClusterRole[]): Map<string, Rule[]> {
    const rules = new Map(roles.map((r) => [r.name, [...r.rules]]));
    const matches = (sel: Record<string, string>, labels: Record<string, string>) => Object.entries(sel).every(([k, v]) => labels[k] === v);
    for (let changed = true, round = 0; changed && round < 10; round++) {
        changed = false;
        for (const r of roles) {
            if (!r.selectors) continue;
            const merged = new Set(rules.get(r.name)!.map((x) => JSON.stringify(x)));
            for (const other of roles) {
                if (other.name === r.name || !r.selectors.some((s) => matches(s, other.labels))) continue;
                for (const x of rules.get(other.name)!) if (!merged.has(JSON.stringify(x))) (merged.add(JSON.stringify(x)), (changed = true));
            }
            rules.set(r.name, [...merged].map((x) => JSON.parse(x)));
        }
    }
    return rules;
}

interface Subject {
    kind: string;
    name: string;
    namespace?: string;
}
const subjectName = (s: Subject) => (s.kind === "ServiceAccount" ? `ServiceAccount ${s.namespace ?? "?"}/${s.name}` : `${s.kind} ${s.name}`);

/** An RBAC object of the stack as the API server would hold it, with where it comes from. */
interface Sourced extends RbacObject {
    from?: string;
}

function declared(resources: StackResource[]): Sourced[] {
    const out: Sourced[] = [];
    for (const kind of RBAC_KINDS) {
        for (const r of ofType(resources, `${RBAC}:${kind}`)) {
            const m = metadata(r);
            out.push({ kind, metadata: { name: m.name ?? r.name, namespace: m.namespace, labels: m.labels }, rules: list(value(r, "rules")) as Rule[], aggregationRule: value(r, "aggregationRule") as RbacObject["aggregationRule"], roleRef: value(r, "roleRef") as RbacObject["roleRef"], subjects: list(value(r, "subjects")) as Subject[] });
        }
    }
    return out;
}

export function rbacReads(resources: StackResource[], ctx: ReachContext): { reads: ReadFinding[]; undecided: { principal: string; reason: string }[] } {
    const teamNamespaces = new Set(ctx.targets.map((t) => t.namespace));
    for (const es of ofType(resources, "kubernetes:external-secrets.io/v1:ExternalSecret")) {
        const ns = metadata(es).namespace;
        if (typeof ns === "string") teamNamespaces.add(ns);
    }
    if (teamNamespaces.size === 0) return { reads: [], undecided: [] };
    const undecided: { principal: string; reason: string }[] = [];
    const objects: Sourced[] = declared(resources);
    const controllers = new Map<string, string>();
    for (const r of ofType(resources, "kubernetes:helm.sh/v3:Release")) {
        for (const [sa, why] of chartControllers(r)) controllers.set(sa, why);
        const chart = chartRbac(r);
        if ("undecided" in chart) undecided.push({ principal: `Helm release ${r.name}`, reason: chart.undecided });
        else objects.push(...chart.objects.map((o) => ({ ...o, from: `Helm release '${r.name}' (${chart.variant})` })));
    }
    for (const sa of esoControllers(resources)) if (!controllers.has(sa)) controllers.set(sa, "ESO's controller: it writes the Secret of every ExternalSecret");
    const clusterRoles: ClusterRole[] = [
        ...DEFAULT_CLUSTER_ROLES,
        ...objects
            .filter((o) => o.kind === "ClusterRole")
            .map((o) => ({ name: o.metadata.name ?? "", labels: o.metadata.labels ?? {}, rules: list(o.rules) as Rule[], selectors: o.aggregationRule?.clusterRoleSelectors?.map((s) => s.matchLabels ?? {}) })),
    ];
    const clusterRules = aggregated(clusterRoles);
    const roles = new Map(objects.filter((o) => o.kind === "Role").map((o) => [`${o.metadata.namespace ?? "default"}/${o.metadata.name}`, list(o.rules) as Rule[]]));
    const bindings = objects.filter((o) => o.kind === "RoleBinding" || o.kind === "ClusterRoleBinding").map((o) => ({ o, cluster: o.kind === "ClusterRoleBinding" }));
    // Users and groups bound by RoleBindings, and where: one bound only in its team's namespace is that team's own.
    const boundIn = new Map<string, Set<string>>();
    for (const { o, cluster } of bindings) {
        for (const s of list(o.subjects) as Subject[]) {
            if (s.kind === "ServiceAccount") continue;
            const at = boundIn.get(subjectName(s)) ?? new Set<string>();
            at.add(cluster ? "*" : (o.metadata.namespace ?? "default"));
            boundIn.set(subjectName(s), at);
        }
    }
    const ownSubject = (s: Subject, ns: string) => {
        if (s.kind === "ServiceAccount") return s.namespace === ns || controllers.has(`${s.namespace}/${s.name}`);
        if (s.kind === "Group" && s.name === `system:serviceaccounts:${ns}`) return true;
        if (s.kind === "Group" && /^system:(serviceaccounts|authenticated|unauthenticated)$/.test(s.name)) return false;
        const at = boundIn.get(subjectName(s));
        return at !== undefined && at.size === 1 && at.has(ns);
    };
    const out: ReadFinding[] = [];
    const seen = new Set<string>();
    for (const { o, cluster } of bindings) {
        const ref = o.roleRef ?? {};
        const bindingNs = o.metadata.namespace ?? "default";
        const rules = ref.kind === "Role" ? roles.get(`${bindingNs}/${ref.name}`) : clusterRules.get(String(ref.name));
        const scopes = cluster ? [...teamNamespaces] : teamNamespaces.has(bindingNs) ? [bindingNs] : [];
        const where = `${o.kind} '${o.metadata.name}'${cluster ? "" : ` in ${bindingNs}`}${o.from ? ` of ${o.from}` : ""}`;
        if (!rules) {
            // A role nobody here declares (created by hand, by another chart or a later version): what it grants is not known.
            if (scopes.length > 0 && !(list(o.subjects) as Subject[]).every((s) => scopes.every((ns) => ownSubject(s, ns)))) {
                undecided.push({ principal: where, reason: `binds ${ref.kind} ${ref.name}, which neither the stack, its Helm releases nor Kubernetes' default roles declare, so whether its subjects read Secrets in ${scopes.join(", ")} is not decided: declare the role in the stack` });
            }
            continue;
        }
        const verbs = [...new Set(rules.flatMap(secretReadVerbs))];
        if (verbs.length === 0) continue;
        const names = rules.filter((x) => secretReadVerbs(x).length > 0).flatMap((x) => strings(x.resourceNames));
        for (const s of list(o.subjects) as Subject[]) {
            for (const ns of scopes) {
                if (ownSubject(s, ns)) continue;
                const who = subjectName(s);
                if (seen.has(`${who} ${ns}`)) continue;
                seen.add(`${who} ${ns}`);
                const f = reachFinding(
                    ctx,
                    { name: who, kind: "kubernetes subject", arn: `k8s:${who}` },
                    `${verbs.join("/")} secrets`,
                    { name: `Secrets of namespace ${ns}`, kind: "kubernetes secret", namespace: ns },
                    [`${who}`, `${where} binds ${ref.kind} ${ref.name}`, `${verbs.join("/")} on secrets${names.length > 0 ? ` named ${names.join(", ")}` : ""}`, `the Secrets ESO writes in ${ns} (team ${ns}'s values)`],
                );
                // A trusted reader names a service account as `system:serviceaccount:<ns>:<name>`, a user or group as
                // `kubernetes:user:<name>` or `kubernetes:group:<name>`: never by a bare name, which names IAM principals.
                out.push({ ...f, ...trustedBy(ctx, ...subjectTrustNames(s)) });
            }
        }
    }
    out.push(...storeReads(resources, ctx, teamNamespaces));
    return { reads: out, undecided };
}

/** Namespaces a store's `conditions` admit among the stack's namespaces; every namespace without conditions. */
function admitted(conditions: unknown, namespaces: { name: string; labels: Record<string, string> }[]): string[] | "every namespace" {
    const cs = list(conditions) as { namespaces?: string[]; namespaceSelector?: { matchLabels?: Record<string, string> }; namespaceRegexes?: string[] }[];
    if (cs.length === 0) return "every namespace";
    const out = new Set<string>();
    for (const c of cs) {
        for (const ns of namespaces) {
            const byName = strings(c.namespaces).includes(ns.name);
            const bySelector = c.namespaceSelector !== undefined && Object.entries(c.namespaceSelector.matchLabels ?? {}).every(([k, v]) => ns.labels[k] === v);
            const byRegex = strings(c.namespaceRegexes).some((re) => new RegExp(re).test(ns.name));
            if (byName || bySelector || byRegex) out.add(ns.name);
        }
        // A selector or a pattern admits namespaces the stack does not declare too.
        if (c.namespaceSelector !== undefined || strings(c.namespaceRegexes).some((re) => !/^\^.*\$$/.test(re) || /[.*+?[]/.test(re.slice(1, -1)))) out.add("a namespace this stack does not declare");
    }
    return [...out];
}

function storeReads(resources: StackResource[], ctx: ReachContext, teamNamespaces: Set<string>): ReadFinding[] {
    const namespaces = ofType(resources, "kubernetes:core/v1:Namespace").map((r) => ({ name: metadata(r).name ?? r.name, labels: metadata(r).labels ?? {} }));
    const out: ReadFinding[] = [];
    const stores = [...ofType(resources, "kubernetes:external-secrets.io/v1:ClusterSecretStore"), ...ofType(resources, "kubernetes:external-secrets.io/v1:SecretStore")].filter((r) => (value(r, "spec") as any)?.provider?.kubernetes !== undefined);
    if (stores.length === 0) return out;
    const declared = new Set(namespaces.map((n) => n.name));
    for (const ns of teamNamespaces) if (!declared.has(ns)) namespaces.push({ name: ns, labels: {} });
    for (const r of stores) {
        const spec = (value(r, "spec") ?? {}) as { provider?: { kubernetes?: { remoteNamespace?: string } }; conditions?: unknown };
        const k8s = spec.provider?.kubernetes;
        if (k8s === undefined) continue;
        const remote = k8s.remoteNamespace ?? "default";
        if (!teamNamespaces.has(remote)) continue;
        const cluster = r.type.endsWith(":ClusterSecretStore");
        const readers = cluster ? admitted(spec.conditions, namespaces) : [metadata(r).namespace ?? "default"];
        const others = readers === "every namespace" ? ["every namespace"] : readers.filter((n) => n !== remote);
        for (const who of others) {
            const name = `ExternalSecrets of ${who === "every namespace" ? "every namespace" : who === "a namespace this stack does not declare" ? who : `namespace ${who}`}`;
            out.push(
                reachFinding(
                    ctx,
                    { name, kind: "kubernetes subject", arn: `k8s:${name}` },
                    "read through the store",
                    { name: `Secrets of namespace ${remote}`, kind: "kubernetes secret", namespace: remote },
                    [name, `${cluster ? "ClusterSecretStore" : "SecretStore"} '${metadata(r).name ?? r.name}' (kubernetes provider, remoteNamespace ${remote}${cluster ? (readers === "every namespace" ? ", no conditions" : `, conditions admit ${readers.join(", ")}`) : ""})`, `team ${remote}'s Secrets`],
                ),
            );
        }
    }
    return out;
}
