/**
 * Explicit Deny statements of the shared role's and the CSI role's
 * permission policies, as pure functions of plain strings.
 *
 * The Allow statements alone do not isolate teams against resource
 * policies: in the same account, a secret whose resource policy allows
 * `Principal: "*"` (with `aws:PrincipalOrgID`, a common way to share) or
 * names the role grants the read by itself, whatever the identity policy's
 * tag conditions say (IAM User Guide, "Policy evaluation logic": within one
 * account an Allow in either the identity or the resource policy suffices,
 * and an explicit Deny in any policy wins). These statements deny every
 * action on a secret or parameter whose tags do not equal the session's, so
 * such a grant is ExplicitlyDenied while a team's own read stays allowed.
 *
 * Why several statements and not one:
 * - Keys inside one condition operator are ANDed: one `StringNotEquals` on
 *   both tags would deny only when both differ (same namespace, other
 *   cluster would pass). So one statement per tag.
 * - A policy variable the request does not carry (`${aws:PrincipalTag/esoNamespace}`
 *   on a session without that tag) makes its condition fail to match, so the
 *   `StringNotEquals` statement does not apply to such a session (IAM User
 *   Guide, "Policy variables": "If the policy variable ... is not present in
 *   the request context, the condition evaluates to false"; DESIGN.md,
 *   "Guardrails around the tags"). A `Null` statement per session tag denies
 *   a session that lacks it, and a `StringEquals ""` statement the empty
 *   namespace of ESO's store self-validation, which only assumes the role and
 *   reads nothing (ESO v2.9.0 `providers/v1/aws/secretsmanager/secretsmanager.go`
 *   and `parameterstore/parameterstore.go` `Validate`: `Credentials.Retrieve`).
 * - A negated operator matches a resource that lacks the key (IAM User
 *   Guide, "Condition operators": a negated operator on a missing key is
 *   true), so an untagged secret is denied by the same statements.
 *
 * The resources are every region and account of the partition: a same-account
 * secret in another Region (the Allow names one) shared through a resource
 * policy is denied too; in other accounts the Allow grants nothing, and the
 * Deny costs nothing.
 */
import { CLUSTER_TAG_KEY, NAMESPACE_TAG_KEY } from "./constants";
import type { PolicyStatement } from "./iam";

/** Every secret of the partition, any Region and account. */
export const anySecretArn = (partition: string) => `arn:${partition}:secretsmanager:*:*:secret:*`;
/** Every parameter of the partition, any Region and account. */
export const anyParameterArn = (partition: string) => `arn:${partition}:ssm:*:*:parameter/*`;

/** Sid prefixes of the Deny statements: the pack and the mutation suite name them. */
export const TAG_DENY_SIDS = {
    secretNamespace: "DenySecretsOfOtherNamespaces",
    secretCluster: "DenySecretsOfOtherClusters",
    parameterNamespace: "DenyParametersOfOtherNamespaces",
    parameterCluster: "DenyParametersOfOtherClusters",
    sessionWithoutNamespace: "DenySessionsWithoutNamespaceTag",
    sessionWithoutCluster: "DenySessionsWithoutClusterTag",
    sessionWithEmptyNamespace: "DenySessionsWithEmptyNamespaceTag",
} as const;

/**
 * The Deny statements for a session whose namespace travels in
 * `namespaceSessionTag` (`esoNamespace` for ESO, `kubernetes-namespace` for a
 * CSI pod). Secrets are keyed on `secretsmanager:ResourceTag/<key>`, as the
 * Allow is; parameters on `aws:ResourceTag/<key>`, the key Parameter Store
 * authorises (parameterStore.ts).
 */
export function tagMismatchDenyStatements(partition: string, namespaceSessionTag: string): PolicyStatement[] {
    const secrets = anySecretArn(partition);
    const parameters = anyParameterArn(partition);
    const sessionNamespace = `\${aws:PrincipalTag/${namespaceSessionTag}}`;
    const sessionCluster = `\${aws:PrincipalTag/${CLUSTER_TAG_KEY}}`;
    const everything = ["secretsmanager:*", "ssm:*"];
    const mismatch = (Sid: string, action: string, resource: string, key: string, variable: string): PolicyStatement => ({
        Sid,
        Effect: "Deny",
        Action: action,
        Resource: resource,
        Condition: { StringNotEquals: { [key]: variable } },
    });
    const session = (Sid: string, condition: PolicyStatement["Condition"]): PolicyStatement => ({
        Sid,
        Effect: "Deny",
        Action: everything,
        Resource: [secrets, parameters],
        Condition: condition,
    });
    return [
        mismatch(TAG_DENY_SIDS.secretNamespace, "secretsmanager:*", secrets, `secretsmanager:ResourceTag/${NAMESPACE_TAG_KEY}`, sessionNamespace),
        mismatch(TAG_DENY_SIDS.secretCluster, "secretsmanager:*", secrets, `secretsmanager:ResourceTag/${CLUSTER_TAG_KEY}`, sessionCluster),
        mismatch(TAG_DENY_SIDS.parameterNamespace, "ssm:*", parameters, `aws:ResourceTag/${NAMESPACE_TAG_KEY}`, sessionNamespace),
        mismatch(TAG_DENY_SIDS.parameterCluster, "ssm:*", parameters, `aws:ResourceTag/${CLUSTER_TAG_KEY}`, sessionCluster),
        session(TAG_DENY_SIDS.sessionWithoutNamespace, { Null: { [`aws:PrincipalTag/${namespaceSessionTag}`]: "true" } }),
        session(TAG_DENY_SIDS.sessionWithoutCluster, { Null: { [`aws:PrincipalTag/${CLUSTER_TAG_KEY}`]: "true" } }),
        session(TAG_DENY_SIDS.sessionWithEmptyNamespace, { StringEquals: { [`aws:PrincipalTag/${namespaceSessionTag}`]: "" } }),
    ];
}
