/**
 * The RBAC the stack's Helm releases install, for the Kubernetes reader
 * evaluation (rbac.ts). The checker cannot run helm when it judges, so it
 * reads a table generated from real `helm template` renders of the pinned
 * charts (chartRbacTable.ts, written by scripts/chart-rbac.ts; tests/chartRbac.test.ts
 * re-renders every variant and fails when the table is stale).
 *
 * Fail closed: a release is decided only when its chart and version are in
 * the table and its values agree with one rendered variant on every value the
 * chart's RBAC templates read (`RBAC_VALUE_PATHS`, checked against the
 * templates' own `.Values` references by the test), a value equal to the
 * chart's default counting as the default. Anything else (another
 * chart, another version, a values file, a value that changes the RBAC) is
 * "not decided", which is not OK.
 */
import type { StackResource } from "../../inputs";
import { hasUnknown, known, value } from "../principalDocuments";
import { CHART_RBAC_TABLE } from "./chartRbacTable";

export interface RbacRule {
    apiGroups?: string[];
    resources?: string[];
    verbs?: string[];
    resourceNames?: string[];
}

/** A Role, ClusterRole or binding, declared by the stack or rendered by a chart. */
export interface RbacObject {
    kind: string;
    metadata: { name?: string; namespace?: string; labels?: Record<string, string> };
    rules?: RbacRule[];
    aggregationRule?: { clusterRoleSelectors?: { matchLabels?: Record<string, string> }[] };
    roleRef?: { kind?: string; name?: string };
    subjects?: { kind: string; name: string; namespace?: string }[];
}

export const RBAC_KINDS = ["ClusterRole", "Role", "ClusterRoleBinding", "RoleBinding"];

/** Placeholders the table is rendered with, filled in per release. */
export const PLACEHOLDER = { release: "zzrelease", namespace: "zznamespace", serviceAccount: "zzsa" } as const;

export interface ChartRbacVariant {
    /** The values of `RBAC_VALUE_PATHS` this variant was rendered with (chart defaults filled in). */
    key: Record<string, unknown>;
    /** What the variant stands for (which stacks produce it). */
    title: string;
    objects: RbacObject[];
}

export interface ChartRbacEntry {
    chart: string;
    version: string;
    /**
     * The chart's own defaults on `RBAC_VALUE_PATHS` (its values.yaml, a
     * subchart's beneath the parent's), where it sets one: Helm coalesces
     * the release's values over them, so a value set to its default renders
     * as if left out.
     */
    defaults: Record<string, unknown>;
    variants: ChartRbacVariant[];
}

/**
 * Every value that the RBAC templates of a chart read, directly or through
 * the helpers they include (fullname, labels, service account names), below
 * the release's values. `serviceAccount.name` is filled into the rendered
 * objects instead of compared; `extraObjects` is read by itself (below).
 */
export const RBAC_VALUE_PATHS: Record<string, string[]> = {
    "external-secrets": [
        "certController.create", "certController.metrics.listen.auth.enabled", "certController.rbac.create", "certController.serviceAccount.create", "certController.serviceAccount.name",
        "commonLabels", "crds.createClusterSecretStore", "fullnameOverride", "genericTargets.enabled", "genericTargets.resources", "leaderElectionID", "metrics.listen.auth.enabled",
        "nameOverride", "namespaceOverride", "openshiftFinalizers", "processClusterExternalSecret", "processClusterGenerator", "processClusterPushSecret", "processClusterStore",
        "processPushSecret", "rbac.aggregateToAdmin", "rbac.aggregateToEdit", "rbac.aggregateToView", "rbac.create", "rbac.serviceAccountTokenCreate", "rbac.servicebindings.create",
        "scopedNamespace", "scopedRBAC", "serviceAccount.create", "serviceAccount.name", "serviceMonitor.enabled", "serviceMonitor.renderMode", "systemAuthDelegator", "webhook.certManager.enabled", "webhook.create",
        "webhook.metrics.listen.auth.enabled", "webhook.serviceAccount.create", "webhook.serviceAccount.name", "webhook.service.labels",
    ],
    "secrets-store-csi-driver-provider-aws": [
        "awsRegion", "commonLabels", "fullnameOverride", "nameOverride", "rbac.install", "rbac.serviceAccountName",
        "secrets-store-csi-driver.commonLabels", "secrets-store-csi-driver.fullnameOverride", "secrets-store-csi-driver.install", "secrets-store-csi-driver.linux.crds.enabled",
        "secrets-store-csi-driver.nameOverride", "secrets-store-csi-driver.rbac.install", "secrets-store-csi-driver.rbac.pspEnabled", "secrets-store-csi-driver.syncSecret.enabled",
    ],
};

