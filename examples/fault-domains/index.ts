import * as pulumi from "@pulumi/pulumi";
import { EksSecretsAbac, EsoControllerSpec, teamsFromConfig } from "eks-secrets-abac";

const config = new pulumi.Config();

// Each extra controller is a fault domain: a team that names it in `controller`
// is served only by it, so its load stops costing the other teams worker time.
const abac = new EksSecretsAbac("platform", {
    clusterName: config.require("clusterName"),
    esoControllers: config.getObject<EsoControllerSpec[]>("esoControllers") ?? [],
    teams: teamsFromConfig(config),
});

export const abacRoleArn = abac.abacRoleArn;
export const storeName = abac.storeName;
export const secretArns = abac.teamSecretArns;
