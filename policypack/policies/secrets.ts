import { CLUSTER_TAG_KEY, NAMESPACE_TAG_KEY, SECRET_MAX_TAGS, TAG_VALUE_MAX_LENGTH } from "../lib/constants";
import { isRecord, isUnknown, Props } from "../lib/values";
import { resourcePolicy, Subject } from "./define";
import { secretResourcePolicy } from "./documents";
import { coversAction, hasNamespaceCondition, labels, Statement } from "./iamDocuments";
import { SECRET_TYPES, TYPES } from "./types";

export interface SecretsRequireAbacTagsConfig {
    /** Tag keys every secret must carry with a usable value. */
    requiredTagKeys: string[];
}

const DEFAULT_REQUIRED_TAG_KEYS = [NAMESPACE_TAG_KEY, CLUSTER_TAG_KEY];

/** Why a tag value cannot serve as an ABAC key, or undefined when it can. Names no value: it may be a secret. */
export function tagValueProblem(value: unknown): string | undefined {
    if (typeof value !== "string") return "is not a string";
    if (value.trim().length === 0) return "is blank, so the store-validation session (esoNamespace=\"\") would match it";
    if (/[*?]/.test(value)) return "holds '*' or '?', which look like wildcards and invite a StringLike policy";
    if (value.includes("${")) return "holds '${', a policy variable, not a namespace";
    if (value.length > TAG_VALUE_MAX_LENGTH) return `has ${value.length} characters; AWS allows ${TAG_VALUE_MAX_LENGTH}`;
    return undefined;
}

type TagMap = Map<string, unknown>;

/** A tag set of either shape: a map (aws) or a list of {key, value} (aws-native). Unknown stays unknown. */
function readTags(value: unknown): TagMap | "unknown" | undefined {
    if (value === undefined || value === null) return undefined;
    if (isUnknown(value)) return "unknown";
    if (Array.isArray(value)) {
        const tags: TagMap = new Map();
        for (const t of value) {
            if (isUnknown(t) || isUnknown(t?.key)) return "unknown";
            if (isRecord(t) && typeof t.key === "string") tags.set(t.key, t.value);
        }
        return tags;
    }
    return isRecord(value) ? new Map(Object.entries(value)) : undefined;
}

/**
 * The provider's default tags. The engine sends the provider's inputs
 * (pkg/resource/deploy/step_generator.go, `r.Provider = ...providerResource.Inputs`),
 * and @pulumi/aws serialises `defaultTags` to a JSON string there
 * (@pulumi/aws provider.js: `resourceInputs["defaultTags"] = ...apply(JSON.stringify)`);
 * a default provider carries the `aws:defaultTags` config the same way.
 */
export function providerDefaultTags(provider: Props | undefined): TagMap | "unknown" | undefined {
    let value = provider?.defaultTags;
    if (value === undefined || value === null) return undefined;
    if (isUnknown(value)) return "unknown";
    if (typeof value === "string") {
        try {
            value = JSON.parse(value);
        } catch {
            return undefined;
        }
    }
    return isRecord(value) ? readTags(value.tags) : undefined;
}

interface Lookup {
    /** The tag's value; `unknown` when it cannot be known yet; undefined when absent for certain. */
    value: unknown;
    unknown?: string;
}

/**
 * The effective value of a tag: the resource's own `tags` win over the
 * provider's `defaultTags` (pulumi-aws merges them into `tagsAll` in Check).
 * `tagsAll` is read last: one unknown tag value makes all of it unknown.
 */
function lookupTag(key: string, own: TagMap | "unknown" | undefined, defaults: TagMap | "unknown" | undefined, tagsAll: TagMap | "unknown" | undefined): Lookup {
    const find = (m: TagMap) => [...m.entries()].find(([k]) => k.toLowerCase() === key.toLowerCase());
    if (own === "unknown") return { value: undefined, unknown: "tags" };
    const mine = own && find(own);
    if (mine) return isUnknown(mine[1]) ? { value: undefined, unknown: `tags.${key}` } : { value: mine[1] };
    if (defaults === "unknown") return { value: undefined, unknown: "provider defaultTags" };
    const dflt = defaults && find(defaults);
    if (dflt) return isUnknown(dflt[1]) ? { value: undefined, unknown: `provider defaultTags.${key}` } : { value: dflt[1] };
    if (tagsAll && tagsAll !== "unknown") {
        const all = find(tagsAll);
        if (all) return isUnknown(all[1]) ? { value: undefined, unknown: `tagsAll.${key}` } : { value: all[1] };
    }
    return { value: undefined };
}

