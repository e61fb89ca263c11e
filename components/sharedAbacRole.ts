import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { componentOptions } from "./lib/aliases";
import { awsContext } from "./lib/account";
import { crossAccountTrustPolicy } from "./lib/crossAccount";
import { abacPermissionPolicy, renderPolicy } from "./lib/iam";
import { IrsaController, irsaAbacTrustStatements } from "./lib/irsa";
import { sharedRoleNameOf } from "./lib/naming";

export interface SharedAbacRoleArgs {
    /**
     * Controller roles that may assume this role, one per cluster; see
     * `controllerRoleName` and `roleArn` to name them before they exist.
     */
    readonly controllerRoleArns: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * ARNs of the clusters whose ESO may chain in: the trust pins the
     * session's transitive `eks-cluster-arn` tag to them (see `eksClusterArn`).
     * Pod Identity clusters only; empty when every cluster uses IRSA.
     */
    readonly clusterArns: pulumi.Input<pulumi.Input<string>[]>;
    /** ESO's service account on those clusters. @default ["external-secrets"] */
    readonly esoServiceAccounts?: string[];
    /**
     * IRSA controller roles, each with its cluster's name: admitted only
     * when the store sends `eks-cluster-name` equal to that cluster.
     */
    readonly irsaControllers?: pulumi.Input<pulumi.Input<IrsaControllerInput>[]>;
    /** Customer-managed KMS keys of the secrets; decrypted only through Secrets Manager (and Parameter Store). */
    readonly kmsKeyArns?: pulumi.Input<pulumi.Input<string>[]>;
    /** Also read tagged SSM parameters (`ssm:GetParameter(s)` only). @default false */
    readonly parameters?: boolean;
    /** Role name. @default `<component name>-role` (`sharedRoleNameOf`), fixed so guardrails can name it before it exists */
    readonly roleName?: string;
    /** Tags on the role. */
    readonly tags?: Record<string, string>;
}

export interface IrsaControllerInput {
    readonly roleArn: pulumi.Input<string>;
    readonly clusterName: string;
}

/**
 * The one role every team's reads go through. Its permission policy names
 * no team: a secret is readable when its `kubernetes-namespace` tag equals
 * the session's `esoNamespace` and its `eks-cluster-name` tag the session's
 * cluster. Adding a team never changes it.
 */
export class SharedAbacRole extends pulumi.ComponentResource {
    /** The IAM role. */
    public readonly role: aws.iam.Role;
    /** ARN of the role, once its permission policy is attached. */
    public readonly arn: pulumi.Output<string>;
    /** Name of the role. */
    public readonly name: pulumi.Output<string>;

    constructor(name: string, args: SharedAbacRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-secrets-abac:index:SharedAbacRole", name, {}, componentOptions("eks-secrets-abac:index:SharedAbacRole", opts));
        const ctx = awsContext(this);
        const trust = pulumi
            .all([ctx, args.controllerRoleArns, args.clusterArns, pulumi.output(args.irsaControllers ?? [])])
            .apply(([c, arns, clusterArns, irsa]) => {
                // A shared role of IRSA clusters only has no Pod Identity statement.
                const podIdentity =
                    arns.length > 0 || irsa.length === 0
                        ? // Pod Identity controller roles of other accounts are admitted through their accounts' roots.
                          crossAccountTrustPolicy({ partition: c.partition, controllerRoleArns: arns, clusterArns, esoServiceAccounts: args.esoServiceAccounts }).Statement
                        : [];
                return renderPolicy({ Version: "2012-10-17", Statement: [...podIdentity, ...irsaAbacTrustStatements(c, irsa as IrsaController[])] });
            });
        this.role = new aws.iam.Role(
            `${name}-role`,
            {
                name: args.roleName ?? sharedRoleNameOf(name),
                description: "Shared ABAC role: reads a Secrets Manager secret only for the namespace and cluster it is tagged with.",
                assumeRolePolicy: trust,
                maxSessionDuration: 3600,
                tags: args.tags,
            },
            { parent: this },
        );
        const permissions = new aws.iam.RolePolicy(
            `${name}-read-tagged-secrets`,
            {
                role: this.role.name,
                policy: pulumi
                    .all([ctx, args.kmsKeyArns ?? []])
                    .apply(([c, kmsKeyArns]) => renderPolicy(abacPermissionPolicy({ ...c, kmsKeyArns, parameters: args.parameters }))),
            },
            { parent: this },
        );
        // Consumers wait for the permissions, so a store never sees the bare role.
        this.arn = pulumi.all([this.role.arn, permissions.id]).apply(([arn]) => arn);
        this.name = this.role.name;
        this.registerOutputs({ arn: this.arn, name: this.name });
    }
}