/** Values filled into the rendered objects rather than compared. */
const FILLED_PATHS = new Set(["serviceAccount.name"]);

export const ABSENT = "(absent)";

function getPath(values: unknown, path: string): unknown {
    let node = values;
    for (const key of path.split(".")) {
        if (node === null || typeof node !== "object" || Array.isArray(node)) return undefined;
        node = (node as Record<string, unknown>)[key];
    }
    return node;
}

/** JSON with object keys sorted, so that two values Helm takes as equal compare equal whatever order their keys were written in. */
export function canonical(v: unknown): string {
    if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
    if (v !== null && typeof v === "object") return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(",")}}`;
    return JSON.stringify(v) ?? "undefined";
}

/**
 * The release's values on the RBAC paths, as the table keys them: absent
 * where the user left the chart default or set a value equal to it
 * (`defaults`, the chart's values.yaml); any other value as written.
 */
export function rbacKey(chart: string, values: unknown, defaults: Record<string, unknown>): Record<string, unknown> {
    const key: Record<string, unknown> = {};
    for (const p of RBAC_VALUE_PATHS[chart] ?? []) {
        const v = getPath(values, p);
        const unset = v === undefined || (p in defaults && canonical(v) === canonical(defaults[p]));
        key[p] = unset ? ABSENT : FILLED_PATHS.has(p) ? PLACEHOLDER.serviceAccount : v;
    }
    return key;
}

/** The table's name for a release's chart: the chart reference's last segment. */
export function chartName(r: StackResource): string | undefined {
    const chart = value(r, "chart");
    if (!known(chart)) return undefined;
    return chart.replace(/\/+$/, "").split("/").pop()?.replace(/-\d+\.\d+\.\d+\.tgz$/, "");
}

/** Helm's `<chart>.fullname` without overrides: the release name when it contains the chart's name, else `<release>-<chart>`, cut to 63 characters. */
export function chartFullname(release: string, chart: string): string {
    return (release.includes(chart) ? release : `${release}-${chart}`).slice(0, 63).replace(/-+$/, "");
}

export type ChartRbac = { objects: RbacObject[]; variant: string } | { undecided: string };

/**
 * The RBAC objects a release installs, with its name, namespace and service
 * account filled in, or why they are not decided.
 */
export function chartRbac(r: StackResource, table: ChartRbacEntry[] = CHART_RBAC_TABLE): ChartRbac {
    const chart = chartName(r);
    const version = value(r, "version");
    const where = `Helm release '${r.name}'`;
    if (chart === undefined) return { undecided: `${where}: its chart is not known yet, so the RBAC it installs is not decided` };
    const versions = table.filter((e) => e.chart === chart);
    if (versions.length === 0) return { undecided: `${where}: chart '${chart}' is not in the chart RBAC table (only ${[...new Set(table.map((e) => e.chart))].join(", ")}), so the RBAC it installs is not decided: render it and add it (scripts/chart-rbac.ts)` };
    const entry = versions.find((e) => e.version === version);
    if (entry === undefined) return { undecided: `${where}: ${chart} version ${known(version) ? version : "(not pinned)"} is not in the chart RBAC table (${versions.map((e) => e.version).join(", ")}), so the RBAC it installs is not decided: pin a version in the table or add it (scripts/chart-rbac.ts)` };
    if (value(r, "valueYamlFiles") !== undefined && JSON.stringify(value(r, "valueYamlFiles")) !== "[]") return { undecided: `${where}: values come from valueYamlFiles, which the checker does not read, so the RBAC it installs is not decided` };
    const values = (value(r, "values") ?? {}) as Record<string, unknown>;
    if (hasUnknown(values)) return { undecided: `${where}: some values are not known yet, so the RBAC it installs is not decided` };
    const key = rbacKey(chart, values, entry.defaults);
    const variant = entry.variants.find((v) => canonical(v.key) === canonical(key));
    if (variant === undefined) {
        const nearest = entry.variants[0];
        const differs = Object.keys(key).filter((p) => canonical(key[p]) !== canonical(nearest.key[p]));
        return { undecided: `${where}: values ${differs.map((p) => `${p} = ${JSON.stringify(key[p])}`).join(", ")} give RBAC that no rendered variant of ${chart} ${entry.version} covers, so who it lets read Secrets is not decided: render that variant into the table (scripts/chart-rbac.ts) or remove the value` };
    }
    const namespace = value(r, "namespace");
    const ns = known(namespace) ? namespace : "default";
    const release = value(r, "name");
    const releaseName = known(release) ? release : `<release of ${r.name}>`;
    const sa = getPath(values, "serviceAccount.name");
    const fill = (text: string) =>
        text
            .split(`${PLACEHOLDER.release}-${chart}`).join(chartFullname(releaseName, chart))
            .split(PLACEHOLDER.release).join(releaseName)
            .split(PLACEHOLDER.namespace).join(ns)
            .split(PLACEHOLDER.serviceAccount).join(typeof sa === "string" ? sa : PLACEHOLDER.serviceAccount);
    const objects = JSON.parse(fill(JSON.stringify(variant.objects))) as RbacObject[];
    const extra = extraObjects(values, ns, where);
    if ("undecided" in extra) return extra;
    return { objects: [...objects, ...extra.objects], variant: variant.title };
}

/**
 * `extraObjects`: the ESO chart renders each through `tpl` (templates/extra-manifests.yaml,
 * `external-secrets.render`); an object without template actions is
 * rendered as written, in the release namespace when it names none.
 */
function extraObjects(values: Record<string, unknown>, namespace: string, where: string): { objects: RbacObject[] } | { undecided: string } {
    const items = values.extraObjects;
    if (items === undefined) return { objects: [] };
    if (!Array.isArray(items)) return { undecided: `${where}: extraObjects is not a list, so the RBAC it installs is not decided` };
    const objects: RbacObject[] = [];
    for (const [i, item] of items.entries()) {
        if (typeof item !== "object" || item === null || JSON.stringify(item).includes("{{")) return { undecided: `${where}: extraObjects[${i}] is a template, which the checker does not render, so the RBAC it installs is not decided: write it as an object without template actions, or as a resource of the stack` };
        const o = item as RbacObject;
        if (!RBAC_KINDS.includes(o.kind)) continue;
        const namespaced = o.kind === "Role" || o.kind === "RoleBinding";
        objects.push({ ...o, metadata: { ...o.metadata, ...(namespaced ? { namespace: o.metadata?.namespace ?? namespace } : {}) } });
    }
    return { objects };
}

/**
 * The chart service accounts that must read Secrets, per release (`namespace/name`
 * with the reason the report prints): ESO's controller writes the Secrets of
 * every ExternalSecret; ESO's cert-controller, when the chart renders it,
 * watches every Secret for the webhook's certificate (templates/cert-controller-rbac.yaml,
 * a ClusterRole with get/list/watch on secrets); the CSI driver writes the
 * synced Secrets when `syncSecret.enabled` (the driver chart's
 * templates/role-syncsecret.yaml).
 */
export function chartControllers(r: StackResource): Map<string, string> {
    const out = new Map<string, string>();
    const chart = chartName(r);
    const namespace = value(r, "namespace");
    const ns = known(namespace) ? namespace : "default";
    const values = (value(r, "values") ?? {}) as Record<string, any>;
    if (chart === "external-secrets") {
        out.set(`${ns}/${values.serviceAccount?.name ?? "external-secrets"}`, "ESO's controller: it writes the Secret of every ExternalSecret");
        if (values.certController?.create !== false) out.set(`${ns}/${values.certController?.serviceAccount?.name ?? "external-secrets-cert-controller"}`, "ESO's cert-controller: the chart grants it get/list/watch on every Secret to find the webhook's certificate");
    }
    if (chart === "secrets-store-csi-driver-provider-aws" || chart === "secrets-store-csi-driver") {
        const driver = chart === "secrets-store-csi-driver" ? values : values["secrets-store-csi-driver"];
        if (driver?.syncSecret?.enabled === true) out.set(`${ns}/secrets-store-csi-driver`, "the Secrets Store CSI driver: syncSecret is on, it writes the Secrets of secretObjects");
    }
    return out;
}
