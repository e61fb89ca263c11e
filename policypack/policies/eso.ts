import * as semver from "semver";
import { parseAllDocuments } from "yaml";
import { ESO_CHART } from "../lib/constants";
import { isRecord, isUnknown, plain, Props } from "../lib/values";
import { resourcePolicy, stackPolicy, Subject } from "./define";
import { stackModel } from "./stackModel";
import { isSecretStoreManifest, isSecretStoreType, TYPES, usesEsoSessionTags } from "./types";

const ESO_AWS_DOCS = "https://external-secrets.io/latest/provider/aws-secrets-manager/";

/** Problems of a store's AWS provider that keep its session tags from reaching AWS. Names no tag value. */
export function storeSessionTagProblems(aws: unknown, undecided: (path: string) => void): string[] {
    if (isUnknown(aws)) {
        undecided("spec.provider.aws");
        return [];
    }
    if (!isRecord(aws)) return [];
    const problems: string[] = [];
    // ESO's CRD has sessionTags as a list of {key, value}; a map is not that shape and is read as no tags.
    const sessionTags = Array.isArray(aws.sessionTags) ? aws.sessionTags : [];
    if (aws.sessionTags !== undefined && !Array.isArray(aws.sessionTags) && !isUnknown(aws.sessionTags)) {
        problems.push("has sessionTags that is not a list of {key, value}: the CRD rejects or prunes it");
    }
    const custom = isRecord(aws.customSessionTags) ? Object.entries(aws.customSessionTags) : [];
    const templated = [...sessionTags.map((t: any) => [t?.key, t?.value]), ...custom].filter(([, v]) => typeof v === "string" && v.includes("{{"));
    for (const [key] of templated) {
        problems.push(`session tag '${String(key)}' holds a '{{ }}' template: ESO does not template session tags and sends it literally; use sessionTagsPolicy: Simple, which sends esoNamespace`);
    }
    if (isUnknown(aws.sessionTagsPolicy)) undecided("spec.provider.aws.sessionTagsPolicy");
    const wantsTags = usesEsoSessionTags(aws) || sessionTags.length > 0;
    if (wantsTags && (aws.role === undefined || aws.role === null || aws.role === "")) {
        problems.push("asks for session tags but sets no `role`: ESO sends tags only when it assumes a role, so they are silently dropped; set `role` to the shared ABAC role");
    }
    return problems;
}

/** ESO store manifests in the chart's `extraObjects` (maps, or YAML strings the chart renders with tpl). */
export function extraObjectStores(values: unknown): Props[] {
    if (!isRecord(values) || !Array.isArray(values.extraObjects)) return [];
    const found: Props[] = [];
    for (const item of values.extraObjects) {
        if (isRecord(item)) {
            if (isSecretStoreManifest(item)) found.push(item);
        } else if (typeof item === "string" && !isUnknown(item)) {
            for (const doc of parseAllDocuments(item)) {
                const m = doc.errors.length === 0 ? doc.toJS() : undefined;
                if (isRecord(m) && isSecretStoreManifest(m)) found.push(m);
            }
        }
    }
    return found;
}

export function isEsoChart(type: string, props: Props): boolean {
    return (type === TYPES.helmRelease || type === TYPES.helmChart) && typeof props.chart === "string" && /(^|\/)external-secrets$/.test(props.chart);
}

function judgeStore(subject: Subject, label: string, manifest: unknown, prefix: string): void {
    const spec = isRecord(manifest) ? manifest.spec : undefined;
    if (isUnknown(spec)) return subject.undecided.add(`${prefix}spec`);
    const provider = isRecord(spec) ? spec.provider : undefined;
    if (isUnknown(provider)) return subject.undecided.add(`${prefix}spec.provider`);
    const aws = isRecord(provider) ? provider.aws : undefined;
    for (const problem of storeSessionTagProblems(aws, (p) => subject.undecided.add(prefix + p))) subject.report(`${label} ${problem}.`);
}

