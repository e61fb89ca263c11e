import { AWS_MANAGED_VALUE_READERS, awsManagedValueReader, ESO_NAMESPACE_SESSION_TAG, NAMESPACE_TAG_KEY, POD_IDENTITY_SERVICE_PRINCIPAL } from "../lib/constants";
import { resourcePolicy, stackPolicy } from "./define";
import { allDocuments, DOCUMENT_TYPES, permissionDocuments, PERMISSION_TYPES, trustDocument } from "./documents";
import {
    ConditionEntry,
    coversAction,
    hasNamespaceCondition,
    isAbacDocument,
    labels,
    resourceTagConditions,
    resourceTagKey,
    Statement,
    usesPrincipalTag,
} from "./iamDocuments";
import { stackModel } from "./stackModel";
import { denyResourcesUnknown, missingTagDenies } from "./tagDeny";
import { TYPES } from "./types";
import { isUnknown } from "../lib/values";

const SECRET_READ = "secretsmanager:GetSecretValue";
/**
 * Reads authorised on the tags of the one secret or parameter named:
 * Parameter Store's GetParameter/GetParameters honour aws:ResourceTag like
 * GetSecretValue does.
 */
const TAGGED_READS = [SECRET_READ, "ssm:GetParameter", "ssm:GetParameters"];
/**
 * Parameter Store reads that are not authorised on each parameter's tags:
 * GetParametersByPath on the path (hierarchy), DescribeParameters on no
 * resource at all. https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-access.html
 */
const PATH_READS = ["ssm:GetParametersByPath", "ssm:DescribeParameters"];
const PARAMETER_ACCESS_DOCS = "https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-access.html";
const ABAC_DOCS = "https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_tags.html";
const CONDITION_OPERATORS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html";

/** Why a resource-tag condition of an Allow does not compare exactly, or undefined. */
export function inexactTagComparison(statement: Statement, c: ConditionEntry): string | undefined {
    if (c.baseOperator === "StringLike") return `${c.operator} matches by wildcard ('*' and '?' in a tag then match other namespaces)`;
    if (c.ifExists) return `${c.operator} passes when the tag is missing`;
    if (statement.effect === "Allow" && /^(StringNot|ArnNot)/i.test(c.baseOperator)) return `${c.operator} inside an Allow grants every secret whose tag differs`;
    return undefined;
}

/** Conditions of a document that compare a resource tag with a principal tag other than exactly. */
export function inexactTagMatches(statements: Statement[]): string[] {
    return statements.flatMap((s) =>
        resourceTagConditions(s)
            .filter(usesPrincipalTag)
            .flatMap((c) => {
                const why = inexactTagComparison(s, c);
                return why ? [`${s.label}: ${c.key} (${why})`] : [];
            }),
    );
}

/** Allow statements that read secrets or parameters without the exact namespace condition. */
export function readsWithoutNamespace(statements: Statement[]): Statement[] {
    // A statement with an unknown part is not a certain violation; the caller leaves it undecided.
    return statements.filter((s) => !s.unknown && s.effect === "Allow" && TAGGED_READS.some((a) => coversAction(s, a)) && !hasNamespaceCondition(s));
}

/** The tagged reads the statements allow, for messages: `secretsmanager:GetSecretValue`, `ssm:GetParameter`... */
function readsNamed(statements: Statement[]): string {
    return TAGGED_READS.filter((a) => statements.some((s) => coversAction(s, a))).join(", ");
}

/** Allow statements that read parameters by path or list them: no tag condition can limit those. */
export function pathReads(statements: Statement[]): Statement[] {
    return statements.filter((s) => !s.unknown && s.effect === "Allow" && PATH_READS.some((a) => coversAction(s, a)));
}

/** Namespace-tag conditions whose values name a namespace instead of the caller's tag. */
export function literalNamespaces(statements: Statement[]): Statement[] {
    return statements.filter((s) =>
        resourceTagConditions(s).some((c) => resourceTagKey(c).toLowerCase() === NAMESPACE_TAG_KEY && !c.unknown && c.values.some((v) => !/^\$\{aws:PrincipalTag\/[^}]+\}$/i.test(v))),
    );
}

/**
 * For each readable ABAC document of the resource, `check` lists problems.
 * A document that is unknown leaves the resource undecided.
 */
