/**
 * Isolation decided for any number of teams, without evaluating N² pairs.
 *
 * The argument: the shared role's permission policy names no team. When its
 * conditions only test the varying tags (the session's `esoNamespace` and
 * `eks-cluster-name`, the secret's `kubernetes-namespace` and
 * `eks-cluster-name`) for presence, emptiness, and exact equality with each
 * other or with values that are the same in every request, IAM's decision on
 * a (session, secret) pair depends only on the *pattern* of those four values
 * (which are absent, which are empty, which are equal to which), never on
 * the names themselves: renaming every team consistently cannot change a
 * decision. So one representative per pattern, decided by the IAM engine,
 * decides every pair of every stack of any size.
 *
 * Parameters are objects of the same argument: the shared role reads a
 * parameter under the same condition on its tags, which Parameter Store
 * authorises with `aws:ResourceTag/<key>` and `ssm:resourceTag/<key>`
 * (Secrets Manager with `secretsmanager:ResourceTag/<key>` and
 * `aws:ResourceTag/<key>`). So every class is decided once for a secret and,
 * when the stack or the policy has parameters, once for a parameter, action
 * by action (`ACTIONS_OF` in accessMatrix.ts: the value reads, ESO's own
 * call, the metadata reads).
 *
 * What the argument covers, each because renaming every team keeps it:
 * Allow and Deny statements; Action and NotAction (the decided actions are
 * fixed); Resource and NotResource that are `*` or every secret or parameter
 * of an account; StringEquals, StringNotEquals, StringLike on a bare
 * variable (tag values hold no wildcard), presence patterns (`*`, `?*`),
 * Null, a test for the empty value, each with `IfExists` and the
 * `ForAnyValue:`/`ForAllValues:` qualifiers; a principal tag the session
 * does not carry (absent from every request, so a constant: a Deny whose
 * StringNotEquals names it does not apply when the key is present, and the
 * engine decides that per class). The session's namespace tag is the spec's
 * `sessionNamespaceTagKey`.
 * Resource policies: in the same account a secret's (or parameter's)
 * resource policy that allows every principal grants the read by itself,
 * whatever the identity policy's conditions (IAM User Guide, "Policy
 * evaluation logic"). Every class that is not the session's own is decided
 * again with the object shared that way (`grantToEveryone`); a class it
 * opens fails the proof: only an explicit Deny on tags that differ keeps it
 * closed. The grant names no team, so the renaming argument holds for it too,
 * and it is checked the same way.
 *
 * Path and listing reads (ssm:GetParametersByPath, ssm:DescribeParameters)
 * are not authorised on the tags of what they return, so a policy granting
 * them is refused: no class of tag values describes what they reveal.
 *
 * When the documents use anything that breaks that argument (a literal team
 * name, a wildcard match on a tag, a policy variable other than a principal
 * tag, an operator outside the set below, a resource pattern that depends on
 * a secret's name, a tag key the matrix does not model), the proof refuses
 * and says why; callers then evaluate the full matrix.
 *
 * Condition semantics relied on: StringEquals/StringNotEquals compare exactly
 * and case-sensitively; a `${aws:PrincipalTag/k}` variable is replaced by the
 * tag's value; `?*` matches any non-empty string; Null tests presence. Tag
 * values cannot contain `*` or `?`, so a substituted value never acts as a
 * wildcard. (IAM User Guide: "IAM JSON policy elements: Condition operators"
 * and "IAM policy elements: Variables and tags".) IAM condition keys are
 * case-insensitive, so keys are compared in lower case.
 */
import { CLUSTER_TAG_KEY, NAMESPACE_TAG_KEY } from "../../../../components/lib/constants";
import type { PolicyDocument, PolicyStatement } from "../../../../components/lib/iam";
import {
    Cell,
    cellMeaning,
    decideCell,
    decidedActions,
    emptyRow,
    kindsOf,
    MatrixSpec,
    ObjectKind,
    resourceTagKeys,
    SessionRow,
    sessionContext,
    sessionNamespaceTagKeyOf,
    sessionsOf,
    tally,
} from "./accessMatrix";

export interface Slot {
    id: string;
    /** The request key the slot's value travels in (the first of a resource tag's keys). */
    key: string;
    words: string;
}

