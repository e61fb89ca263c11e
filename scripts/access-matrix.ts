/**
 * npm run access-matrix -- [options]     (--help lists them)
 *
 * Can team A read team B's secret, on this cluster or another? Decides it
 * for any number of teams from the shared role's rendered policy (one
 * representative per class of (session, secret) pairs, by the IAM engine),
 * or evaluates every pair with --full-matrix or when the proof does not
 * apply. Writes access-matrix.md, .svg (the heat map when small, a summary
 * picture when not) and .html (every session, search by team) into .plan/
 * (git-ignored) or --out. Exit 1 on any cross-team allow or own secret
 * denied, or a configuration problem; 2 on wrong usage.
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigError, EXIT, intOption, parseCommand, progressReporter, runCommand, writeJson } from "./lib/cli";
import { DEFAULT_OTHER_CLUSTER, PLAN_MATRIX_LIMIT } from "./lib/defaults";

const ROOT = path.join(__dirname, "..");
/** Paths inside the working folder as relative, others as absolute. */
const rel = (p: string) => {
    const r = path.relative(process.cwd(), p);
    return r === "" ? "." : r.startsWith("..") ? path.resolve(p) : r;
};

export const ACCESS_MATRIX_COMMAND = {
    usage: "npm run access-matrix --",
    summary: "Decides which team's session can read which secret, on the stack's cluster and others, from the shared role's rendered policy.",
    options: {
        config: { type: "string", value: "<file>", default: rel(path.join(ROOT, "Pulumi.example.yaml")), description: "The stack's config file, Pulumi.<stack>.yaml." },
        "other-cluster": { type: "string", value: "<name>", multiple: true, default: [DEFAULT_OTHER_CLUSTER], description: "A cluster beside the stack's own whose sessions and secrets must stay apart." },
        "permission-policy": { type: "string", value: "<file.json>", description: "Evaluate this permission policy instead of the rendered one (to see what a change would open)." },
        "metadata-level": { type: "string", value: "warning|error", default: "warning", description: "Level of another team's metadata (DescribeSecret, ListTagsForResource) being readable: error fails the verdict." },
        "full-matrix": { type: "boolean", description: "Evaluate every (session, secret) pair with the IAM engine, even when the proof for any number of teams applies." },
        out: { type: "string", value: "<dir>", default: rel(path.join(ROOT, ".plan")), description: "Folder for access-matrix.md, .svg and .html." },
        "update-docs": { type: "boolean", description: "Write into docs/ instead: regenerates the committed picture on purpose (use with the example stack)." },
        workers: { type: "string", value: "<n>", description: "Worker threads for --full-matrix (default: one per core above 2,000 decisions)." },
        json: { type: "boolean", description: "Print the verdict as JSON only on stdout." },
        quiet: { type: "boolean", short: "q", description: "No progress on stderr." },
    },
    notes: ["JSON for scripts: `npm run --silent access-matrix -- --json` (npm prints a banner on stdout unless --silent)."],
} as const;

async function main(): Promise<number> {
    const values = parseCommand(ACCESS_MATRIX_COMMAND);
    if (values === undefined) return EXIT.ok;
    const workers = intOption("workers", values.workers);
    const metadataLevel = values["metadata-level"];
    if (metadataLevel !== "warning" && metadataLevel !== "error") throw new ConfigError(`--metadata-level is \`${metadataLevel}\`: use warning or error`);
    // Loaded after the options are read: --help and usage errors answer at once.
    const { formatProblems } = await import("../components/lib/validate");
    const { runMatrix } = await import("./lib/matrixRun");
    const { matrixSummary, writeMatrixReports } = await import("./lib/matrixReport");
    const { buildPlan } = await import("./lib/plan");
    const { abacRoleOf, matrixSpecFromPlan } = await import("./lib/stackMatrix");
    const { judgePrincipals, renderPrincipals } = await import("./lib/stackPrincipals");
    const result = await buildPlan(values.config, progressReporter(!values.quiet));
    if (!result.ok) {
        if (values.json) writeJson({ ok: false, stackFile: values.config, problems: result.problems });
        process.stderr.write(`${values.config}: ${formatProblems(result.problems)}\n`);
        return EXIT.failed;
    }
    const policyFile = values["permission-policy"];
    let permissionPolicy;
    if (policyFile !== undefined) {
        try {
            permissionPolicy = JSON.parse(fs.readFileSync(policyFile, "utf8"));
        } catch (e) {
            throw new ConfigError(`${policyFile}: ${(e as Error).message}`);
        }
    }
    const spec = matrixSpecFromPlan(result.plan, { otherClusters: values["other-cluster"], permissionPolicy });
    const run = await runMatrix(spec, { fullMatrix: values["full-matrix"], metadataLevel, crossCheckLimit: PLAN_MATRIX_LIMIT, workers, onProgress: (d, t) => progressReporter(!values.quiet)("decisions", d, t) });
    // Every other principal of the stack: the matrix covers the shared role's sessions only (docs/PRINCIPALS.md).
    const principals = judgePrincipals(result.plan.resources, { account: result.plan.account, sharedRoles: [abacRoleOf(result.plan).name], trustedReaders: result.plan.trustedReaders });
    const ok = run.ok && principals.ok;
    const out = values["update-docs"] ? path.join(ROOT, "docs") : values.out;
    const files = writeMatrixReports(out, run);
    if (values.json) {
        writeJson({
            ok,
            method: run.method,
            proven: run.proof.proven,
            refusals: run.proof.structure.refusals,
            crossTeamAllows: run.crossTeamAllows,
            crossTeamPartial: run.crossTeamPartial,
            ownDenials: run.ownDenials,
            metadataExposures: run.metadataExposures,
            metadataLevel: run.metadataLevel,
            probeFailures: run.probeFailures.map((p) => p.description),
            byAction: run.byAction,
            sharedRoleSessions: { role: run.spec.abacRoleName, sessions: run.rows.length, sessionNamespaceTag: run.spec.sessionNamespaceTagKey ?? "esoNamespace" },
            disagreements: run.disagreements,
            classes: run.proof.classes.map(({ description, kind, allowed, required, partial, metadata, expected, ok }) => ({ description, kind, allowed, required, partial, metadata, expected, ok })),
            principals,
            files,
        });
    } else {
        process.stdout.write(`${matrixSummary(run)}\n\n${renderPrincipals(principals)}\nwrote ${files.map(rel).join(", ")}\n`);
    }
    return ok ? EXIT.ok : EXIT.failed;
}

if (require.main === module) runCommand(main);
