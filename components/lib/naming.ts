import { createHash } from "crypto";

/** IAM role names: 1 to 64 characters (IAM quotas, "Role name"). */
export const IAM_ROLE_NAME_MAX = 64;
const CONTROLLER_SUFFIX = "-eso-controller";

/** `base` + `suffix`, shortened with a hash of `base` to stay within IAM's 64 characters and unique. */
export function withinRoleNameLimit(base: string, suffix: string): string {
    const plain = `${base}${suffix}`;
    if (plain.length <= IAM_ROLE_NAME_MAX) return plain;
    const hash = createHash("sha256").update(base).digest("hex").slice(0, 8);
    const keep = IAM_ROLE_NAME_MAX - suffix.length - hash.length - 1;
    return `${base.slice(0, keep)}-${hash}${suffix}`;
}

/**
 * Name of a cluster's ESO controller role. It is fixed by the cluster name
 * so that a shared ABAC role can trust the controller roles of several
 * clusters before they exist. Long cluster names are shortened with a hash
 * so the result stays within IAM's 64 characters and unique.
 */
export function controllerRoleName(clusterName: string): string {
    return withinRoleNameLimit(clusterName, CONTROLLER_SUFFIX);
}

/**
 * Physical name of a role the components declare as `<logical>`: the
 * logical name itself (within 64 characters), never an engine auto-name.
 * An auto-name ends in a random suffix, so a guardrail written before the
 * deployment (the SCP's `role/<name>`, the store guard, a key policy's
 * `aws:PrincipalArn`) could name nothing that exists.
 */
export function fixedRoleName(logicalName: string): string {
    return withinRoleNameLimit(logicalName, "");
}

/** The shared ABAC role `SharedAbacRole` `<name>` declares (unless `roleName` is given). */
export function sharedRoleNameOf(sharedAbacRoleComponentName: string): string {
    return fixedRoleName(`${sharedAbacRoleComponentName}-role`);
}

/** The shared ABAC role an `EksSecretsAbac` named `componentName` declares when no `sharedRole` is given. */
export function sharedAbacRoleName(componentName: string): string {
    return sharedRoleNameOf(`${componentName}-shared-abac`);
}

/** The CSI role an `EksSecretsAbac` named `componentName` declares when a team has `csi`. */
export function csiRoleName(componentName: string): string {
    return fixedRoleName(`${componentName}-csi-role`);
}

/**
 * The role name of shared-role group `group` (from 0; see trustGroups.ts):
 * `base` for the first, so a stack whose clusters fit one role keeps its
 * role; `<base>-g2`, `<base>-g3`... after, shortened with a hash of `base`
 * to stay within IAM's 64 characters. Fixed, so guardrails and key
 * policies can name every group's role before it exists.
 */
export function sharedRoleGroupName(base: string, group: number): string {
    return group === 0 ? base : withinRoleNameLimit(base, `-g${group + 1}`);
}
