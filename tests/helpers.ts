/**
 * Shared test helpers: the offline cloud (the only `setMocks`), compliant
 * fixtures, and stack configs of any size.
 */
import type {
    PolicyConfigSchema,
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import * as path from "path";
import type { EksSecretsAbacArgs, TeamSpec } from "../components";

export * from "../scripts/lib/offlineCloud";

export const FIXTURES = path.join(__dirname, "fixtures");
export const ESO_FIXTURES = path.join(FIXTURES, "eso-2.9.0");

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

/** Component arguments for `count` teams named team-000, team-001, ... */
export function argsWithTeams(count: number, overrides: Partial<EksSecretsAbacArgs> = {}): EksSecretsAbacArgs {
    const teams = Array.from({ length: count }, (_, i) => team(`team-${String(i).padStart(3, "0")}`));
    return { clusterName: "prod-eu", teams, ...overrides };
}

/** The two-team stack of the README: payments and search. */
export function twoTeamArgs(overrides: Partial<EksSecretsAbacArgs> = {}): EksSecretsAbacArgs {
    return { clusterName: "prod-eu", teams: [team("payments"), team("search")], ...overrides };
}

// ---------------------------------------------------------------------------
// Policy args: what the analyzer hands a policy, built by hand.


/** Thrown by `notApplicable`, as the SDK's own is: the policy does not apply. */
export class NotApplicable extends Error {}

function configWithDefaults(schema: PolicyConfigSchema | undefined, overrides: object = {}): object {
    const defaults = Object.fromEntries(
        Object.entries(schema?.properties ?? {})
            .filter(([, s]) => (s as { default?: unknown }).default !== undefined)
            .map(([k, s]) => [k, (s as { default?: unknown }).default]),
    );
    return { ...defaults, ...overrides };
}

export interface ArgsOptions {
    name?: string;
    urn?: string;
    /** Props of the resource's provider, e.g. `{ defaultTags: { tags: {...} } }`. */
    providerProps?: Record<string, unknown>;
    config?: object;
    stackTags?: Record<string, string>;
}

export function resourceArgs(policy: { configSchema?: PolicyConfigSchema }, type: string, props: Record<string, any>, o: ArgsOptions = {}): ResourceValidationArgs {
    const name = o.name ?? "subject";
    return {
        type,
        props,
        urn: o.urn ?? `urn:pulumi:test::eks-secrets-abac::${type}::${name}`,
        name,
        opts: { protect: false, ignoreChanges: [], aliases: [], additionalSecretOutputs: [], customTimeouts: {} } as any,
        provider: o.providerProps ? ({ type: "pulumi:providers:aws", props: o.providerProps, urn: "urn:provider", name: "default" } as any) : undefined,
        stackTags: new Map(Object.entries(o.stackTags ?? {})),
        isType: () => false,
        asType: () => undefined,
        getConfig: <T extends object>() => configWithDefaults(policy.configSchema, o.config) as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason);
        },
    };
}

/** Violations a resource policy reports; "not applicable: <reason>" when it declines. */
export async function violations(policy: ResourceValidationPolicy, type: string, props: Record<string, any>, o: ArgsOptions = {}): Promise<string[]> {
    const found: string[] = [];
    const validations = [policy.validateResource ?? []].flat();
    try {
        for (const v of validations) await v(resourceArgs(policy, type, props, o), (message) => found.push(message));
    } catch (e) {
        if (e instanceof NotApplicable) return [`not applicable: ${e.message}`];
        throw e;
    }
    return found;
}

/** A stack resource; `deps` maps property names to the resources they depend on. */
export function stackResource(type: string, name: string, props: Record<string, any>, deps: Record<string, PolicyResource[]> = {}): PolicyResource {
    return {
        type,
        name,
        props,
        urn: `urn:pulumi:test::eks-secrets-abac::${type}::${name}`,
        opts: { protect: false, ignoreChanges: [] } as any,
        dependencies: Object.values(deps).flat(),
        propertyDependencies: deps,
        isType: () => false,
        asType: () => undefined,
    } as PolicyResource;
}

/** Violations a stack policy reports, as "<resource name>: <message>". */
export async function stackViolations(policy: StackValidationPolicy, resources: PolicyResource[], o: { config?: object } = {}): Promise<string[]> {
    const found: string[] = [];
    const args: StackValidationArgs = {
        resources,
        stackTags: new Map(),
        getConfig: <T extends object>() => configWithDefaults(policy.configSchema, o.config) as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason);
        },
    };
    try {
        await policy.validateStack(args, (message, urn) => found.push(`${urn?.split("::").pop() ?? "?"}: ${message}`));
    } catch (e) {
        if (e instanceof NotApplicable) return [`not applicable: ${e.message}`];
        throw e;
    }
    return found;
}
