/**
 * Arguments of `OrgGuardrails` and their validation: every problem at once,
 * before any resource is declared, each with the entry, the value and the fix.
 */
import {
    CONFIG_POLICY_TEXT_MAX_CHARACTERS,
    guardrailConfigPolicy,
    guardrailResourceControlPolicy,
    guardrailServiceControlPolicy,
    guardrailTagPolicy,
    RCP_MAX_CHARACTERS,
    SCP_MAX_CHARACTERS,
    TAG_POLICY_MAX_CHARACTERS,
} from "./guardrails";
import { AwsAccount, validateAwsAccount } from "./awsAccount";
import { renderPolicy } from "./iam";
import { ConfigValidationError, Problem } from "./validate";

export interface OrgGuardrailsArgs {
    /**
     * The organisation's management account (or the delegated administrator
     * of Organizations policies and AWS Config), where every resource of the
     * component is created. @default the AWS provider of the component's resource options
     */
    readonly managementAccount?: AwsAccount;
    /**
     * Principals exempt from the guardrails: the pipeline that deploys this
     * package and the administrators who manage tags and roles. IAM role or
     * user ARN patterns; `*` is allowed in the account and the name. At
     * least one, or nobody could tag a secret any more.
     */
    readonly platformPrincipalArns: string[];
    /** Principals that may read any secret despite the RCP, for emergencies. @default none */
    readonly breakGlassPrincipalArns?: string[];
    /** Name of the shared ABAC role (`roleName` of `SharedAbacRole`). */
    readonly sharedRoleName: string;
    /** Further shared roles when clusters are spread over groups (`sharedRoleGroups(...).roleNames`). @default none */
    readonly sharedRoleNames?: string[];
    /**
     * Names of the ESO controller roles, one per cluster
     * (`controllerRoleName(cluster)`), or a pattern such as
     * `*-eso-controller` that keeps the SCP one size for any number of
     * clusters: nobody but the platform may then create a role of that name.
     */
    readonly controllerRoleNames: string[];
    /**
     * Names of the CSI roles (`csiRoleName(componentName)`) or a pattern such
     * as `*-csi-role`, when teams read secrets as files: the RCP lets their
     * pod sessions read the secrets of the pod's own namespace. @default none
     */
    readonly csiRoleNames?: string[];
    /**
     * Where the policies are attached: organisation root (`r-...`), OUs
     * (`ou-...`) or member accounts (12 digits). The management account is
     * never bound by SCPs or RCPs.
     */
    readonly targetIds: string[];
    /** @default true */
    readonly serviceControlPolicy?: boolean;
    /** @default true */
    readonly resourceControlPolicy?: boolean;
    /** @default true */
    readonly tagPolicy?: boolean;
    /** Deploy the AWS Config organisation rule (needs AWS Config recording in the member accounts). @default true */
    readonly configRule?: boolean;
    /** Member accounts the Config rule skips. */
    readonly configRuleExcludedAccounts?: string[];
    /** Config rule checks only secrets whose name starts with this. @default every secret */
    readonly secretNamePrefix?: string;
    /** Partition of the ARNs. @default "aws" */
    readonly partition?: string;
    /** Tags on the policies. */
    readonly tags?: Record<string, string>;
}

const PRINCIPAL_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}|\*):(role|user)\/[\w+=,.@*\/-]+$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
/** A role name, or a pattern of names such as `*-eso-controller`. */
const ROLE_NAME_PATTERN = /^[\w+=,.@*-]{1,64}$/;
const TARGET_ID = /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|\d{12})$/;
const ACCOUNT_ID = /^\d{12}$/;

function quote(v: unknown): string {
    return "`" + String(v) + "`";
}

