import * as eks from "@pulumi/eks";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { EksSecretsAbac, teamsFromConfig } from "eks-secrets-abac";

const config = new pulumi.Config();
const clusterName = config.require("clusterName");

// Pod Identity serves pods on nodes, not on Fargate; the default node role
// has AmazonEKSWorkerNodePolicy, which allows eks-auth:AssumeRoleForPodIdentity.
const cluster = new eks.Cluster("cluster", {
    name: clusterName,
    authenticationMode: eks.AuthenticationMode.Api,
    instanceType: "t3.medium",
    desiredCapacity: 2,
    minSize: 2,
    maxSize: 3,
});

const provider = new k8s.Provider("cluster", { kubeconfig: cluster.kubeconfigJson });

const abac = new EksSecretsAbac(
    "platform",
    {
        clusterName,
        // Known only once the cluster exists: no lookup by name.
        clusterArn: cluster.eksCluster.arn,
        // A cluster this program creates has no Pod Identity agent yet.
        installPodIdentityAgent: true,
        teams: teamsFromConfig(config),
    },
    { dependsOn: [cluster], providers: { kubernetes: provider } },
);

export const kubeconfig = pulumi.secret(cluster.kubeconfigJson);
export const abacRoleArn = abac.abacRoleArn;
export const secretArns = abac.teamSecretArns;
