/**
 * The chart RBAC table (cli/src/checker/checks/reach/chartRbacTable.ts),
 * rendered by a real helm from the pinned charts: each variant is a set of
 * values a stack of the components passes (or the chart's own defaults),
 * rendered with placeholder release, namespace and service account names.
 * scripts/chart-rbac.ts writes the table; tests/chartRbac.test.ts renders
 * again and compares.
 */
import { execFileSync } from "child_process";
import * as path from "path";
import * as YAML from "yaml";
import { esoHelmValues, csiHelmValues, deepMerge, HelmValues } from "../components";
import { ESO_CHART } from "../components/lib/constants";
import { CSI_PROVIDER_CHART } from "../components/lib/csi";
import type { ChartRbacEntry, RbacObject } from "../cli/src/checker/checks/reach/chartRbac";
import { canonical, PLACEHOLDER, RBAC_KINDS, RBAC_VALUE_PATHS, rbacKey } from "../cli/src/checker/checks/reach/chartRbac";
import { ESO_CHART_TGZ, helmTemplate } from "./helm";
import { artefactDir } from "./helpers";

export const ASCP_TGZ = path.join(artefactDir("secrets-store-csi"), "secrets-store-csi-driver-provider-aws-3.1.1.tgz");

export interface ChartVariantSpec {
    chart: string;
    version: string;
    tgz: string;
    title: string;
    values: HelmValues;
    /** Render with every default of `RBAC_VALUE_PATHS` also set explicitly (beneath `values`): its key is the key of the variant without them, and the generator fails unless helm renders the same RBAC. */
    explicitDefaults?: boolean;
}

const hardened = (allowNamespacedSecretStores: boolean) => esoHelmValues({ serviceAccountName: PLACEHOLDER.serviceAccount, allowNamespacedSecretStores });

/** The variants in the table: what the components render, and the charts' defaults. */
export const CHART_VARIANTS: ChartVariantSpec[] = [
    { chart: ESO_CHART.name, version: ESO_CHART.version, tgz: ESO_CHART_TGZ, title: "the component's hardened values", values: hardened(false) },
    { chart: ESO_CHART.name, version: ESO_CHART.version, tgz: ESO_CHART_TGZ, title: "the component's hardened values, namespaced SecretStores allowed", values: hardened(true) },
    { chart: ESO_CHART.name, version: ESO_CHART.version, tgz: ESO_CHART_TGZ, title: "the component's hardened values with genericTargets.enabled (allowGenericTargets)", values: deepMerge(hardened(false), { genericTargets: { enabled: true } }) },
    // An extra controller of fault domains (faultDomainHelmValues): the cluster's CRDs, webhook and cert controller are the default release's.
    ...[false, true].map((namespaced) => ({
        chart: ESO_CHART.name,
        version: ESO_CHART.version,
        tgz: ESO_CHART_TGZ,
        title: `an extra controller of fault domains${namespaced ? ", namespaced SecretStores allowed" : ""}`,
        values: deepMerge(hardened(namespaced), { installCRDs: false, webhook: { create: false }, certController: { create: false } }),
    })),
    { chart: ESO_CHART.name, version: ESO_CHART.version, tgz: ESO_CHART_TGZ, title: "the chart's defaults with a named service account", values: { installCRDs: true, serviceAccount: { create: true, name: PLACEHOLDER.serviceAccount } } },
    { chart: ESO_CHART.name, version: ESO_CHART.version, tgz: ESO_CHART_TGZ, title: "the chart's defaults set explicitly, with a named service account", values: { installCRDs: true, serviceAccount: { create: true, name: PLACEHOLDER.serviceAccount } }, explicitDefaults: true },
    { chart: CSI_PROVIDER_CHART.name, version: CSI_PROVIDER_CHART.version, tgz: ASCP_TGZ, title: "the component's values, syncing off", values: csiHelmValues({ syncSecrets: false }) },
    { chart: CSI_PROVIDER_CHART.name, version: CSI_PROVIDER_CHART.version, tgz: ASCP_TGZ, title: "the component's values, syncSecrets on", values: csiHelmValues({ syncSecrets: true }) },
    { chart: CSI_PROVIDER_CHART.name, version: CSI_PROVIDER_CHART.version, tgz: ASCP_TGZ, title: "the component's values, syncing off, over the chart's defaults set explicitly", values: csiHelmValues({ syncSecrets: false }), explicitDefaults: true },
];

/** Subcharts whose values sit beneath a key of the parent's: the key, and the subchart's folder in the parent's archive. */
const SUBCHARTS: Record<string, { key: string; dir: string }[]> = {
    [CSI_PROVIDER_CHART.name]: [{ key: "secrets-store-csi-driver", dir: "charts/secrets-store-csi-driver" }],
};

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
/** Helm's coalescing of a parent's values over a subchart's: maps merge key by key, anything else the parent's wins. */
function coalesce(under: unknown, over: unknown): unknown {
    if (over === undefined) return under;
    if (!isObject(under) || !isObject(over)) return over;
    const out: Record<string, unknown> = { ...under };
    for (const [k, v] of Object.entries(over)) out[k] = coalesce(under[k], v);
    return out;
}
function getPath(values: unknown, p: string): unknown {
    let node = values;
    for (const k of p.split(".")) node = isObject(node) ? node[k] : undefined;
    return node;
}

