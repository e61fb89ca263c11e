#!/usr/bin/env node
/**
 * eks-secrets-abac <command> [<input>] [options]
 *
 * The installed command (package eks-secrets-abac-cli): `plan`, `access-matrix`,
 * `onboard`, `policies`. Every command: `--help`, exit 0 ok / 1 the verdict
 * failed or the input has a problem / 2 wrong usage, `--json` (JSON alone on
 * stdout), `-q`. `plan` and `access-matrix` read a Pulumi project folder, a
 * `pulumi preview --json` file or a `pulumi stack export` file (told apart by
 * content, cli/src/checker/inputs) and write SARIF 2.1.0 with `--sarif <file>`.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError, EXIT, intOption, parseCommandWithOperands, progressReporter, UsageError, writeJson } from "./checker";
import { closest } from "./checker";
import type { ProgramInput } from "./checker";

export const BIN = "eks-secrets-abac";

/** This package's version, from its package.json (two folders up from src/ under ts-node, four from lib/cli/src/). */
export function version(): string {
    for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
        const file = path.join(dir, "package.json");
        if (fs.existsSync(file)) {
            const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
            if (pkg.name === "eks-secrets-abac-cli") return pkg.version;
        }
    }
    return "0.0.0";
}

const INPUT = {
    name: "<input>",
    description:
        "What to read (default `.`): a Pulumi project folder with a TypeScript or JavaScript program (run offline with its own dependencies), a file `pulumi preview --json` wrote, or a file `pulumi stack export` wrote (or a file backend's checkpoint). Told apart by content.",
    max: 1,
};

const COMMON = {
    json: { type: "boolean", description: "Write the result as JSON only (on stdout, or to --out)." },
    out: { type: "string", value: "<file>", description: "With --json: write the JSON to this file instead of stdout." },
    sarif: { type: "string", value: "<file>", description: "Also write the findings as SARIF 2.1.0 (for GitHub code scanning)." },
    quiet: { type: "boolean", short: "q", description: "No progress on stderr." },
} as const;

const VERDICT = {
    "accept-undecided": {
        type: "boolean",
        description: "Accept what could not be decided (values a first preview does not know yet, secrets not decrypted, pending operations) as warnings: exit 0 when nothing else fails. The report still lists every undecided item (docs/COMMANDS.md).",
    },
    "metadata-level": { type: "string", value: "warning|error", default: "warning", description: "Level of another team's metadata (DescribeSecret, ListTagsForResource) being readable: error fails the verdict." },
} as const;

const STACK = {
    stack: { type: "string", value: "<name>", description: "For a project folder: the stack, read from Pulumi.<name>.yaml (default: the folder's only stack file)." },
    config: { type: "string", value: "<file>", description: "For a project folder: the stack's config file, wherever it is." },
} as const;

export const PLAN_COMMAND = {
    usage: `${BIN} plan`,
    summary: "Judges a stack offline: the policy pack's verdict on every resource, and the isolation proof and access matrix of each shared ABAC role.",
    positionals: INPUT,
    options: {
        ...STACK,
        ...COMMON,
        ...VERDICT,
        full: { type: "boolean", description: "List every team, every violation and every check not decided." },
        summary: { type: "boolean", description: "List counts and the first teams only (the default above 50 teams)." },
        "report-dir": { type: "string", value: "<dir>", description: "Also write access-matrix.md, .svg and .html per role into this folder." },
        "full-matrix": { type: "boolean", description: "Evaluate every (session, secret) pair too, not only the proof for any number of teams." },
        "other-cluster": { type: "string", value: "<name>", multiple: true, description: "A cluster beside the stack's own whose sessions and secrets must stay apart (default: one named other-cluster)." },
        "policy-pack-config": { type: "string", value: "<file>", description: "Policy levels and options, the JSON file `pulumi preview --policy-pack-config` takes (docs/POLICIES.md)." },
    },
    notes: [
        "A preview or state file holds one stack already: --stack and --config are for project folders. With --config and no <input>, the project is the config file's folder.",
        "Verdicts: OK (exit 0); BLOCKED (exit 1); NOT DECIDED (exit 1 unless --accept-undecided): something the checks need is not in the input.",
        "Secrets a state file's secrets provider encrypted (anything but b64) are not decrypted: the checks that need them are reported as not decided, never as passed.",
    ],
} as const;

