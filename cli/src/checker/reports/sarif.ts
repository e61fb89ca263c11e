/**
 * The verdict as SARIF 2.1.0 (OASIS, "Static Analysis Results Interchange
 * Format Version 2.1.0"), for code scanning: one rule per policy of the
 * pack and per check of this tool, one result per finding, located by the
 * resource's URN (a logical location, §3.33) and by the file the stack was
 * read from (a physical location, which GitHub code scanning requires),
 * at the line that names the URN when the file is a preview or a state file.
 */
import * as fs from "fs";
import * as path from "path";
import type * as Sarif from "sarif";
import { policies as packPolicies } from "../../../../policypack/policies";
import { allRules, JudgedStack, Verdict } from "../judge";

const packLevel = new Map(packPolicies.map((p) => [p.name, p.enforcementLevel ?? "advisory"]));
const packRemediation = new Map(packPolicies.map((p) => [p.name, p.remediationSteps]));

export const TOOL_NAME = "eks-secrets-abac";
export const TOOL_URI = "https://www.npmjs.com/package/eks-secrets-abac-cli";

/** A configuration refused before any check ran: not a check of the registry, so declared here. */
export const CONFIG_PROBLEM = {
    id: "config-problem",
    description: "The stack's configuration has a problem: the program refused it and would deploy nothing.",
    help: "Fix the configuration entry the message names.",
} as const;

type Level = Sarif.ReportingConfiguration.level;
/** A rule's `name`: readable, and unlike its `id` (SARIF 2.1.0 §3.49.7; the Multitool's SARIF1001 refuses a name equal to the id). */
const ruleName = (id: string) => id.replace(/(^|-)([a-z0-9])/g, (_, _dash, c: string) => c.toUpperCase());

/** 1-based line of the first line that names `urn` in the file, to point code scanning at it. */
function lineIndex(file: string | undefined): (urn?: string) => number | undefined {
    if (file === undefined || !fs.existsSync(file) || fs.statSync(file).isDirectory()) return () => undefined;
    const lines = fs.readFileSync(file, "utf8").split("\n");
    const at = new Map<string, number>();
    lines.forEach((l, i) => {
        const m = /"urn"\s*:\s*"([^"]+)"/.exec(l);
        if (m && !at.has(m[1])) at.set(m[1], i + 1);
    });
    return (urn) => (urn ? at.get(urn) : undefined);
}

export interface SarifOptions {
    /** The file the stack was read from (for a program: its Pulumi.yaml or stack file). */
    artifact: string;
    /** Paths in the log are relative to this folder (the repository root in CI). @default process.cwd() */
    baseDir?: string;
    version?: string;
}

/** The verdict's findings as results; the rules are the registry's (cli/src/checker/registry.ts) and the pack's. */
export function toSarif(plan: JudgedStack, verdict: Verdict, options: SarifOptions): Sarif.Log {
    const base = options.baseDir ?? process.cwd();
    const uri = path.relative(base, path.resolve(options.artifact)).split(path.sep).join("/") || ".";
    const lineOf = lineIndex(plan.input === undefined || plan.input.kind === "program" ? undefined : options.artifact);
    const declared = allRules();
    const rules: Sarif.ReportingDescriptor[] = declared.map((r) => ({
        id: r.id,
        name: ruleName(r.id),
        shortDescription: { text: r.description.split(r.source ? /(?<=\.)\s/ : /(?<=[:.])\s/)[0] },
        fullDescription: { text: r.description },
        help: { text: r.help },
        defaultConfiguration: { level: r.level as Level },
        ...(r.source ? { properties: { enforcementLevel: packLevel.get(r.id) ?? "advisory", source: r.source } } : {}),
    }));
    const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
    const fix = new Map(declared.filter((r) => r.source && packRemediation.get(r.id)).map((r) => [r.id, packRemediation.get(r.id)!]));
    const location = (urn: string | undefined, name?: string): Sarif.Location => ({
        physicalLocation: { artifactLocation: { uri }, ...(lineOf(urn) !== undefined ? { region: { startLine: lineOf(urn)! } } : {}) },
        ...(urn || name ? { logicalLocations: [{ fullyQualifiedName: urn ?? name, name: name ?? urn, kind: "resource" }] } : {}),
    });
    // An undecided item is a warning with its reason, accepted or not: never a note a reviewer skims past.
    const results: Sarif.Result[] = verdict.findings.map((f) => ({
        ruleId: f.rule,
        ruleIndex: ruleIndex.get(f.rule),
        level: f.undecided ? "warning" : (f.level as Level),
        message: { text: `${f.message}${fix.has(f.rule) ? ` Fix: ${fix.get(f.rule)}` : ""}` },
        locations: [location(f.urn, f.subject)],
    }));
    return {
        $schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [
            {
                tool: { driver: { name: TOOL_NAME, informationUri: TOOL_URI, ...(options.version ? { version: options.version, semanticVersion: options.version } : {}), rules } },
                artifacts: [{ location: { uri } }],
                results,
                properties: { verdict: verdict.status, acceptedUndecided: verdict.acceptedUndecided },
            },
        ],
    };
}

/** A configuration refused before anything ran: one result per problem. */
export function problemsToSarif(problems: { path: string; message: string }[], artifact: string, baseDir = process.cwd()): Sarif.Log {
    const uri = path.relative(baseDir, path.resolve(artifact)).split(path.sep).join("/");
    const c = CONFIG_PROBLEM;
    return {
        $schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [
            {
                tool: { driver: { name: TOOL_NAME, informationUri: TOOL_URI, rules: [{ id: "config-problem", name: ruleName("config-problem"), shortDescription: { text: c.description }, help: { text: c.help }, defaultConfiguration: { level: "error" } }] } },
                results: problems.map((p) => ({
                    ruleId: "config-problem",
                    ruleIndex: 0,
                    level: "error" as const,
                    message: { text: `${p.path}: ${p.message}` },
                    locations: [{ physicalLocation: { artifactLocation: { uri } }, logicalLocations: [{ fullyQualifiedName: p.path, kind: "member" }] }],
                })),
            },
        ],
    };
}
