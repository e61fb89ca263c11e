/**
 * Reading the stack's config with the checks, for programs:
 * `config.requireObject<TeamSpec[]>("teams")` only casts, so a typo in the
 * stack file (`externalSecret:`) would reach the component as an unknown
 * field. These read the same values and refuse what the config loader
 * refuses, every problem at once, naming the entry (docs/CONFIG.md).
 */
import Ajv from "ajv";
import * as pulumi from "@pulumi/pulumi";
import { configObjectFromPulumi, describeSchemaError, parseStackConfig, teamSchema, toArgs } from "./stackConfig";
import type { TeamConfig } from "./stackConfig";
import type { EksSecretsAbacArgs, TeamSpec } from "./types";
import { ConfigValidationError } from "./validate";

export interface LoadOptions {
    /** Keys of the namespace the program reads for itself, left out of the check (otherwise an unknown key is refused as a typo). */
    ignore?: string[];
}

/**
 * The whole component configuration of the project's namespace
 * (`<project>:clusterName`, `<project>:teams`, ...), checked as the
 * repository's own program checks it; `valueFromConfig` keys resolve to
 * secret config values. Throws one error listing every problem.
 */
export function loadStackConfig(config: pulumi.Config = new pulumi.Config(), options: LoadOptions = {}): EksSecretsAbacArgs {
    const raw = configObjectFromPulumi(pulumi.runtime.allConfig(), config.name);
    for (const key of options.ignore ?? []) delete raw[key];
    const parsed = parseStackConfig(raw);
    if (parsed.config === undefined) throw new ConfigValidationError(parsed.problems);
    return toArgs(parsed.config, (key) => config.requireSecret(key));
}

const checkTeams = new Ajv({ allErrors: true, strict: true, verbose: true }).compile({ type: "array", items: teamSchema });

/**
 * The teams list under `key` (default `teams`), its shape checked: unknown
 * fields and wrong types are refused with the config loader's messages;
 * `valueFromConfig` resolves to the secret config value it names. The
 * component checks the rest (names, duplicates, references).
 */
export function teamsFromConfig(config: pulumi.Config = new pulumi.Config(), key = "teams"): TeamSpec[] {
    const teams = config.requireObject<unknown>(key);
    if (!checkTeams(teams)) {
        const problems = (checkTeams.errors ?? []).map(describeSchemaError).map((p) => ({ path: p.path === "config" ? key : `${key}${p.path}`, message: p.message }));
        throw new ConfigValidationError(problems);
    }
    return toArgs({ clusterName: "", teams: teams as TeamConfig[] }, (name) => config.requireSecret(name)).teams;
}
