/**
 * How a team receives its values is its own choice. ESO copies a value into a
 * Kubernetes Secret; the CSI driver with ASCP mounts it as a file in the
 * pod's volume only. A team that chose files (`csi`, no `externalSecrets`)
 * must not also be served by the ClusterSecretStore: with the store's label
 * it could write an ExternalSecret and copy its values into a Secret after
 * all. It gets ESO too only when it asks for both (csi and externalSecrets);
 * a team without csi keeps ESO, the default delivery.
 */
import type { TeamSpec } from "./types";

/** Whether the team's namespace carries the label the ClusterSecretStores select. */
export function teamUsesEso(team: Pick<TeamSpec, "csi" | "externalSecrets">): boolean {
    return team.csi === undefined || (team.externalSecrets ?? []).length > 0;
}
