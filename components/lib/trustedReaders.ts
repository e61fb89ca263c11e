/**
 * Trusted readers: principals of the stack other than the shared ABAC role
 * that may read team secrets on purpose (a break-glass role), each with the
 * reason, so the principal check lists them instead of failing the verdict
 * (cli/src/checker/checks/stackPrincipals.ts, docs/PRINCIPALS.md). A stack-config entry
 * of the checker: the components deploy nothing from it.
 */
import type { Problem } from "./validate";

export interface TrustedReader {
    /** The role or user: its name, or its IAM ARN. */
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
const IAM_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/([\w+=,.@/-]+)$/;

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
        if (typeof principal !== "string" || principal.trim() === "") {
            problems.push({ path: `${at}.principal`, message: "is missing: name the role or user (its name, or its IAM ARN `arn:aws:iam::<account>:role/<name>`)" });
        } else if (/[*?]/.test(principal)) {
            problems.push({ path: `${at}.principal`, message: `is \`${principal}\`: a trusted reader is one principal, named exactly; wildcards would trust every matching role` });
        } else if (principal.startsWith("arn:") ? !IAM_ARN.test(principal) : !IAM_NAME.test(principal)) {
            problems.push({ path: `${at}.principal`, message: `is \`${principal}\`: give a role or user name (letters, digits and +=,.@_-) or an IAM role or user ARN (arn:aws:iam::<12-digit account>:role/<name>)` });
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
