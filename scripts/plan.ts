/**
 * npm run plan -- [options]     (npm run plan -- --help lists them)
 *
 * What the stack would deploy, without an AWS account or the Pulumi CLI:
 * resources by type and by team, the chart and its hardening, the IAM
 * documents, the policy pack's verdict per policy and the access matrix
 * (isolation proven for any number of teams). Exit 0 OK, 1 blocked or a
 * configuration problem, 2 wrong usage.
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigError, EXIT, parseCommand, progressReporter, runCommand, UsageError, writeJson } from "./lib/cli";
import { SUMMARY_TEAMS } from "./lib/defaults";

const DEFAULT_STACK_FILE = path.relative(process.cwd(), path.join(__dirname, "..", "Pulumi.example.yaml")) || "Pulumi.example.yaml";

export const PLAN_COMMAND = {
    usage: "npm run plan --",
    summary: "Plans a stack offline: what it would deploy, the policy pack's verdict and the access matrix.",
    options: {
        config: { type: "string", value: "<file>", default: DEFAULT_STACK_FILE, description: "The stack's config file, Pulumi.<stack>.yaml." },
        json: { type: "boolean", description: "Write the plan and the verdict as JSON only (to stdout, or to --out)." },
        out: { type: "string", value: "<file>", description: "With --json: write the JSON to this file instead of stdout." },
        summary: { type: "boolean", description: `List counts and the first teams only (the default above ${SUMMARY_TEAMS} teams).` },
        full: { type: "boolean", description: "List every team and every violation, however many." },
        "full-matrix": { type: "boolean", description: "Evaluate every (session, secret) pair too, not only the proof for any number of teams (slow above a few hundred teams)." },
        "matrix-out": { type: "string", value: "<dir>", description: "Also write the access matrix report (md, svg, html) into this folder." },
        quiet: { type: "boolean", short: "q", description: "No progress on stderr (by default a line every few seconds when stderr is not a terminal)." },
    },
    notes: [
        "JSON for scripts: `npm run --silent plan -- --json | jq .` (npm prints a banner on stdout unless --silent), or `npm run plan -- --json --out plan.json`.",
        "The Region is the stack's aws:region; the account is aws:allowedAccountIds when it names one, else an offline placeholder.",
    ],
} as const;

async function main(): Promise<number> {
    const values = parseCommand(PLAN_COMMAND);
    if (values === undefined) return EXIT.ok;
    if (values.out !== undefined && !values.json) throw new UsageError(`--out ${values.out} names the file for the JSON: add --json`);
    // A stack file of another project (examples/*) belongs to that project's program, not to index.ts.
    const projectDir = path.dirname(path.resolve(values.config));
    if (projectDir !== path.resolve(__dirname, "..") && ["Pulumi.yaml", "Pulumi.yml"].some((f) => fs.existsSync(path.join(projectDir, f)))) {
        throw new UsageError(`${values.config} belongs to the project in ${path.relative(process.cwd(), projectDir) || "."}, not to this repository's index.ts: run \`npm run eks-secrets-abac -- plan ${path.relative(process.cwd(), projectDir)} --config ${values.config}\``);
    }
    // Loaded after the options are read: --help and usage errors answer at once.
    const { formatProblems } = await import("../components/lib/validate");
    const { writeMatrixReports } = await import("./lib/matrixReport");
    const { buildPlan, judgePlan, renderPlan, renderVerdict } = await import("./lib/plan");
    const stackFile = values.config;
    const progress = progressReporter(!values.quiet);
    let result: Awaited<ReturnType<typeof buildPlan>>;
    try {
        result = await buildPlan(stackFile, progress);
    } catch (e) {
        // JSON consumers get JSON even for an unreadable stack file; the message goes to stderr too.
        if (values.json && e instanceof ConfigError) writeJson({ ok: false, stackFile, error: e.message }, values.out);
        throw e;
    }
    if (!result.ok) {
        if (values.json) writeJson({ ok: false, stackFile, problems: result.problems }, values.out);
        process.stderr.write(`${stackFile}: ${formatProblems(result.problems)}\n`);
        return EXIT.failed;
    }
    // The Region against the AWS provider's Region enum and the partition (scripts/lib/regions.ts).
    const { regionProblem } = await import("./lib/regions");
    const region = regionProblem(result.plan.account.region, `set in ${stackFile}`, result.plan.account.partition);
    if (region !== undefined) {
        if (values.json) writeJson({ ok: false, stackFile, problems: [{ path: "aws:region", message: region }] }, values.out);
        process.stderr.write(`aws:region: ${region}\n`);
        return EXIT.failed;
    }
    const verdict = await judgePlan(result.plan, progress, { fullMatrix: values["full-matrix"] });
    if (values["matrix-out"] !== undefined) {
        const files = writeMatrixReports(values["matrix-out"], verdict.isolation);
        process.stderr.write(`wrote ${files.join(", ")}\n`);
    }
    if (values.json) {
        const { resources: _resources, ...plan } = result.plan;
        const { isolation, matrix: _matrix, ...rest } = verdict;
        writeJson(
            {
                ok: verdict.ok,
                plan,
                verdict: {
                    ...rest,
                    isolation: {
                        ok: isolation.ok,
                        method: isolation.method,
                        proven: isolation.proof.proven,
                        refusals: isolation.proof.structure.refusals,
                        classes: isolation.proof.classes.map(({ description, kind, allowed, required, partial, metadata, expected, ok }) => ({ description, kind, allowed, required, partial, metadata, expected, ok })),
                        crossTeamAllows: isolation.crossTeamAllows,
                        crossTeamPartial: isolation.crossTeamPartial,
                        ownDenials: isolation.ownDenials,
                        metadataExposures: isolation.metadataExposures,
                        probeFailures: isolation.probeFailures.map((p) => p.description),
                        byAction: isolation.byAction,
                        disagreements: isolation.disagreements,
                        sessions: isolation.rows.length,
                        clusters: isolation.spec.clusters,
                    },
                },
            },
            values.out,
        );
    } else {
        const summary = values.full ? false : values.summary ? true : undefined;
        process.stdout.write(renderPlan(result.plan, { summary }) + "\n\n");
        process.stdout.write(renderVerdict(verdict, result.plan.resourceCount, { summary: summary ?? result.plan.teams.length > SUMMARY_TEAMS }) + "\n");
    }
    return verdict.ok ? EXIT.ok : EXIT.failed;
}

if (require.main === module) runCommand(main);
