/**
 * One stack, from whichever input: read it (cli/src/checker/inputs), plan it
 * (planFromInput), check its Region, judge it (judge(), cli/src/checker/judge.ts),
 * and say it as text, JSON or SARIF. The commands in main.ts only parse
 * options and choose which parts of the one verdict they print.
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "./checker";
import { OFFLINE } from "./checker";
import { InputError, readInput, StackInput } from "./checker";
import type { ProgramInput } from "./checker";
import type { Progress } from "./checker";
import { knownRegions, regionProblem } from "./checker";
// The evaluator, the policy pack and the Pulumi SDKs load only once an input was read:
// usage errors and unreadable inputs answer at once.
import type { StackPlan } from "./checker";
import type { JudgeOptions as CheckOptions, Verdict } from "./checker";

export interface Problem {
    path: string;
    message: string;
}

export type Judged =
    | { ok: false; input: StackInput; artifact: string; problems: Problem[] }
    | { ok: boolean; input: StackInput; artifact: string; plan: StackPlan; verdict: Verdict; problems?: undefined };

export interface JudgeOptions extends Omit<CheckOptions, "onProgress"> {
    stack?: string;
    configFile?: string;
    /** A `--policy-pack-config` file, as the Pulumi CLI takes it. */
    policyPackConfig?: string;
    progress: Progress;
}