export const ACCESS_MATRIX_COMMAND = {
    usage: `${BIN} access-matrix`,
    summary: "Decides which team's session can read which secret or parameter, on the stack's clusters and others, for each shared ABAC role of the stack.",
    positionals: INPUT,
    options: {
        ...STACK,
        ...COMMON,
        ...VERDICT,
        "other-cluster": PLAN_COMMAND.options["other-cluster"],
        "permission-policy": { type: "string", value: "<file.json>", description: "Evaluate this permission policy instead of the stack's (to see what a change would open)." },
        "full-matrix": { type: "boolean", description: "Evaluate every (session, secret) pair, even when the proof for any number of teams applies." },
        "report-dir": { type: "string", value: "<dir>", description: "Also write access-matrix.md, .svg and .html per role into this folder." },
        workers: { type: "string", value: "<n>", description: "Worker threads for --full-matrix (default: one per core above 2,000 decisions)." },
    },
    notes: PLAN_COMMAND.notes,
} as const;

export const ONBOARD_COMMAND = {
    usage: `${BIN} onboard`,
    summary: "Adds a team to a project's stack file (under <project>:teams, the `name` of its Pulumi.yaml; comments and layout kept), runs the program with it and shows what the next deployment adds. Writes nothing when the result is refused (a problem, or a team that adds nothing), or with --dry-run.",
    positionals: { name: "<project>", description: "The Pulumi project folder (default `.`); its program reads the teams from config, as examples/ do.", max: 1 },
    options: {
        ...STACK,
        namespace: { type: "string", value: "<ns>", description: "The team's Kubernetes namespace (required)." },
        secret: { type: "string", value: "<name>", multiple: true, default: [], description: "A secret of the team." },
        "existing-namespace": { type: "boolean", description: "The namespace exists already: only label it." },
        cluster: { type: "string", value: "<name>", description: "With a `<project>:clusters` list in the stack file: the cluster whose teams get the new one." },
        "dry-run": { type: "boolean", description: "Show the result, write nothing." },
        json: COMMON.json,
        quiet: COMMON.quiet,
    },
} as const;

export const POLICIES_COMMAND = {
    usage: `${BIN} policies`,
    summary: "Lists the policy pack's policies: name, enforcement level, what each checks, and its options (from the pack's configSchema).",
    options: {
        json: { type: "boolean", description: "Write the list as JSON only on stdout." },
        markdown: { type: "boolean", description: "Write the reference as Markdown (docs/POLICIES.md)." },
    },
} as const;

export const WHY_COMMAND = {
    usage: `${BIN} why`,
    summary: "Decides one pair: can this namespace's session read this secret or parameter, and which statements and conditions decide it (cli/src/why.ts).",
    positionals: { name: "<who> <what> [<input>]", description: "The reading namespace (or namespace/serviceAccount for a role pods take), the secret or parameter (full name, <namespace>/<name>, or a name one team has), and what to read (default `.`).", max: 3 },
    options: {
        ...STACK,
        cluster: { type: "string", value: "<name>", description: "The cluster of the reading session (default: the stack's first, the object's own)." },
        json: { type: "boolean", description: "Write the answer as JSON only on stdout." },
        quiet: COMMON.quiet,
    },
} as const;

const COMMANDS = { plan: PLAN_COMMAND, "access-matrix": ACCESS_MATRIX_COMMAND, onboard: ONBOARD_COMMAND, policies: POLICIES_COMMAND, why: WHY_COMMAND } as const;

