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
import { policies as packPolicies } from "../../policypack/policies";
import type { StackPlan, StackVerdict } from "./stackPlan";

export const TOOL_NAME = "eks-secrets-abac";
export const TOOL_URI = "https://www.npmjs.com/package/eks-secrets-abac-cli";

/** Checks of this tool beside the pack's policies. */
export const CHECKS = {
    "isolation-cross-team-read": {
        description: "A team's session can read the value of another team's secret or parameter (on this cluster or another; GetSecretValue alone is a read): the shared role's permission policy does not keep teams apart.",
        help: "Compare secretsmanager:ResourceTag/kubernetes-namespace with ${aws:PrincipalTag/esoNamespace} and the cluster tag with ${aws:PrincipalTag/eks-cluster-name}, by StringEquals, in every Allow of the shared role, and grant GetSecretValue nowhere else.",
        level: "error",
    },
    "isolation-metadata-readable": {
        description: "A team's session can read another team's metadata (DescribeSecret, ListTagsForResource): names, tags and keys, not values.",
        help: "Grant DescribeSecret only under the same namespace and cluster conditions as GetSecretValue.",
        level: "warning",
    },
    "isolation-own-denied": {
        description: "A team's own secret or parameter is denied to its session: ExternalSecrets of that team fail.",
        help: "Tag the secret with kubernetes-namespace=<team namespace> and eks-cluster-name=<cluster>, and let the shared role's policy allow reads on those tags.",
        level: "error",
    },
    "principal-reads-team-secret": {
        description: "A principal of the stack other than the shared role's team sessions can read a team's secret or parameter value: it reads around the ABAC tags.",
        help: "Scope its policy to the secrets it needs (exact ARNs, or a tag of its own), or name it under the stack config's trustedReaders with the reason (docs/PRINCIPALS.md).",
        level: "error",
    },
    "principal-reads-metadata": {
        description: "A principal of the stack other than the shared role may describe team secrets (DescribeSecret): names, tags and rotation settings, not the value.",
        help: "Grant DescribeSecret only on the secrets the principal needs.",
        level: "note",
    },
    "config-problem": {
        description: "The stack's configuration has a problem: the program refused it and would deploy nothing.",
        help: "Fix the configuration entry the message names.",
        level: "error",
    },
    "not-decided": {
        description: "A check could not be decided: it needs a value that is secret (not decrypted) or not known before the deployment.",
        help: "Run on `pulumi stack export --show-secrets`, or on the program itself, to let the check see the value.",
        level: "note",
    },
} as const;

type Level = Sarif.ReportingConfiguration.level;
/** A rule's `name`: readable, and unlike its `id` (SARIF 2.1.0 §3.49.7; the Multitool's SARIF1001 refuses a name equal to the id). */
const ruleName = (id: string) => id.replace(/(^|-)([a-z0-9])/g, (_, _dash, c: string) => c.toUpperCase());
const levelOf = (enforcement: string): Level => (enforcement === "mandatory" ? "error" : enforcement === "advisory" ? "warning" : "note");

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

