/**
 * The chart RBAC table (cli/src/checker/checks/reach/chartRbacTable.ts),
 * rendered by a real helm from the pinned charts: each variant is a set of
 * values a stack of the components passes (or the chart's own defaults),
 * rendered with placeholder release, namespace and service account names.
 * scripts/chart-rbac.ts writes the table; tests/chartRbac.test.ts renders
 * again and compares.
 */
import * as path from "path";
import { esoHelmValues, csiHelmValues, deepMerge, HelmValues } from "../components";
import { ESO_CHART } from "../components/lib/constants";
import { CSI_PROVIDER_CHART } from "../components/lib/csi";
import type { ChartRbacEntry, RbacObject } from "../cli/src/checker/checks/reach/chartRbac";
import { PLACEHOLDER, RBAC_KINDS, rbacKey } from "../cli/src/checker/checks/reach/chartRbac";
import { ESO_CHART_TGZ, helmTemplate } from "./helm";
import { artefactDir } from "./helpers";

export const ASCP_TGZ = path.join(artefactDir("secrets-store-csi"), "secrets-store-csi-driver-provider-aws-3.1.1.tgz");

export interface ChartVariantSpec {
    chart: string;
    version: string;
    tgz: string;
    title: string;
    values: HelmValues;
}

const hardened = (allowNamespacedSecretStores: boolean) => esoHelmValues({ serviceAccountName: PLACEHOLDER.serviceAccount, allowNamespacedSecretStores });

/** The variants in the table: what the components render, and the charts' defaults. */
export const CHART_VARIANTS: ChartVariantSpec[] = [
    { chart: ESO_CHART.name, version: ESO_CHART.version, tgz: ESO_CHART_TGZ, title: "the component's hardened values", values: hardened(false) },
    { chart: ESO_CHART.name, version: ESO_CHART.version, tgz: ESO_CHART_TGZ, title: "the component's hardened values, namespaced SecretStores allowed", values: hardened(true) },
    { chart: ESO_CHART.name, version: ESO_CHART.version, tgz: ESO_CHART_TGZ, title: "the component's hardened values with genericTargets.enabled (allowGenericTargets)", values: deepMerge(hardened(false), { genericTargets: { enabled: true } }) },
    { chart: ESO_CHART.name, version: ESO_CHART.version, tgz: ESO_CHART_TGZ, title: "the chart's defaults with a named service account", values: { installCRDs: true, serviceAccount: { create: true, name: PLACEHOLDER.serviceAccount } } },
    { chart: CSI_PROVIDER_CHART.name, version: CSI_PROVIDER_CHART.version, tgz: ASCP_TGZ, title: "the component's values, syncing off", values: csiHelmValues({ syncSecrets: false }) },
    { chart: CSI_PROVIDER_CHART.name, version: CSI_PROVIDER_CHART.version, tgz: ASCP_TGZ, title: "the component's values, syncSecrets on", values: csiHelmValues({ syncSecrets: true }) },
];

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
        const rendered = await helmTemplate(PLACEHOLDER.release, PLACEHOLDER.namespace, v.values, v.tgz);
        rendersByTitle.set(v.title, rendered.objects);
        let entry = entries.find((e) => e.chart === v.chart && e.version === v.version);
        if (entry === undefined) entries.push((entry = { chart: v.chart, version: v.version, variants: [] }));
        const key = rbacKey(v.chart, v.values);
        const objects = rbacObjects(rendered.objects);
        // Values that give the same key render the same RBAC (the test checks it): one variant each.
        const same = entry.variants.find((x) => JSON.stringify(x.key) === JSON.stringify(key));
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
