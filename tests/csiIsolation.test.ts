/**
 * Isolation of the CSI role's per-pod sessions (ASCP with Pod Identity).
 *
 * The truth of every move is IAM evaluation of requests built here by hand
 * from AWS's documentation, never by the checker's code: a pod's session
 * carries the six tags EKS Pod Identity sets (eks-cluster-arn,
 * eks-cluster-name, kubernetes-namespace = the pod's namespace,
 * kubernetes-service-account, kubernetes-pod-name, kubernetes-pod-uid;
 * docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html, "List of
 * session tags added by EKS Pod Identity") and nothing of ESO's; Pod
 * Identity's AssumeRole carries them as `aws:RequestTag/` keys with
 * `aws:SourceAccount` (pod-id-role.html). The checker (a `MatrixSpec` with
 * `sessionKind: "pod"`: the proof, the full matrix, the probes, the trust
 * check) must agree on each move, and what a pair should get is the
 * design's: same non-empty namespace, same cluster.
 */
import * as assert from "assert";
import { csiPermissionPolicy, csiTrustPolicy } from "../components/lib/csiIam";
import { abacPermissionPolicy, eksClusterArn, PolicyDocument } from "../components/lib/iam";
import { cellMeaning, decideCell, MatrixSpec, podSessionContext } from "../cli/src/checker";
import { decide, unrecognisedContextKeys } from "../cli/src/checker";
import { expectedAllowed, proveIsolation, rowsFromProof } from "../cli/src/checker";
import { runMatrix } from "../cli/src/checker";
import { checkPodTrust, trustAdmits } from "../cli/src/checker";
import { OFFLINE } from "./helpers";

const { accountId, partition, region } = OFFLINE;
const CSI_ROLE = "prod-eu-csi-role";
const ESO_ROLE = "prod-eu-shared-abac-role";
const DRIVER_NAMESPACE = "kube-system";
const clusterArn = (cluster: string) => eksClusterArn(OFFLINE, cluster);
const csiPermissions = csiPermissionPolicy({ ...OFFLINE, parameters: true });
const csiTrust = csiTrustPolicy({ ...OFFLINE, clusterArn: clusterArn("prod-eu"), refusedNamespaces: ["external-secrets", DRIVER_NAMESPACE] });
const esoPermissions = abacPermissionPolicy(OFFLINE);

interface Pod {
    namespace?: string;
    cluster?: string;
    serviceAccount?: string;
}

/** A pod's session as Pod Identity tags it (pod-id-abac.html); `undefined` leaves a tag out. */
function podContext(pod: Pod): Record<string, string> {
    const c: Record<string, string> = {
        "aws:PrincipalArn": `arn:${partition}:iam::${accountId}:role/${CSI_ROLE}`,
        "aws:PrincipalAccount": accountId,
        "aws:PrincipalTag/eks-cluster-arn": clusterArn(pod.cluster ?? "prod-eu"),
        "aws:PrincipalTag/kubernetes-service-account": pod.serviceAccount ?? "app",
        "aws:PrincipalTag/kubernetes-pod-name": "app-6f9c8d7b5-q2w3e",
        "aws:PrincipalTag/kubernetes-pod-uid": "5d1c7a2e-3b4f-4c8e-9a10-2f6e8b7c9d01",
    };
    if (pod.namespace !== undefined) c["aws:PrincipalTag/kubernetes-namespace"] = pod.namespace;
    if (pod.cluster !== undefined) c["aws:PrincipalTag/eks-cluster-name"] = pod.cluster;
    return c;
}

/** ESO's chained session of the shared role: esoNamespace is the team's, kubernetes-namespace ESO's own. */
function esoContext(esoNamespace: string, cluster = "prod-eu"): Record<string, string> {
    return {
        "aws:PrincipalArn": `arn:${partition}:iam::${accountId}:role/${ESO_ROLE}`,
        "aws:PrincipalAccount": accountId,
        "aws:PrincipalTag/eks-cluster-arn": clusterArn(cluster),
        "aws:PrincipalTag/eks-cluster-name": cluster,
        "aws:PrincipalTag/kubernetes-namespace": "external-secrets",
        "aws:PrincipalTag/kubernetes-service-account": "external-secrets",
        "aws:PrincipalTag/kubernetes-pod-name": "external-secrets-7d9f8c6b5-x2x4z",
        "aws:PrincipalTag/kubernetes-pod-uid": "0b5c7a7e-5c1e-4f5e-9a53-8c1f0d9e2b11",
        "aws:PrincipalTag/esoNamespace": esoNamespace,
        "aws:PrincipalTag/esoStoreName": "team-secrets",
        "aws:PrincipalTag/esoStoreKind": "ClusterSecretStore",
    };
}

