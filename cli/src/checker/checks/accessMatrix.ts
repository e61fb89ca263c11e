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
} from "../../../../components/lib/constants";
import type { PolicyDocument } from "../../../../components/lib/iam";
import { PARAMETER_VALUE_READS, SECRET_METADATA_READS, SECRET_VALUE_READS } from "../../../../policypack/lib/constants";
import { decide, IamRequest } from "./iamEvaluator";

/** A secret (Secrets Manager) or a parameter (Parameter Store): the objects a session may read. */
export type ObjectKind = "secret" | "parameter";

/**
 * What a session may do to one object, decided action by action.
 *
 * `value`: every action that returns the object's value; any one of them
 * allowed is a read. For a secret that is `secretsmanager:GetSecretValue`
 * alone: `BatchGetSecretValue` is authorised per secret on GetSecretValue
 * (Secrets Manager API Reference, BatchGetSecretValue, "Required permissions:
 * secretsmanager:BatchGetSecretValue, and you must have
 * secretsmanager:GetSecretValue for each secret"). For a parameter:
 * GetParameter, GetParameters and GetParameterHistory (which returns past
 * values). `required`: the one ESO calls to read a value (ESO v2.9.0
 * providers/v1/aws/secretsmanager/secretsmanager.go `constructSecretValue`
 * calls GetSecretValue, DescribeSecret only with `metadataPolicy: Fetch`;
 * providers/v1/aws/parameterstore/parameterstore.go `getParameterValue`
 * calls GetParameter): a team's own object must allow it. `metadata`:
 * per-object actions that reveal a name, tags or key, never the value;
 * decided and reported apart, never counted as a read.
 */
export interface ObjectActions {
    value: readonly string[];
    required: string;
    metadata: readonly string[];
}

export const ACTIONS_OF: Record<ObjectKind, ObjectActions> = {
    secret: { value: SECRET_VALUE_READS, required: "secretsmanager:GetSecretValue", metadata: SECRET_METADATA_READS },
    parameter: { value: PARAMETER_VALUE_READS, required: "ssm:GetParameter", metadata: ["ssm:ListTagsForResource"] },
};

/** Every action decided for an object of a kind, in the order of a cell's bits: the value reads, then the metadata reads. */
export function decidedActions(kind: ObjectKind): string[] {
    return [...ACTIONS_OF[kind].value, ...ACTIONS_OF[kind].metadata];
}

/** A cell: bit i set when `decidedActions(kind)[i]` is allowed. */
export type Cell = number;

/**
 * The call a reader makes to get an object's value, by whose session it is:
 * ESO's (`ACTIONS_OF[kind].required`), or ASCP's for a pod. ASCP 3.1.1 reads
 * a secret with GetSecretValue (DescribeSecret only to check the version of
 * a secret already mounted, on rotation) and parameters in batches with
 * GetParameters, never GetParameter
 * (aws/secrets-store-csi-driver-provider-aws 3.1.1,
 * `provider/secrets_manager_provider.go` `fetchSecret` and `isCurrent`,
 * `provider/parameter_store_provider.go` `fetchParameterStoreBatch`).
 */
export function requiredAction(kind: ObjectKind, sessionKind: SessionKind = "eso"): string {
    return sessionKind === "pod" && kind === "parameter" ? "ssm:GetParameters" : ACTIONS_OF[kind].required;
}

/** What a cell means: a read of the value (any value action), every value action, the reader's own call, metadata. */
export function cellMeaning(kind: ObjectKind, cell: Cell, sessionKind: SessionKind = "eso"): { read: boolean; full: boolean; required: boolean; metadata: boolean } {
    const { value, metadata } = ACTIONS_OF[kind];
    const required = requiredAction(kind, sessionKind);
    const valueMask = (1 << value.length) - 1;
    const metadataMask = ((1 << metadata.length) - 1) << value.length;
    return {
        read: (cell & valueMask) !== 0,
        full: (cell & valueMask) === valueMask,
        required: (cell & (1 << value.indexOf(required))) !== 0,
        metadata: (cell & metadataMask) !== 0,
    };
}

