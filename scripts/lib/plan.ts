/**
 * The offline plan: the real stack program run against the offline cloud,
 * summarised for people (text) and for CI (JSON).
 */
import * as path from "path";
import * as YAML from "yaml";
import { CLUSTER_TAG_KEY, NAMESPACE_TAG_KEY } from "../../components/lib/constants";
import { configObjectFromPulumi, parseStackConfig } from "../../components/lib/stackConfig";
import type { Problem } from "../../components/lib/validate";
import type { PolicyDocument } from "../../components/lib/iam";
import { preexistingObjectsAudit } from "../../components/lib/generatorGuard";
import { genericTargetsWarning, HARDENED_VALUES, getPath, HelmValues } from "../../components/lib/helm";
import { CSI_DRIVER_CHART, CSI_PROVIDER_CHART } from "../../components/lib/csi";
import { policies } from "../../policypack/policies";
import type { Matrix } from "./accessMatrix";
import { matrixSummary } from "./matrixReport";
import { MatrixRun, runMatrix } from "./matrixRun";
import { accountFromConfig, CloudAccount, OFFLINE, RecordedResource, runOffline } from "./offlineCloud";
import { PolicyOutcome, runPolicyTable, stackResource, Violation } from "./policyRunner";
import { PLAN_MATRIX_LIMIT, SUMMARY_TEAMS } from "./defaults";
import { readStackFile } from "./stackFile";
import { keysOnPodNamespace, podMatrixSpec } from "./podRoles";
import { checkPodTrust, TrustCheck } from "./podTrust";
import { abacRoleOf, matrixSpecFromPlan } from "./stackMatrix";
import { judgePrincipals, PrincipalReport, renderPrincipals } from "./stackPrincipals";
import type { TrustedReader } from "../../components/lib/trustedReaders";

const STACK_PROGRAM = path.join(__dirname, "..", "..", "index.ts");

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

/** What the policy pack and the access matrix say of a plan. */
export interface Verdict {
    violations: Violation[];
    mandatoryViolations: number;
    /** Per policy: level, resources it checked, violations. */
    policies: PolicyOutcome[];
    /** The access matrix: proof for any N, and every pair when small or asked. */
    isolation: MatrixRun;
    /** Every pair, when evaluated. */
    matrix?: Matrix;
    /** The matrix of each role pods take themselves (the CSI role), per-pod sessions. */
    podIsolation: MatrixRun[];
    /** Each such role's trust, decided for Pod Identity: its team pods admitted, attackers refused. */
    podTrust: ({ role: string } & TrustCheck)[];
    /** Every other principal of the stack against every team secret and parameter. */
    principals: PrincipalReport;
    /** True when nothing mandatory is violated, no cross-team read is allowed and no own read denied. */
    ok: boolean;
}

/** `total` 0 when the total is not known yet. */
export interface Progress {
    (stage: string, done: number, total: number): void;
}

export { PLAN_MATRIX_LIMIT, SUMMARY_TEAMS };

