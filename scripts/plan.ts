/**
 * npm run plan [-- --config <Pulumi.<stack>.yaml>] [--json]
 *
 * What the stack would deploy, without an AWS account or the Pulumi CLI.
 * Prints the resources by type and by team, the IAM documents, the policy
 * pack's verdict on every resource and the access matrix. Exits 1 on a
 * configuration problem, a mandatory policy violation or a cross-team allow.
 */
import * as path from "path";
import { parseArgs } from "util";
import { formatProblems } from "../components/lib/validate";
import { buildPlan, judgePlan, renderPlan, renderVerdict } from "./lib/plan";

const DEFAULT_STACK_FILE = path.join(__dirname, "..", "Pulumi.example.yaml");

async function main(): Promise<number> {
    const { values } = parseArgs({
        options: {
            config: { type: "string", default: DEFAULT_STACK_FILE },
            json: { type: "boolean", default: false },
            "full-matrix": { type: "boolean", default: false },
        },
    });
    const stackFile = values.config === DEFAULT_STACK_FILE ? path.relative(process.cwd(), DEFAULT_STACK_FILE) : (values.config as string);
    const showProgress = !values.json && process.stderr.isTTY;
    const progress = (stage: string, done: number, total: number) => {
        if (!showProgress) return;
        process.stderr.write(total === 0 ? `\r${stage}: ${done}   ` : `\r${stage}: ${done}/${total}   ${done >= total ? "\n" : ""}`);
    };
    const result = await buildPlan(stackFile, progress);
    if (!result.ok) {
        if (values.json) {
            console.log(JSON.stringify({ ok: false, stackFile, problems: result.problems }, null, 2));
        } else {
            console.error(`${stackFile}: ${formatProblems(result.problems)}`);
        }
        return 1;
    }
    if (showProgress) process.stderr.write("\n");
    const verdict = await judgePlan(result.plan, progress, { fullMatrix: values["full-matrix"] as boolean });
    if (values.json) {
        const { resources: _resources, ...summary } = result.plan;
        const { matrix, ...rest } = verdict;
        const { allowed: _allowed, ...matrixSummary } = matrix;
        console.log(JSON.stringify({ ok: verdict.ok, plan: summary, verdict: { ...rest, matrix: matrixSummary } }, null, 2));
    } else {
        console.log(renderPlan(result.plan));
        console.log("");
        console.log(renderVerdict(verdict, result.plan.resourceCount));
    }
    return verdict.ok ? 0 : 1;
}

main().then(
    (code) => process.exit(code),
    (err) => {
        console.error(err instanceof Error ? err.message : err);
        process.exit(2);
    },
);
