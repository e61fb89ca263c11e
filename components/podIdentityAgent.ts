import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { componentOptions } from "./lib/aliases";
import { POD_IDENTITY_ADDON_NAME } from "./lib/constants";
import { withDependencies } from "./lib/dependencies";

export interface PodIdentityAgentArgs {
    readonly clusterName: pulumi.Input<string>;
    /** Add-on version. @default the one EKS picks for the cluster's Kubernetes version */
    readonly addonVersion?: pulumi.Input<string>;
    readonly tags?: Record<string, string>;
}

/**
 * The `eks-pod-identity-agent` add-on: the node agent that hands Pod
 * Identity credentials to pods. It does not serve Fargate pods, and the node
 * role needs `eks-auth:AssumeRoleForPodIdentity` (in AmazonEKSWorkerNodePolicy).
 */
export class PodIdentityAgent extends pulumi.ComponentResource {
    public readonly addon: aws.eks.Addon;
    public readonly addonVersion: pulumi.Output<string>;

    constructor(name: string, args: PodIdentityAgentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-secrets-abac:index:PodIdentityAgent", name, {}, componentOptions("eks-secrets-abac:index:PodIdentityAgent", opts));
        this.addon = new aws.eks.Addon(
            `${name}-addon`,
            {
                clusterName: args.clusterName,
                addonName: POD_IDENTITY_ADDON_NAME,
                addonVersion: args.addonVersion,
                // An agent that EKS installed itself is adopted, not duplicated.
                resolveConflictsOnCreate: "OVERWRITE",
                resolveConflictsOnUpdate: "PRESERVE",
                tags: args.tags,
            },
            // A cluster created in the same program comes in through opts.dependsOn.
            { parent: this, dependsOn: withDependencies(opts, []) },
        );
        this.addonVersion = this.addon.addonVersion;
        this.registerOutputs({ addonVersion: this.addonVersion });
    }
}
