/**
 * Organisation guardrails around the ABAC tags, as pure functions of plain
 * strings: a service control policy (SCP), a resource control policy (RCP),
 * an AWS Config Guard rule and a tag policy. ABAC decides on tags, so
 * whoever can change a tag, a secret's resource policy or one of the two
 * roles decides who reads. These documents take that away from everyone but
 * the platform principals. Sources for every element: docs/GUARDRAILS.md.
 */
import { CLUSTER_TAG_KEY, ESO_NAMESPACE_SESSION_TAG, NAMESPACE_TAG_KEY } from "./constants";
import type { PolicyDocument, PolicyStatement } from "./iam";

/** The tag keys ABAC decides on: whoever sets them decides who reads. */
export const ABAC_TAG_KEYS = [NAMESPACE_TAG_KEY, CLUSTER_TAG_KEY] as const;

/** Organizations quotas: SCPs and RCPs 5,120 characters, tag policies 10,000. */
export const SCP_MAX_CHARACTERS = 5120;
export const RCP_MAX_CHARACTERS = 5120;
export const TAG_POLICY_MAX_CHARACTERS = 10000;
/** AWS Config `PutOrganizationConfigRule`: PolicyText up to 10,000 characters. */
export const CONFIG_POLICY_TEXT_MAX_CHARACTERS = 10000;

export interface GuardrailDocumentArgs {
    /** @default "aws" */
    partition?: string;
    /**
     * Principals that may still tag secrets, change their resource policies
     * and edit the two roles: the pipeline that runs this package, and
     * administrators. ARN patterns (`*` allowed), compared with `ArnLike`
     * on `aws:PrincipalArn`, which for a role session is the role's ARN.
     */
    platformPrincipalArns: string[];
    /** Principals that may read any secret in an emergency (RCP only). */
    breakGlassPrincipalArns?: string[];
    /** Name of the shared ABAC role. */
    sharedRoleName: string;
    /**
     * The further shared roles of clusters spread over groups
     * (`CrossAccountSecretsAbac.sharedRoleNames` or `sharedRoleGroups`, after
     * the first). @default none
     */
    sharedRoleNames?: string[];
    /** Names (or `*` patterns) of the ESO controller roles, one per cluster (see `controllerRoleName`). */
    controllerRoleNames: string[];
    /**
     * Names (or `*` patterns) of the CSI roles pods take through ASCP (see
     * `csiRoleName`). Their sessions carry the pod's `kubernetes-namespace`,
     * never `esoNamespace`: the RCP compares that tag for them, and the SCP
     * protects them like the shared role. @default none
     */
    csiRoleNames?: string[];
}

/** Role ARN pattern in any account of the targets: the roles may live in each member account. */
function roleArnPattern(partition: string, name: string): string {
    return `arn:${partition}:iam::*:role/${name}`;
}

function one(values: string[]): string | string[] {
    return values.length === 1 ? values[0] : values;
}

function sorted(values: string[]): string[] {
    return [...new Set(values)].sort();
}

/**
 * Writes to a role that change what it may do or who may assume it, and
 * `iam:PassRole`, which a new Pod Identity association (or any service
 * given the role) needs.
 */
export const ROLE_WRITE_ACTIONS = [
    "iam:AttachRolePolicy",
    "iam:CreateRole",
    "iam:DeleteRole",
    "iam:DeleteRolePermissionsBoundary",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PassRole",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
    "iam:TagRole",
    "iam:UntagRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateRole",
    "iam:UpdateRoleDescription",
] as const;

/** Secrets Manager and Parameter Store calls that set or remove tags. */
export const SECRET_TAGGING_ACTIONS = ["secretsmanager:CreateSecret", "secretsmanager:TagResource", "secretsmanager:UntagResource"] as const;
export const PARAMETER_TAGGING_ACTIONS = ["ssm:AddTagsToResource", "ssm:PutParameter", "ssm:RemoveTagsFromResource"] as const;

/** Calls that can give a principal the `esoNamespace` tag the RCP compares. */
export const ESO_TAGGING_ACTIONS = ["iam:CreateRole", "iam:CreateUser", "iam:TagRole", "iam:TagUser", "sts:TagSession"] as const;

/**
 * The SCP. `ForAnyValue:StringEqualsIgnoreCase` on `aws:TagKeys`: IAM
 * compares keys case-insensitively while Secrets Manager stores them
 * case-sensitively, so `Kubernetes-Namespace` must be refused too.
 * Every exemption is `ArnNotLike` on `aws:PrincipalArn`, which every
 * request of a member-account principal carries.
 */
