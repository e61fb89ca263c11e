import * as pulumi from "@pulumi/pulumi";
import { EksSecretsAbac, teamsFromConfig } from "eks-secrets-abac";

const config = new pulumi.Config();

// teamsFromConfig checks the teams as the stack file holds them (a typo is named,
// not dropped); the component validates every team before it declares anything.
const abac = new EksSecretsAbac("platform", {
    clusterName: config.require("clusterName"),
    teams: teamsFromConfig(config),
    // An existing cluster often has the Pod Identity agent already, as an EKS
    // add-on: creating it again fails with "ResourceInUseException: Addon
    // already exists" (resolveConflictsOnCreate covers self-managed objects
    // only). Say which it is, explicitly:
    //   aws eks describe-addon --cluster-name <cluster> --addon-name eks-pod-identity-agent
    // succeeds -> false (the component uses the agent as it is); fails with
    // ResourceNotFoundException -> true (the component installs it).
    installPodIdentityAgent: config.requireBoolean("installPodIdentityAgent"),
});

export const abacRoleArn = abac.abacRoleArn;
export const controllerRoleArn = abac.controllerRoleArn;
export const storeName = abac.storeName;
export const secretArns = abac.teamSecretArns;
