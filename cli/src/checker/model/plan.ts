/**
 * The offline plan: the real stack program run against the offline cloud,
 * summarised for people (text) and for CI (JSON).
 */
import * as path from "path";
import * as YAML from "yaml";
import { CLUSTER_TAG_KEY, NAMESPACE_TAG_KEY } from "../../../../components/lib/constants";
import { configObjectFromPulumi, parseStackConfig } from "../../../../components/lib/stackConfig";
import type { Problem } from "../../../../components/lib/validate";
import { preexistingObjectsAudit } from "../../../../components/lib/generatorGuard";
import { genericTargetsWarning, HARDENED_VALUES, getPath, HelmValues } from "../../../../components/lib/helm";
import { CSI_DRIVER_CHART, CSI_PROVIDER_CHART } from "../../../../components/lib/csi";
import { accountFromConfig, CloudAccount, OFFLINE, RecordedResource, runOffline } from "../inputs/offlineCloud";
import { PLAN_MATRIX_LIMIT, SUMMARY_TEAMS } from "./defaults";
import { readStackFile } from "../inputs/stackFile";
import type { TrustedReader } from "../../../../components/lib/trustedReaders";

const STACK_PROGRAM = path.join(__dirname, "..", "..", "..", "..", "index.ts");

export interface TeamPlan {
    namespace: string;
    namespaceAction: "create" | "label existing";
    secrets: { name: string; tags: Record<string, string> }[];
    /** Parameter Store parameters, by full name. */
    parameters: { name: string; tags: Record<string, string> }[];
    externalSecrets: { name: string; reads: string[] }[];
    /** Secrets as files (`csi`): the service accounts associated with the CSI role, and what each SecretProviderClass mounts. */
    csi?: { serviceAccounts: string[]; secretProviderClasses: { name: string; mounts: string[] }[] };
}

export interface RolePlan {
    name: string;
    trustPolicy: unknown;
    permissionPolicies: unknown[];
}

export interface ChartPlan {
    chart: string;
    version: string;
    repository?: string;
    namespace?: string;
    /** Each hardened Helm value: what the release sets, and whether that is the hardened value. */
    hardening: { path: string; value: unknown; hardened: boolean; why: string }[];
    /** ValidatingAdmissionPolicies in the plan (the forged-namespace guard). */
    admissionPolicies: string[];
}

export interface Plan {
    stackFile: string;
    clusterName: string;
    /** Account and Region the plan renders for (from `aws:region` and `aws:allowedAccountIds`). */
    account: CloudAccount & { accountFromConfig: boolean };
    chart?: ChartPlan;
    resourceCount: number;
    resourcesByType: Record<string, number>;
    roles: RolePlan[];
    clusterSecretStore: unknown;
    /** Every ClusterSecretStore of the stack (Secrets Manager, Parameter Store, ...), in declaration order. */
    clusterSecretStores?: unknown[];
    teams: TeamPlan[];
    /** Every recorded resource, with its inputs. */
    resources: RecordedResource[];
    /** The config's `trustedReaders`. */
    trustedReaders?: TrustedReader[];
}

type Verdict = import("../judge").Verdict;

/** `total` 0 when the total is not known yet. */
export interface Progress {
    (stage: string, done: number, total: number): void;
}

export { PLAN_MATRIX_LIMIT, SUMMARY_TEAMS };

/** @deprecated call judge() (cli/src/checker/judge.ts); kept for tests of other branches until the merge. */
export async function judgePlan(plan: Plan, onProgress?: Progress, options: Omit<import("../judge").JudgeOptions, "onProgress"> = {}): Promise<Verdict> {
    const { judge } = await import("../judge");
    return judge(plan, { ...options, onProgress });
}

export type PlanResult = { ok: true; plan: Plan } | { ok: false; stackFile: string; problems: Problem[] };

/** Runs the stack program offline with the config of `stackFile`. */
export async function buildPlan(stackFile: string, onProgress?: Progress): Promise<PlanResult> {
    return buildPlanFrom(stackFile, readStackFile(stackFile), onProgress);
}

