/**
 * One stack, from whichever input: read it (scripts/lib/inputs), plan it
 * (planFromInput), check its Region, judge it (judgeStack), and say it as
 * text, JSON or SARIF. The commands in commands.ts only parse options and
 * choose the output.
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../../scripts/lib/cli";
import { OFFLINE } from "../../scripts/lib/defaults";
import { InputError, readInput, StackInput } from "../../scripts/lib/inputs";
import type { ProgramInput } from "../../scripts/lib/inputs";
import type { Progress } from "../../scripts/lib/plan";
import { knownRegions, regionProblem } from "../../scripts/lib/regions";
// The evaluator, the policy pack and the Pulumi SDKs load only once an input was read:
// usage errors and unreadable inputs answer at once.
import type { StackPlan, StackVerdict } from "../../scripts/lib/stackPlan";

export interface Problem {
    path: string;
    message: string;
}

export type Judged =
    | { ok: false; input: StackInput; artifact: string; problems: Problem[] }
    | { ok: boolean; input: StackInput; artifact: string; plan: StackPlan; verdict: StackVerdict; problems?: undefined };

export interface JudgeOptions {
    stack?: string;
    configFile?: string;
    fullMatrix?: boolean;
    otherClusters?: string[];
    workers?: number;
    /** A `--policy-pack-config` file, as the Pulumi CLI takes it. */
    policyPackConfig?: string;
    progress: Progress;
}

/** The input read, or a ConfigError naming it (exit 1). */
export async function readStack(source: string, options: Pick<JudgeOptions, "stack" | "configFile" | "progress">): Promise<StackInput> {
    try {
        return await readInput(source, {
            stack: options.stack,
            configFile: options.configFile,
            onProgress: (n) => options.progress("resources registered", n, 0),
        });
    } catch (e) {
        if (e instanceof InputError) throw new ConfigError(e.message);
        throw e;
    }
}

/** Where the Region came from, for the message that refuses it. */
function regionSource(input: StackInput, _plan: StackPlan): string {
    if (input.config?.["aws:region"] !== undefined) return `set in ${input.kind === "program" ? (input as ProgramInput).stackFile : input.source}`;
    return `the Region of the stack's AWS provider or ARNs in ${input.source}`;
}

export async function judge(source: string, options: JudgeOptions): Promise<Judged> {
    const input = await readStack(source, options);
    const program = input.kind === "program" ? (input as ProgramInput) : undefined;
    const artifact = program ? program.stackFile : source;
    if (program?.problems !== undefined) return { ok: false, input, artifact, problems: program.problems };
    const { judgeStack, planFromInput } = await import("../../scripts/lib/stackPlan");
    const plan = planFromInput(input, artifact);
    const from = program ? program.source : input.kind === "program" ? source : path.dirname(path.resolve(source));
    // Region: the partition of the stack's ARNs against the AWS provider's own list
    // (scripts/lib/regions.ts). Not checked when the stack names none (the offline placeholder).
    if (plan.account.region !== OFFLINE.region || input.config?.["aws:region"] !== undefined) {
        const problem = regionProblem(plan.account.region, regionSource(input, plan), plan.account.partition, from) ?? regionProblem(plan.account.region, regionSource(input, plan), plan.account.partition, process.cwd());
        if (problem !== undefined) return { ok: false, input, artifact, problems: [{ path: "aws:region", message: problem }] };
        if (knownRegions(from) === undefined && knownRegions(process.cwd()) === undefined) {
            input.notes.push(`the Region ${plan.account.region} was not checked: no @pulumi/aws is installed beside the input or here to list the Regions`);
        }
    }
    let policies;
    if (options.policyPackConfig !== undefined) {
        const { configuredPolicies, readPolicyPackConfig } = await import("../../scripts/lib/policyConfig");
        const { policies: pack } = await import("../../policypack/policies");
        policies = configuredPolicies(pack, readPolicyPackConfig(options.policyPackConfig), options.policyPackConfig);
    }
    const verdict = await judgeStack(plan, options.progress, { fullMatrix: options.fullMatrix, otherClusters: options.otherClusters, workers: options.workers, policies });
    return { ok: verdict.ok, input, artifact, plan, verdict };
}

