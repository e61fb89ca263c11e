/** One worker of the access matrix: decides its session rows and posts each as it is done. */
import { parentPort, workerData } from "worker_threads";
import { decideRow, MatrixSpec, SecretRef, Session } from "./accessMatrix";

const { spec, sessions, indices, secrets } = workerData as { spec: MatrixSpec; sessions: Session[]; indices: number[]; secrets: SecretRef[] };
sessions.forEach((session, k) => {
    const row = decideRow(spec, session, secrets);
    parentPort!.postMessage({ index: indices[k], cells: row.cells }, [row.cells.buffer as ArrayBuffer]);
});