type Tags = { namespace?: string; cluster?: string };
/** A secret's tags as GetSecretValue carries them (secretsmanager:ResourceTag/ and aws:ResourceTag/). */
function secretTags(t: Tags | undefined): Record<string, string> {
    const c: Record<string, string> = {};
    for (const prefix of ["secretsmanager:ResourceTag/", "aws:ResourceTag/"]) {
        if (t?.namespace !== undefined) c[`${prefix}kubernetes-namespace`] = t.namespace;
        if (t?.cluster !== undefined) c[`${prefix}eks-cluster-name`] = t.cluster;
    }
    return c;
}

/** GetSecretValue of the secret the SecretProviderClass names (ASCP reads it with the pod's credentials). */
const readSecret = (doc: PolicyDocument, role: string, context: Record<string, string>, name: string, tags: Tags | undefined) =>
    decide({
        principal: `arn:${partition}:sts::${accountId}:assumed-role/${role}/eks-prod-eu-app-6f9c8d7b5-q2w3e`,
        action: "secretsmanager:GetSecretValue",
        resource: `arn:${partition}:secretsmanager:${region}:${accountId}:secret:${name}-AbCdEf`,
        resourceAccount: accountId,
        context: { ...context, ...secretTags(tags) },
        identityPolicies: [doc],
    }) === "Allowed";

/**
 * GetParameters of a parameter the SecretProviderClass names (objectType
 * ssmparameter): ASCP 3.1.1 reads parameters in batches with GetParameters
 * only (provider/parameter_store_provider.go, fetchParameterStoreBatch).
 */
const readParameter = (pod: Pod, name: string, t: Tags, doc: PolicyDocument = csiPermissions) => {
    const tags: Record<string, string> = {};
    for (const prefix of ["aws:ResourceTag/", "ssm:resourceTag/"]) {
        if (t.namespace !== undefined) tags[`${prefix}kubernetes-namespace`] = t.namespace;
        if (t.cluster !== undefined) tags[`${prefix}eks-cluster-name`] = t.cluster;
    }
    return (
        decide({
            principal: `arn:${partition}:sts::${accountId}:assumed-role/${CSI_ROLE}/eks-prod-eu-app`,
            action: "ssm:GetParameters",
            resource: `arn:${partition}:ssm:${region}:${accountId}:parameter/${name.replace(/^\//, "")}`,
            resourceAccount: accountId,
            context: { ...podContext(pod), ...tags },
            identityPolicies: [doc],
        }) === "Allowed"
    );
};

const NAMESPACES = ["pay", "payments", "search"];
const CLUSTERS = ["prod-eu", "prod-us"];
function csiSpec(namespaces = NAMESPACES, doc: PolicyDocument = csiPermissions, extra: Partial<MatrixSpec> = {}): MatrixSpec {
    return {
        accountId,
        partition,
        region,
        abacRoleName: CSI_ROLE,
        permissionPolicy: doc,
        clusters: CLUSTERS,
        namespaces,
        secrets: namespaces.map((ns) => ({ name: `${ns}/db`, namespace: ns })),
        parameters: namespaces.map((ns) => ({ name: `/${ns}/db-url`, namespace: ns })),
        sessionKind: "pod",
        ...extra,
    };
}

/** The checker's cell for a pair: the same move through decideCell (the matrix's and the proof's decision). */
const checkerReads = (spec: MatrixSpec, pod: Pod, name: string, tags: Tags | undefined, kind: "secret" | "parameter" = "secret") => {
    const t: Record<string, string> = {};
    if (tags?.namespace !== undefined) t["kubernetes-namespace"] = tags.namespace;
    if (tags?.cluster !== undefined) t["eks-cluster-name"] = tags.cluster;
    return cellMeaning(kind, decideCell(spec, pod, { name, kind, tags: t })).read;
};

