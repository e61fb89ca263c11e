/**
 * The access matrix of a three-account stack (clusters in one account,
 * secrets and parameters in a second, their KMS key in a third), decided by
 * the IAM evaluator on the documents the components rendered offline.
 *
 * A read succeeds only when every request on its path is allowed: the
 * controller session assumes the shared role with session tags (the shared
 * role's trust, a resource policy in another account), the shared role's
 * session reads the secret or parameter (its tags), and Secrets Manager or
 * Parameter Store decrypts with the key on the caller's behalf (the key
 * policy in the key account plus the shared role's identity policy), with
 * the encryption context each service sends.
 */
import { CLUSTER_TAG_KEY, DEFAULT_ESO_NAMESPACE, DEFAULT_ESO_SERVICE_ACCOUNT, ESO_NAMESPACE_SESSION_TAG, NAMESPACE_TAG_KEY } from "../../../../components/lib/constants";
import type { PolicyDocument } from "../../../../components/lib/iam";
import { PARAMETER_STORE_CONTEXT_KEY, SECRETS_MANAGER_CONTEXT_KEY } from "../../../../components/lib/kms";
import { decide, Decision, IamRequest } from "./iamEvaluator";
import type { RecordedResource } from "../inputs/offlineCloud";

export interface Controller {
    cluster: string;
    clusterArn: string;
    roleArn: string;
    permissions: PolicyDocument;
}

export interface StoredValue {
    kind: "secret" | "parameter";
    arn: string;
    name: string;
    namespace: string;
    cluster: string;
}

export interface CrossAccountSpec {
    partition: string;
    region: string;
    clusterAccountIds: string[];
    secretsAccountId: string;
    keyAccountId: string;
    sharedRoleArn: string;
    sharedTrust: PolicyDocument;
    sharedPermissions: PolicyDocument;
    keyArn: string;
    keyPolicy: PolicyDocument;
    controllers: Controller[];
    values: StoredValue[];
    namespaces: string[];
}

const accountOf = (arn: string) => arn.split(":")[4];

/** The spec from an offline run of a stack with one shared role, one key and controller roles. */
export function crossAccountSpecFromRun(resources: RecordedResource[]): CrossAccountSpec {
    const custom = resources.filter((r) => r.custom);
    const ofType = (t: string) => custom.filter((r) => r.type === t);
    const roles = ofType("aws:iam/role:Role");
    const policies = ofType("aws:iam/rolePolicy:RolePolicy");
    const policyOf = (role: RecordedResource): PolicyDocument => JSON.parse(policies.find((p) => p.inputs.role === role.state.name)!.inputs.policy);
    const isController = (r: RecordedResource) => JSON.parse(r.inputs.assumeRolePolicy).Statement.some((s: any) => s.Principal?.Service === "pods.eks.amazonaws.com");
    const shared = roles.filter((r) => !isController(r));
    if (shared.length !== 1) throw new Error(`expected one shared role, found ${shared.length}`);
    const keys = ofType("aws:kms/key:Key");
    if (keys.length !== 1) throw new Error(`expected one KMS key, found ${keys.length}`);
    const associations = ofType("aws:eks/podIdentityAssociation:PodIdentityAssociation");
    const [, partition, , region] = keys[0].state.arn.split(":");
    const controllers = roles.filter(isController).map((role) => {
        const cluster = associations.find((a) => a.inputs.roleArn === role.state.arn)!.inputs.clusterName as string;
        // What Pod Identity tags the session with: the real cluster's ARN, in the controller role's account.
        const clusterArn = `arn:${partition}:eks:${region}:${accountOf(role.state.arn)}:cluster/${cluster}`;
        return { cluster, clusterArn, roleArn: role.state.arn as string, permissions: policyOf(role) };
    });
    const tagged = (r: RecordedResource, kind: StoredValue["kind"]): StoredValue => ({
        kind,
        arn: r.state.arn,
        name: r.inputs.name,
        namespace: r.inputs.tags[NAMESPACE_TAG_KEY],
        cluster: r.inputs.tags[CLUSTER_TAG_KEY],
    });
    const values = [
        ...ofType("aws:secretsmanager/secret:Secret").map((r) => tagged(r, "secret")),
        ...ofType("aws:ssm/parameter:Parameter").map((r) => tagged(r, "parameter")),
    ];
    return {
        partition,
        region,
        clusterAccountIds: [...new Set(controllers.map((c) => accountOf(c.roleArn)))],
        secretsAccountId: accountOf(shared[0].state.arn),
        keyAccountId: accountOf(keys[0].state.arn),
        sharedRoleArn: shared[0].state.arn,
        sharedTrust: JSON.parse(shared[0].inputs.assumeRolePolicy),
        sharedPermissions: policyOf(shared[0]),
        keyArn: keys[0].state.arn,
        keyPolicy: JSON.parse(keys[0].inputs.policy),
        controllers,
        values,
        namespaces: [...new Set(values.map((v) => v.namespace))].sort(),
    };
}