/** Every problem of the arguments; empty when valid. Measures each document against its quota. */
export function validateOrgGuardrailsArgs(args: OrgGuardrailsArgs): Problem[] {
    const problems: Problem[] = [];
    const add = (path: string, message: string) => problems.push({ path, message });
    const partition = args.partition ?? "aws";
    if (args.managementAccount !== undefined) problems.push(...validateAwsAccount("managementAccount", args.managementAccount));

    const arns = (field: string, values: string[] | undefined, required: boolean) => {
        if (values === undefined || !Array.isArray(values) || values.length === 0) {
            if (required) {
                add(field, "is empty: give at least one IAM role ARN (the pipeline that deploys this package), or nobody could tag a secret or edit the roles");
            }
            return;
        }
        values.forEach((arn, i) => {
            const m = typeof arn === "string" ? PRINCIPAL_ARN.exec(arn) : null;
            if (!m) {
                add(`${field}[${i}]`, `is ${quote(arn)}: give an IAM role or user ARN such as arn:${partition}:iam::111122223333:role/platform-deployer (\`*\` allowed in account and name); an assumed-role session ARN never matches aws:PrincipalArn`);
            } else if (m[1] !== partition) {
                add(`${field}[${i}]`, `is in partition ${quote(m[1])}, the guardrails in ${quote(partition)}: set partition or fix the ARN`);
            } else if (/^arn:[^:]+:iam::\*:(role|user)\/\*$/.test(arn)) {
                add(`${field}[${i}]`, `is ${quote(arn)}, which matches every principal and would switch the guardrail off: name the roles`);
            }
        });
    };
    arns("platformPrincipalArns", args.platformPrincipalArns, true);
    arns("breakGlassPrincipalArns", args.breakGlassPrincipalArns, false);

    if (typeof args.sharedRoleName !== "string" || !ROLE_NAME.test(args.sharedRoleName)) {
        add("sharedRoleName", `is ${quote(args.sharedRoleName)}: give the shared ABAC role's name (1-64 letters, digits and +=,.@_-)`);
    }
    (args.sharedRoleNames ?? []).forEach((name, i) => {
        if (typeof name !== "string" || !ROLE_NAME.test(name)) add(`sharedRoleNames[${i}]`, `is ${quote(name)}: give a shared role's name (1-64 letters, digits and +=,.@_-), e.g. from sharedRoleGroups(...).roleNames`);
    });
    if (!Array.isArray(args.controllerRoleNames) || args.controllerRoleNames.length === 0) {
        add("controllerRoleNames", "is empty: give the ESO controller role of each cluster, e.g. controllerRoleName(\"prod-eu\")");
    } else {
        args.controllerRoleNames.forEach((name, i) => {
            if (typeof name !== "string" || !ROLE_NAME_PATTERN.test(name) || name === "*") {
                add(`controllerRoleNames[${i}]`, `is ${quote(name)}: give a role name (1-64 letters, digits and +=,.@_-) or a narrow pattern such as *-eso-controller`);
            }
        });
    }

    (args.csiRoleNames ?? []).forEach((name, i) => {
        if (typeof name !== "string" || !ROLE_NAME_PATTERN.test(name) || name === "*") {
            add(`csiRoleNames[${i}]`, `is ${quote(name)}: give a role name (1-64 letters, digits and +=,.@_-), e.g. csiRoleName("platform"), or a narrow pattern such as *-csi-role`);
        }
    });

    if (!Array.isArray(args.targetIds) || args.targetIds.length === 0) {
        add("targetIds", "is empty: give the organisation root (r-...), OUs (ou-...) or accounts (12 digits) the policies are attached to");
    } else {
        args.targetIds.forEach((id, i) => {
            if (typeof id !== "string" || !TARGET_ID.test(id)) {
                add(`targetIds[${i}]`, `is ${quote(id)}: give a root ID (r-xxxx), an OU ID (ou-xxxx-xxxxxxxx) or a 12-digit account ID`);
            }
        });
        const seen = new Set<string>();
        args.targetIds.forEach((id, i) => {
            if (seen.has(id)) add(`targetIds[${i}]`, `${quote(id)} appears twice: one attachment per target`);
            seen.add(id);
        });
    }
    (args.configRuleExcludedAccounts ?? []).forEach((id, i) => {
        if (!ACCOUNT_ID.test(id)) add(`configRuleExcludedAccounts[${i}]`, `is ${quote(id)}: give a 12-digit account ID`);
    });
    if (args.serviceControlPolicy === false && args.resourceControlPolicy === false && args.tagPolicy === false && args.configRule === false) {
        add("serviceControlPolicy", "and every other guardrail are switched off: enable at least one");
    }

    if (problems.length === 0) measure(args, add);
    return problems;
}

/** The documents against their Organizations and Config quotas, as AWS counts: every character. */
function measure(args: OrgGuardrailsArgs, add: (path: string, message: string) => void) {
    const sizes: [string, number, number][] = [
        ["serviceControlPolicy", renderPolicy(guardrailServiceControlPolicy(args)).length, SCP_MAX_CHARACTERS],
        ["resourceControlPolicy", renderPolicy(guardrailResourceControlPolicy(args)).length, RCP_MAX_CHARACTERS],
        ["tagPolicy", JSON.stringify(guardrailTagPolicy()).length, TAG_POLICY_MAX_CHARACTERS],
        ["configRule", guardrailConfigPolicy(args).length, CONFIG_POLICY_TEXT_MAX_CHARACTERS],
    ];
    for (const [field, size, max] of sizes) {
        if (size > max) {
            add(field, `renders ${size} characters; AWS accepts at most ${max}: use fewer, wider patterns (platform principals such as arn:aws:iam::*:role/platform-*, controllerRoleNames such as *-eso-controller)`);
        }
    }
}

export function assertValidOrgGuardrailsArgs(args: OrgGuardrailsArgs): void {
    const problems = validateOrgGuardrailsArgs(args);
    if (problems.length > 0) throw new ConfigValidationError(problems);
}
