import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { ESO_CHART } from "../../components/lib/constants";
import { versionAtLeast } from "../../components/lib/validate";
import { abacRoles } from "./abacPermissions";
import { buildStackModel } from "./stackModel";
import { isSecretStoreType, usesEsoSessionTags, TYPES } from "./types";

type Props = Record<string, any>;

/** Problems of a store's AWS provider that keep its session tags from reaching AWS. */
export function storeSessionTagProblems(aws: Props | undefined): string[] {
    if (aws === undefined || aws === null) return [];
    const problems: string[] = [];
    const templated = [
        ...(aws.sessionTags ?? []).map((t: { key?: string; value?: unknown }) => [t?.key, t?.value]),
        ...Object.entries(aws.customSessionTags ?? {}),
    ].filter(([, v]) => typeof v === "string" && v.includes("{{"));
    for (const [key, value] of templated) {
        problems.push(
            `session tag '${key}' is \`${value}\`: ESO does not template session tags and sends it literally; use sessionTagsPolicy: Simple, which sends esoNamespace`,
        );
    }
    const wantsTags = usesEsoSessionTags(aws) || (aws.sessionTags ?? []).length > 0;
    if (wantsTags && (aws.role === undefined || aws.role === "")) {
        problems.push("asks for session tags but sets no `role`: ESO sends tags only when it assumes a role, so they are silently dropped; set `role` to the shared ABAC role");
    }
    return problems;
}

export const esoStoreSessionTagsMustReachAws: ResourceValidationPolicy = {
    name: "eso-store-session-tags-must-reach-aws",
    description:
        "An ESO SecretStore or ClusterSecretStore whose session tags never reach AWS as meant: a '{{ }}' template (sent literally) or session tags without `role` (silently dropped), so ABAC denies every read or matches the wrong value.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Set spec.provider.aws.role to the shared ABAC role and sessionTagsPolicy: Simple; drop templated sessionTags.",
    validateResource: (args, reportViolation) => {
        if (!isSecretStoreType(args.type)) args.notApplicable("not an ESO SecretStore or ClusterSecretStore");
        for (const problem of storeSessionTagProblems(args.props.spec?.provider?.aws)) {
            reportViolation(`${args.props.kind ?? "Store"} '${args.name}' ${problem}.`);
        }
    },
};

export const esoStoreAbacRoleRequiresSessionTagsPolicy: StackValidationPolicy = {
    name: "eso-store-abac-role-requires-session-tags-policy",
    description:
        "An ESO store assumes a role meant for ABAC but sends no esoNamespace tag (sessionTagsPolicy absent or None), so every read is denied, or legacy sessionTags decide the namespace.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Set spec.provider.aws.sessionTagsPolicy: Simple on the store (ESO >= 2.5.0).",
    validateStack: (args, reportViolation) => {
        const model = buildStackModel(args.resources);
        const abac = new Set(abacRoles(args.resources).map((r) => r.resource.urn));
        for (const store of model.stores) {
            const policy = store.props.spec?.provider?.aws?.sessionTagsPolicy ?? "None";
            if (policy !== "None") continue;
            const roles = model.storeRoles(store).filter((r) => abac.has(r.resource.urn));
            if (roles.length > 0) {
                reportViolation(
                    `Store '${store.name}' assumes ABAC role '${roles[0].resource.name}' with sessionTagsPolicy ${policy}: no esoNamespace tag is sent. Set sessionTagsPolicy: Simple.`,
                    store.urn,
                );
            }
        }
    },
};

function isEsoChart(type: string, props: Props): boolean {
    return (type === TYPES.helmRelease || type === TYPES.helmChart) && /(^|\/)external-secrets$/.test(String(props.chart ?? ""));
}

function admissionPolicyGuardsSecretStores(resources: { type: string; props: Props }[]): boolean {
    return resources.some(
        (r) =>
            r.type === TYPES.admissionPolicy &&
            (r.props.spec?.matchConstraints?.resourceRules ?? []).some((rule: Props) => (rule.resources ?? []).includes("secretstores")),
    );
}

export const esoReleaseDisallowUnguardedSecretStores: StackValidationPolicy = {
    name: "eso-release-disallow-unguarded-secret-stores",
    description:
        "An ESO release serves namespaced SecretStores in a stack whose stores use session tags, with no admission policy: a team that may create a SecretStore sends a forged esoNamespace and reads another team's secrets.",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
        "Add a ValidatingAdmissionPolicy on secretstores that refuses stores naming the shared role or sending eso* tags (the component ships one in every mode), and set processSecretStore: false.",
    validateStack: (args, reportViolation) => {
        const model = buildStackModel(args.resources);
        const tagging = model.stores.some((s) => usesEsoSessionTags(s.props.spec?.provider?.aws));
        if (!tagging || admissionPolicyGuardsSecretStores(args.resources)) return;
        for (const release of args.resources.filter((r) => isEsoChart(r.type, r.props))) {
            if (release.props.values?.processSecretStore !== false) {
                reportViolation(
                    `ESO release '${release.name}' processes namespaced SecretStores (processSecretStore is not false) and no ValidatingAdmissionPolicy guards them: add a ValidatingAdmissionPolicy on secretstores and set processSecretStore: false.`,
                    release.urn,
                );
            }
        }
    },
};

export const esoChartSupportsSessionTags: ResourceValidationPolicy = {
    name: "eso-chart-version-supports-session-tags",
    description: `An ESO chart older than ${ESO_CHART.minimumVersion} has no sessionTagsPolicy: its CRD prunes the field, no esoNamespace tag is sent and every ABAC read is denied.`,
    enforcementLevel: "advisory",
    severity: "medium",
    remediationSteps: `Pin the external-secrets chart to ${ESO_CHART.version} (at least ${ESO_CHART.minimumVersion}).`,
    configSchema: { properties: { minimumVersion: { type: "string", default: ESO_CHART.minimumVersion } } },
    validateResource: (args, reportViolation) => {
        if (!isEsoChart(args.type, args.props)) args.notApplicable("not the external-secrets chart");
        const { minimumVersion = ESO_CHART.minimumVersion } = args.getConfig<{ minimumVersion?: string }>();
        const version = args.props.version;
        if (typeof version === "string" && version !== "" && !versionAtLeast(version, minimumVersion)) {
            reportViolation(`ESO release '${args.name}' pins chart ${version}, older than ${minimumVersion}: pin ${ESO_CHART.version}.`);
        }
    },
};

export const podIdentityAssociationKeepsSessionTags: ResourceValidationPolicy = {
    name: "pod-identity-association-keeps-session-tags",
    description:
        "A Pod Identity association with disableSessionTags: the session has no eks-cluster-name tag, so an ABAC policy keyed on it denies every read.",
    enforcementLevel: "advisory",
    severity: "medium",
    remediationSteps: "Remove disableSessionTags (or set it to false) on the association.",
    validateResource: (args, reportViolation) => {
        if (args.type !== TYPES.podIdentityAssociation) args.notApplicable("not a Pod Identity association");
        if (args.props.disableSessionTags === true) {
            reportViolation(`Pod Identity association '${args.name}' disables session tags: eks-cluster-name never reaches the ABAC policy. Remove disableSessionTags.`);
        }
    },
};
