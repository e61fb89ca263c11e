/**
 * Generators run in the ESO controller with its identity and need no store,
 * so no store rule sees them. A release that serves a store assuming a
 * session-tag-checked role must come with an admission policy over the
 * generators group and without the chart's aggregation of its -edit role
 * (create on every generator kind) into `edit` and `admin`.
 */
import { isRecord, isUnknown, plain, Props } from "../lib/values";
import { stackPolicy } from "./define";
import { isEsoChart } from "./eso";
import { stackModel } from "./stackModel";
import { TYPES, usesEsoSessionTags } from "./types";

const GENERATOR_GROUP = "generators.external-secrets.io";

type Decision = "yes" | "no" | "unknown";

/** Whether a ValidatingAdmissionPolicy over every generator kind (CREATE and UPDATE, failing closed) is bound with Deny. */
export function generatorGuardDeployed(resources: { type: string; props: Props }[]): Decision {
    const bindings = resources.filter((r) => r.type === TYPES.admissionPolicyBinding).map((r) => plain(r.props));
    let unknown = false;
    for (const r of resources) {
        if (r.type !== TYPES.admissionPolicy) continue;
        const props = plain(r.props);
        const spec = props.spec;
        if (isUnknown(spec) || isUnknown(props.metadata)) {
            unknown = true;
            continue;
        }
        const rules = isRecord(spec) ? spec.matchConstraints?.resourceRules : undefined;
        if (isUnknown(rules)) {
            unknown = true;
            continue;
        }
        const everyGenerator =
            Array.isArray(rules) &&
            rules.some(
                (rule: Props) =>
                    Array.isArray(rule?.apiGroups) &&
                    (rule.apiGroups.includes(GENERATOR_GROUP) || rule.apiGroups.includes("*")) &&
                    Array.isArray(rule.resources) &&
                    rule.resources.includes("*") &&
                    Array.isArray(rule.operations) &&
                    ["CREATE", "UPDATE"].every((op) => rule.operations.includes(op) || rule.operations.includes("*")),
            );
        if (!everyGenerator || spec.failurePolicy === "Ignore") continue;
        const name = props.metadata?.name;
        const bound = bindings.some((b) => {
            if (isUnknown(b.spec)) return (unknown = true) && false;
            return b.spec?.policyName === name && Array.isArray(b.spec?.validationActions) && b.spec.validationActions.includes("Deny");
        });
        if (bound) return "yes";
    }
    return unknown ? "unknown" : "no";
}

export const esoReleaseDisallowUnguardedGenerators = stackPolicy({
    name: "eso-release-disallow-unguarded-generators",
    displayName: "ESO generators are guarded and not aggregated to edit/admin",
    description:
        "An ESO release serves a store that assumes a session-tag-checked role, but no ValidatingAdmissionPolicy bound with Deny guards every kind of generators.external-secrets.io, or the chart still aggregates its -edit role (create on every generator) into edit and admin: a team creates a generator that runs with the controller's own identity.",
    enforcementLevel: "mandatory",
    severity: "critical",
    url: "https://external-secrets.io/latest/api/generator/",
    remediationSteps:
        "Deploy the generator guard (EsoRelease ships one in every mode: a ValidatingAdmissionPolicy over generators.external-secrets.io, resources '*', CREATE and UPDATE, bound with Deny) and set rbac.aggregateToEdit and rbac.aggregateToAdmin to false.",
    validate: ({ resources, report, undecided }) => {
        const model = stackModel(resources);
        const abac = new Set(model.abacRoles().map((r) => r.resource.urn));
        const tagChecked = model.stores.some((s) => usesEsoSessionTags(s.aws) || s.roles.some((r) => abac.has(r.resource.urn)));
        if (!tagChecked) return;
        const guard = generatorGuardDeployed(resources);
        for (const release of resources) {
            const props = plain(release.props);
            if (!isEsoChart(release.type, props)) continue;
            const problems: string[] = [];
            if (guard === "no") problems.push("no ValidatingAdmissionPolicy bound with Deny guards generators.external-secrets.io");
            if (guard === "unknown") undecided(release, "generator guard");
            if (isUnknown(props.values)) {
                undecided(release, "values");
            } else {
                const rbac = isRecord(props.values) ? props.values.rbac : undefined;
                for (const key of ["aggregateToEdit", "aggregateToAdmin"]) {
                    const value = isRecord(rbac) ? rbac[key] : undefined;
                    if (isUnknown(value) || isUnknown(rbac)) undecided(release, `values.rbac.${key}`);
                    else if (value !== false) problems.push(`rbac.${key} is not false (the chart's -edit role grants create on every generator kind)`);
                }
            }
            if (problems.length > 0) {
                report(
                    release,
                    `ESO release '${release.name}' serves a store that assumes a session-tag-checked role, but ${problems.join("; ")}: deploy the generator guard and set rbac.aggregateToEdit and rbac.aggregateToAdmin to false.`,
                );
            }
        }
    },
});
