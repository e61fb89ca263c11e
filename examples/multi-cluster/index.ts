import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { clusterTrustGroups, controllerRoleName, EksSecretsAbac, roleArn, SharedAbacRole, TeamSpec } from "eks-secrets-abac";

interface ClusterConfig {
    name: string;
    kubeconfigContext: string;
    secretNamePrefix: string;
    /** true installs the eks-pod-identity-agent add-on; false when the cluster has it already. */
    installPodIdentityAgent: boolean;
    teams: TeamSpec[];
}

const clusters = new pulumi.Config().requireObject<ClusterConfig[]>("clusters");
const identity = aws.getCallerIdentityOutput();
const partition = aws.getPartitionOutput();

// One role for every cluster: it trusts each cluster's controller role by
// name, so it can be declared before them. The same namespace on two
// clusters stays apart through the eks-cluster-name tag. Each cluster adds
// about 123 characters to the role's trust, and IAM's trust policy quota is
// 2,048 (4,096 on request): past 13 clusters, further roles (shared-role-g2,
// ...) take the next clusters. Appending a cluster never moves another one.
const region = aws.config.region;
if (region === undefined) throw new Error("aws:region is not set: the clusters' Region counts in the shared roles' trust size");
const groups = clusterTrustGroups({ region, roleName: "shared-role", clusters: clusters.map((c) => ({ clusterName: c.name })) });
const shared = groups.roleNames.map((roleName, g) => {
    const members = clusters.filter((_, i) => groups.groupOf[i] === g);
    return new SharedAbacRole(g === 0 ? "shared" : `shared-g${g + 1}`, {
        roleName,
        controllerRoleArns: members.map((c) =>
            pulumi
                .all([identity.accountId, partition.partition])
                .apply(([accountId, p]) => roleArn({ accountId, partition: p }, controllerRoleName(c.name))),
        ),
        // The chained session must carry one of these clusters' Pod Identity tag.
        clusterArns: members.map((c) => aws.eks.getClusterOutput({ name: c.name }).arn),
    });
});

const stacks = clusters.map(
    (c, i) =>
        new EksSecretsAbac(
            c.name,
            {
                clusterName: c.name,
                secretNamePrefix: c.secretNamePrefix,
                installPodIdentityAgent: c.installPodIdentityAgent,
                teams: c.teams,
                sharedRole: shared[groups.groupOf[i]],
            },
            { providers: { kubernetes: new k8s.Provider(c.name, { context: c.kubeconfigContext }) } },
        ),
);

export const abacRoleArn = shared[0].arn;
/** Give these to the organisation guardrails (`sharedRoleName` and `sharedRoleNames`). */
export const sharedRoleNames = groups.roleNames;
export const secretArns = Object.fromEntries(stacks.map((s, i) => [clusters[i].name, s.teamSecretArns]));
