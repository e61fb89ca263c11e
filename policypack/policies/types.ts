/** Resource type tokens the policies inspect. */
export const TYPES = {
    secret: "aws:secretsmanager/secret:Secret",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    policy: "aws:iam/policy:Policy",
    rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    podIdentityAssociation: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
    helmRelease: "kubernetes:helm.sh/v3:Release",
    helmChart: "kubernetes:helm.sh/v4:Chart",
    admissionPolicy: "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy",
} as const;

const STORE_TYPE = /^kubernetes:external-secrets\.io\/v1(beta1)?:(Cluster)?SecretStore$/;

/** ClusterSecretStore or SecretStore of any served ESO API version. */
export function isSecretStoreType(type: string): boolean {
    return STORE_TYPE.test(type);
}

/** Whether a store's `spec.provider.aws` asks ESO for its session tags (`sessionTagsPolicy` Simple or Custom). */
export function usesEsoSessionTags(aws: Record<string, any> | undefined): boolean {
    return aws?.sessionTagsPolicy === "Simple" || aws?.sessionTagsPolicy === "Custom";
}