export interface CrossAccountSession {
    cluster: string;
    clusterArn: string;
    /** The controller role the session comes from. */
    controllerRoleArn: string;
    controllerPermissions: PolicyDocument;
    /** The ExternalSecret's namespace, sent as `esoNamespace`. */
    namespace: string;
}

/** Tags of the controller's Pod Identity session, transitive across the role chain. */
function podIdentityTags(session: Pick<CrossAccountSession, "cluster" | "clusterArn">): Record<string, string> {
    return {
        "aws:PrincipalTag/eks-cluster-arn": session.clusterArn,
        [`aws:PrincipalTag/${CLUSTER_TAG_KEY}`]: session.cluster,
        [`aws:PrincipalTag/${NAMESPACE_TAG_KEY}`]: DEFAULT_ESO_NAMESPACE,
        "aws:PrincipalTag/kubernetes-service-account": DEFAULT_ESO_SERVICE_ACCOUNT,
    };
}

/** The controller session's AssumeRole (or TagSession) on the shared role, across accounts. */
export function assumeRequest(spec: CrossAccountSpec, session: CrossAccountSession, action = "sts:AssumeRole"): IamRequest {
    const account = accountOf(session.controllerRoleArn);
    return {
        principal: `arn:${spec.partition}:sts::${account}:assumed-role/${session.controllerRoleArn.split("/").pop()}/eks-external-secrets`,
        action,
        resource: spec.sharedRoleArn,
        resourceAccount: spec.secretsAccountId,
        context: {
            ...podIdentityTags(session),
            "aws:PrincipalArn": session.controllerRoleArn,
            "aws:PrincipalAccount": account,
            [`aws:RequestTag/${ESO_NAMESPACE_SESSION_TAG}`]: session.namespace,
        },
        identityPolicies: [session.controllerPermissions],
        resourcePolicy: spec.sharedTrust,
    };
}

/** Principal tags and ARN of the shared role's session for one namespace of one cluster. */
export function sharedSessionContext(spec: CrossAccountSpec, session: Pick<CrossAccountSession, "cluster" | "clusterArn" | "namespace">): Record<string, string> {
    return {
        ...podIdentityTags(session),
        [`aws:PrincipalTag/${ESO_NAMESPACE_SESSION_TAG}`]: session.namespace,
        "aws:PrincipalTag/esoStoreName": "team-secrets",
        "aws:PrincipalTag/esoStoreKind": "ClusterSecretStore",
        "aws:PrincipalArn": spec.sharedRoleArn,
        "aws:PrincipalAccount": spec.secretsAccountId,
    };
}

const sharedPrincipal = (spec: CrossAccountSpec) =>
    `arn:${spec.partition}:sts::${spec.secretsAccountId}:assumed-role/${spec.sharedRoleArn.split("/").pop()}/external-secrets-provider-aws`;

/** GetSecretValue or GetParameter by the shared role's session. */
export function crossAccountReadRequest(spec: CrossAccountSpec, session: Pick<CrossAccountSession, "cluster" | "clusterArn" | "namespace">, value: StoredValue, tags?: Record<string, string>): IamRequest {
    const tagPrefix = value.kind === "secret" ? "secretsmanager:ResourceTag" : "aws:ResourceTag";
    const resourceTags = tags ?? { [NAMESPACE_TAG_KEY]: value.namespace, [CLUSTER_TAG_KEY]: value.cluster };
    return {
        principal: sharedPrincipal(spec),
        action: value.kind === "secret" ? "secretsmanager:GetSecretValue" : "ssm:GetParameter",
        resource: value.arn,
        resourceAccount: accountOf(value.arn),
        context: { ...sharedSessionContext(spec, session), ...Object.fromEntries(Object.entries(resourceTags).map(([k, v]) => [`${tagPrefix}/${k}`, v])) },
        identityPolicies: [spec.sharedPermissions],
    };
}

