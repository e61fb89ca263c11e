/**
 * npm run onboard -- --namespace <ns> [--secret <name>]... [--existing-namespace]
 *                    [--config <Pulumi.<stack>.yaml>] [--dry-run]
 *
 * Adds a team to a stack config file, keeping its comments; validates the
 * result and prints what the next plan will add. Writes nothing when the
 * result is invalid, or with --dry-run.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import * as YAML from "yaml";
import { formatProblems } from "../components/lib/validate";
import { addTeam, planDiff } from "./lib/onboard";
import { buildPlanFrom } from "./lib/plan";
import { readStackFile, stackFileFromText } from "./lib/stackFile";

async function main(): Promise<number> {
    const { values } = parseArgs({
        options: {
            config: { type: "string", default: path.join(__dirname, "..", "Pulumi.example.yaml") },
            namespace: { type: "string" },
            secret: { type: "string", multiple: true, default: [] },
            "existing-namespace": { type: "boolean", default: false },
            "dry-run": { type: "boolean", default: false },
        },
    });
    const file = values.config as string;
    if (values.namespace === undefined) {
        console.error("--namespace is required: the team's Kubernetes namespace");
        return 2;
    }
    const team = {
        namespace: values.namespace,
        ...(values["existing-namespace"] ? { createNamespace: false } : {}),
        ...((values.secret as string[]).length > 0 ? { secrets: (values.secret as string[]).map((name) => ({ name })) } : {}),
    };
    const before = fs.readFileSync(file, "utf8");
    const after = addTeam(before, team);

    const planned = await buildPlanFrom(file, stackFileFromText(after));
    if (!planned.ok) {
        console.error(`${file} with the new team: ${formatProblems(planned.problems)}`);
        return 1;
    }
    const previous = await buildPlanFrom(file, readStackFile(file));
    const { added, changed } = planDiff(previous.ok ? previous.plan.resources : [], planned.plan.resources);
    console.log(`Team ${team.namespace}: the next plan adds ${added.length} resources and changes ${changed.length}:`);
    for (const r of added) console.log(`  + ${r}`);
    for (const r of changed) console.log(`  ~ ${r}`);
    console.log("");
    console.log(YAML.stringify([team]).trimEnd());
    if (values["dry-run"]) {
        console.log(`\n(dry run: ${file} unchanged)`);
    } else {
        fs.writeFileSync(file, after);
        console.log(`\nwrote ${file}`);
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
