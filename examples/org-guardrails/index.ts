import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { controllerRoleName, csiRoleName, OrgGuardrails, sharedAbacRoleName } from "eks-secrets-abac";

const config = new pulumi.Config();
const profile = config.get("managementProfile");
/** The name of the member account's `EksSecretsAbac` (`new EksSecretsAbac("platform", ...)`). */
const abacComponent = config.get("abacComponentName") ?? "platform";

// Organizations policies are managed from the management account (or a
// delegated administrator); the rest of eks-secrets-abac runs in the member
// accounts the policies bind. Hence a provider of its own.
const management = new aws.Provider("management", { region: aws.config.region, profile: profile ? profile : undefined });

const guardrails = new OrgGuardrails(
    "eks-secrets-abac",
    {
        platformPrincipalArns: config.requireObject<string[]>("platformPrincipalArns"),
        breakGlassPrincipalArns: config.getObject<string[]>("breakGlassPrincipalArns") ?? [],
        // The names the member-account stack really creates: fixed from its
        // EksSecretsAbac's name, never an engine auto-name the SCP could not know.
        sharedRoleName: sharedAbacRoleName(abacComponent),
        controllerRoleNames: config.requireObject<string[]>("clusters").map(controllerRoleName),
        // Pods reading secrets as files (CSI) take this role; the RCP compares their pod's namespace.
        csiRoleNames: [csiRoleName(abacComponent)],
        targetIds: config.requireObject<string[]>("targetIds"),
    },
    { provider: management },
);

export const policyIds = guardrails.policyIds;
export const configRuleArn = guardrails.configRuleArn;