export function topHelp(): string {
    const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(15)}${c.summary}`);
    return [
        `Usage: ${BIN} <command> [<input>] [options]`,
        "",
        "Commands:",
        ...rows,
        "",
        `Run \`${BIN} <command> --help\` for its options. \`${BIN} --version\` prints the version.`,
        "Exit codes: 0 ok; 1 the verdict failed or the input has a problem; 2 wrong usage.",
        "",
    ].join("\n");
}

/** `--out` writes JSON; alone it would be silently ignored, so it is refused. */
function checkOut(values: { json?: boolean; out?: string }): void {
    if (values.out !== undefined && !values.json) throw new UsageError(`--out ${values.out} names the file for the JSON: add --json (for SARIF, use --sarif <file>)`);
}

/** The input: the operand, else the folder of --config when it is a project, else `.`. */
function sourceOf(operands: string[], config: string | undefined): string {
    if (operands[0] !== undefined) return operands[0];
    const dir = config === undefined ? "." : path.dirname(config);
    return config !== undefined && ["Pulumi.yaml", "Pulumi.yml"].some((f) => fs.existsSync(path.join(dir, f))) ? dir : ".";
}

function metadataLevelOf(value: string): "warning" | "error" {
    if (value !== "warning" && value !== "error") throw new UsageError(`--metadata-level is \`${value}\`: use warning or error`);
    return value;
}

/**
 * plan and access-matrix: the same reading, the same judge(), the same
 * verdict and exit code; they differ only in what they print.
 */
async function judgeCommand(command: "plan" | "access-matrix", argv: string[]): Promise<number> {
    const parsed = command === "plan" ? parseCommandWithOperands(PLAN_COMMAND, argv) : parseCommandWithOperands(ACCESS_MATRIX_COMMAND, argv);
    if (parsed === undefined) return EXIT.ok;
    // The options only one of the two has are read as absent in the other.
    const values = parsed.values as typeof parsed.values & { summary?: boolean; full?: boolean; "permission-policy"?: string; workers?: string; "policy-pack-config"?: string };
    checkOut(values);
    const workers = intOption("workers", values.workers);
    const metadataLevel = metadataLevelOf(values["metadata-level"]);
    let permissionPolicy;
    if (values["permission-policy"] !== undefined) {
        try {
            permissionPolicy = JSON.parse(fs.readFileSync(values["permission-policy"], "utf8"));
        } catch (e) {
            throw new ConfigError(`${values["permission-policy"]}: ${(e as Error).message}`);
        }
    }
    // Loaded after the options are read: --help and usage errors answer at once.
    const { judge, renderMatrixVerdict, renderProblems, renderStackVerdict, verdictJson, writeSarif } = await import("./stack");
    const source = sourceOf(parsed.operands, values.config);
    const judged = await judge(source, {
        stack: values.stack,
        configFile: values.config,
        fullMatrix: values["full-matrix"],
        otherClusters: values["other-cluster"],
        workers,
        metadataLevel,
        permissionPolicy,
        acceptUndecided: values["accept-undecided"],
        policyPackConfig: values["policy-pack-config"],
        progress: progressReporter(!values.quiet),
    }).catch((e) => {
        if (values.json && e instanceof ConfigError) writeJson({ ok: false, input: { source }, error: e.message }, values.out);
        throw e;
    });
    if (values.sarif !== undefined) await writeSarif(judged, values.sarif, version());
    if (judged.problems !== undefined) {
        if (values.json) writeJson(await verdictJson(judged), values.out);
        process.stderr.write(renderProblems(judged) + "\n");
        return EXIT.failed;
    }
    const files: string[] = [];
    if (values["report-dir"] !== undefined) {
        const { writeMatrixReports } = await import("./checker");
        const runs = judged.verdict.isolation.filter((i) => i.run !== undefined);
        for (const i of runs) files.push(...(runs.length > 1 ? writeMatrixReports(path.join(values["report-dir"], i.role), i.run!, `Access matrix of ${i.role}`) : writeMatrixReports(values["report-dir"], i.run!)));
        if ((values.json || command === "plan") && files.length > 0 && !values.quiet) process.stderr.write(`wrote ${files.join(", ")}\n`);
    }
    if (values.json) writeJson({ ...(await verdictJson(judged, { classes: command === "access-matrix", plan: command === "plan" })), ...(command === "access-matrix" ? { files } : {}) }, values.out);
    else if (command === "plan") process.stdout.write((await renderStackVerdict(judged, { full: values.full, summary: values.summary })) + "\n");
    else process.stdout.write((await renderMatrixVerdict(judged, files)) + "\n");
    return judged.ok ? EXIT.ok : EXIT.failed;
}