/** The policy pack's policies on every planned resource, and the access matrix of the plan. */
export async function judgePlan(plan: Plan, onProgress?: Progress, options: { fullMatrix?: boolean; matrixLimit?: number } = {}): Promise<Verdict> {
    const resources = plan.resources.filter((r) => r.custom).map((r) => stackResource(r.type, r.name, r.inputs));
    const table = await runPolicyTable(policies, resources, (d, t) => onProgress?.("policies", d, t));
    const spec = matrixSpecFromPlan(plan);
    const isolation = await runMatrix(spec, {
        fullMatrix: options.fullMatrix,
        crossCheckLimit: options.matrixLimit ?? PLAN_MATRIX_LIMIT,
        onProgress: (d, t) => onProgress?.("access matrix", d, t),
    });
    const violations = table.flatMap((p) => p.violations);
    const mandatoryViolations = violations.filter((v) => v.enforcementLevel === "mandatory").length;
    const podIsolation: MatrixRun[] = [];
    const podTrust: Verdict["podTrust"] = [];
    // No pod of a Helm release's namespace (ESO's, the driver's) may take a pod role.
    const releaseNamespaces = [...new Set(plan.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release").map((r) => r.inputs?.namespace).filter((n): n is string => typeof n === "string"))];
    for (const role of podRolesOf(plan)) {
        const podSpec = podMatrixSpec({ ...spec, abacRoleName: role.name, permissionPolicy: role.permissionPolicy }, plan.resources);
        podIsolation.push(await runMatrix(podSpec, { fullMatrix: options.fullMatrix, crossCheckLimit: options.matrixLimit ?? PLAN_MATRIX_LIMIT }));
        podTrust.push({ role: role.name, ...checkPodTrust(podSpec, role.trustPolicy as PolicyDocument, releaseNamespaces) });
    }
    const sharedRoles = [abacRoleOf(plan).name, ...podIsolation.map((r) => r.spec.abacRoleName)];
    const principals = judgePrincipals(plan.resources, { account: plan.account, sharedRoles, trustedReaders: plan.trustedReaders });
    return {
        violations,
        mandatoryViolations,
        policies: table,
        isolation,
        matrix: isolation.matrix,
        podIsolation,
        podTrust,
        principals,
        ok:
            mandatoryViolations === 0 &&
            isolation.ok &&
            podIsolation.every((r) => r.ok) &&
            podTrust.every((t) => t.teamsRefused.length === 0 && t.admittedAttackers.length === 0) &&
            principals.ok,
    };
}

/** Roles of the plan whose ABAC document keys on the pod's own namespace tag, beside the ESO shared role. */
function podRolesOf(plan: Plan): { name: string; trustPolicy: unknown; permissionPolicy: PolicyDocument }[] {
    const eso = abacRoleOf(plan).name;
    return plan.roles
        .filter((r) => r.name !== eso)
        .map((r) => ({ name: r.name, trustPolicy: r.trustPolicy, permissionPolicy: { Version: "2012-10-17" as const, Statement: r.permissionPolicies.flatMap((p) => (p as PolicyDocument).Statement ?? []) } }))
        .filter((r) => keysOnPodNamespace(r.permissionPolicy));
}

export function renderVerdict(v: Verdict, resourceCount?: number, options: { summary?: boolean } = {}): string {
    const out = [`Policy pack: ${v.policies.length} policies on ${resourceCount ?? "every"} resources: ${v.violations.length === 0 ? "no violations" : `${v.violations.length} violation(s), ${v.mandatoryViolations} mandatory`}`];
    const w = Math.max(...v.policies.map((p) => p.policy.length), 6);
    out.push(`  ${"policy".padEnd(w)}  ${"level".padEnd(9)}  ${"checked".padStart(8)}  ${"violations".padStart(10)}`);
    for (const p of v.policies) {
        out.push(`  ${p.policy.padEnd(w)}  ${p.enforcementLevel.padEnd(9)}  ${(p.kind === "stack" ? "stack" : String(p.checked)).padStart(8)}  ${String(p.violations.length).padStart(10)}`);
    }
    const shown = options.summary ? v.violations.slice(0, 20) : v.violations;
    for (const x of shown) out.push(`  [${x.enforcementLevel}] ${x.policy} on ${x.resource}: ${x.message}`);
    if (shown.length < v.violations.length) out.push(`  ... ${v.violations.length - shown.length} more (--full for all, or --json)`);
    out.push("", `Access matrix (this cluster and another in the same account):`);
    out.push(...matrixSummary(v.isolation).split("\n").map((l) => `  ${l}`));
    for (const run of v.podIsolation) {
        out.push("", `Access matrix of ${run.spec.abacRoleName} (pods that mount secrets as files, one session per associated service account):`);
        out.push(...matrixSummary(run).split("\n").map((l) => `  ${l}`));
    }
    for (const t of v.podTrust) {
        const bad = [...t.teamsRefused.map((x) => `refuses team pod ${x}`), ...t.admittedAttackers.map((x) => `ADMITS ${x}`)];
        out.push(`  trust of ${t.role} (Pod Identity, ${t.decisions} decisions): ${bad.length === 0 ? "admits every associated team pod; refuses the release namespaces, another cluster and another account" : bad.join("; ")}`);
    }
    out.push("", renderPrincipals(v.principals));
    out.push("", v.ok ? "Verdict: OK" : "Verdict: BLOCKED");
    return out.join("\n");
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