/**
 * The request keys of a resource tag. A Secrets Manager request carries it
 * as `secretsmanager:ResourceTag/<key>` and as the global
 * `aws:ResourceTag/<key>`; a Parameter Store request as `aws:ResourceTag/<key>`
 * and `ssm:resourceTag/<key>` (Service Authorization Reference, "Actions,
 * resources, and condition keys" for each service; iam-simulate's
 * `allowedContextKeysForRequest` lists both for GetSecretValue and
 * GetParameter). Both are set, so a condition on either is decided as AWS
 * decides it. The first is the one the shared role's policy uses.
 */
export function resourceTagKeys(kind: ObjectKind, tagKey: string): string[] {
    return kind === "secret" ? [`secretsmanager:ResourceTag/${tagKey}`, `aws:ResourceTag/${tagKey}`] : [`aws:ResourceTag/${tagKey}`, `ssm:resourceTag/${tagKey}`];
}

/** The key the shared role's policy tests for a resource tag. */
export function resourceTagKey(kind: ObjectKind, tagKey: string): string {
    return resourceTagKeys(kind, tagKey)[0];
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
    /** The session tag that carries the reading namespace. @default "esoNamespace" (ESO's `sessionTagsPolicy: Simple`); always "kubernetes-namespace" for `sessionKind: "pod"` */
    sessionNamespaceTagKey?: string;
    /**
     * Whose sessions the role has. `"eso"`: the shared ABAC role chained by
     * ESO's controller, one session per ExternalSecret namespace
     * (`abacSessionContext`). `"pod"`: a role a pod takes itself through its
     * own Pod Identity association, as the CSI role is taken by ASCP, one
     * session per pod (`podSessionContext`).
     * @default "eso"
     */
    sessionKind?: SessionKind;
    /**
     * Also decide every other team's object shared with every principal by
     * its resource policy (`grantToEveryone`), in the proof and the attacker
     * probes. `false` judges the identity policy alone, for tests of its
     * conditions; a verdict never sets it.
     * @default true
     */
    resourcePolicyGrants?: boolean;
    /** `sessionKind: "pod"`: each namespace's associated service accounts, one session each. @default [DEFAULT_POD_SERVICE_ACCOUNT] */
    serviceAccounts?: Record<string, string[]>;
}

export type SessionKind = "eso" | "pod";

/** The service account of a pod session when the spec names none. */
export const DEFAULT_POD_SERVICE_ACCOUNT = "secrets-reader";

export interface Session {
    cluster: string;
    namespace: string;
    /** `sessionKind: "pod"`: the pod's service account. */
    serviceAccount?: string;
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
    /** `sessionKind: "pod"`: the pod's service account. @default DEFAULT_POD_SERVICE_ACCOUNT */
    serviceAccount?: string;
}

type SessionSpec = Pick<MatrixSpec, "accountId" | "partition" | "region" | "abacRoleName" | "sessionNamespaceTagKey" | "sessionKind">;

/**
 * The session tag carrying the namespace, for a spec. A pod session's is
 * Pod Identity's `kubernetes-namespace`: another key would name a tag Pod
 * Identity never sets, so it is refused.
 */
export function sessionNamespaceTagKeyOf(spec: Pick<MatrixSpec, "sessionNamespaceTagKey" | "sessionKind">): string {
    if (spec.sessionKind === "pod") {
        if (spec.sessionNamespaceTagKey !== undefined && spec.sessionNamespaceTagKey !== NAMESPACE_TAG_KEY) {
            throw new Error(`MatrixSpec: sessionKind "pod" carries the namespace in ${NAMESPACE_TAG_KEY} (set by Pod Identity), not in sessionNamespaceTagKey "${spec.sessionNamespaceTagKey}"`);
        }
        return NAMESPACE_TAG_KEY;
    }
    // An ESO session's kubernetes-namespace is ESO's own: keyed on it, a spec would describe pods, not ESO.
    if (spec.sessionNamespaceTagKey === NAMESPACE_TAG_KEY) throw new Error(`MatrixSpec: an ESO session's ${NAMESPACE_TAG_KEY} is ESO's own namespace; describe per-pod sessions with sessionKind "pod"`);
    return spec.sessionNamespaceTagKey ?? ESO_NAMESPACE_SESSION_TAG;
}

