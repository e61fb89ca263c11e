/** Resource type tokens the policies inspect. */
export const TYPES = {
    secret: "aws:secretsmanager/secret:Secret",
    secretPolicy: "aws:secretsmanager/secretPolicy:SecretPolicy",
    parameter: "aws:ssm/parameter:Parameter",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    policy: "aws:iam/policy:Policy",
    rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    policyAttachment: "aws:iam/policyAttachment:PolicyAttachment",
    podIdentityAssociation: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
    helmRelease: "kubernetes:helm.sh/v3:Release",
    helmChart: "kubernetes:helm.sh/v4:Chart",
    admissionPolicy: "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy",
    admissionPolicyBinding: "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding",
    // aws-native (Cloud Control) equivalents; names from pulumi-aws-native's
    // generated SDK (secretsmanager/secret.ts `__pulumiType`, tags as a list of {key, value}).
    nativeSecret: "aws-native:secretsmanager:Secret",
    nativeSecretPolicy: "aws-native:secretsmanager:ResourcePolicy",
    nativeRole: "aws-native:iam:Role",
    nativeRolePolicy: "aws-native:iam:RolePolicy",
    nativeManagedPolicy: "aws-native:iam:ManagedPolicy",
} as const;

export const SECRET_TYPES: string[] = [TYPES.secret, TYPES.nativeSecret];
export const ROLE_TYPES: string[] = [TYPES.role, TYPES.nativeRole];

/**
 * ClusterSecretStore or SecretStore of any served ESO API version, and the
 * Server-Side Apply patch resources of @pulumi/kubernetes (`<Kind>Patch`),
 * which change a store that exists already.
 */
const STORE_TYPE = /^kubernetes:external-secrets\.io\/v1(beta1)?:(Cluster)?SecretStore(Patch)?$/;

export function isSecretStoreType(type: string): boolean {
    return STORE_TYPE.test(type);
}

/** A manifest (e.g. from Helm `extraObjects`) that is an ESO store. */
export function isSecretStoreManifest(m: Record<string, any>): boolean {
    return typeof m.apiVersion === "string" && /^external-secrets\.io\/v1(beta1)?$/.test(m.apiVersion) && /^(Cluster)?SecretStore$/.test(String(m.kind));
}

/** Whether a store's `spec.provider.aws` asks ESO for its session tags (`sessionTagsPolicy` Simple or Custom). */
export function usesEsoSessionTags(aws: Record<string, any> | undefined): boolean {
    return aws?.sessionTagsPolicy === "Simple" || aws?.sessionTagsPolicy === "Custom";
}
