/**
 * Clusters spread over several shared roles when one role's trust would
 * pass IAM's trust policy quota. Each cluster adds its controller role ARN
 * and its cluster ARN to the trust (about 123 characters with 14-character
 * names), and the quota is 2,048 characters without white space (4,096 on
 * request): docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html.
 *
 * Groups are filled first-fit in the order the clusters are given, so a
 * cluster's group depends only on the clusters before it: appending
 * clusters never moves an existing one to another role (which would
 * rewrite its ClusterSecretStore and the role its sessions come from).
 */
import { crossAccountTrustPolicy, iamPolicySize } from "./crossAccount";
import type { PolicyDocument } from "./iam";

/** What one cluster adds to a shared role's trust. */
export interface TrustMember {
    controllerRoleArn: string;
    clusterArn: string;
    esoServiceAccount: string;
}

/** The trust of a shared role admitting exactly these clusters, as `SharedAbacRole` renders it. */
export function trustOfMembers(partition: string, members: TrustMember[]): PolicyDocument {
    return crossAccountTrustPolicy({
        partition,
        controllerRoleArns: members.map((m) => m.controllerRoleArn),
        clusterArns: members.map((m) => m.clusterArn),
        esoServiceAccounts: members.map((m) => m.esoServiceAccount),
    });
}

export interface TrustGroups {
    /** The group (shared role) of each member, by the member's index. */
    groupOf: number[];
    /** Each group's trust size in characters without white space. */
    sizes: number[];
    /** Members whose trust alone is over the quota: no group can hold them. */
    oversized: number[];
}

/** Members over the fewest first-fit groups whose trusts each stay within `quota`. */
export function groupByTrustQuota(partition: string, members: TrustMember[], quota: number): TrustGroups {
    const groups: TrustMember[][] = [];
    const groupOf: number[] = [];
    const oversized: number[] = [];
    members.forEach((member, i) => {
        let group = groups.findIndex((g) => iamPolicySize(trustOfMembers(partition, [...g, member])) <= quota);
        if (group < 0) {
            if (iamPolicySize(trustOfMembers(partition, [member])) > quota) oversized.push(i);
            group = groups.length;
            groups.push([]);
        }
        groups[group].push(member);
        groupOf.push(group);
    });
    return { groupOf, sizes: groups.map((g) => iamPolicySize(trustOfMembers(partition, g))), oversized };
}
