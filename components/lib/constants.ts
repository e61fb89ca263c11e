/**
 * Names and versions that the IAM documents, the Helm values, the store and
 * the policy pack must agree on. Change one here and every consumer follows.
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
export const POD_IDENTITY_ADDON_NAME = "eks-pod-identity-agent";

/** The ESO chart, pinned: an older CRD prunes `sessionTagsPolicy` and every read is denied. */
export const ESO_CHART = {
    name: "external-secrets",
    version: "2.9.0",
    repository: "https://charts.external-secrets.io",
    /** First ESO release whose CRD has `sessionTagsPolicy`. */
    minimumVersion: "2.5.0",
} as const;

export const DEFAULT_ESO_NAMESPACE = "external-secrets";
export const DEFAULT_ESO_SERVICE_ACCOUNT = "external-secrets";
export const DEFAULT_STORE_NAME = "team-secrets";

/** Namespace label that onboarding sets and the ClusterSecretStore selects on. */
export const STORE_LABEL_KEY = "eks-secrets-abac/store";

/** Namespaces no team may claim: the cluster's own. ESO's namespace is added at validation. */
export const RESERVED_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"] as const;

/** Secrets Manager actions the shared role grants; nothing that lists or writes. */
export const SECRET_READ_ACTIONS = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"] as const;

/** AWS limit on a tag value, which also bounds namespace and cluster tag values. */
export const TAG_VALUE_MAX_LENGTH = 256;
