/**
 * The access matrix for people: a verdict in words, a Markdown report, a
 * picture, and an HTML page with search by team. Below a readable size the
 * picture is the full heat map; above it, a summary of the classes and the
 * per-team counts. Files are written piece by piece: nothing here builds a
 * string that grows with the number of pairs.
 */
import * as fs from "fs";
import * as path from "path";
import type { Matrix, SecretRef, Session } from "./accessMatrix";
import type { ClassResult } from "./isolationProof";
import type { MatrixRun } from "./matrixRun";

/** The heat map is drawn up to this many rows and columns; above, the summary picture. */
export const HEATMAP_MAX = { sessions: 60, secrets: 120 };

const label = {
    session: (s: Session) => `${s.cluster}/${s.namespace}`,
    secret: (s: SecretRef) => `${s.cluster}:${s.name}`,
};

const int = (n: number) => n.toLocaleString("en-US");

/** One sentence: who can read what, and whether that is what the design promises. */
export function verdictInWords(run: MatrixRun): string {
    if (run.ok) {
        return run.proof.proven
            ? "Isolated: every team reads its own secrets on its own cluster and nothing else, for any number of teams."
            : "Isolated for this stack: every team reads its own secrets on its own cluster and nothing else (every pair evaluated).";
    }
    const parts: string[] = [];
    if (run.crossTeamAllows > 0) parts.push(`${int(run.crossTeamAllows)} cross-team read(s) allowed`);
    if (run.ownDenials > 0) parts.push(`${int(run.ownDenials)} own secret read(s) denied`);
    const failing = run.proof.classes.filter((c) => !c.ok);
    if (failing.length > 0) parts.push(`${failing.length} class(es) of pairs decided against the design`);
    if (run.disagreements.length > 0) parts.push(`the proof and the full matrix disagree on ${run.disagreements.length} row(s)`);
    return `NOT isolated: ${parts.join("; ")}.`;
}

