/**
 * Runs the policy pack's policies in this process, on resources as the
 * analyzer would hand them over: for the offline plan, and for the tests.
 * The pack itself (policypack/index.ts) only starts the gRPC server.
 */
import type {
    EnforcementLevel,
    Policies,
    PolicyConfigSchema,
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { UnknownValueError } from "@pulumi/policy";

/** Thrown by `notApplicable`, as the SDK's own is: the policy does not apply. */
export class NotApplicable extends Error {}

/** Policies decline most resources this way: a control-flow signal, so it captures no stack (tens of thousands per plan). */
const notApplicable = (reason?: string): never => {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
        throw new NotApplicable(reason);
    } finally {
        Error.stackTraceLimit = limit;
    }
};

/** A policy's options: the schema's defaults, then the given ones (as the CLI fills them). */
export function configWithDefaults(schema: PolicyConfigSchema | undefined, overrides: object = {}): object {
    const defaults = Object.fromEntries(
        Object.entries(schema?.properties ?? {})
            .filter(([, s]) => (s as { default?: unknown }).default !== undefined)
            .map(([k, s]) => [k, (s as { default?: unknown }).default]),
    );
    return { ...defaults, ...overrides };
}

export function urnOf(type: string, name: string): string {
    return `urn:pulumi:offline::eks-secrets-abac::${type}::${name}`;
}

export interface ArgsOptions {
    name?: string;
    /** The resource's URN, when it has a real one (a preview or a stack's state). */
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
        urn: o.urn ?? urnOf(type, name),
        name,
        opts: { protect: false, ignoreChanges: [], aliases: [], additionalSecretOutputs: [], customTimeouts: {} } as any,
        provider: o.providerProps ? ({ type: "pulumi:providers:aws", props: o.providerProps, urn: "urn:provider", name: "default" } as any) : undefined,
        stackTags: new Map(Object.entries(o.stackTags ?? {})),
        // As the SDK's isTypeOf: a class's `__pulumiType` (what validateResourceOfType filters on).
        isType: (cls: any) => cls?.__pulumiType === type,
        asType: ((cls: any) => (cls?.__pulumiType === type ? props : undefined)) as any,
        getConfig: <T extends object>() => configWithDefaults(policy.configSchema, o.config) as T,
        notApplicable,
    };
}

/** A stack resource; `deps` maps property names to the resources they depend on. */
export function stackResource(type: string, name: string, props: Record<string, any>, deps: Record<string, PolicyResource[]> = {}, urn?: string): PolicyResource {
    return {
        type,
        name,
        props,
        urn: urn ?? urnOf(type, name),
        opts: { protect: false, ignoreChanges: [] } as any,
        dependencies: Object.values(deps).flat(),
        propertyDependencies: deps,
        isType: () => false,
        asType: () => undefined,
    } as PolicyResource;
}

export interface Violation {
    policy: string;
    enforcementLevel: EnforcementLevel;
    /** Name of the resource, as the policy reported it. */
    resource: string;
    /** Its URN, when the stack gave one (a stack policy may report none). */
    urn?: string;
    message: string;
}

/** What one policy said: its reports, or the reason it does not apply. */
interface Outcome<R> {
    reports: R[];
    notApplicable?: string;
    /** Set when the policy could not decide (an unknown value): the SDK reports it as an advisory. */
    undecided?: string;
}

async function caught<R>(reports: R[], run: () => Promise<void>): Promise<Outcome<R>> {
    try {
        await run();
    } catch (e) {
        if (e instanceof NotApplicable) return { reports: [], notApplicable: e.message };
        // As the SDK does: an unknown value turns the policy's verdict into one advisory.
        if (e instanceof UnknownValueError) return { reports, undecided: (e as Error).message };
        throw e;
    }
    return { reports };
}

function resourcePolicyOutcome(policy: ResourceValidationPolicy, type: string, props: Record<string, any>, o: ArgsOptions): Promise<Outcome<string> & { readConfig?: boolean }> {
    const reports: string[] = [];
    let readConfig = false;
    return caught(reports, async () => {
        for (const v of [policy.validateResource ?? []].flat()) {
            const args = resourceArgs(policy, type, props, o);
            const getConfig = args.getConfig;
            args.getConfig = <T extends object>() => {
                readConfig = true;
                return getConfig<T>();
            };
            await v(args, (message) => reports.push(message));
        }
    }).then((outcome) => ({ ...outcome, readConfig }));
}

function stackPolicyOutcome(policy: StackValidationPolicy, resources: PolicyResource[], config?: object): Promise<Outcome<{ urn?: string; message: string }>> {
    const reports: { urn?: string; message: string }[] = [];
    const args: StackValidationArgs = {
        resources,
        stackTags: new Map(),
        getConfig: <T extends object>() => configWithDefaults(policy.configSchema, config) as T,
        notApplicable,
    };
    return caught(reports, async () => policy.validateStack(args, (message, urn) => reports.push({ urn, message })));
}

