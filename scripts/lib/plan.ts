/**
 * The offline plan: the real stack program run against the offline cloud,
 * summarised for people (text) and for CI (JSON).
 */
import * as path from "path";
import * as YAML from "yaml";
import { CLUSTER_TAG_KEY, NAMESPACE_TAG_KEY } from "../../components/lib/constants";
import { configObjectFromPulumi, parseStackConfig } from "../../components/lib/stackConfig";
import type { Problem } from "../../components/lib/validate";
import { policies } from "../../policypack/policies";
import { computeMatrix, Matrix } from "./accessMatrix";
import { matrixSummary } from "./matrixReport";
import { OFFLINE, RecordedResource, runOffline } from "./offlineCloud";
import { runPolicies, stackResource, Violation } from "./policyRunner";
import { readStackFile } from "./stackFile";
import { matrixSpecFromPlan } from "./stackMatrix";

const STACK_PROGRAM = path.join(__dirname, "..", "..", "index.ts");

export interface TeamPlan {
    namespace: string;
    namespaceAction: "create" | "label existing";
    secrets: { name: string; tags: Record<string, string> }[];
    externalSecrets: { name: string; reads: string[] }[];
}

export interface RolePlan {
    name: string;
    trustPolicy: unknown;
    permissionPolicies: unknown[];
}

export interface Plan {
    stackFile: string;
    clusterName: string;
    resourceCount: number;
    resourcesByType: Record<string, number>;
    roles: RolePlan[];
    clusterSecretStore: unknown;
    teams: TeamPlan[];
    /** Every recorded resource, with its inputs. */
    resources: RecordedResource[];
}

/** What the policy pack and the access matrix say of a plan. */
export interface Verdict {
    violations: Violation[];
    mandatoryViolations: number;
    matrix: Matrix;
    /** Namespaces whose sessions were evaluated (against every secret), of all the plan's. */
    sampledNamespaces: { evaluated: number; of: number };
    /** True when nothing mandatory is violated and no cross-team read is allowed. */
    ok: boolean;
}

/** `total` 0 when the total is not known yet. */
export interface Progress {
    (stage: string, done: number, total: number): void;
}

/** Above this many decisions the plan samples sessions; `npm run access-matrix` always does them all. */
export const PLAN_MATRIX_LIMIT = 200_000;

/**
 * Evenly spread namespaces, first and last included, so that a session row
 * still meets every secret. The policy names no team, so any row stands for
 * the others; the full matrix is `npm run access-matrix`.
 */
export function sampleNamespaces(namespaces: string[], count: number): string[] {
    if (namespaces.length <= count) return namespaces;
    const step = (namespaces.length - 1) / (count - 1);
    return [...new Set(Array.from({ length: count }, (_, i) => namespaces[Math.round(i * step)]))];
}

/** The policy pack's policies on every planned resource, and the access matrix of the plan. */
export async function judgePlan(plan: Plan, onProgress?: Progress, options: { fullMatrix?: boolean; matrixLimit?: number } = {}): Promise<Verdict> {
    const resources = plan.resources.filter((r) => r.custom).map((r) => stackResource(r.type, r.name, r.inputs));
    const violations = await runPolicies(policies, resources, (d, t) => onProgress?.("policies", d, t));
    const spec = matrixSpecFromPlan(plan);
    // A namespace has a session on each cluster, each reading every secret of every cluster, twice.
    const decisionsPerNamespace = spec.clusters.length * spec.clusters.length * spec.secrets.length * 2;
    const affordable = Math.max(2, Math.floor((options.matrixLimit ?? PLAN_MATRIX_LIMIT) / Math.max(decisionsPerNamespace, 1)));
    const namespaces = options.fullMatrix ? spec.namespaces : sampleNamespaces(spec.namespaces, affordable);
    const matrix = await computeMatrix({ ...spec, namespaces }, { onProgress: (d, t) => onProgress?.("access matrix", d, t) });
    const mandatoryViolations = violations.filter((v) => v.enforcementLevel === "mandatory").length;
    return {
        violations,
        mandatoryViolations,
        matrix,
        sampledNamespaces: { evaluated: namespaces.length, of: spec.namespaces.length },
        ok: mandatoryViolations === 0 && matrix.unexpectedAllows.length === 0 && matrix.missingAllows.length === 0,
    };
}

