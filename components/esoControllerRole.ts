import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { componentOptions } from "./lib/aliases";
import { awsContext } from "./lib/account";
import { withDependencies } from "./lib/dependencies";
import { ControllerRoleBaseArgs, declareControllerRole } from "./lib/controllerRole";
import { controllerTrustPolicy, renderPolicy } from "./lib/iam";

export interface EsoControllerRoleArgs extends ControllerRoleBaseArgs {
    readonly clusterName: pulumi.Input<string>;
    readonly clusterArn: pulumi.Input<string>;
}

/**
 * The role of the ESO controller pods, through EKS Pod Identity. It holds no
 * Secrets Manager permission: a store that forgets `role` reads nothing.
 */
export class EsoControllerRole extends pulumi.ComponentResource {
    public readonly role: aws.iam.Role;
    public readonly association: aws.eks.PodIdentityAssociation;
    public readonly arn: pulumi.Output<string>;

    constructor(name: string, args: EsoControllerRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-secrets-abac:index:EsoControllerRole", name, {}, componentOptions("eks-secrets-abac:index:EsoControllerRole", opts));
        const ctx = awsContext(this);
        const trust = pulumi.all([ctx, args.clusterArn]).apply(([c, clusterArn]) =>
            renderPolicy(
                controllerTrustPolicy({
                    ...c,
                    clusterArn,
                    esoNamespace: args.esoNamespace,
                    esoServiceAccount: args.esoServiceAccount,
                }),
            ),
        );
        const { role, permissions } = declareControllerRole(name, this, {
            ...args,
            description: "ESO controller (EKS Pod Identity): may only assume the shared ABAC role with session tags.",
            trust,
        });
        this.role = role;
        this.association = new aws.eks.PodIdentityAssociation(
            `${name}-pod-identity`,
            {
                clusterName: args.clusterName,
                namespace: args.esoNamespace,
                serviceAccount: args.esoServiceAccount,
                roleArn: this.role.arn,
                // The cluster and namespace tags are what the ABAC policy keys on.
                disableSessionTags: false,
                tags: args.tags,
            },
            { parent: this, dependsOn: withDependencies(opts, [permissions]) },
        );
        this.arn = this.role.arn;
        this.registerOutputs({ arn: this.arn, associationId: this.association.associationId });
    }
}