function eachAbacDocument(check: (statements: Statement[]) => string | undefined) {
    return (subject: Parameters<Parameters<typeof resourcePolicy>[0]["validate"]>[0]) => {
        for (const { where, doc } of permissionDocuments(subject.type, subject.props)) {
            if (doc.kind === "unknown") subject.undecided.add(where);
            if (doc.kind !== "ok" || !isAbacDocument(doc.statements)) continue;
            const problem = check(doc.statements);
            if (problem) subject.report(`'${subject.name}' ${where}: ${problem}`);
            else if (doc.statements.some((s) => s.unknown)) subject.undecided.add(`${where} (a statement holds an unknown value)`);
        }
    };
}

export const abacPolicyRequiresExactTagMatch = resourcePolicy({
    name: "iam-abac-policy-requires-exact-tag-match",
    displayName: "ABAC policies compare tags exactly",
    description:
        "A permission policy compares a resource tag with ${aws:PrincipalTag/...} other than by StringEquals: StringLike (any ForAllValues/ForAnyValue form) matches by wildcard, *IfExists passes when the tag is missing, StringNot*/ArnNot* in an Allow grants every other secret.",
    enforcementLevel: "mandatory",
    severity: "critical",
    url: CONDITION_OPERATORS,
    remediationSteps: "Use StringEquals (no IfExists, no set prefix) in every condition that compares secretsmanager:ResourceTag/... or aws:ResourceTag/... with a principal tag.",
    types: PERMISSION_TYPES,
    validate: eachAbacDocument((statements) => {
        const found = inexactTagMatches(statements);
        return found.length > 0 ? `compares tags inexactly: ${found.join("; ")}. Use StringEquals.` : undefined;
    }),
});

export const abacPolicyDisallowUntaggedSecretRead = resourcePolicy({
    name: "iam-abac-policy-disallow-untagged-secret-read",
    displayName: "ABAC policies read secrets only of the caller's namespace",
    description:
        "An ABAC permission policy also allows secretsmanager:GetSecretValue (or ssm:GetParameter/ssm:GetParameters) in a statement without the exact namespace condition (a cluster-only condition included), so every namespace reads those secrets or parameters.",
    enforcementLevel: "mandatory",
    severity: "critical",
    url: ABAC_DOCS,
    remediationSteps: `Give every Allow of ${TAGGED_READS.join(", ")} the condition StringEquals secretsmanager:ResourceTag/${NAMESPACE_TAG_KEY} (aws:ResourceTag/${NAMESPACE_TAG_KEY} for ssm) = \${aws:PrincipalTag/esoNamespace}, or remove it.`,
    types: PERMISSION_TYPES,
    validate: eachAbacDocument((statements) => {
        const open = readsWithoutNamespace(statements);
        return open.length > 0 ? `allows ${readsNamed(open)} without the namespace condition (${labels(open)}): every namespace reads those secrets or parameters.` : undefined;
    }),
});

export const abacPolicyDisallowParameterPathRead = resourcePolicy({
    name: "iam-abac-policy-disallow-parameter-path-read",
    displayName: "ABAC policies read no parameters by path",
    description:
        "An ABAC permission policy allows ssm:GetParametersByPath or ssm:DescribeParameters (also through ssm:GetParameter* or ssm:*): path reads are authorised on the path, not on the tags of the parameters returned, and DescribeParameters lists every parameter, so no tag condition keeps teams apart.",
    enforcementLevel: "mandatory",
    severity: "critical",
    url: PARAMETER_ACCESS_DOCS,
    remediationSteps: "Allow only ssm:GetParameter and ssm:GetParameters (named exactly, no wildcard) under the namespace and cluster tag conditions; ESO reads each parameter by name.",
    types: PERMISSION_TYPES,
    validate: eachAbacDocument((statements) => {
        const found = pathReads(statements);
        return found.length > 0 ? `allows ${PATH_READS.join(" or ")} (${labels(found)}): those reads are not limited by tags, so every namespace sees other teams' parameters. Remove them.` : undefined;
    }),
});

export const abacPolicyDisallowLiteralNamespace = resourcePolicy({
    name: "iam-abac-policy-disallow-literal-namespace",
    displayName: "Shared-role policies name no team",
    description:
        "An ABAC permission policy compares the namespace tag with a literal value instead of the caller's principal tag: the shared document then names teams, grows with each one and grants that team's secrets to every caller.",
    enforcementLevel: "mandatory",
    severity: "high",
    url: ABAC_DOCS,
    remediationSteps: `Compare secretsmanager:ResourceTag/${NAMESPACE_TAG_KEY} only with \${aws:PrincipalTag/esoNamespace}; give no namespace by name.`,
    types: PERMISSION_TYPES,
    validate: eachAbacDocument((statements) => {
        const literal = literalNamespaces(statements);
        return literal.length > 0 ? `compares the ${NAMESPACE_TAG_KEY} tag with a literal namespace (${labels(literal)}): use the principal tag.` : undefined;
    }),
});

