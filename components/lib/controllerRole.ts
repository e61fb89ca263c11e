/**
 * What both ways of giving ESO's controller credentials (EKS Pod Identity,
 * IRSA) share: a role whose only permission is to assume the shared ABAC
 * role with session tags. Only the trust differs.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { controllerPermissionPolicy, renderPolicy } from "./iam";

export interface ControllerRoleBaseArgs {
    /** Role name; see `controllerRoleName`. */
    readonly roleName: string;
    readonly esoNamespace: string;
    readonly esoServiceAccount: string;
    /** The shared ABAC role, the only thing this role may do anything with. */
    readonly abacRoleArn: pulumi.Input<string>;
    readonly tags?: Record<string, string>;
}

/**
 * Declares `<name>-role` with `trust` and `<name>-assume-abac-role`, its
 * only permission. No Secrets Manager or SSM action: a store that forgets
 * `role` reads nothing.
 */
export function declareControllerRole(
    name: string,
    parent: pulumi.Resource,
    args: ControllerRoleBaseArgs & { description: string; trust: pulumi.Input<string> },
): { role: aws.iam.Role; permissions: aws.iam.RolePolicy } {
    const role = new aws.iam.Role(
        `${name}-role`,
        { name: args.roleName, description: args.description, assumeRolePolicy: args.trust, tags: args.tags },
        { parent },
    );
    const permissions = new aws.iam.RolePolicy(
        `${name}-assume-abac-role`,
        {
            role: role.name,
            policy: pulumi.output(args.abacRoleArn).apply((arn) => renderPolicy(controllerPermissionPolicy(arn))),
        },
        { parent },
    );
    return { role, permissions };
}
