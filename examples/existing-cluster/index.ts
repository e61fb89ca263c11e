import * as pulumi from "@pulumi/pulumi";
import { EksSecretsAbac, teamsFromConfig } from "eks-secrets-abac";

const config = new pulumi.Config();

// teamsFromConfig checks the teams as the stack file holds them (a typo is named,
// not dropped); the component validates every team before it declares anything.
const abac = new EksSecretsAbac("platform", {
    clusterName: config.require("clusterName"),
    teams: teamsFromConfig(config),
});

export const abacRoleArn = abac.abacRoleArn;
export const controllerRoleArn = abac.controllerRoleArn;
export const storeName = abac.storeName;
export const secretArns = abac.teamSecretArns;