const nameOfUrn = (urn?: string) => urn?.split("::").pop() ?? "?";

/** Violations a resource policy reports; "not applicable: <reason>" when it declines. */
export async function violations(policy: ResourceValidationPolicy, type: string, props: Record<string, any>, o: ArgsOptions = {}): Promise<string[]> {
    const outcome = await resourcePolicyOutcome(policy, type, props, o);
    if (outcome.notApplicable !== undefined) return [`not applicable: ${outcome.notApplicable}`];
    return outcome.undecided !== undefined ? [...outcome.reports, `undecided: ${outcome.undecided}`] : outcome.reports;
}

/** Violations a stack policy reports, as "<resource name>: <message>". */
export async function stackViolations(policy: StackValidationPolicy, resources: PolicyResource[], o: { config?: object } = {}): Promise<string[]> {
    const outcome = await stackPolicyOutcome(policy, resources, o.config);
    if (outcome.notApplicable !== undefined) return [`not applicable: ${outcome.notApplicable}`];
    const reports = outcome.reports.map((r) => `${nameOfUrn(r.urn)}: ${r.message}`);
    return outcome.undecided !== undefined ? [...reports, `undecided: ${outcome.undecided}`] : reports;
}

/** What one policy said of the whole plan. */
export interface PolicyOutcome {
    policy: string;
    enforcementLevel: EnforcementLevel;
    kind: "resource" | "stack";
    /**
     * Resources the policy applied to: it read its options (the pack's policies do so once they know the
     * type is theirs, and return early otherwise) or reported, and did not call notApplicable. Every
     * resource for a stack policy.
     */
    checked: number;
    violations: Violation[];
    /** Resources the policy could not decide: it read a value that is unknown (or a secret that was not decrypted). */
    undecided: Violation[];
}

/** Every policy on every resource, as `pulumi preview --policy-pack` would, with a row per policy; disabled policies are skipped. */
export async function runPolicyTable(policies: Policies, resources: PolicyResource[], onProgress?: (done: number, total: number) => void): Promise<PolicyOutcome[]> {
    const table: PolicyOutcome[] = [];
    const enabled = policies.filter((p) => (p.enforcementLevel ?? "advisory") !== "disabled");
    const resourcePolicies = enabled.filter((p) => !("validateStack" in p)).length;
    const total = resources.length * resourcePolicies;
    let done = 0;
    for (const policy of enabled) {
        const level = policy.enforcementLevel ?? "advisory";
        const row: PolicyOutcome = { policy: policy.name, enforcementLevel: level, kind: "validateStack" in policy ? "stack" : "resource", checked: 0, violations: [], undecided: [] };
        const add = (resource: string, message: string, urn?: string) => row.violations.push({ policy: policy.name, enforcementLevel: level, resource, message, ...(urn ? { urn } : {}) });
        const undecided = (resource: string, message: string, urn?: string) => row.undecided.push({ policy: policy.name, enforcementLevel: level, resource, message, ...(urn ? { urn } : {}) });
        if ("validateStack" in policy) {
            row.checked = resources.length;
            const outcome = await stackPolicyOutcome(policy, resources);
            for (const r of outcome.reports) add(nameOfUrn(r.urn), r.message, r.urn);
            if (outcome.undecided !== undefined) undecided("stack", outcome.undecided);
        } else {
            // As the SDK does: a validation that carries its type token (validateResourceOfType) is not called for other types.
            const only = !Array.isArray(policy.validateResource) ? (policy.validateResource as { __pulumiType?: string } | undefined)?.__pulumiType : undefined;
            for (const r of resources) {
                if (only !== undefined && r.type !== only) {
                    onProgress?.(++done, total);
                    continue;
                }
                const urn = r.urn.startsWith("urn:pulumi:offline::") ? undefined : r.urn;
                const outcome = await resourcePolicyOutcome(policy, r.type, r.props, { name: r.name, urn });
                if (outcome.notApplicable === undefined && (outcome.readConfig || outcome.reports.length > 0)) row.checked++;
                for (const message of outcome.reports) add(r.name, message, urn);
                if (outcome.undecided !== undefined) undecided(r.name, outcome.undecided, urn);
                onProgress?.(++done, total);
            }
        }
        table.push(row);
    }
    return table;
}

/** Every policy's violations on every resource, in one list. */
export async function runPolicies(policies: Policies, resources: PolicyResource[], onProgress?: (done: number, total: number) => void): Promise<Violation[]> {
    return (await runPolicyTable(policies, resources, onProgress)).flatMap((p) => p.violations);
}
