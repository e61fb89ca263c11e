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
 * A Pod Identity association "may take several seconds" to take effect
 * after it is created (EKS API Reference, CreatePodIdentityAssociation);
 * a pod started before keeps no Pod Identity credentials until it is
 * restarted (eksctl-io/eksctl#7709: the credentials are injected when the
 * pod is admitted). The ESO release therefore waits this long after the
 * association, and its pods carry the association's ID as an annotation,
 * so a replaced association restarts them. Set the environment variable
 * `EKS_SECRETS_ABAC_ASSOCIATION_WAIT_SECONDS` to change it (the offline
 * cloud sets 0). Every deployment, not only the first, pays the wait: the
 * SDK does not tell a created association from an unchanged one.
 */
export const ASSOCIATION_PROPAGATION_SECONDS = 20;

/** The annotation on ESO's pods that restarts them when the association is replaced. */
export const ASSOCIATION_ANNOTATION = "eks-secrets-abac.io/pod-identity-association";

async function afterPropagation(id: string): Promise<string> {
    const configured = Number(process.env.EKS_SECRETS_ABAC_ASSOCIATION_WAIT_SECONDS ?? ASSOCIATION_PROPAGATION_SECONDS);
    const seconds = Number.isFinite(configured) && configured >= 0 ? configured : ASSOCIATION_PROPAGATION_SECONDS;
    if (!pulumi.runtime.isDryRun() && seconds > 0) await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    return id;
}

/**
 * The role of the ESO controller pods, through EKS Pod Identity. It holds no
 * Secrets Manager permission: a store that forgets `role` reads nothing.
 */
export class EsoControllerRole extends pulumi.ComponentResource {
    public readonly role: aws.iam.Role;
    public readonly association: aws.eks.PodIdentityAssociation;
    public readonly arn: pulumi.Output<string>;
    /**
     * The association's ID once it has had time to take effect: resolves
     * `ASSOCIATION_PROPAGATION_SECONDS` after the association exists, in a
     * deployment (not in a preview). Whatever starts ESO's pods waits for it.
     */
    public readonly effectiveAssociationId: pulumi.Output<string>;

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
        this.effectiveAssociationId = this.association.associationId.apply(afterPropagation);
        this.registerOutputs({ arn: this.arn, associationId: this.association.associationId });
    }
}
