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
}

export interface Session {
    cluster: string;
    namespace: string;
}

export interface SecretRef {
    cluster: string;
    namespace: string;
    name: string;
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

/** The request of one session reading one secret; `tags` undefined is an untagged secret. */
export function readRequest(
    spec: Omit<MatrixSpec, "clusters" | "namespaces" | "secrets">,
    session: SessionTags,
    secret: { name: string; tags?: Record<string, string> },
    action: string,
): IamRequest {
    const resourceTags = Object.fromEntries(Object.entries(secret.tags ?? {}).map(([k, v]) => [`secretsmanager:ResourceTag/${k}`, v]));
    return {
        principal: `arn:${spec.partition}:sts::${spec.accountId}:assumed-role/${spec.abacRoleName}/external-secrets`,
        action,
        resource: secretArn(spec, secret.name),
        resourceAccount: spec.accountId,
        context: { ...abacSessionContext(spec, session), ...resourceTags },
        identityPolicies: [spec.permissionPolicy],
    };
}

export function sessionsOf(spec: MatrixSpec): Session[] {
    return spec.clusters.flatMap((cluster) => spec.namespaces.map((namespace) => ({ cluster, namespace })));
}

export function secretsOf(spec: MatrixSpec): SecretRef[] {
    return spec.clusters.flatMap((cluster) => spec.secrets.map((s) => ({ cluster, ...s })));
}

/** Decisions of one session row: for each secret, whether every read action is allowed. */
export function decideRow(spec: MatrixSpec, session: Session, secrets: SecretRef[]): { allowed: boolean[]; mixed: number } {
    let mixed = 0;
    const allowed = secrets.map((secret) => {
        const decisions = READ_ACTIONS.map((action) =>
            decide(
                readRequest(spec, { cluster: session.cluster, esoNamespace: session.namespace }, {
                    name: secret.name,
                    tags: { [NAMESPACE_TAG_KEY]: secret.namespace, [CLUSTER_TAG_KEY]: secret.cluster },
                }, action),
            ),
        );
        const all = decisions.every((d: Decision) => d === "Allowed");
        if (!all && decisions.some((d) => d === "Allowed")) mixed++;
        return all;
    });
    return { allowed, mixed };
}

export interface Matrix {
    sessions: Session[];
    secrets: SecretRef[];
    /** allowed[session][secret] */
    allowed: boolean[][];
    decisions: number;
    /** Pairs allowed that are not the session's own namespace and cluster. */
    unexpectedAllows: [Session, SecretRef][];
    /** Own pairs that are denied: the design is broken, not open. */
    missingAllows: [Session, SecretRef][];
    /** Pairs where GetSecretValue and DescribeSecret disagree. */
    mixed: number;
    seconds: number;
    workers: number;
}

export interface MatrixOptions {
    /** Worker threads; 0 decides in this thread. @default cores, for more than 2,000 decisions */
    workers?: number;
    onProgress?: (done: number, total: number) => void;
}

function isOwn(session: Session, secret: SecretRef): boolean {
    return session.namespace === secret.namespace && session.cluster === secret.cluster;
}

export async function computeMatrix(spec: MatrixSpec, options: MatrixOptions = {}): Promise<Matrix> {
    const started = process.hrtime.bigint();
    const sessions = sessionsOf(spec);
    const secrets = secretsOf(spec);
    const total = sessions.length * secrets.length * READ_ACTIONS.length;
    const workers = options.workers ?? (total > 2000 ? os.availableParallelism() : 0);
    const rows = workers > 0 ? await decideInWorkers(spec, sessions, secrets, workers, options.onProgress) : decideHere(spec, sessions, secrets, options.onProgress);

    const unexpectedAllows: [Session, SecretRef][] = [];
    const missingAllows: [Session, SecretRef][] = [];
    rows.forEach((row, i) =>
        row.allowed.forEach((allowed, j) => {
            const own = isOwn(sessions[i], secrets[j]);
            if (allowed && !own) unexpectedAllows.push([sessions[i], secrets[j]]);
            if (!allowed && own) missingAllows.push([sessions[i], secrets[j]]);
        }),
    );
    return {
        sessions,
        secrets,
        allowed: rows.map((r) => r.allowed),
        decisions: total,
        unexpectedAllows,
        missingAllows,
        mixed: rows.reduce((n, r) => n + r.mixed, 0),
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
        workers,
    };
}

function decideHere(spec: MatrixSpec, sessions: Session[], secrets: SecretRef[], onProgress?: MatrixOptions["onProgress"]) {
    return sessions.map((session, i) => {
        const row = decideRow(spec, session, secrets);
        onProgress?.((i + 1) * secrets.length * READ_ACTIONS.length, sessions.length * secrets.length * READ_ACTIONS.length);
        return row;
    });
}

const WORKER = path.join(__dirname, "matrixWorker.ts");

/** Splits the session rows over worker threads; each reports rows as it finishes them. */
async function decideInWorkers(
    spec: MatrixSpec,
    sessions: Session[],
    secrets: SecretRef[],
    count: number,
    onProgress?: MatrixOptions["onProgress"],
): Promise<{ allowed: boolean[]; mixed: number }[]> {
    const rows: { allowed: boolean[]; mixed: number }[] = new Array(sessions.length);
    const perRow = secrets.length * READ_ACTIONS.length;
    const total = sessions.length * perRow;
    let done = 0;
    const chunks = Array.from({ length: count }, (_, w) => sessions.map((_, i) => i).filter((i) => i % count === w)).filter((c) => c.length > 0);
    await Promise.all(
        chunks.map(
            (indices) =>
                new Promise<void>((resolve, reject) => {
                    const worker = new Worker(`require("ts-node/register/transpile-only"); require(${JSON.stringify(WORKER)});`, {
                        eval: true,
                        workerData: { spec, sessions: indices.map((i) => sessions[i]), indices, secrets },
                    });
                    worker.on("message", (m: { index: number; row: { allowed: boolean[]; mixed: number } }) => {
                        rows[m.index] = m.row;
                        done += perRow;
                        onProgress?.(done, total);
                    });
                    worker.on("error", reject);
                    worker.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`matrix worker exited with ${code}`))));
                }),
        ),
    );
    return rows;
}
