/**
 * The stack's config contract: its JSON Schema, and the step from raw
 * config values to validated component arguments. The stack program, the
 * plan and the onboarding command all read config through here.
 */
import Ajv, { ErrorObject } from "ajv";
import type * as pulumi from "@pulumi/pulumi";
import { TrustedReader, trustedReadersSchema, validateTrustedReaders } from "./trustedReaders";
import type { EksSecretsAbacArgs, TeamSpec } from "./types";
import { Problem, validateArgs } from "./validate";

const str = { type: "string" } as const;
const strList = { type: "array", items: str } as const;

const secretSchema = {
    type: "object",
    additionalProperties: false,
    required: ["name"],
    properties: {
        name: str,
        description: str,
        kmsKeyId: str,
        valueFromConfig: str,
        recoveryWindowInDays: { type: "integer" },
    },
} as const;

const parameterSchema = {
    type: "object",
    additionalProperties: false,
    required: ["name"],
    properties: { name: str, description: str, kmsKeyId: str, valueFromConfig: str },
} as const;

const externalSecretSchema = {
    type: "object",
    additionalProperties: false,
    required: ["name"],
    properties: {
        name: str,
        targetName: str,
        refreshInterval: str,
        extract: strList,
        data: {
            type: "array",
            items: {
                type: "object",
                additionalProperties: false,
                required: ["secretKey"],
                properties: { secretKey: str, secret: str, parameter: str, remoteKey: str, property: str },
            },
        },
    },
} as const;