/**
 * The session tags an ABAC document's Allow statements compare the namespace
 * tag with: `esoNamespace` for the shared role, `kubernetes-namespace` for the
 * CSI role. The Deny statements must key on the same ones.
 */
export function sessionNamespaceTags(statements: Statement[]): string[] {
    const tags = statements
        .filter((s) => s.effect === "Allow")
        .flatMap((s) => resourceTagConditions(s).filter((c) => resourceTagKey(c).toLowerCase() === NAMESPACE_TAG_KEY && c.baseOperator === "StringEquals"))
        .flatMap((c) => c.values.flatMap((v) => /^\$\{aws:PrincipalTag\/([^}]+)\}$/i.exec(v)?.[1] ?? []));
    const unique = [...new Map(tags.map((t) => [t.toLowerCase(), t])).values()];
    return unique.length > 0 ? unique : [ESO_NAMESPACE_SESSION_TAG];
}

const EVALUATION_LOGIC = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html";

export const abacPolicyRequiresTagMismatchDeny = resourcePolicy({
    name: "iam-abac-policy-requires-tag-mismatch-deny",
    displayName: "ABAC policies deny what their tags do not match",
    description:
        'An ABAC permission policy has only Allow statements: in the same account a secret or parameter whose resource policy allows Principal "*" (with aws:PrincipalOrgID, a common way to share) or names the role is readable by every session, whatever the tags. Explicit Deny statements on tags that differ (and Null guards for a session without the tags) keep it to its team.',
    enforcementLevel: "mandatory",
    severity: "high",
    url: EVALUATION_LOGIC,
    remediationSteps:
        "Render the policy with abacPermissionPolicy or csiPermissionPolicy (they add the Deny statements), or add for secrets (arn:<partition>:secretsmanager:*:*:secret:*) and parameters (arn:<partition>:ssm:*:*:parameter/*) one Deny per condition: StringNotEquals of the namespace tag with the session's namespace tag, StringNotEquals of the cluster tag with ${aws:PrincipalTag/eks-cluster-name}, Null \"true\" on each of those two session tags.",
    types: PERMISSION_TYPES,
    validate: eachAbacDocument((statements) => {
        const missing = sessionNamespaceTags(statements).flatMap((tag) => missingTagDenies(statements, tag));
        if (missing.length === 0) return undefined;
        // In a first preview a Deny's ARN may be unknown: its coverage is decided once it is known.
        if (denyResourcesUnknown(statements)) return undefined;
        return `lacks explicit Deny statements (${missing.join("; ")}): a same-account resource policy that shares a secret or parameter with every principal or the organisation grants it to every team's session. Add them (abacPermissionPolicy/csiPermissionPolicy render them).`;
    }),
});

export const iamDocumentsMustParse = resourcePolicy({
    name: "iam-policy-document-must-parse",
    displayName: "IAM documents are readable",
    description: "A trust, permission or secret resource policy is not valid JSON or not a policy document: IAM refuses it at deployment, and no policy of this pack can judge it.",
    enforcementLevel: "mandatory",
    severity: "medium",
    url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html",
    remediationSteps: "Build the document with JSON.stringify (or pass an object) with a Statement list of Allow/Deny statements.",
    types: DOCUMENT_TYPES,
    validate: (subject) => {
        for (const { where, doc } of allDocuments(subject.type, subject.props)) {
            if (doc.kind === "invalid") subject.report(`'${subject.name}' ${where} ${doc.reason}.`);
        }
    },
});