/** The four values a (session, secret) pair varies in, in a fixed order; the session's namespace tag is the spec's. */
export function slotsOf(spec: Pick<MatrixSpec, "sessionNamespaceTagKey" | "sessionKind"> = {}): Slot[] {
    return [
        { id: "sessionNamespace", key: `aws:PrincipalTag/${sessionNamespaceTagKeyOf(spec)}`, words: "session namespace" },
        { id: "sessionCluster", key: `aws:PrincipalTag/${CLUSTER_TAG_KEY}`, words: "session cluster" },
        { id: "secretNamespace", key: `secretsmanager:ResourceTag/${NAMESPACE_TAG_KEY}`, words: "secret's namespace" },
        { id: "secretCluster", key: `secretsmanager:ResourceTag/${CLUSTER_TAG_KEY}`, words: "secret's cluster" },
    ];
}

/** The slots of the default spec (ESO's `esoNamespace`). */
export const SLOTS = slotsOf();

/** Every request key a slot's value travels in: the session's two tags, and each resource tag under each of its keys for both kinds of object. */
function slotKeysOf(slots: Slot[]): string[] {
    const resourceKeys = (["secret", "parameter"] as const).flatMap((kind) => [...resourceTagKeys(kind, NAMESPACE_TAG_KEY), ...resourceTagKeys(kind, CLUSTER_TAG_KEY)]);
    return [slots[0].key, slots[1].key, ...resourceKeys];
}

/** Parameter Store actions that read by path or list, not by the tags of what they return. */
const PATH_READ_ACTIONS = ["ssm:GetParametersByPath", "ssm:DescribeParameters"];

export type SlotValue = string | undefined;
export type PairValues = [SlotValue, SlotValue, SlotValue, SlotValue];

/** Operators whose outcome is decided by equality, emptiness and presence alone. */
const RELATIONAL = new Set(["stringequals", "stringnotequals"]);
/**
 * An operator without its set qualifier (`ForAnyValue:`, `ForAllValues:`)
 * and its `IfExists`: both only change the outcome when the key is absent or
 * (for a list) holds several values, never by the value's name, so renaming
 * every team keeps each decision. Presence is part of a class, and every
 * slot is single-valued, so the engine decides each class with them in.
 * (IAM User Guide, "Condition operators": "...IfExists"; "Set operators for
 * multivalued context keys".)
 */
export function baseOperator(operator: string): string {
    const o = operator.toLowerCase().replace(/^for(any|all)values?:/, "");
    return o !== "nullifexists" && o.endsWith("ifexists") ? o.slice(0, -"ifexists".length) : o;
}
/** Wildcard patterns that only ask "present" or "non-empty". */
const PRESENCE_PATTERNS = new Set(["*", "?*"]);
/** Operators allowed on keys that are the same in every request of the matrix (constant outcome). */
const CONSTANT_OK = new Set(["stringequals", "stringnotequals", "stringlike", "stringnotlike", "arnequals", "arnnotequals", "arnlike", "arnnotlike", "bool", "null"]);

const VARIABLE = /^\$\{([^}]+)\}$/;
const ANY_VARIABLE = /\$\{/;
const SECRET_ARN_ANY_NAME = /^arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:\*$/;
const PARAMETER_ARN_ANY_NAME = /^arn:[^:]+:ssm:[^:]*:[^:]*:parameter\/\*$/;
const ANY_NAME = (r: string) => SECRET_ARN_ANY_NAME.test(r) || PARAMETER_ARN_ANY_NAME.test(r);

/** Does an IAM action pattern (`ssm:*`, `ssm:GetParameter*`) match the action? Case-insensitive, as IAM compares actions. */
function actionMatches(pattern: string, action: string): boolean {
    const re = new RegExp("^" + pattern.toLowerCase().replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".") + "$");
    return re.test(action.toLowerCase());
}

export interface StructureCheck {
    /** True when the argument above holds for these documents. */
    applicable: boolean;
    /** Why not, one line each. */
    refusals: string[];
    /** Values of keys constant across the matrix that some condition compares with a varying slot. */
    constants: string[];
    /** Operators seen, for the report. */
    operators: string[];
    /** Policy variables seen. */
    variables: string[];
}

const asList = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

/** A statement whose resources are all Secrets Manager ARNs: it can grant nothing on a parameter. */
const onSecretsOnly = (st: { Resource?: string | string[]; NotResource?: string | string[] }) =>
    st.NotResource === undefined && asList(st.Resource).length > 0 && asList(st.Resource).every((r) => /^arn:[^:]+:secretsmanager:/.test(r));

