/**
 * Customer-managed KMS keys for the secrets and parameters the shared role
 * reads: the statements of the shared role's own policy and the statements
 * the key's policy must carry, as pure functions of plain strings.
 *
 * Decryption is allowed only when Secrets Manager or Parameter Store asks
 * on the caller's behalf (`kms:ViaService`), only for the secrets account's
 * secrets and parameters (the encryption context each service sends), and
 * only as the secrets account (`kms:CallerAccount`). Sources, checked
 * 2026-11 (see docs/CROSS_ACCOUNT.md):
 * - Secrets Manager sends the encryption context `SecretARN` = the secret's
 *   ARN and `SecretVersionId` on every GenerateDataKey and Decrypt, and its
 *   writers need kms:GenerateDataKey and kms:Decrypt:
 *   https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html
 * - Parameter Store sends `PARAMETER_ARN` = the parameter's ARN:
 *   https://docs.aws.amazon.com/kms/latest/developerguide/services-parameter-store.html
 * - `kms:ViaService`, `kms:CallerAccount`, `kms:EncryptionContext:<key>`:
 *   https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html
 */
import type { PolicyDocument, PolicyStatement } from "./iam";

/** Encryption-context key Secrets Manager sets to the secret's ARN. */
export const SECRETS_MANAGER_CONTEXT_KEY = "SecretARN";
/** Encryption-context key Parameter Store sets to the parameter's ARN. */
export const PARAMETER_STORE_CONTEXT_KEY = "PARAMETER_ARN";

/** Where the secrets live: the account whose ARN space the key may serve. */
export interface SecretsAccountContext {
    partition: string;
    region: string;
    /** The secrets account: owner of the shared role, the secrets and the parameters. */
    accountId: string;
}

/** Every secret of the account and region, as IAM matches ARNs with `*`. */
export function secretArnSpace(ctx: SecretsAccountContext): string {
    return `arn:${ctx.partition}:secretsmanager:${ctx.region}:${ctx.accountId}:secret:*`;
}

/** Every parameter of the account and region. */
export function parameterArnSpace(ctx: SecretsAccountContext): string {
    return `arn:${ctx.partition}:ssm:${ctx.region}:${ctx.accountId}:parameter/*`;
}

export type KmsService = "secretsmanager" | "ssm";

const CONTEXT: Record<KmsService, { key: string; space: (c: SecretsAccountContext) => string; sid: string }> = {
    secretsmanager: { key: SECRETS_MANAGER_CONTEXT_KEY, space: secretArnSpace, sid: "SecretsManager" },
    ssm: { key: PARAMETER_STORE_CONTEXT_KEY, space: parameterArnSpace, sid: "ParameterStore" },
};

/** The conditions that bind a KMS request to one service, one account's ARN space and the caller account. */
export function throughServiceConditions(ctx: SecretsAccountContext, service: KmsService): NonNullable<PolicyStatement["Condition"]> {
    const c = CONTEXT[service];
    return {
        StringEquals: {
            "kms:ViaService": `${service}.${ctx.region}.amazonaws.com`,
            "kms:CallerAccount": ctx.accountId,
        },
        // StringLike only for the ARN space: the ARN of each secret ends in a random suffix.
        StringLike: { [`kms:EncryptionContext:${c.key}`]: c.space(ctx) },
    };
}

export interface DecryptStatementsArgs extends SecretsAccountContext {
    /** Customer-managed keys of the secrets and parameters (ARNs, in any account). */
    keyArns: string[];
    /** Services whose values the role reads. @default ["secretsmanager"] */
    services?: KmsService[];
}

/**
 * Statements of the shared role's identity policy: `kms:Decrypt` on the
 * keys, each only through one service. A key in another account needs its
 * key policy to allow the same (`keyPolicyStatements`).
 */
export function decryptThroughServiceStatements(args: DecryptStatementsArgs): PolicyStatement[] {
    const keys = [...args.keyArns].sort();
    if (keys.length === 0) return [];
    return (args.services ?? ["secretsmanager"]).map((service) => ({
        Sid: `DecryptOnlyThrough${CONTEXT[service].sid}`,
        Effect: "Allow" as const,
        Action: "kms:Decrypt",
        Resource: keys.length === 1 ? keys[0] : keys,
        Condition: throughServiceConditions(args, service),
    }));
}

