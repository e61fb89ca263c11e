/**
 * IAM documents outside the shared ABAC role that read every team's secret
 * values: the CI role with `secretsmanager:GetSecretValue` on `*` that the
 * access matrix of the shared role never sees. The whole-stack answer ("who
 * can read which team's secret", with the IAM engine) is the principal check
 * of `npm run plan` (docs/PRINCIPALS.md); this policy is its preview-time
 * warning, read from each document alone.
 */
import { awsManagedValueReader, NAMESPACE_TAG_KEY, PARAMETER_VALUE_READS, SECRET_VALUE_READS } from "../lib/constants";
import { containsUnknown, isRecord, isUnknown } from "../lib/values";
import { wildcardMatch } from "../lib/wildcard";
import { resourcePolicy, Subject } from "./define";
import { Located, permissionDocuments } from "./documents";
import { coversAction, isAbacDocument, resourceTagConditions, resourceTagKey, Statement } from "./iamDocuments";
import { TYPES } from "./types";

const ATTACHMENT_TYPES = [
    TYPES.rolePolicyAttachment,
    TYPES.policyAttachment,
    "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
] as string[];
const USER_GROUP_POLICY_TYPES = ["aws:iam/userPolicy:UserPolicy", "aws:iam/groupPolicy:GroupPolicy"];

/** Where a document of the resource lives; UserPolicy and GroupPolicy keep it in `policy` as RolePolicy does. */
function documentsOf(subject: Subject): Located[] {
    if (USER_GROUP_POLICY_TYPES.includes(subject.type)) return permissionDocuments(TYPES.rolePolicy, subject.props);
    return permissionDocuments(subject.type, subject.props);
}