/** Words of a literal, to find a team's name in it. */
function tokens(literal: string): string[] {
    return literal.toLowerCase().split(/[^a-z0-9_-]+/).filter((t) => t.length > 0);
}

/**
 * Checks the permission policy's structure against the argument. `teamNames`
 * are the stack's namespaces, secret names and cluster names: none may
 * appear as a literal.
 */
export function checkStructure(doc: PolicyDocument, constantContext: Record<string, string>, teamNames: Iterable<string>, derivedKeys: Iterable<string> = [], slots: Slot[] = SLOTS): StructureCheck {
    const names = new Set([...teamNames].flatMap(tokens));
    const slotKeys = new Set(slotKeysOf(slots).map((k) => k.toLowerCase()));
    const derived = new Set([...derivedKeys].map((k) => k.toLowerCase()));
    const constantKeys = new Map(Object.entries(constantContext).filter(([k]) => !derived.has(k.toLowerCase())).map(([k, v]) => [k.toLowerCase(), v]));
    const refusals: string[] = [];
    const constants = new Set<string>();
    const operators = new Set<string>();
    const variables = new Set<string>();
    const refuse = (where: string, why: string) => refusals.push(`${where}: ${why}`);
    const namedTeams = (where: string, literal: string) => {
        const hit = tokens(literal).find((t) => names.has(t));
        if (hit !== undefined) refuse(where, `the literal \`${literal}\` names \`${hit}\`, a team, cluster or secret of this stack`);
    };
    /** Is the key one whose value differs between pairs? Refuses keys the matrix does not model. */
    const classify = (where: string, key: string): "slot" | "constant" | "unmodelled" => {
        const k = key.toLowerCase();
        if (slotKeys.has(k)) return "slot";
        if (derived.has(k)) {
            refuse(where, `\`${key}\` varies with the session's cluster or namespace, and the proof models only ${slots.map((x) => `\`${x.key}\``).join(", ")}`);
            return "unmodelled";
        }
        if (/^(secretsmanager|aws|ssm):resourcetag\//.test(k) || ((k.startsWith("secretsmanager:") || k.startsWith("ssm:")) && !constantKeys.has(k))) {
            refuse(where, `\`${key}\` varies with the secret or parameter, and the matrix models only the ${NAMESPACE_TAG_KEY} and ${CLUSTER_TAG_KEY} tags`);
            return "unmodelled";
        }
        return "constant";
    };

    doc.Statement.forEach((st: PolicyStatement & { NotResource?: string | string[]; NotAction?: string | string[] }, i) => {
        const at = `Statement[${i}]${st.Sid ? ` (${st.Sid})` : ""}`;
        for (const field of ["Resource", "NotResource"] as const) {
            for (const r of asList(st[field])) {
                if (ANY_VARIABLE.test(r)) refuse(`${at}.${field}`, `\`${r}\` holds a policy variable`);
                else if (r !== "*" && !ANY_NAME(r) && r.includes("*")) refuse(`${at}.${field}`, `\`${r}\` matches ${/:ssm:/.test(r) ? "parameters" : "secrets"} by name with a wildcard`);
                else if (r !== "*" && /:secretsmanager:/.test(r) && !SECRET_ARN_ANY_NAME.test(r)) refuse(`${at}.${field}`, `\`${r}\` names a secret`);
                else if (r !== "*" && /:ssm:[^:]*:[^:]*:parameter\//.test(r) && !PARAMETER_ARN_ANY_NAME.test(r)) refuse(`${at}.${field}`, `\`${r}\` names a parameter`);
                namedTeams(`${at}.${field}`, r);
            }
        }
        if (st.Effect === "Allow") {
            // What the statement grants: its actions, or with NotAction every action it does not name.
            const granted = (action: string) =>
                st.NotAction !== undefined ? !asList(st.NotAction).some((p) => actionMatches(p, action)) : asList(st.Action).some((p) => actionMatches(p, action));
            // Only on what could be a parameter: a statement on secrets alone grants no Parameter Store read.
            for (const action of onSecretsOnly(st) ? [] : PATH_READ_ACTIONS.filter(granted)) {
                refuse(`${at}.${st.NotAction !== undefined ? "NotAction" : "Action"}`, `grants ${action}, which reads parameters by path or lists them, not by their tags`);
            }
        }
        // A statement on one service's objects sees only that service's tag key in the request.
        const resources = [...asList(st.Resource), ...asList(st.NotResource)];
        const onlySecrets = resources.length > 0 && resources.every((r) => SECRET_ARN_ANY_NAME.test(r));
        const onlyParameters = resources.length > 0 && resources.every((r) => PARAMETER_ARN_ANY_NAME.test(r));
        for (const block of Object.values(st.Condition ?? {})) {
            for (const key of Object.keys(block)) {
                const k = key.toLowerCase();
                if (onlySecrets && k.startsWith("ssm:resourcetag/")) refuse(`${at}.Condition["${key}"]`, `a secret request carries \`secretsmanager:ResourceTag/\` and \`aws:ResourceTag/\`, never \`ssm:resourceTag/\``);
                if (onlyParameters && k.startsWith("secretsmanager:resourcetag/")) refuse(`${at}.Condition["${key}"]`, `a parameter request carries \`aws:ResourceTag/\`, never \`secretsmanager:ResourceTag/\``);
            }
        }
        for (const [rawOperator, block] of Object.entries(st.Condition ?? {})) {
            const operator = baseOperator(rawOperator);
            operators.add(rawOperator);
            for (const [key, rawValues] of Object.entries(block)) {
                const where = `${at}.Condition.${rawOperator}["${key}"]`;
                const keyKind = classify(where, key);
                if (keyKind === "unmodelled") continue;
                for (const value of asList(rawValues).map(String)) {
                    const variable = VARIABLE.exec(value)?.[1];
                    if (variable === undefined && ANY_VARIABLE.test(value)) {
                        const wildcard = /^string(not)?like$/.test(operator) && /[*?]/.test(value.replace(/\$\{[^}]*\}/g, ""));
                        refuse(where, wildcard ? `a wildcard on a tag (\`${value}\`): which teams match depends on their names` : `\`${value}\` mixes a policy variable with literal text`);
                        continue;
                    }
                    if (variable !== undefined) {
                        variables.add(variable);
                        if (!/^aws:principaltag\/[^/]+$/i.test(variable)) {
                            refuse(where, `the variable \`\${${variable}}\` is not a principal tag`);
                            continue;
                        }
                        // A tag value holds no `*` or `?` (AWS tag values: letters, digits, spaces and `_ . : / = + - @`;
                        // Kubernetes namespaces and EKS cluster names even fewer), so StringLike on a bare variable is StringEquals.
                        const likeAsEquals = /^string(not)?like$/.test(operator);
                        if (!RELATIONAL.has(operator) && !likeAsEquals) {
                            refuse(where, `${rawOperator} with a policy variable is outside the operators this proof reasons about (StringEquals, StringNotEquals, StringLike on a bare variable, with IfExists or a set qualifier)`);
                            continue;
                        }
                        const varKind = classify(where, variable);
                        // A constant compared with a varying slot: that constant is a value a slot may equal.
                        if (keyKind === "slot" && varKind === "constant") {
                            const v = constantKeys.get(variable.toLowerCase());
                            if (v !== undefined) constants.add(v);
                        }
                        if (keyKind === "constant" && varKind === "slot") {
                            const v = constantKeys.get(key.toLowerCase());
                            if (v !== undefined) constants.add(v);
                        }
                        continue;
                    }
                    namedTeams(where, value);
                    if (keyKind === "constant") {
                        if (!CONSTANT_OK.has(operator)) refuse(where, `${rawOperator} is outside the operators this proof reasons about`);
                        continue;
                    }
                    // A literal compared with a varying slot.
                    if ((operator === "stringlike" || operator === "stringnotlike") && PRESENCE_PATTERNS.has(value)) continue;
                    if (operator === "null" && (value === "true" || value === "false")) continue;
                    // The empty value is one of a slot's statuses: a test for it is a test the classes already tell apart.
                    if (value === "" && (RELATIONAL.has(operator) || /^string(not)?like$/.test(operator))) continue;
                    if ((operator === "stringlike" || operator === "stringnotlike") && /[*?]/.test(value)) {
                        refuse(where, `a wildcard (\`${value}\`) on a tag: which teams match depends on their names`);
                    } else if (RELATIONAL.has(operator)) {
                        refuse(where, `the literal \`${value}\` on a tag singles out the teams or clusters with that name`);
                    } else {
                        refuse(where, `${rawOperator} on a tag is outside the operators this proof reasons about`);
                    }
                }
            }
        }
    });
    return {
        applicable: refusals.length === 0,
        refusals,
        constants: [...constants].sort(),
        operators: [...operators].sort(),
        variables: [...variables].sort(),
    };
}

