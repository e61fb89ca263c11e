/**
 * npm run onboard -- --namespace <ns> [options]     (--help lists them)
 *
 * Adds a team to a stack config file, keeping its comments; validates the
 * result and prints what the next plan will add. Writes nothing when the
 * result is invalid, or with --dry-run.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { ConfigError, EXIT, parseCommand, runCommand, UsageError } from "../cli/src/checker";
import { readStackFile, stackFileFromText } from "../cli/src/checker";

export const ONBOARD_COMMAND = {
    usage: "npm run onboard --",
    summary: "Adds a team to a stack config file (comments kept), validates the result and shows what the next plan adds.",
    options: {
        namespace: { type: "string", value: "<ns>", description: "The team's Kubernetes namespace (required)." },
        secret: { type: "string", value: "<name>", multiple: true, default: [], description: "A secret of the team." },
        "existing-namespace": { type: "boolean", description: "The namespace exists already: only label it." },
        cluster: { type: "string", value: "<name>", description: "With a `<project>:clusters` list: the cluster whose teams get the new one." },
        config: { type: "string", value: "<file>", default: path.relative(process.cwd(), path.join(__dirname, "..", "Pulumi.example.yaml")), description: "The stack's config file to edit." },
        "dry-run": { type: "boolean", description: "Show the result, write nothing." },
    },
} as const;

/** `npm run onboard -- <argv>`. */
export async function onboard(argv = process.argv.slice(2)): Promise<number> {
    const values = parseCommand(ONBOARD_COMMAND, argv);
    if (values === undefined) return EXIT.ok;
    const file = values.config;
    if (values.namespace === undefined) throw new UsageError("--namespace is required: the team's Kubernetes namespace");
    // Loaded after the options are read: --help and usage errors answer at once.
    const { formatProblems } = await import("../components/lib/validate");
    const { addsNothing, addTeamAt, planDiff, projectNameNear } = await import("../cli/src/checker");
    const { buildPlanFrom } = await import("../cli/src/checker");
    const team = {
        namespace: values.namespace,
        ...(values["existing-namespace"] ? { createNamespace: false } : {}),
        ...(values.secret.length > 0 ? { secrets: values.secret.map((name) => ({ name })) } : {}),
    };
    readStackFile(file); // a missing file or bad YAML stops here, naming the file
    const before = fs.readFileSync(file, "utf8");
    const project = projectNameNear(file);
    let after: string;
    let where: string;
    try {
        ({ text: after, where } = addTeamAt(before, team, { project, cluster: values.cluster }));
    } catch (e) {
        throw new ConfigError(`${file}: ${(e as Error).message}`);
    }

    const planned = await buildPlanFrom(file, stackFileFromText(after));
    if (!planned.ok) {
        console.error(`${file} with the new team: ${formatProblems(planned.problems)}`);
        return EXIT.failed;
    }
    const previous = await buildPlanFrom(file, readStackFile(file));
    const { added, changed } = planDiff(previous.ok ? previous.plan.resources : [], planned.plan.resources);
    if (added.length === 0) {
        console.error(`${file}: team ${team.namespace} refused: ${addsNothing(where, file, project)}`);
        return EXIT.failed;
    }
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
    return EXIT.ok;
}

if (require.main === module) runCommand(() => onboard());
