/**
 * The access matrix: every (namespace session x secret) pair, across
 * clusters, decided by the IAM evaluator on the shared role's rendered
 * permission policy. Allowed must mean: same namespace, same cluster.
 */
import * as os from "os";
import * as path from "path";
import { Worker } from "worker_threads";
import {
    CLUSTER_TAG_KEY,
    DEFAULT_ESO_NAMESPACE,
    DEFAULT_ESO_SERVICE_ACCOUNT,
    DEFAULT_STORE_NAME,
    ESO_NAMESPACE_SESSION_TAG,
    NAMESPACE_TAG_KEY,
} from "../../components/lib/constants";
import type { PolicyDocument } from "../../components/lib/iam";
import { Decision, decide, IamRequest } from "./iamEvaluator";

export const READ_ACTIONS = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"] as const;
/** What ESO calls for a parameter (GetParameter; GetParameters is granted alike): components/lib/parameterStore.ts. */
export const PARAMETER_READ_ACTIONS = ["ssm:GetParameter", "ssm:GetParameters"] as const;

/** A secret (Secrets Manager) or a parameter (Parameter Store): the objects a session may read. */
export type ObjectKind = "secret" | "parameter";

/** The read actions decided per object of each kind. */
export const READ_ACTIONS_OF: Record<ObjectKind, readonly string[]> = { secret: READ_ACTIONS, parameter: PARAMETER_READ_ACTIONS };

/**
 * The request key of a resource tag: Secrets Manager authorises on
 * `secretsmanager:ResourceTag/<key>`, Parameter Store on the global
 * `aws:ResourceTag/<key>` (Service Authorization Reference, "Actions,
 * resources, and condition keys" for each service).
 */
export function resourceTagKey(kind: ObjectKind, tagKey: string): string {
    return kind === "secret" ? `secretsmanager:ResourceTag/${tagKey}` : `aws:ResourceTag/${tagKey}`;
}

export interface MatrixSpec {
    accountId: string;
    partition: string;
    region: string;
    abacRoleName: string;
    /** The shared role's permission policy, as rendered. */
    permissionPolicy: PolicyDocument;
    clusters: string[];
    /** Namespaces that read through the store: one session each per cluster. */
    namespaces: string[];
    /** Secrets by name and namespace tag; each cluster has its own copy, tagged with it. */
    secrets: { name: string; namespace: string }[];
    /** Parameters by full name (`/payments/db-url`) and namespace tag; each cluster has its own copy too. */
    parameters?: { name: string; namespace: string }[];
}

export interface Session {
    cluster: string;
    namespace: string;
}

export interface SecretRef {
    cluster: string;
    namespace: string;
    name: string;
    /** @default "secret" */
    kind?: ObjectKind;
}

export interface SessionTags {
    cluster: string;
    /** The ExternalSecret's namespace, as ESO sends it with `sessionTagsPolicy: Simple`. */
    esoNamespace: string;
    storeName?: string;
}

/**
 * Principal tags of the shared role's session: ESO's own tags plus the six
 * transitive ones Pod Identity set on the controller's session
 * (docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html). Its
 * `kubernetes-namespace` is ESO's namespace, not the team's.
 */
export function abacSessionContext(spec: Pick<MatrixSpec, "accountId" | "partition" | "region" | "abacRoleName">, tags: SessionTags): Record<string, string> {
    return {
        "aws:PrincipalTag/eks-cluster-arn": `arn:${spec.partition}:eks:${spec.region}:${spec.accountId}:cluster/${tags.cluster}`,
        "aws:PrincipalTag/kubernetes-pod-name": "external-secrets-7d9f8c6b5-x2x4z",
        "aws:PrincipalTag/kubernetes-pod-uid": "0b5c7a7e-5c1e-4f5e-9a53-8c1f0d9e2b11",
        [`aws:PrincipalTag/${ESO_NAMESPACE_SESSION_TAG}`]: tags.esoNamespace,
        "aws:PrincipalTag/esoStoreName": tags.storeName ?? DEFAULT_STORE_NAME,
        "aws:PrincipalTag/esoStoreKind": "ClusterSecretStore",
        [`aws:PrincipalTag/${CLUSTER_TAG_KEY}`]: tags.cluster,
        [`aws:PrincipalTag/${NAMESPACE_TAG_KEY}`]: DEFAULT_ESO_NAMESPACE,
        "aws:PrincipalTag/kubernetes-service-account": DEFAULT_ESO_SERVICE_ACCOUNT,
        "aws:PrincipalArn": `arn:${spec.partition}:iam::${spec.accountId}:role/${spec.abacRoleName}`,
        "aws:PrincipalAccount": spec.accountId,
    };
}

