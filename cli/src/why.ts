/**
 * `eks-secrets-abac why <namespace|namespace/serviceAccount> <secret|parameter> [<input>]`:
 * the decision for one pair, not a matrix. For every shared role of the
 * stack that decides it: the reading session (ESO's, tagged with the
 * ExternalSecret's namespace; or a pod's, for a role pods take themselves),
 * the object with its tags, the IAM evaluator's decision for each value
 * read, and the statements that decide it (matrixExplain.ts) with each of
 * their conditions held or failed for this request, each decided by the
 * evaluator on its own.
 */
import type { PolicyDocument, PolicyStatement } from "../../components/lib/iam";
import { CLUSTER_TAG_KEY, NAMESPACE_TAG_KEY } from "../../components/lib/constants";
import { ACTIONS_OF, MatrixSpec, ObjectKind, readRequest } from "./checker";
import { ConfigError } from "./checker";
import { decide, Decision } from "./checker";
import { explainPair } from "./checker";
import { closest } from "./checker";
import { abacRoles, matrixSpecOf, StackPlan } from "./checker";

export interface ConditionCheck {
    statement: string;
    operator: string;
    key: string;
    expected: unknown;
    /** The request's value of the key, or undefined when the request does not carry it. */
    actual?: string;
    holds: boolean;
}

export interface WhyAnswer {
    role: string;
    session: { kind: "eso" | "pod"; cluster: string; namespace: string; serviceAccount?: string };
    object: { kind: ObjectKind; name: string; namespace: string; cluster: string; arn: string };
    decisions: { action: string; decision: Decision }[];
    readable: boolean;
    allowing: string[];
    denying: string[];
    conditions: ConditionCheck[];
}

