/**
 * Mutants of a permission policy, generated mechanically from its
 * structure: what a reviewer's slip or an attacker's edit could make of the
 * shared role's document. Nothing here knows what the checker decides; the
 * truth of each mutant comes from the IAM engine on attacker pairs
 * (tests/isolationMutants.test.ts).
 */
import type { PolicyDocument, PolicyStatement } from "../components/lib/iam";

export interface Mutant {
    /** What changed, in words: names the statement, operator and key. */
    name: string;
    doc: PolicyDocument;
    /** The family of change, for the count per family. */
    family: "drop" | "operator" | "variable" | "key" | "extra-allow" | "deny-fence" | "deny-weakened";
}

type Condition = Record<string, Record<string, string | string[]>>;
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));
const label = (st: PolicyStatement, i: number) => `Statement[${i}]${st.Sid ? ` (${st.Sid})` : ""}`;

/** The forms an operator is replaced by: IfExists, Like, IgnoreCase, Not, and both set qualifiers. */
export function operatorForms(operator: string): string[] {
    const forms = new Set<string>([`${operator}IfExists`, `ForAnyValue:${operator}`, `ForAllValues:${operator}`]);
    const m = /^String(Not)?(Equals|Like)(IgnoreCase)?$/.exec(operator);
    if (m) {
        const [, not, kind] = m;
        forms.add(`String${not ?? ""}${kind === "Equals" ? "Like" : "Equals"}`);
        if (kind === "Equals") forms.add(`String${not ?? ""}EqualsIgnoreCase`);
        forms.add(`String${not ? "" : "Not"}${kind}`);
    }
    forms.delete(operator);
    return [...forms];
}

/** Principal tags a variable may be replaced by: ESO's, Pod Identity's, and one no session carries. */
export const OTHER_PRINCIPAL_TAGS = ["esoNamespace", "eks-cluster-name", "kubernetes-namespace", "kubernetes-service-account", "esoStoreName", "team"];

/** Moves one key of one operator block to another operator. */
function withKeyMoved(condition: Condition, operator: string, key: string, to: string): Condition {
    const c = clone(condition);
    const value = c[operator][key];
    delete c[operator][key];
    if (Object.keys(c[operator]).length === 0) delete c[operator];
    c[to] = { ...(c[to] ?? {}), [key]: value };
    return c;
}

/** Mutants of the conditions of every statement: each dropped, each operator replaced, each variable and key renamed. */
export function conditionMutants(doc: PolicyDocument): Mutant[] {
    const out: Mutant[] = [];
    doc.Statement.forEach((st, i) => {
        const condition = st.Condition as Condition | undefined;
        if (!condition) return;
        const at = label(st, i);
        const replaced = (c: Condition | undefined): PolicyDocument => {
            const d = clone(doc);
            if (c === undefined || Object.keys(c).length === 0) delete d.Statement[i].Condition;
            else d.Statement[i].Condition = c as never;
            return d;
        };
        out.push({ name: `${at}: every condition dropped`, doc: replaced(undefined), family: "drop" });
        for (const [operator, block] of Object.entries(condition)) {
            for (const [key, value] of Object.entries(block)) {
                const c = clone(condition);
                delete c[operator][key];
                if (Object.keys(c[operator]).length === 0) delete c[operator];
                out.push({ name: `${at}: ${operator}["${key}"] dropped`, doc: replaced(c), family: "drop" });
                for (const form of operatorForms(operator)) {
                    out.push({ name: `${at}: ${operator}["${key}"] as ${form}`, doc: replaced(withKeyMoved(condition, operator, key, form)), family: "operator" });
                }
                for (const v of [value].flat()) {
                    const variable = /^\$\{aws:PrincipalTag\/([^}]+)\}$/.exec(v)?.[1];
                    if (variable === undefined) continue;
                    for (const other of OTHER_PRINCIPAL_TAGS.filter((t) => t !== variable)) {
                        const c2 = clone(condition);
                        c2[operator][key] = `\${aws:PrincipalTag/${other}}`;
                        out.push({ name: `${at}: ${operator}["${key}"] compares with \${aws:PrincipalTag/${other}} instead of ${variable}`, doc: replaced(c2), family: "variable" });
                    }
                }
                const keyTag = /^aws:PrincipalTag\/(.+)$/.exec(key)?.[1];
                for (const other of keyTag ? OTHER_PRINCIPAL_TAGS.filter((t) => t !== keyTag) : []) {
                    const c2 = clone(condition);
                    delete c2[operator][key];
                    c2[operator][`aws:PrincipalTag/${other}`] = value;
                    out.push({ name: `${at}: ${operator} tests aws:PrincipalTag/${other} instead of ${keyTag}`, doc: replaced(c2), family: "key" });
                }
                const resourceTag = /^secretsmanager:ResourceTag\/(.+)$/.exec(key)?.[1];
                if (resourceTag) {
                    for (const otherKey of [`aws:ResourceTag/${resourceTag}`, "secretsmanager:ResourceTag/team"]) {
                        const c2 = clone(condition);
                        delete c2[operator][key];
                        c2[operator][otherKey] = value;
                        out.push({ name: `${at}: ${operator} tests ${otherKey} instead of ${key}`, doc: replaced(c2), family: "key" });
                    }
                }
            }
        }
    });
    return out;
}

