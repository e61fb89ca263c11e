import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { componentOptions } from "./lib/aliases";
import { awsContext } from "./lib/account";
import { csiPermissionPolicy, csiTrustPolicy } from "./lib/csiIam";
import { renderPolicy } from "./lib/iam";
import { fixedRoleName } from "./lib/naming";

export interface CsiRoleArgs {
    /** ARN of the cluster whose pods take the role (through their Pod Identity associations). */
    readonly clusterArn: pulumi.Input<string>;
    /** Namespaces whose pods must never take the role: at least ESO's, and the driver's. */
    readonly refusedNamespaces: string[];
    /** Customer-managed KMS keys of the secrets, decrypted only through Secrets Manager (and Parameter Store). */
    readonly kmsKeyArns?: string[];
    /** Also read the account's tagged SSM parameters. @default false */
    readonly parameters?: boolean;
    /** Role name. @default `<component name>-role`, fixed so guardrails can name it before it exists */
    readonly roleName?: string;
    readonly tags?: Record<string, string>;
}

/**
 * The one role of a cluster that pods mounting secrets through ASCP take,
 * with Pod Identity. Its permission names no team: a secret (or parameter)
 * is readable when its `kubernetes-namespace` and `eks-cluster-name` tags
 * equal the pod session's, which Pod Identity sets from the pod itself
 * (csiIam.ts). It is not the ESO shared role, and its trust refuses ESO's
 * namespace.
 */
export class CsiRole extends pulumi.ComponentResource {
    public readonly role: aws.iam.Role;
    /** ARN of the role, once its permission policy is attached. */
    public readonly arn: pulumi.Output<string>;

    constructor(name: string, args: CsiRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-secrets-abac:index:CsiRole", name, {}, componentOptions("eks-secrets-abac:index:CsiRole", opts));
        const ctx = awsContext(this);
        this.role = new aws.iam.Role(
            `${name}-role`,
            {
                name: args.roleName ?? fixedRoleName(`${name}-role`),
                description: "CSI role (ASCP, EKS Pod Identity): a pod reads a secret only when it is tagged with the pod's namespace and cluster.",
                assumeRolePolicy: pulumi
                    .all([ctx, args.clusterArn])
                    .apply(([c, clusterArn]) => renderPolicy(csiTrustPolicy({ partition: c.partition, accountId: c.accountId, clusterArn, refusedNamespaces: args.refusedNamespaces }))),
                maxSessionDuration: 3600,
                tags: args.tags,
            },
            { parent: this },
        );
        const permissions = new aws.iam.RolePolicy(
            `${name}-read-tagged-secrets`,
            {
                role: this.role.name,
                policy: ctx.apply((c) => renderPolicy(csiPermissionPolicy({ ...c, kmsKeyArns: args.kmsKeyArns, parameters: args.parameters }))),
            },
            { parent: this },
        );
        // Associations wait for the permissions, so no pod ever mounts with the bare role.
        this.arn = pulumi.all([this.role.arn, permissions.id]).apply(([arn]) => arn);
        this.registerOutputs({ arn: this.arn });
    }
}
