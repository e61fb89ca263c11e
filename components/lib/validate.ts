/**
 * Validation of the component's arguments, before any resource exists.
 * Every problem is collected; the error lists each with the entry, the value
 * received, why it is wrong and how to fix it.
 */
import * as pulumi from "@pulumi/pulumi";
import {
    CLUSTER_TAG_KEY,
    DEFAULT_ESO_NAMESPACE,
    DEFAULT_ESO_SERVICE_ACCOUNT,
    NAMESPACE_TAG_KEY,
    ESO_CHART,
    RESERVED_NAMESPACES,
    TAG_VALUE_MAX_LENGTH,
} from "./constants";
import { validateCsiArgs } from "./csi";
import { extraControllerNamespaces, faultDomainProblems } from "./faultDomains";
import { tenantLimitsProblems } from "./externalSecretGuard";
import { allowedGeneratorsProblems } from "./generatorGuard";
import { helmValuesProblems } from "./helm";
import { identityProblems } from "./identityValidation";
import type { EksSecretsAbacArgs, ExternalSecretSpec, TeamSpec } from "./types";
import { validateParameterArgs, validateTeamParameters } from "./validateParameters";

export interface Problem {
    /** Where, as in the stack config: `teams[2].namespace`. */
    path: string;
    message: string;
}

/** One error for every problem found; `problems` keeps them for callers and tests. */
export class ConfigValidationError extends pulumi.ResourceError {
    constructor(
        public readonly problems: Problem[],
        resource?: pulumi.Resource,
    ) {
        super(formatProblems(problems), resource, true);
        this.name = "ConfigValidationError";
    }
}

export function formatProblems(problems: Problem[]): string {
    const lines = problems.map((p) => `  - ${p.path}: ${p.message}`);
    const noun = problems.length === 1 ? "problem" : "problems";
    return `eks-secrets-abac: ${problems.length} configuration ${noun}; nothing was deployed:\n${lines.join("\n")}`;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const EKS_CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]*$/;
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]+$/;
/** Secrets Manager appends `-` and six characters to ARNs; a name ending so confuses partial-ARN lookups. */
const SECRET_NAME_ARN_SUFFIX = /-[A-Za-z0-9]{6}$/;
const KUBE_SECRET_KEY = /^[-._a-zA-Z0-9]+$/;
const GO_DURATION = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key\/[A-Za-z0-9-]+$/;

/** DNS-1123 label check with the reason, or undefined when valid. */
function dnsLabelProblem(value: string, maxLength: number): string | undefined {
    if (value.length === 0) return "is empty: give a name";
    if (value.length > maxLength) return `has ${value.length} characters; the limit is ${maxLength}`;
    if (!DNS1123_LABEL.test(value)) {
        return "use lowercase letters, digits and '-', starting and ending with a letter or digit (DNS-1123 label)";
    }
    return undefined;
}

function quote(v: unknown): string {
    return "`" + String(v) + "`";
}

/** Full Secrets Manager name of a team secret. */
export function secretFullName(prefix: string, namespace: string, name: string): string {
    return `${prefix}${namespace}/${name}`;
}

/** Compares dotted versions such as 2.9.0; a pre-release suffix is ignored. */
export function versionAtLeast(version: string, minimum: string): boolean {
    const parse = (v: string) => v.replace(/^v/, "").split(/[-+]/)[0].split(".").map((n) => Number(n));
    const a = parse(version);
    const b = parse(minimum);
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
        const x = a[i] ?? 0;
        const y = b[i] ?? 0;
        if (x !== y) return x > y;
    }
    return true;
}

const EKS_CLUSTER_ARN = /^arn:(aws[a-z-]*):eks:([a-z0-9-]+):([0-9]{12}):cluster\/(.+)$/;

/**
 * The controller role's trust compares `aws:RequestTag/eks-cluster-arn`
 * with this ARN: a wrong one means no credentials at all.
 */
function clusterArnProblem(arn: string, clusterName: unknown, accountId?: string): string | undefined {
    const m = EKS_CLUSTER_ARN.exec(arn);
    if (!m) return "give the EKS cluster's ARN, arn:<partition>:eks:<region>:<account>:cluster/<name> (`aws eks describe-cluster --query cluster.arn`)";
    if (typeof clusterName === "string" && m[4] !== clusterName) {
        return `names the cluster ${quote(m[4])}, but clusterName is ${quote(clusterName)}: give the ARN of the same cluster`;
    }
    if (accountId !== undefined && m[3] !== accountId) {
        return `is in account ${m[3]}, but the stack deploys to account ${accountId}: the Pod Identity association and its role must be in the cluster's account`;
    }
    return undefined;
}

