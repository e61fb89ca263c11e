import type { Policies } from "@pulumi/policy";
import {
    abacPolicyDisallowWildcardTagMatch,
    abacRoleDisallowUntaggedSecretRead,
    podIdentityChainingRoleDisallowSecretRead,
} from "./abacPermissions";
import {
    esoChartSupportsSessionTags,
    esoReleaseDisallowUnguardedSecretStores,
    esoStoreAbacRoleRequiresSessionTagsPolicy,
    esoStoreSessionTagsMustReachAws,
    podIdentityAssociationKeepsSessionTags,
} from "./eso";
import { secretsRequireAbacTags } from "./secrets";
import { trustPolicyRequiresTagSession } from "./trust";

/** Every policy of the pack, in the order the README's table lists them. */
export const policies: Policies = [
    secretsRequireAbacTags,
    trustPolicyRequiresTagSession,
    abacPolicyDisallowWildcardTagMatch,
    abacRoleDisallowUntaggedSecretRead,
    esoStoreSessionTagsMustReachAws,
    esoStoreAbacRoleRequiresSessionTagsPolicy,
    podIdentityChainingRoleDisallowSecretRead,
    esoReleaseDisallowUnguardedSecretStores,
    esoChartSupportsSessionTags,
    podIdentityAssociationKeepsSessionTags,
];
