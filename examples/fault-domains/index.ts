import * as pulumi from "@pulumi/pulumi";
import { EksSecretsAbac, EsoControllerSpec, teamsFromConfig } from "eks-secrets-abac";

const config = new pulumi.Config();

// Each extra controller is a fault domain: a team that names it in `controller`
// is served only by it, so its load stops costing the other teams worker time.
const abac = new EksSecretsAbac("platform", {
    clusterName: config.require("clusterName"),
    esoControllers: config.getObject<EsoControllerSpec[]>("esoControllers") ?? [],
    teams: teamsFromConfig(config),
    // true installs the eks-pod-identity-agent add-on; false when the cluster
    // has it already (see examples/existing-cluster).
    installPodIdentityAgent: config.requireBoolean("installPodIdentityAgent"),
});

export const abacRoleArn = abac.abacRoleArn;
export const storeName = abac.storeName;
export const secretArns = abac.teamSecretArns;
