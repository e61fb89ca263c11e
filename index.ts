/**
 * The stack program: one EksSecretsAbac from the stack's config. Onboarding
 * a team is one more entry under `eks-secrets-abac:teams`.
 */
import * as pulumi from "@pulumi/pulumi";
import { EksSecretsAbac } from "./components";
import { ConfigValidationError } from "./components/lib/validate";
import { configObjectFromPulumi, parseStackConfig, toArgs } from "./components/lib/stackConfig";

const project = pulumi.getProject();
const config = new pulumi.Config(project);
const parsed = parseStackConfig(configObjectFromPulumi(pulumi.runtime.allConfig(), project));
if (parsed.config === undefined) {
    throw new ConfigValidationError(parsed.problems);
}

const abac = new EksSecretsAbac(parsed.config.clusterName, toArgs(parsed.config, (key) => config.requireSecret(key)));

export const controllerRoleArn = abac.controllerRoleArn;
export const abacRoleArn = abac.abacRoleArn;
export const storeName = abac.storeName;
export const teamSecretArns = abac.teamSecretArns;