async function onboard(argv: string[]): Promise<number> {
    const parsed = parseCommandWithOperands(ONBOARD_COMMAND, argv);
    if (parsed === undefined) return EXIT.ok;
    const { values, operands } = parsed;
    if (values.namespace === undefined) throw new UsageError("--namespace is required: the team's Kubernetes namespace");
    const dir = operands[0] ?? ".";
    const YAML = await import("yaml");
    const { readProject, stackFileOf } = await import("./checker");
    const { InputError } = await import("./checker");
    const { addsNothing, addTeamAt, planDiff } = await import("./checker");
    const { readStack } = await import("./stack");
    const progress = progressReporter(!values.quiet);
    let stackFile: string;
    let stack: string;
    let project: string;
    try {
        const read = readProject(dir);
        project = read.name;
        ({ file: stackFile, stack } = stackFileOf(read, { stack: values.stack, configFile: values.config }));
    } catch (e) {
        throw e instanceof InputError ? new ConfigError(e.message) : e;
    }
    if (!fs.existsSync(stackFile)) throw new ConfigError(`${stackFile}: no such stack file: create it with \`pulumi stack init ${stack}\`, or name another with --stack or --config`);
    const team = {
        namespace: values.namespace,
        ...(values["existing-namespace"] ? { createNamespace: false } : {}),
        ...(values.secret.length > 0 ? { secrets: values.secret.map((name) => ({ name })) } : {}),
    };
    const before = fs.readFileSync(stackFile, "utf8");
    let after: string;
    let where: string;
    try {
        ({ text: after, where } = addTeamAt(before, team, { project, cluster: values.cluster }));
    } catch (e) {
        throw new ConfigError(`${stackFile}: ${(e as Error).message}`);
    }
    // The edited copy is planned from a temporary file: nothing is written until it passes.
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "eks-secrets-abac-onboard-"));
    try {
        const edited = path.join(tmp, path.basename(stackFile));
        fs.writeFileSync(edited, after);
        const planned = await readStack(dir, { configFile: edited, stack, progress });
        const problems = (planned as { problems?: { path: string; message: string }[] }).problems;
        if (problems !== undefined) {
            if (values.json) writeJson({ ok: false, stackFile, team, problems });
            process.stderr.write(`${stackFile} with the new team: ${problems.length} problem(s):\n${problems.map((p) => `  ${p.path}: ${p.message}`).join("\n")}\n`);
            return EXIT.failed;
        }
        const previous = await readStack(dir, { stack, configFile: stackFile, progress });
        const { added, changed } = planDiff((previous as { problems?: unknown }).problems ? [] : previous.resources, planned.resources);
        if (added.length === 0) {
            const reason = addsNothing(where, stackFile, project);
            if (values.json) writeJson({ ok: false, stackFile, team, problems: [{ path: where, message: reason }] });
            process.stderr.write(`${stackFile}: team ${team.namespace} refused: ${reason}\n`);
            return EXIT.failed;
        }
        if (!values["dry-run"]) fs.writeFileSync(stackFile, after);
        if (values.json) {
            writeJson({ ok: true, stackFile, team, added, changed, written: !values["dry-run"] });
        } else {
            const out = [`Team ${team.namespace}: the next deployment adds ${added.length} resources and changes ${changed.length}:`, ...added.map((r) => `  + ${r}`), ...changed.map((r) => `  ~ ${r}`), "", YAML.stringify([team]).trimEnd()];
            out.push(values["dry-run"] ? `\n(dry run: ${stackFile} unchanged)` : `\nwrote ${stackFile}`);
            process.stdout.write(out.join("\n") + "\n");
        }
        return EXIT.ok;
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}

