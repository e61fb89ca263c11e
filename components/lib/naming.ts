import { createHash } from "crypto";

const IAM_ROLE_NAME_MAX = 64;
const CONTROLLER_SUFFIX = "-eso-controller";

/**
 * Name of a cluster's ESO controller role. It is fixed by the cluster name
 * so that a shared ABAC role can trust the controller roles of several
 * clusters before they exist. Long cluster names are shortened with a hash
 * so the result stays within IAM's 64 characters and unique.
 */
export function controllerRoleName(clusterName: string): string {
    const plain = `${clusterName}${CONTROLLER_SUFFIX}`;
    if (plain.length <= IAM_ROLE_NAME_MAX) return plain;
    const hash = createHash("sha256").update(clusterName).digest("hex").slice(0, 8);
    const keep = IAM_ROLE_NAME_MAX - CONTROLLER_SUFFIX.length - hash.length - 1;
    return `${clusterName.slice(0, keep)}-${hash}${CONTROLLER_SUFFIX}`;
}
