/**
 * The access matrix for people: a verdict in words, a Markdown report, a
 * picture, and an HTML page with search by team. Below a readable size the
 * picture is the full heat map; above it, a summary of the classes and the
 * per-team counts. Files are written piece by piece: nothing here builds a
 * string that grows with the number of pairs.
 */
import * as fs from "fs";
import * as path from "path";
import { CLUSTER_TAG_KEY, NAMESPACE_TAG_KEY } from "../../../../components/lib/constants";
import { ACTIONS_OF, Matrix, requiredAction, SecretRef, Session, sessionNamespaceTagKeyOf } from "../checks/accessMatrix";
import { explainInWords } from "../checks/matrixExplain";
import type { ClassResult } from "../checks/isolationProof";
import type { MatrixRun } from "../checks/matrixRun";

/** The heat map is drawn up to this many rows and columns; above, the summary picture. */
export const HEATMAP_MAX = { sessions: 60, secrets: 120 };

const label = {
    session: (s: Session) => `${s.cluster}/${s.namespace}`,
    secret: (s: SecretRef) => `${s.cluster}:${s.name}`,
};

const int = (n: number) => n.toLocaleString("en-US");

/** One sentence: who can read what, and whether that is what the design promises. */
export function verdictInWords(run: MatrixRun): string {
    const metadataNote = run.metadataExposures > 0 || run.proof.metadataExposures.length > 0 ? ` (${run.metadataLevel}: another team's metadata is readable, see below)` : "";
    if (run.ok) {
        return run.proof.proven
            ? `Isolated: every team reads its own secrets on its own cluster and no other team's value, for any number of teams${metadataNote}.`
            : `Isolated for this stack: every team reads its own secrets on its own cluster and no other team's value (every pair and the attacker probes evaluated)${metadataNote}.`;
    }
    const parts: string[] = [];
    if (run.crossTeamAllows > 0) parts.push(`a team can read another team's secret: ${int(run.crossTeamAllows)} pair(s)${run.crossTeamPartial > 0 ? `, ${int(run.crossTeamPartial)} of them through only some of the value actions` : ""}`);
    if (run.probeFailures.length > 0) parts.push(`${run.probeFailures.length} attacker probe(s) read a value`);
    if (run.ownDenials > 0) parts.push(`a team cannot read its own secret: ${int(run.ownDenials)} pair(s)`);
    const leaking = run.proof.classes.filter((c) => !c.ok && !c.expected);
    const broken = run.proof.classes.filter((c) => !c.ok && c.expected);
    if (leaking.length > 0) parts.push(`${leaking.length} class(es) of pairs read another team's value`);
    if (broken.length > 0) parts.push(`${broken.length} class(es) of own pairs cannot be read`);
    if (run.metadataLevel === "error" && (run.metadataExposures > 0 || run.proof.metadataExposures.length > 0)) parts.push(`another team's metadata is readable (${int(run.metadataExposures)} pair(s))`);
    if (run.disagreements.length > 0) parts.push(`the proof and the full matrix disagree on ${run.disagreements.length} row(s)`);
    return `NOT isolated: ${parts.join("; ")}.`;
}

/** Who and what was evaluated, for every report. */
export function evaluatedInWords(run: MatrixRun): string {
    const kinds = run.proof.classes.some((c) => c.kind === "parameter") || (run.spec.parameters?.length ?? 0) > 0 ? (["secret", "parameter"] as const) : (["secret"] as const);
    const actions = kinds.map((k) => `${k}s: value ${ACTIONS_OF[k].value.join(", ")} (${run.spec.sessionKind === "pod" ? "ASCP" : "ESO"} calls ${requiredAction(k, run.spec.sessionKind)}); metadata ${ACTIONS_OF[k].metadata.join(", ")}`).join("; ");
    const who =
        run.spec.sessionKind === "pod"
            ? `the per-pod sessions of the role \`${run.spec.abacRoleName}\` (its own Pod Identity association), one per namespace (\`${sessionNamespaceTagKeyOf(run.spec)}\`), service account and cluster`
            : `the sessions of the shared role \`${run.spec.abacRoleName}\`, one per namespace (\`${sessionNamespaceTagKeyOf(run.spec)}\`) and cluster`;
    return `Principals evaluated: ${who}. Actions: ${actions}. A read is any value action allowed; metadata is reported apart, never counted as a read.`;
}