/** What is known before deployment about where the stack deploys, for checks that need it. */
export interface KnownEnvironment {
    accountId?: string;
}

/**
 * The component's name becomes Kubernetes object names
 * (`<name>-eso-secretstore-guard`, `<name>-eso-generator-guard`,
 * `<name>-eso-tenant`: DNS-1123, lower case) and the ESO Helm release name,
 * which pulumi-kubernetes auto-names `<name>-eso-release-<8 characters>`
 * and Helm caps at 53 characters (helm pkg/chartutil `ValidateReleaseName`,
 * pkg/lint/rules `maxReleaseNameLen`). Hence a DNS-1123 label of at most 32.
 */
export const COMPONENT_NAME_MAX = 53 - "-eso-release".length - "-".length - 8;

/** Problems of a component name (or of `<parent>-<cluster>` for a cluster's child), reported at `path`. */
export function componentNameProblems(name: unknown, path = "name", what = "the component's name"): Problem[] {
    if (typeof name !== "string" || name.length === 0) return [{ path, message: `is empty: give ${what} (lowercase letters, digits and '-')` }];
    if (name.length > COMPONENT_NAME_MAX || !DNS1123_LABEL.test(name)) {
        return [
            {
                path,
                message:
                    `makes ${what} ${quote(name)}, which names Kubernetes objects (${name}-eso-secretstore-guard) and the Helm release ${name}-eso-release-<8 characters>: ` +
                    `Kubernetes names allow lowercase letters, digits and '-' (DNS-1123) and Helm release names at most 53 characters, so use at most ${COMPONENT_NAME_MAX} lowercase letters, digits and '-', starting and ending with a letter or digit` +
                    (/[A-Z_]/.test(name) ? ` (e.g. ${quote(name.toLowerCase().replace(/_/g, "-"))})` : ""),
            },
        ];
    }
    return [];
}

/** Collects every problem of the arguments; an empty list means valid. */
export function validateArgs(args: EksSecretsAbacArgs, known: KnownEnvironment = {}): Problem[] {
    const problems: Problem[] = [];
    const add = (path: string, message: string) => problems.push({ path, message });
    const esoNamespace = args.esoNamespace ?? DEFAULT_ESO_NAMESPACE;

    const cluster = args.clusterName;
    if (typeof cluster !== "string" || cluster.length === 0) {
        add("clusterName", "is missing: set it to the EKS cluster's name (`pulumi config set clusterName my-cluster`)");
    } else if (cluster.length > 100 || !EKS_CLUSTER_NAME.test(cluster)) {
        add(
            "clusterName",
            `is ${quote(cluster)}: an EKS cluster name has 1-100 letters, digits, '-' and '_', and starts with a letter or digit`,
        );
    }

    for (const [field, value] of [
        ["esoNamespace", args.esoNamespace],
        ["esoServiceAccount", args.esoServiceAccount],
    ] as const) {
        if (value === undefined) continue;
        const why = dnsLabelProblem(value, 63);
        if (why) add(field, `is ${quote(value)}: ${why}`);
    }

    // The store name is also the value of the namespace label its selector matches: at most 63 characters.
    if (args.storeName !== undefined && (args.storeName.length > 63 || !DNS1123_SUBDOMAIN.test(args.storeName))) {
        add(
            "storeName",
            `is ${quote(args.storeName)}: use at most 63 lowercase letters, digits, '-' and '.' (a DNS-1123 name that is also a label value)`,
        );
    }

    if (typeof args.clusterArn === "string") {
        const why = clusterArnProblem(args.clusterArn, cluster, known.accountId);
        if (why) add("clusterArn", `is ${quote(args.clusterArn)}: ${why}`);
    }

    if (args.chartVersion !== undefined && !versionAtLeast(args.chartVersion, ESO_CHART.minimumVersion)) {
        add(
            "chartVersion",
            `is ${quote(args.chartVersion)}: ESO before ${ESO_CHART.minimumVersion} has no sessionTagsPolicy, ` +
                `its CRD prunes the field and every read is denied; use ${ESO_CHART.version}`,
        );
    }

    if (args.secretNamePrefix !== undefined && args.secretNamePrefix !== "" && !SECRET_NAME.test(args.secretNamePrefix)) {
        add(
            "secretNamePrefix",
            `is ${quote(args.secretNamePrefix)}: Secrets Manager names allow letters, digits and /_+=.@- only`,
        );
    }

    (args.kmsKeyArns ?? []).forEach((arn, i) => {
        if (!KMS_KEY_ARN.test(arn)) {
            add(`kmsKeyArns[${i}]`, `is ${quote(arn)}: give a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), not an alias`);
        }
    });
    if (args.sharedRole !== undefined && (args.kmsKeyArns ?? []).length > 0) {
        add("kmsKeyArns", "is set together with sharedRole: give the KMS keys to the shared role, whose policy grants decryption");
    }

    for (const [key, value] of Object.entries(args.tags ?? {})) {
        const at = `tags.${key}`;
        if (key.length === 0 || key.length > 128) {
            add(at, `key is ${key.length} characters long: AWS tag keys have 1 to 128`);
        } else if (key.toLowerCase().startsWith("aws:")) {
            add(at, "uses the prefix `aws:`, which AWS reserves: rename the key");
        } else if ([NAMESPACE_TAG_KEY, CLUSTER_TAG_KEY].includes(key.toLowerCase())) {
            add(at, "would overwrite the tag that decides who reads a secret: remove it, the component sets it per team");
        }
        if (typeof value !== "string" || value.length > TAG_VALUE_MAX_LENGTH) {
            add(at, `value must be a string of at most ${TAG_VALUE_MAX_LENGTH} characters`);
        }
    }

    validateHelmValues(args, add);
    for (const p of allowedGeneratorsProblems(args.allowedGenerators)) add(p.path, p.message);
    for (const p of tenantLimitsProblems(args.tenantLimits)) add(p.path, p.message);
    validateParameterArgs(args, add);
    problems.push(...identityProblems(args));

    if (!Array.isArray(args.teams)) {
        add("teams", "is missing: give a list of teams, e.g. `- namespace: payments`");
        return problems;
    }
    // An extra controller's namespace holds its pods and service account: no team may own it.
    const reserved = new Set<string>([...RESERVED_NAMESPACES, esoNamespace, ...extraControllerNamespaces({ controllers: args.esoControllers, esoNamespace })]);
    const seen = new Map<string, number>();
    args.teams.forEach((team, i) => {
        validateTeam(team, `teams[${i}]`, args.secretNamePrefix ?? "", reserved, add);
        const first = seen.get(team.namespace);
        if (first !== undefined) {
            add(`teams[${i}].namespace`, `${quote(team.namespace)} is already onboarded by teams[${first}]: merge the two entries`);
        } else {
            seen.set(team.namespace, i);
        }
    });
    validateCsiArgs(args, add, esoNamespace);
    problems.push(
        ...faultDomainProblems({ controllers: args.esoControllers, teams: args.teams, esoNamespace: args.esoNamespace, storeName: args.storeName, parameterStoreName: args.parameterStoreName }),
    );
    return problems;
}

