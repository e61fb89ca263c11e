/**
 * The access matrix of a spec, decided the cheap way when the documents
 * allow it (one representative per class, for any number of teams) and the
 * full way when asked or when the proof does not apply. Both directions of
 * failure count: a cross-team allow, and an own secret denied.
 */
import { computeMatrix, Matrix, MatrixOptions, MatrixSpec, SessionRow } from "./accessMatrix";
import { IsolationProof, proveIsolation, rowsFromProof } from "./isolationProof";

export interface MatrixRunOptions extends Pick<MatrixOptions, "workers" | "onProgress" | "cellLimit"> {
    /** Evaluate every pair even when the proof applies. */
    fullMatrix?: boolean;
    /** Evaluate every pair as well when there are at most this many decisions, and check both agree. @default 0 */
    crossCheckLimit?: number;
}

export interface MatrixRun {
    spec: MatrixSpec;
    proof: IsolationProof;
    /** Present when every pair was evaluated. */
    matrix?: Matrix;
    /** Every session row, counted by the matrix when it ran, else from the proof's classes. */
    rows: SessionRow[];
    crossTeamAllows: number;
    ownDenials: number;
    /** When both ran: rows where they disagree (then the proof's argument is wrong: report it). */
    disagreements: string[];
    ok: boolean;
    /** How the verdict was reached, in words. */
    method: string;
}

export const decisionsOf = (spec: MatrixSpec) => spec.clusters.length ** 2 * spec.namespaces.length * (spec.secrets.length + (spec.parameters?.length ?? 0)) * 2;

export async function runMatrix(spec: MatrixSpec, options: MatrixRunOptions = {}): Promise<MatrixRun> {
    const proof = proveIsolation(spec);
    const full = options.fullMatrix || !proof.structure.applicable || decisionsOf(spec) <= (options.crossCheckLimit ?? 0);
    const matrix = full ? await computeMatrix(spec, options) : undefined;
    const proofRows = proof.structure.applicable ? rowsFromProof(spec, proof) : undefined;
    const rows = matrix?.rows ?? proofRows!;
    const disagreements: string[] = [];
    if (matrix && proofRows) {
        matrix.rows.forEach((r, i) => {
            const p = proofRows[i];
            if (JSON.stringify(r) !== JSON.stringify(p)) disagreements.push(`${r.cluster}/${r.namespace}: full matrix ${JSON.stringify(r)}, proof ${JSON.stringify(p)}`);
        });
    }
    const crossTeamAllows = rows.reduce((n, r) => n + r.crossTeamAllowed, 0);
    const ownDenials = rows.reduce((n, r) => n + r.ownDenied, 0);
    const method = matrix
        ? proof.structure.applicable
            ? `every pair evaluated (${matrix.decisions.toLocaleString("en-US")} IAM decisions) and checked against the proof for any number of teams (${proof.classes.length} classes)`
            : `every pair evaluated (${matrix.decisions.toLocaleString("en-US")} IAM decisions); no proof for any number of teams: ${proof.structure.refusals.length} structural reason(s)`
        : `proof for any number of teams: ${proof.classes.length} classes of (session, secret) pairs, one representative each decided by the IAM engine`;
    return {
        spec,
        proof,
        matrix,
        rows,
        crossTeamAllows,
        ownDenials,
        disagreements,
        // A failing class fails the verdict even when this stack has no such pair: it is an attacker's move.
        ok: crossTeamAllows === 0 && ownDenials === 0 && disagreements.length === 0 && (!proof.structure.applicable || proof.proven),
        method,
    };
}