const sessionWords = (s: { cluster?: string; namespace?: string }) => `${s.cluster ?? "(no cluster tag)"}/${s.namespace === undefined ? "(no namespace tag)" : s.namespace === "" ? "(empty namespace)" : s.namespace}`;

/** The verdict and its figures, for a terminal. */
export function matrixSummary(run: MatrixRun): string {
    const { spec, proof, matrix } = run;
    const secretsTotal = spec.secrets.length * spec.clusters.length;
    const parametersTotal = (spec.parameters?.length ?? 0) * spec.clusters.length;
    const lines = [
        `${int(run.rows.length)} namespace sessions x ${int(secretsTotal)} secrets${parametersTotal > 0 ? ` and ${int(parametersTotal)} parameters` : ""} on ${spec.clusters.length} clusters (${spec.clusters.join(", ")})`,
        evaluatedInWords(run),
        `method: ${run.method}`,
    ];
    if (proof.structure.applicable) {
        lines.push(`proof: ${proof.proven ? "proven for any number of teams" : "DISPROVEN"} (${proof.classes.length} classes, ${proof.decisions} IAM decisions, ${proof.seconds.toFixed(2)} s; operators ${proof.structure.operators.join(", ")}; variables ${proof.structure.variables.map((v) => `\${${v}}`).join(", ")})`);
    } else {
        lines.push("proof: does not apply to these documents, so every pair and the attacker probes were evaluated:", ...proof.structure.refusals.map((r) => `  - ${r}`));
    }
    if (matrix) {
        lines.push(`full matrix: ${int(matrix.decisions)} IAM decisions, ${matrix.seconds.toFixed(2)} s, ${int(Math.round(matrix.decisions / Math.max(matrix.seconds, 1e-9)))} decisions/s, ${matrix.workers || "no"} worker threads`);
    }
    lines.push(`another team's value readable: ${int(run.crossTeamAllows)} pair(s) (full: ${int(run.crossTeamAllows - run.crossTeamPartial)}, partial: ${int(run.crossTeamPartial)}); own objects ESO cannot read: ${int(run.ownDenials)}`);
    lines.push(`another team's metadata readable [${run.metadataLevel}]: ${int(run.metadataExposures)} pair(s)${proof.metadataExposures.length > 0 ? `, ${proof.metadataExposures.length} class(es)` : ""}`);
    lines.push(`by action (allowed on own objects / on other teams'): ${Object.entries(run.byAction).map(([a, c]) => `${a} ${int(c.own)}/${int(c.crossTeam)}`).join("; ")}`);
    if (run.probes) lines.push(`attacker probes: ${run.probes.length} decided, ${run.probeFailures.length} read a value`);
    const explain = (session: { cluster?: string; namespace?: string }, object: { name: string; kind?: "secret" | "parameter"; tags?: Record<string, string> }, readable: boolean) => explainInWords(spec, { session, object }, readable);
    const tagsOf = (t: SecretRef) => ({ [NAMESPACE_TAG_KEY]: t.namespace, [CLUSTER_TAG_KEY]: t.cluster });
    for (const c of proof.classes.filter((x) => !x.ok).slice(0, 20)) {
        const [sn, sc, tn, tc] = c.representative;
        const tags: Record<string, string> = {};
        if (tn !== undefined) tags[NAMESPACE_TAG_KEY] = tn;
        if (tc !== undefined) tags[CLUSTER_TAG_KEY] = tc;
        const why = explain({ namespace: sn, cluster: sc }, { name: c.kind === "secret" ? "representative-secret" : "/representative/parameter", kind: c.kind, tags }, c.allowed);
        lines.push(`  ${c.expected ? "A TEAM CANNOT READ ITS OWN" : "A TEAM CAN READ ANOTHER'S"} ${c.kind.toUpperCase()} (class): ${c.description}; ${why}`);
    }
    (matrix?.unexpectedAllows ?? []).slice(0, 20).forEach(([s, t], i) => {
        lines.push(`  A TEAM CAN READ ANOTHER'S ${(t.kind ?? "secret").toUpperCase()}: session ${label.session(s)} reads ${label.secret(t)}${i < 3 ? `; ${explain(s, { name: t.name, kind: t.kind, tags: tagsOf(t) }, true)}` : ""}`);
    });
    for (const p of run.probeFailures.slice(0, 20)) lines.push(`  ATTACKER PROBE READS A VALUE: ${p.description} (session ${sessionWords(p.session)}); ${explain(p.session, p.object, true)}`);
    (matrix?.missingAllows ?? []).slice(0, 20).forEach(([s, t], i) => {
        lines.push(`  A TEAM CANNOT READ ITS OWN ${(t.kind ?? "secret").toUpperCase()}: session ${label.session(s)} cannot read ${label.secret(t)}${i < 3 ? `; ${explain(s, { name: t.name, kind: t.kind, tags: tagsOf(t) }, false)}` : ""}`);
    });
    for (const [s, t] of matrix?.metadataExposures.slice(0, 5) ?? []) lines.push(`  [${run.metadataLevel}] metadata of another team: session ${label.session(s)} may describe ${label.secret(t)}`);
    if (!matrix) {
        for (const r of run.rows.filter((x) => x.crossTeamAllowed > 0 || x.ownDenied > 0).slice(0, 20)) {
            lines.push(`  session ${r.cluster}/${r.namespace}: reads ${r.crossTeamAllowed} of other teams' objects, cannot read ${r.ownDenied} of its own`);
        }
    }
    for (const d of run.disagreements.slice(0, 10)) lines.push(`  DISAGREEMENT: ${d}`);
    lines.push(verdictInWords(run));
    return lines.join("\n");
}

