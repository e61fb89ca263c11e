import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { componentOptions } from "./lib/aliases";
import { ControllerRoleBaseArgs, declareControllerRole } from "./lib/controllerRole";
import { renderPolicy } from "./lib/iam";
import { irsaControllerTrustPolicy } from "./lib/irsa";

export interface IrsaControllerRoleArgs extends ControllerRoleBaseArgs {
    /** The cluster's IAM OIDC provider: `arn:aws:iam::<account>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<id>`. */
    readonly oidcProviderArn: string;
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
        const { role, permissions } = declareControllerRole(name, this, {
            ...args,
            description: "ESO controller (IRSA): may only assume the shared ABAC role with session tags.",
            trust: renderPolicy(
                irsaControllerTrustPolicy({
                    oidcProviderArn: args.oidcProviderArn,
                    esoNamespace: args.esoNamespace,
                    esoServiceAccount: args.esoServiceAccount,
                }),
            ),
        });
        this.role = role;
        // Consumers (the Helm release annotating the service account) wait for the permissions too.
        this.arn = pulumi.all([this.role.arn, permissions.id]).apply(([arn]) => arn);
        this.registerOutputs({ arn: this.arn });
    }
}
