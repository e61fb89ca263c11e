import * as aws from "@pulumi/aws";
import { createHash, randomBytes } from "crypto";
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
 * cloud sets 0). Only a deployment that creates or replaces the
 * association pays the wait (`associationCreatedTag`).
 */
export const ASSOCIATION_PROPAGATION_SECONDS = 20;

/** The annotation on ESO's pods that restarts them when the association is replaced. */
export const ASSOCIATION_ANNOTATION = "eks-secrets-abac.io/pod-identity-association";

/**
 * The tag on the association that remembers which deployment created it.
 * The SDK does not tell a created resource from an unchanged one, but the
 * engine does for `ignoreChanges`: the program's value is used only "when
 * there is no previous value in the state, most importantly when creating
 * the resource"; after that the state's value is kept (pulumi.com/docs,
 * Resource option: ignoreChanges). So the tag reads back as this
 * deployment's ID only in the deployment that created the association. A
 * replacement (cluster, namespace or service account changed:
 * UpdatePodIdentityAssociation "only allows updating the associated IAM
 * role", AWS CLI reference) gets a new key, since the key carries a hash of
 * the three, and with no previous value under it, this deployment's ID.
 * An ID, not a time: the program's clock at declaration is earlier than the
 * creation by however long the role before it took.
 */
export function associationCreatedTag(clusterName: string, namespace: string, serviceAccount: string): string {
    const hash = createHash("sha256").update(`${clusterName}/${namespace}/${serviceAccount}`).digest("hex").slice(0, 12);
    return `eks-secrets-abac.io/association-created-${hash}`;
}

/** This program run's ID: its start time and a random part (one per process, so two renders of one run are identical). */
export const DEPLOYMENT_ID = `${new Date().toISOString()}_${randomBytes(4).toString("hex")}`;

/**
 * Whether a deployment must wait for the association: when the tag reads
 * back as this deployment's ID (created or replaced now), and when it is
 * missing (nothing tells, so wait).
 */
export function associationIsNew(createdBy: string | undefined, deploymentId: string = DEPLOYMENT_ID): boolean {
    return createdBy === undefined || createdBy === deploymentId;
}

async function afterPropagation(id: string, createdBy: string | undefined): Promise<string> {
    const configured = Number(process.env.EKS_SECRETS_ABAC_ASSOCIATION_WAIT_SECONDS ?? ASSOCIATION_PROPAGATION_SECONDS);
    const seconds = Number.isFinite(configured) && configured >= 0 ? configured : ASSOCIATION_PROPAGATION_SECONDS;
    if (!pulumi.runtime.isDryRun() && seconds > 0 && associationIsNew(createdBy)) await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
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
        // A cluster name only known at deployment time cannot key the tag: its change then keeps the old time (no wait).
        const createdTag = associationCreatedTag(typeof args.clusterName === "string" ? args.clusterName : "", args.esoNamespace, args.esoServiceAccount);
        this.association = new aws.eks.PodIdentityAssociation(
            `${name}-pod-identity`,
            {
                clusterName: args.clusterName,
                namespace: args.esoNamespace,
                serviceAccount: args.esoServiceAccount,
                roleArn: this.role.arn,
                // The cluster and namespace tags are what the ABAC policy keys on.
                disableSessionTags: false,
                tags: { ...args.tags, [createdTag]: DEPLOYMENT_ID },
            },
            { parent: this, dependsOn: withDependencies(opts, [permissions]), ignoreChanges: [`tags["${createdTag}"]`] },
        );
        this.arn = this.role.arn;
        this.effectiveAssociationId = pulumi.all([this.association.associationId, this.association.tags]).apply(([id, t]) => afterPropagation(id, t?.[createdTag]));
        this.registerOutputs({ arn: this.arn, associationId: this.association.associationId });
    }
}