export const esoStoreSessionTagsMustReachAws = resourcePolicy({
    name: "eso-store-session-tags-must-reach-aws",
    displayName: "ESO stores send their session tags",
    description:
        "An ESO SecretStore or ClusterSecretStore (a resource, a *SecretStorePatch, or a manifest in the chart's extraObjects) whose session tags never reach AWS as meant: a '{{ }}' template (sent literally) or session tags without `role` (silently dropped), so ABAC denies every read or matches the wrong value.",
    enforcementLevel: "mandatory",
    severity: "high",
    url: ESO_AWS_DOCS,
    remediationSteps: "Set spec.provider.aws.role to the shared ABAC role and sessionTagsPolicy: Simple; drop templated sessionTags.",
    types: (t) => isSecretStoreType(t) || t === TYPES.helmRelease || t === TYPES.helmChart,
    validate: (subject) => {
        if (isSecretStoreType(subject.type)) {
            const kind = typeof subject.props.kind === "string" ? subject.props.kind : subject.type.split(":").pop();
            return judgeStore(subject, `${kind} '${subject.name}'`, subject.props, "");
        }
        if (!isEsoChart(subject.type, subject.props)) return;
        if (isUnknown(subject.props.values)) return subject.undecided.add("values");
        for (const [i, store] of extraObjectStores(subject.props.values).entries()) {
            judgeStore(subject, `ESO release '${subject.name}' extraObjects ${store.kind} #${i + 1}`, store, "values.extraObjects.");
        }
    },
});

/** Whether a chart version or range may resolve below the minimum; undefined when it is not a version. */
export function chartMayBeOlder(version: string, minimum: string): boolean | undefined {
    const range = semver.validRange(version.replace(/^v(?=\d)/, ""), { loose: true });
    if (range === null) return undefined;
    return semver.intersects(range, `<${minimum}`, { includePrerelease: false });
}

export const esoChartSupportsSessionTags = resourcePolicy<{ minimumVersion?: string }>({
    name: "eso-chart-version-supports-session-tags",
    displayName: "The ESO chart supports sessionTagsPolicy",
    description: `An ESO chart version (or range, such as ^2.0 or 2.x) that may resolve below ${ESO_CHART.minimumVersion} has no sessionTagsPolicy: its CRD prunes the field, no esoNamespace tag is sent and every ABAC read is denied.`,
    enforcementLevel: "advisory",
    severity: "medium",
    url: ESO_AWS_DOCS,
    remediationSteps: `Pin the external-secrets chart to ${ESO_CHART.version} (at least ${ESO_CHART.minimumVersion}).`,
    configSchema: { properties: { minimumVersion: { type: "string", default: ESO_CHART.minimumVersion } } },
    types: [TYPES.helmRelease, TYPES.helmChart],
    validate: (subject, config) => {
        if (!isEsoChart(subject.type, subject.props)) return;
        const minimum = typeof config.minimumVersion === "string" ? config.minimumVersion : ESO_CHART.minimumVersion;
        const version = subject.props.version;
        if (isUnknown(version)) return subject.undecided.add("version");
        if (typeof version !== "string" || version === "") return;
        const older = chartMayBeOlder(version, minimum);
        if (older === undefined) subject.report(`ESO release '${subject.name}' pins a chart version that is not a version or range: pin ${ESO_CHART.version}.`);
        else if (older) subject.report(`ESO release '${subject.name}' pins a chart version or range that may resolve below ${minimum}: pin ${ESO_CHART.version}.`);
    },
});

export const podIdentityAssociationKeepsSessionTags = resourcePolicy({
    name: "pod-identity-association-keeps-session-tags",
    displayName: "Pod Identity keeps its session tags",
    description:
        "A Pod Identity association with disableSessionTags: the session has no eks-cluster-name tag, so an ABAC policy keyed on it denies every read.",
    enforcementLevel: "advisory",
    severity: "medium",
    url: "https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html",
    remediationSteps: "Remove disableSessionTags (or set it to false) on the association.",
    types: [TYPES.podIdentityAssociation],
    validate: (subject) => {
        if (isUnknown(subject.props.disableSessionTags)) return subject.undecided.add("disableSessionTags");
        if (subject.props.disableSessionTags === true) {
            subject.report(`Pod Identity association '${subject.name}' disables session tags: eks-cluster-name never reaches the ABAC policy. Remove disableSessionTags.`);
        }
    },
});

