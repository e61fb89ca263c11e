/**
 * The access matrix of a spec, decided the cheap way when the documents
 * allow it (one representative per class, for any number of teams) and the
 * full way when asked or when the proof does not apply. Both directions of
 * failure count: another team's value readable, and an own object ESO cannot
 * read. Metadata readable across teams is a finding of its own, at its own
 * level.
 */
import { computeMatrix, decidedActions, kindsOf, Matrix, MatrixOptions, MatrixSpec, SessionRow } from "./accessMatrix";
import { IsolationProof, proveIsolation, rowsFromProof } from "./isolationProof";
import { decideProbes, ProbeResult } from "./matrixProbes";

/** How a finding weighs: an error fails the verdict, a warning is reported. */
export type FindingLevel = "error" | "warning";

export interface MatrixRunOptions extends Pick<MatrixOptions, "workers" | "onProgress" | "cellLimit"> {
    /** Evaluate every pair even when the proof applies. */
    fullMatrix?: boolean;
    /** Evaluate every pair as well when there are at most this many decisions, and check both agree. @default 0 */
    crossCheckLimit?: number;
    /** Level of "another team's metadata (DescribeSecret, ListTagsForResource) is readable". @default "warning" */
    metadataLevel?: FindingLevel;
}

export interface MatrixRun {
    spec: MatrixSpec;
    proof: IsolationProof;
    /** Present when every pair was evaluated. */
    matrix?: Matrix;
    /** The attacker probes, decided with the full matrix. */
    probes?: ProbeResult[];
    /** Every session row, counted by the matrix when it ran, else from the proof's classes. */
    rows: SessionRow[];
    /** Other teams' objects whose value a session can read. */
    crossTeamAllows: number;
    /** Of those, the pairs where only some value actions are allowed. */
    crossTeamPartial: number;
    /** Own objects ESO cannot read. */
    ownDenials: number;
    /** Other teams' objects whose metadata a session can read. */
    metadataExposures: number;
    metadataLevel: FindingLevel;
    /** Probes whose value is readable. */
    probeFailures: ProbeResult[];
    /** Allowed decisions per action over every pair: on own objects, on others'. */
    byAction: Record<string, { own: number; crossTeam: number }>;
    /** When both ran: rows where they disagree (then the proof's argument is wrong: report it). */
    disagreements: string[];
    ok: boolean;
    /** How the verdict was reached, in words. */
    method: string;
}

/** Decisions of the full matrix: every session, every object, every decided action. */
export const decisionsOf = (spec: MatrixSpec) =>
    spec.clusters.length ** 2 * spec.namespaces.length * (spec.secrets.length * decidedActions("secret").length + (spec.parameters?.length ?? 0) * decidedActions("parameter").length);

export async function runMatrix(spec: MatrixSpec, options: MatrixRunOptions = {}): Promise<MatrixRun> {
    const proof = proveIsolation(spec);
    const full = options.fullMatrix || !proof.structure.applicable || decisionsOf(spec) <= (options.crossCheckLimit ?? 0);
    const matrix = full ? await computeMatrix(spec, options) : undefined;
    const probes = full ? decideProbes(spec) : undefined;
    const proofRows = proof.structure.applicable ? rowsFromProof(spec, proof) : undefined;
    const rows = matrix?.rows ?? proofRows!;
    const disagreements: string[] = [];
    if (matrix && proofRows) {
        matrix.rows.forEach((r, i) => {
            const p = proofRows[i];
            if (JSON.stringify(r) !== JSON.stringify(p)) disagreements.push(`${r.cluster}/${r.namespace}: full matrix ${JSON.stringify(r)}, proof ${JSON.stringify(p)}`);
        });
    }
    const sum = (f: (r: SessionRow) => number) => rows.reduce((n, r) => n + f(r), 0);
    const byAction: MatrixRun["byAction"] = {};
    for (const kind of kindsOf(spec)) for (const a of decidedActions(kind)) byAction[a] = { own: sum((r) => r.byAction[a].own), crossTeam: sum((r) => r.byAction[a].crossTeam) };
    const crossTeamAllows = sum((r) => r.crossTeamAllowed);
    const ownDenials = sum((r) => r.ownDenied);
    const metadataExposures = sum((r) => r.crossTeamMetadata);
    const metadataLevel = options.metadataLevel ?? "warning";
    const probeFailures = probes?.filter((p) => p.read) ?? [];
    const method = matrix
        ? proof.structure.applicable
            ? `every pair evaluated (${matrix.decisions.toLocaleString("en-US")} IAM decisions, and ${probes!.length} attacker probes) and checked against the proof for any number of teams (${proof.classes.length} classes)`
            : `every pair evaluated (${matrix.decisions.toLocaleString("en-US")} IAM decisions, and ${probes!.length} attacker probes); no proof for any number of teams: ${proof.structure.refusals.length} structural reason(s)`
        : `proof for any number of teams: ${proof.classes.length} classes of (session, secret) pairs, one representative each decided by the IAM engine`;
    return {
        spec,
        proof,
        matrix,
        probes,
        rows,
        crossTeamAllows,
        crossTeamPartial: sum((r) => r.crossTeamPartial),
        ownDenials,
        metadataExposures,
        metadataLevel,
        probeFailures,
        byAction,
        disagreements,
        // A failing class fails the verdict even when this stack has no such pair: it is an attacker's move.
        ok:
            crossTeamAllows === 0 &&
            ownDenials === 0 &&
            probeFailures.length === 0 &&
            disagreements.length === 0 &&
            (!proof.structure.applicable || proof.proven) &&
            (metadataLevel === "warning" || (metadataExposures === 0 && proof.metadataExposures.length === 0)),
        method,
    };
}
