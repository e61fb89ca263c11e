/**
 * Reading IAM policy documents the way IAM does: as a JSON string or an
 * object, Action or NotAction as a string or a list with wildcards, every
 * Principal shape, conditions with set operators and IfExists. Unknown
 * values (a first preview) and malformed documents are told apart from a
 * readable document, so that a policy can decide what each means.
 */
import { NAMESPACE_TAG_KEY } from "../lib/constants";
import { containsUnknown, isRecord, isUnknown } from "../lib/values";
import { wildcardMatch } from "../lib/wildcard";

export { wildcardMatch };

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
    /** Resource (or, with `notResource`, NotResource) patterns as written. */
    resources: string[];
    /** True when the statement lists NotResource. */
    notResource: boolean;
    /** True when a Resource or NotResource is unknown (a first preview). */
    resourcesUnknown: boolean;
    /** True when some part of the statement is unknown (a first preview). */
    unknown: boolean;
    /** The statement's position, for messages. */
    label: string;
}

export interface ConditionEntry {
    /** As written, e.g. `ForAnyValue:StringLike` or `StringEqualsIfExists`. */
    operator: string;
    /** The operator without set prefix and IfExists: `StringLike`. */
    baseOperator: string;
    ifExists: boolean;
    key: string;
    values: string[];
    unknown: boolean;
}

export type ParsedDocument =
    | { kind: "absent" }
    | { kind: "unknown" }
    | { kind: "invalid"; reason: string }
    | { kind: "ok"; statements: Statement[] };

/**
 * Parses a document. `absent` when there is none (undefined, null, "" or
 * "{}", which the AWS provider uses to delete a policy); `invalid` with the
 * reason when IAM would refuse it or the pack cannot read it.
 */
export function readDocument(doc: unknown): ParsedDocument {
    if (typeof doc !== "string") return parse(doc);
    // Several policies read the same document of the same resource in turn: parse each string once.
    let parsed = recent.get(doc);
    if (parsed === undefined) {
        if (recent.size >= 256) recent.clear();
        parsed = parse(doc);
        recent.set(doc, parsed);
    }
    return parsed;
}

const recent = new Map<string, ParsedDocument>();

function parse(doc: unknown): ParsedDocument {
    if (doc === undefined || doc === null || doc === "") return { kind: "absent" };
    if (isUnknown(doc)) return { kind: "unknown" };
    let value = doc;
    if (typeof value === "string") {
        try {
            value = JSON.parse(value);
        } catch (e) {
            return { kind: "invalid", reason: `is not valid JSON (${(e as Error).message})` };
        }
    }
    if (!isRecord(value)) return { kind: "invalid", reason: "is not a JSON object" };
    const raw = value.Statement;
    if (raw === undefined) return Object.keys(value).length === 0 ? { kind: "absent" } : { kind: "invalid", reason: "has no Statement" };
    if (isUnknown(raw)) return { kind: "unknown" };
    const list = Array.isArray(raw) ? raw : [raw];
    const statements: Statement[] = [];
    for (const [i, s] of list.entries()) {
        if (isUnknown(s)) return { kind: "unknown" };
        if (!isRecord(s)) return { kind: "invalid", reason: `Statement[${i}] is not an object` };
        if (s.Effect !== "Allow" && s.Effect !== "Deny" && !isUnknown(s.Effect)) {
            return { kind: "invalid", reason: `Statement[${i}] has Effect other than Allow or Deny` };
        }
        statements.push(normaliseStatement(s, i));
    }
    return { kind: "ok", statements };
}

/** The statements of a readable document; undefined when it is absent, unknown or invalid. */
export function parseDocument(doc: unknown): Statement[] | undefined {
    const parsed = readDocument(doc);
    return parsed.kind === "ok" ? parsed.statements : undefined;
}

function asList(v: unknown): string[] {
    if (v === undefined || v === null) return [];
    return (Array.isArray(v) ? v : [v]).map(String);
}

function normalisePrincipal(p: unknown): string[] {
    if (p === undefined) return [];
    if (p === "*") return ["*"];
    if (!isRecord(p)) return [String(p)];
    return Object.entries(p).flatMap(([kind, ids]) => asList(ids).map((id) => (kind === "AWS" && id === "*" ? "*" : `${kind}:${id}`)));
}

function normaliseStatement(s: Record<string, unknown>, index: number): Statement {
    const conditions: ConditionEntry[] = [];
    if (isRecord(s.Condition)) {
        for (const [operator, block] of Object.entries(s.Condition)) {
            if (!isRecord(block)) continue;
            const ifExists = /IfExists$/i.test(operator);
            const baseOperator = operator.replace(/^For(AllValues|AnyValue):/i, "").replace(/IfExists$/i, "");
            for (const [key, values] of Object.entries(block)) {
                conditions.push({ operator, baseOperator, ifExists, key, values: asList(values), unknown: containsUnknown(values) });
            }
        }
    }
    const notAction = s.NotAction !== undefined;
    const notPrincipal = s.NotPrincipal !== undefined;
    const notResource = s.NotResource !== undefined;
    return {
        resources: asList(notResource ? s.NotResource : s.Resource),
        notResource,
        resourcesUnknown: containsUnknown([s.Resource, s.NotResource]),
        effect: s.Effect === "Deny" ? "Deny" : "Allow",
        actions: asList(notAction ? s.NotAction : s.Action),
        notAction,
        principals: normalisePrincipal(notPrincipal ? s.NotPrincipal : s.Principal),
        notPrincipal,
        conditions,
        // Only what decides applicability counts; an unknown Resource ARN (every ARN in a first preview) does not.
        unknown: containsUnknown([s.Effect, s.Action, s.NotAction, s.Principal, s.NotPrincipal, s.Condition]),
        // Positions, not Sids: a document may be a secret, and the SDK strips the wrapper before the pack sees it.
        label: `Statement[${index}]`,
    };
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

/** The tag key a resource-tag condition tests, e.g. `kubernetes-namespace`. */
export function resourceTagKey(entry: ConditionEntry): string {
    return entry.key.replace(RESOURCE_TAG_KEY, "");
}

/** Whether any value of the entry uses a `${aws:PrincipalTag/...}` variable. */
export function usesPrincipalTag(entry: ConditionEntry): boolean {
    return entry.values.some((v) => /\$\{aws:PrincipalTag\//i.test(v));
}

/** Whether the document compares some resource tag with a principal tag: it is meant for ABAC. */
export function isAbacDocument(statements: Statement[]): boolean {
    return statements.some((s) => resourceTagConditions(s).some(usesPrincipalTag));
}

/**
 * Whether the statement limits reads to the caller's namespace: an exact
 * `StringEquals` (no IfExists, no set operator) of the namespace resource tag
 * with a principal tag, and nothing else in that key's values.
 */
export function hasNamespaceCondition(statement: Statement): boolean {
    return resourceTagConditions(statement).some(
        (c) =>
            c.operator === "StringEquals" &&
            resourceTagKey(c).toLowerCase() === NAMESPACE_TAG_KEY &&
            c.values.length > 0 &&
            c.values.every((v) => /^\$\{aws:PrincipalTag\/[^}]+\}$/i.test(v)),
    );
}

/** Statements as one-line labels for messages: positions, never values. */
export function labels(statements: Statement[]): string {
    return statements.map((s) => s.label).join(", ");
}