/** A short stable hash, for a pod's generated name and uid: they differ from pod to pod, and the proof must see them vary. */
function fnv(text: string): string {
    let h = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
    return h.toString(16).padStart(8, "0");
}

/**
 * Principal tags of a pod's own session (a role taken through the pod's Pod
 * Identity association, as ASCP takes the CSI role): the six tags Pod
 * Identity sets, `eks-cluster-arn`, `eks-cluster-name`, `kubernetes-namespace`
 * (the pod's namespace), `kubernetes-service-account`, `kubernetes-pod-name`
 * and `kubernetes-pod-uid` (docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html,
 * "List of session tags added by EKS Pod Identity"), and no ESO tag. The pod's
 * name and uid are generated per pod, so they vary with the session.
 */
export function podSessionContext(spec: SessionSpec, tags: SessionTags): Record<string, string> {
    sessionNamespaceTagKeyOf({ ...spec, sessionKind: "pod" });
    const serviceAccount = tags.serviceAccount ?? DEFAULT_POD_SERVICE_ACCOUNT;
    const h = fnv(`${tags.cluster}/${tags.esoNamespace}/${serviceAccount}`);
    return {
        "aws:PrincipalTag/eks-cluster-arn": `arn:${spec.partition}:eks:${spec.region}:${spec.accountId}:cluster/${tags.cluster}`,
        [`aws:PrincipalTag/${CLUSTER_TAG_KEY}`]: tags.cluster,
        [`aws:PrincipalTag/${NAMESPACE_TAG_KEY}`]: tags.esoNamespace,
        "aws:PrincipalTag/kubernetes-service-account": serviceAccount,
        "aws:PrincipalTag/kubernetes-pod-name": `${serviceAccount}-${h.slice(0, 5)}`,
        "aws:PrincipalTag/kubernetes-pod-uid": `${h}-5c1e-4f5e-9a53-${h}${h.slice(0, 4)}`,
        "aws:PrincipalArn": `arn:${spec.partition}:iam::${spec.accountId}:role/${spec.abacRoleName}`,
        "aws:PrincipalAccount": spec.accountId,
    };
}

/** The principal tags of a spec's session: ESO's chained session or a pod's own. */
export function sessionContext(spec: SessionSpec, tags: SessionTags): Record<string, string> {
    return spec.sessionKind === "pod" ? podSessionContext(spec, tags) : abacSessionContext(spec, tags);
}

/**
 * Principal tags of the shared role's session: ESO's own tags plus the six
 * transitive ones Pod Identity set on the controller's session
 * (docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html). Its
 * `kubernetes-namespace` is ESO's namespace, not the team's.
 */
export function abacSessionContext(spec: SessionSpec, tags: SessionTags): Record<string, string> {
    return {
        "aws:PrincipalTag/eks-cluster-arn": `arn:${spec.partition}:eks:${spec.region}:${spec.accountId}:cluster/${tags.cluster}`,
        "aws:PrincipalTag/kubernetes-pod-name": "external-secrets-7d9f8c6b5-x2x4z",
        "aws:PrincipalTag/kubernetes-pod-uid": "0b5c7a7e-5c1e-4f5e-9a53-8c1f0d9e2b11",
        [`aws:PrincipalTag/${sessionNamespaceTagKeyOf(spec)}`]: tags.esoNamespace,
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

/**
 * The attacker's resource policy: the object shared with every principal
 * (`Principal: "*"`, the widest form of the common "share with the
 * organisation" policy, which adds only an `aws:PrincipalOrgID` condition
 * every session of the account meets). In the same account it grants the
 * read by itself, whatever the identity policy's tag conditions say; only an
 * explicit Deny keeps the object to its team (IAM User Guide, "Policy
 * evaluation logic", same-account requests).
 */
export function grantToEveryone(resource: string, kind: ObjectKind): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [{ Sid: "SharedWithEveryPrincipal", Effect: "Allow", Principal: "*", Action: decidedActions(kind), Resource: resource }],
    };
}