/** The verdict and its figures, for a terminal. */
export function matrixSummary(run: MatrixRun): string {
    const { spec, proof, matrix } = run;
    const secretsTotal = spec.secrets.length * spec.clusters.length;
    const parametersTotal = (spec.parameters?.length ?? 0) * spec.clusters.length;
    const lines = [
        `${int(run.rows.length)} namespace sessions x ${int(secretsTotal)} secrets${parametersTotal > 0 ? ` and ${int(parametersTotal)} parameters` : ""} on ${spec.clusters.length} clusters (${spec.clusters.join(", ")})`,
        `method: ${run.method}`,
    ];
    if (proof.structure.applicable) {
        lines.push(`proof: ${proof.proven ? "proven for any number of teams" : "DISPROVEN"} (${proof.classes.length} classes, ${proof.decisions} IAM decisions, ${proof.seconds.toFixed(2)} s; operators ${proof.structure.operators.join(", ")}; variables ${proof.structure.variables.map((v) => `\${${v}}`).join(", ")})`);
    } else {
        lines.push("proof: does not apply to these documents, so every pair was evaluated:", ...proof.structure.refusals.map((r) => `  - ${r}`));
    }
    if (matrix) {
        lines.push(`full matrix: ${int(matrix.decisions)} IAM decisions, ${matrix.seconds.toFixed(2)} s, ${int(Math.round(matrix.decisions / Math.max(matrix.seconds, 1e-9)))} decisions/s, ${matrix.workers || "no"} worker threads`);
    }
    lines.push(`cross-team reads allowed: ${int(run.crossTeamAllows)}; own secrets denied: ${int(run.ownDenials)}`);
    for (const c of proof.classes.filter((x) => !x.ok).slice(0, 20)) {
        lines.push(`  ${c.allowed ? "CROSS-TEAM ALLOW" : "OWN SECRET DENIED"} (class): ${c.description}`);
    }
    for (const [s, t] of matrix?.unexpectedAllows.slice(0, 20) ?? []) lines.push(`  CROSS-TEAM ALLOW: session ${label.session(s)} reads ${label.secret(t)}`);
    for (const [s, t] of matrix?.missingAllows.slice(0, 20) ?? []) lines.push(`  OWN SECRET DENIED: session ${label.session(s)} cannot read ${label.secret(t)}`);
    if (!matrix) {
        for (const r of run.rows.filter((x) => x.crossTeamAllowed > 0 || x.ownDenied > 0).slice(0, 20)) {
            lines.push(`  session ${r.cluster}/${r.namespace}: ${r.crossTeamAllowed} cross-team allowed, ${r.ownDenied} own denied`);
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

const COLOURS = { ownAllowed: "#2e7d32", denied: "#e8eaed", crossTeam: "#d32f2f", ownDenied: "#f9a825" };

export function canDrawHeatmap(run: MatrixRun): boolean {
    const m = run.matrix;
    return m?.allowed !== undefined && m.sessions.length <= HEATMAP_MAX.sessions && m.secrets.length <= HEATMAP_MAX.secrets;
}

function legend(out: FileWriter, x: number, y: number) {
    const items: [string, string][] = [
        [COLOURS.ownAllowed, "own secret, allowed (as designed)"],
        [COLOURS.denied, "other team or cluster, denied (as designed)"],
        [COLOURS.crossTeam, "other team or cluster, ALLOWED (isolation broken)"],
        [COLOURS.ownDenied, "own secret, DENIED (design broken)"],
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
    const top = 90 + 7 * Math.max(...m.secrets.map((s) => label.secret(s).length), 10);
    const width = Math.max(left + cell * m.secrets.length + 20, 640);
    const height = top + cell * m.sessions.length + 100;
    const out = new FileWriter(file);
    out.write(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="monospace" font-size="11">\n<rect width="100%" height="100%" fill="white"/>\n`);
    out.write(`<text x="10" y="20" font-size="15" font-weight="bold">${escapeXml(title)}</text>\n`);
    out.write(`<text x="10" y="40" font-size="12" fill="${run.ok ? COLOURS.ownAllowed : COLOURS.crossTeam}">${escapeXml(verdictInWords(run))}</text>\n`);
    out.write(`<text x="${left}" y="60" font-size="12">columns: the secret read (cluster:name) →</text>\n`);
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
            const fill = own ? (a ? COLOURS.ownAllowed : COLOURS.ownDenied) : a ? COLOURS.crossTeam : COLOURS.denied;
            const words = own ? (a ? "own secret, allowed" : "own secret, DENIED") : a ? "other team's secret, ALLOWED" : "other team's secret, denied";
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
    const width = 980;
    const top = 150;
    const height = top + 16 * rowsShown.length + 110;
    const out = new FileWriter(file);
    out.write(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="monospace" font-size="11">\n<rect width="100%" height="100%" fill="white"/>\n`);
    out.write(`<text x="10" y="20" font-size="15" font-weight="bold">${escapeXml(title)}</text>\n`);
    out.write(`<text x="10" y="40" font-size="12" fill="${run.ok ? COLOURS.ownAllowed : COLOURS.crossTeam}">${escapeXml(verdictInWords(run))}</text>\n`);
    const secretsTotal = run.spec.secrets.length * run.spec.clusters.length;
    out.write(`<text x="10" y="60">${escapeXml(`${int(run.rows.length)} sessions (cluster/namespace) x ${int(secretsTotal)} secrets; cross-team reads allowed: ${int(run.crossTeamAllows)}; own secrets denied: ${int(run.ownDenials)}`)}</text>\n`);
    out.write(`<text x="10" y="78">${escapeXml(`How: ${run.method}.`.slice(0, 150))}</text>\n`);
    out.write(`<text x="10" y="96">Per-team counts and search: access-matrix.html beside this file.</text>\n`);
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
    out.write("Rows: the shared role's session for a namespace (`esoNamespace`) on a cluster (`eks-cluster-name`). Columns: secrets, tagged with their namespace and cluster. Each decision covers GetSecretValue and DescribeSecret, decided by an IAM policy evaluator on the rendered permission policy.\n\n");
    out.write("```\n", matrixSummary(run), "\n```\n\n");
    if (run.proof.classes.length > 0) {
        out.write("## Classes of pairs\n\n| decision | as designed | class |\n| --- | :-: | --- |\n");
        for (const c of run.proof.classes) out.write(`| ${c.allowed ? "allowed" : "denied"} | ${c.ok ? "yes" : "**no**"} | ${c.description} |\n`);
        out.write("\n");
    }
    if (canDrawHeatmap(run)) {
        const m = run.matrix as Matrix & { allowed: boolean[][] };
        out.write("## Every pair\n\n✅ own, allowed · ⛔ own, DENIED · ❌ other, ALLOWED · `·` other, denied\n\n");
        out.write(`| session \\ secret | ${m.secrets.map((s) => `\`${label.secret(s)}\``).join(" | ")} |\n| --- |${m.secrets.map(() => " :-: |").join("")}\n`);
        m.sessions.forEach((s, i) => {
            const cells = m.allowed[i].map((a, j) => {
                const own = s.namespace === m.secrets[j].namespace && s.cluster === m.secrets[j].cluster;
                return own ? (a ? "✅" : "⛔") : a ? "❌" : "·";
            });
            out.write(`| \`${label.session(s)}\` | ${cells.join(" | ")} |\n`);
        });
        out.write("\n");
    } else {
        out.write("## Sessions with a failure\n\n| session | own secrets | own denied | cross-team allowed |\n| --- | ---: | ---: | ---: |\n");
        for (const r of run.rows.filter((x) => x.ownDenied > 0 || x.crossTeamAllowed > 0)) out.write(`| \`${r.cluster}/${r.namespace}\` | ${r.own} | ${r.ownDenied} | ${r.crossTeamAllowed} |\n`);
        out.write("\nEvery session's counts: access-matrix.html.\n");
    }
    out.close();
}

function writeHtml(file: string, run: MatrixRun, title: string) {
    const out = new FileWriter(file);
    out.write(`<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title>\n`);
    out.write(`<style>body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}td:first-child,th:first-child{text-align:left}.bad{background:#fdd}.ok{color:${COLOURS.ownAllowed}}.no{color:${COLOURS.crossTeam}}</style></head><body>\n`);
    out.write(`<h1>${escapeXml(title)}</h1>\n<p class="${run.ok ? "ok" : "no"}"><b>${escapeXml(verdictInWords(run))}</b></p>\n<pre>${escapeXml(matrixSummary(run))}</pre>\n`);
    out.write(`<h2>Sessions</h2>\n<p>Each row is a team's session (cluster/namespace) reading every secret of every cluster. <label>Search by team: <input id="q" type="search" placeholder="namespace or cluster" autofocus></label> <label><input id="bad" type="checkbox"> only failures</label> <span id="n"></span></p>\n`);
    out.write(`<table id="t"><thead><tr><th>session (cluster/namespace)</th><th>own secrets</th><th>own allowed</th><th>own DENIED</th><th>other teams' secrets ALLOWED</th><th>others denied</th></tr></thead><tbody>\n`);
    for (const r of run.rows) {
        const bad = r.ownDenied > 0 || r.crossTeamAllowed > 0;
        out.write(`<tr${bad ? ' class="bad"' : ""}><td>${escapeXml(`${r.cluster}/${r.namespace}`)}</td><td>${r.own}</td><td>${r.ownAllowed}</td><td>${r.ownDenied}</td><td>${r.crossTeamAllowed}</td><td>${r.othersDenied}</td></tr>\n`);
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