const csiSchema = {
    type: "object",
    additionalProperties: false,
    required: ["serviceAccounts"],
    properties: {
        serviceAccounts: strList,
        secretProviderClasses: {
            type: "array",
            items: {
                type: "object",
                additionalProperties: false,
                required: ["name", "objects"],
                properties: {
                    name: str,
                    objects: {
                        type: "array",
                        items: {
                            type: "object",
                            additionalProperties: false,
                            properties: {
                                secret: str,
                                parameter: str,
                                objectAlias: str,
                                jmesPath: {
                                    type: "array",
                                    items: {
                                        type: "object",
                                        additionalProperties: false,
                                        required: ["path", "objectAlias"],
                                        properties: { path: str, objectAlias: str },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
} as const;

export const teamSchema = {
    type: "object",
    additionalProperties: false,
    required: ["namespace"],
    properties: {
        namespace: str,
        createNamespace: { type: "boolean" },
        secrets: { type: "array", items: secretSchema },
        parameters: { type: "array", items: parameterSchema },
        externalSecrets: { type: "array", items: externalSecretSchema },
        csi: csiSchema,
        controller: str,
    },
} as const;

/** Schema of the project's config namespace (`eks-secrets-abac:<key>`). */
export const stackConfigSchema = {
    type: "object",
    additionalProperties: false,
    required: ["clusterName", "teams"],
    properties: {
        clusterName: str,
        clusterArn: str,
        identity: { type: "string", enum: ["podIdentity", "irsa"] },
        oidcProviderArn: str,
        installPodIdentityAgent: { type: "boolean" },
        podIdentityAgentVersion: str,
        esoNamespace: str,
        esoServiceAccount: str,
        chartVersion: str,
        chartRepository: str,
        helmValues: { type: "object" },
        allowNamespacedSecretStores: { type: "boolean" },
        controllerEgressPolicy: { type: "boolean" },
        allowedGenerators: strList,
        // Checked in depth by tenantLimitsProblems, which names each field.
        tenantLimits: { type: "object" },
        allowGenericTargets: { type: "boolean" },
        esoControllers: { type: "array", items: { type: "object", additionalProperties: false, required: ["name"], properties: { name: str } } },
        storeName: str,
        parameterStoreName: str,
        secretNamePrefix: str,
        kmsKeyArns: strList,
        tags: { type: "object", additionalProperties: str },
        retainSecretsOnDelete: { type: "boolean" },
        fargateOnly: { type: "boolean" },
        csiNamespace: str,
        csiSyncSecrets: { type: "boolean" },
        teams: { type: "array", items: teamSchema },
        trustedReaders: trustedReadersSchema,
    },
} as const;

/** A team secret as config spells it: its value, if any, comes from another (secret) config key. */
export interface SecretConfig {
    name: string;
    description?: string;
    kmsKeyId?: string;
    valueFromConfig?: string;
    recoveryWindowInDays?: number;
}
/** A team parameter as config spells it; like a secret, its value may come from a secret config key. */
export interface ParameterConfig {
    name: string;
    description?: string;
    kmsKeyId?: string;
    valueFromConfig?: string;
}
export type TeamConfig = Omit<TeamSpec, "secrets" | "parameters"> & { secrets?: SecretConfig[]; parameters?: ParameterConfig[] };
export type StackConfig = Omit<EksSecretsAbacArgs, "teams" | "sharedRole" | "clusterArn" | "secretsKmsKeyId"> & {
    clusterArn?: string;
    teams: TeamConfig[];
    /** Principals besides the shared role that may read team secrets, with the reason (the principal check lists them). */
    trustedReaders?: TrustedReader[];
};

// verbose: the messages list the fields allowed where an unknown one was found.
const ajv = new Ajv({ allErrors: true, strict: true, verbose: true });
const validateShape = ajv.compile(stackConfigSchema);

/** `/teams/2/namespace` as config spells it: `teams[2].namespace`. */
function configPath(instancePath: string, extra?: string): string {
    const parts = instancePath.split("/").filter((p) => p.length > 0);
    if (extra !== undefined) parts.push(extra);
    return parts.reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), "");
}

export function describeSchemaError(e: ErrorObject): Problem {
    switch (e.keyword) {
        case "additionalProperties": {
            const field = String(e.params.additionalProperty);
            const allowed = Object.keys((e.parentSchema as { properties?: object }).properties ?? {}).join(", ");
            return { path: configPath(e.instancePath, field), message: `is not a known field (a typo?); allowed here: ${allowed}` };
        }
        case "required":
            return {
                path: configPath(e.instancePath, String(e.params.missingProperty)),
                message: "is required but missing",
            };
        case "type": {
            const path = configPath(e.instancePath) || "config";
            // `pulumi config set --path` stores digits, true and false as numbers and booleans.
            if (e.params.type === "string" && (typeof e.data === "number" || typeof e.data === "boolean")) {
                return {
                    path,
                    message: `is ${JSON.stringify(e.data)}, a ${typeof e.data}, but must be a string: quote it in the stack file, or set it with \`pulumi config set --path --type string '${path}' ${JSON.stringify(e.data)}\``,
                };
            }
            return { path, message: `must be ${e.params.type === "array" ? "a list" : `of type ${e.params.type}`}` };
        }
        default:
            return { path: configPath(e.instancePath) || "config", message: e.message ?? "is invalid" };
    }
}

export interface ParsedStackConfig {
    config?: StackConfig;
    problems: Problem[];
}

/**
 * Shape (unknown fields, types) and the rules of `validateArgs`, every
 * problem of both at once: the rules run on whatever the shape lets them
 * read, and a rule's problem at an entry the shape already refused is left out.
 */
export function parseStackConfig(raw: unknown): ParsedStackConfig {
    const shapeOk = validateShape(raw);
    const shapeProblems = shapeOk ? [] : (validateShape.errors ?? []).map(describeSchemaError);
    let ruleProblems: Problem[] = [];
    // The rules read a copy without the entries the shape refused.
    const readable = shapeOk ? raw : withoutRefused(raw, validateShape.errors ?? []);
    if (readable !== null && typeof readable === "object" && Array.isArray((readable as { teams?: unknown }).teams)) {
        try {
            ruleProblems = [...validateArgs(toArgs(readable as StackConfig, () => undefined)), ...validateTrustedReaders((readable as StackConfig).trustedReaders)];
        } catch {
            // A value of the wrong type stops a rule: the shape problem already says so.
        }
    }
    const problems = mergeProblems(shapeProblems, ruleProblems);
    return problems.length > 0 ? { problems } : { config: raw as StackConfig, problems };
}

/** The shape's problems, then the rules' at entries the shape did not refuse already. */
export function mergeProblems(shapeProblems: Problem[], ruleProblems: Problem[]): Problem[] {
    const refused = shapeProblems.map((p) => p.path);
    return [...shapeProblems, ...ruleProblems.filter((r) => !refused.some((path) => r.path === path || r.path.startsWith(`${path}.`) || r.path.startsWith(`${path}[`)))];
}

/** A deep copy of `raw` without the values at the paths of the shape's errors (and unknown fields). */
export function withoutRefused(raw: unknown, errors: ErrorObject[]): unknown {
    const copy = JSON.parse(JSON.stringify(raw ?? null));
    for (const e of errors) {
        const parts = e.instancePath.split("/").filter((p) => p.length > 0);
        if (e.keyword === "additionalProperties") parts.push(String(e.params.additionalProperty));
        if (e.keyword === "required" || parts.length === 0) continue;
        const last = parts.pop()!;
        let node = copy;
        for (const part of parts) node = node?.[part];
        if (node !== null && typeof node === "object") delete node[last];
    }
    return copy;
}

/** Component arguments from config; `secretValue` resolves `valueFromConfig` keys. */
export function toArgs(
    config: StackConfig,
    secretValue: (key: string) => pulumi.Input<string> | undefined,
): EksSecretsAbacArgs {
    // trustedReaders configure the checker, not the component.
    const { trustedReaders: _trusted, ...args } = config;
    return {
        ...args,
        teams: config.teams.map((team) => ({
            ...team,
            secrets: team.secrets?.map(({ valueFromConfig, ...secret }) => ({
                ...secret,
                value: valueFromConfig === undefined ? undefined : secretValue(valueFromConfig),
            })),
            parameters: team.parameters?.map(({ valueFromConfig, ...parameter }) => ({
                ...parameter,
                value: valueFromConfig === undefined ? undefined : secretValue(valueFromConfig),
            })),
        })),
    };
}

/** Keys whose values are strings in the schema: Pulumi hands them over unparsed. */
const STRING_KEYS = new Set(
    Object.entries(stackConfigSchema.properties)
        .filter(([, s]) => (s as { type: string }).type === "string")
        .map(([k]) => k),
);

/**
 * The project's config namespace as one object, from Pulumi's flat
 * `project:key` map, where structured values arrive as JSON text. Keys named
 * by a secret's `valueFromConfig` are left out: they hold values, not options.
 */
export function configObjectFromPulumi(all: Record<string, string>, project: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [fullKey, value] of Object.entries(all)) {
        const [ns, key] = splitKey(fullKey);
        if (ns !== project) continue;
        out[key] = STRING_KEYS.has(key) ? value : parseJsonOrString(value);
    }
    const valueKeys = new Set<string>();
    const teams = out.teams;
    if (Array.isArray(teams)) {
        for (const team of teams) {
            const t = team as { secrets?: unknown[]; parameters?: unknown[] };
            for (const entry of [...(t?.secrets ?? []), ...(t?.parameters ?? [])]) {
                const key = (entry as { valueFromConfig?: unknown })?.valueFromConfig;
                if (typeof key === "string") valueKeys.add(key);
            }
        }
    }
    for (const key of valueKeys) delete out[key];
    return out;
}

function splitKey(fullKey: string): [string, string] {
    const i = fullKey.indexOf(":");
    return i < 0 ? ["", fullKey] : [fullKey.slice(0, i), fullKey.slice(i + 1).replace(/^config:/, "")];
}

function parseJsonOrString(value: string): unknown {
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}
