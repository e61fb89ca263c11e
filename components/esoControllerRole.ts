import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { componentOptions } from "./lib/aliases";
import { awsContext } from "./lib/account";
import { withDependencies } from "./lib/dependencies";
import { controllerPermissionPolicy, controllerTrustPolicy, renderPolicy } from "./lib/iam";

export interface EsoControllerRoleArgs {
    readonly clusterName: pulumi.Input<string>;
    readonly clusterArn: pulumi.Input<string>;
    /** Role name; see `controllerRoleName`. */
    readonly roleName: string;
    readonly esoNamespace: string;
    readonly esoServiceAccount: string;
    /** The shared ABAC role, the only thing this role may do anything with. */
    readonly abacRoleArn: pulumi.Input<string>;
    readonly tags?: Record<string, string>;
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
        this.role = new aws.iam.Role(
            `${name}-role`,
            {
                name: args.roleName,
                description: "ESO controller (EKS Pod Identity): may only assume the shared ABAC role with session tags.",
                assumeRolePolicy: trust,
                tags: args.tags,
            },
            { parent: this },
        );
        const permissions = new aws.iam.RolePolicy(
            `${name}-assume-abac-role`,
            {
                role: this.role.name,
                policy: pulumi.output(args.abacRoleArn).apply((arn) => renderPolicy(controllerPermissionPolicy(arn))),
            },
            { parent: this },
        );
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