export const secretsRequireAbacTags = resourcePolicy<Partial<SecretsRequireAbacTagsConfig>>({
    name: "secrets-require-abac-tags",
    displayName: "Secrets carry their namespace and cluster tags",
    description:
        "Every Secrets Manager secret carries non-empty kubernetes-namespace and eks-cluster-name tags (from its own tags or the provider's defaultTags); without them the shared ABAC role cannot serve it, a blank or wildcard value invites a match it should not, and more than 50 tags fail at creation.",
    enforcementLevel: "mandatory",
    severity: "high",
    url: "https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_tags.html",
    remediationSteps:
        "Tag the secret with kubernetes-namespace=<team namespace> and eks-cluster-name=<cluster> (onboard the team in the stack config, or set `tags` on the secret). Use the exact namespace: no blanks, '*', '?' or '${'.",
    configSchema: {
        properties: {
            requiredTagKeys: { type: "array", items: { type: "string" }, default: DEFAULT_REQUIRED_TAG_KEYS },
        },
    },
    types: SECRET_TYPES,
    validate: (subject, config) => checkAbacTags(subject, config, "Secret", "Secrets Manager"),
});

/**
 * The tag check of secrets and SecureString parameters: one checker, so both
 * kinds of team value are judged alike.
 */
function checkAbacTags(subject: Subject, config: Partial<SecretsRequireAbacTagsConfig>, noun: string, service: string): void {
    // The CLI fills schema defaults; a bare analyzer call may not, hence the fallback.
    const requiredTagKeys = Array.isArray(config.requiredTagKeys) ? config.requiredTagKeys : DEFAULT_REQUIRED_TAG_KEYS;
    const own = readTags(subject.props.tags);
    // Only the aws provider has defaultTags; aws-native types get none.
    const defaults = subject.type.startsWith("aws:") ? providerDefaultTags(subject.provider) : undefined;
    const tagsAll = readTags(subject.props.tagsAll);
    for (const key of requiredTagKeys) {
        const found = lookupTag(key, own, defaults, tagsAll);
        if (found.unknown !== undefined) {
            subject.undecided.add(found.unknown);
            continue;
        }
        if (found.value === undefined) {
            // Absent from known tags: `tagsAll` could only add it from defaultTags, which are known here.
            if (tagsAll === "unknown" && defaults === undefined && subject.provider === undefined) subject.undecided.add("tagsAll");
            else subject.report(`${noun} '${subject.name}' has no '${key}' tag, so no team can read it through the shared role: add the tag.`);
            continue;
        }
        const problem = tagValueProblem(found.value);
        if (problem) subject.report(`${noun} '${subject.name}' tag '${key}' ${problem}: set it to the exact value.`);
    }
    countTags(subject, own, defaults, noun, service);
}

export const parametersRequireAbacTags = resourcePolicy<Partial<SecretsRequireAbacTagsConfig>>({
    name: "ssm-secure-parameters-require-abac-tags",
    displayName: "SecureString parameters carry their namespace and cluster tags",
    description:
        "Every SSM SecureString parameter carries non-empty kubernetes-namespace and eks-cluster-name tags, checked exactly as a secret's; without them the shared ABAC role cannot serve it, and a blank or wildcard value invites a match it should not. Plain String and StringList parameters are not checked: they hold no secrets and many stacks have them.",
    enforcementLevel: "mandatory",
    severity: "high",
    url: "https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-access.html",
    remediationSteps:
        "Tag the parameter with kubernetes-namespace=<team namespace> and eks-cluster-name=<cluster> (onboard the team's parameters in the stack config, or set `tags` on the parameter). Use the exact namespace: no blanks, '*', '?' or '${'.",
    configSchema: {
        properties: {
            requiredTagKeys: { type: "array", items: { type: "string" }, default: DEFAULT_REQUIRED_TAG_KEYS },
        },
    },
    types: [TYPES.parameter],
    validate: (subject, config) => {
        const type = subject.props.type;
        // A type not known yet may turn out SecureString: undecided, never a pass.
        if (isUnknown(type)) return subject.undecided.add("type");
        if (type !== "SecureString") return;
        checkAbacTags(subject, config, "Parameter", "Parameter Store");
    },
});