export function renderVerdict(v: Verdict, resourceCount?: number): string {
    const out = [`Policy pack: ${policies.length} policies on ${resourceCount ?? "every"} resources: ${v.violations.length === 0 ? "no violations" : `${v.violations.length} violation(s), ${v.mandatoryViolations} mandatory`}`];
    for (const x of v.violations) out.push(`  [${x.enforcementLevel}] ${x.policy} on ${x.resource}: ${x.message}`);
    const { evaluated, of } = v.sampledNamespaces;
    const sampled = evaluated < of ? `, sessions of ${evaluated} of ${of} namespaces against every secret (npm run access-matrix for all)` : "";
    out.push("", `Access matrix (this cluster and another in the same account${sampled}):`);
    out.push(...matrixSummary(v.matrix).split("\n").map((l) => `  ${l}`));
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
            if (n % 500 === 0) onProgress?.("resources registered", n, 0);
        },
    );

    const roles = run.ofType("aws:iam/role:Role").map((role) => ({
        name: role.state.name as string,
        trustPolicy: JSON.parse(role.inputs.assumeRolePolicy),
        permissionPolicies: run
            .ofType("aws:iam/rolePolicy:RolePolicy")
            .filter((p) => p.inputs.role === role.state.name)
            .map((p) => JSON.parse(p.inputs.policy)),
    }));
    const teams = parsed.config.teams.map((team): TeamPlan => {
        const ns = team.namespace;
        const secrets = run
            .ofType("aws:secretsmanager/secret:Secret")
            .filter((s) => s.inputs.tags?.[NAMESPACE_TAG_KEY] === ns)
            .map((s) => ({ name: s.inputs.name as string, tags: s.inputs.tags as Record<string, string> }))
            .sort((a, b) => a.name.localeCompare(b.name));
        const externalSecrets = run
            .ofType("kubernetes:external-secrets.io/v1:ExternalSecret")
            .filter((e) => e.inputs.metadata.namespace === ns)
            .map((e) => ({
                name: e.inputs.metadata.name as string,
                reads: [
                    ...(e.inputs.spec.data ?? []).map((d: { remoteRef: { key: string } }) => d.remoteRef.key),
                    ...(e.inputs.spec.dataFrom ?? []).map((d: { extract: { key: string } }) => d.extract.key),
                ],
            }));
        return {
            namespace: ns,
            namespaceAction: team.createNamespace === false ? "label existing" : "create",
            secrets,
            externalSecrets,
        };
    });
    const store = run.ofType("kubernetes:external-secrets.io/v1:ClusterSecretStore")[0];
    return {
        ok: true,
        plan: {
            stackFile,
            clusterName: parsed.config.clusterName,
            resourceCount: run.resources.filter((r) => r.custom).length,
            resourcesByType: run.countsByType(),
            roles,
            clusterSecretStore: store?.inputs,
            teams,
            resources: run.resources,
        },
    };
}

function indent(text: string, by = "    "): string {
    return text
        .split("\n")
        .map((line) => (line.length > 0 ? by + line : line))
        .join("\n");
}

/** The plan as text for a terminal. */
export function renderPlan(plan: Plan): string {
    const out: string[] = [];
    out.push(`Offline plan of ${plan.stackFile} (cluster ${plan.clusterName}, account ${OFFLINE.accountId} offline)`);
    out.push("");
    out.push(`Resources: ${plan.resourceCount}`);
    for (const [type, count] of Object.entries(plan.resourcesByType)) out.push(`  ${String(count).padStart(5)}  ${type}`);
    out.push("");
    out.push(`Teams: ${plan.teams.length}`);
    for (const team of plan.teams) {
        out.push(`  ${team.namespace} (namespace: ${team.namespaceAction})`);
        for (const s of team.secrets) {
            out.push(`    secret ${s.name}  [${NAMESPACE_TAG_KEY}=${s.tags[NAMESPACE_TAG_KEY]}, ${CLUSTER_TAG_KEY}=${s.tags[CLUSTER_TAG_KEY]}]`);
        }
        for (const e of team.externalSecrets) out.push(`    ExternalSecret ${e.name} <- ${e.reads.join(", ")}`);
    }
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
    out.push("ClusterSecretStore:");
    out.push(indent(YAML.stringify(plan.clusterSecretStore).trimEnd(), "  "));
    return out.join("\n");
}