/** The input read, or a ConfigError naming it (exit 1). */
export async function readStack(source: string, options: Pick<JudgeOptions, "stack" | "configFile" | "progress">): Promise<StackInput> {
    try {
        const input = await readInput(source, {
            stack: options.stack,
            configFile: options.configFile,
            onProgress: (n) => options.progress("resources registered", n, 0),
        });
        // The total is known once the program ended: the last progress line says it (as npm run plan always did).
        if (input.kind === "program") options.progress("resources registered", input.resources.length, input.resources.length);
        return input;
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
    const { planFromInput } = await import("./checker");
    const { judge: judgeStack } = await import("./checker");
    const plan = planFromInput(input, artifact);
    const from = program ? program.source : input.kind === "program" ? source : path.dirname(path.resolve(source));
    // Region: the partition of the stack's ARNs against the AWS provider's own list
    // (cli/src/checker/model/regions.ts). Not checked when the stack names none (the offline placeholder).
    if (plan.account.region !== OFFLINE.region || input.config?.["aws:region"] !== undefined) {
        const problem = regionProblem(plan.account.region, regionSource(input, plan), plan.account.partition, from) ?? regionProblem(plan.account.region, regionSource(input, plan), plan.account.partition, process.cwd());
        if (problem !== undefined) return { ok: false, input, artifact, problems: [{ path: "aws:region", message: problem }] };
        if (knownRegions(from) === undefined && knownRegions(process.cwd()) === undefined) {
            input.notes.push(`the Region ${plan.account.region} was not checked: no @pulumi/aws is installed beside the input or here to list the Regions`);
        }
    }
    const { stack: _stack, configFile: _configFile, progress, policyPackConfig, ...checkOptions } = options;
    let policies;
    if (policyPackConfig !== undefined) {
        const { configuredPolicies, readPolicyPackConfig } = await import("./checker");
        const { policies: pack } = await import("../../policypack/policies");
        policies = configuredPolicies(pack, readPolicyPackConfig(policyPackConfig), policyPackConfig);
    }
    const verdict = await judgeStack(plan, { ...checkOptions, ...(policies ? { policies } : {}), onProgress: progress });
    return { ok: verdict.ok, input, artifact, plan, verdict };
}

export async function writeSarif(judged: Judged, file: string, version?: string): Promise<void> {
    const { problemsToSarif, toSarif } = await import("./checker");
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

/** The verdict as JSON: the plan without its raw resources, the one verdict (verdictReport.ts), what the input did not show. */
export async function verdictJson(judged: Judged, options: { classes?: boolean; plan?: boolean } = {}): Promise<Record<string, unknown>> {
    const input = { kind: judged.input.kind, source: judged.input.source, project: judged.input.project, stack: judged.input.stack, notes: judged.input.notes };
    if (judged.problems !== undefined) return { ok: false, status: "PROBLEMS", input, problems: judged.problems };
    const { verdictJson: json } = await import("./checker");
    const { resources: _resources, input: _input, ...plan } = judged.plan;
    return {
        ok: judged.verdict.ok,
        status: judged.verdict.status,
        input: { ...input, undecidable: judged.input.undecidable, ...(judged.input.pending ? { pending: judged.input.pending } : {}) },
        holds: holds(judged.plan),
        ...(options.plan === false ? {} : { plan }),
        verdict: json(judged.verdict, { classes: options.classes }),
    };
}

/** What was read: the input, what it holds, its clusters and the readers' notes. */
export function renderHeader(judged: Judged & { problems?: undefined }): string[] {
    const { plan, input } = judged;
    const kind = { program: "program run offline", preview: "`pulumi preview --json` digest", state: "deployed state (`pulumi stack export` or checkpoint)" }[input.kind];
    const out = [`${input.source}: ${kind}${input.stack ? `, stack ${input.stack}` : ""}${input.project ? `, project ${input.project}` : ""}`];
    out.push(`  holds ${holds(plan)}`);
    if (plan.clusters.length > 0) out.push(`  clusters ${plan.clusters.join(", ")}; Region ${plan.account.region}; account ${plan.account.accountId}`);
    for (const n of input.notes) out.push(`  note: ${n}`);
    if (plan.managedPolicies.length > 0) {
        out.push(`  not evaluated: ${plan.managedPolicies.length} managed policy attachment(s) whose documents are not in the stack (${[...new Set(plan.managedPolicies.map((m) => m.policyArn))].slice(0, 3).join(", ")}${plan.managedPolicies.length > 3 ? ", ..." : ""})`);
    }
    return out;
}

/** `plan`: what was read, what the stack would deploy (teams, documents, stores), every check, the verdict. */
export async function renderStackVerdict(judged: Judged & { problems?: undefined }, options: { full?: boolean; summary?: boolean } = {}): Promise<string> {
    const { renderPlan } = await import("./checker");
    const { renderVerdict } = await import("./checker");
    const summary = options.full ? false : options.summary;
    return [...renderHeader(judged), "", renderPlan(judged.plan, { summary }), "", renderVerdict(judged.verdict, { full: !(summary ?? judged.plan.teams.length > 50), resourceCount: judged.plan.resourceCount })].join("\n");
}

/** `access-matrix`: each role's matrix and trust, the other principals, what was not decided, the verdict. */
export async function renderMatrixVerdict(judged: Judged & { problems?: undefined }, files: string[]): Promise<string> {
    const { renderIsolation, tail } = await import("./checker");
    const { renderPrincipals } = await import("./checker");
    const v = judged.verdict;
    const failedPolicies = v.violations.filter((x) => x.enforcementLevel === "mandatory");
    return [
        ...renderHeader(judged),
        "",
        ...renderIsolation(v),
        renderPrincipals(v.principals),
        // The pack runs here too (one verdict): its mandatory violations are named, the table is plan's.
        ...(failedPolicies.length > 0 ? ["", `Policy pack: ${failedPolicies.length} mandatory violation(s) (\`plan\` lists them):`, ...failedPolicies.slice(0, 10).map((x) => `  [mandatory] ${x.policy} on ${x.resource}: ${x.message}`)] : []),
        ...(files.length > 0 ? [`wrote ${files.join(", ")}`] : []),
        "",
        ...tail(v),
    ].join("\n");
}

export function renderProblems(judged: Judged & { problems: Problem[] }): string {
    return [`${judged.artifact}: ${judged.problems.length} problem(s); nothing was judged:`, ...judged.problems.map((p) => `  ${p.path}: ${p.message}`)].join("\n");
}
