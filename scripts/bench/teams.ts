/** The benchmark's teams: two secrets and one ExternalSecret each. */
import type { TeamSpec } from "../../components/lib/types";

export function benchTeams(count: number): TeamSpec[] {
    return Array.from({ length: count }, (_, i) => {
        const namespace = `team-${String(i).padStart(4, "0")}`;
        return {
            namespace,
            secrets: [{ name: "db-password" }, { name: "api-key" }],
            externalSecrets: [{ name: "app", data: [{ secretKey: "DB_PASSWORD", secret: "db-password" }, { secretKey: "API_KEY", secret: "api-key" }] }],
        };
    });
}
