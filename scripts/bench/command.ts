/**
 * The installed command at scale, beside the SDK floor, in one run:
 *
 *   npm run build && node -r ts-node/register/transpile-only scripts/bench/command.ts [--teams 2000] [--runs 3] [--cpu-prof <dir>]
 *
 * - program: `eks-secrets-abac plan <project> --config <stack file of N teams>` (the
 *   compiled command, cli/lib, as a user runs it: it runs the program offline);
 * - export: `eks-secrets-abac plan <file>` on a `pulumi stack export` of the same stack;
 * - floor: the same custom resources with constant inputs through the same SDK
 *   (scripts/bench/program.ts `floorProgram`), no components and no checks.
 *
 * Each is a process of its own (wall time, and peak RSS from /usr/bin/time);
 * medians of `--runs`. Prints one JSON object.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { benchTeams } from "./teams";

const ROOT = path.join(__dirname, "..", "..");
const COMMAND = path.join(ROOT, "cli", "lib", "cli", "src", "main.js");

export interface Timed {
    seconds: number;
    /** User + system CPU seconds of the process: what it costs when other work shares the cores. */
    cpuSeconds?: number;
    peakRssMb?: number;
    code: number | null;
}

function timed(argv: string[], env: Record<string, string> = {}): Timed & { stdout: string; stderr: string } {
    const time = fs.existsSync("/usr/bin/time") ? ["/usr/bin/time", "-f", "BENCH_MAXRSS_KB=%M BENCH_CPU=%U+%S"] : [];
    const all = [...time, ...argv];
    const started = process.hrtime.bigint();
    const r = spawnSync(all[0], all.slice(1), { cwd: ROOT, encoding: "utf8", maxBuffer: 512 * 1024 * 1024, env: { ...process.env, ...env } });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const kb = /BENCH_MAXRSS_KB=(\d+)/.exec(r.stderr ?? "")?.[1];
    const cpu = /BENCH_CPU=([\d.]+)\+([\d.]+)/.exec(r.stderr ?? "");
    return { seconds, cpuSeconds: cpu ? Number(cpu[1]) + Number(cpu[2]) : undefined, peakRssMb: kb ? Number(kb) / 1024 : undefined, code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function stackFile(teams: number, dir: string): string {
    const file = path.join(dir, `Pulumi.bench-${teams}.yaml`);
    fs.writeFileSync(file, YAML.stringify({ config: { "aws:region": "eu-west-1", "eks-secrets-abac:clusterName": "prod-eu", "eks-secrets-abac:installPodIdentityAgent": true, "eks-secrets-abac:teams": benchTeams(teams) } }));
    return file;
}

/** `pulumi stack export` of the program's resources (apitype `UntypedDeployment`, `DeploymentV3` resources), written by a child process. */
async function writeExport(config: string, out: string): Promise<void> {
    const { readInput } = await import("../../cli/src/checker");
    const input = await readInput(ROOT, { configFile: config });
    const urnOf = new Map(input.resources.map((r) => [r, (r as { urn?: string }).urn ?? `urn:pulumi:bench::eks-secrets-abac::${r.type}::${r.name}`]));
    const resources = input.resources.map((r) => ({
        urn: urnOf.get(r),
        custom: r.custom,
        ...(r.custom && r.id !== undefined ? { id: r.id } : {}),
        type: r.type,
        inputs: r.inputs,
        outputs: r.state,
    }));
    const deployment = { version: 3, deployment: { manifest: { time: new Date(0).toISOString(), magic: "", version: "v3.259.0" }, secrets_providers: { type: "b64", state: {} }, resources } };
    fs.writeFileSync(out, JSON.stringify(deployment));
}

async function main() {
    const args = process.argv.slice(2);
    if (args[0] === "--write-export") return writeExport(args[1], args[2]);
    const option = (name: string, fallback: string) => {
        const i = args.indexOf(name);
        return i >= 0 ? args[i + 1] : fallback;
    };
    const teams = Number(option("--teams", "2000"));
    const runs = Number(option("--runs", "3"));
    const cpuProf = option("--cpu-prof", "");
    if (!fs.existsSync(COMMAND)) throw new Error(`${COMMAND} is missing: run \`npm run build\` first`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "eks-secrets-abac-bench-command-"));
    const log = (m: string) => process.stderr.write(`[bench:command] ${m}\n`);
    try {
        const config = stackFile(teams, dir);
        const exportFile = path.join(dir, "export.json");
        log(`writing a stack export of ${teams} teams...`);
        const written = timed([process.execPath, "-r", "ts-node/register/transpile-only", __filename, "--write-export", config, exportFile]);
        if (written.code !== 0) throw new Error(`writing the export failed: ${written.stderr}`);
        const prof = (what: string) => (cpuProf ? ["--cpu-prof", `--cpu-prof-dir=${path.join(cpuProf, what)}`] : []);
        const measure = (what: string, argv: (i: number) => string[]) => {
            const all: (Timed & { stdout: string })[] = [];
            for (let i = 0; i < runs; i++) {
                log(`${what}: run ${i + 1} of ${runs}...`);
                const t = timed(argv(i));
                all.push(t);
            }
            return {
                seconds: median(all.map((t) => t.seconds)),
                runs: all.map((t) => Number(t.seconds.toFixed(2))),
                cpuSeconds: all[0].cpuSeconds === undefined ? undefined : Number(median(all.map((t) => t.cpuSeconds!)).toFixed(2)),
                cpuRuns: all.map((t) => t.cpuSeconds),
                peakRssMb: all[0].peakRssMb === undefined ? undefined : Math.round(median(all.map((t) => t.peakRssMb!))),
                codes: all.map((t) => t.code),
                verdict: /"ok":\s*(true|false)/.exec(all[0].stdout)?.[1],
            };
        };
        const program = measure("program", (i) => [process.execPath, ...(i === 0 ? prof("program") : []), COMMAND, "plan", ROOT, "--config", config, "--json", "-q"]);
        const exported = measure("export", (i) => [process.execPath, ...(i === 0 ? prof("export") : []), COMMAND, "plan", exportFile, "--json", "-q"]);
        const floor = measure("floor", (i) => [process.execPath, ...(i === 0 ? prof("floor") : []), "-r", "ts-node/register/transpile-only", path.join(__dirname, "floor.ts"), String(teams)]);
        const resources = (JSON.parse(fs.readFileSync(exportFile, "utf8")).deployment.resources as { custom: boolean }[]).filter((r) => r.custom).length;
        console.log(JSON.stringify({ teams, runs, resources, exportBytes: fs.statSync(exportFile).size, program, export: exported, floor, cpus: os.cpus().length, load: os.loadavg()[0] }, null, 2));
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

if (require.main === module) {
    main().catch((e) => {
        console.error(e);
        process.exit(1);
    });
}