async function policies(argv: string[]): Promise<number> {
    const parsed = parseCommandWithOperands(POLICIES_COMMAND, argv);
    if (parsed === undefined) return EXIT.ok;
    const { policies: pack } = await import("../../policypack/policies");
    const { optionsOf, policyReferenceMarkdown } = await import("./policyReference");
    if (parsed.values.markdown) {
        process.stdout.write(policyReferenceMarkdown(pack));
        return EXIT.ok;
    }
    const list = pack.map((p) => ({ name: p.name, enforcementLevel: p.enforcementLevel ?? "advisory", description: p.description, options: optionsOf(p) }));
    if (parsed.values.json) {
        writeJson(list);
        return EXIT.ok;
    }
    const w = Math.max(...list.map((p) => p.name.length));
    const lines = list.flatMap((p) => [
        `  ${p.name.padEnd(w)}  ${p.enforcementLevel.padEnd(9)}  ${p.description.split(/(?<=\.)\s/)[0]}`,
        ...p.options.map((o) => `  ${"".padEnd(w)}    option ${o.name}: ${o.type}${o.default !== undefined ? ` (default ${JSON.stringify(o.default)})` : ""}`),
    ]);
    process.stdout.write([`${list.length} policies (pack eks-secrets-abac-policies); options go in a --policy-pack-config file:`, ...lines, ""].join("\n"));
    return EXIT.ok;
}

async function whyCommand(argv: string[]): Promise<number> {
    const parsed = parseCommandWithOperands(WHY_COMMAND, argv);
    if (parsed === undefined) return EXIT.ok;
    const { values, operands } = parsed;
    const [who, what, source = "."] = operands;
    if (who === undefined || what === undefined) throw new UsageError(`usage: ${WHY_COMMAND.usage} <namespace|namespace/serviceAccount> <secret|parameter> [<input>]`);
    const { readStack } = await import("./stack");
    const { planFromInput } = await import("./checker");
    const { why, renderWhy } = await import("./why");
    const input = await readStack(source, { stack: values.stack, configFile: values.config, progress: progressReporter(!values.quiet) });
    const problems = (input as { problems?: { path: string; message: string }[] }).problems;
    if (problems !== undefined) throw new ConfigError(`${source}: ${problems.length} problem(s); nothing was decided:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join("\n")}`);
    const answers = why(planFromInput(input, input.kind === "program" ? (input as ProgramInput).stackFile : source), who, what, { cluster: values.cluster });
    if (values.json) writeJson({ answers });
    else process.stdout.write(renderWhy(answers) + "\n");
    return EXIT.ok;
}

export async function main(argv: string[]): Promise<number> {
    const [command, ...rest] = argv;
    if (command === undefined || command === "--help" || command === "-h" || command === "help") {
        process.stdout.write(topHelp());
        return command === undefined ? EXIT.usage : EXIT.ok;
    }
    if (command === "--version" || command === "-v") {
        process.stdout.write(`${version()}\n`);
        return EXIT.ok;
    }
    switch (command) {
        case "plan":
        case "access-matrix":
            return judgeCommand(command, rest);
        case "onboard":
            return onboard(rest);
        case "policies":
            return policies(rest);
        case "why":
            return whyCommand(rest);
    }
    const near = closest(command, Object.keys(COMMANDS));
    throw new UsageError(`unknown command \`${command}\`${near ? `: did you mean \`${near}\`?` : ""}\n${topHelp()}`);
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        // process.exit: a program run offline may leave handles open (its SDK's timers).
        (code) => process.exit(code),
        (err) => {
            process.stderr.write(`${err instanceof UsageError || err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
            process.exit(err instanceof UsageError ? EXIT.usage : EXIT.failed);
        },
    );
}
