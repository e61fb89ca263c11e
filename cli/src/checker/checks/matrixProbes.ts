/**
 * Attacker probes: the pairs a stack's own sessions and objects never show,
 * decided beside the full matrix so that it does not depend on the proof to
 * see them. A store-validation session (ESO sends `esoNamespace=""`) or, for
 * pod sessions, a pod with an empty `kubernetes-namespace` and a pod of ESO's
 * namespace, a session without the namespace or cluster tag, and objects without tags,
 * with one tag, with an empty tag, with ESO's own namespace, with a
 * namespace that extends or prefixes the reader's (`pay` and `payments`),
 * or the reader's in capitals; and the main ones again with the object
 * shared with every principal by its resource policy. None of them may be
 * readable.
 */
import { CLUSTER_TAG_KEY, DEFAULT_ESO_NAMESPACE, NAMESPACE_TAG_KEY } from "../../../../components/lib/constants";
import { Cell, cellMeaning, decideCell, decidedActions, DEFAULT_POD_SERVICE_ACCOUNT, MatrixSpec, ObjectKind, sessionNamespaceTagKeyOf } from "./accessMatrix";

export interface Probe {
    description: string;
    session: { cluster?: string; namespace?: string; serviceAccount?: string };
    object: { name: string; kind: ObjectKind; tags?: Record<string, string> };
    /** The object's resource policy shares it with every principal (`grantToEveryone`). */
    grant?: boolean;
}

export interface ProbeResult extends Probe {
    cell: Cell;
    /** The value is readable: a failure. */
    read: boolean;
    metadata: boolean;
}

/**
 * Namespaces probed: the first ones of the stack. A probe varies the tags,
 * not the names; the stack's own pairs already meet every name, and a stack
 * of thousands of teams would otherwise pay thousands of probes.
 */
export const PROBED_NAMESPACES = 50;