function validateHelmValues(args: EksSecretsAbacArgs, add: (path: string, message: string) => void) {
    const problems = helmValuesProblems(args.helmValues ?? {}, {
        allowNamespacedSecretStores: args.allowNamespacedSecretStores ?? false,
        allowGenericTargets: args.allowGenericTargets ?? false,
        controllerEgressPolicy: args.controllerEgressPolicy ?? false,
        esoNamespace: args.esoNamespace ?? DEFAULT_ESO_NAMESPACE,
        esoServiceAccount: args.esoServiceAccount ?? DEFAULT_ESO_SERVICE_ACCOUNT,
    });
    for (const p of problems) add(`helmValues.${p.path}`, p.message);
}

function validateTeam(
    team: TeamSpec,
    at: string,
    prefix: string,
    reserved: Set<string>,
    add: (path: string, message: string) => void,
) {
    const ns = team.namespace;
    if (typeof ns !== "string") {
        add(`${at}.namespace`, "is missing: every team needs the Kubernetes namespace it owns");
        return;
    }
    const why = dnsLabelProblem(ns, 63);
    if (why) {
        add(`${at}.namespace`, `is ${quote(ns)}: ${why}`);
    } else if (reserved.has(ns)) {
        add(`${at}.namespace`, `is ${quote(ns)}, which is reserved (the cluster's or ESO's own): give the team a namespace of its own`);
    }

    const secretNames = new Set<string>();
    (team.secrets ?? []).forEach((secret, j) => {
        const path = `${at}.secrets[${j}].name`;
        const name = secret.name;
        if (typeof name !== "string" || name.length === 0) {
            add(path, "is missing: give the secret a name, e.g. `db-password`");
            return;
        }
        const full = secretFullName(prefix, ns, name);
        if (!SECRET_NAME.test(name)) {
            add(path, `is ${quote(name)}: Secrets Manager names allow letters, digits and /_+=.@- only`);
        } else if (full.length > 512) {
            add(path, `makes the Secrets Manager name ${full.length} characters long; the limit is 512`);
        } else if (SECRET_NAME_ARN_SUFFIX.test(name)) {
            add(path, `is ${quote(name)}: a name ending in '-' and six characters is mistaken for an ARN suffix; rename it`);
        }
        if (secretNames.has(name)) {
            add(path, `${quote(name)} appears twice in ${at}.secrets: names are unique within a team`);
        }
        secretNames.add(name);
        if (secret.recoveryWindowInDays !== undefined) {
            const d = secret.recoveryWindowInDays;
            if (!(d === 0 || (Number.isInteger(d) && d >= 7 && d <= 30))) {
                add(`${at}.secrets[${j}].recoveryWindowInDays`, `is ${quote(d)}: use 0 (delete at once) or 7 to 30 days`);
            }
        }
    });

    const parameterNames = validateTeamParameters(team, at, prefix, add);

    const esNames = new Set<string>();
    (team.externalSecrets ?? []).forEach((es, k) => {
        validateExternalSecret(es, `${at}.externalSecrets[${k}]`, secretNames, esNames, add, parameterNames);
    });
}

