import * as pulumi from "@pulumi/pulumi";
import { EksSecretsAbac, teamsFromConfig } from "eks-secrets-abac";

const config = new pulumi.Config();

// Teams with `csi` get a Pod Identity association per service account with
// the cluster's CSI role, and their SecretProviderClasses; the Secrets Store
// CSI Driver and ASCP are installed once, because some team asked.
const abac = new EksSecretsAbac("platform", {
    clusterName: config.require("clusterName"),
    teams: teamsFromConfig(config),
    // true installs the eks-pod-identity-agent add-on; false when the cluster
    // has it already (see examples/existing-cluster).
    installPodIdentityAgent: config.requireBoolean("installPodIdentityAgent"),
});

export const csiRoleArn = abac.csiRoleArn;
export const abacRoleArn = abac.abacRoleArn;
export const storeName = abac.storeName;
export const secretArns = abac.teamSecretArns;
export const parameterArns = abac.teamParameterArns;
