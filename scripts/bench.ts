/**
 * npm run bench -- [options]     (--help lists them)
 *
 * Measures the scale promise beside a floor program and one role per team,
 * the commands at 2,000 teams against their targets, what a real `pulumi up`
 * pays in the language host, and where the time goes; prints a table and
 * writes docs/BENCHMARKS.md (keeping a trailing "## Policy pack" section
 * written by the policy pack's own benchmark). Each program run is a process
 * of its own, so its peak memory is its own.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { abacPermissionPolicy } from "../components/lib/iam";
import type { MatrixSpec } from "../cli/src/checker";
import { EXIT, parseCommand, runCommand } from "../cli/src/checker";
import { benchTeams } from "./bench/teams";
import { profileByCategory } from "./bench/profile";
import { OFFLINE } from "../cli/src/checker";

const ROOT = path.join(__dirname, "..");
const PROGRAM = path.join(__dirname, "bench", "program.ts");
const OUT = path.join(ROOT, "docs", "BENCHMARKS.md");

interface ProgramResult {
    design: "abac" | "floor" | "role-per-team";
    fullStacks?: boolean;
    teams: number;
    programMs: number;
    peakRssMb: number;
    resources: number;
    iamRoles: number;
    documents: { what: string; bytes: number; sha256: string }[];
    policyMs: number;
    policyUsPerResource: number;
    policyColdUsPerResource: number;
    mandatoryViolations: number;
}

function log(message: string) {
    process.stderr.write(`[bench] ${message}\n`);
}

function runProgram(design: string, teams: number, options: { fullStacks?: boolean; cpuProf?: string } = {}): ProgramResult {
    const args = ["--max-old-space-size=12288", ...(options.cpuProf ? ["--cpu-prof", `--cpu-prof-dir=${options.cpuProf}`] : []), "-r", "ts-node/register/transpile-only", PROGRAM, design, String(teams)];
    const out = execFileSync(process.execPath, args, {
        cwd: ROOT,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
        stdio: ["ignore", "pipe", "inherit"],
        env: { ...process.env, EKS_SECRETS_ABAC_FULL_STACKS: options.fullStacks ? "1" : "0" },
    });
    return { ...JSON.parse(out.trim().split("\n").pop()!), fullStacks: options.fullStacks ?? false };
}

/** The stack program as the Node.js language host runs it (scripts/bench/host.js). */
function runHost(teams: number, env: Record<string, string>): { totalMs: number; programMs: number; peakRssMb: number; resources: number } {
    const out = execFileSync(process.execPath, [path.join(__dirname, "bench", "host.js"), String(teams)], {
        cwd: ROOT,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
        env: { ...process.env, ...env },
    });
    return JSON.parse(out.trim().split("\n").pop()!);
}