/** The equivalence class of a pair: each slot absent, empty, or a block number (equal values share one), or a constant. */
export type ClassKey = string;

/** The class of concrete slot values: its key, stable under renaming every non-constant value. */
export function classOf(values: PairValues, constants: readonly string[]): ClassKey {
    const blocks = new Map<string, number>();
    return values
        .map((v) => {
            if (v === undefined) return "-";
            if (v === "") return "e";
            const c = constants.indexOf(v);
            if (c >= 0) return `c${c}`;
            if (!blocks.has(v)) blocks.set(v, blocks.size);
            return String(blocks.get(v));
        })
        .join("");
}

/** What the design promises for a pair: readable only by the same non-empty namespace on the same cluster. */
export function expectedAllowed(values: PairValues): boolean {
    const [sn, sc, tn, tc] = values;
    return sn !== undefined && sn !== "" && sn === tn && sc !== undefined && sc !== "" && sc === tc;
}

/** Every class: statuses per slot, then every way the present, non-empty values can be equal or bound to a constant. */
export function enumerateClasses(constants: readonly string[]): PairValues[] {
    // The session's cluster tag is set by Pod Identity and never empty; absent covers a session without it.
    const statuses: ("absent" | "empty" | "value")[][] = [
        ["value", "empty", "absent"],
        ["value", "absent"],
        ["value", "empty", "absent"],
        ["value", "empty", "absent"],
    ];
    const out: PairValues[] = [];
    const seen = new Set<string>();
    const walk = (i: number, acc: ("absent" | "empty" | "value")[]) => {
        if (i === statuses.length) {
            const valueSlots = acc.flatMap((s, j) => (s === "value" ? [j] : []));
            for (const assignment of assignments(valueSlots.length, constants.length)) {
                const values = acc.map((s) => (s === "absent" ? undefined : s === "empty" ? "" : "")) as PairValues;
                const names = new Map<string, string>();
                valueSlots.forEach((slot, k) => {
                    const a = assignment[k];
                    if (!a.startsWith("c") && !names.has(a)) names.set(a, representative(slot, Number(a)));
                    values[slot] = a.startsWith("c") ? constants[Number(a.slice(1))] : names.get(a)!;
                });
                const key = classOf(values, constants);
                if (!seen.has(key)) {
                    seen.add(key);
                    out.push(values);
                }
            }
            return;
        }
        for (const s of statuses[i]) walk(i + 1, [...acc, s]);
    };
    walk(0, []);
    return out;
}