export interface KeyPolicyStatementsArgs extends SecretsAccountContext {
    /** The shared ABAC role (in the secrets account): the only reader; several when clusters are spread over groups. */
    sharedRoleArn: string | string[];
    /**
     * Principals of the secrets account that create secrets and set values
     * (the deployment role). Secrets Manager needs kms:GenerateDataKey and
     * kms:Decrypt from them, Parameter Store kms:Encrypt. @default none
     */
    writerArns?: string[];
    /** @default ["secretsmanager"] */
    services?: KmsService[];
}

/** One ARN as a string (the key policy of a single shared role is unchanged), several sorted. */
function sharedRoleArnValue(arns: string | string[]): string | string[] {
    if (typeof arns === "string") return arns;
    const sorted = [...new Set(arns)].sort();
    return sorted.length === 1 ? sorted[0] : sorted;
}

const WRITER_ACTIONS: Record<KmsService, string[]> = {
    secretsmanager: ["kms:GenerateDataKey", "kms:Decrypt"],
    ssm: ["kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt"],
};

/**
 * Statements the key's policy must carry so that the secrets account may
 * use the key, and no one else there. The principal is the secrets
 * account's root narrowed by `aws:PrincipalArn`, never the role itself:
 * IAM stores a role principal as the role's unique ID, so a key policy
 * naming a role that is later replaced (same name, new ID) silently stops
 * matching it, and AWS shows the dead ID in its place. A condition on the
 * ARN keeps matching the new role.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles
 */
export function keyPolicyStatements(args: KeyPolicyStatementsArgs): PolicyStatement[] {
    const root = `arn:${args.partition}:iam::${args.accountId}:root`;
    const services = args.services ?? ["secretsmanager"];
    const statements: PolicyStatement[] = services.map((service) => ({
        Sid: `SharedRoleDecryptsThrough${CONTEXT[service].sid}`,
        Effect: "Allow",
        Principal: { AWS: root },
        Action: "kms:Decrypt",
        Resource: "*",
        Condition: {
            ...throughServiceConditions(args, service),
            ArnEquals: { "aws:PrincipalArn": sharedRoleArnValue(args.sharedRoleArn) },
        },
    }));
    const writers = [...(args.writerArns ?? [])].sort();
    if (writers.length > 0) {
        for (const service of services) {
            statements.push({
                Sid: `WritersEncryptThrough${CONTEXT[service].sid}`,
                Effect: "Allow",
                Principal: { AWS: root },
                Action: WRITER_ACTIONS[service],
                Resource: "*",
                Condition: {
                    ...throughServiceConditions(args, service),
                    ArnEquals: { "aws:PrincipalArn": writers.length === 1 ? writers[0] : writers },
                },
            });
        }
    }
    return statements;
}

/**
 * Key management without any cryptographic use: the key account administers,
 * it does not read. No kms:CreateGrant: a grant could hand Decrypt to anyone.
 */
export const KEY_ADMIN_ACTIONS = [
    "kms:CancelKeyDeletion",
    "kms:CreateAlias",
    "kms:DeleteAlias",
    "kms:DescribeKey",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListAliases",
    "kms:ListGrants",
    "kms:ListKeyPolicies",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:RevokeGrant",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateAlias",
    "kms:UpdateKeyDescription",
] as const;

export interface SecretsKeyPolicyArgs extends KeyPolicyStatementsArgs {
    /** The account that owns the key. */
    keyAccountId: string;
}

/**
 * The whole policy of a key the product owns: the key account's root may
 * administer the key (PutKeyPolicy keeps it from being locked out) but not
 * decrypt with it, plus `keyPolicyStatements`.
 */
export function secretsKeyPolicy(args: SecretsKeyPolicyArgs): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "KeyAccountAdministers",
                Effect: "Allow",
                Principal: { AWS: `arn:${args.partition}:iam::${args.keyAccountId}:root` },
                Action: [...KEY_ADMIN_ACTIONS],
                Resource: "*",
            },
            ...keyPolicyStatements(args),
        ],
    };
}