/** Runs a command as a user would (node + ts-node, as npm run does), with its wall time and peak memory. */
function runCommandTimed(script: string, args: string[]): { seconds: number; peakRssMb?: number; code: number | null; stdout: string } {
    const time = fs.existsSync("/usr/bin/time") ? ["/usr/bin/time", "-f", "BENCH_MAXRSS_KB=%M"] : [];
    const argv = [...time, process.execPath, "-r", "ts-node/register/transpile-only", path.join(__dirname, script), ...args];
    const started = Date.now();
    const r = spawnSync(argv[0], argv.slice(1), { cwd: ROOT, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    const kb = /BENCH_MAXRSS_KB=(\d+)/.exec(r.stderr ?? "")?.[1];
    return { seconds: (Date.now() - started) / 1000, peakRssMb: kb ? Number(kb) / 1024 : undefined, code: r.status, stdout: r.stdout };
}

/** A stack file of N bench teams. */
function stackFileOf(teams: number, dir: string): string {
    const file = path.join(dir, `Pulumi.bench-${teams}.yaml`);
    fs.writeFileSync(file, YAML.stringify({ config: { "aws:region": "eu-west-1", "eks-secrets-abac:clusterName": "prod-eu", "eks-secrets-abac:installPodIdentityAgent": true, "eks-secrets-abac:teams": benchTeams(teams) } }));
    return file;
}

function matrixSpec(teams: number): MatrixSpec {
    const specTeams = benchTeams(teams);
    return {
        accountId: OFFLINE.accountId,
        partition: OFFLINE.partition,
        region: OFFLINE.region,
        abacRoleName: "prod-shared-abac-role",
        permissionPolicy: abacPermissionPolicy(OFFLINE),
        // As the commands do: the stack's cluster and another in the same account.
        clusters: ["prod-eu", "another-cluster"],
        namespaces: specTeams.map((t) => t.namespace),
        secrets: specTeams.flatMap((t) => (t.secrets ?? []).map((s) => ({ name: `${t.namespace}/${s.name}`, namespace: t.namespace }))),
    };
}

const fmt = (n: number, digits = 1) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const int = (n: number) => Math.round(n).toLocaleString("en-US");
const counts = (text: string) => text.split(",").filter((x) => x.length > 0).map(Number);

export const BENCH_COMMAND = {
    usage: "npm run bench --",
    summary: "Measures the programs, the commands at scale and the language host's cost; prints the report and writes docs/BENCHMARKS.md.",
    options: {
        teams: { type: "string", value: "<list>", default: "10,100,1000,2000", description: "Team counts for our program and the floor program." },
        "classic-teams": { type: "string", value: "<list>", default: "10,100,1000", description: "Team counts for one role per team (past 1,000 it needs a raised IAM quota)." },
        "command-teams": { type: "string", value: "<n>", default: "2000", description: "Teams for the plan and access-matrix commands against their targets." },
        "host-teams": { type: "string", value: "<n>", default: "1000", description: "Teams for the language-host runs and the CPU profiles; 0 skips them." },
        repeat: { type: "string", value: "<n>", default: "2", description: "Runs of our program and of the floor per team count; the fastest counts." },
        "full-matrix-teams": { type: "string", value: "<n>", default: "200", description: "Teams for the full matrix (two clusters: 16 x teams² decisions)." },
        out: { type: "string", value: "<file>", default: OUT, description: "Where to write the report." },
    },
} as const;

/** Keeps a trailing "## Policy pack" section of the existing report: the policy pack's benchmark owns it. */
function policyPackSection(file: string): string {
    if (!fs.existsSync(file)) return "";
    const text = fs.readFileSync(file, "utf8");
    // Only after this report's own last section: older reports had a policy table of their own.
    const tail = text.slice(Math.max(0, text.indexOf("## Reproduce")));
    const at = tail.search(/^## Policy pack\b/m);
    return at < 0 ? "" : "\n" + tail.slice(at).trimEnd() + "\n";
}

/** `npm run bench -- <argv>`. */
export async function bench(argv = process.argv.slice(2)): Promise<number> {
    const values = parseCommand(BENCH_COMMAND, argv);
    if (values === undefined) return EXIT.ok;
    // Loaded after the options are read: --help and usage errors answer at once.
    const { computeMatrix } = await import("../cli/src/checker");
    const { proveIsolation, rowsFromProof } = await import("../cli/src/checker");
    const teamCounts = counts(values.teams);
    const classicCounts = counts(values["classic-teams"]);
    const commandTeams = Number(values["command-teams"]);
    const hostTeams = Number(values["host-teams"]);
    const fullTeams = Number(values["full-matrix-teams"]);
    const repeat = Math.max(1, Number(values.repeat));
    const started = Date.now();
    const cores = os.availableParallelism();
    const load = os.loadavg()[0];

    const results: ProgramResult[] = [];
    for (const n of teamCounts) {
        // Ours and the floor are compared: the fastest of `repeat` runs each, alternated, so that load from
        // other work on the machine weighs on both alike.
        const best = new Map<string, ProgramResult>();
        for (let i = 0; i < repeat; i++) {
            for (const design of ["abac", "floor"] as const) {
                log(`${design} with ${n} teams${repeat > 1 ? ` (run ${i + 1} of ${repeat})` : ""}...`);
                const r = runProgram(design, n);
                if (!best.has(design) || r.programMs < best.get(design)!.programMs) best.set(design, r);
            }
        }
        results.push(best.get("abac")!, best.get("floor")!);
        if (classicCounts.includes(n)) {
            log(`role-per-team with ${n} teams...`);
            results.push(runProgram("role-per-team", n));
        }
    }
    const of = (design: string, n: number) => results.find((r) => r.design === design && r.teams === n && !r.fullStacks);

    // Before and after: the same program with the SDK's promise stacks captured, as before this change.
    const host: { what: string; env: Record<string, string>; r?: ReturnType<typeof runHost> }[] = [
        { what: "as `pulumi up` runs it by default: ts-node type-checks, source maps on", env: {} },
        { what: "`PULUMI_NODEJS_TRANSPILE_ONLY=true` (or tsconfig `noCheck: true`)", env: { PULUMI_NODEJS_TRANSPILE_ONLY: "true" } },
        { what: "... and `NODE_OPTIONS=--stack-trace-limit=0`", env: { PULUMI_NODEJS_TRANSPILE_ONLY: "true", NODE_OPTIONS: "--stack-trace-limit=0" } },
    ];
    let before: ProgramResult | undefined;
    let profiles: { what: string; ms: number; rows: ReturnType<typeof profileByCategory> }[] = [];
    if (hostTeams > 0) {
        log(`our program at ${hostTeams} teams with the SDK's promise stacks captured (before)...`);
        before = runProgram("abac", hostTeams, { fullStacks: true });
        for (const h of host) {
            log(`stack program as the language host runs it, ${hostTeams} teams: ${JSON.stringify(h.env)}...`);
            h.r = runHost(hostTeams, h.env);
        }
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-prof-"));
        profiles = [true, false].map((fullStacks) => {
            const sub = path.join(dir, String(fullStacks));
            log(`CPU profile at ${hostTeams} teams, promise stacks ${fullStacks ? "captured" : "off"}...`);
            const r = runProgram("abac", hostTeams, { fullStacks, cpuProf: sub });
            const file = path.join(sub, fs.readdirSync(sub)[0]);
            return { what: fullStacks ? "stacks captured (before)" : "stacks off (now)", ms: r.programMs, rows: profileByCategory(file) };
        });
        fs.rmSync(dir, { recursive: true, force: true });
    }

    // The commands at scale, as a user runs them.
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bench-stack-"));
    const stack = stackFileOf(commandTeams, tmp);
    log(`npm run plan at ${commandTeams} teams...`);
    const plan = runCommandTimed("plan.ts", ["--config", stack, "--json", "--out", path.join(tmp, "plan.json"), "-q"]);
    const planJson = fs.existsSync(path.join(tmp, "plan.json")) ? JSON.parse(fs.readFileSync(path.join(tmp, "plan.json"), "utf8")) : undefined;
    log(`npm run access-matrix at ${commandTeams} teams...`);
    const matrixCmd = runCommandTimed("access-matrix.ts", ["--config", stack, "--out", path.join(tmp, "matrix"), "-q"]);
    const matrixFiles = fs.existsSync(path.join(tmp, "matrix")) ? fs.readdirSync(path.join(tmp, "matrix")).map((f) => ({ f, bytes: fs.statSync(path.join(tmp, "matrix", f)).size })) : [];
    fs.rmSync(tmp, { recursive: true, force: true });

    // The structural decision alone, and its per-team rows, at each size.
    const proofs = [...new Set([...teamCounts, commandTeams])].map((n) => {
        const spec = matrixSpec(n);
        const t = process.hrtime.bigint();
        const proof = proveIsolation(spec);
        const rows = rowsFromProof(spec, proof);
        return { n, proof, rows: rows.length, seconds: Number(process.hrtime.bigint() - t) / 1e9 };
    });

    log(`full access matrix at ${fullTeams} teams (two clusters), in this thread and on ${cores} worker threads...`);
    const smallTeams = Math.max(2, Math.round(fullTeams / 4));
    const one = await computeMatrix(matrixSpec(smallTeams), { workers: 0 });
    const many = await computeMatrix(matrixSpec(smallTeams), { workers: cores });
    const full = await computeMatrix(matrixSpec(fullTeams), { workers: cores });

    const lines: string[] = [];
    const push = (...l: string[]) => lines.push(...l);
    const n1 = teamCounts.includes(1000) ? 1000 : teamCounts[teamCounts.length - 1];
    push(
        "# Benchmarks",
        "",
        `Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${cores} cores (${os.cpus()[0]?.model ?? "unknown CPU"}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; load average ${fmt(load, 1)} when it started (other work shares these cores: read times as upper bounds). The whole run took ${fmt((Date.now() - started) / 1000, 0)} s.`,
        `Every team has two secrets and one ExternalSecret. Programs run in the offline cloud (Pulumi's mocks), each in a process of its own; times are wall-clock, for our program and the floor the fastest of ${repeat} runs, otherwise of one run.`,
        "",
        "## Targets",
        "",
        "| target | measured | |",
        "| --- | --- | --- |",
    );
    const target = (what: string, measured: string, met: boolean) => push(`| ${what} | ${measured} | ${met ? "met" : "**missed**"} |`);
    target(`\`npm run plan\` at ${int(commandTeams)} teams under 40 s`, `${fmt(plan.seconds, 1)} s, exit ${plan.code}`, plan.seconds < 40 && plan.code === 0);
    if (plan.peakRssMb !== undefined) target("... and under 1.5 GiB", `${int(plan.peakRssMb)} MiB peak RSS`, plan.peakRssMb < 1536);
    const bigProof = proofs.find((p) => p.n === commandTeams)!;
    target("isolation for any number of teams proven under 5 s", `${fmt(bigProof.proof.seconds, 2)} s (${bigProof.proof.classes.length} classes), ${fmt(bigProof.seconds, 2)} s with every team's row at ${int(commandTeams)} teams`, bigProof.proof.proven && bigProof.seconds < 5);
    target(
        `\`npm run access-matrix\` at ${int(commandTeams)} teams completes with a verdict, summary picture and HTML`,
        `${fmt(matrixCmd.seconds, 1)} s, exit ${matrixCmd.code}, ${matrixFiles.map((f) => `${f.f} ${int(f.bytes / 1024)} KiB`).join(", ")}`,
        matrixCmd.code === 0 && matrixFiles.length === 3,
    );
    if (before && of("abac", hostTeams)) {
        const now = of("abac", hostTeams)!;
        target(`our offline program at ${int(hostTeams)} teams at least 3x faster than before`, `${fmt(before.programMs / 1000, 1)} s before, ${fmt(now.programMs / 1000, 1)} s now: ${fmt(before.programMs / now.programMs, 1)}x`, before.programMs / now.programMs >= 3);
    }
    push("");

    push(
        "## The program under mocks, beside its floor",
        "",
        "`floor` registers the same custom resources (same types, same count) with constant inputs and no components: what the SDK costs for that many resources, whoever writes the program. Our offline tools capture no stack for the SDK's promises (see below).",
        "",
        "| teams | design | resources | IAM roles | time (s) | ms per team | / floor | peak RSS (MiB) |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    );
    const names: Record<string, string> = { abac: "shared role (ours)", floor: "floor", "role-per-team": "role per team" };
    for (const r of results) {
        const floor = of("floor", r.teams);
        const differs = floor !== undefined && r.design === "abac" && floor.resources !== r.resources ? " (floor differs: update scripts/bench/program.ts)" : "";
        push(`| ${int(r.teams)} | ${names[r.design]} | ${int(r.resources)}${differs} | ${int(r.iamRoles)} | ${fmt(r.programMs / 1000, 2)} | ${fmt(r.programMs / r.teams, 2)} | ${floor ? fmt(r.programMs / floor.programMs, 2) : ""} | ${int(r.peakRssMb)} |`);
    }
    push("", `Memory at ${int(n1)} teams: ${int(of("abac", n1)?.peakRssMb ?? 0)} MiB peak RSS for our program${before ? `; ${int(before.peakRssMb)} MiB with promise stacks captured` : ""}.`, "");

    push("## IAM documents and the store do not grow", "", "Bytes of each document as rendered, and the first 12 hex digits of its SHA-256, per team count:", "");
    const docNames = of("abac", teamCounts[0])!.documents.map((d) => d.what);
    push(`| document | ${teamCounts.map((n) => `${int(n)} teams`).join(" | ")} | identical |`, `| --- |${teamCounts.map(() => " ---: |").join("")} :-: |`);
    for (const what of docNames) {
        const cells = teamCounts.map((n) => of("abac", n)!.documents.find((d) => d.what === what)!);
        const identical = cells.every((c) => c.sha256 === cells[0].sha256 && c.bytes === cells[0].bytes);
        push(`| ${what} | ${cells.map((c) => `${c.bytes} B \`${c.sha256}\``).join(" | ")} | ${identical ? "yes" : "**no**"} |`);
    }
    push("");

    if (before) {
        push(
            "## Where the program's time goes",
            "",
            `CPU profiles (\`node --cpu-prof\`) of our program at ${int(hostTeams)} teams, self time by what the frame belongs to (builtins such as \`Error.captureStackTrace\` are charged to stack traces, or to their caller). The SDK wraps every promise it creates in \`debuggablePromise\` (\`@pulumi/pulumi/runtime/debuggable.js\`), which stores \`new Error().stack\`; with source maps on (ts-node, \`source-map-support\`) formatting that stack maps every frame. The stack is read only to report a leaked promise. (An earlier version of this file blamed \`Resource.callsites\`, the one stack per resource the SDK keeps for source positions; the per-promise stacks cost several times more.) Our offline tools set \`Error.stackTraceLimit = 0\` while the program runs (\`cli/src/checker/inputs/offlineCloud.ts\`; \`EKS_SECRETS_ABAC_FULL_STACKS=1\` turns it off); \`Resource.callsites\` raises the limit itself where it needs a stack.`,
            "",
            `| category | ${profiles.map((p) => `${p.what}: ${fmt(p.ms / 1000, 1)} s`).join(" | ")} |`,
            `| --- |${profiles.map(() => " ---: |").join("")}`,
        );
        const categories = [...new Set(profiles.flatMap((p) => p.rows.map((r) => r.category)))];
        for (const c of categories) push(`| ${c} | ${profiles.map((p) => `${fmt(p.rows.find((r) => r.category === c)?.percent ?? 0, 1)} %`).join(" | ")} |`);
        push("", "Reproduce: `EKS_SECRETS_ABAC_FULL_STACKS=1 node --cpu-prof -r ts-node/register/transpile-only scripts/bench/program.ts abac 1000`, then `node -r ts-node/register/transpile-only scripts/bench/profile.ts CPU.*.cpuprofile`.", "");

        push(
            "## What a real `pulumi up` pays, and what users can set",
            "",
            `The stack program (\`index.ts\`, ${int(hostTeams)} teams of config) run the way the Node.js language host runs it (\`@pulumi/pulumi/cmd/run\`: \`source-map-support/register\`, then ts-node with \`transpileOnly\` from \`PULUMI_NODEJS_TRANSPILE_ONLY\`, else the tsconfig's \`noCheck\`, else type-checking), by \`scripts/bench/host.js\`; only the engine is the offline cloud. Total is the process from start to the last registration, program from the program's start.`,
            "",
            "| setting | total (s) | program (s) | peak RSS (MiB) |",
            "| --- | ---: | ---: | ---: |",
        );
        for (const h of host) push(`| ${h.what} | ${fmt(h.r!.totalMs / 1000, 1)} | ${fmt(h.r!.programMs / 1000, 1)} | ${int(h.r!.peakRssMb)} |`);
        push(
            "",
            "- `PULUMI_NODEJS_TRANSPILE_ONLY=true` (environment) or `\"noCheck\": true` in the project's tsconfig: ts-node skips type-checking; type-check once in CI instead (`tsc --noEmit`, as `npm test` does).",
            "- `NODE_OPTIONS=--stack-trace-limit=0`: the SDK's per-promise stacks cost nothing; the price is that errors thrown by the program carry no stack trace (the message stays). A program can do the same for its own run with `Error.stackTraceLimit = 0` at its top.",
            "",
        );
    }

    push(
        "## Commands at scale",
        "",
        `\`npm run plan\` and \`npm run access-matrix\` on a stack file of ${int(commandTeams)} teams (node with ts-node, as \`npm run\` starts them); the plan's verdict: ${planJson ? (planJson.ok ? "OK" : "BLOCKED") : "none"}${planJson ? `, ${planJson.verdict.isolation.method}` : ""}.`,
        "",
        "| command | time (s) | peak RSS (MiB) | exit |",
        "| --- | ---: | ---: | ---: |",
        `| plan --json --out | ${fmt(plan.seconds, 1)} | ${plan.peakRssMb ? int(plan.peakRssMb) : "?"} | ${plan.code} |`,
        `| access-matrix | ${fmt(matrixCmd.seconds, 1)} | ${matrixCmd.peakRssMb ? int(matrixCmd.peakRssMb) : "?"} | ${matrixCmd.code} |`,
        "",
        "Isolation decided from the documents' structure (`cli/src/checker/checks/isolationProof.ts`): classes of (session, secret) pairs, one representative each (and a renamed second one) decided by the IAM engine, then every session's row counted from the classes:",
        "",
        "| teams | sessions (2 clusters) | classes | IAM decisions | proof (s) | proof and rows (s) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
        ...proofs.map((p) => `| ${int(p.n)} | ${int(p.rows)} | ${p.proof.classes.length} | ${int(p.proof.decisions)} | ${fmt(p.proof.seconds, 2)} | ${fmt(p.seconds, 2)} |`),
        "",
        "## The full access matrix",
        "",
        "GetSecretValue and DescribeSecret for every (session x secret) pair on two clusters (the stack's and another in the same account, as the commands evaluate): sessions = 2 x teams, secrets = 2 x 2 x teams, decisions = 2 x sessions x secrets.",
        "",
        "| teams | decisions | worker threads | time (s) | decisions per second | cross-team allowed | own denied |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ...[[smallTeams, one], [smallTeams, many], [fullTeams, full]].map(([n, m]: any) => `| ${int(n)} | ${int(m.decisions)} | ${m.workers} | ${fmt(m.seconds, 1)} | ${int(m.decisions / m.seconds)} | ${m.crossTeamAllowCount} | ${m.ownDenialCount} |`),
        "",
        `At ${int(commandTeams)} teams the full matrix is ${int(16 * commandTeams * commandTeams)} decisions, about ${fmt((16 * commandTeams * commandTeams) / (full.decisions / full.seconds) / 60, 0)} minutes at the rate above: that is what the proof replaces (\`--full-matrix\` still runs it).`,
        "",
        "## Side by side with one role per team",
        "",
        "| teams | resources, role per team / ours | IAM roles, role per team / ours | time, role per team / ours |",
        "| ---: | ---: | ---: | ---: |",
    );
    for (const n of classicCounts.filter((c) => teamCounts.includes(c))) {
        const a = of("abac", n)!;
        const b = of("role-per-team", n)!;
        push(`| ${int(n)} | ${int(b.resources)} / ${int(a.resources)} = ${fmt(b.resources / a.resources, 2)} | ${int(b.iamRoles)} / ${int(a.iamRoles)} | ${fmt(b.programMs / a.programMs, 2)} |`);
    }
    push(
        "",
        "IAM roles per account: 1,000 by default (5,000 on request). One role per team meets the default quota at **1,000 teams**; the shared-role design uses 2 roles for any number of teams on a cluster.",
        "",
        "## The policy pack's cost",
        "",
        "The pack's cost per resource, in this process and over the analyzer's gRPC protocol, is measured by the policy pack's own benchmark: [Policy pack](#policy-pack), below (when present). The plan runs every policy on every resource in this process.",
        "",
        "## Reproduce",
        "",
        "```sh",
        "npm ci",
        "npm run bench                                   # writes this file (about ten minutes on 2 cores)",
        "npm run bench -- --teams 10,100 --classic-teams 10 --command-teams 200 --host-teams 0 --full-matrix-teams 20 --out /tmp/b.md   # a quick run",
        "```",
        "",
    );
    const report = lines.join("\n") + policyPackSection(values.out);
    fs.mkdirSync(path.dirname(values.out), { recursive: true });
    fs.writeFileSync(values.out, report);
    process.stdout.write(report);
    return EXIT.ok;
}

if (require.main === module) runCommand(() => bench());
