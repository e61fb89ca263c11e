import * as pulumi from "@pulumi/pulumi";
import { AwsAccount, CrossAccountSecretsAbac, TeamSpec } from "eks-secrets-abac";

interface ClusterConfig {
    name: string;
    kubeconfigContext: string;
    /** Prefix of the cluster's secret and parameter names in the shared secrets account. */
    secretNamePrefix: string;
    /** true installs the eks-pod-identity-agent add-on; false when the cluster has it already. */
    installPodIdentityAgent: boolean;
    teams: TeamSpec[];
}

const config = new pulumi.Config();
const region = new pulumi.Config("aws").require("region");
const deployRoleName = config.get("deployRoleName") ?? "OrganizationAccountAccessRole";

// Each account as data: the component builds one provider per account,
// pinned to it, so a provider that ends up in the wrong account fails
// before it creates anything.
function account(accountId: string): AwsAccount {
    return { accountId, region, roleArn: `arn:aws:iam::${accountId}:role/${deployRoleName}` };
}

const clusterAccount = account(config.require("clusterAccountId"));

const abac = new CrossAccountSecretsAbac("org", {
    secretsAccount: account(config.require("secretsAccountId")),
    keyAccount: account(config.require("keyAccountId")),
    keyWriterArns: config.getObject<string[]>("keyWriterArns"),
    clusters: config.requireObject<ClusterConfig[]>("clusters").map((c) => ({
        clusterName: c.name,
        secretNamePrefix: c.secretNamePrefix,
        account: clusterAccount,
        kubeconfigContext: c.kubeconfigContext,
        installPodIdentityAgent: c.installPodIdentityAgent,
        teams: c.teams,
    })),
});

export const abacRoleArn = abac.abacRoleArn;
export const kmsKeyArn = abac.kmsKeyArn;
export const keyPolicyStatements = abac.keyPolicyStatements;
export const controllerRoleArns = abac.controllerRoleArns;
export const secretArns = abac.secretArns;
export const parameterArns = abac.parameterArns;