interface Move {
    words: string;
    pod: Pod;
    secret: { name: string; tags?: Tags };
    allowed: boolean;
}

const MOVES: Move[] = [
    { words: "a payments pod mounts its own secret", pod: { namespace: "payments", cluster: "prod-eu" }, secret: { name: "payments/db", tags: { namespace: "payments", cluster: "prod-eu" } }, allowed: true },
    { words: "a pay pod mounts its own secret", pod: { namespace: "pay", cluster: "prod-eu" }, secret: { name: "pay/db", tags: { namespace: "pay", cluster: "prod-eu" } }, allowed: true },
    { words: "a payments pod on prod-us mounts prod-us's payments secret", pod: { namespace: "payments", cluster: "prod-us" }, secret: { name: "payments/db", tags: { namespace: "payments", cluster: "prod-us" } }, allowed: true },
    { words: "a search pod whose SecretProviderClass names payments' secret", pod: { namespace: "search", cluster: "prod-eu" }, secret: { name: "payments/db", tags: { namespace: "payments", cluster: "prod-eu" } }, allowed: false },
    { words: "a payments pod on another cluster (prod-us) mounts prod-eu's payments secret", pod: { namespace: "payments", cluster: "prod-us" }, secret: { name: "payments/db", tags: { namespace: "payments", cluster: "prod-eu" } }, allowed: false },
    { words: "a pay pod mounts payments' secret (a prefix of its name)", pod: { namespace: "pay", cluster: "prod-eu" }, secret: { name: "payments/db", tags: { namespace: "payments", cluster: "prod-eu" } }, allowed: false },
    { words: "a payments pod mounts pay's secret (its name extends pay)", pod: { namespace: "payments", cluster: "prod-eu" }, secret: { name: "pay/db", tags: { namespace: "pay", cluster: "prod-eu" } }, allowed: false },
    { words: "a pod of ESO's namespace mounts payments' secret", pod: { namespace: "external-secrets", cluster: "prod-eu", serviceAccount: "external-secrets" }, secret: { name: "payments/db", tags: { namespace: "payments", cluster: "prod-eu" } }, allowed: false },
    { words: "a payments pod mounts a secret tagged with ESO's namespace", pod: { namespace: "payments", cluster: "prod-eu" }, secret: { name: "eso/x", tags: { namespace: "external-secrets", cluster: "prod-eu" } }, allowed: false },
    { words: "a pod with an empty kubernetes-namespace mounts a secret with an empty namespace tag", pod: { namespace: "", cluster: "prod-eu" }, secret: { name: "x", tags: { namespace: "", cluster: "prod-eu" } }, allowed: false },
    { words: "a pod without kubernetes-namespace mounts payments' secret", pod: { cluster: "prod-eu" }, secret: { name: "payments/db", tags: { namespace: "payments", cluster: "prod-eu" } }, allowed: false },
    { words: "a pod without kubernetes-namespace mounts a secret without tags", pod: { cluster: "prod-eu" }, secret: { name: "payments/db" }, allowed: false },
    { words: "a pod without eks-cluster-name mounts its own namespace's secret", pod: { namespace: "payments" }, secret: { name: "payments/db", tags: { namespace: "payments", cluster: "prod-eu" } }, allowed: false },
    { words: "a payments pod mounts a secret without tags", pod: { namespace: "payments", cluster: "prod-eu" }, secret: { name: "payments/db" }, allowed: false },
    { words: "a payments pod mounts a secret with an empty namespace tag", pod: { namespace: "payments", cluster: "prod-eu" }, secret: { name: "payments/db", tags: { namespace: "", cluster: "prod-eu" } }, allowed: false },
    { words: "a payments pod mounts a secret with only its namespace tag", pod: { namespace: "payments", cluster: "prod-eu" }, secret: { name: "payments/db", tags: { namespace: "payments" } }, allowed: false },
    { words: "a payments pod (service account app) mounts a secret of a namespace named like its service account", pod: { namespace: "payments", cluster: "prod-eu", serviceAccount: "app" }, secret: { name: "app/db", tags: { namespace: "app", cluster: "prod-eu" } }, allowed: false },
    { words: "a payments pod mounts a secret tagged PAYMENTS", pod: { namespace: "payments", cluster: "prod-eu" }, secret: { name: "payments/db", tags: { namespace: "PAYMENTS", cluster: "prod-eu" } }, allowed: false },
];

