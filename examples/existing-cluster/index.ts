import * as pulumi from "@pulumi/pulumi";
import { EksSecretsAbac, TeamSpec } from "eks-secrets-abac";

const config = new pulumi.Config();

// The component validates every team before it declares anything.
const abac = new EksSecretsAbac("platform", {
    clusterName: config.require("clusterName"),
    teams: config.requireObject<TeamSpec[]>("teams"),
});

export const abacRoleArn = abac.abacRoleArn;
export const controllerRoleArn = abac.controllerRoleArn;
export const storeName = abac.storeName;
export const secretArns = abac.teamSecretArns;