export function toSarif(plan: StackPlan, verdict: StackVerdict, options: SarifOptions): Sarif.Log {
    const base = options.baseDir ?? process.cwd();
    const uri = path.relative(base, path.resolve(options.artifact)).split(path.sep).join("/") || ".";
    const lineOf = lineIndex(plan.input.kind === "program" ? undefined : options.artifact);
    const rules: Sarif.ReportingDescriptor[] = [
        ...packPolicies.map((p) => ({
            id: p.name,
            name: ruleName(p.name),
            shortDescription: { text: p.description.split(/(?<=\.)\s/)[0] },
            fullDescription: { text: p.description },
            help: { text: p.remediationSteps ?? p.description },
            defaultConfiguration: { level: levelOf(p.enforcementLevel ?? "advisory") },
            properties: { enforcementLevel: p.enforcementLevel ?? "advisory", source: "policy pack eks-secrets-abac-policies" },
        })),
        ...Object.entries(CHECKS).map(([id, c]) => ({
            id,
            name: ruleName(id),
            shortDescription: { text: c.description.split(/(?<=:)\s/)[0] },
            fullDescription: { text: c.description },
            help: { text: c.help },
            defaultConfiguration: { level: c.level as Level },
        })),
    ];
    const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
    const location = (urn: string | undefined, name?: string): Sarif.Location => ({
        physicalLocation: { artifactLocation: { uri }, ...(lineOf(urn) !== undefined ? { region: { startLine: lineOf(urn)! } } : {}) },
        ...(urn || name ? { logicalLocations: [{ fullyQualifiedName: urn ?? name, name: name ?? urn, kind: "resource" }] } : {}),
    });
    const result = (ruleId: string, level: Level, text: string, urn?: string, name?: string): Sarif.Result => ({
        ruleId,
        ruleIndex: ruleIndex.get(ruleId),
        level,
        message: { text },
        locations: [location(urn, name)],
    });
    const remediation = new Map(packPolicies.map((p) => [p.name, p.remediationSteps]));
    const results: Sarif.Result[] = [
        ...verdict.violations.map((v) => result(v.policy, levelOf(v.enforcementLevel), `${v.message}${remediation.get(v.policy) ? ` Fix: ${remediation.get(v.policy)}` : ""}`, v.urn, v.resource)),
        ...verdict.undecided.map((u) => result("not-decided", "note", `${u.policy} could not decide ${u.resource}: ${u.message}`, u.urn, u.resource)),
    ];
    const roleUrn = (name: string) => plan.roles.find((r) => r.name === name)?.urn;
    for (const i of verdict.isolation) {
        if (i.run === undefined) {
            results.push(result("not-decided", "note", `isolation through ${i.role} was not decided: ${i.undecided}`, roleUrn(i.role), i.role));
            continue;
        }
        const r = i.run;
        if (r.crossTeamAllows > 0 || r.probeFailures.length > 0 || r.proof.crossTeamAllows.length > 0) {
            const what = [
                ...(r.crossTeamAllows > 0 ? [`${r.crossTeamAllows} pair(s) of the stack`] : []),
                ...(r.probeFailures.length > 0 ? [`${r.probeFailures.length} attacker probe(s)`] : []),
                ...(r.proof.crossTeamAllows.length > 0 ? [`${r.proof.crossTeamAllows.length} class(es) of pairs`] : []),
            ];
            results.push(result("isolation-cross-team-read", "error", `A team can read another team's value through ${i.role}: ${what.join(", ")} (${r.method}). Fix: ${CHECKS["isolation-cross-team-read"].help}`, roleUrn(i.role), i.role));
        }
        if (r.ownDenials > 0 || r.proof.ownDenials.length > 0) {
            results.push(result("isolation-own-denied", "error", `A team cannot read its own through ${i.role}: ${r.ownDenials} pair(s), ${r.proof.ownDenials.length} class(es). Fix: ${CHECKS["isolation-own-denied"].help}`, roleUrn(i.role), i.role));
        }
        if (r.metadataExposures > 0 || r.proof.metadataExposures.length > 0) {
            results.push(result("isolation-metadata-readable", r.metadataLevel, `Another team's metadata is readable through ${i.role}: ${r.metadataExposures} pair(s), ${r.proof.metadataExposures.length} class(es). Fix: ${CHECKS["isolation-metadata-readable"].help}`, roleUrn(i.role), i.role));
        }
    }
    // One result per principal: its first finding names the statement and an example value.
    const principalUrn = (name: string) => (plan.resources.find((r) => r.custom && /^aws:iam\/(role:Role|user:User|group:Group)$/.test(r.type) && (r.inputs?.name ?? r.name) === name) as { urn?: string } | undefined)?.urn;
    const perPrincipal = <T extends { principal: string }>(findings: T[]) => [...new Map(findings.map((f) => [f.principal, findings.filter((x) => x.principal === f.principal)])).values()];
    for (const fs of perPrincipal(verdict.principals.reads)) {
        const f = fs[0];
        results.push(result("principal-reads-team-secret", "error", `${f.kind} ${f.principal} can ${f.action} ${fs.length} team value(s), e.g. ${f.targetKind} ${f.target} of team ${f.namespace}, granted by ${f.statement}. Fix: ${CHECKS["principal-reads-team-secret"].help}`, principalUrn(f.principal), f.principal));
    }
    for (const fs of perPrincipal(verdict.principals.metadata)) {
        const f = fs[0];
        results.push(result("principal-reads-metadata", "note", `${f.kind} ${f.principal} can ${f.action} ${fs.length} team secret(s), e.g. ${f.target}, granted by ${f.statement}.`, principalUrn(f.principal), f.principal));
    }
    for (const u of verdict.principals.undecided) results.push(result("not-decided", "note", `principal ${u.principal} was not evaluated in full: ${u.reason}`, principalUrn(u.principal), u.principal));
    return {
        $schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [
            {
                tool: { driver: { name: TOOL_NAME, informationUri: TOOL_URI, ...(options.version ? { version: options.version, semanticVersion: options.version } : {}), rules } },
                artifacts: [{ location: { uri } }],
                results,
            },
        ],
    };
}

/** A configuration refused before anything ran: one result per problem. */
export function problemsToSarif(problems: { path: string; message: string }[], artifact: string, baseDir = process.cwd()): Sarif.Log {
    const uri = path.relative(baseDir, path.resolve(artifact)).split(path.sep).join("/");
    const c = CHECKS["config-problem"];
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