export function guardrailServiceControlPolicy(args: GuardrailDocumentArgs): PolicyDocument {
    const partition = args.partition ?? "aws";
    const platform = one(sorted(args.platformPrincipalArns));
    const notPlatform = { "aws:PrincipalArn": platform };
    const abacKeys = { "aws:TagKeys": [...ABAC_TAG_KEYS] };
    const roles = sorted([args.sharedRoleName, ...(args.sharedRoleNames ?? []), ...args.controllerRoleNames, ...(args.csiRoleNames ?? [])]).map((n) => roleArnPattern(partition, n));
    const controllers = sorted(args.controllerRoleNames).map((n) => roleArnPattern(partition, n));
    const statements: PolicyStatement[] = [
        {
            Sid: "DenyAbacTagChangesOnSecrets",
            Effect: "Deny",
            Action: [...SECRET_TAGGING_ACTIONS],
            Resource: "*",
            Condition: { "ForAnyValue:StringEqualsIgnoreCase": abacKeys, ArnNotLike: notPlatform },
        },
        {
            Sid: "DenyAbacTagChangesOnParameters",
            Effect: "Deny",
            Action: [...PARAMETER_TAGGING_ACTIONS],
            Resource: "*",
            Condition: { "ForAnyValue:StringEqualsIgnoreCase": abacKeys, ArnNotLike: notPlatform },
        },
        {
            Sid: "DenySecretResourcePolicies",
            Effect: "Deny",
            Action: ["secretsmanager:DeleteResourcePolicy", "secretsmanager:PutResourcePolicy"],
            Resource: "*",
            Condition: { ArnNotLike: notPlatform },
        },
        {
            Sid: "DenyWritesToAbacRoles",
            Effect: "Deny",
            Action: [...ROLE_WRITE_ACTIONS],
            Resource: one(roles),
            Condition: { ArnNotLike: notPlatform },
        },
        {
            // The RCP trusts `esoNamespace` on the caller; only ESO's controllers may set it.
            Sid: "DenyEsoNamespaceTagOutsideEso",
            Effect: "Deny",
            Action: [...ESO_TAGGING_ACTIONS],
            Resource: "*",
            Condition: {
                "ForAnyValue:StringEqualsIgnoreCase": { "aws:TagKeys": [ESO_NAMESPACE_SESSION_TAG] },
                ArnNotLike: { "aws:PrincipalArn": sorted([...args.platformPrincipalArns, ...controllers]) },
            },
        },
    ];
    // One statement per key: the keys of one Null block are ANDed, and either missing tag must deny.
    for (const key of ABAC_TAG_KEYS) {
        statements.push({
            Sid: `DenyPlatformSecretWithout${pascal(key)}Tag`,
            Effect: "Deny",
            Action: "secretsmanager:CreateSecret",
            Resource: "*",
            Condition: { Null: { [`aws:RequestTag/${key}`]: "true" }, ArnLike: { "aws:PrincipalArn": platform } },
        });
    }
    return { Version: "2012-10-17", Statement: statements };
}

function pascal(key: string): string {
    return key
        .split("-")
        .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
        .join("");
}

/**
 * The RCP on Secrets Manager: a secret tagged with a namespace is read only
 * by a caller whose `esoNamespace` equals it (the shared role's session for
 * that team), by a CSI role's session whose `kubernetes-namespace` (set by
 * Pod Identity from the pod, docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html)
 * equals it, by the platform and break-glass principals, or by an AWS
 * service. A `${aws:PrincipalTag/...}` variable that cannot be resolved
 * makes its statement not apply, so a caller without the tag at all is
 * denied by a second statement with `Null`. The CSI roles are told apart by
 * `aws:PrincipalArn`, which no session can choose; the SCP keeps anyone
 * but the platform from creating or editing a role of those names, and
 * their trust admits only Pod Identity. RCPs allow `Deny` only and
 * `Principal` must be `"*"`.
 */
