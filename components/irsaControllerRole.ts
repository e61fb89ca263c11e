import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { componentOptions } from "./lib/aliases";
import { controllerPermissionPolicy, renderPolicy } from "./lib/iam";
import { irsaControllerTrustPolicy } from "./lib/irsa";

export interface IrsaControllerRoleArgs {
    /** The cluster's IAM OIDC provider: `arn:aws:iam::<account>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<id>`. */
    readonly oidcProviderArn: string;
    /** Role name; see `controllerRoleName`. */
    readonly roleName: string;
    readonly esoNamespace: string;
    readonly esoServiceAccount: string;
    /** The shared ABAC role, the only thing this role may do anything with. */
    readonly abacRoleArn: pulumi.Input<string>;
    readonly tags?: Record<string, string>;
}

/**
 * The ESO controller's role through IRSA, for clusters without EKS Pod
 * Identity. Like the Pod Identity controller role it holds no Secrets
 * Manager permission; unlike it, its sessions carry no tags, so the store
 * sends the cluster's name and the shared role's trust pins it.
 */
export class IrsaControllerRole extends pulumi.ComponentResource {
    public readonly role: aws.iam.Role;
    public readonly arn: pulumi.Output<string>;

    constructor(name: string, args: IrsaControllerRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-secrets-abac:index:IrsaControllerRole", name, {}, componentOptions("eks-secrets-abac:index:IrsaControllerRole", opts));
        this.role = new aws.iam.Role(
            `${name}-role`,
            {
                name: args.roleName,
                description: "ESO controller (IRSA): may only assume the shared ABAC role with session tags.",
                assumeRolePolicy: renderPolicy(
                    irsaControllerTrustPolicy({
                        oidcProviderArn: args.oidcProviderArn,
                        esoNamespace: args.esoNamespace,
                        esoServiceAccount: args.esoServiceAccount,
                    }),
                ),
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
        // Consumers (the Helm release annotating the service account) wait for the permissions too.
        this.arn = pulumi.all([this.role.arn, permissions.id]).apply(([arn]) => arn);
        this.registerOutputs({ arn: this.arn });
    }
}
