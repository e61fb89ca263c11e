import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { controllerRoleName, OrgGuardrails } from "eks-secrets-abac";

const config = new pulumi.Config();
const profile = config.get("managementProfile");

// Organizations policies are managed from the management account (or a
// delegated administrator); the rest of eks-secrets-abac runs in the member
// accounts the policies bind. Hence a provider of its own.
const management = new aws.Provider("management", { region: aws.config.region, profile: profile ? profile : undefined });

const guardrails = new OrgGuardrails(
    "eks-secrets-abac",
    {
        platformPrincipalArns: config.requireObject<string[]>("platformPrincipalArns"),
        breakGlassPrincipalArns: config.getObject<string[]>("breakGlassPrincipalArns") ?? [],
        sharedRoleName: config.require("sharedRoleName"),
        controllerRoleNames: config.requireObject<string[]>("clusters").map(controllerRoleName),
        targetIds: config.requireObject<string[]>("targetIds"),
    },
    { provider: management },
);

export const policyIds = guardrails.policyIds;
export const configRuleArn = guardrails.configRuleArn;