/** Readable representative values, named after the first slot of their block: `team-a`, `cluster-b`. */
function representative(slot: number, block: number): string {
    const letter = String.fromCharCode(97 + block);
    return slot === 1 || slot === 3 ? `cluster-${letter}` : `team-${letter}`;
}

/** Set partitions of n items (restricted growth strings), each block a fresh value, or a slot bound to a constant. */
function assignments(n: number, constantCount: number): string[][] {
    const out: string[][] = [];
    const rec = (acc: string[], blocks: number) => {
        if (acc.length === n) {
            out.push(acc);
            return;
        }
        for (let b = 0; b <= blocks; b++) rec([...acc, String(b)], b === blocks ? blocks + 1 : blocks);
        for (let c = 0; c < constantCount; c++) rec([...acc, `c${c}`], blocks);
    };
    rec([], 0);
    return out;
}

/** A class in words. */
export function describeClass(values: PairValues, constants: readonly string[], kind: ObjectKind = "secret", sessionNamespaceTag = "esoNamespace"): string {
    const text = describeSecretClass(values, constants, sessionNamespaceTag);
    return kind === "secret" ? text : `parameter: ${text.replace(/secret/g, "parameter")}`;
}

function describeSecretClass(values: PairValues, constants: readonly string[], sessionNamespaceTag: string): string {
    const [sn, sc, tn, tc] = values;
    const rel = (what: string, s: SlotValue, t: SlotValue, sessionWord: string) => {
        if (s === undefined) return `session sends no ${sessionWord}`;
        if (s === "") return `session ${sessionWord} empty`;
        if (t === undefined) return `secret has no ${what} tag`;
        if (t === "") return `secret's ${what} tag empty`;
        return s === t ? `same ${what}` : `other ${what}`;
    };
    const parts = [rel("namespace", sn, tn, sessionNamespaceTag), rel("cluster", sc, tc, "eks-cluster-name")];
    const present = SLOTS.map((s, i) => ({ words: s.words, v: values[i], cluster: i % 2 === 1 })).filter((x) => x.v !== undefined && x.v !== "");
    // Equal namespace and cluster values (a team named like a cluster) are a class of their own.
    const coincide: string[] = [];
    for (const a of present.filter((x) => !x.cluster)) {
        for (const b of present.filter((x) => x.cluster)) if (a.v === b.v && !constants.includes(a.v!)) coincide.push(`${a.words} = ${b.words}`);
    }
    const bound = present.filter((x) => constants.includes(x.v!)).map((x) => `${x.words} = \`${x.v}\``);
    return [...parts, ...(coincide.length ? [`(${coincide.join(", ")})`] : []), ...(bound.length ? [`(${bound.join(", ")})`] : [])].join(", ");
}

