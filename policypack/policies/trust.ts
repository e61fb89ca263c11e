import { POD_IDENTITY_SERVICE_PRINCIPAL } from "../lib/constants";
import { isUnknown } from "../lib/values";
import { resourcePolicy, stackPolicy, Subject } from "./define";
import { trustDocument } from "./documents";
import { coversAction, coversPrincipal, Statement } from "./iamDocuments";
import { stackModel } from "./stackModel";
import { ROLE_TYPES } from "./types";

const POD_IDENTITY = `Service:${POD_IDENTITY_SERVICE_PRINCIPAL}`;
const TAG_SESSION_DOCS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_permissions-required";

/** A principal for messages: ARNs and account IDs may come from secret config, so only the service principal is shown. */
function shown(principal: string): string {
    return principal.startsWith("Service:") ? principal : "an AWS principal";
}

function testsSessionTags(statement: Statement): boolean {
    return statement.conditions.some((c) => /^aws:RequestTag\//i.test(c.key) || /^aws:TagKeys$/i.test(c.key));
}

/**
 * Principals that assume the role with session tags, and why: Pod Identity
 * always tags; a trust that tests request tags expects them; a store with
 * `role` and session tags chains with ESO's tags.
 */
export function taggedAssumers(trust: Statement[], assumedByStore: boolean): Map<string, string> {
    const found = new Map<string, string>();
    for (const s of trust) {
        if (s.effect !== "Allow" || !coversAction(s, "sts:AssumeRole")) continue;
        const principals = s.notPrincipal ? ["*"] : s.principals;
        for (const p of principals) {
            if (isUnknown(p.replace(/^[A-Za-z]+:/, ""))) continue;
            if (p === POD_IDENTITY) found.set(p, "EKS Pod Identity always tags the session");
            else if (testsSessionTags(s)) found.set(p, "its trust conditions test request tags");
            else if (assumedByStore) found.set(p, "an ESO store in this stack assumes it with session tags");
        }
    }
    return found;
}

/** Why `principal` may not tag the session, or undefined when it may. */
export function tagSessionProblem(trust: Statement[], principal: string): string | undefined {
    const applies = (s: Statement) => coversAction(s, "sts:TagSession") && coversPrincipal(s, principal);
    if (trust.some((s) => s.effect === "Deny" && applies(s))) return "a Deny statement takes sts:TagSession away";
    if (!trust.some((s) => s.effect === "Allow" && applies(s))) return "no statement allows sts:TagSession";
    return undefined;
}

function judgeTagSession(subject: Subject): void {
    const trust = trustDocument(subject.type, subject.props)!;
    if (trust.doc.kind === "unknown") return subject.undecided.add(trust.where);
    if (trust.doc.kind !== "ok") return;
    const statements = trust.doc.statements;
    for (const [principal, why] of taggedAssumers(statements, false)) {
        const problem = tagSessionProblem(statements, principal);
        if (problem) {
            subject.report(`Role '${subject.name}' is assumed by ${shown(principal)} with session tags (${why}), but ${problem}: allow sts:TagSession to that principal.`);
        }
    }
    // Unknown condition values (a new cluster's ARN) do not change who tags the session: keys and actions decide it.
}

export const trustPolicyRequiresTagSession = resourcePolicy({
    name: "trust-policy-requires-tag-session",
    displayName: "Roles assumed with session tags allow sts:TagSession",
    description:
        "A role assumed with session tags (EKS Pod Identity, or a trust that tests aws:RequestTag or aws:TagKeys) must allow sts:TagSession to the same principal; without it every AssumeRole, and so every secret read, fails with AccessDenied.",
    enforcementLevel: "mandatory",
    severity: "high",
    url: TAG_SESSION_DOCS,
    remediationSteps:
        'Add "sts:TagSession" beside "sts:AssumeRole" in the trust statement of that principal, and remove any Deny of sts:TagSession for it.',
    types: ROLE_TYPES,
    validate: (subject) => judgeTagSession(subject),
});

/** Whether the principal is a whole account: `*`, an account ID, or an account's root. */
export function isWholeAccount(principal: string): boolean {
    return principal === "*" || /^AWS:(\d{12}|arn:aws[a-z-]*:iam::\d{12}:root)$/.test(principal);
}

/** Whether the statement narrows its principals with a specific `aws:PrincipalArn`. */
export function namesPrincipalArn(statement: Statement): boolean {
    return statement.conditions.some(
        (c) =>
            /^aws:PrincipalArn$/i.test(c.key) &&
            /^(ArnEquals|ArnLike|StringEquals|StringLike)$/.test(c.operator) &&
            c.values.length > 0 &&
            c.values.every((v) => isUnknown(v) || !/[*?]/.test(v.split(":").slice(5).join(":"))),
    );
}

export const sharedRoleTrustNamesPrincipals = resourcePolicy({
    name: "shared-role-trust-names-principals",
    displayName: "A role that takes session tags trusts named principals only",
    description:
        "A role whose trust lets a whole account (its root, its ID or '*') assume it with sts:TagSession and no aws:PrincipalArn condition: any principal of that account that may call sts:AssumeRole chooses its own session tags, so it picks the namespace whose secrets it reads.",
    enforcementLevel: "mandatory",
    severity: "critical",
    url: TAG_SESSION_DOCS,
    remediationSteps: "Name the controller roles: add ArnEquals aws:PrincipalArn = <controller role ARNs> to the statement, or list the role ARNs as principals.",
    types: ROLE_TYPES,
    validate: (subject) => {
        const trust = trustDocument(subject.type, subject.props)!;
        if (trust.doc.kind === "unknown") return subject.undecided.add(trust.where);
        if (trust.doc.kind !== "ok") return;
        for (const s of trust.doc.statements) {
            if (s.effect !== "Allow" || !coversAction(s, "sts:TagSession")) continue;
            const broad = (s.notPrincipal ? ["*"] : s.principals).filter(isWholeAccount);
            if (broad.length > 0 && !namesPrincipalArn(s)) {
                subject.report(
                    `Role '${subject.name}' trust ${s.label} lets a whole account assume it with session tags and no aws:PrincipalArn condition: name the controller roles.`,
                );
            }
        }
    },
});

export const esoStoreRoleAllowsTagSession = stackPolicy({
    name: "eso-store-role-allows-tag-session",
    displayName: "The role an ESO store assumes with session tags allows sts:TagSession",
    description:
        "An ESO store in this stack assumes a role with session tags (sessionTagsPolicy or sessionTags), and the role's trust does not allow sts:TagSession to its principals: every AssumeRole fails and the store never becomes ready.",
    enforcementLevel: "mandatory",
    severity: "high",
    url: TAG_SESSION_DOCS,
    remediationSteps: 'Add "sts:TagSession" beside "sts:AssumeRole" in the role\'s trust statement.',
    validate: ({ resources, report, undecided }) => {
        const model = stackModel(resources);
        const tagging = new Set(
            model.stores
                .filter((s) => s.aws !== undefined && (s.aws.sessionTagsPolicy === "Simple" || s.aws.sessionTagsPolicy === "Custom" || (Array.isArray(s.aws.sessionTags) && s.aws.sessionTags.length > 0)))
                .flatMap((s) => s.roles.map((r) => r.resource.urn)),
        );
        // A store whose spec is unknown may tag the sessions of the roles it depends on: those roles are undecided, not passed.
        const maybe = new Map(model.stores.filter((s) => s.specUnknown).flatMap((s) => s.roles.map((r) => [r.resource.urn, s.resource] as const)));
        for (const role of model.roles) {
            const store = maybe.get(role.resource.urn);
            if (!tagging.has(role.resource.urn) && store !== undefined && role.trust.kind === "ok") {
                const lacking = [...taggedAssumers(role.trust.statements, true)].some(([p]) => tagSessionProblem((role.trust as { statements: Statement[] }).statements, p));
                if (lacking) undecided(store, "spec");
                continue;
            }
            if (!tagging.has(role.resource.urn)) continue;
            if (role.trust.kind === "unknown") {
                undecided(role.resource, "assumeRolePolicy");
                continue;
            }
            if (role.trust.kind !== "ok") continue;
            for (const [principal, why] of taggedAssumers(role.trust.statements, true)) {
                const problem = tagSessionProblem(role.trust.statements, principal);
                if (problem) {
                    report(role.resource, `Role '${role.resource.name}' is assumed by ${shown(principal)} with session tags (${why}), but ${problem}: allow sts:TagSession to that principal.`);
                }
            }
        }
    },
});