export const esoStoreAbacRoleRequiresSessionTagsPolicy = stackPolicy({
    name: "eso-store-abac-role-requires-session-tags-policy",
    displayName: "Stores that assume the ABAC role send esoNamespace",
    description:
        "An ESO store assumes a role meant for ABAC (its `role` depends on or names it) but sends no esoNamespace tag (sessionTagsPolicy absent or None), so every read is denied, or legacy sessionTags decide the namespace.",
    enforcementLevel: "mandatory",
    severity: "high",
    url: ESO_AWS_DOCS,
    remediationSteps: "Set spec.provider.aws.sessionTagsPolicy: Simple on the store (ESO >= 2.5.0).",
    validate: ({ resources, report, undecided }) => {
        const model = stackModel(resources);
        const abac = new Set(model.abacRoles().map((r) => r.resource.urn));
        for (const store of model.stores) {
            if (store.specUnknown && store.roles.some((r) => abac.has(r.resource.urn))) undecided(store.resource, "spec");
            if (!store.hasRole || store.aws === undefined) continue;
            const policy = store.aws.sessionTagsPolicy ?? "None";
            if (isUnknown(policy)) {
                if (store.roles.some((r) => abac.has(r.resource.urn))) undecided(store.resource, "spec.provider.aws.sessionTagsPolicy");
                continue;
            }
            if (policy !== "None") continue;
            const roles = store.roles.filter((r) => abac.has(r.resource.urn));
            if (roles.length > 0) {
                report(
                    store.resource,
                    `Store '${store.resource.name}' assumes ABAC role '${roles[0].resource.name}' with sessionTagsPolicy None: no esoNamespace tag is sent. Set sessionTagsPolicy: Simple.`,
                );
            }
        }
    },
});

function admissionPolicyGuardsSecretStores(resources: { type: string; props: Props }[]): boolean {
    return resources.some((r) => {
        if (r.type !== TYPES.admissionPolicy) return false;
        const rules = plain(r.props).spec?.matchConstraints?.resourceRules;
        return Array.isArray(rules) && rules.some((rule: Props) => Array.isArray(rule?.resources) && rule.resources.includes("secretstores"));
    });
}

export const esoReleaseDisallowUnguardedSecretStores = stackPolicy({
    name: "eso-release-disallow-unguarded-secret-stores",
    displayName: "Namespaced SecretStores are off or guarded",
    description:
        "An ESO release serves namespaced SecretStores in a stack whose stores use session tags, with no admission policy: a team that may create a SecretStore sends a forged esoNamespace and reads another team's secrets.",
    enforcementLevel: "mandatory",
    severity: "critical",
    url: ESO_AWS_DOCS,
    remediationSteps:
        "Add a ValidatingAdmissionPolicy on secretstores that refuses stores naming the shared role or sending eso* tags (the component ships one in every mode), and set processSecretStore: false.",
    validate: ({ resources, report, undecided }) => {
        const model = stackModel(resources);
        const tagging = model.stores.some((s) => usesEsoSessionTags(s.aws));
        if (!tagging || admissionPolicyGuardsSecretStores(resources)) return;
        for (const release of resources) {
            const props = plain(release.props);
            if (!isEsoChart(release.type, props)) continue;
            const process = isRecord(props.values) ? props.values.processSecretStore : props.values;
            if (isUnknown(process)) undecided(release, "values.processSecretStore");
            else if (process !== false) {
                report(
                    release,
                    `ESO release '${release.name}' processes namespaced SecretStores (processSecretStore is not false) and no ValidatingAdmissionPolicy guards them: add a ValidatingAdmissionPolicy on secretstores and set processSecretStore: false.`,
                );
            }
        }
    },
});
