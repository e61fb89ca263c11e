/**
 * How every policy of the pack is built: metadata, per-policy exemptions
 * (`excludeFor`), the resource types it reads (so that the SDK skips others),
 * and the pack's rule for unknown values: a violation that known values
 * already prove is reported at the policy's level; a resource that cannot be
 * decided gets one advisory naming the unknown property, through the SDK's
 * own `UnknownValueError` path (@pulumi/policy server.js turns it into an
 * advisory "can't run policy ... during preview").
 */
import {
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
    UnknownValueError,
    validateResourceOfType,
} from "@pulumi/policy";
import { plain, Props, Undecided, UNKNOWN_STRING } from "../lib/values";
import { wildcardMatch } from "../lib/wildcard";

type Meta = Omit<ResourceValidationPolicy, "validateResource" | "remediateResource" | "configSchema"> & {
    configSchema?: PolicyConfigSchema;
};

export interface Subject {
    type: string;
    name: string;
    urn: string;
    /** Plain props: unknowns are sentinel strings (see lib/values.ts). */
    props: Props;
    /** Plain props of the resource's provider: the engine sends the provider's inputs. */
    provider?: Props;
    undecided: Undecided;
    report(message: string): void;
}

export interface ExcludeConfig {
    /** Resource names or URNs, with `*` and `?`, that this policy leaves alone. */
    excludeFor?: string[];
}

const EXCLUDE_SCHEMA = {
    excludeFor: {
        type: "array" as const,
        items: { type: "string" as const },
        default: [] as string[],
        description: "Resource names or URNs (with * and ?) this policy does not judge.",
    },
};

function withExcludeFor(schema?: PolicyConfigSchema): PolicyConfigSchema {
    return { ...schema, properties: { ...schema?.properties, ...EXCLUDE_SCHEMA } };
}

/** Whether the resource is exempt from the policy by its `excludeFor` config. */
export function excluded(config: ExcludeConfig, name: string, urn: string): boolean {
    const patterns = Array.isArray(config.excludeFor) ? config.excludeFor : [];
    return patterns.some((p) => typeof p === "string" && (wildcardMatch(p, name) || wildcardMatch(p, urn)));
}

/** Throws the SDK's UnknownValueError naming the undecided properties: one advisory. */
function undecidedAdvisory(paths: string[]): never {
    throw new UnknownValueError(UNKNOWN_STRING, [paths.join(", .")]);
}

/**
 * A stand-in resource class carrying only the type token, as generated SDK
 * classes do (`__pulumiType`): `validateResourceOfType` attaches it to the
 * validation function and the SDK then skips other types without a call
 * (@pulumi/policy server.js, "Fast check to see if the policy isn't applicable").
 * The pack thus needs no provider SDK.
 */
function typeToken(type: string): any {
    return { __pulumiType: type, isInstance: (o: any) => o?.__pulumiType === type };
}

export function resourcePolicy<C extends object>(
    meta: Meta & {
        types: readonly string[] | ((type: string) => boolean);
        validate: (subject: Subject, config: C & ExcludeConfig) => void;
    },
): ResourceValidationPolicy {
    const { types, validate, configSchema, ...rest } = meta;
    const applies = typeof types === "function" ? types : (t: string) => types.includes(t);
    const run = (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        // Policies that read several types cannot be skipped by the SDK; returning costs nothing where
        // notApplicable throws (in a 6,000-resource stack that throw was half of the pack's time).
        if (!applies(args.type)) return;
        const config = args.getConfig<C & ExcludeConfig>();
        if (excluded(config, args.name, args.urn)) args.notApplicable("excluded by excludeFor");
        let reported = 0;
        const subject: Subject = {
            type: args.type,
            name: args.name,
            urn: args.urn,
            props: plain(args.props),
            provider: args.provider ? plain(args.provider.props) : undefined,
            undecided: new Undecided(),
            report: (message) => {
                reported++;
                reportViolation(message);
            },
        };
        validate(subject, config);
        if (reported === 0 && subject.undecided.any) undecidedAdvisory(subject.undecided.paths);
    };
    const single = typeof types !== "function" && types.length === 1 ? types[0] : undefined;
    return {
        ...rest,
        configSchema: withExcludeFor(configSchema),
        validateResource: single ? validateResourceOfType(typeToken(single), (_props, args, report) => run(args, report)) : run,
    };
}

export interface StackSubject {
    resources: PolicyResource[];
    /** Records an undecided property of one resource; reported once, as an advisory, after every certain violation. */
    undecided(resource: PolicyResource, path: string): void;
    report(resource: PolicyResource, message: string): void;
}

export function stackPolicy<C extends object>(
    meta: Omit<StackValidationPolicy, "validateStack" | "configSchema"> & {
        configSchema?: PolicyConfigSchema;
        validate: (subject: StackSubject, config: C & ExcludeConfig) => void;
    },
): StackValidationPolicy {
    const { validate, configSchema, ...rest } = meta;
    return {
        ...rest,
        configSchema: withExcludeFor(configSchema),
        validateStack: (args: StackValidationArgs, reportViolation: ReportViolation) => {
            const config = args.getConfig<C & ExcludeConfig>();
            const open: string[] = [];
            validate(
                {
                    resources: args.resources,
                    undecided: (r, path) => {
                        if (!excluded(config, r.name, r.urn)) open.push(`${r.name}.${path}`);
                    },
                    report: (r, message) => {
                        if (!excluded(config, r.name, r.urn)) reportViolation(message, r.urn);
                    },
                },
                config,
            );
            if (open.length > 0) undecidedAdvisory([...new Set(open)]);
        },
    };
}