export const taggedRoleDisallowManagedSecretReaders = resourcePolicy({
    name: "tagged-role-disallow-managed-secret-readers",
    displayName: "A role that takes session tags carries no AWS managed secret reader",
    description:
        `A role that is assumed with session tags (its trust allows sts:TagSession) or carries an ABAC document lists an AWS managed policy that reads every secret or parameter (${AWS_MANAGED_VALUE_READERS.join(", ")}) in managedPolicyArns: every session reads every secret, whatever its tags.`,
    enforcementLevel: "mandatory",
    severity: "critical",
    url: ABAC_DOCS,
    remediationSteps: "Remove the managed policy from managedPolicyArns; the shared role carries only its ABAC permission policy, the controller role only sts:AssumeRole and sts:TagSession.",
    types: [TYPES.role],
    validate: (subject) => {
        const arns = subject.props.managedPolicyArns;
        if (isUnknown(arns)) return subject.undecided.add("managedPolicyArns");
        if (!Array.isArray(arns)) return;
        const readers = arns.flatMap((a, i) => (typeof a === "string" && awsManagedValueReader(a) !== undefined ? [`managedPolicyArns[${i}]`] : []));
        if (readers.length === 0) return;
        const trust = trustDocument(subject.type, subject.props)!;
        const tagged = trust.doc.kind === "ok" && trust.doc.statements.some((s) => s.effect === "Allow" && coversAction(s, "sts:TagSession"));
        const abac = permissionDocuments(subject.type, subject.props).some((d) => d.doc.kind === "ok" && isAbacDocument(d.doc.statements));
        if (tagged || abac) {
            subject.report(`Role '${subject.name}' takes session tags but ${readers.join(", ")} attaches an AWS managed policy that reads every secret: remove it.`);
        } else if (trust.doc.kind === "unknown") {
            subject.undecided.add(trust.where);
        }
    },
});

export const abacRoleDisallowUntaggedSecretRead = stackPolicy({
    name: "abac-role-disallow-untagged-secret-read",
    displayName: "A shared ABAC role reads no secret beside its ABAC statement",
    description:
        "A role meant for ABAC (a policy keys on principal tags, or an ESO store assumes it with session tags) also reads secrets through another document: a second role policy without the namespace condition, an attached policy (RolePolicyAttachment, PolicyAttachment, managedPolicyArns) the pack cannot read, or an AWS managed policy such as SecretsManagerReadWrite.",
    enforcementLevel: "mandatory",
    severity: "critical",
    url: ABAC_DOCS,
    remediationSteps: "Give the shared role only its ABAC permission policy; remove other role policies and attachments that read Secrets Manager.",
    validate: ({ resources, report, undecided }) => {
        const model = stackModel(resources);
        for (const role of model.abacRoles()) {
            const problems: string[] = [];
            for (const p of role.permissions) {
                if (p.doc.kind === "unknown") undecided(p.source, p.where);
                if (p.doc.kind !== "ok") continue;
                const open = readsWithoutNamespace(p.doc.statements);
                if (open.length > 0) problems.push(`'${p.source.name}' ${p.where} allows ${readsNamed(open)} without the namespace condition (${labels(open)})`);
            }
            for (const a of role.attachments) {
                if (awsManagedValueReader(a.arn) !== undefined) problems.push(`${a.via} attaches an AWS managed policy that reads every secret`);
                else if (a.policy === undefined) problems.push(`${a.via} attaches a policy this stack does not declare, so its reads cannot be checked`);
            }
            if (problems.length > 0) {
                report(role.resource, `ABAC role '${role.resource.name}': ${problems.join("; ")}. Every namespace reads those secrets: remove them.`);
            }
        }
    },
});

const POD_IDENTITY = `Service:${POD_IDENTITY_SERVICE_PRINCIPAL}`;

export const podIdentityChainingRoleDisallowSecretRead = stackPolicy({
    name: "pod-identity-chaining-role-disallow-secret-read",
    displayName: "The controller role only chains",
    description:
        "A Pod Identity role that chains into another role (as ESO's controller role does) also reads Secrets Manager itself, so any store without `role` reads those secrets with no namespace check.",
    enforcementLevel: "mandatory",
    severity: "critical",
    url: "https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html",
    remediationSteps: "Give the controller role only sts:AssumeRole and sts:TagSession on the shared ABAC role; move secret reads to that role.",
    validate: ({ resources, report }) => {
        for (const role of stackModel(resources).roles) {
            if (role.trust.kind !== "ok") continue;
            const podIdentity = role.trust.statements.some((s) => s.effect === "Allow" && s.principals.includes(POD_IDENTITY));
            if (!podIdentity) continue;
            const statements = role.permissions.flatMap((p) => (p.doc.kind === "ok" ? p.doc.statements : [])).filter((s) => s.effect === "Allow");
            if (statements.some((s) => coversAction(s, "sts:AssumeRole")) && statements.some((s) => coversAction(s, SECRET_READ))) {
                report(
                    role.resource,
                    `Pod Identity role '${role.resource.name}' assumes other roles and also grants ${SECRET_READ}: a store without \`role\` reads secrets with no namespace check. Remove the Secrets Manager permission.`,
                );
            }
        }
    },
});