export interface AccountArns {
    partition: string;
    region: string;
    accountId: string;
    /** A namespace of the stack, for a statement that names it. */
    teamPrefix: string;
}

/** Extra Allow statements with wildcards in Action, NotAction, Resource and NotResource. */
export function extraAllowMutants(doc: PolicyDocument, a: AccountArns): Mutant[] {
    const secrets = `arn:${a.partition}:secretsmanager:${a.region}:${a.accountId}:secret:*`;
    const team = `arn:${a.partition}:secretsmanager:${a.region}:${a.accountId}:secret:${a.teamPrefix}/*`;
    const key = `arn:${a.partition}:kms:${a.region}:${a.accountId}:key/*`;
    const extras: Record<string, unknown>[] = [];
    for (const action of ["secretsmanager:GetSecretValue", "secretsmanager:Get*", "secretsmanager:*", "*", "secretsmanager:DescribeSecret"]) {
        for (const resource of ["*", secrets, team]) extras.push({ Effect: "Allow", Action: action, Resource: resource });
    }
    extras.push(
        { Effect: "Allow", NotAction: "secretsmanager:DescribeSecret", Resource: "*" },
        { Effect: "Allow", NotAction: "secretsmanager:GetSecretValue", Resource: "*" },
        { Effect: "Allow", NotAction: ["kms:*", "sts:*"], Resource: secrets },
        { Effect: "Allow", Action: "secretsmanager:GetSecretValue", NotResource: key },
        { Effect: "Allow", Action: "secretsmanager:GetSecretValue", NotResource: team },
        { Effect: "Allow", Action: "secretsmanager:GetSecretValue", NotResource: secrets },
        { Effect: "Allow", NotAction: "iam:*", NotResource: key },
    );
    return extras.map((st) => ({
        name: `extra ${JSON.stringify(st)}`,
        doc: { ...clone(doc), Statement: [...clone(doc.Statement), { Sid: "Extra", ...st } as never] },
        family: "extra-allow" as const,
    }));
}

/**
 * Deny fences beside an Allow of GetSecretValue on `*`: with and without
 * Null guards for missing tags, with IfExists and set qualifiers, and a Deny
 * that shields nothing.
 */
