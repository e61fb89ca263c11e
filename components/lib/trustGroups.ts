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
import { DEFAULT_ESO_SERVICE_ACCOUNT } from "./constants";
import { crossAccountTrustPolicy, iamPolicySize, partitionOfRegion, TRUST_POLICY_DEFAULT_QUOTA } from "./crossAccount";
import { clusterControllerRoleNames } from "./faultDomains";
import type { EsoControllerSpec } from "./types";
import { sharedRoleGroupName } from "./naming";
import type { PolicyDocument } from "./iam";

/** What one cluster adds to a shared role's trust: each of its ESO controllers' roles (fault domains: one per controller). */
export interface TrustMember {
    controllerRoleArns: string[];
    clusterArn: string;
    esoServiceAccount: string;
}

/** The trust of a shared role admitting exactly these clusters, as `SharedAbacRole` renders it. */
export function trustOfMembers(partition: string, members: TrustMember[]): PolicyDocument {
    return crossAccountTrustPolicy({
        partition,
        controllerRoleArns: members.flatMap((m) => m.controllerRoleArns),
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

export interface ClusterTrustGroupsArgs {
    /** Region of the clusters: its length counts in every cluster ARN. */
    region: string;
    /** @default the partition of `region` */
    partition?: string;
    /** The clusters' account; any 12 digits measure the same. @default "000000000000" */
    accountId?: string;
    /** Name of the first shared role; the further ones are `sharedRoleGroupName(roleName, g)`. */
    roleName: string;
    clusters: { clusterName: string; clusterArn?: string; esoServiceAccount?: string; esoControllers?: EsoControllerSpec[] }[];
    /** The account's trust policy quota: 2,048 by default, up to 4,096 on request. @default 2048 */
    trustPolicyQuota?: number;
}

/**
 * Shared roles for clusters of one account that share `SharedAbacRole`s
 * (examples/multi-cluster): the same first-fit groups `CrossAccountSecretsAbac`
 * makes, from names alone, so a program can declare one role per group
 * before any cluster's ARN is known. Throws when a cluster cannot fit any role.
 */
export function clusterTrustGroups(args: ClusterTrustGroupsArgs): { roleNames: string[]; groupOf: number[]; trustSizes: number[] } {
    const partition = args.partition ?? partitionOfRegion(args.region);
    const accountId = args.accountId ?? "000000000000";
    const members = args.clusters.map((c) => ({
        controllerRoleArns: clusterControllerRoleNames(c.clusterName, c.esoControllers ?? []).map((n) => `arn:${partition}:iam::${accountId}:role/${n}`),
        clusterArn: c.clusterArn ?? `arn:${partition}:eks:${args.region}:${accountId}:cluster/${c.clusterName}`,
        esoServiceAccount: c.esoServiceAccount ?? DEFAULT_ESO_SERVICE_ACCOUNT,
    }));
    const quota = args.trustPolicyQuota ?? TRUST_POLICY_DEFAULT_QUOTA;
    const { groupOf, sizes, oversized } = groupByTrustQuota(partition, members, quota);
    if (oversized.length > 0) throw new Error(`clusterTrustGroups: ${oversized.map((i) => args.clusters[i].clusterName).join(", ")} alone make a trust over the quota of ${quota} characters`);
    return { roleNames: sizes.map((_, g) => sharedRoleGroupName(args.roleName, g)), groupOf, trustSizes: sizes };
}