export function secretArn(spec: Pick<MatrixSpec, "accountId" | "partition" | "region">, name: string): string {
    return `arn:${spec.partition}:secretsmanager:${spec.region}:${spec.accountId}:secret:${name}-AbCdEf`;
}

/** A parameter's ARN: its full name without the leading `/` after `parameter`. */
export function parameterArn(spec: Pick<MatrixSpec, "accountId" | "partition" | "region">, name: string): string {
    return `arn:${spec.partition}:ssm:${spec.region}:${spec.accountId}:parameter/${name.replace(/^\//, "")}`;
}

/** The request of one session reading one secret or parameter; `tags` undefined is an untagged one. */
export function readRequest(
    spec: Omit<MatrixSpec, "clusters" | "namespaces" | "secrets" | "parameters">,
    session: SessionTags,
    secret: { name: string; tags?: Record<string, string>; kind?: ObjectKind },
    action: string,
): IamRequest {
    const kind = secret.kind ?? "secret";
    const resourceTags = Object.fromEntries(Object.entries(secret.tags ?? {}).map(([k, v]) => [resourceTagKey(kind, k), v]));
    return {
        principal: `arn:${spec.partition}:sts::${spec.accountId}:assumed-role/${spec.abacRoleName}/external-secrets`,
        action,
        resource: kind === "secret" ? secretArn(spec, secret.name) : parameterArn(spec, secret.name),
        resourceAccount: spec.accountId,
        context: { ...abacSessionContext(spec, session), ...resourceTags },
        identityPolicies: [spec.permissionPolicy],
    };
}

export function sessionsOf(spec: MatrixSpec): Session[] {
    return spec.clusters.flatMap((cluster) => spec.namespaces.map((namespace) => ({ cluster, namespace })));
}

/** Every object of every cluster: the secrets, then the parameters. */
export function secretsOf(spec: MatrixSpec): SecretRef[] {
    return spec.clusters.flatMap((cluster) => [
        ...spec.secrets.map((s) => ({ cluster, ...s })),
        ...(spec.parameters ?? []).map((p) => ({ cluster, ...p, kind: "parameter" as const })),
    ]);
}

/** Decisions of one session row: for each secret, 1 when every read action is allowed. */
export function decideRow(spec: MatrixSpec, session: Session, secrets: SecretRef[]): { allowed: Uint8Array; mixed: number } {
    let mixed = 0;
    const allowed = new Uint8Array(secrets.length);
    secrets.forEach((secret, j) => {
        const decisions = READ_ACTIONS_OF[secret.kind ?? "secret"].map((action) =>
            decide(
                readRequest(spec, { cluster: session.cluster, esoNamespace: session.namespace }, {
                    name: secret.name,
                    kind: secret.kind,
                    tags: { [NAMESPACE_TAG_KEY]: secret.namespace, [CLUSTER_TAG_KEY]: secret.cluster },
                }, action),
            ),
        );
        const all = decisions.every((d: Decision) => d === "Allowed");
        if (!all && decisions.some((d) => d === "Allowed")) mixed++;
        allowed[j] = all ? 1 : 0;
    });
    return { allowed, mixed };
}

/** One session's row, counted: what the heat map shows per cell, the summary per team. */
export interface SessionRow {
    cluster: string;
    namespace: string;
    /** Secrets of this namespace on this cluster. */
    own: number;
    ownAllowed: number;
    /** Own secrets denied: the design is broken, not open. */
    ownDenied: number;
    /** Other teams' or clusters' secrets allowed: isolation is broken. */
    crossTeamAllowed: number;
    /** Other secrets, denied as they should be. */
    othersDenied: number;
}

export interface Matrix {
    sessions: Session[];
    secrets: SecretRef[];
    /** allowed[session][secret], kept only up to `cellLimit` cells: the heat map's input. */
    allowed?: boolean[][];
    /** Every session row, counted. */
    rows: SessionRow[];
    decisions: number;
    /** Pairs allowed that are not the session's own namespace and cluster (the first `failureLimit`). */
    unexpectedAllows: [Session, SecretRef][];
    /** Own pairs that are denied (the first `failureLimit`). */
    missingAllows: [Session, SecretRef][];
    /** Totals, beyond the lists' limit. */
    crossTeamAllowCount: number;
    ownDenialCount: number;
    /** Pairs where the read actions of one object disagree (GetSecretValue and DescribeSecret; GetParameter and GetParameters). */
    mixed: number;
    seconds: number;
    workers: number;
}

export interface MatrixOptions {
    /** Worker threads; 0 decides in this thread. @default cores, for more than 2,000 decisions */
    workers?: number;
    onProgress?: (done: number, total: number) => void;
    /** Keep every cell up to this many (sessions x secrets). @default 1,000,000 */
    cellLimit?: number;
    /** Pairs listed per direction of failure. @default 1,000 */
    failureLimit?: number;
}