/** A chart's values.yaml, with each subchart's beneath the parent's own, read from the packaged chart. */
export function chartValues(chart: string, tgz: string): Record<string, unknown> {
    const read = (file: string) => YAML.parse(execFileSync("tar", ["-xzOf", tgz, `${chart}/${file}`], { encoding: "utf8" })) as Record<string, unknown>;
    const values = read("values.yaml");
    for (const sub of SUBCHARTS[chart] ?? []) values[sub.key] = coalesce(read(`${sub.dir}/values.yaml`), values[sub.key]);
    return values;
}

/** The chart's defaults on its RBAC paths, where its values set one. */
export function chartDefaults(chart: string, tgz: string): Record<string, unknown> {
    const values = chartValues(chart, tgz);
    const out: Record<string, unknown> = {};
    for (const p of RBAC_VALUE_PATHS[chart] ?? []) {
        const v = getPath(values, p);
        if (v !== undefined) out[p] = v;
    }
    return out;
}

/** Values that set each default explicitly. */
function explicit(defaults: Record<string, unknown>): HelmValues {
    let out: HelmValues = {};
    for (const [p, v] of Object.entries(defaults)) out = deepMerge(out, p.split(".").reduceRight<unknown>((acc, k) => ({ [k]: acc }), v) as HelmValues);
    return out;
}

/** Only what the RBAC evaluation reads: kind, name, namespace, labels, rules, aggregation, role and subjects. */
export function rbacObjects(objects: any[]): RbacObject[] {
    return objects
        .filter((o) => RBAC_KINDS.includes(o.kind))
        .map((o) => ({
            kind: o.kind,
            metadata: { name: o.metadata.name, ...(o.metadata.namespace !== undefined ? { namespace: o.metadata.namespace } : {}), ...(o.metadata.labels !== undefined ? { labels: o.metadata.labels } : {}) },
            ...(o.rules !== undefined ? { rules: o.rules } : {}),
            ...(o.aggregationRule !== undefined ? { aggregationRule: o.aggregationRule } : {}),
            ...(o.roleRef !== undefined ? { roleRef: { kind: o.roleRef.kind, name: o.roleRef.name } } : {}),
            ...(o.subjects !== undefined ? { subjects: o.subjects } : {}),
        }));
}

/** Raw renders by variant title, for tests that read more than the table keeps. */
export const rendersByTitle = new Map<string, any[]>();

export async function renderChartRbacTable(): Promise<ChartRbacEntry[]> {
    const entries: ChartRbacEntry[] = [];
    for (const v of CHART_VARIANTS) {
        let entry = entries.find((e) => e.chart === v.chart && e.version === v.version);
        if (entry === undefined) entries.push((entry = { chart: v.chart, version: v.version, defaults: chartDefaults(v.chart, v.tgz), variants: [] }));
        const values = v.explicitDefaults ? deepMerge(explicit(entry.defaults), v.values) : v.values;
        const rendered = await helmTemplate(PLACEHOLDER.release, PLACEHOLDER.namespace, values, v.tgz);
        rendersByTitle.set(v.title, rendered.objects);
        const key = rbacKey(v.chart, values, entry.defaults);
        if (v.explicitDefaults && !entry.variants.some((x) => canonical(x.key) === canonical(key))) throw new Error(`variant '${v.title}' sets the chart's defaults explicitly, and its key matches no variant without them: rbacKey does not take a default as the default`);
        const objects = rbacObjects(rendered.objects);
        // Values that give the same key render the same RBAC (the test checks it): one variant each.
        const same = entry.variants.find((x) => canonical(x.key) === canonical(key));
        if (same !== undefined) {
            if (JSON.stringify(same.objects) !== JSON.stringify(objects)) throw new Error(`variants '${same.title}' and '${v.title}' agree on every RBAC value but render different RBAC: a value the RBAC templates read is missing from RBAC_VALUE_PATHS`);
            continue;
        }
        entry.variants.push({ key, title: v.title, objects });
    }
    return entries;
}

/** The table's source text. */
export function tableSource(entries: ChartRbacEntry[]): string {
    return [
        "/**",
        " * Generated by scripts/chart-rbac.ts from `helm template` of the pinned charts",
        " * (tests/chartRbacRender.ts CHART_VARIANTS); tests/chartRbac.test.ts fails when",
        " * it is stale. Do not edit: run `npx ts-node scripts/chart-rbac.ts`.",
        " */",
        'import type { ChartRbacEntry } from "./chartRbac";',
        "",
        `export const CHART_RBAC_TABLE: ChartRbacEntry[] = ${JSON.stringify(entries, null, 1)};`,
        "",
    ].join("\n");
}
