/**
 * Names and versions that the IAM documents, the Helm values, the store and
 * the policy pack must agree on. The ones the policy pack checks live in the
 * pack (policypack/lib/constants.ts, which `pulumi policy publish` packs on
 * its own) and are re-exported here: one source for both.
 */
export {
    CLUSTER_TAG_KEY,
    ESO_CHART,
    ESO_NAMESPACE_SESSION_TAG,
    ESO_RESERVED_SESSION_TAGS,
    NAMESPACE_TAG_KEY,
    POD_IDENTITY_SERVICE_PRINCIPAL,
    POD_IDENTITY_TRANSITIVE_TAGS,
    SECRET_MAX_TAGS,
    SECRET_READ_ACTIONS,
    TAG_VALUE_MAX_LENGTH,
} from "../../policypack/lib/constants";

export const POD_IDENTITY_ADDON_NAME = "eks-pod-identity-agent";

export const DEFAULT_ESO_NAMESPACE = "external-secrets";
export const DEFAULT_ESO_SERVICE_ACCOUNT = "external-secrets";
export const DEFAULT_STORE_NAME = "team-secrets";

/** Namespace label that onboarding sets and the ClusterSecretStore selects on. */
export const STORE_LABEL_KEY = "eks-secrets-abac/store";

/** Namespaces no team may claim: the cluster's own. ESO's namespace is added at validation. */
export const RESERVED_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"] as const;