/** Writes text piece by piece to a file. */
class FileWriter {
    private readonly fd: number;
    private buffer: string[] = [];
    private size = 0;
    constructor(file: string) {
        this.fd = fs.openSync(file, "w");
    }
    write(...parts: string[]) {
        for (const p of parts) {
            this.buffer.push(p);
            this.size += p.length;
        }
        if (this.size > 1 << 20) this.flush();
    }
    flush() {
        fs.writeSync(this.fd, this.buffer.join(""));
        this.buffer = [];
        this.size = 0;
    }
    close() {
        this.flush();
        fs.closeSync(this.fd);
    }
}

function escapeXml(s: string): string {
    return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const COLOURS = { ownAllowed: "#2e7d32", denied: "#e8eaed", crossTeam: "#d32f2f", ownDenied: "#f9a825", metadata: "#90caf9" };

/** The evaluated principals and actions, one SVG text line per sentence. */
const evaluatedSentences = (run: MatrixRun) => evaluatedInWords(run).split(/(?<=\.) (?=[A-Z])/);

/** Width the header's text needs (monospace: about 6.6 px a character at 11-12 px, 6 at 10 px). */
const headerWidth = (run: MatrixRun) => 20 + Math.max(7.2 * verdictInWords(run).length, ...evaluatedSentences(run).map((t) => 6.1 * t.length));

function writeEvaluated(out: FileWriter, run: MatrixRun, x: number, y: number): number {
    const sentences = evaluatedSentences(run);
    sentences.forEach((t, i) => out.write(`<text x="${x}" y="${y + i * 14}" font-size="10">${escapeXml(t)}</text>\n`));
    return sentences.length * 14;
}

export function canDrawHeatmap(run: MatrixRun): boolean {
    const m = run.matrix;
    return m?.allowed !== undefined && m.sessions.length <= HEATMAP_MAX.sessions && m.secrets.length <= HEATMAP_MAX.secrets;
}

function legend(out: FileWriter, x: number, y: number) {
    const items: [string, string][] = [
        [COLOURS.ownAllowed, "own secret, allowed (as designed)"],
        [COLOURS.denied, "other team or cluster, denied (as designed)"],
        [COLOURS.metadata, "other team or cluster, value denied, metadata readable (a finding of its own)"],
        [COLOURS.crossTeam, "a team can read another team's value (isolation broken)"],
        [COLOURS.ownDenied, "a team cannot read its own (design broken)"],
    ];
    items.forEach(([fill, text], i) => {
        out.write(`<rect x="${x}" y="${y + i * 18 - 10}" width="12" height="12" fill="${fill}" stroke="#999"/><text x="${x + 18}" y="${y + i * 18}">${escapeXml(text)}</text>\n`);
    });
}

/** The full heat map: rows who reads, columns what is read. */
function writeHeatmap(file: string, run: MatrixRun, title: string) {
    const m = run.matrix as Matrix & { allowed: boolean[][] };
    const cell = 14;
    const left = 30 + 7 * Math.max(...m.sessions.map((s) => label.session(s).length), 10);
    const top = 140 + 7 * Math.max(...m.secrets.map((s) => label.secret(s).length), 10);
    const width = Math.ceil(Math.max(left + cell * m.secrets.length + 20, 640, headerWidth(run)));
    const height = top + cell * m.sessions.length + 100;
    const out = new FileWriter(file);
    out.write(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="monospace" font-size="11">\n<rect width="100%" height="100%" fill="white"/>\n`);
    out.write(`<text x="10" y="20" font-size="15" font-weight="bold">${escapeXml(title)}</text>\n`);
    out.write(`<text x="10" y="40" font-size="12" fill="${run.ok ? COLOURS.ownAllowed : COLOURS.crossTeam}">${escapeXml(verdictInWords(run))}</text>\n`);
    writeEvaluated(out, run, 10, 58);
    out.write(`<text x="${left}" y="110" font-size="12">columns: the secret read (cluster:name) →</text>\n`);
    out.write(`<text x="12" y="${top + 8}" font-size="12" transform="rotate(90 12 ${top + 8})">rows: who reads (session cluster/namespace) →</text>\n`);
    m.sessions.forEach((s, i) => out.write(`<text x="${left - 4}" y="${top + i * cell + cell - 3}" text-anchor="end">${escapeXml(label.session(s))}</text>\n`));
    m.secrets.forEach((s, j) => {
        const x = left + j * cell + cell - 3;
        out.write(`<text x="${x}" y="${top - 4}" transform="rotate(-90 ${x} ${top - 4})">${escapeXml(label.secret(s))}</text>\n`);
    });
    m.sessions.forEach((s, i) =>
        m.allowed[i].forEach((a, j) => {
            const t = m.secrets[j];
            const own = s.namespace === t.namespace && s.cluster === t.cluster;
            const meta = m.metadata?.[i][j] ?? false;
            const fill = own ? (a ? COLOURS.ownAllowed : COLOURS.ownDenied) : a ? COLOURS.crossTeam : meta ? COLOURS.metadata : COLOURS.denied;
            const words = own ? (a ? "own secret, read" : "own secret, CANNOT be read") : a ? "another team's value, READABLE" : meta ? "another team's value denied, metadata readable" : "another team's secret, denied";
            out.write(`<rect x="${left + j * cell}" y="${top + i * cell}" width="${cell - 1}" height="${cell - 1}" fill="${fill}"><title>${escapeXml(`${label.session(s)} reads ${label.secret(t)}: ${words}`)}</title></rect>\n`);
        }),
    );
    legend(out, left, top + cell * m.sessions.length + 24);
    out.write("</svg>\n");
    out.close();
}

/** The summary picture: the verdict, the totals, and each class with its decision. */
function writeSummaryPicture(file: string, run: MatrixRun, title: string) {
    const rowsShown = run.proof.classes;
    const width = Math.ceil(Math.max(980, headerWidth(run)));
    const top = 200;
    const height = top + 16 * rowsShown.length + 110;
    const out = new FileWriter(file);
    out.write(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="monospace" font-size="11">\n<rect width="100%" height="100%" fill="white"/>\n`);
    out.write(`<text x="10" y="20" font-size="15" font-weight="bold">${escapeXml(title)}</text>\n`);
    out.write(`<text x="10" y="40" font-size="12" fill="${run.ok ? COLOURS.ownAllowed : COLOURS.crossTeam}">${escapeXml(verdictInWords(run))}</text>\n`);
    const secretsTotal = run.spec.secrets.length * run.spec.clusters.length;
    out.write(`<text x="10" y="60">${escapeXml(`${int(run.rows.length)} sessions (cluster/namespace) x ${int(secretsTotal)} secrets; another team's value readable: ${int(run.crossTeamAllows)} (partial ${int(run.crossTeamPartial)}); own not readable: ${int(run.ownDenials)}; metadata [${run.metadataLevel}]: ${int(run.metadataExposures)}`)}</text>\n`);
    out.write(`<text x="10" y="78">${escapeXml(`How: ${run.method}.`.slice(0, 150))}</text>\n`);
    out.write(`<text x="10" y="96">Per-team counts and search: access-matrix.html beside this file.</text>\n`);
    writeEvaluated(out, run, 10, 116);
    if (rowsShown.length === 0) {
        out.write(`<text x="10" y="${top - 20}">No classes: the proof does not apply to these documents (see access-matrix.md).</text>\n`);
    } else {
        out.write(`<text x="10" y="${top - 20}" font-weight="bold">Classes of (session, secret) pairs: one representative each, decided by the IAM engine; every pair of any stack falls in one.</text>\n`);
        rowsShown.forEach((c: ClassResult, i) => {
            const fill = c.expected ? (c.allowed ? COLOURS.ownAllowed : COLOURS.ownDenied) : c.allowed ? COLOURS.crossTeam : COLOURS.denied;
            const y = top + i * 16;
            out.write(`<rect x="10" y="${y - 10}" width="12" height="12" fill="${fill}" stroke="#999"/><text x="28" y="${y}">${escapeXml(`${c.allowed ? "allowed" : "denied "} ${c.ok ? "" : "(WRONG) "}${c.description}`)}</text>\n`);
        });
    }
    legend(out, 10, top + 16 * rowsShown.length + 24);
    out.write("</svg>\n");
    out.close();
}

function writeMarkdown(file: string, run: MatrixRun, title: string) {
    const out = new FileWriter(file);
    out.write(`# ${title}\n\n**${verdictInWords(run)}**\n\n`);
    out.write("Rows: the shared role's session for a namespace (`esoNamespace`) on a cluster (`eks-cluster-name`). Columns: secrets, tagged with their namespace and cluster. Each pair is decided action by action by an IAM policy evaluator on the rendered permission policy.\n\n", evaluatedInWords(run), "\n\n");
    out.write("```\n", matrixSummary(run), "\n```\n\n");
    if (run.proof.classes.length > 0) {
        out.write("## Classes of pairs\n\n| decision | as designed | class |\n| --- | :-: | --- |\n");
        for (const c of run.proof.classes) out.write(`| ${c.allowed ? "allowed" : "denied"} | ${c.ok ? "yes" : "**no**"} | ${c.description} |\n`);
        out.write("\n");
    }
    if (canDrawHeatmap(run)) {
        const m = run.matrix as Matrix & { allowed: boolean[][] };
        out.write("## Every pair\n\n✅ own, read · ⛔ a team cannot read its own · ❌ a team can read another's value · ⓘ another's metadata readable, value denied · `·` other, denied\n\n");
        out.write(`| session \\ secret | ${m.secrets.map((s) => `\`${label.secret(s)}\``).join(" | ")} |\n| --- |${m.secrets.map(() => " :-: |").join("")}\n`);
        m.sessions.forEach((s, i) => {
            const cells = m.allowed[i].map((a, j) => {
                const own = s.namespace === m.secrets[j].namespace && s.cluster === m.secrets[j].cluster;
                return own ? (a ? "✅" : "⛔") : a ? "❌" : m.metadata?.[i][j] ? "ⓘ" : "·";
            });
            out.write(`| \`${label.session(s)}\` | ${cells.join(" | ")} |\n`);
        });
        out.write("\n");
    } else {
        out.write("## Sessions with a failure\n\n| session | own objects | own, cannot be read | other teams' values readable | of which partial |\n| --- | ---: | ---: | ---: | ---: |\n");
        for (const r of run.rows.filter((x) => x.ownDenied > 0 || x.crossTeamAllowed > 0)) out.write(`| \`${r.cluster}/${r.namespace}\` | ${r.own} | ${r.ownDenied} | ${r.crossTeamAllowed} | ${r.crossTeamPartial} |\n`);
        out.write("\nEvery session's counts: access-matrix.html.\n");
    }
    out.close();
}

