/**
 * The pack's policies as a library: compose them into your own pack
 * (`new PolicyPack("mine", { policies: [...policies, myPolicy] })`) or pick
 * single ones by name, as AWSGuard users do.
 */
import type { Policies } from "@pulumi/policy";
import {
    abacPolicyDisallowLiteralNamespace,
    abacPolicyDisallowParameterPathRead,
    abacPolicyDisallowUntaggedSecretRead,
    abacPolicyRequiresExactTagMatch,
    abacPolicyRequiresTagMismatchDeny,
    abacRoleDisallowUntaggedSecretRead,
    iamDocumentsMustParse,
    podIdentityChainingRoleDisallowSecretRead,
    taggedRoleDisallowManagedSecretReaders,
} from "./abacPermissions";
import {
    esoChartSupportsSessionTags,
    esoReleaseDisallowUnguardedSecretStores,
    esoStoreAbacRoleRequiresSessionTagsPolicy,
    esoStoreSessionTagsMustReachAws,
    podIdentityAssociationKeepsSessionTags,
} from "./eso";
import { iamPolicyDisallowBroadSecretRead } from "./broadReaders";
import {
    abacPolicyKeysOnSessionNamespace,
    csiRoleAssociationKeepsSessionTags,
    csiRoleDisallowEsoUse,
    csiRolePolicyKeysOnPodTags,
    csiSecretProviderClassRequiresPodIdentity,
} from "./csi";
import { esoReleaseDisallowUnguardedGenerators } from "./generators";
import { esoStoresRequireControllerClass } from "./faultDomains";
import { parametersRequireAbacTags, secretResourcePolicyDisallowReads, secretsRequireAbacTags } from "./secrets";
import { esoStoreDisallowClusterTagOnPodIdentityCluster, esoStoreDisallowPodIdentityTagKeys } from "./storeIdentity";
import { esoStoreRoleAllowsTagSession, sharedRoleTrustNamesPrincipals, trustPolicyRequiresTagSession } from "./trust";

export {
    abacPolicyDisallowLiteralNamespace,
    abacPolicyKeysOnSessionNamespace,
    csiRoleAssociationKeepsSessionTags,
    csiRoleDisallowEsoUse,
    csiRolePolicyKeysOnPodTags,
    csiSecretProviderClassRequiresPodIdentity,
    abacPolicyDisallowParameterPathRead,
    abacPolicyDisallowUntaggedSecretRead,
    abacPolicyRequiresExactTagMatch,
    abacPolicyRequiresTagMismatchDeny,
    abacRoleDisallowUntaggedSecretRead,
    esoChartSupportsSessionTags,
    esoReleaseDisallowUnguardedGenerators,
    esoReleaseDisallowUnguardedSecretStores,
    esoStoreAbacRoleRequiresSessionTagsPolicy,
    esoStoresRequireControllerClass,
    esoStoreDisallowClusterTagOnPodIdentityCluster,
    esoStoreDisallowPodIdentityTagKeys,
    esoStoreRoleAllowsTagSession,
    esoStoreSessionTagsMustReachAws,
    iamDocumentsMustParse,
    iamPolicyDisallowBroadSecretRead,
    podIdentityAssociationKeepsSessionTags,
    parametersRequireAbacTags,
    podIdentityChainingRoleDisallowSecretRead,
    secretResourcePolicyDisallowReads,
    secretsRequireAbacTags,
    sharedRoleTrustNamesPrincipals,
    taggedRoleDisallowManagedSecretReaders,
    trustPolicyRequiresTagSession,
};
export { excluded } from "./define";
export * as constants from "../lib/constants";

/**
 * Every policy of the pack, in the order the README's table lists them:
 * resource policies first (they run before each resource is created, in
 * preview and update), then the stack policies that join resources.
 */
export const policies: Policies = [
    secretsRequireAbacTags,
    secretResourcePolicyDisallowReads,
    trustPolicyRequiresTagSession,
    sharedRoleTrustNamesPrincipals,
    taggedRoleDisallowManagedSecretReaders,
    abacPolicyRequiresExactTagMatch,
    abacPolicyRequiresTagMismatchDeny,
    abacPolicyDisallowUntaggedSecretRead,
    abacPolicyDisallowLiteralNamespace,
    abacPolicyDisallowParameterPathRead,
    parametersRequireAbacTags,
    iamDocumentsMustParse,
    iamPolicyDisallowBroadSecretRead,
    esoStoreSessionTagsMustReachAws,
    esoStoreDisallowPodIdentityTagKeys,
    esoChartSupportsSessionTags,
    podIdentityAssociationKeepsSessionTags,
    csiSecretProviderClassRequiresPodIdentity,
    abacPolicyKeysOnSessionNamespace,
    abacRoleDisallowUntaggedSecretRead,
    esoStoreRoleAllowsTagSession,
    esoStoreAbacRoleRequiresSessionTagsPolicy,
    podIdentityChainingRoleDisallowSecretRead,
    esoReleaseDisallowUnguardedSecretStores,
    esoReleaseDisallowUnguardedGenerators,
    esoStoresRequireControllerClass,
    esoStoreDisallowClusterTagOnPodIdentityCluster,
    csiRolePolicyKeysOnPodTags,
    csiRoleAssociationKeepsSessionTags,
    csiRoleDisallowEsoUse,
];