export async function writeSarif(judged: Judged, file: string, version?: string): Promise<void> {
    const { problemsToSarif, toSarif } = await import("../../scripts/lib/sarif");
    const log = judged.problems !== undefined ? problemsToSarif(judged.problems, judged.artifact) : toSarif(judged.plan, judged.verdict, { artifact: judged.artifact, version });
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(log, null, 2) + "\n");
}

/** What the stack holds of this project's concern, in one line: the verdict says it for a stack of something else. */
export function holds(plan: StackPlan): string {
    const secrets = plan.resources.filter((r) => r.custom && r.type === "aws:secretsmanager/secret:Secret").length;
    const parameters = plan.resources.filter((r) => r.custom && r.type === "aws:ssm/parameter:Parameter").length;
    const stores = plan.resources.filter((r) => r.custom && r.type === "kubernetes:external-secrets.io/v1:ClusterSecretStore").length;
    const parts = [
        `${plan.resourceCount} resources`,
        `${plan.roles.length} IAM role(s)`,
        `${secrets} Secrets Manager secret(s)`,
        `${parameters} SSM parameter(s)`,
        `${stores} ClusterSecretStore(s)`,
        plan.chart ? `ESO chart ${plan.chart.version}` : "no ESO release",
        `${plan.teams.length} team namespace(s)`,
    ];
    return parts.join(", ");
}

/** The verdict as JSON: the plan without its raw resources, every outcome, what was not decided. */
export function verdictJson(judged: Judged): Record<string, unknown> {
    const input = { kind: judged.input.kind, source: judged.input.source, project: judged.input.project, stack: judged.input.stack, notes: judged.input.notes };
    if (judged.problems !== undefined) return { ok: false, input, problems: judged.problems };
    const { resources: _resources, input: _input, ...plan } = judged.plan;
    const v = judged.verdict;
    // Whatever else the verdict carries (checks other sessions add to judgeStack) is passed on as it is.
    const { policies: _p, violations: _v, undecided: _u, isolation: _i, mandatoryViolations: _m, ok: _ok, ...more } = v;
    return {
        ok: v.ok,
        input: { ...input, undecidable: judged.input.undecidable },
        holds: holds(judged.plan),
        plan,
        verdict: {
            ...more,
            mandatoryViolations: v.mandatoryViolations,
            violations: v.violations,
            undecided: v.undecided,
            policies: v.policies.map((p) => ({ policy: p.policy, enforcementLevel: p.enforcementLevel, kind: p.kind, checked: p.checked, violations: p.violations.length, undecided: p.undecided.length })),
            isolation: v.isolation.map((i) => isolationJson(i)),
        },
    };
}

