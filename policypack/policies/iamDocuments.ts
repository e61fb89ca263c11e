/**
 * Reading IAM policy documents the way IAM does: as a JSON string or an
 * object, Action or NotAction as a string or a list with wildcards, every
 * Principal shape, conditions with set operators and IfExists.
 */

export interface Statement {
    effect: "Allow" | "Deny";
    actions: string[];
    /** True when the statement lists NotAction: it covers every action not listed. */
    notAction: boolean;
    /** Normalised principals: `*`, `AWS:<arn>`, `Service:<name>`, `Federated:<id>`. */
    principals: string[];
    /** True when the statement lists NotPrincipal. */
    notPrincipal: boolean;
    conditions: ConditionEntry[];
    raw: Record<string, unknown>;
}

export interface ConditionEntry {
    /** As written, e.g. `ForAnyValue:StringLike` or `StringEqualsIfExists`. */
    operator: string;
    /** The operator without set prefix and IfExists: `StringLike`. */
    baseOperator: string;
    key: string;
    values: string[];
}

/** Parses a document; undefined when it is not a readable policy (unknown during preview, or malformed). */
export function parseDocument(doc: unknown): Statement[] | undefined {
    let value = doc;
    if (typeof value === "string") {
        try {
            value = JSON.parse(value);
        } catch {
            return undefined;
        }
    }
    if (value === null || typeof value !== "object") return undefined;
    const raw = (value as { Statement?: unknown }).Statement;
    if (raw === undefined) return undefined;
    const list = Array.isArray(raw) ? raw : [raw];
    return list.filter((s): s is Record<string, unknown> => s !== null && typeof s === "object").map(normaliseStatement);
}

function asList(v: unknown): string[] {
    if (v === undefined || v === null) return [];
    return (Array.isArray(v) ? v : [v]).map(String);
}

function normalisePrincipal(p: unknown): string[] {
    if (p === undefined) return [];
    if (p === "*") return ["*"];
    if (typeof p !== "object" || p === null) return [String(p)];
    return Object.entries(p as Record<string, unknown>).flatMap(([kind, ids]) =>
        asList(ids).map((id) => (kind === "AWS" && id === "*" ? "*" : `${kind}:${id}`)),
    );
}

function normaliseStatement(s: Record<string, unknown>): Statement {
    const conditions: ConditionEntry[] = [];
    const cond = s.Condition;
    if (cond !== null && typeof cond === "object") {
        for (const [operator, block] of Object.entries(cond as Record<string, unknown>)) {
            if (block === null || typeof block !== "object") continue;
            const baseOperator = operator.replace(/^For(All|Any)Value:/, "").replace(/IfExists$/, "");
            for (const [key, values] of Object.entries(block as Record<string, unknown>)) {
                conditions.push({ operator, baseOperator, key, values: asList(values) });
            }
        }
    }
    const notAction = s.NotAction !== undefined;
    const notPrincipal = s.NotPrincipal !== undefined;
    return {
        effect: s.Effect === "Deny" ? "Deny" : "Allow",
        actions: asList(notAction ? s.NotAction : s.Action),
        notAction,
        principals: normalisePrincipal(notPrincipal ? s.NotPrincipal : s.Principal),
        notPrincipal,
        conditions,
        raw: s,
    };
}

/** IAM's wildcard match: `*` any run, `?` one character, case-insensitive. */
export function wildcardMatch(pattern: string, value: string): boolean {
    const re = new RegExp(
        "^" +
            pattern
                .split("")
                .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\/]/g, "\\$&")))
                .join("") +
            "$",
        "i",
    );
    return re.test(value);
}

/** Whether the statement covers `action` (NotAction inverted). */
export function coversAction(statement: Statement, action: string): boolean {
    const listed = statement.actions.some((pattern) => wildcardMatch(pattern, action));
    return statement.notAction ? !listed : listed;
}

/** Whether the statement applies to `principal` (a normalised principal). */
export function coversPrincipal(statement: Statement, principal: string): boolean {
    const listed = statement.principals.includes("*") || statement.principals.includes(principal);
    return statement.notPrincipal ? !listed : listed;
}

const RESOURCE_TAG_KEY = /^(secretsmanager|aws):ResourceTag\//i;

/** Conditions that compare a resource tag with anything. */
export function resourceTagConditions(statement: Statement): ConditionEntry[] {
    return statement.conditions.filter((c) => RESOURCE_TAG_KEY.test(c.key));
}

/** Whether any value of the entry uses a `${aws:PrincipalTag/...}` variable. */
export function usesPrincipalTag(entry: ConditionEntry): boolean {
    return entry.values.some((v) => /\$\{aws:PrincipalTag\//i.test(v));
}

/** Whether the document compares some resource tag with a principal tag: it is meant for ABAC. */
export function isAbacDocument(statements: Statement[]): boolean {
    return statements.some((s) => resourceTagConditions(s).some(usesPrincipalTag));
}
