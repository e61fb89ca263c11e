/**
 * The one verdict said for people (text) and scripts (JSON). The commands
 * choose which parts to print; none of them composes a verdict of its own.
 */
import { findingKeys, RoleIsolation, undecidedLines, Verdict, verdictLines } from "../judge";
import { matrixSummary } from "./matrixReport";
import { renderPrincipals } from "../checks/stackPrincipals";

const indent = (text: string, by = "  ") => text.split("\n").map((l) => (l.length > 0 ? by + l : l));

/** The pack's table, its violations and what it could not decide. */
export function renderPolicies(v: Verdict, options: { full?: boolean; resourceCount?: number } = {}): string[] {
    const out = [
        `Policy pack: ${v.policies.length} policies on ${options.resourceCount ?? "every"} resources: ${v.violations.length === 0 ? "no violations" : `${v.violations.length} violation(s), ${v.mandatoryViolations} mandatory`}${v.undecided.length > 0 ? `; ${v.undecided.length} not decided` : ""}`,
    ];
    const w = Math.max(...v.policies.map((p) => p.policy.length), 6);
    out.push(`  ${"policy".padEnd(w)}  ${"level".padEnd(9)}  ${"checked".padStart(8)}  ${"violations".padStart(10)}  ${"undecided".padStart(9)}`);
    for (const p of v.policies) {
        out.push(`  ${p.policy.padEnd(w)}  ${p.enforcementLevel.padEnd(9)}  ${(p.kind === "stack" ? "stack" : String(p.checked)).padStart(8)}  ${String(p.violations.length).padStart(10)}  ${String(p.undecided.length).padStart(9)}`);
    }
    const shown = options.full ? v.violations : v.violations.slice(0, 20);
    for (const x of shown) out.push(`  [${x.enforcementLevel}] ${x.policy} on ${x.resource}: ${x.message}`);
    if (shown.length < v.violations.length) out.push(`  ... ${v.violations.length - shown.length} more (--full for all, or --json)`);
    return out;
}

/** Each role's matrix, and a pod role's trust. */
export function renderIsolation(v: Verdict): string[] {
    if (v.isolation.length === 0) return ["Isolation: the stack has no shared ABAC role (no permission policy keyed on principal tags): nothing to prove."];
    return v.isolation.flatMap((i) => [
        i.kind === "pod" ? `Isolation through ${i.role} (pods that mount secrets as files, one session per associated service account):` : `Isolation through ${i.role}:`,
        ...(i.run === undefined ? [`  not decided: ${i.undecided}`] : indent(matrixSummary(i.run))),
        ...(i.trust ? [`  ${trustLine(i)}`] : []),
        "",
    ]);
}

function trustLine(i: RoleIsolation): string {
    const t = i.trust!;
    const bad = [...t.teamsRefused.map((x) => `refuses team pod ${x}`), ...t.admittedAttackers.map((x) => `ADMITS ${x}`)];
    return `trust of ${i.role} (Pod Identity, ${t.decisions} decisions): ${bad.length === 0 ? "admits every associated team pod; refuses the release namespaces, another cluster and another account" : bad.join("; ")}`;
}

/** Every check's outcome, then what was not decided, then the verdict: "not decided" never precedes "Verdict: OK" unless accepted. */
export function renderVerdict(v: Verdict, options: { full?: boolean; summary?: boolean; resourceCount?: number } = {}): string {
    const full = options.full ?? !options.summary;
    return [...renderPolicies(v, { full, resourceCount: options.resourceCount }), "", ...renderIsolation(v), renderPrincipals(v.principals), "", ...tail(v, full)].join("\n");
}

/** The end of every text report: the undecided items and the verdict line. */
export function tail(v: Verdict, full = true): string[] {
    const open = undecidedLines(v, full ? undefined : 10);
    return [...open, ...(open.length > 0 ? [""] : []), ...verdictLines(v)];
}

/** One role's isolation as the JSON outputs give it; `classes` adds the proof's classes. */
export function isolationJson(i: RoleIsolation, options: { classes?: boolean } = {}): Record<string, unknown> {
    const trust = i.trust ? { trust: i.trust } : {};
    if (i.run === undefined) return { role: i.role, kind: i.kind, decided: false, reason: i.undecided };
    return {
        role: i.role,
        kind: i.kind,
        decided: true,
        ok: i.run.ok,
        method: i.run.method,
        proven: i.run.proof.proven,
        refusals: i.run.proof.structure.refusals,
        sessions: i.run.rows.length,
        crossTeamAllows: i.run.crossTeamAllows,
        crossTeamPartial: i.run.crossTeamPartial,
        ownDenials: i.run.ownDenials,
        metadataExposures: i.run.metadataExposures,
        metadataLevel: i.run.metadataLevel,
        probeFailures: i.run.probeFailures.map((p) => p.description),
        byAction: i.run.byAction,
        disagreements: i.run.disagreements,
        ...(options.classes ? { classes: i.run.proof.classes.map(({ description, kind, allowed, required, partial, metadata, expected, ok }) => ({ description, kind, allowed, required, partial, metadata, expected, ok })) } : {}),
        clusters: i.run.spec.clusters,
        ...trust,
    };
}

/** The verdict as JSON: the same for every command; access-matrix adds the classes of each proof. */
export function verdictJson(v: Verdict, options: { classes?: boolean } = {}): Record<string, unknown> {
    return {
        status: v.status,
        ok: v.ok,
        acceptedUndecided: v.acceptedUndecided,
        checks: v.checks,
        findings: v.findings,
        mandatoryViolations: v.mandatoryViolations,
        violations: v.violations,
        undecided: v.undecided,
        policies: v.policies.map((p) => ({ policy: p.policy, enforcementLevel: p.enforcementLevel, kind: p.kind, checked: p.checked, violations: p.violations.length, undecided: p.undecided.length })),
        isolation: v.isolation.map((i) => isolationJson(i, options)),
        principals: v.principals,
    };
}

export { findingKeys };