/** The object named `what`: a full name, or `<namespace>/<name>`, or a name only one team has. */
function findObject(spec: MatrixSpec, what: string): { kind: ObjectKind; name: string; namespace: string } {
    const all = [...spec.secrets.map((s) => ({ ...s, kind: "secret" as const })), ...(spec.parameters ?? []).map((p) => ({ ...p, kind: "parameter" as const }))];
    const exact = all.filter((o) => o.name === what || o.name === `/${what.replace(/^\//, "")}`);
    const found = exact.length > 0 ? exact : all.filter((o) => o.name.endsWith(`/${what.replace(/^\//, "")}`));
    if (found.length === 1) return found[0];
    if (found.length > 1) throw new ConfigError(`\`${what}\` names ${found.length} objects (${found.map((o) => o.name).join(", ")}): give the full name`);
    const near = closest(what, all.map((o) => o.name));
    throw new ConfigError(`no secret or parameter \`${what}\` in the stack${near ? `; did you mean \`${near}\`?` : ""} (${all.length} objects; give a full name or <namespace>/<name>)`);
}

/** `${aws:PrincipalTag/x}` in a condition value, resolved from the request's context. */
const resolve = (value: unknown, context: Record<string, string | string[]>): unknown =>
    typeof value === "string" ? value.replace(/\$\{([^}]+)\}/g, (_m, key: string) => String(context[key] ?? `\${${key}}`)) : Array.isArray(value) ? value.map((v) => resolve(v, context)) : value;

/** Each condition of the statements that apply to the action and resource, held or not, as the evaluator decides it alone. */
function conditionChecks(statements: { st: PolicyStatement; label: string }[], request: ReturnType<typeof readRequest>): ConditionCheck[] {
    const checks: ConditionCheck[] = [];
    for (const { st, label } of statements) {
        for (const [operator, entries] of Object.entries(st.Condition ?? {})) {
            for (const [key, expected] of Object.entries(entries as Record<string, unknown>)) {
                const alone: PolicyDocument = { Version: "2012-10-17", Statement: [{ ...st, Effect: "Allow", Condition: { [operator]: { [key]: expected } } } as PolicyStatement] };
                const holds = decide({ ...request, identityPolicies: [alone] }) === "Allowed";
                checks.push({ statement: label, operator, key, expected: resolve(expected, request.context), actual: request.context[key] === undefined ? undefined : String(request.context[key]), holds });
            }
        }
    }
    return checks;
}

/** The decision of `who` reading `what` in the plan, through each shared role. */
export function why(plan: StackPlan, who: string, what: string, options: { cluster?: string; otherClusters?: string[] } = {}): WhyAnswer[] {
    const roles = abacRoles(plan).filter((r) => r.permissionPolicy !== undefined);
    if (roles.length === 0) throw new ConfigError("the stack has no shared ABAC role whose permission policy is known: nothing decides a read");
    const [namespace, serviceAccount] = who.split("/");
    const answers: WhyAnswer[] = [];
    for (const role of roles) {
        const spec = matrixSpecOf(plan, { name: role.name, arn: role.arn, permissionPolicy: role.permissionPolicy! }, options.otherClusters ?? []);
        const object = findObject(spec, what);
        // The session's cluster (--cluster); the object is the stack's own (its first cluster's copy).
        const cluster = options.cluster ?? spec.clusters[0];
        const objectCluster = spec.clusters[0];
        const kind = spec.sessionKind === "pod" ? "pod" : "eso";
        const sa = kind === "pod" ? (serviceAccount ?? spec.serviceAccounts?.[namespace]?.[0]) : undefined;
        if (kind === "pod" && sa === undefined) continue; // no pod of that namespace takes this role
        const tags = { [NAMESPACE_TAG_KEY]: object.namespace, [CLUSTER_TAG_KEY]: objectCluster };
        const session = { cluster, esoNamespace: namespace, serviceAccount: sa };
        const decisions = ACTIONS_OF[object.kind].value.map((action) => ({ action, decision: decide(readRequest(spec, session, { name: object.name, kind: object.kind, tags }, action)) }));
        const { allowing, denying } = explainPair(spec, { session: { cluster, namespace }, object: { name: object.name, kind: object.kind, tags } });
        const request = readRequest(spec, session, { name: object.name, kind: object.kind, tags }, ACTIONS_OF[object.kind].value[0]);
        const statements = spec.permissionPolicy.Statement.map((st, i) => ({ st, label: `Statement[${i}]${st.Sid ? ` (${st.Sid})` : ""}` }));
        // The statements that decide it: those that grant or refuse it and, when nothing grants it, every Allow
        // (each fails a condition or does not apply), so a refused pair also shows which Allow condition it misses.
        const deciding = statements.filter((s) => allowing.includes(s.label) || denying.includes(s.label));
        const shown = allowing.length > 0 ? deciding : [...deciding, ...statements.filter((s) => s.st.Effect === "Allow" && !deciding.includes(s))];
        answers.push({
            role: role.name,
            session: { kind, cluster, namespace, ...(sa !== undefined ? { serviceAccount: sa } : {}) },
            object: { ...object, cluster: objectCluster, arn: request.resource },
            decisions,
            readable: decisions.some((d) => d.decision === "Allowed"),
            allowing,
            denying,
            conditions: conditionChecks(shown, request),
        });
    }
    if (answers.length === 0) throw new ConfigError(`no shared role has a session for ${who}`);
    return answers;
}

export function renderWhy(answers: WhyAnswer[]): string {
    const out: string[] = [];
    for (const a of answers) {
        const s = a.session;
        const who = s.kind === "eso" ? `ESO's session for namespace ${s.namespace}` : `a pod of ${s.namespace} (service account ${s.serviceAccount})`;
        out.push(`${who} on cluster ${s.cluster}, through ${a.role}, reading ${a.object.kind} ${a.object.name} (of ${a.object.namespace}, cluster ${a.object.cluster}):`);
        out.push(`  ${a.readable ? "READ" : "NOT READ"}: ${a.decisions.map((d) => `${d.action} ${d.decision}`).join(", ")}`);
        if (a.denying.length > 0) out.push(`  refused by ${a.denying.join(", ")}`);
        if (a.allowing.length > 0) out.push(`  granted by ${a.allowing.join(", ")}`);
        if (a.allowing.length === 0 && a.denying.length === 0) out.push(a.readable ? "  granted by the statements together" : "  no statement grants it");
        for (const c of a.conditions) {
            out.push(`    ${c.statement} ${c.operator} ${c.key}: expects ${JSON.stringify(c.expected)}, the request has ${c.actual === undefined ? "no such key" : JSON.stringify(c.actual)}: ${c.holds ? "holds" : "fails"}`);
        }
    }
    return out.join("\n");
}
