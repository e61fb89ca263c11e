/**
 * npm run access-matrix [-- --config <Pulumi.<stack>.yaml>] [--other-cluster <name>]...
 *                         [--permission-policy <policy.json>] [--out <dir>] [--workers <n>]
 *
 * Can team A read team B's secret, on this cluster or another? Evaluates
 * every (namespace session x secret x cluster) pair on the shared role's
 * rendered policy, writes access-matrix.md and access-matrix.svg, and exits 1
 * on any allow outside a session's own namespace and cluster, or any own
 * secret denied.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { formatProblems } from "../components/lib/validate";
import { computeMatrix } from "./lib/accessMatrix";
import { matrixMarkdown, matrixSummary, matrixSvg } from "./lib/matrixReport";
import { buildPlan } from "./lib/plan";
import { DEFAULT_OTHER_CLUSTER, matrixSpecFromPlan } from "./lib/stackMatrix";

const ROOT = path.join(__dirname, "..");

async function main(): Promise<number> {
    const { values } = parseArgs({
        options: {
            config: { type: "string", default: path.join(ROOT, "Pulumi.example.yaml") },
            "other-cluster": { type: "string", multiple: true, default: [DEFAULT_OTHER_CLUSTER] },
            "permission-policy": { type: "string" },
            out: { type: "string", default: path.join(ROOT, "docs") },
            workers: { type: "string" },
        },
    });
    const result = await buildPlan(values.config as string);
    if (!result.ok) {
        console.error(`${values.config}: ${formatProblems(result.problems)}`);
        return 2;
    }
    const policyFile = values["permission-policy"];
    const spec = matrixSpecFromPlan(result.plan, {
        otherClusters: values["other-cluster"] as string[],
        permissionPolicy: policyFile ? JSON.parse(fs.readFileSync(policyFile, "utf8")) : undefined,
    });
    const showProgress = process.stderr.isTTY;
    const matrix = await computeMatrix(spec, {
        workers: values.workers === undefined ? undefined : Number(values.workers),
        onProgress: (done, total) => {
            if (showProgress) process.stderr.write(`\r${done}/${total} decisions`);
        },
    });
    if (showProgress) process.stderr.write("\n");
    const out = values.out as string;
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, "access-matrix.md"), matrixMarkdown(matrix));
    fs.writeFileSync(path.join(out, "access-matrix.svg"), matrixSvg(matrix));
    console.log(matrixSummary(matrix));
    console.log(`wrote ${path.join(out, "access-matrix.md")} and ${path.join(out, "access-matrix.svg")}`);
    return matrix.unexpectedAllows.length > 0 || matrix.missingAllows.length > 0 ? 1 : 0;
}

main().then(
    (code) => process.exit(code),
    (err) => {
        console.error(err instanceof Error ? err.message : err);
        process.exit(2);
    },
);