/** As buildPlan, from config already read (the onboarding command plans an edited copy). */
export async function buildPlanFrom(stackFile: string, stack: ReturnType<typeof readStackFile>, onProgress?: Progress): Promise<PlanResult> {
    const { config, secretKeys } = stack;
    const parsed = parseStackConfig(configObjectFromPulumi(config, OFFLINE.project));
    if (parsed.config === undefined) {
        return { ok: false, stackFile, problems: parsed.problems };
    }
    const run = await runOffline(
        () => {
            delete require.cache[require.resolve(STACK_PROGRAM)];
            return require(STACK_PROGRAM);
        },
        config,
        secretKeys,
        OFFLINE.project,
        (n) => {
            // The total is not known before the program ends: report the count alone.
            if (n % 50 === 0) onProgress?.("resources registered", n, 0);
        },
    );
    onProgress?.("resources registered", run.resources.length, run.resources.length);

    const roles = run.ofType("aws:iam/role:Role").map((role) => ({
        name: role.state.name as string,
        trustPolicy: JSON.parse(role.inputs.assumeRolePolicy),
        permissionPolicies: run
            .ofType("aws:iam/rolePolicy:RolePolicy")
            .filter((p) => p.inputs.role === role.state.name)
            .map((p) => JSON.parse(p.inputs.policy)),
    }));
    // Grouped once: a filter per team would make the plan quadratic in teams.
    const secretsByNamespace = groupBy(run.ofType("aws:secretsmanager/secret:Secret"), (s) => s.inputs.tags?.[NAMESPACE_TAG_KEY]);
    const parametersByNamespace = groupBy(run.ofType("aws:ssm/parameter:Parameter"), (s) => s.inputs.tags?.[NAMESPACE_TAG_KEY]);
    const externalSecretsByNamespace = groupBy(run.ofType("kubernetes:external-secrets.io/v1:ExternalSecret"), (e) => e.inputs.metadata?.namespace);
    const providerClassesByNamespace = groupBy(run.ofType("kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClass"), (c) => c.inputs.metadata?.namespace);
    const teams = parsed.config.teams.map((team): TeamPlan => {
        const ns = team.namespace;
        const secrets = (secretsByNamespace.get(ns) ?? [])
            .map((s) => ({ name: s.inputs.name as string, tags: s.inputs.tags as Record<string, string> }))
            .sort((a, b) => a.name.localeCompare(b.name));
        const parameters = (parametersByNamespace.get(ns) ?? [])
            .map((p) => ({ name: p.inputs.name as string, tags: p.inputs.tags as Record<string, string> }))
            .sort((a, b) => a.name.localeCompare(b.name));
        const externalSecrets = (externalSecretsByNamespace.get(ns) ?? []).map((e) => ({
            name: e.inputs.metadata.name as string,
            reads: [
                ...(e.inputs.spec.data ?? []).map((d: { remoteRef: { key: string } }) => d.remoteRef.key),
                ...(e.inputs.spec.dataFrom ?? []).map((d: { extract: { key: string } }) => d.extract.key),
            ],
        }));
        // ASCP's `objects` is YAML (here JSON) naming each secret or parameter (components/lib/csi.ts).
        const csi =
            team.csi === undefined
                ? undefined
                : {
                      serviceAccounts: [...team.csi.serviceAccounts].sort(),
                      secretProviderClasses: (providerClassesByNamespace.get(ns) ?? []).map((c) => ({
                          name: c.inputs.metadata.name as string,
                          mounts: (YAML.parse(c.inputs.spec.parameters.objects) as { objectName: string }[]).map((o) => o.objectName),
                      })),
                  };
        return {
            namespace: ns,
            namespaceAction: team.createNamespace === false ? "label existing" : "create",
            secrets,
            parameters,
            externalSecrets,
            ...(csi ? { csi } : {}),
        };
    });
    const stores = run.ofType("kubernetes:external-secrets.io/v1:ClusterSecretStore");
    return {
        ok: true,
        plan: {
            stackFile,
            clusterName: parsed.config.clusterName,
            account: accountFromConfig(config),
            chart: chartOf(run.resources),
            resourceCount: run.resources.filter((r) => r.custom).length,
            resourcesByType: run.countsByType(),
            roles,
            clusterSecretStore: stores[0]?.inputs,
            clusterSecretStores: stores.map((s) => s.inputs),
            teams,
            resources: run.resources,
            trustedReaders: parsed.config.trustedReaders ?? [],
        },
    };
}

function groupBy<T>(items: T[], key: (item: T) => string | undefined): Map<string, T[]> {
    const groups = new Map<string, T[]>();
    for (const item of items) {
        const k = key(item);
        if (k === undefined) continue;
        const group = groups.get(k);
        if (group) group.push(item);
        else groups.set(k, [item]);
    }
    return groups;
}

function indent(text: string, by = "    "): string {
    return text
        .split("\n")
        .map((line) => (line.length > 0 ? by + line : line))
        .join("\n");
}

/** The ESO release as planned: chart, version, and the hardened values it carries. */
export function chartOf(resources: RecordedResource[]): ChartPlan | undefined {
    const release = resources.find((r) => r.custom && r.type === "kubernetes:helm.sh/v3:Release" && /(^|\/)external-secrets$/.test(String(r.inputs.chart ?? "")));
    if (release === undefined) return undefined;
    const values = (release.inputs.values ?? {}) as HelmValues;
    return {
        chart: String(release.inputs.chart),
        version: String(release.inputs.version ?? "(unpinned)"),
        repository: release.inputs.repositoryOpts?.repo,
        namespace: release.inputs.namespace,
        hardening: HARDENED_VALUES.map((h) => {
            const value = getPath(values, h.path);
            return { path: h.path.join("."), value, hardened: value === h.value, why: h.why };
        }),
        admissionPolicies: resources
            .filter((r) => r.custom && /admissionregistration\.k8s\.io\/v1:ValidatingAdmissionPolicy$/.test(r.type))
            .map((r) => String(r.inputs.metadata?.name ?? r.name)),
    };
}