function writeHtml(file: string, run: MatrixRun, title: string) {
    const out = new FileWriter(file);
    out.write(`<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title>\n`);
    out.write(`<style>body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}td:first-child,th:first-child{text-align:left}.bad{background:#fdd}.ok{color:${COLOURS.ownAllowed}}.no{color:${COLOURS.crossTeam}}</style></head><body>\n`);
    out.write(`<h1>${escapeXml(title)}</h1>\n<p class="${run.ok ? "ok" : "no"}"><b>${escapeXml(verdictInWords(run))}</b></p>\n<p>${escapeXml(evaluatedInWords(run))}</p>\n<pre>${escapeXml(matrixSummary(run))}</pre>\n`);
    out.write(`<h2>Sessions</h2>\n<p>Each row is a team's session (cluster/namespace) reading every secret of every cluster. <label>Search by team: <input id="q" type="search" placeholder="namespace or cluster" autofocus></label> <label><input id="bad" type="checkbox"> only failures</label> <span id="n"></span></p>\n`);
    out.write(`<table id="t"><thead><tr><th>session (cluster/namespace)</th><th>own secrets</th><th>own allowed</th><th>own CANNOT be read</th><th>other teams' values READABLE</th><th>of which partial</th><th>others denied</th><th>other teams' metadata readable</th></tr></thead><tbody>\n`);
    for (const r of run.rows) {
        const bad = r.ownDenied > 0 || r.crossTeamAllowed > 0;
        out.write(`<tr${bad ? ' class="bad"' : ""}><td>${escapeXml(`${r.cluster}/${r.namespace}`)}</td><td>${r.own}</td><td>${r.ownAllowed}</td><td>${r.ownDenied}</td><td>${r.crossTeamAllowed}</td><td>${r.crossTeamPartial}</td><td>${r.othersDenied}</td><td>${r.crossTeamMetadata}</td></tr>\n`);
    }
    out.write("</tbody></table>\n");
    if (run.proof.classes.length > 0) {
        out.write("<h2>Classes of pairs</h2>\n<table><thead><tr><th>class</th><th>decision</th><th>as designed</th></tr></thead><tbody>\n");
        for (const c of run.proof.classes) out.write(`<tr${c.ok ? "" : ' class="bad"'}><td>${escapeXml(c.description)}</td><td>${c.allowed ? "allowed" : "denied"}</td><td>${c.ok ? "yes" : "NO"}</td></tr>\n`);
        out.write("</tbody></table>\n");
    }
    out.write(`<script>
const q=document.getElementById("q"),bad=document.getElementById("bad"),n=document.getElementById("n"),rows=[...document.querySelectorAll("#t tbody tr")];
function filter(){const s=q.value.trim().toLowerCase();let k=0;for(const r of rows){const show=(!s||r.cells[0].textContent.toLowerCase().includes(s))&&(!bad.checked||r.classList.contains("bad"));r.style.display=show?"":"none";if(show)k++;}n.textContent=k+" of "+rows.length+" sessions";}
q.addEventListener("input",filter);bad.addEventListener("change",filter);filter();
</script>\n</body></html>\n`);
    out.close();
}

/** Writes access-matrix.md, .svg and .html into `dir`; returns their paths. */
export function writeMatrixReports(dir: string, run: MatrixRun, title = "Access matrix: who can read which secret"): string[] {
    fs.mkdirSync(dir, { recursive: true });
    const files = ["access-matrix.md", "access-matrix.svg", "access-matrix.html"].map((f) => path.join(dir, f));
    writeMarkdown(files[0], run, title);
    if (canDrawHeatmap(run)) writeHeatmap(files[1], run, title);
    else writeSummaryPicture(files[1], run, title);
    writeHtml(files[2], run, title);
    return files;
}
