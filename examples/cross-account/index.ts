import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CrossAccountSecretsAbac, TeamSpec } from "eks-secrets-abac";

interface ClusterConfig {
    name: string;
    kubeconfigContext: string;
    /** Prefix of the cluster's secret and parameter names in the shared secrets account. */
    secretNamePrefix: string;
    teams: TeamSpec[];
}

const config = new pulumi.Config();
const region = new pulumi.Config("aws").require("region");
const deployRoleName = config.get("deployRoleName") ?? "OrganizationAccountAccessRole";

// One provider per account, pinned to it: a provider that ends up in the
// wrong account fails before it creates anything.
function accountProvider(name: string, accountId: string): aws.Provider {
    return new aws.Provider(name, {
        region: region as aws.Region,
        allowedAccountIds: [accountId],
        assumeRoles: [{ roleArn: `arn:aws:iam::${accountId}:role/${deployRoleName}` }],
    });
}

const clusterAccount = accountProvider("cluster-account", config.require("clusterAccountId"));
const secretsAccount = accountProvider("secrets-account", config.require("secretsAccountId"));
const keyAccount = accountProvider("key-account", config.require("keyAccountId"));

const abac = new CrossAccountSecretsAbac("org", {
    secretsProvider: secretsAccount,
    keyProvider: keyAccount,
    keyWriterArns: config.getObject<string[]>("keyWriterArns"),
    clusters: config.requireObject<ClusterConfig[]>("clusters").map((c) => ({
        clusterName: c.name,
        secretNamePrefix: c.secretNamePrefix,
        awsProvider: clusterAccount,
        kubernetesProvider: new k8s.Provider(c.name, { context: c.kubeconfigContext }),
        teams: c.teams,
    })),
});

export const abacRoleArn = abac.abacRoleArn;
export const kmsKeyArn = abac.kmsKeyArn;
export const keyPolicyStatements = abac.keyPolicyStatements;
export const controllerRoleArns = abac.controllerRoleArns;
export const secretArns = abac.secretArns;
export const parameterArns = abac.parameterArns;
