/**
 * Names and versions that the IAM documents, the Helm values, the store and
 * the policy pack must agree on. The components re-export this file
 * (components/lib/constants.ts), so that there is one source; it imports
 * nothing, because `pulumi policy publish` packs the policypack folder alone.
 */

/** Resource tag on a secret: the Kubernetes namespace allowed to read it. */
export const NAMESPACE_TAG_KEY = "kubernetes-namespace";

/**
 * Resource tag on a secret: the EKS cluster allowed to read it. Pod Identity
 * sets a transitive session tag with the same key, which survives the role
 * chain from the controller role to the shared ABAC role.
 */
export const CLUSTER_TAG_KEY = "eks-cluster-name";

/**
 * Session tag that ESO sets to the ExternalSecret's namespace when the store
 * has `sessionTagsPolicy: Simple` (ESO >= 2.5.0). Its key is fixed by ESO.
 */
export const ESO_NAMESPACE_SESSION_TAG = "esoNamespace";

/** Session tags ESO adds itself with `sessionTagsPolicy: Simple` or `Custom`. */
export const ESO_RESERVED_SESSION_TAGS = ["esoNamespace", "esoStoreName", "esoStoreKind"] as const;

export const POD_IDENTITY_SERVICE_PRINCIPAL = "pods.eks.amazonaws.com";

/**
 * The transitive session tags EKS Pod Identity sets
 * (docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html). A chained
 * AssumeRole that sends one of these keys again fails in STS, keys compared
 * case-insensitively: a Pod Identity cluster's store must never send them.
 */
export const POD_IDENTITY_TRANSITIVE_TAGS = [
    "eks-cluster-arn",
    "eks-cluster-name",
    "kubernetes-namespace",
    "kubernetes-service-account",
    "kubernetes-pod-name",
    "kubernetes-pod-uid",
] as const;

/** The ESO chart, pinned: an older CRD prunes `sessionTagsPolicy` and every read is denied. */
export const ESO_CHART = {
    name: "external-secrets",
    version: "2.9.0",
    repository: "https://charts.external-secrets.io",
    /** First ESO release whose CRD has `sessionTagsPolicy`. */
    minimumVersion: "2.5.0",
} as const;

/** Secrets Manager actions the shared role grants; nothing that lists or writes. */
export const SECRET_READ_ACTIONS = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"] as const;

/**
 * What reads a value, as every checker counts it (the pack, the access matrix,
 * the principal check): `GetSecretValue` alone for a secret (BatchGetSecretValue
 * is authorised per secret on it, Secrets Manager API reference); for a
 * parameter `GetParameter`, `GetParameters` and `GetParameterHistory`, which
 * returns past values too (`Parameters[].Value`, decrypted with WithDecryption).
 */
export const SECRET_VALUE_READS = ["secretsmanager:GetSecretValue"] as const;
export const PARAMETER_VALUE_READS = ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParameterHistory"] as const;
/** Metadata of a secret: reported apart, never counted as a read of its value. */
export const SECRET_METADATA_READS = ["secretsmanager:DescribeSecret"] as const;

/**
 * Every call that returns a team value, and on what IAM authorises it: one
 * table, each row with the AWS reference that says the response carries the
 * value. `the value`: the secret's or parameter's own ARN (the rows
 * SECRET_VALUE_READS and PARAMETER_VALUE_READS hold). `each secret`: no
 * resource of its own, decided per secret on GetSecretValue. `an ancestor
 * path`: the path ARN the caller names, never the parameters it returns, so a
 * grant on `parameter/*` or on `parameter/payments` reads every value under
 * it. `the key`: what a read of a value under a customer key needs beside.
 */
export interface ValueRead {
    action: string;
    object: "secret" | "parameter";
    authorisedOn: "the value" | "each secret" | "an ancestor path" | "the key";
    reference: string;
}

export const VALUE_READ_TABLE: readonly ValueRead[] = [
    // "Retrieves the contents of the encrypted fields SecretString or SecretBinary".
    { action: "secretsmanager:GetSecretValue", object: "secret", authorisedOn: "the value", reference: "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html" },
    // "Retrieves the contents of the encrypted fields SecretString or SecretBinary for up to 20 secrets"; "you must have secretsmanager:GetSecretValue for each secret".
    { action: "secretsmanager:BatchGetSecretValue", object: "secret", authorisedOn: "each secret", reference: "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_BatchGetSecretValue.html" },
    // Response `Parameter.Value` (decrypted with WithDecryption).
    { action: "ssm:GetParameter", object: "parameter", authorisedOn: "the value", reference: "https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameter.html" },
    // Response `Parameters[].Value`.
    { action: "ssm:GetParameters", object: "parameter", authorisedOn: "the value", reference: "https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameters.html" },
    // Response `Parameters[].Value`: past values too.
    { action: "ssm:GetParameterHistory", object: "parameter", authorisedOn: "the value", reference: "https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameterHistory.html" },
    // Response `Parameters[].Value` of every parameter under `Path` (`Recursive` for every level); "If a user has access to a path, then the user can access all levels of that path ... even if a user has explicitly been denied access in IAM for parameter /a/b" (sysman-paramstore-access.html).
    { action: "ssm:GetParametersByPath", object: "parameter", authorisedOn: "an ancestor path", reference: "https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParametersByPath.html" },
    // Secrets Manager decrypts with the caller's kms:Decrypt (security-encryption.html, "Permissions for the KMS key").
    { action: "kms:Decrypt", object: "secret", authorisedOn: "the key", reference: "https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html" },
    // A SecureString under a customer key needs kms:Decrypt of the caller, encryption context PARAMETER_ARN (sysman-paramstore-securestring.html).
    { action: "kms:Decrypt", object: "parameter", authorisedOn: "the key", reference: "https://docs.aws.amazon.com/systems-manager/latest/userguide/secure-string-parameter-kms-encryption.html" },
];

/**
 * AWS managed policies that allow those reads on every secret or parameter, by
 * their published documents (AWS Managed Policy Reference Guide,
 * docs.aws.amazon.com/aws-managed-policy/latest/reference/<Name>.html):
 * SecretsManagerReadWrite (`secretsmanager:*` on `*`), PowerUserAccess
 * (NotAction iam/organizations/account on `*`), AWSSecretsManagerClientReadOnlyAccess
 * (GetSecretValue on `secret:*`), AmazonSSMReadOnlyAccess (`ssm:Get*` on `*`),
 * and AdministratorAccess (every action).
 */
export const AWS_MANAGED_VALUE_READERS = ["SecretsManagerReadWrite", "PowerUserAccess", "AWSSecretsManagerClientReadOnlyAccess", "AmazonSSMReadOnlyAccess", "AdministratorAccess"] as const;

/** The AWS managed reader an ARN names (any partition), or undefined. */
export function awsManagedValueReader(arn: unknown): string | undefined {
    const name = typeof arn === "string" ? /^arn:aws[a-z-]*:iam::aws:policy\/(.+)$/.exec(arn)?.[1] : undefined;
    return name !== undefined && (AWS_MANAGED_VALUE_READERS as readonly string[]).includes(name) ? name : undefined;
}

/** AWS limit on a tag value, which also bounds namespace and cluster tag values. */
export const TAG_VALUE_MAX_LENGTH = 256;

/**
 * Secrets Manager allows 50 user tags per secret; keys with the `aws:` prefix
 * do not count (TagResource API reference, "Maximum number of tags per secret: 50").
 */
export const SECRET_MAX_TAGS = 50;
