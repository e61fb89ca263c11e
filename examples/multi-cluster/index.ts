import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { controllerRoleName, EksSecretsAbac, roleArn, SharedAbacRole, TeamSpec } from "eks-secrets-abac";

interface ClusterConfig {
    name: string;
    kubeconfigContext: string;
    secretNamePrefix: string;
    teams: TeamSpec[];
}

const clusters = new pulumi.Config().requireObject<ClusterConfig[]>("clusters");
const identity = aws.getCallerIdentityOutput();
const partition = aws.getPartitionOutput();

// One role for every cluster: it trusts each cluster's controller role by
// name, so it can be declared before them. The same namespace on two
// clusters stays apart through the eks-cluster-name tag.
const shared = new SharedAbacRole("shared", {
    controllerRoleArns: clusters.map((c) =>
        pulumi
            .all([identity.accountId, partition.partition])
            .apply(([accountId, p]) => roleArn({ accountId, partition: p }, controllerRoleName(c.name))),
    ),
    // The chained session must carry one of these clusters' Pod Identity tag.
    clusterArns: clusters.map((c) => aws.eks.getClusterOutput({ name: c.name }).arn),
});

const stacks = clusters.map(
    (c) =>
        new EksSecretsAbac(
            c.name,
            { clusterName: c.name, secretNamePrefix: c.secretNamePrefix, teams: c.teams, sharedRole: shared },
            { providers: { kubernetes: new k8s.Provider(c.name, { context: c.kubeconfigContext }) } },
        ),
);

export const abacRoleArn = shared.arn;
export const secretArns = Object.fromEntries(stacks.map((s, i) => [clusters[i].name, s.teamSecretArns]));