/** The request of one session reading one secret or parameter; `tags` undefined is an untagged one. With `grant`, the object's resource policy is `grantToEveryone`. */
export function readRequest(
    spec: Omit<MatrixSpec, "clusters" | "namespaces" | "secrets" | "parameters">,
    session: SessionTags,
    secret: { name: string; tags?: Record<string, string>; kind?: ObjectKind },
    action: string,
    grant = false,
): IamRequest {
    const kind = secret.kind ?? "secret";
    const resourceTags = Object.fromEntries(Object.entries(secret.tags ?? {}).flatMap(([k, v]) => resourceTagKeys(kind, k).map((key) => [key, v])));
    const context = sessionContext(spec, session);
    const sessionName = spec.sessionKind === "pod" ? `eks-${session.cluster}-${context["aws:PrincipalTag/kubernetes-pod-name"]}`.slice(0, 64) : "external-secrets";
    const resource = kind === "secret" ? secretArn(spec, secret.name) : parameterArn(spec, secret.name);
    return {
        principal: `arn:${spec.partition}:sts::${spec.accountId}:assumed-role/${spec.abacRoleName}/${sessionName}`,
        action,
        resource,
        resourceAccount: spec.accountId,
        context: { ...context, ...resourceTags },
        identityPolicies: [spec.permissionPolicy],
        ...(grant ? { resourcePolicy: grantToEveryone(resource, kind) } : {}),
    };
}

/** One cell: every decided action of one session on one object, as bits. Absent session tags (`undefined`) are left out of the request; `grant` adds the attacker's resource policy (`grantToEveryone`). */
export function decideCell(
    spec: Omit<MatrixSpec, "clusters" | "namespaces" | "secrets" | "parameters">,
    session: { cluster?: string; namespace?: string; serviceAccount?: string },
    object: { name: string; tags?: Record<string, string>; kind?: ObjectKind },
    grant = false,
): Cell {
    const kind = object.kind ?? "secret";
    let cell = 0;
    decidedActions(kind).forEach((action, i) => {
        const request = readRequest(spec, { cluster: session.cluster ?? "", esoNamespace: session.namespace ?? "", serviceAccount: session.serviceAccount }, { ...object, kind }, action, grant);
        if (session.namespace === undefined) delete request.context[`aws:PrincipalTag/${sessionNamespaceTagKeyOf(spec)}`];
        if (session.cluster === undefined) delete request.context[`aws:PrincipalTag/${CLUSTER_TAG_KEY}`];
        if (decide(request) === "Allowed") cell |= 1 << i;
    });
    return cell;
}

/** One session per namespace and cluster; for pod sessions, one per associated service account. */
export function sessionsOf(spec: MatrixSpec): Session[] {
    if (spec.sessionKind !== "pod") return spec.clusters.flatMap((cluster) => spec.namespaces.map((namespace) => ({ cluster, namespace })));
    return spec.clusters.flatMap((cluster) =>
        spec.namespaces.flatMap((namespace) => (spec.serviceAccounts?.[namespace] ?? [DEFAULT_POD_SERVICE_ACCOUNT]).map((serviceAccount) => ({ cluster, namespace, serviceAccount }))),
    );
}

/** Every object of every cluster: the secrets, then the parameters. */
export function secretsOf(spec: MatrixSpec): SecretRef[] {
    return spec.clusters.flatMap((cluster) => [
        ...spec.secrets.map((s) => ({ cluster, ...s })),
        ...(spec.parameters ?? []).map((p) => ({ cluster, ...p, kind: "parameter" as const })),
    ]);
}

/** Decisions of one session row: one cell per object. */
export function decideRow(spec: MatrixSpec, session: Session, secrets: SecretRef[]): { cells: Uint8Array } {
    const cells = new Uint8Array(secrets.length);
    secrets.forEach((secret, j) => {
        cells[j] = decideCell(spec, session, { name: secret.name, kind: secret.kind, tags: { [NAMESPACE_TAG_KEY]: secret.namespace, [CLUSTER_TAG_KEY]: secret.cluster } });
    });
    return { cells };
}