export async function renderStackVerdict(judged: Judged & { problems?: undefined }, options: { full?: boolean } = {}): Promise<string> {
    const { matrixSummary } = await import("../../scripts/lib/matrixReport");
    const { plan, verdict: v, input } = judged;
    const out: string[] = [];
    const kind = { program: "program run offline", preview: "`pulumi preview --json` digest", state: "deployed state (`pulumi stack export` or checkpoint)" }[input.kind];
    out.push(`${input.source}: ${kind}${input.stack ? `, stack ${input.stack}` : ""}${input.project ? `, project ${input.project}` : ""}`);
    out.push(`  holds ${holds(plan)}`);
    if (plan.clusters.length > 0) out.push(`  clusters ${plan.clusters.join(", ")}; Region ${plan.account.region}; account ${plan.account.accountId}`);
    for (const n of input.notes) out.push(`  note: ${n}`);
    out.push("");
    out.push(`Policy pack: ${v.policies.length} policies: ${v.violations.length === 0 ? "no violations" : `${v.violations.length} violation(s), ${v.mandatoryViolations} mandatory`}${v.undecided.length > 0 ? `; ${v.undecided.length} not decided` : ""}`);
    const w = Math.max(...v.policies.map((p) => p.policy.length), 6);
    out.push(`  ${"policy".padEnd(w)}  ${"level".padEnd(9)}  ${"checked".padStart(8)}  ${"violations".padStart(10)}  ${"undecided".padStart(9)}`);
    for (const p of v.policies) {
        out.push(`  ${p.policy.padEnd(w)}  ${p.enforcementLevel.padEnd(9)}  ${(p.kind === "stack" ? "stack" : String(p.checked)).padStart(8)}  ${String(p.violations.length).padStart(10)}  ${String(p.undecided.length).padStart(9)}`);
    }
    const shown = options.full ? v.violations : v.violations.slice(0, 20);
    for (const x of shown) out.push(`  [${x.enforcementLevel}] ${x.policy} on ${x.resource}: ${x.message}`);
    if (shown.length < v.violations.length) out.push(`  ... ${v.violations.length - shown.length} more (--full for all, or --json)`);
    const undecided = options.full ? v.undecided : v.undecided.slice(0, 10);
    for (const x of undecided) out.push(`  [not decided] ${x.policy} on ${x.resource}: ${x.message}`);
    if (undecided.length < v.undecided.length) out.push(`  ... ${v.undecided.length - undecided.length} more not decided (--full for all)`);
    if (plan.managedPolicies.length > 0) {
        out.push(`  not evaluated: ${plan.managedPolicies.length} managed policy attachment(s) whose documents are not in the stack (${[...new Set(plan.managedPolicies.map((m) => m.policyArn))].slice(0, 3).join(", ")}${plan.managedPolicies.length > 3 ? ", ..." : ""})`);
    }
    out.push("");
    if (v.isolation.length === 0) out.push("Isolation: the stack has no shared ABAC role (no permission policy keyed on principal tags): nothing to prove.");
    for (const i of v.isolation) {
        out.push(`Isolation through ${i.role}:`);
        if (i.run === undefined) out.push(`  not decided: ${i.undecided}`);
        else out.push(...matrixSummary(i.run).split("\n").map((l) => `  ${l}`));
    }
    const { renderPrincipals } = await import("../../scripts/lib/stackPrincipals");
    out.push("", renderPrincipals(v.principals));
    out.push("", v.ok ? "Verdict: OK" : "Verdict: BLOCKED");
    const open = v.undecided.length + v.isolation.filter((i) => i.run === undefined).length;
    if (open > 0) out.push(`  ${open} check(s) not decided (listed above): the verdict covers what the input shows.`);
    return out.join("\n");
}

export function renderProblems(judged: Judged & { problems: Problem[] }): string {
    return [`${judged.artifact}: ${judged.problems.length} problem(s); nothing was judged:`, ...judged.problems.map((p) => `  ${p.path}: ${p.message}`)].join("\n");
}

/** One shared role's isolation as the JSON outputs give it; `classes` adds the proof's classes. */
export function isolationJson(i: StackVerdict["isolation"][number], options: { classes?: boolean } = {}): Record<string, unknown> {
    if (i.run === undefined) return { role: i.role, decided: false, reason: i.undecided };
    return {
        role: i.role,
        decided: true,
        ok: i.run.ok,
        method: i.run.method,
        proven: i.run.proof.proven,
        refusals: i.run.proof.structure.refusals,
        crossTeamAllows: i.run.crossTeamAllows,
        ownDenials: i.run.ownDenials,
        disagreements: i.run.disagreements,
        ...(options.classes ? { classes: i.run.proof.classes.map(({ description, allowed, expected, ok }) => ({ description, allowed, expected, ok })) } : {}),
        clusters: i.run.spec.clusters,
    };
}