export function guardrailResourceControlPolicy(args: GuardrailDocumentArgs): PolicyDocument {
    const partition = args.partition ?? "aws";
    const exempt = sorted([...args.platformPrincipalArns, ...(args.breakGlassPrincipalArns ?? [])]);
    const csi = sorted(args.csiRoleNames ?? []).map((n) => roleArnPattern(partition, n));
    const aws = { BoolIfExists: { "aws:PrincipalIsAWSService": "false" } };
    // ESO's rule binds every caller but the exempt and the CSI roles, whose rule follows.
    const notEso = { ...aws, ArnNotLike: { "aws:PrincipalArn": one(sorted([...exempt, ...csi])) } };
    const namespaceTag = `secretsmanager:ResourceTag/${NAMESPACE_TAG_KEY}`;
    const callerTag = `aws:PrincipalTag/${ESO_NAMESPACE_SESSION_TAG}`;
    const statements: PolicyStatement[] = [
        {
            Sid: "DenyReadOfAnotherNamespacesSecret",
            Effect: "Deny",
            Principal: "*",
            Action: "secretsmanager:GetSecretValue",
            Resource: "*",
            Condition: {
                ...notEso,
                StringNotEquals: { [namespaceTag]: `\${${callerTag}}` },
                Null: { [namespaceTag]: "false" },
            },
        },
        {
            Sid: "DenyReadByCallersWithoutNamespace",
            Effect: "Deny",
            Principal: "*",
            Action: "secretsmanager:GetSecretValue",
            Resource: "*",
            Condition: { ...notEso, Null: { [namespaceTag]: "false", [callerTag]: "true" } },
        },
    ];
    if (csi.length > 0) {
        const podTag = `aws:PrincipalTag/${NAMESPACE_TAG_KEY}`;
        const csiCallers = { ...aws, ArnLike: { "aws:PrincipalArn": one(csi) } };
        statements.push(
            {
                Sid: "DenyCsiReadOfAnotherNamespacesSecret",
                Effect: "Deny",
                Principal: "*",
                Action: "secretsmanager:GetSecretValue",
                Resource: "*",
                Condition: { ...csiCallers, StringNotEquals: { [namespaceTag]: `\${${podTag}}` }, Null: { [namespaceTag]: "false" } },
            },
            {
                Sid: "DenyCsiReadByPodsWithoutNamespace",
                Effect: "Deny",
                Principal: "*",
                Action: "secretsmanager:GetSecretValue",
                Resource: "*",
                Condition: { ...csiCallers, Null: { [namespaceTag]: "false", [podTag]: "true" } },
            },
        );
    }
    return { Version: "2012-10-17", Statement: statements };
}

/** Tag policy: the exact capitalisation of both keys, enforced on Secrets Manager. */
export function guardrailTagPolicy(): Record<string, unknown> {
    const tags: Record<string, unknown> = {};
    for (const key of ABAC_TAG_KEYS) {
        tags[key] = {
            tag_key: { "@@assign": key },
            enforced_for: { "@@assign": ["secretsmanager:*"] },
        };
    }
    return { tags };
}

/**
 * A regular expression matching every spelling of `key` that differs from
 * it only in case and has at least one capital letter. Guard's regular
 * expressions (Rust `regex`) have no look-ahead, and a Guard filter with two
 * `keys` clauses did not narrow the selection in cfn-guard 3.1.1, so the
 * alternatives are spelled out: one per position that is a capital.
 */
export function caseVariantPattern(keys: readonly string[]): string {
    const alternatives = keys.flatMap((key) =>
        [...key]
            .map((c, i) => (c.toUpperCase() === c ? undefined : `(?i:${key.slice(0, i)})${c.toUpperCase()}(?i:${key.slice(i + 1)})`))
            .filter((a): a is string => a !== undefined)
            .map((a) => a.replace(/\(\?i:\)/g, "")),
    );
    return `^(?:${alternatives.join("|")})$`;
}

export interface ConfigGuardArgs {
    /** Check only secrets whose name starts with this prefix. @default every secret */
    secretNamePrefix?: string;
}

/**
 * AWS Config Guard custom policy. The managed REQUIRED_TAGS rule does not
 * list AWS::SecretsManager::Secret among its resource types, and cannot see
 * case variants, hence Guard. Input is the configuration item, whose `tags`
 * is a map of key to value.
 */
export function guardrailConfigPolicy(args: ConfigGuardArgs = {}): string {
    const inner = [
        `    tags exists`,
        ...ABAC_TAG_KEYS.flatMap((k) => [`    tags.'${k}' exists`, `    tags.'${k}' == /.+/`]),
        ``,
        `    let variants = tags[ keys == /${caseVariantPattern(ABAC_TAG_KEYS)}/ ]`,
        `    %variants empty`,
    ];
    const prefix = args.secretNamePrefix ?? "";
    // A `when` block, not a named scope rule: a failing scope rule would itself mark the secret non-compliant.
    const body = prefix === "" ? inner : [`    when configuration.Name == /^${escapeRegex(prefix)}/ {`, ...inner.map((l) => (l ? `    ${l}` : l)), `    }`];
    return [`rule abac_secret_tags when resourceType == "AWS::SecretsManager::Secret" {`, ...body, `}`, ``].join("\n");
}

/** Escapes for a Guard regular expression literal, where even an escaped `/` ends the literal. */
function escapeRegex(s: string): string {
    return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\//g, "\\x2F");
}