export function denyFenceMutants(doc: PolicyDocument, tags: { sessionNamespace: string; namespace: string; cluster: string }): Mutant[] {
    const open = { Sid: "OpenRead", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*" };
    const ns = { [`secretsmanager:ResourceTag/${tags.namespace}`]: `\${aws:PrincipalTag/${tags.sessionNamespace}}` };
    const cl = { [`secretsmanager:ResourceTag/${tags.cluster}`]: `\${aws:PrincipalTag/${tags.cluster}}` };
    const deny = (sid: string, condition: Condition) => ({ Sid: sid, Effect: "Deny", Action: "secretsmanager:GetSecretValue", Resource: "*", Condition: condition });
    const fences = (operator: string) => [deny("FenceNamespace", { [operator]: ns }), deny("FenceCluster", { [operator]: cl })];
    const nullGuards = [
        deny("GuardSessionNamespace", { Null: { [`aws:PrincipalTag/${tags.sessionNamespace}`]: "true" } }),
        deny("GuardSessionCluster", { Null: { [`aws:PrincipalTag/${tags.cluster}`]: "true" } }),
    ];
    const emptyGuard = deny("GuardEmptyNamespace", { StringEquals: { [`aws:PrincipalTag/${tags.sessionNamespace}`]: "" } });
    const cases: [string, Record<string, unknown>[]][] = [
        ["a Deny that shields nothing (DeleteSecret)", [{ Sid: "ShieldsNothing", Effect: "Deny", Action: "secretsmanager:DeleteSecret", Resource: "*" }]],
        ["StringNotEquals fences without guards", fences("StringNotEquals")],
        ["StringNotEquals fences with Null guards", [...fences("StringNotEquals"), ...nullGuards]],
        ["StringNotEquals fences with Null guards and an empty-namespace guard", [...fences("StringNotEquals"), ...nullGuards, emptyGuard]],
        ["StringNotEqualsIfExists fences with Null guards and an empty-namespace guard", [...fences("StringNotEqualsIfExists"), ...nullGuards, emptyGuard]],
        ["ForAnyValue:StringNotEquals fences with every guard", [...fences("ForAnyValue:StringNotEquals"), ...nullGuards, emptyGuard]],
        ["ForAllValues:StringNotEquals fences with every guard", [...fences("ForAllValues:StringNotEquals"), ...nullGuards, emptyGuard]],
        ["a namespace fence only, with every guard", [fences("StringNotEquals")[0], ...nullGuards, emptyGuard]],
        ["fences on a principal tag no session carries", [deny("FenceTeam", { StringNotEquals: { [`secretsmanager:ResourceTag/${tags.namespace}`]: "${aws:PrincipalTag/team}" } }), fences("StringNotEquals")[1]]],
    ];
    return cases.map(([name, statements]) => ({
        name: `open read with ${name}`,
        doc: { ...clone(doc), Statement: [...clone(doc.Statement), open as never, ...(statements as never[])] },
        family: "deny-fence" as const,
    }));
}

/**
 * The shipped Deny statements (components/lib/tagDeny.ts) dropped or weakened
 * one at a time: the statement removed, its condition in IfExists and set
 * forms, its variable replaced by another principal tag, its action narrowed
 * to a metadata read, and the two fences of a kind merged into one statement
 * (keys in one operator are ANDed). Judged with a resource-policy grant in
 * the truth's probes: without one, an Allow-only document is isolated too.
 */
export function denyWeakenedMutants(doc: PolicyDocument): Mutant[] {
    const out: Mutant[] = [];
    const with_ = (i: number, st: PolicyStatement | undefined): PolicyDocument => {
        const d = clone(doc);
        if (st === undefined) d.Statement.splice(i, 1);
        else d.Statement[i] = st;
        return d;
    };
    doc.Statement.forEach((st, i) => {
        if (st.Effect !== "Deny" || st.Condition === undefined) return;
        const at = label(st, i);
        out.push({ name: `${at}: dropped`, doc: with_(i, undefined), family: "deny-weakened" });
        const [operator, block] = Object.entries(st.Condition)[0];
        for (const form of [`${operator}IfExists`, `ForAllValues:${operator}`]) {
            out.push({ name: `${at}: ${operator} as ${form}`, doc: with_(i, { ...clone(st), Condition: { [form]: clone(block) } }), family: "deny-weakened" });
        }
        const [key, value] = Object.entries(block)[0];
        const variable = /^\$\{aws:PrincipalTag\/([^}]+)\}$/.exec(String(value))?.[1];
        if (variable !== undefined) {
            const other = variable === "eks-cluster-name" ? "kubernetes-service-account" : "esoStoreName";
            out.push({ name: `${at}: compares ${key} with \${aws:PrincipalTag/${other}}`, doc: with_(i, { ...clone(st), Condition: { [operator]: { [key]: `\${aws:PrincipalTag/${other}}` } } }), family: "deny-weakened" });
        }
        const metadataOnly = [st.Action].flat().some((a) => a.startsWith("ssm:")) && ![st.Action].flat().some((a) => a.startsWith("secretsmanager:")) ? "ssm:GetParameter" : "secretsmanager:DescribeSecret";
        out.push({ name: `${at}: Action narrowed to ${metadataOnly}`, doc: with_(i, { ...clone(st), Action: metadataOnly }), family: "deny-weakened" });
    });
    // The namespace and cluster fences of one kind merged: one StringNotEquals with both keys denies only when both differ.
    for (const kind of ["secretsmanager", "ssm"]) {
        const fences = doc.Statement.map((st, i) => ({ st, i })).filter(({ st }) => st.Effect === "Deny" && st.Condition?.StringNotEquals && [st.Action].flat().every((a) => a.startsWith(`${kind}:`)));
        if (fences.length !== 2) continue;
        const d = clone(doc);
        d.Statement[fences[0].i] = { ...clone(fences[0].st), Condition: { StringNotEquals: { ...fences[0].st.Condition!.StringNotEquals, ...fences[1].st.Condition!.StringNotEquals } } };
        d.Statement.splice(fences[1].i, 1);
        out.push({ name: `the ${kind} fences merged into one StringNotEquals`, doc: d, family: "deny-weakened" });
    }
    return out;
}