/**
 * The kms:Decrypt the service makes on the shared role's behalf, with the
 * encryption context it sends: Secrets Manager `SecretARN` and
 * `SecretVersionId`, Parameter Store `PARAMETER_ARN`.
 */
export function decryptRequest(spec: CrossAccountSpec, session: Pick<CrossAccountSession, "cluster" | "clusterArn" | "namespace">, value: StoredValue): IamRequest {
    const encryptionContext: Record<string, string> =
        value.kind === "secret"
            ? { [`kms:EncryptionContext:${SECRETS_MANAGER_CONTEXT_KEY}`]: value.arn, "kms:EncryptionContext:SecretVersionId": "EXAMPLE1-90ab-cdef-fedc-ba987SECRET1" }
            : { [`kms:EncryptionContext:${PARAMETER_STORE_CONTEXT_KEY}`]: value.arn };
    return {
        principal: sharedPrincipal(spec),
        action: "kms:Decrypt",
        resource: spec.keyArn,
        resourceAccount: spec.keyAccountId,
        context: {
            ...sharedSessionContext(spec, session),
            "kms:ViaService": `${value.kind === "secret" ? "secretsmanager" : "ssm"}.${spec.region}.amazonaws.com`,
            "kms:CallerAccount": spec.secretsAccountId,
            ...encryptionContext,
        },
        identityPolicies: [spec.sharedPermissions],
        resourcePolicy: spec.keyPolicy,
    };
}

export interface CrossAccountMatrix {
    sessions: CrossAccountSession[];
    values: StoredValue[];
    /** allowed[session][value]: assume, read and decrypt all allowed. */
    allowed: boolean[][];
    /** Decisions by step, for the report. */
    steps: { assume: Decision[]; read: Decision[][]; decrypt: Decision[][] };
    unexpectedAllows: [CrossAccountSession, StoredValue][];
    missingAllows: [CrossAccountSession, StoredValue][];
    decisions: number;
}

export function crossAccountSessionsOf(spec: CrossAccountSpec): CrossAccountSession[] {
    return spec.controllers.flatMap((c) =>
        spec.namespaces.map((namespace) => ({
            cluster: c.cluster,
            clusterArn: c.clusterArn,
            controllerRoleArn: c.roleArn,
            controllerPermissions: c.permissions,
            namespace,
        })),
    );
}

export function computeCrossAccountMatrix(spec: CrossAccountSpec): CrossAccountMatrix {
    const sessions = crossAccountSessionsOf(spec);
    const assume = sessions.map((s) => {
        const a = decide(assumeRequest(spec, s));
        const t = decide(assumeRequest(spec, s, "sts:TagSession"));
        return a === "Allowed" && t === "Allowed" ? "Allowed" : a !== "Allowed" ? a : t;
    });
    const read = sessions.map((s) => spec.values.map((v) => decide(crossAccountReadRequest(spec, s, v))));
    const decrypt = sessions.map((s) => spec.values.map((v) => decide(decryptRequest(spec, s, v))));
    const allowed = sessions.map((_, i) => spec.values.map((_, j) => assume[i] === "Allowed" && read[i][j] === "Allowed" && decrypt[i][j] === "Allowed"));
    const unexpectedAllows: [CrossAccountSession, StoredValue][] = [];
    const missingAllows: [CrossAccountSession, StoredValue][] = [];
    sessions.forEach((s, i) =>
        spec.values.forEach((v, j) => {
            const own = s.namespace === v.namespace && s.cluster === v.cluster;
            if (allowed[i][j] && !own) unexpectedAllows.push([s, v]);
            if (!allowed[i][j] && own) missingAllows.push([s, v]);
        }),
    );
    return {
        sessions,
        values: spec.values,
        allowed,
        steps: { assume, read, decrypt },
        unexpectedAllows,
        missingAllows,
        decisions: sessions.length * 2 + sessions.length * spec.values.length * 2,
    };
}

/** The matrix as a Markdown table: rows are sessions, columns secrets and parameters. */
export function crossAccountMatrixMarkdown(matrix: CrossAccountMatrix): string {
    const header = `| session (cluster / namespace) | ${matrix.values.map((v) => `${v.kind} ${v.name}`).join(" | ")} |`;
    const rule = `| --- | ${matrix.values.map(() => "---").join(" | ")} |`;
    const rows = matrix.sessions.map((s, i) => `| ${s.cluster} / ${s.namespace} | ${matrix.allowed[i].map((a) => (a ? "**read**" : "denied")).join(" | ")} |`);
    return [header, rule, ...rows].join("\n");
}