export function isOwn(session: Session, secret: { cluster: string; namespace: string }): boolean {
    return session.namespace === secret.namespace && session.cluster === secret.cluster;
}

/** Every pair decided by the IAM engine; rows are counted as they arrive, cells kept only when few. */
export async function computeMatrix(spec: MatrixSpec, options: MatrixOptions = {}): Promise<Matrix> {
    const started = process.hrtime.bigint();
    const sessions = sessionsOf(spec);
    const secrets = secretsOf(spec);
    const total = sessions.length * secrets.length * READ_ACTIONS.length; // both kinds decide two actions
    const workers = options.workers ?? (total > 2000 ? os.availableParallelism() : 0);
    const keepCells = sessions.length * secrets.length <= (options.cellLimit ?? 1_000_000);
    const failureLimit = options.failureLimit ?? 1000;
    const allowed: boolean[][] | undefined = keepCells ? new Array(sessions.length) : undefined;
    const rows: SessionRow[] = new Array(sessions.length);
    const unexpectedAllows: [Session, SecretRef][] = [];
    const missingAllows: [Session, SecretRef][] = [];
    let crossTeamAllowCount = 0;
    let ownDenialCount = 0;
    let mixed = 0;
    const onRow = (i: number, row: ArrayLike<number>, rowMixed: number) => {
        const session = sessions[i];
        const counted: SessionRow = { ...session, own: 0, ownAllowed: 0, ownDenied: 0, crossTeamAllowed: 0, othersDenied: 0 };
        for (let j = 0; j < secrets.length; j++) {
            const yes = row[j] === 1;
            if (isOwn(session, secrets[j])) {
                counted.own++;
                if (yes) counted.ownAllowed++;
                else {
                    counted.ownDenied++;
                    if (missingAllows.length < failureLimit) missingAllows.push([session, secrets[j]]);
                }
            } else if (yes) {
                counted.crossTeamAllowed++;
                if (unexpectedAllows.length < failureLimit) unexpectedAllows.push([session, secrets[j]]);
            } else counted.othersDenied++;
        }
        crossTeamAllowCount += counted.crossTeamAllowed;
        ownDenialCount += counted.ownDenied;
        mixed += rowMixed;
        rows[i] = counted;
        if (allowed) allowed[i] = Array.from(row, (x) => x === 1);
    };
    if (workers > 0) await decideInWorkers(spec, sessions, secrets, workers, onRow, options.onProgress);
    else decideHere(spec, sessions, secrets, onRow, options.onProgress);
    return {
        sessions,
        secrets,
        allowed,
        rows,
        decisions: total,
        unexpectedAllows,
        missingAllows,
        crossTeamAllowCount,
        ownDenialCount,
        mixed,
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
        workers,
    };
}

type OnRow = (index: number, row: ArrayLike<number>, mixed: number) => void;

function decideHere(spec: MatrixSpec, sessions: Session[], secrets: SecretRef[], onRow: OnRow, onProgress?: MatrixOptions["onProgress"]) {
    const perRow = secrets.length * READ_ACTIONS.length;
    sessions.forEach((session, i) => {
        const row = decideRow(spec, session, secrets);
        onRow(i, row.allowed, row.mixed);
        onProgress?.((i + 1) * perRow, sessions.length * perRow);
    });
}

/** The worker beside this file: compiled JavaScript in the installed command, TypeScript under ts-node. */
const WORKER = path.join(__dirname, __filename.endsWith(".js") ? "matrixWorker.js" : "matrixWorker.ts");

/** Splits the session rows over worker threads; each reports rows as it finishes them. */
async function decideInWorkers(
    spec: MatrixSpec,
    sessions: Session[],
    secrets: SecretRef[],
    count: number,
    onRow: OnRow,
    onProgress?: MatrixOptions["onProgress"],
): Promise<void> {
    const perRow = secrets.length * READ_ACTIONS.length;
    const total = sessions.length * perRow;
    let done = 0;
    const chunks = Array.from({ length: count }, (_, w) => sessions.map((_, i) => i).filter((i) => i % count === w)).filter((c) => c.length > 0);
    await Promise.all(
        chunks.map(
            (indices) =>
                new Promise<void>((resolve, reject) => {
                    const worker = new Worker(`${WORKER.endsWith(".ts") ? 'require("ts-node/register/transpile-only"); ' : ""}require(${JSON.stringify(WORKER)});`, {
                        eval: true,
                        workerData: { spec, sessions: indices.map((i) => sessions[i]), indices, secrets },
                    });
                    worker.on("message", (m: { index: number; allowed: Uint8Array; mixed: number }) => {
                        onRow(m.index, m.allowed, m.mixed);
                        done += perRow;
                        onProgress?.(done, total);
                    });
                    worker.on("error", reject);
                    worker.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`matrix worker exited with ${code}`))));
                }),
        ),
    );
}