export interface ClassResult {
    key: ClassKey;
    /** The object the representative reads. */
    kind: ObjectKind;
    description: string;
    representative: PairValues;
    expected: boolean;
    /** Every decided action, as bits (`decidedActions(kind)`). */
    cell: Cell;
    /** The value is readable: some value action is allowed. */
    allowed: boolean;
    /** ESO's own read (GetSecretValue, GetParameter) is allowed. */
    required: boolean;
    /** Readable, but only through some of the value actions. */
    partial: boolean;
    /** Metadata (DescribeSecret, ListTagsForResource) is allowed. */
    metadata: boolean;
    /** Own class: ESO can read it; any other: no value action allowed. Metadata is judged apart. */
    ok: boolean;
    /**
     * Decided with the object shared with every principal by its resource
     * policy (`grantToEveryone`): listed only when that grant opens a class
     * the identity policy alone keeps closed. Not a pair of the stack's rows.
     */
    throughResourcePolicy?: boolean;
}

/** What the attacker's resource policy is, in a class's words. */
export const GRANT_WORDS = 'through a resource policy that shares the object with every principal (Principal "*"; an explicit Deny on tags that differ is missing or weakened)';

export interface IsolationProof {
    structure: StructureCheck;
    /** Empty unless the structure is applicable. */
    classes: ClassResult[];
    crossTeamAllows: ClassResult[];
    ownDenials: ClassResult[];
    /** Classes of other teams' objects whose metadata is readable: reported apart, never a read. */
    metadataExposures: ClassResult[];
    /** Applicable and every class as the design promises: isolation holds for any number of teams. */
    proven: boolean;
    decisions: number;
    seconds: number;
}

/** The spec's constant request context: everything but the varying slots. */
export function constantContext(spec: MatrixSpec): Record<string, string> {
    const context = sessionContext(spec, { cluster: "x", esoNamespace: "x" });
    for (const s of slotsOf(spec)) delete context[s.key];
    return context;
}

/**
 * Session keys other than the slots whose value changes with the session
 * (e.g. `eks-cluster-arn` carries the cluster's name; a pod's service
 * account, name and uid differ from pod to pod, whatever the spec names).
 */
export function derivedSessionKeys(spec: MatrixSpec): string[] {
    const a = sessionContext(spec, { cluster: "cluster-a", esoNamespace: "team-a", serviceAccount: "account-a" });
    const b = sessionContext(spec, { cluster: "cluster-b", esoNamespace: "team-b", serviceAccount: "account-b" });
    const slots = new Set<string>(slotsOf(spec).map((s) => s.key));
    return Object.keys(a).filter((k) => !slots.has(k) && a[k] !== b[k]);
}

/** The IAM decisions for one pair of slot values, every decided action. */
export function decidePair(
    spec: Omit<MatrixSpec, "clusters" | "namespaces" | "secrets" | "parameters">,
    values: PairValues,
    kind: ObjectKind = "secret",
    name = kind === "secret" ? "representative-secret" : "/representative/parameter",
    grant = false,
): Cell {
    const [sn, sc, tn, tc] = values;
    const tags: Record<string, string> = {};
    if (tn !== undefined) tags[NAMESPACE_TAG_KEY] = tn;
    if (tc !== undefined) tags[CLUSTER_TAG_KEY] = tc;
    return decideCell(spec, { namespace: sn, cluster: sc }, { name, tags, kind }, grant);
}