function validateExternalSecret(
    es: ExternalSecretSpec,
    at: string,
    teamSecrets: Set<string>,
    seen: Set<string>,
    add: (path: string, message: string) => void,
    teamParameters: Set<string> = new Set(),
) {
    if (typeof es.name !== "string" || es.name.length > 253 || !DNS1123_SUBDOMAIN.test(es.name)) {
        add(`${at}.name`, `is ${quote(es.name)}: use a DNS-1123 subdomain (lowercase letters, digits, '-' and '.')`);
    } else if (seen.has(es.name)) {
        add(`${at}.name`, `${quote(es.name)} appears twice in the team's externalSecrets`);
    }
    seen.add(es.name);
    if (es.targetName !== undefined && (es.targetName.length > 253 || !DNS1123_SUBDOMAIN.test(es.targetName))) {
        add(`${at}.targetName`, `is ${quote(es.targetName)}: a Kubernetes Secret name is a DNS-1123 subdomain`);
    }
    if (es.refreshInterval !== undefined && !GO_DURATION.test(es.refreshInterval)) {
        add(`${at}.refreshInterval`, `is ${quote(es.refreshInterval)}: use a duration such as 1h or 15m`);
    }
    const data = es.data ?? [];
    const extract = es.extract ?? [];
    if (data.length === 0 && extract.length === 0) {
        add(at, "reads nothing: give `data` (key by key) or `extract` (every JSON key of a secret)");
    }
    const keys = new Set<string>();
    data.forEach((item, m) => {
        const p = `${at}.data[${m}]`;
        if (typeof item.secretKey !== "string" || !KUBE_SECRET_KEY.test(item.secretKey)) {
            add(`${p}.secretKey`, `is ${quote(item.secretKey)}: a Secret key has letters, digits, '-', '_' and '.'`);
        } else if (keys.has(item.secretKey)) {
            add(`${p}.secretKey`, `${quote(item.secretKey)} appears twice: each key of the Secret comes from one entry`);
        }
        keys.add(item.secretKey);
        const hasSecret = item.secret !== undefined;
        const hasRemote = item.remoteKey !== undefined;
        const hasParameter = item.parameter !== undefined;
        if ([hasSecret, hasRemote, hasParameter].filter(Boolean).length !== 1) {
            add(p, "give exactly one of `secret` (a team secret's short name), `parameter` (a team parameter's short name) and `remoteKey` (a full Secrets Manager name)");
        } else if (hasParameter) {
            if (!teamParameters.has(item.parameter as string)) {
                add(`${p}.parameter`, `is ${quote(item.parameter)}, which is not one of the team's parameters: add it to the team's parameters or fix the name`);
            }
        } else if (hasSecret && !teamSecrets.has(item.secret as string)) {
            add(`${p}.secret`, `is ${quote(item.secret)}, which is not one of the team's secrets: add it to the team's secrets or fix the name`);
        } else if (hasRemote && !SECRET_NAME.test(item.remoteKey as string)) {
            add(`${p}.remoteKey`, `is ${quote(item.remoteKey)}: Secrets Manager names allow letters, digits and /_+=.@- only`);
        }
    });
    extract.forEach((name, m) => {
        if (!teamSecrets.has(name)) {
            add(`${at}.extract[${m}]`, `is ${quote(name)}, which is not one of the team's secrets: add it to the team's secrets or fix the name`);
        }
    });
}

/** Throws one error listing every problem; returns when the arguments are valid. */
export function assertValidArgs(args: EksSecretsAbacArgs, resource?: pulumi.Resource): void {
    const problems = validateArgs(args);
    if (problems.length > 0) throw new ConfigValidationError(problems, resource);
}
