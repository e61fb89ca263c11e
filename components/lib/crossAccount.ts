/**
 * The shared role in a dedicated secrets account, read from clusters in
 * other accounts, as pure functions of plain strings.
 *
 * Each cluster's ESO controller role (in the cluster's account) chains into
 * the shared role (in the secrets account). Pod Identity's session tags are
 * transitive, so `eks-cluster-name` and `eks-cluster-arn` survive the
 * account boundary and the same tag-based permission policy decides; no
 * secret needs a resource policy.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_role-chaining
 */
import { abacTrustPolicy, PolicyDocument, renderPolicy } from "./iam";

const ACCOUNT_ID = /^[0-9]{12}$/;

/** The account of an IAM ARN (`arn:aws:iam::111122223333:role/x`), or undefined. */
export function accountOfArn(arn: string): string | undefined {
    const account = arn.split(":")[4];
    return account !== undefined && ACCOUNT_ID.test(account) ? account : undefined;
}

export interface CrossAccountTrustArgs {
    partition: string;
    /** The controller roles (one per cluster), in any accounts. */
    controllerRoleArns: string[];
    /** ARNs of the clusters whose chained sessions may assume the role. */
    clusterArns: string[];
    /** ESO's service account on those clusters. @default ["external-secrets"] */
    esoServiceAccounts?: string[];
}

/**
 * Trust policy of a shared role that controller roles of any account
 * assume: `abacTrustPolicy` (controller roles by `aws:PrincipalArn`, the
 * chained session's `eks-cluster-arn` and `kubernetes-service-account`
 * pinned) with each controller account's root as principal. Never a role
 * ARN as principal: IAM stores it as the role's unique ID, which breaks
 * when the role is replaced. A cluster of another account with the same
 * name is neither a listed principal, nor a listed role, nor a listed
 * cluster ARN. In one account the document is `abacTrustPolicy`'s.
 */
export function crossAccountTrustPolicy(args: CrossAccountTrustArgs): PolicyDocument {
    const accounts = args.controllerRoleArns.map(accountOfArn);
    if (accounts.length === 0 || accounts.some((a) => a === undefined)) {
        throw new Error(`crossAccountTrustPolicy: every controller role needs an ARN with an account ID, got ${JSON.stringify(args.controllerRoleArns)}`);
    }
    const roots = [...new Set(accounts as string[])].sort().map((a) => `arn:${args.partition}:iam::${a}:root`);
    const base = abacTrustPolicy({ ...args, accountId: accounts[0] as string });
    return {
        ...base,
        Statement: base.Statement.map((statement) => ({ ...statement, Principal: { AWS: roots.length === 1 ? roots[0] : roots } })),
    };
}

/**
 * IAM's default quota on a role's trust policy, in characters without white
 * space ("Role trust policy length", 2,048; up to 4,096 through Service
 * Quotas): docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html.
 * Past it, CreateRole and UpdateAssumeRolePolicy answer LimitExceeded.
 */
export const TRUST_POLICY_DEFAULT_QUOTA = 2048;
export const TRUST_POLICY_MAX_QUOTA = 4096;

/** A document's size as IAM counts it against its quotas: white space is not counted. */
export function iamPolicySize(doc: PolicyDocument): number {
    return renderPolicy(doc).replace(/\s/g, "").length;
}

/** The partition of a Region, for ARNs built before any provider answers. */
export function partitionOfRegion(region: string): string {
    return region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
}
