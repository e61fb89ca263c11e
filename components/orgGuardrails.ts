import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { componentOptions } from "./lib/aliases";
import { accountProvider } from "./lib/awsAccount";
import { assertValidOrgGuardrailsArgs, OrgGuardrailsArgs } from "./lib/guardrailArgs";
import {
    guardrailConfigPolicy,
    guardrailResourceControlPolicy,
    guardrailServiceControlPolicy,
    guardrailTagPolicy,
} from "./lib/guardrails";
import { renderPolicy } from "./lib/iam";

/**
 * Organisation guardrails that keep the ABAC tags, the secrets' resource
 * policies and the two roles out of reach of everyone but the platform
 * principals. Deploy it from the organisation's management account (or a
 * delegated administrator for Organizations policies and AWS Config):
 * name it in `managementAccount`, or pass its provider in the resource
 * options. The other components run in the member accounts the policies bind.
 */
export class OrgGuardrails extends pulumi.ComponentResource {
    /** Policy IDs by kind, for the enabled kinds. */
    public readonly policyIds: Record<string, pulumi.Output<string>> = {};
    public readonly configRuleArn?: pulumi.Output<string>;

    constructor(name: string, args: OrgGuardrailsArgs, opts?: pulumi.ComponentResourceOptions) {
        // Before super(): a bad argument must not leave even the component behind.
        assertValidOrgGuardrailsArgs(args);
        super("eks-secrets-abac:index:OrgGuardrails", name, {}, componentOptions("eks-secrets-abac:index:OrgGuardrails", opts));
        // Children inherit the options' provider unless the account is given as data.
        const provider = args.managementAccount !== undefined ? accountProvider(`${name}-management-account`, args.managementAccount, this) : undefined;
        const childOpts = { parent: this, provider };

        const policies: { kind: string; type: string; enabled: boolean; content: string; description: string }[] = [
            {
                kind: "scp",
                type: "SERVICE_CONTROL_POLICY",
                enabled: args.serviceControlPolicy ?? true,
                content: renderPolicy(guardrailServiceControlPolicy(args)),
                description: "eks-secrets-abac: only platform principals change ABAC tags, secret resource policies and the ABAC roles",
            },
            {
                kind: "rcp",
                type: "RESOURCE_CONTROL_POLICY",
                enabled: args.resourceControlPolicy ?? true,
                content: renderPolicy(guardrailResourceControlPolicy(args)),
                description: "eks-secrets-abac: a namespace-tagged secret is read only by its namespace's ESO session",
            },
            {
                kind: "tag-policy",
                type: "TAG_POLICY",
                enabled: args.tagPolicy ?? true,
                content: JSON.stringify(guardrailTagPolicy()),
                description: "eks-secrets-abac: exact capitalisation of the ABAC tag keys on Secrets Manager",
            },
        ];
        for (const p of policies.filter((p) => p.enabled)) {
            const policy = new aws.organizations.Policy(
                `${name}-${p.kind}`,
                { type: p.type, content: p.content, description: p.description, tags: args.tags },
                childOpts,
            );
            // Named from the target ID, never its position: reordering targets replaces nothing.
            for (const target of args.targetIds) {
                new aws.organizations.PolicyAttachment(
                    `${name}-${p.kind}-${target}`,
                    { policyId: policy.id, targetId: target },
                    childOpts,
                );
            }
            this.policyIds[p.kind] = policy.id;
        }

        if (args.configRule ?? true) {
            const rule = new aws.cfg.OrganizationCustomPolicyRule(
                `${name}-config-rule`,
                {
                    name: `${name}-abac-secret-tags`,
                    description: "Secrets carry both ABAC tags, non-empty, and no case variant of their keys.",
                    policyRuntime: "guard-2.x.x",
                    policyText: guardrailConfigPolicy({ secretNamePrefix: args.secretNamePrefix }),
                    resourceTypesScopes: ["AWS::SecretsManager::Secret"],
                    triggerTypes: ["ConfigurationItemChangeNotification"],
                    excludedAccounts: args.configRuleExcludedAccounts,
                },
                childOpts,
            );
            this.configRuleArn = rule.arn;
        }

        this.registerOutputs({ policyIds: this.policyIds, configRuleArn: this.configRuleArn });
    }
}
