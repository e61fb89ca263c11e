/**
 * The components check their own arguments' shape at run time: a program in
 * JavaScript, a `config.requireObject<TeamSpec[]>()` (a cast, not a check),
 * Pulumi YAML and the multi-language plugin all reach the constructor with
 * whatever they were given, and a typo such as `externalSecret:` would
 * otherwise drop the ExternalSecret without a word. The schema is the stack
 * config's (stackConfig.ts), with the fields only a program can pass (Inputs,
 * the shared role); the messages are the config loader's, every problem at once.
 */
import Ajv, { ErrorObject } from "ajv";
import * as pulumi from "@pulumi/pulumi";
import { describeSchemaError, mergeProblems, stackConfigSchema, teamSchema } from "./stackConfig";
import type { EksSecretsAbacArgs, TeamSpec } from "./types";
import { ConfigValidationError, Problem, validateArgs } from "./validate";

/** Any value: an Input, or a component (the shared role), is not the shape's to judge. */
const anything = {} as const;

const argsTeamSchema = {
    ...teamSchema,
    properties: {
        ...teamSchema.properties,
        secrets: {
            type: "array",
            items: { ...teamSchema.properties.secrets.items, properties: { ...omit(teamSchema.properties.secrets.items.properties, "valueFromConfig"), value: anything } },
        },
        parameters: {
            type: "array",
            items: { ...teamSchema.properties.parameters.items, properties: { ...omit(teamSchema.properties.parameters.items.properties, "valueFromConfig"), kmsKeyId: anything, value: anything } },
        },
    },
};

const argsSchema = {
    ...stackConfigSchema,
    properties: {
        ...omit(stackConfigSchema.properties, "trustedReaders"),
        clusterArn: anything,
        sharedRole: anything,
        secretsKmsKeyId: anything,
        teams: { type: "array", items: argsTeamSchema },
    },
};

function omit<T extends object, K extends keyof T>(o: T, key: K): Omit<T, K> {
    const { [key]: _dropped, ...rest } = o;
    return rest;
}

const ajv = new Ajv({ allErrors: true, strict: true, verbose: true });
const checkArgs = ajv.compile(argsSchema);
const checkTeams = ajv.compile({ type: "array", items: argsTeamSchema });

/**
 * A copy of plain objects and lists, without the values not known yet
 * (Outputs and promises: a preview's unknowns through the plugin); any other
 * object (a component passed as the shared role) is kept as it is.
 */
function known(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(known);
    if (value === null || typeof value !== "object") return value;
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
        if (pulumi.Output.isInstance(v) || (v !== null && typeof v === "object" && typeof (v as { then?: unknown }).then === "function")) continue;
        out[k] = known(v);
    }
    return out;
}

/** `value` with the entries the shape refused removed (unknown fields, wrong types), for the rules to read. */
function withoutRefused(value: unknown, errors: ErrorObject[]): unknown {
    const copy = known(value);
    for (const e of errors) {
        const parts = e.instancePath.split("/").filter((p) => p.length > 0);
        if (e.keyword === "additionalProperties") parts.push(String(e.params.additionalProperty));
        if (e.keyword === "required" || parts.length === 0) continue;
        const last = parts.pop()!;
        let node = copy as Record<string, unknown> | undefined;
        for (const part of parts) node = node?.[part] as Record<string, unknown> | undefined;
        if (node !== null && typeof node === "object") delete node[last];
    }
    return copy;
}

/** `/teams/2` under `at`: `teams[2]`, or `clusters[1].teams[2]`. */
function under(at: string, p: Problem): Problem {
    return at === "" ? p : { path: p.path === "config" ? at : `${at}${p.path.startsWith("[") ? "" : "."}${p.path}`, message: p.message };
}

/** Every problem of a component's arguments: the shape (unknown fields, types) and the rules, as the config loader says them. */
export function argsProblems(args: EksSecretsAbacArgs): Problem[] {
    if (args === null || typeof args !== "object") return [{ path: "args", message: "must be an object with clusterName and teams" }];
    const value = known(args);
    if (checkArgs(value)) return validateArgs(args);
    const errors = checkArgs.errors ?? [];
    const shape = errors.map(describeSchemaError);
    let rules: Problem[] = [];
    const readable = withoutRefused(args, errors) as EksSecretsAbacArgs;
    if (Array.isArray(readable.teams)) {
        try {
            rules = validateArgs(readable);
        } catch {
            // A value of the wrong type stops a rule: the shape problem already says so.
        }
    }
    return mergeProblems(shape, rules);
}

/** Throws one error listing every problem of the arguments; returns when they are valid. */
export function assertComponentArgs(args: EksSecretsAbacArgs, resource?: pulumi.Resource): void {
    const problems = argsProblems(args);
    if (problems.length > 0) throw new ConfigValidationError(problems, resource);
}

/** The shape problems of a teams list (unknown fields, types), at `at` (`teams`, `clusters[0].teams`). */
export function teamsShapeProblems(teams: unknown, at = "teams"): Problem[] {
    if (checkTeams(known(teams))) return [];
    return (checkTeams.errors ?? []).map(describeSchemaError).map((p) => under(at, p));
}

/** `teams` when its shape is a teams list's; else one error naming every problem. */
export function checkedTeams(teams: unknown, at = "teams"): TeamSpec[] {
    const problems = teamsShapeProblems(teams, at);
    if (problems.length > 0) throw new ConfigValidationError(problems);
    return teams as TeamSpec[];
}