/** Decisions per object, one count per action. */
export type ActionCounts = Record<string, { own: number; crossTeam: number }>;

/** One session's row, counted: what the heat map shows per cell, the summary per team. */
export interface SessionRow {
    cluster: string;
    namespace: string;
    /** Pod sessions: the pod's service account. */
    serviceAccount?: string;
    /** Objects of this namespace on this cluster. */
    own: number;
    /** Own objects whose value ESO can read (GetSecretValue, GetParameter allowed). */
    ownAllowed: number;
    /** Own objects ESO cannot read: the design is broken, not open. */
    ownDenied: number;
    /** Other teams' or clusters' objects whose value this session can read (any value action): isolation is broken. */
    crossTeamAllowed: number;
    /** Of those, the ones where only some value actions are allowed. */
    crossTeamPartial: number;
    /** Other objects, no value action allowed, as they should be. */
    othersDenied: number;
    /** Other objects whose metadata (DescribeSecret, ListTagsForResource) is readable: a finding of its own, never a read. */
    crossTeamMetadata: number;
    /** Allowed decisions per action, on own objects and on others'. */
    byAction: ActionCounts;
}

export function emptyRow(session: Session, kinds: ObjectKind[] = ["secret", "parameter"]): SessionRow {
    const byAction: ActionCounts = {};
    for (const kind of kinds) for (const action of decidedActions(kind)) byAction[action] = { own: 0, crossTeam: 0 };
    return { ...session, own: 0, ownAllowed: 0, ownDenied: 0, crossTeamAllowed: 0, crossTeamPartial: 0, othersDenied: 0, crossTeamMetadata: 0, byAction };
}

/** Adds `count` objects of one kind, all decided `cell`, to a row: the one place a cell's meaning is counted. */
export function tally(row: SessionRow, own: boolean, kind: ObjectKind, cell: Cell, count = 1, sessionKind: SessionKind = "eso"): void {
    if (count === 0) return;
    const m = cellMeaning(kind, cell, sessionKind);
    if (own) {
        row.own += count;
        if (m.required) row.ownAllowed += count;
        else row.ownDenied += count;
    } else {
        if (m.read) row.crossTeamAllowed += count;
        else row.othersDenied += count;
        if (m.read && !m.full) row.crossTeamPartial += count;
        if (m.metadata) row.crossTeamMetadata += count;
    }
    decidedActions(kind).forEach((action, i) => {
        if (cell & (1 << i)) row.byAction[action][own ? "own" : "crossTeam"] += count;
    });
}

/** The kinds of object a spec holds. */
export const kindsOf = (spec: MatrixSpec): ObjectKind[] => ((spec.parameters?.length ?? 0) > 0 ? ["secret", "parameter"] : ["secret"]);