/** Names that must not appear as literals: namespaces, secret names, clusters. */
export function stackNames(spec: MatrixSpec): string[] {
    return [...spec.namespaces, ...spec.secrets.map((s) => s.name), ...(spec.parameters ?? []).map((p) => p.name), ...spec.clusters];
}

/**
 * The kinds of object the proof decides: secrets always; parameters when the
 * stack declares some or an Allow statement could grant a Parameter Store read.
 */
export function objectKinds(spec: MatrixSpec): ObjectKind[] {
    const grantsSsm = spec.permissionPolicy.Statement.some((st: PolicyStatement & { NotAction?: string | string[]; NotResource?: string | string[] }) =>
        st.Effect === "Allow" &&
        !onSecretsOnly(st) &&
        (st.NotAction !== undefined ? !decidedActions("parameter").every((action) => asList(st.NotAction).some((p) => actionMatches(p, action))) : asList(st.Action).some((a) => decidedActions("parameter").some((action) => actionMatches(a, action)))),
    );
    return (spec.parameters?.length ?? 0) > 0 || grantsSsm ? ["secret", "parameter"] : ["secret"];
}

/** Decides isolation for any number of teams, or says why it cannot. */
export function proveIsolation(spec: MatrixSpec): IsolationProof {
    const started = process.hrtime.bigint();
    const slots = slotsOf(spec);
    const structure = checkStructure(spec.permissionPolicy, constantContext(spec), stackNames(spec), derivedSessionKeys(spec), slots);
    const classes: ClassResult[] = [];
    const kinds = objectKinds(spec);
    let decisions = 0;
    if (structure.applicable) {
        classes: for (const kind of kinds) for (const values of enumerateClasses(structure.constants)) {
            const cell = decidePair(spec, values, kind);
            // The argument says names do not matter: a second representative with other names must agree.
            const other = decidePair(spec, values.map((v) => (v === undefined || v === "" || structure.constants.includes(v) ? v : `Renamed-${v.toUpperCase()}-x`)) as PairValues, kind, kind === "secret" ? "Other/Secret-x" : "/other/Parameter-x");
            decisions += decidedActions(kind).length * 2;
            if (other !== cell) {
                structure.applicable = false;
                structure.refusals.push(`class ${describeClass(values, structure.constants, kind, sessionNamespaceTagKeyOf(spec))}: renaming its values changed IAM's decision, so names matter`);
                classes.length = 0;
                break classes;
            }
            const expected = expectedAllowed(values);
            const m = cellMeaning(kind, cell, spec.sessionKind);
            // The same class with the object shared by its resource policy: only an explicit Deny keeps it closed.
            const withGrant = !expected && spec.resourcePolicyGrants !== false;
            const granted = withGrant ? decidePair(spec, values, kind, undefined, true) : cell;
            const grantedOther = !withGrant
                ? granted
                : decidePair(spec, values.map((v) => (v === undefined || v === "" || structure.constants.includes(v) ? v : `Renamed-${v.toUpperCase()}-x`)) as PairValues, kind, kind === "secret" ? "Other/Secret-x" : "/other/Parameter-x", true);
            if (withGrant) decisions += decidedActions(kind).length * 2;
            if (grantedOther !== granted) {
                structure.applicable = false;
                structure.refusals.push(`class ${describeClass(values, structure.constants, kind, sessionNamespaceTagKeyOf(spec))} ${GRANT_WORDS}: renaming its values changed IAM's decision, so names matter`);
                classes.length = 0;
                break classes;
            }
            const g = cellMeaning(kind, granted, spec.sessionKind);
            if (!expected && g.read && !m.read) {
                classes.push({
                    key: classOf(values, structure.constants),
                    kind,
                    description: `${describeClass(values, structure.constants, kind, sessionNamespaceTagKeyOf(spec))}, ${GRANT_WORDS}`,
                    representative: values,
                    expected,
                    cell: granted,
                    allowed: true,
                    required: g.required,
                    partial: !g.full,
                    metadata: g.metadata,
                    ok: false,
                    throughResourcePolicy: true,
                });
            }
            // Decided for a kind the stack has none of only because the policy could grant it: its own class cannot be "denied".
            const ownMatters = kind === "secret" || (spec.parameters?.length ?? 0) > 0;
            classes.push({
                key: classOf(values, structure.constants),
                kind,
                description: describeClass(values, structure.constants, kind, sessionNamespaceTagKeyOf(spec)),
                representative: values,
                expected,
                cell,
                allowed: m.read,
                required: m.required,
                partial: m.read && !m.full,
                metadata: m.metadata,
                ok: expected ? m.required || !ownMatters : !m.read,
            });
        }
    }
    // Readable order: the everyday classes (every tag present, no name shared between a namespace and a cluster) first.
    const unusual = (c: ClassResult) => c.representative.filter((v) => v === undefined || v === "").length * 2 + (c.description.includes("(") ? 1 : 0);
    classes.sort((a, b) => unusual(a) - unusual(b) || (a.kind === b.kind ? 0 : a.kind === "secret" ? -1 : 1));
    return {
        structure,
        classes,
        crossTeamAllows: classes.filter((c) => c.allowed && !c.expected),
        ownDenials: classes.filter((c) => !c.ok && c.expected),
        metadataExposures: classes.filter((c) => c.metadata && !c.expected && !c.throughResourcePolicy),
        proven: structure.applicable && classes.every((c) => c.ok),
        decisions,
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
    };
}