/** The raw statements of a document (the parsed ones keep no Resource). */
function rawStatements(doc: unknown): Record<string, unknown>[] {
    let value = doc;
    if (typeof value === "string") {
        try {
            value = JSON.parse(value);
        } catch {
            return [];
        }
    }
    const raw = isRecord(value) ? value.Statement : undefined;
    return (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter(isRecord);
}

/** An ARN of a secret and of a parameter with names nobody would pick: a pattern that matches them matches every name. */
const PROBES = {
    secret: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:zz-probe/any-name-Zz9Zz9",
    parameter: "arn:aws:ssm:eu-west-1:111122223333:parameter/zz-probe/any-name",
};
const NAME_PART = { secret: /^arn:[^:]*:secretsmanager:[^:]*:[^:]*:secret:(.+)$/i, parameter: /^arn:[^:]*:ssm:[^:]*:[^:]*:parameter\/?(.+)$/i };

/** How a Resource list reaches values of many teams, or undefined when it names values exactly. */
function broadResource(resources: string[], kind: "secret" | "parameter"): string | undefined {
    for (const r of resources) {
        if (wildcardMatch(r, PROBES[kind])) return r === "*" ? "on every resource (`*`)" : `on every ${kind} (\`${r}\`)`;
        const name = NAME_PART[kind].exec(r)?.[1];
        // `name-??????` is how AWS recommends naming one secret (its ARN ends in six random characters).
        const exactSecret = kind === "secret" && name !== undefined && /^[^*?]+-\?{6}$/.test(name);
        if (name !== undefined && /[*?]/.test(name) && !exactSecret) return `on a name prefix (\`${r}\`), such as a team's`;
    }
    return undefined;
}

/** A statement scoped by an exact resource-tag condition on a key other than the namespace (a tag of its own, e.g. `owner=ci`). */
function scopedByOwnTag(s: Statement): boolean {
    return resourceTagConditions(s).some((c) => c.operator === "StringEquals" && resourceTagKey(c).toLowerCase() !== NAMESPACE_TAG_KEY && !c.unknown);
}

/** Why an Allow statement reads many teams' values, or undefined. */
export function broadRead(s: Statement, raw: Record<string, unknown>): { why: string; actions: string[] } | "unknown" | undefined {
    if (s.effect !== "Allow") return undefined;
    if (s.unknown) return "unknown";
    const kinds = (["secret", "parameter"] as const).map((kind) => ({ kind, actions: (kind === "secret" ? SECRET_VALUE_READS : PARAMETER_VALUE_READS).filter((a) => coversAction(s, a)) })).filter((k) => k.actions.length > 0);
    if (kinds.length === 0 || scopedByOwnTag(s)) return undefined;
    const how = s.notAction ? " through NotAction" : "";
    const actions = kinds.flatMap((k) => k.actions);
    if (raw.NotResource !== undefined) return containsUnknown(raw.NotResource) ? "unknown" : { why: `through NotResource${how}`, actions };
    if (containsUnknown(raw.Resource)) return "unknown";
    const resources = (Array.isArray(raw.Resource) ? raw.Resource : [raw.Resource]).filter((r): r is string => typeof r === "string");
    for (const k of kinds) {
        const broad = broadResource(resources, k.kind);
        if (broad) return { why: `${broad}${how}`, actions };
    }
    return undefined;
}

/** The document at `where` as the resource holds it: `policy`, `policyDocument`, `inlinePolicies[i].policy`, `policies[i].policyDocument`. */
function rawDocument(subject: Subject, where: string): unknown {
    const item = /^(inlinePolicies|policies)\[(\d+)\]$/.exec(where);
    if (!item) return subject.props[where];
    const entry = subject.props[item[1]]?.[Number(item[2])];
    return item[1] === "inlinePolicies" ? entry?.policy : entry?.policyDocument;
}

function checkDocuments(subject: Subject): string[] {
    const found: string[] = [];
    for (const { where, doc } of documentsOf(subject)) {
        if (doc.kind === "unknown") subject.undecided.add(where);
        // The shared role's ABAC document is judged by the iam-abac-* policies.
        if (doc.kind !== "ok" || isAbacDocument(doc.statements)) continue;
        const raw = rawStatements(rawDocument(subject, where));
        doc.statements.forEach((s, i) => {
            const broad = broadRead(s, raw[i] ?? {});
            if (broad === "unknown") subject.undecided.add(`${where} ${s.label}`);
            else if (broad) found.push(`${where} ${s.label} allows ${broad.actions.join(", ")} ${broad.why}`);
        });
    }
    return found;
}

function managedReaders(subject: Subject): string[] {
    const arns: [string, unknown][] = ATTACHMENT_TYPES.includes(subject.type)
        ? [["policyArn", subject.props.policyArn]]
        : Array.isArray(subject.props.managedPolicyArns)
          ? subject.props.managedPolicyArns.map((a: unknown, i: number): [string, unknown] => [`managedPolicyArns[${i}]`, a])
          : isUnknown(subject.props.managedPolicyArns)
            ? [["managedPolicyArns", subject.props.managedPolicyArns]]
            : [];
    const found: string[] = [];
    for (const [where, arn] of arns) {
        if (isUnknown(arn)) {
            subject.undecided.add(where);
            continue;
        }
        const name = awsManagedValueReader(arn);
        if (name !== undefined) found.push(`${where} attaches the AWS managed ${name}, which reads every secret or parameter`);
    }
    return found;
}

export const iamPolicyDisallowBroadSecretRead = resourcePolicy({
    name: "iam-policy-disallow-broad-secret-read",
    displayName: "No IAM document beside the shared role reads every team's secrets",
    description:
        "An IAM document outside the shared ABAC role (a role's inline or managed policies, RolePolicy, UserPolicy, GroupPolicy, Policy, or a policy attachment) allows secretsmanager:GetSecretValue, ssm:GetParameter, ssm:GetParameters or ssm:GetParameterHistory on every resource, on a wildcard name prefix such as a team's, or through NotResource or NotAction, so whoever holds it reads every team's secrets around the ABAC tags.",
    enforcementLevel: "advisory",
    severity: "high",
    url: "https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_iam-policies.html",
    remediationSteps:
        "Grant the principal only the secrets it needs, by exact ARN (name followed by -??????) or by a tag of its own (StringEquals secretsmanager:ResourceTag/<key>); drop NotResource/NotAction and AWS managed readers such as SecretsManagerReadWrite. A break-glass role that must read everything: exempt it with excludeFor and name it, with the reason, under the stack config's trustedReaders.",
    types: [...new Set([TYPES.role, TYPES.rolePolicy, TYPES.policy, TYPES.nativeRole, TYPES.nativeRolePolicy, TYPES.nativeManagedPolicy, ...USER_GROUP_POLICY_TYPES, ...ATTACHMENT_TYPES])],
    validate: (subject) => {
        const found = [...(ATTACHMENT_TYPES.includes(subject.type) ? [] : checkDocuments(subject)), ...(ATTACHMENT_TYPES.includes(subject.type) || subject.type === TYPES.role || subject.type === TYPES.nativeRole ? managedReaders(subject) : [])];
        if (found.length > 0) {
            subject.report(`'${subject.name}': ${found.join("; ")}: whoever holds it reads every team's secrets, around the shared role's tags. Scope it to the secrets it needs, or exempt a break-glass role with excludeFor and list it under trustedReaders.`);
        }
    },
});
