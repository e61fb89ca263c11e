import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsContext } from "./lib/account";
import { componentOptions } from "./lib/aliases";
import { renderPolicy } from "./lib/iam";
import { KmsService, secretsKeyPolicy } from "./lib/kms";

export interface SecretsKmsKeyArgs {
    /** The secrets account, whose shared role and writers may use the key. */
    readonly secretsAccountId: pulumi.Input<string>;
    /** Region of the secrets and parameters (the key's region too). */
    readonly secretsRegion: pulumi.Input<string>;
    /** The shared ABAC role: the only principal that may decrypt, through the services only. */
    readonly sharedRoleArn: pulumi.Input<string | string[]>;
    /** Principals of the secrets account that create secrets and parameters (the deployment role). */
    readonly writerArns?: pulumi.Input<pulumi.Input<string>[]>;
    /** @default ["secretsmanager", "ssm"] */
    readonly services?: KmsService[];
    readonly description?: string;
    readonly tags?: Record<string, string>;
}

/**
 * A customer-managed key in the key account (the provider of this
 * component) for secrets and parameters of another account. Its policy lets
 * the key account administer the key without using it, and the secrets
 * account's shared role decrypt only through Secrets Manager or Parameter
 * Store, only for that account's secrets and parameters, as that account.
 */
export class SecretsKmsKey extends pulumi.ComponentResource {
    public readonly key: aws.kms.Key;
    public readonly arn: pulumi.Output<string>;
    /** The key policy as deployed. */
    public readonly policy: pulumi.Output<string>;

    constructor(name: string, args: SecretsKmsKeyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-secrets-abac:index:SecretsKmsKey", name, {}, componentOptions("eks-secrets-abac:index:SecretsKmsKey", opts));
        const ctx = awsContext(this);
        this.policy = pulumi
            .all([ctx, args.secretsAccountId, args.secretsRegion, args.sharedRoleArn, args.writerArns ?? []])
            .apply(([c, accountId, region, sharedRoleArn, writerArns]) =>
                renderPolicy(
                    secretsKeyPolicy({
                        partition: c.partition,
                        region,
                        accountId,
                        keyAccountId: c.accountId,
                        sharedRoleArn,
                        writerArns,
                        services: args.services ?? ["secretsmanager", "ssm"],
                    }),
                ),
            );
        this.key = new aws.kms.Key(
            `${name}-key`,
            {
                description: args.description ?? "Secrets and parameters read through the shared ABAC role of another account.",
                enableKeyRotation: true,
                policy: this.policy,
                tags: args.tags,
            },
            { parent: this },
        );
        this.arn = this.key.arn;
        this.registerOutputs({ arn: this.arn, policy: this.policy });
    }
}
