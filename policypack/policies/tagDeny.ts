/**
 * Does an ABAC permission policy carry the explicit Deny statements that keep
 * a same-account resource-policy grant (`Principal: "*"`, often with
 * `aws:PrincipalOrgID`) from reading another team's secret or parameter?
 * (IAM User Guide, "Policy evaluation logic": in one account an Allow in the
 * resource policy grants by itself; only an explicit Deny wins over it.)
 *
 * A Deny counts only when it cannot be weaker than the shipped one
 * (components/lib/tagDeny.ts): its one condition is exactly the fence or the
 * guard, so no second condition narrows it; it covers the value read of its
 * kind of object in every Region and account (a Region the Deny misses is a
 * Region where a grant reads); it is not NotResource.
 *
 * - Fences: `StringNotEquals` (no IfExists, no set prefix) of the object's
 *   namespace tag with `${aws:PrincipalTag/<session namespace tag>}`, and of
 *   its cluster tag with `${aws:PrincipalTag/eks-cluster-name}`, one
 *   statement each (keys in one operator are ANDed: both in one statement
 *   would deny only when both differ).
 * - Guards: `Null` = "true" on each of those two session tags, one statement
 *   each: a variable the session does not carry makes the fence's condition
 *   fail to match, so the fence alone does not apply to that session.
 */
import { CLUSTER_TAG_KEY, NAMESPACE_TAG_KEY } from "../lib/constants";
import { coversAction, Statement, wildcardMatch } from "./iamDocuments";

export type ObjectKind = "secret" | "parameter";

/** The value read a Deny must cover, and an ARN of that kind in a Region and account no policy names. */
const KIND: Record<ObjectKind, { read: string; probe: (partition: string) => string; tagKeys: RegExp }> = {
    secret: { read: "secretsmanager:GetSecretValue", probe: (p) => `arn:${p}:secretsmanager:xx-probe-9:000000000000:secret:probe-AbCdEf`, tagKeys: /^(secretsmanager|aws):ResourceTag\//i },
    // Parameter Store authorises tags with aws:ResourceTag (and ssm:resourceTag); secretsmanager: keys are never in its requests.
    parameter: { read: "ssm:GetParameter", probe: (p) => `arn:${p}:ssm:xx-probe-9:000000000000:parameter/probe`, tagKeys: /^(aws|ssm):ResourceTag\//i },
};

const partitionOf = (pattern: string) => /^arn:([^:]+):/.exec(pattern)?.[1] ?? "aws";

/** Whether a Deny statement applies to every object of the kind, in every Region and account. */
function coversEveryObject(s: Statement, kind: ObjectKind): boolean {
    if (s.notResource || !coversAction(s, KIND[kind].read)) return false;
    return s.resources.some((r) => r === "*" || wildcardMatch(r, KIND[kind].probe(partitionOf(r))));
}

const onlyCondition = (s: Statement) => (s.conditions.length === 1 ? s.conditions[0] : undefined);
const variable = (tag: string) => `\${aws:PrincipalTag/${tag}}`.toLowerCase();

/** A Deny whose one condition is StringNotEquals of the object's `tagKey` with the session's `sessionTag`. */
function isFence(s: Statement, kind: ObjectKind, tagKey: string, sessionTag: string): boolean {
    const c = onlyCondition(s);
    return (
        c !== undefined &&
        c.operator === "StringNotEquals" &&
        KIND[kind].tagKeys.test(c.key) &&
        c.key.replace(KIND[kind].tagKeys, "").toLowerCase() === tagKey &&
        c.values.length === 1 &&
        c.values[0].toLowerCase() === variable(sessionTag)
    );
}

/** A Deny whose one condition is Null "true" on the session's `sessionTag`. */
function isGuard(s: Statement, sessionTag: string): boolean {
    const c = onlyCondition(s);
    return c !== undefined && c.operator === "Null" && c.key.toLowerCase() === `aws:principaltag/${sessionTag.toLowerCase()}` && c.values.length === 1 && c.values[0] === "true";
}

/**
 * The Deny statements the document lacks, in words; empty when it has them
 * all. `sessionNamespaceTag` is the session tag the document's Allow keys the
 * namespace on (esoNamespace for the shared role, kubernetes-namespace for
 * the CSI role).
 */
export function missingTagDenies(statements: Statement[], sessionNamespaceTag: string): string[] {
    const denies = statements.filter((s) => s.effect === "Deny");
    const missing: string[] = [];
    for (const kind of ["secret", "parameter"] as const) {
        const covering = denies.filter((s) => coversEveryObject(s, kind));
        const objectKey = kind === "secret" ? "secretsmanager:ResourceTag" : "aws:ResourceTag";
        const need = (found: boolean, words: string) => !found && missing.push(`${kind}s: ${words}`);
        need(covering.some((s) => isFence(s, kind, NAMESPACE_TAG_KEY, sessionNamespaceTag)), `Deny ${KIND[kind].read} when StringNotEquals ${objectKey}/${NAMESPACE_TAG_KEY} = \${aws:PrincipalTag/${sessionNamespaceTag}}`);
        need(covering.some((s) => isFence(s, kind, CLUSTER_TAG_KEY, CLUSTER_TAG_KEY)), `Deny ${KIND[kind].read} when StringNotEquals ${objectKey}/${CLUSTER_TAG_KEY} = \${aws:PrincipalTag/${CLUSTER_TAG_KEY}}`);
        need(covering.some((s) => isGuard(s, sessionNamespaceTag)), `Deny ${KIND[kind].read} when Null aws:PrincipalTag/${sessionNamespaceTag} = "true"`);
        need(covering.some((s) => isGuard(s, CLUSTER_TAG_KEY)), `Deny ${KIND[kind].read} when Null aws:PrincipalTag/${CLUSTER_TAG_KEY} = "true"`);
    }
    return missing;
}

/** Whether a Deny statement's resources are unknown (a first preview): its coverage cannot be judged yet. */
export function denyResourcesUnknown(statements: Statement[]): boolean {
    return statements.some((s) => s.effect === "Deny" && s.resourcesUnknown);
}