/** The probes of a spec: each probed namespace's first object of each kind on the first cluster, and the tag anomalies around it. */
export function probesOf(spec: MatrixSpec): Probe[] {
    const probed = new Set(spec.namespaces.slice(0, PROBED_NAMESPACES));
    const cluster = spec.clusters[0];
    const firsts = new Map<string, { name: string; kind: ObjectKind }>();
    for (const [kind, list] of [["secret", spec.secrets], ["parameter", spec.parameters ?? []]] as const) {
        for (const o of list) if (probed.has(o.namespace) && !firsts.has(`${kind} ${o.namespace}`)) firsts.set(`${kind} ${o.namespace}`, { name: o.name, kind });
    }
    const probes: Probe[] = [];
    for (const [key, { name, kind }] of firsts) {
        const ns = key.slice(kind.length + 1);
        const own = { [NAMESPACE_TAG_KEY]: ns, [CLUSTER_TAG_KEY]: cluster };
        const obj = (tags: Record<string, string> | undefined) => ({ name, kind, tags });
        const reader = { cluster, namespace: ns };
        const add = (description: string, session: Probe["session"], tags: Record<string, string> | undefined) => probes.push({ description, session, object: obj(tags) });
        const tag = sessionNamespaceTagKeyOf(spec);
        const pod = spec.sessionKind === "pod";
        if (pod) {
            add(`a pod session with an empty ${tag} reads ${kind} ${name}`, { cluster, namespace: "" }, own);
            // The CSI role's trust refuses ESO's namespace; the permission must not need that refusal to keep team objects apart.
            add(`a pod of ESO's namespace (${DEFAULT_ESO_NAMESPACE}) reads ${kind} ${name}`, { cluster, namespace: DEFAULT_ESO_NAMESPACE, serviceAccount: "external-secrets" }, own);
        } else {
            add(`ESO's store-validation session (esoNamespace empty) reads ${kind} ${name}`, { cluster, namespace: "" }, own);
        }
        add(`a session without ${tag} reads ${kind} ${name}`, { cluster }, own);
        add(`a session without eks-cluster-name reads ${kind} ${name}`, { namespace: ns }, own);
        add(`${ns} reads ${kind} ${name} without tags`, reader, undefined);
        add(`a session without ${tag} reads ${kind} ${name} without tags`, { cluster }, undefined);
        add(`${ns} reads ${kind} ${name} tagged with its namespace only`, reader, { [NAMESPACE_TAG_KEY]: ns });
        add(`${ns} reads ${kind} ${name} tagged with its cluster only`, reader, { [CLUSTER_TAG_KEY]: cluster });
        add(`${ns} reads ${kind} ${name} with an empty namespace tag`, reader, { [NAMESPACE_TAG_KEY]: "", [CLUSTER_TAG_KEY]: cluster });
        add(`${pod ? `a pod session with an empty ${tag}` : "ESO's store-validation session"} reads ${kind} ${name} with an empty namespace tag`, { cluster, namespace: "" }, { [NAMESPACE_TAG_KEY]: "", [CLUSTER_TAG_KEY]: cluster });
        add(`${ns} reads ${kind} ${name} tagged with ESO's namespace (${DEFAULT_ESO_NAMESPACE})`, reader, { [NAMESPACE_TAG_KEY]: DEFAULT_ESO_NAMESPACE, [CLUSTER_TAG_KEY]: cluster });
        add(`${ns} reads ${kind} ${name} of namespace ${ns}-admin (its name extended)`, reader, { [NAMESPACE_TAG_KEY]: `${ns}-admin`, [CLUSTER_TAG_KEY]: cluster });
        if (ns.length > 1) add(`${ns} reads ${kind} ${name} of namespace ${ns.slice(0, -1)} (a prefix of its name)`, reader, { [NAMESPACE_TAG_KEY]: ns.slice(0, -1), [CLUSTER_TAG_KEY]: cluster });
        // A name without letters (`123`) has no other case: probing it would be the reader's own object.
        if (ns.toUpperCase() !== ns) add(`${ns} reads ${kind} ${name} of namespace ${ns.toUpperCase()} (its name in capitals)`, reader, { [NAMESPACE_TAG_KEY]: ns.toUpperCase(), [CLUSTER_TAG_KEY]: cluster });
        if (pod && (spec.serviceAccounts?.[ns]?.[0] ?? DEFAULT_POD_SERVICE_ACCOUNT) !== ns) {
            // A pod's service account is a name its team chose: a namespace of that name must stay another team's.
            const serviceAccount = spec.serviceAccounts?.[ns]?.[0] ?? DEFAULT_POD_SERVICE_ACCOUNT;
            add(`${ns} reads ${kind} ${name} of namespace ${serviceAccount} (its service account's name)`, { ...reader, serviceAccount }, { [NAMESPACE_TAG_KEY]: serviceAccount, [CLUSTER_TAG_KEY]: cluster });
        }
        if (pod && (spec.serviceAccounts?.[ns]?.[0] ?? DEFAULT_POD_SERVICE_ACCOUNT) !== cluster) {
            const serviceAccount = spec.serviceAccounts?.[ns]?.[0] ?? DEFAULT_POD_SERVICE_ACCOUNT;
            add(`${ns} reads ${kind} ${name} of cluster ${serviceAccount} (its service account's name)`, { ...reader, serviceAccount }, { [NAMESPACE_TAG_KEY]: ns, [CLUSTER_TAG_KEY]: serviceAccount });
        }
        add(`${ns} reads ${kind} ${name} of cluster ${cluster}-2 (its cluster's name extended)`, reader, { [NAMESPACE_TAG_KEY]: ns, [CLUSTER_TAG_KEY]: `${cluster}-2` });
        // The same moves when the object's resource policy shares it with every principal: only an explicit Deny keeps them closed.
        const shared = (description: string, session: Probe["session"], tags: Record<string, string> | undefined) =>
            spec.resourcePolicyGrants !== false &&
            probes.push({ description: `${description}, shared with every principal by its resource policy`, session, object: obj(tags), grant: true });
        shared(`${ns} reads ${kind} ${name} of namespace ${ns}-other`, reader, { [NAMESPACE_TAG_KEY]: `${ns}-other`, [CLUSTER_TAG_KEY]: cluster });
        shared(`${ns} reads ${kind} ${name} of cluster ${cluster}-2`, reader, { [NAMESPACE_TAG_KEY]: ns, [CLUSTER_TAG_KEY]: `${cluster}-2` });
        shared(`${ns} reads ${kind} ${name} without tags`, reader, undefined);
        shared(`${pod ? `a pod session with an empty ${tag}` : "ESO's store-validation session"} reads ${kind} ${name}`, { cluster, namespace: "" }, own);
        shared(`a session without ${tag} reads ${kind} ${name}`, { cluster }, own);
        shared(`a session without eks-cluster-name reads ${kind} ${name}`, { namespace: ns }, own);
        if (pod) {
            // A Deny fence compared with the pod's service account instead of its namespace or cluster opens exactly these.
            const serviceAccount = spec.serviceAccounts?.[ns]?.[0] ?? DEFAULT_POD_SERVICE_ACCOUNT;
            if (serviceAccount !== ns) shared(`${ns} reads ${kind} ${name} of namespace ${serviceAccount} (its service account's name)`, { ...reader, serviceAccount }, { [NAMESPACE_TAG_KEY]: serviceAccount, [CLUSTER_TAG_KEY]: cluster });
            if (serviceAccount !== cluster) shared(`${ns} reads ${kind} ${name} of cluster ${serviceAccount} (its service account's name)`, { ...reader, serviceAccount }, { [NAMESPACE_TAG_KEY]: ns, [CLUSTER_TAG_KEY]: serviceAccount });
        }
        // EKS names are case-sensitive: the same name in another case is another cluster (`E` and `e` too).
        const otherCase = cluster.toUpperCase() !== cluster ? cluster.toUpperCase() : cluster.toLowerCase();
        if (otherCase !== cluster) add(`${ns} reads ${kind} ${name} of cluster ${otherCase} (its cluster's name in another case: EKS names are case-sensitive)`, reader, { [NAMESPACE_TAG_KEY]: ns, [CLUSTER_TAG_KEY]: otherCase });
    }
    return probes;
}

export const probeDecisions = (probes: Probe[]) => probes.reduce((n, p) => n + decidedActions(p.object.kind).length, 0);

export function decideProbes(spec: MatrixSpec, probes = probesOf(spec)): ProbeResult[] {
    return probes.map((p) => {
        const cell = decideCell(spec, p.session, p.object, p.grant ?? false);
        const m = cellMeaning(p.object.kind, cell, spec.sessionKind);
        return { ...p, cell, read: m.read, metadata: m.metadata };
    });
}
