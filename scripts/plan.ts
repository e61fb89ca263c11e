/**
 * npm run plan [-- --config <Pulumi.<stack>.yaml>] [--json]
 *
 * What the stack would deploy, without an AWS account or the Pulumi CLI.
 * Exits 1 on a configuration problem.
 */
import * as path from "path";
import { parseArgs } from "util";
import { formatProblems } from "../components/lib/validate";
import { buildPlan, renderPlan } from "./lib/plan";

const DEFAULT_STACK_FILE = path.join(__dirname, "..", "Pulumi.example.yaml");

async function main(): Promise<number> {
    const { values } = parseArgs({
        options: {
            config: { type: "string", default: DEFAULT_STACK_FILE },
            json: { type: "boolean", default: false },
        },
    });
    const stackFile = values.config === DEFAULT_STACK_FILE ? path.relative(process.cwd(), DEFAULT_STACK_FILE) : (values.config as string);
    const result = await buildPlan(stackFile);
    if (!result.ok) {
        if (values.json) {
            console.log(JSON.stringify({ ok: false, stackFile, problems: result.problems }, null, 2));
        } else {
            console.error(`${stackFile}: ${formatProblems(result.problems)}`);
        }
        return 1;
    }
    if (values.json) {
        const { resources: _resources, ...summary } = result.plan;
        console.log(JSON.stringify({ ok: true, ...summary }, null, 2));
    } else {
        console.log(renderPlan(result.plan));
    }
    return 0;
}

main().then(
    (code) => process.exit(code),
    (err) => {
        console.error(err instanceof Error ? err.message : err);
        process.exit(2);
    },
);
