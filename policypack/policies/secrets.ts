import { ResourceValidationPolicy } from "@pulumi/policy";
import { CLUSTER_TAG_KEY, NAMESPACE_TAG_KEY, TAG_VALUE_MAX_LENGTH } from "../../components/lib/constants";
import { TYPES } from "./types";

export interface SecretsRequireAbacTagsConfig {
    /** Tag keys every secret must carry with a usable value. */
    requiredTagKeys: string[];
}

const DEFAULT_REQUIRED_TAG_KEYS = [NAMESPACE_TAG_KEY, CLUSTER_TAG_KEY];

/** Why a tag value cannot serve as an ABAC key, or undefined when it can. */
export function tagValueProblem(value: unknown): string | undefined {
    if (typeof value !== "string") return "is not a string";
    if (value.trim().length === 0) return "is blank, so the store-validation session (esoNamespace=\"\") would match it";
    if (/[*?]/.test(value)) return `is \`${value}\`: '*' and '?' look like wildcards and invite a StringLike policy`;
    if (value.includes("${")) return `is \`${value}\`: '\${' is a policy variable, not a namespace`;
    if (value.length > TAG_VALUE_MAX_LENGTH) return `has ${value.length} characters; AWS allows ${TAG_VALUE_MAX_LENGTH}`;
    return undefined;
}

/** The tags a secret ends up with: the provider's defaultTags, then its own. */
export function effectiveTags(props: Record<string, any>, providerProps?: Record<string, any>): Record<string, unknown> {
    const defaults = providerProps?.defaultTags?.tags ?? {};
    return { ...defaults, ...(props.tagsAll ?? {}), ...(props.tags ?? {}) };
}

export const secretsRequireAbacTags: ResourceValidationPolicy = {
    name: "secrets-require-abac-tags",
    description:
        "Every Secrets Manager secret carries non-empty kubernetes-namespace and eks-cluster-name tags; without them the shared ABAC role cannot serve it, and a blank or wildcard value invites a match it should not.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Tag the secret with kubernetes-namespace=<team namespace> and eks-cluster-name=<cluster> (onboard the team in the stack config, or set `tags` on the aws.secretsmanager.Secret). Use the exact namespace: no blanks, '*', '?' or '${'.",
    configSchema: {
        properties: {
            requiredTagKeys: {
                type: "array",
                items: { type: "string" },
                default: DEFAULT_REQUIRED_TAG_KEYS,
            },
        },
    },
    validateResource: (args, reportViolation) => {
        if (args.type !== TYPES.secret) args.notApplicable("not a Secrets Manager secret");
        // The CLI fills schema defaults; a bare analyzer call may not, hence the fallback.
        const { requiredTagKeys = DEFAULT_REQUIRED_TAG_KEYS } = args.getConfig<Partial<SecretsRequireAbacTagsConfig>>();
        const tags = effectiveTags(args.props, args.provider?.props);
        const lower = new Map(Object.entries(tags).map(([k, v]) => [k.toLowerCase(), v]));
        for (const key of requiredTagKeys) {
            const value = lower.get(key.toLowerCase());
            if (value === undefined) {
                reportViolation(`Secret '${args.name}' has no '${key}' tag, so no team can read it through the shared role: add the tag.`);
                continue;
            }
            const problem = tagValueProblem(value);
            if (problem) reportViolation(`Secret '${args.name}' tag '${key}' ${problem}: set it to the exact value.`);
        }
    },
};
