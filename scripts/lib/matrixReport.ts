/** The access matrix as a Markdown table and an SVG heat map. */
import type { Matrix, SecretRef, Session } from "./accessMatrix";

const label = {
    session: (s: Session) => `${s.cluster}/${s.namespace}`,
    secret: (s: SecretRef) => `${s.cluster}:${s.name}`,
};

export function matrixSummary(m: Matrix): string {
    const allowed = m.allowed.flat().filter(Boolean).length;
    const lines = [
        `${m.sessions.length} namespace sessions x ${m.secrets.length} secrets (${m.decisions} IAM decisions, ${m.seconds.toFixed(2)} s, ${Math.round(m.decisions / Math.max(m.seconds, 1e-9))} decisions/s, ${m.workers || "no"} worker threads)`,
        `allowed pairs: ${allowed}; allowed outside the own namespace and cluster: ${m.unexpectedAllows.length}; own pairs denied: ${m.missingAllows.length}`,
    ];
    for (const [s, t] of m.unexpectedAllows.slice(0, 20)) lines.push(`  CROSS-TEAM ALLOW: session ${label.session(s)} reads ${label.secret(t)}`);
    for (const [s, t] of m.missingAllows.slice(0, 20)) lines.push(`  own secret denied: session ${label.session(s)} cannot read ${label.secret(t)}`);
    return lines.join("\n");
}

/** Rows are sessions, columns secrets; ✅ allowed, · denied, ❌ allowed across teams. */
export function matrixMarkdown(m: Matrix): string {
    const header = `| session \\ secret | ${m.secrets.map((s) => `\`${label.secret(s)}\``).join(" | ")} |`;
    const rule = `| --- |${m.secrets.map(() => " :-: |").join("")}`;
    const rows = m.sessions.map((s, i) => {
        const cells = m.allowed[i].map((a, j) => {
            const own = s.namespace === m.secrets[j].namespace && s.cluster === m.secrets[j].cluster;
            return a ? (own ? "✅" : "❌") : "·";
        });
        return `| \`${label.session(s)}\` | ${cells.join(" | ")} |`;
    });
    return [
        "# Access matrix",
        "",
        "Rows: the shared role's session for a namespace (esoNamespace) on a cluster (eks-cluster-name).",
        "Columns: secrets, tagged with their namespace and cluster. ✅ allowed (own), ❌ allowed across teams, · denied.",
        "Each cell is GetSecretValue and DescribeSecret, decided by an IAM policy evaluator on the rendered policy.",
        "",
        "```",
        matrixSummary(m),
        "```",
        "",
        header,
        rule,
        ...rows,
        "",
    ].join("\n");
}

const COLOURS = { allowed: "#2e7d32", denied: "#e8eaed", crossTeam: "#d32f2f" };

function escapeXml(s: string): string {
    return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A heat map: green own allows, red cross-team allows, grey denials; labelled when small enough. */
export function matrixSvg(m: Matrix): string {
    const cell = m.secrets.length > 120 || m.sessions.length > 120 ? 4 : 14;
    const labelled = cell >= 14;
    const left = labelled ? 8 + 7 * Math.max(...m.sessions.map((s) => label.session(s).length)) : 10;
    const top = labelled ? 8 + 7 * Math.max(...m.secrets.map((s) => label.secret(s).length)) : 10;
    const legend = 40;
    const width = Math.max(left + cell * m.secrets.length + 10, left + 560);
    const height = top + cell * m.sessions.length + legend;
    const out: string[] = [
        `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="monospace" font-size="11">`,
        `<rect width="100%" height="100%" fill="white"/>`,
    ];
    if (labelled) {
        m.sessions.forEach((s, i) => out.push(`<text x="${left - 4}" y="${top + i * cell + cell - 3}" text-anchor="end">${escapeXml(label.session(s))}</text>`));
        m.secrets.forEach((s, j) => {
            const x = left + j * cell + cell - 3;
            out.push(`<text x="${x}" y="${top - 4}" transform="rotate(-90 ${x} ${top - 4})">${escapeXml(label.secret(s))}</text>`);
        });
    }
    m.sessions.forEach((s, i) =>
        m.allowed[i].forEach((a, j) => {
            const own = s.namespace === m.secrets[j].namespace && s.cluster === m.secrets[j].cluster;
            const fill = a ? (own ? COLOURS.allowed : COLOURS.crossTeam) : COLOURS.denied;
            out.push(`<rect x="${left + j * cell}" y="${top + i * cell}" width="${cell - 1}" height="${cell - 1}" fill="${fill}"><title>${escapeXml(`${label.session(s)} -> ${label.secret(m.secrets[j])}: ${a ? "allowed" : "denied"}`)}</title></rect>`);
        }),
    );
    const y = top + cell * m.sessions.length + 20;
    out.push(
        `<rect x="${left}" y="${y - 10}" width="12" height="12" fill="${COLOURS.allowed}"/><text x="${left + 16}" y="${y}">allowed (own namespace and cluster)</text>`,
        `<rect x="${left + 280}" y="${y - 10}" width="12" height="12" fill="${COLOURS.crossTeam}"/><text x="${left + 296}" y="${y}">allowed across teams</text>`,
        `<rect x="${left + 460}" y="${y - 10}" width="12" height="12" fill="${COLOURS.denied}" stroke="#999"/><text x="${left + 476}" y="${y}">denied</text>`,
        "</svg>",
    );
    return out.join("\n");
}
