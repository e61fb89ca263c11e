import { StackValidationPolicy } from "@pulumi/policy";
import { POD_IDENTITY_SERVICE_PRINCIPAL } from "../../components/lib/constants";
import { coversAction, coversPrincipal, Statement } from "./iamDocuments";
import { buildStackModel, RoleModel } from "./stackModel";

const POD_IDENTITY = `Service:${POD_IDENTITY_SERVICE_PRINCIPAL}`;

function testsSessionTags(statement: Statement): boolean {
    return statement.conditions.some((c) => /^aws:RequestTag\//i.test(c.key) || /^aws:TagKeys$/i.test(c.key));
}

/**
 * Principals that assume the role with session tags, and why: Pod Identity
 * always tags; a trust that tests request tags expects them; a store with
 * `role` (and sessionTagsPolicy) chains with ESO's tags.
 */
export function taggedAssumers(role: RoleModel, assumedByStore: boolean): Map<string, string> {
    const found = new Map<string, string>();
    for (const s of role.trust ?? []) {
        if (s.effect !== "Allow" || !coversAction(s, "sts:AssumeRole")) continue;
        const principals = s.notPrincipal ? ["*"] : s.principals;
        for (const p of principals) {
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

export const trustPolicyRequiresTagSession: StackValidationPolicy = {
    name: "trust-policy-requires-tag-session",
    description:
        "A role assumed with session tags (EKS Pod Identity, a trust that tests aws:RequestTag or aws:TagKeys, or an ESO store's role) must allow sts:TagSession to the same principal; without it every AssumeRole, and so every secret read, fails with AccessDenied.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        'Add "sts:TagSession" beside "sts:AssumeRole" in the trust statement of that principal, and remove any Deny of sts:TagSession for it.',
    validateStack: (args, reportViolation) => {
        const model = buildStackModel(args.resources);
        const storeRoleUrns = new Set(
            model.stores
                .filter((s) => s.props.spec?.provider?.aws?.role !== undefined)
                .flatMap((s) => model.storeRoles(s).map((r) => r.resource.urn)),
        );
        for (const role of model.roles) {
            if (role.trust === undefined) continue;
            for (const [principal, why] of taggedAssumers(role, storeRoleUrns.has(role.resource.urn))) {
                const problem = tagSessionProblem(role.trust, principal);
                if (problem) {
                    reportViolation(
                        `Role '${role.resource.name}' is assumed by ${principal} with session tags (${why}), but ${problem}: allow sts:TagSession to that principal.`,
                        role.resource.urn,
                    );
                }
            }
        }
    },
};