/**
 * Every session row of the stack, counted from the proven classes instead of
 * N² decisions: a session meets its own namespace's secrets (one class), the
 * secrets of namespaces named like a cluster (their own classes), and all the
 * other secrets of a cluster (one class). O(sessions x clusters²).
 */
export function rowsFromProof(spec: MatrixSpec, proof: IsolationProof): SessionRow[] {
    if (!proof.structure.applicable) throw new Error("rowsFromProof: the proof does not apply to these documents; evaluate the full matrix");
    const constants = proof.structure.constants;
    const byClass = new Map(proof.classes.filter((c) => !c.throughResourcePolicy).map((c) => [`${c.kind} ${c.key}`, c.cell]));
    const decisionOf = (kind: ObjectKind, values: PairValues): Cell => {
        const key = `${kind} ${classOf(values, constants)}`;
        let cell = byClass.get(key);
        if (cell === undefined) {
            cell = decidePair(spec, values, kind);
            byClass.set(key, cell);
        }
        return cell;
    };
    const rows = sessionsOf(spec).map((s) => emptyRow(s, kindsOf(spec)));
    for (const o of [
        { kind: "secret" as const, list: spec.secrets },
        { kind: "parameter" as const, list: spec.parameters ?? [] },
    ]) {
        if (o.list.length > 0) countKind(spec, constants, rows, o.kind, o.list, (values) => decisionOf(o.kind, values));
    }
    return rows;
}

/** Counts one kind of object into the rows. */
function countKind(spec: MatrixSpec, constants: readonly string[], rows: SessionRow[], kind: ObjectKind, objects: { namespace: string }[], decision: (values: PairValues) => Cell): void {
    const perNamespace = new Map<string, number>();
    for (const s of objects) perNamespace.set(s.namespace, (perNamespace.get(s.namespace) ?? 0) + 1);
    // Namespaces that equal a cluster name or a constant fall in classes of their own.
    const special = [...perNamespace.keys()].filter((ns) => spec.clusters.includes(ns) || constants.includes(ns));
    const specialCount = special.reduce((n, ns) => n + perNamespace.get(ns)!, 0);
    const fresh = (avoid: string[]) => {
        let v = "other-team";
        while (avoid.includes(v) || constants.includes(v)) v += "-x";
        return v;
    };
    sessionsOf(spec).forEach((session, i) => {
        const row = rows[i];
        for (const cluster of spec.clusters) {
            const ownHere = perNamespace.get(session.namespace) ?? 0;
            const sameCluster = cluster === session.cluster;
            const ownIsSpecial = special.includes(session.namespace);
            tally(row, sameCluster, kind, decision([session.namespace, session.cluster, session.namespace, cluster]), ownHere, spec.sessionKind);
            for (const ns of special) {
                if (ns !== session.namespace) tally(row, false, kind, decision([session.namespace, session.cluster, ns, cluster]), perNamespace.get(ns)!, spec.sessionKind);
            }
            const rest = objects.length - ownHere - specialCount + (ownIsSpecial ? ownHere : 0);
            const other = fresh([session.namespace, session.cluster, cluster, ...special]);
            tally(row, false, kind, decision([session.namespace, session.cluster, other, cluster]), rest, spec.sessionKind);
        }
    });
}
