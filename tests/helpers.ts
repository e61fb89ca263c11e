/**
 * Shared test helpers: the offline cloud (the only `setMocks`), compliant
 * fixtures, and stack configs of any size.
 */
import * as path from "path";
import type { EksSecretsAbacArgs, TeamSpec } from "../components";
import { artefactDir } from "./artefacts";

export * from "../cli/src/checker";
export * from "../cli/src/checker";

export const FIXTURES = path.join(__dirname, "fixtures");
/**
 * Released artefacts of other projects, never copied into the project: from
 * the team's vendor folder, else from their official source into a cache
 * (tests/artefacts.js). `artefactDir(id)` is the folder to read.
 */
export { artefactDir, VENDOR } from "./artefacts";
export const ESO_FIXTURES = artefactDir("external-secrets-2.9.0");

/** A team with one secret and one ExternalSecret that reads it. */
export function team(namespace: string): TeamSpec {
    return {
        namespace,
        secrets: [{ name: "db-password" }, { name: "api-key" }],
        externalSecrets: [
            {
                name: "app-credentials",
                data: [
                    { secretKey: "DB_PASSWORD", secret: "db-password" },
                    { secretKey: "API_KEY", secret: "api-key" },
                ],
            },
        ],
    };
}

/** The Pod Identity agent choice a test stack makes unless it says otherwise: install it; none with IRSA. */
export function agentChoice(overrides: Partial<EksSecretsAbacArgs> = {}): Pick<EksSecretsAbacArgs, "installPodIdentityAgent"> {
    return overrides.identity === "irsa" ? {} : { installPodIdentityAgent: true };
}

/** Component arguments for `count` teams named team-000, team-001, ... */
export function argsWithTeams(count: number, overrides: Partial<EksSecretsAbacArgs> = {}): EksSecretsAbacArgs {
    const teams = Array.from({ length: count }, (_, i) => team(`team-${String(i).padStart(3, "0")}`));
    return { clusterName: "prod-eu", ...agentChoice(overrides), teams, ...overrides };
}

/** The two-team stack of the README: payments and search. */
export function twoTeamArgs(overrides: Partial<EksSecretsAbacArgs> = {}): EksSecretsAbacArgs {
    return { clusterName: "prod-eu", ...agentChoice(overrides), teams: [team("payments"), team("search")], ...overrides };
}

