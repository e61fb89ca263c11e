/**
 * Trusted readers: principals of the stack other than the shared ABAC role
 * that may read team secrets on purpose (a break-glass role, a backup
 * operator's Kubernetes service account), each with the reason, so the
 * principal check lists them instead of failing the verdict
 * (cli/src/checker/checks/stackPrincipals.ts, docs/PRINCIPALS.md). A stack-config entry
 * of the checker: the components deploy nothing from it.
 */
import type { Problem } from "./validate";

export interface TrustedReader {
    /**
     * The role or user: its name, or its IAM ARN; or a Kubernetes service
     * account as the API server names it, `system:serviceaccount:<namespace>:<name>`
     * (that one account only: another of the same namespace is still reported);
     * or a Kubernetes user or group as `kubernetes:user:<name>`,
     * `kubernetes:group:<name>`. A bare name never trusts a Kubernetes user
     * or group: `ops` the IAM role is not `ops` the Kubernetes group.
     */
    readonly principal: string;
    /** Why it may read every team's secrets, as the report prints it. */
    readonly reason: string;
}

/** The config schema of `trustedReaders` (components/lib/stackConfig.ts). */
export const trustedReadersSchema = {
    type: "array",
    items: {
        type: "object",
        additionalProperties: false,
        required: ["principal", "reason"],
        properties: { principal: { type: "string" }, reason: { type: "string" } },
    },
} as const;

const IAM_NAME = /^[\w+=,.@-]{1,128}$/;
/** Namespace: a DNS label; service account: a DNS subdomain (kubernetes.io/docs/concepts/overview/working-with-objects/names/). */
const K8S_NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const K8S_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SA_PREFIX = "system:serviceaccount:";

/** The user name the API server gives a service account's token ("Referring to subjects", kubernetes.io/docs/reference/access-authn-authz/rbac/). */
export const serviceAccountUsername = (namespace: string, name: string) => `${SA_PREFIX}${namespace}:${name}`;

const K8S_USER_PREFIX = "kubernetes:user:";
const K8S_GROUP_PREFIX = "kubernetes:group:";
/** Groups every authenticated caller, or every service account, belongs to (kubernetes.io/docs/reference/access-authn-authz/rbac/, "Default roles and role bindings"). */
const EVERYONE_GROUP = /^system:(authenticated|unauthenticated|serviceaccounts)(:|$)/;

/**
 * The trusted-reader names of an RBAC subject: a service account as its
 * token's user name; a user as `kubernetes:user:<name>` (and, when that name
 * is a service account's user name, as that service account); a group as
 * `kubernetes:group:<name>`. Never a bare name, which names IAM principals.
 */
export function subjectTrustNames(subject: { kind: string; name: string; namespace?: string }): string[] {
    if (subject.kind === "ServiceAccount") return [serviceAccountUsername(subject.namespace ?? "", subject.name)];
    if (subject.kind === "User") return [`${K8S_USER_PREFIX}${subject.name}`, ...(subject.name.startsWith(SA_PREFIX) ? [subject.name] : [])];
    if (subject.kind === "Group") return [`${K8S_GROUP_PREFIX}${subject.name}`];
    return [];
}

/** Why a `system:serviceaccount:` entry is malformed, or undefined when it names one service account. */
function serviceAccountProblem(principal: string): string | undefined {
    const parts = principal.slice(SA_PREFIX.length).split(":");
    const example = "`system:serviceaccount:<namespace>:<name>`, e.g. `system:serviceaccount:velero:velero`";
    if (parts.length !== 2) return `names a Kubernetes service account as ${example}: namespace and name, separated by one ':'`;
    const [ns, name] = parts;
    if (!K8S_NAMESPACE.test(ns)) return `has namespace \`${ns}\`, which is not a Kubernetes namespace name (lowercase letters, digits and '-', at most 63): write it as ${example}`;
    if (!K8S_SUBDOMAIN.test(name)) return `has service account name \`${name}\`, which is not a Kubernetes service account name (lowercase letters, digits, '-' and '.'): write it as ${example}`;
    return undefined;
}
const IAM_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/([\w+=,.@/-]+)$/;

/** Why an entry's `principal` names no one principal, with the fix; undefined when it does. */
function principalProblem(principal: unknown): string | undefined {
    if (typeof principal !== "string" || principal.trim() === "") {
        return "is missing: name the role or user (its name, or its IAM ARN `arn:aws:iam::<account>:role/<name>`), or a Kubernetes service account as `system:serviceaccount:<namespace>:<name>`";
    }
    if (/[*?]/.test(principal)) return `is \`${principal}\`: a trusted reader is one principal, named exactly; wildcards would trust every matching role`;
    if (principal.startsWith(K8S_USER_PREFIX) || principal.startsWith(K8S_GROUP_PREFIX)) {
        const prefix = principal.startsWith(K8S_GROUP_PREFIX) ? K8S_GROUP_PREFIX : K8S_USER_PREFIX;
        const name = principal.slice(prefix.length);
        if (name.trim() === "") return `is \`${principal}\`: name the Kubernetes ${prefix === K8S_GROUP_PREFIX ? "group" : "user"} after the prefix, e.g. \`${prefix}ops\``;
        if (prefix === K8S_GROUP_PREFIX && EVERYONE_GROUP.test(name)) return `is \`${principal}\`: that group holds every authenticated caller or every service account; name the one user, group or service account that reads`;
        return undefined;
    }
    if (principal.startsWith(SA_PREFIX)) {
        const problem = serviceAccountProblem(principal);
        return problem === undefined ? undefined : `is \`${principal}\`: it ${problem}`;
    }
    if (/^system:serviceaccounts?(:|$)/.test(principal)) {
        return `is \`${principal}\`: a group of service accounts would trust every account in it; name one service account as \`system:serviceaccount:<namespace>:<name>\``;
    }
    if (principal.startsWith("arn:") ? !IAM_ARN.test(principal) : !IAM_NAME.test(principal)) {
        return `is \`${principal}\`: give a role or user name (letters, digits and +=,.@_-), an IAM role or user ARN (arn:aws:iam::<12-digit account>:role/<name>), a Kubernetes service account as system:serviceaccount:<namespace>:<name>, or a Kubernetes user or group as kubernetes:user:<name>, kubernetes:group:<name>`;
    }
    return undefined;
}

/** Every problem of `trustedReaders`, each naming the entry, the value and the fix. */
export function validateTrustedReaders(value: unknown): Problem[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) return [{ path: "trustedReaders", message: "must be a list of `{ principal, reason }` entries" }];
    const problems: Problem[] = [];
    const seen = new Map<string, number>();
    value.forEach((entry, i) => {
        const at = `trustedReaders[${i}]`;
        const principal = entry?.principal;
        const reason = entry?.reason;
        const problem = principalProblem(principal);
        if (problem !== undefined) {
            problems.push({ path: `${at}.principal`, message: problem });
        } else if (seen.has(principal)) {
            problems.push({ path: `${at}.principal`, message: `is \`${principal}\` again (also trustedReaders[${seen.get(principal)}]): list each principal once` });
        } else {
            seen.set(principal, i);
        }
        if (typeof reason !== "string" || reason.trim().length < 3) {
            problems.push({ path: `${at}.reason`, message: "is missing: say why this principal may read every team's secrets (e.g. \"break-glass, used by the on-call SRE\"); the report prints it" });
        }
    });
    return problems;
}