export interface Matrix {
    sessions: Session[];
    secrets: SecretRef[];
    /** allowed[session][secret]: the value is readable. Kept only up to `cellLimit` cells: the heat map's input. */
    allowed?: boolean[][];
    /** metadata[session][secret]: metadata readable, kept with `allowed`. */
    metadata?: boolean[][];
    /** Every session row, counted. */
    rows: SessionRow[];
    decisions: number;
    /** Pairs whose value is readable that are not the session's own namespace and cluster (the first `failureLimit`). */
    unexpectedAllows: [Session, SecretRef][];
    /** Own pairs ESO cannot read (the first `failureLimit`). */
    missingAllows: [Session, SecretRef][];
    /** Other teams' pairs whose metadata is readable (the first `failureLimit`). */
    metadataExposures: [Session, SecretRef][];
    /** Totals, beyond the lists' limit. */
    crossTeamAllowCount: number;
    ownDenialCount: number;
    metadataExposureCount: number;
    /** Cross-team pairs where only some value actions are allowed (GetParameter but not GetParameters, ...). */
    partial: number;
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

/** Decisions a row takes: every decided action of every object. */
const decisionsPerRow = (secrets: SecretRef[]) => secrets.reduce((n, s) => n + decidedActions(s.kind ?? "secret").length, 0);

/** Every pair decided by the IAM engine; rows are counted as they arrive, cells kept only when few. */
export async function computeMatrix(spec: MatrixSpec, options: MatrixOptions = {}): Promise<Matrix> {
    const started = process.hrtime.bigint();
    const sessions = sessionsOf(spec);
    const secrets = secretsOf(spec);
    const kinds = kindsOf(spec);
    const total = sessions.length * decisionsPerRow(secrets);
    const workers = options.workers ?? (total > 2000 ? os.availableParallelism() : 0);
    const keepCells = sessions.length * secrets.length <= (options.cellLimit ?? 1_000_000);
    const failureLimit = options.failureLimit ?? 1000;
    const allowed: boolean[][] | undefined = keepCells ? new Array(sessions.length) : undefined;
    const metadata: boolean[][] | undefined = keepCells ? new Array(sessions.length) : undefined;
    const rows: SessionRow[] = new Array(sessions.length);
    const unexpectedAllows: [Session, SecretRef][] = [];
    const missingAllows: [Session, SecretRef][] = [];
    const metadataExposures: [Session, SecretRef][] = [];
    let crossTeamAllowCount = 0;
    let ownDenialCount = 0;
    let metadataExposureCount = 0;
    let partial = 0;
    const onRow = (i: number, row: ArrayLike<number>) => {
        const session = sessions[i];
        const counted = emptyRow(session, kinds);
        for (let j = 0; j < secrets.length; j++) {
            const kind = secrets[j].kind ?? "secret";
            const own = isOwn(session, secrets[j]);
            tally(counted, own, kind, row[j], 1, spec.sessionKind);
            const m = cellMeaning(kind, row[j], spec.sessionKind);
            if (own && !m.required && missingAllows.length < failureLimit) missingAllows.push([session, secrets[j]]);
            if (!own && m.read && unexpectedAllows.length < failureLimit) unexpectedAllows.push([session, secrets[j]]);
            if (!own && m.metadata && metadataExposures.length < failureLimit) metadataExposures.push([session, secrets[j]]);
        }
        crossTeamAllowCount += counted.crossTeamAllowed;
        ownDenialCount += counted.ownDenied;
        metadataExposureCount += counted.crossTeamMetadata;
        partial += counted.crossTeamPartial;
        rows[i] = counted;
        if (allowed) allowed[i] = Array.from(row, (x, j) => cellMeaning(secrets[j].kind ?? "secret", x).read);
        if (metadata) metadata[i] = Array.from(row, (x, j) => cellMeaning(secrets[j].kind ?? "secret", x).metadata);
    };
    if (workers > 0) await decideInWorkers(spec, sessions, secrets, workers, onRow, options.onProgress);
    else decideHere(spec, sessions, secrets, onRow, options.onProgress);
    return {
        sessions,
        secrets,
        allowed,
        metadata,
        rows,
        decisions: total,
        unexpectedAllows,
        missingAllows,
        metadataExposures,
        crossTeamAllowCount,
        ownDenialCount,
        metadataExposureCount,
        partial,
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
        workers,
    };
}

type OnRow = (index: number, row: ArrayLike<number>) => void;

function decideHere(spec: MatrixSpec, sessions: Session[], secrets: SecretRef[], onRow: OnRow, onProgress?: MatrixOptions["onProgress"]) {
    const perRow = decisionsPerRow(secrets);
    sessions.forEach((session, i) => {
        onRow(i, decideRow(spec, session, secrets).cells);
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
    const perRow = decisionsPerRow(secrets);
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
                    worker.on("message", (m: { index: number; cells: Uint8Array }) => {
                        onRow(m.index, m.cells);
                        done += perRow;
                        onProgress?.(done, total);
                    });
                    worker.on("error", reject);
                    worker.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`matrix worker exited with ${code}`))));
                }),
        ),
    );
}
