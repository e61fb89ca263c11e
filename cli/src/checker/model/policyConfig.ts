/**
 * A policy configuration file, the JSON `pulumi preview --policy-pack-config`
 * takes (pulumi/pulumi pkg/engine ParsePolicyPackConfigFromFile): per policy
 * name, a level (`"mandatory"`, `"advisory"`, `"remediate"`, `"disabled"`)
 * or an object with `enforcementLevel` and the policy's options. `plan
 * --policy-pack-config` applies it to the pack as the CLI does: the level
 * replaces the policy's, the options go over its schema's defaults, a
 * disabled policy does not run. Unknown policies and options are refused.
 */
import * as fs from "fs";
import Ajv from "ajv";
import type { Policies } from "@pulumi/policy";
import { ConfigError } from "../commands/cli";
import { closest } from "./regions";

const LEVELS = ["advisory", "mandatory", "remediate", "disabled"];

export type PolicyPackConfig = Record<string, string | ({ enforcementLevel?: string } & Record<string, unknown>)>;

export function readPolicyPackConfig(file: string): PolicyPackConfig {
    let raw: unknown;
    try {
        raw = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new ConfigError(`${file}: ${(e as Error).message}`);
    }
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new ConfigError(`${file}: a policy configuration is an object of policy names`);
    return raw as PolicyPackConfig;
}

/** The pack's policies with the configuration applied; every problem of the file at once. */
export function configuredPolicies(policies: Policies, config: PolicyPackConfig, file = "policy configuration"): Policies {
    const problems: string[] = [];
    const names = policies.map((p) => p.name);
    const ajv = new Ajv({ allErrors: true, strict: false });
    for (const [name, value] of Object.entries(config)) {
        const policy = policies.find((p) => p.name === name);
        if (policy === undefined) {
            const near = closest(name, names);
            problems.push(`${name}: not a policy of the pack${near ? `; did you mean ${near}?` : ""}`);
            continue;
        }
        const { enforcementLevel, ...options } = typeof value === "string" ? { enforcementLevel: value } : value;
        if (enforcementLevel !== undefined && !LEVELS.includes(enforcementLevel)) problems.push(`${name}.enforcementLevel: is ${JSON.stringify(enforcementLevel)}; one of ${LEVELS.join(", ")}`);
        const schema = { type: "object", additionalProperties: false, properties: policy.configSchema?.properties ?? {} };
        const check = ajv.compile(schema);
        if (!check(options)) for (const e of check.errors ?? []) problems.push(`${name}${e.instancePath.replace(/\//g, ".")}: ${e.keyword === "additionalProperties" ? `${e.params.additionalProperty} is not an option of the policy (its options: ${Object.keys(schema.properties).join(", ") || "none"})` : e.message}`);
    }
    if (problems.length > 0) throw new ConfigError(`${file}: ${problems.length} problem(s):\n${problems.map((p) => `  ${p}`).join("\n")}`);
    return policies.flatMap((p) => {
        const value = config[p.name];
        if (value === undefined) return [p];
        const { enforcementLevel, ...options } = typeof value === "string" ? { enforcementLevel: value } : value;
        if (enforcementLevel === "disabled") return [];
        const properties = Object.fromEntries(Object.entries(p.configSchema?.properties ?? {}).map(([k, s]) => [k, k in options ? { ...(s as object), default: options[k] } : s]));
        return [{ ...p, ...(enforcementLevel !== undefined ? { enforcementLevel } : {}), ...(p.configSchema ? { configSchema: { ...p.configSchema, properties } } : {}) } as (typeof policies)[number]];
    });
}
