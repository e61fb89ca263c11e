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
import { abacTrustPolicy, PolicyDocument, PolicyStatement } from "./iam";

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
    /** ESO's service account: the chained session's `kubernetes-service-account` tag. */
    esoServiceAccount: string;
}

/**
 * Trust policy of a shared role that controller roles of other accounts
 * assume. The principal is each controller account's root, never a role
 * ARN (a role principal is stored as the role's unique ID and breaks when
 * the role is replaced); `aws:PrincipalArn` narrows it to the controller
 * roles, and the chained session's transitive tags pin the clusters and
 * ESO's service account. A cluster of another account with the same name
 * is neither a listed principal nor a listed cluster ARN.
 */
export function crossAccountTrustPolicy(args: CrossAccountTrustArgs): PolicyDocument {
    const accounts = [...new Set(args.controllerRoleArns.map((arn) => accountOfArn(arn)))].sort();
    if (accounts.length === 0 || accounts.some((a) => a === undefined)) {
        throw new Error(`crossAccountTrustPolicy: every controller role needs an ARN with an account ID, got ${JSON.stringify(args.controllerRoleArns)}`);
    }
    if (args.clusterArns.length === 0) throw new Error("crossAccountTrustPolicy: at least one cluster ARN is required");
    const base = abacTrustPolicy({ ...args, accountId: accounts[0] as string });
    const roots = accounts.map((a) => `arn:${args.partition}:iam::${a}:root`);
    const clusters = [...args.clusterArns].sort();
    return {
        ...base,
        Statement: base.Statement.map((statement) =>
            withConditions({ ...statement, Principal: { AWS: roots.length === 1 ? roots[0] : roots } }, {
                "aws:PrincipalTag/eks-cluster-arn": clusters.length === 1 ? clusters[0] : clusters,
                "aws:PrincipalTag/kubernetes-service-account": args.esoServiceAccount,
            }),
        ),
    };
}

/** Adds `StringEquals` conditions for keys the statement does not test yet under any operator. */
function withConditions(statement: PolicyStatement, required: Record<string, string | string[]>): PolicyStatement {
    const present = new Set(Object.values(statement.Condition ?? {}).flatMap((block) => Object.keys(block).map((k) => k.toLowerCase())));
    const missing = Object.entries(required).filter(([k]) => !present.has(k.toLowerCase()));
    if (missing.length === 0) return statement;
    const condition = { ...(statement.Condition ?? {}) };
    condition.StringEquals = { ...(condition.StringEquals ?? {}), ...Object.fromEntries(missing) };
    return { ...statement, Condition: condition };
}