function countTags(subject: Subject, own: TagMap | "unknown" | undefined, defaults: TagMap | "unknown" | undefined, noun: string, service: string): void {
    if (own === "unknown" || defaults === "unknown") return;
    const keys = new Set([...(defaults?.keys() ?? []), ...(own?.keys() ?? [])].filter((k) => !/^aws:/i.test(k)));
    if (keys.size > SECRET_MAX_TAGS) {
        subject.report(`${noun} '${subject.name}' has ${keys.size} tags with the provider's defaultTags; ${service} allows ${SECRET_MAX_TAGS}, so creating it fails: drop some.`);
    }
}

const SECRET_READ = "secretsmanager:GetSecretValue";

/** The account of the secret, from its ARN where the properties hold it (SecretPolicy.secretArn, aws-native secretId, a Secret's arn). */
function secretAccount(type: string, props: Props): string | undefined {
    const arn = type === TYPES.secret ? props.arn : type === TYPES.secretPolicy ? props.secretArn : props.secretId;
    return typeof arn === "string" && !isUnknown(arn) ? /^arn:aws[a-z-]*:secretsmanager:[^:]*:(\d{12}):secret:/.exec(arn)?.[1] : undefined;
}

/**
 * The accounts a statement names when it names only accounts (a 12-digit ID or an account's
 * root), without NotPrincipal. Naming the secret's own account delegates to IAM and grants
 * nothing by itself: a caller of that account reads only if its own identity policy allows
 * (IAM user guide, "AWS account principals"; decided by the IAM evaluator in
 * tests/principalSurface.test.ts). Another account is a cross-account grant.
 */
function accountRoots(s: Statement): string[] | undefined {
    if (s.notPrincipal || s.principals.length === 0) return undefined;
    const accounts = s.principals.map((p) => /^AWS:(?:(\d{12})|arn:aws[a-z-]*:iam::(\d{12}):root)$/.exec(p)).map((m) => m?.[1] ?? m?.[2]);
    return accounts.every((a): a is string => a !== undefined) ? accounts : undefined;
}

export const secretResourcePolicyDisallowReads = resourcePolicy({
    name: "secret-resource-policy-disallow-untagged-read",
    displayName: "Secret resource policies grant no read around the tags",
    description:
        "A secret's resource policy (Secret.policy, SecretPolicy, aws-native ResourcePolicy) allows secretsmanager:GetSecretValue without the namespace-tag condition: whoever it names reads the secret whatever its tags, around the shared role's ABAC.",
    enforcementLevel: "mandatory",
    severity: "critical",
    url: "https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_resource-policies.html",
    remediationSteps: "Remove the Allow (resource policies may Deny), or give it the StringEquals condition on secretsmanager:ResourceTag/kubernetes-namespace = ${aws:PrincipalTag/esoNamespace}.",
    types: [TYPES.secret, TYPES.secretPolicy, TYPES.nativeSecretPolicy],
    validate: (subject) => {
        const located = secretResourcePolicy(subject.type, subject.props)!;
        if (located.doc.kind === "unknown") return subject.undecided.add(located.where);
        if (located.doc.kind !== "ok") return;
        const account = secretAccount(subject.type, subject.props);
        const open = located.doc.statements.filter((s) => !s.unknown && s.effect === "Allow" && coversAction(s, SECRET_READ) && !hasNamespaceCondition(s)).filter((s) => {
            const roots = accountRoots(s);
            if (roots === undefined) return true;
            if (account !== undefined) return roots.some((a) => a !== account);
            // Two accounts named: one of them is not the secret's own.
            if (new Set(roots).size > 1) return true;
            subject.undecided.add(`${located.where} (${s.label} names the root of account ${roots[0]}: whether that is the secret's own account, which grants nothing by itself, is not known until the secret's ARN is)`);
            return false;
        });
        if (located.doc.statements.some((s) => s.unknown)) subject.undecided.add(`${located.where} (a statement holds an unknown value)`);
        if (open.length > 0) {
            subject.report(`'${subject.name}' ${located.where} allows ${SECRET_READ} without the namespace-tag condition (${labels(open)}): it grants reads around the tags. Remove it.`);
        }
    },
});