/** The plan as text for a terminal; `summary` lists the first teams only. */
export function renderPlan(plan: Plan, options: { summary?: boolean } = {}): string {
    const summary = options.summary ?? plan.teams.length > SUMMARY_TEAMS;
    const out: string[] = [];
    const { account } = plan;
    out.push(`Offline plan of ${plan.stackFile}`);
    out.push(`  cluster ${plan.clusterName}, Region ${account.region}, account ${account.accountId}${account.accountFromConfig ? "" : " (offline placeholder: set aws:allowedAccountIds to your account to render its ARNs)"}`);
    out.push("");
    out.push(`Resources: ${plan.resourceCount}`);
    for (const [type, count] of Object.entries(plan.resourcesByType)) out.push(`  ${String(count).padStart(5)}  ${type}`);
    out.push("");
    if (plan.chart) {
        const c = plan.chart;
        out.push(`External Secrets Operator: chart ${c.chart} ${c.version}${c.repository ? ` from ${c.repository}` : ""}${c.namespace ? `, namespace ${c.namespace}` : ""}`);
        for (const h of c.hardening) out.push(`  ${h.hardened ? "hardened" : "NOT hardened"}  ${h.path} = ${JSON.stringify(h.value)}  (${h.why})`);
        out.push(`  admission policies: ${c.admissionPolicies.length > 0 ? c.admissionPolicies.join(", ") : "none"}`);
        const generic = genericTargetsWarning((plan.resources.find((r) => r.custom && r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === c.chart)?.inputs.values ?? {}) as HelmValues);
        if (generic !== undefined) out.push(`  ${generic}`);
        // Admission sees only creates and updates: what a brownfield cluster already holds stays until removed.
        out.push(`  objects that predate the guards are not re-checked; list them before \`pulumi up\`: ${preexistingObjectsAudit()}`);
        out.push("");
    }
    const csiRelease = plan.resources.find((r) => r.custom && r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === CSI_PROVIDER_CHART.name);
    if (csiRelease) {
        const i = csiRelease.inputs;
        const sync = getPath(i.values as HelmValues, ["secrets-store-csi-driver", "syncSecret", "enabled"]);
        out.push(`Secrets Store CSI Driver with ASCP: chart ${i.chart} ${i.version} (driver ${CSI_DRIVER_CHART.version} as its dependency), namespace ${i.namespace}`);
        out.push(`  ${sync === true ? "NOT hardened  secrets-store-csi-driver.syncSecret.enabled = true  (the driver may write every Secret)" : "hardened  secrets-store-csi-driver.syncSecret.enabled = false  (no Kubernetes Secrets: the driver holds no rule on secrets)"}`);
        out.push("");
    }
    const secrets = plan.teams.reduce((n, t) => n + t.secrets.length, 0);
    const parameters = plan.teams.reduce((n, t) => n + (t.parameters?.length ?? 0), 0);
    const externalSecrets = plan.teams.reduce((n, t) => n + t.externalSecrets.length, 0);
    out.push(`Teams: ${plan.teams.length} (${secrets} secrets, ${parameters} parameters, ${externalSecrets} ExternalSecrets)`);
    const listed = summary ? plan.teams.slice(0, 10) : plan.teams;
    for (const team of listed) {
        out.push(`  ${team.namespace} (namespace: ${team.namespaceAction})`);
        for (const s of team.secrets) {
            out.push(`    secret ${s.name}  [${NAMESPACE_TAG_KEY}=${s.tags[NAMESPACE_TAG_KEY]}, ${CLUSTER_TAG_KEY}=${s.tags[CLUSTER_TAG_KEY]}]`);
        }
        for (const p of team.parameters ?? []) {
            out.push(`    parameter ${p.name}  [${NAMESPACE_TAG_KEY}=${p.tags[NAMESPACE_TAG_KEY]}, ${CLUSTER_TAG_KEY}=${p.tags[CLUSTER_TAG_KEY]}]`);
        }
        for (const e of team.externalSecrets) out.push(`    ExternalSecret ${e.name} <- ${e.reads.join(", ")}`);
        if (team.csi) {
            out.push(`    files (CSI, Pod Identity with the CSI role): service accounts ${team.csi.serviceAccounts.join(", ")}`);
            for (const c of team.csi.secretProviderClasses) out.push(`    SecretProviderClass ${c.name} <- ${c.mounts.join(", ")}`);
        }
    }
    if (listed.length < plan.teams.length) out.push(`  ... ${plan.teams.length - listed.length} more teams (--full lists every team)`);
    out.push("");
    out.push("IAM (the same for any number of teams):");
    for (const role of plan.roles) {
        out.push(`  role ${role.name}`);
        out.push("    trust policy:");
        out.push(indent(JSON.stringify(role.trustPolicy, null, 2), "      "));
        for (const p of role.permissionPolicies) {
            out.push("    permission policy:");
            out.push(indent(JSON.stringify(p, null, 2), "      "));
        }
    }
    out.push("");
    const stores = plan.clusterSecretStores ?? (plan.clusterSecretStore === undefined ? [] : [plan.clusterSecretStore]);
    out.push(`ClusterSecretStores: ${stores.length}`);
    for (const store of stores) out.push(indent(YAML.stringify(store).trimEnd(), "  "), "");
    return out.join("\n");
}