describe("CSI sessions: isolation of the CSI role's per-pod sessions", function () {
    this.timeout(120_000);

    it("a pod session carries exactly Pod Identity's six tags, the pod's namespace among them, and no ESO tag", async () => {
        const context = podSessionContext(csiSpec(), { cluster: "prod-eu", esoNamespace: "payments", serviceAccount: "app" });
        const tags = Object.keys(context).filter((k) => k.startsWith("aws:PrincipalTag/")).map((k) => k.slice("aws:PrincipalTag/".length)).sort();
        assert.deepStrictEqual(tags, ["eks-cluster-arn", "eks-cluster-name", "kubernetes-namespace", "kubernetes-pod-name", "kubernetes-pod-uid", "kubernetes-service-account"]);
        assert.strictEqual(context["aws:PrincipalTag/kubernetes-namespace"], "payments");
        assert.strictEqual(context["aws:PrincipalTag/kubernetes-service-account"], "app");
        assert.strictEqual(context["aws:PrincipalTag/eks-cluster-arn"], clusterArn("prod-eu"));
        const other = podSessionContext(csiSpec(), { cluster: "prod-eu", esoNamespace: "payments", serviceAccount: "worker" });
        assert.notStrictEqual(other["aws:PrincipalTag/kubernetes-pod-uid"], context["aws:PrincipalTag/kubernetes-pod-uid"], "another pod, another uid");
        assert.deepStrictEqual(await unrecognisedContextKeys("secretsmanager:GetSecretValue", `arn:${partition}:secretsmanager:${region}:${accountId}:secret:payments/db-AbCdEf`, Object.keys(context)), []);
        assert.throws(() => decideCell(csiSpec(NAMESPACES, csiPermissions, { sessionNamespaceTagKey: "esoNamespace" }), { cluster: "prod-eu", namespace: "payments" }, { name: "x" }), /kubernetes-namespace/);
        assert.throws(() => decideCell({ ...csiSpec(), sessionKind: "eso", sessionNamespaceTagKey: "kubernetes-namespace" }, { cluster: "prod-eu" }, { name: "x" }), /sessionKind "pod"/);
    });

    describe("each attacker move: IAM evaluation and the checker agree", () => {
        const spec = csiSpec();
        for (const move of MOVES) {
            it(`${move.allowed ? "allows" : "denies"}: ${move.words}`, () => {
                assert.strictEqual(readSecret(csiPermissions, CSI_ROLE, podContext(move.pod), move.secret.name, move.secret.tags), move.allowed, "IAM evaluation");
                assert.strictEqual(checkerReads(spec, move.pod, move.secret.name, move.secret.tags), move.allowed, "the checker's cell");
                const values = [move.pod.namespace, move.pod.cluster, move.secret.tags?.namespace, move.secret.tags?.cluster] as [string?, string?, string?, string?];
                const ownPair = expectedAllowed(values as never);
                assert.strictEqual(ownPair, move.allowed, "the design's promise");
            });
        }

        it("parameters too: own allowed; another team's, another cluster's and a prefix's denied", () => {
            const cases: [Pod, string, Tags, boolean][] = [
                [{ namespace: "payments", cluster: "prod-eu" }, "/payments/db-url", { namespace: "payments", cluster: "prod-eu" }, true],
                [{ namespace: "search", cluster: "prod-eu" }, "/payments/db-url", { namespace: "payments", cluster: "prod-eu" }, false],
                [{ namespace: "payments", cluster: "prod-us" }, "/payments/db-url", { namespace: "payments", cluster: "prod-eu" }, false],
                [{ namespace: "pay", cluster: "prod-eu" }, "/payments/db-url", { namespace: "payments", cluster: "prod-eu" }, false],
                [{ namespace: "", cluster: "prod-eu" }, "/x", { namespace: "", cluster: "prod-eu" }, false],
            ];
            for (const [pod, name, tags, allowed] of cases) {
                assert.strictEqual(readParameter(pod, name, tags), allowed, `IAM: ${JSON.stringify([pod, name])}`);
                assert.strictEqual(checkerReads(spec, pod, name, tags, "parameter"), allowed, `checker: ${JSON.stringify([pod, name])}`);
            }
        });

        it("an own parameter counts as mounted only when GetParameters, ASCP's call, is allowed (GetParameter is ESO's)", async () => {
            const getParameterOnly = JSON.parse(JSON.stringify(csiPermissions).replace('"ssm:GetParameters"', '"ssm:GetParameter"')) as PolicyDocument;
            assert.ok(!JSON.stringify(getParameterOnly).includes("ssm:GetParameters"));
            const own: [Pod, string, Tags] = [{ namespace: "payments", cluster: "prod-eu" }, "/payments/db-url", { namespace: "payments", cluster: "prod-eu" }];
            assert.strictEqual(readParameter(...own), true);
            assert.strictEqual(readParameter(...own, getParameterOnly), false, "IAM: ASCP's GetParameters refused");
            const pods = await runMatrix({ ...csiSpec(NAMESPACES, getParameterOnly), secrets: [] }, { fullMatrix: true, workers: 0 });
            assert.strictEqual(pods.ownDenials, 6, "every pod session's own parameter");
            assert.ok(!pods.ok);
            const eso = await runMatrix({ ...csiSpec(NAMESPACES, abacPermissionPolicy({ ...OFFLINE, parameters: true })), sessionKind: undefined, secrets: [], abacRoleName: ESO_ROLE }, { fullMatrix: true, workers: 0 });
            assert.strictEqual(eso.ownDenials, 0, "ESO's GetParameter is allowed by the ESO document");
        });

        it("a pod of ESO's namespace: the trust refuses it, so its permission to ESO-namespace-tagged secrets is never a session's", () => {
            const assume = (context: Record<string, string>, action = "sts:AssumeRole", trust: PolicyDocument = csiTrust) =>
                decide({ principal: "pods.eks.amazonaws.com", action, resource: `arn:${partition}:iam::${accountId}:role/${CSI_ROLE}`, resourceAccount: accountId, context, resourcePolicy: trust });
            const request = (namespace: string, cluster = "prod-eu", sourceAccount: string = accountId, arn = clusterArn(cluster)) => ({
                "aws:SourceAccount": sourceAccount,
                "aws:RequestTag/eks-cluster-arn": arn,
                "aws:RequestTag/eks-cluster-name": cluster,
                "aws:RequestTag/kubernetes-namespace": namespace,
                "aws:RequestTag/kubernetes-service-account": "app",
                "aws:RequestTag/kubernetes-pod-name": "app-6f9c8d7b5-q2w3e",
                "aws:RequestTag/kubernetes-pod-uid": "5d1c7a2e-3b4f-4c8e-9a10-2f6e8b7c9d01",
            });
            // IAM evaluation: team pods admitted, ESO's and the driver's namespaces, another cluster and another account refused.
            assert.strictEqual(assume(request("payments")), "Allowed");
            assert.strictEqual(assume(request("payments"), "sts:TagSession"), "Allowed");
            assert.strictEqual(assume(request("external-secrets")), "ImplicitlyDenied");
            assert.strictEqual(assume(request(DRIVER_NAMESPACE)), "ImplicitlyDenied");
            assert.strictEqual(assume(request("payments", "prod-us")), "ImplicitlyDenied");
            assert.strictEqual(assume(request("payments", "prod-eu", "999999999999", "arn:aws:eks:eu-west-1:999999999999:cluster/prod-eu")), "ImplicitlyDenied");
            // The checker's trust decisions agree.
            const spec = csiSpec();
            assert.strictEqual(trustAdmits(spec, csiTrust, { cluster: "prod-eu", namespace: "payments" }), true);
            assert.strictEqual(trustAdmits(spec, csiTrust, { cluster: "prod-eu", namespace: "external-secrets" }), false);
            assert.strictEqual(trustAdmits(spec, csiTrust, { cluster: "prod-us", namespace: "payments" }), false);
            assert.deepStrictEqual(checkPodTrust(spec, csiTrust, ["external-secrets", DRIVER_NAMESPACE]), { teamsRefused: [], admittedAttackers: [], decisions: 2 * (3 + 2 + 1 + 1) });
            // Why the refusal matters: the permission alone would give such a pod every secret tagged with ESO's namespace.
            const esoPod = podContext({ namespace: "external-secrets", cluster: "prod-eu", serviceAccount: "external-secrets" });
            assert.strictEqual(readSecret(csiPermissions, CSI_ROLE, esoPod, "eso/x", { namespace: "external-secrets", cluster: "prod-eu" }), true);
            assert.strictEqual(readSecret(csiPermissions, CSI_ROLE, esoPod, "payments/db", { namespace: "payments", cluster: "prod-eu" }), false);
            // A trust without the refusal is caught by the checker.
            const open = { ...csiTrust, Statement: [{ ...csiTrust.Statement[0], Condition: { StringEquals: csiTrust.Statement[0].Condition!.StringEquals } }] };
            assert.strictEqual(assume(request("external-secrets"), "sts:AssumeRole", open as PolicyDocument), "Allowed");
            assert.deepStrictEqual(checkPodTrust(spec, open as PolicyDocument, ["external-secrets", DRIVER_NAMESPACE]).admittedAttackers, ["a pod of the refused namespace external-secrets on prod-eu", `a pod of the refused namespace ${DRIVER_NAMESPACE} on prod-eu`]);
        });

        it("a service account without an association has no session: and a request without Pod Identity's tags reads nothing", () => {
            // No association: no Pod Identity credentials (CreatePodIdentityAssociation; ASCP GetAWSConfig fails the mount), so no request is signed with the role.
            // The worst a session could be is one without any Pod Identity tag: it reads nothing, even a secret without tags.
            const bare = { "aws:PrincipalArn": `arn:${partition}:iam::${accountId}:role/${CSI_ROLE}`, "aws:PrincipalAccount": accountId };
            assert.strictEqual(readSecret(csiPermissions, CSI_ROLE, bare, "payments/db", { namespace: "payments", cluster: "prod-eu" }), false);
            assert.strictEqual(readSecret(csiPermissions, CSI_ROLE, bare, "payments/db", undefined), false);
            assert.strictEqual(checkerReads(csiSpec(), {}, "payments/db", undefined), false);
            // The sessions the checker decides are exactly the associated service accounts.
            const run = proveIsolation(csiSpec(NAMESPACES, csiPermissions, { serviceAccounts: { payments: ["app", "worker"] } }));
            const rows = rowsFromProof(csiSpec(NAMESPACES, csiPermissions, { serviceAccounts: { payments: ["app", "worker"] } }), run);
            assert.deepStrictEqual(rows.filter((r) => r.cluster === "prod-eu").map((r) => `${r.namespace}/${r.serviceAccount}`), ["pay/secrets-reader", "payments/app", "payments/worker", "search/secrets-reader"]);
        });

        it("the ESO shared role and the CSI role are not interchangeable, by IAM evaluation and by the checker", async () => {
            // An ESO session against the CSI document: its kubernetes-namespace is ESO's own, so the team's secret is refused and ESO's namespace's is readable.
            assert.strictEqual(readSecret(csiPermissions, ESO_ROLE, esoContext("payments"), "payments/db", { namespace: "payments", cluster: "prod-eu" }), false);
            assert.strictEqual(readSecret(csiPermissions, ESO_ROLE, esoContext("payments"), "eso/x", { namespace: "external-secrets", cluster: "prod-eu" }), true);
            // A pod session against the ESO document: no esoNamespace, so nothing.
            assert.strictEqual(readSecret(esoPermissions, CSI_ROLE, podContext({ namespace: "payments", cluster: "prod-eu" }), "payments/db", { namespace: "payments", cluster: "prod-eu" }), false);
            // The checker: ESO sessions on the CSI document fail (own denials, and ESO's namespace's secrets every team's).
            const esoOnCsi = await runMatrix({ ...csiSpec(NAMESPACES, csiPermissionPolicy(OFFLINE)), sessionKind: "eso", parameters: [], abacRoleName: ESO_ROLE }, { fullMatrix: true, workers: 0 });
            assert.ok(!esoOnCsi.ok);
            assert.strictEqual(esoOnCsi.ownDenials, 6);
            assert.ok(esoOnCsi.proof.crossTeamAllows.some((c) => c.description.includes("secret's namespace = `external-secrets`")), esoOnCsi.proof.crossTeamAllows.map((c) => c.description).join("; "));
            // Pod sessions on the ESO document fail: every own read denied, no cross-team read.
            const podOnEso = await runMatrix({ ...csiSpec(NAMESPACES, esoPermissions), parameters: [] }, { fullMatrix: true, workers: 0 });
            assert.ok(!podOnEso.ok);
            assert.strictEqual(podOnEso.ownDenials, 6);
            assert.strictEqual(podOnEso.crossTeamAllows, 0);
            assert.deepStrictEqual(podOnEso.disagreements, []);
        });
    });

    describe("the proof for any number of teams", () => {
        it("is proven for the CSI document with pod sessions, and agrees with every pair and probe of the full matrix", async () => {
            const run = await runMatrix(csiSpec(NAMESPACES, csiPermissions, { serviceAccounts: { payments: ["app", "worker"] } }), { fullMatrix: true, workers: 0 });
            assert.deepStrictEqual(run.proof.structure.refusals, []);
            assert.deepStrictEqual(run.proof.structure.variables, ["aws:PrincipalTag/eks-cluster-name", "aws:PrincipalTag/kubernetes-namespace"]);
            assert.deepStrictEqual(run.proof.structure.constants, [], "no session tag is the same in every pod session");
            assert.ok(run.proof.proven);
            assert.deepStrictEqual(run.disagreements, []);
            assert.deepStrictEqual(run.probeFailures, []);
            assert.ok(run.probes!.some((p) => p.description.startsWith("a pod of ESO's namespace")));
            assert.ok(run.probes!.some((p) => p.description.endsWith("of namespace app (its service account's name)")));
            assert.strictEqual(run.crossTeamAllows, 0);
            assert.strictEqual(run.ownDenials, 0);
            // 8 pod sessions (4 per cluster), each reading its own secret and parameter on its cluster.
            assert.strictEqual(run.rows.length, 8);
            assert.strictEqual(run.rows.reduce((n, r) => n + r.ownAllowed, 0), 16);
            assert.ok(run.proof.classes.some((c) => c.description === "session kubernetes-namespace empty, same cluster" && !c.allowed));
            assert.ok(run.ok);
            console.log(`      CSI proof: ${run.proof.classes.length} classes, ${run.proof.decisions} decisions; full matrix ${run.matrix!.decisions} decisions and ${run.probes!.length} probes agree`);
        });

        it("decides 2,000 teams: the same classes as three teams, every row counted, no cross-team read, every own read", () => {
            const big = Array.from({ length: 2000 }, (_, i) => (i < 3 ? NAMESPACES[i] : `team-${i}`));
            const started = Date.now();
            const proof = proveIsolation(csiSpec(big));
            const rows = rowsFromProof(csiSpec(big), proof);
            const seconds = (Date.now() - started) / 1000;
            const small = proveIsolation(csiSpec());
            assert.ok(proof.proven);
            assert.deepStrictEqual(proof.classes.map((c) => [c.kind, c.key, c.cell]), small.classes.map((c) => [c.kind, c.key, c.cell]));
            assert.strictEqual(rows.length, 4000);
            assert.strictEqual(rows.reduce((n, r) => n + r.crossTeamAllowed, 0), 0);
            assert.strictEqual(rows.reduce((n, r) => n + r.ownDenied, 0), 0);
            assert.strictEqual(rows.reduce((n, r) => n + r.ownAllowed, 0), 4000 * 2, "each pod session reads its own secret and parameter");
            // Every other object of both clusters denied: 2 clusters x 2,000 teams x 2 objects, less its own 2.
            assert.ok(rows.every((r) => r.othersDenied === 2 * 2000 * 2 - 2));
            console.log(`      2,000 teams x 2 clusters: ${rows.length} pod sessions, ${proof.decisions} IAM decisions, ${seconds.toFixed(1)} s`);
        });

        it("refuses a CSI document keyed on the pod's service account, and the full matrix finds the own denials", async () => {
            const bySa = JSON.parse(JSON.stringify(csiPermissionPolicy(OFFLINE)).replace("${aws:PrincipalTag/kubernetes-namespace}", "${aws:PrincipalTag/kubernetes-service-account}"));
            const run = await runMatrix({ ...csiSpec(NAMESPACES, bySa), parameters: [] });
            assert.ok(!run.proof.structure.applicable);
            assert.ok(run.proof.structure.refusals.some((r) => r.includes("kubernetes-service-account")), run.proof.structure.refusals.join("\n"));
            assert.strictEqual(run.ownDenials, 6);
            assert.ok(!run.ok);
        });
    });
});
