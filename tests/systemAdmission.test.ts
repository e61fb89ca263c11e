/**
 * Every Kubernetes object a stack declares goes through the stack's own
 * ValidatingAdmissionPolicies, its CRD's schema and its kind's name rules,
 * as on the first `pulumi up` (tests/systemKube.ts). A team with parameters
 * declares a second ClusterSecretStore that names the shared role: the
 * store guard must admit it, and still refuse any other store that does.
 */
import * as assert from "assert";
import { EksSecretsAbac, EksSecretsAbacArgs, esoHelmValues, TeamSpec } from "../components";
import { chartCrds } from "./crdObjects";
import { runOffline, team } from "./helpers";
import { judgeKube, Kinds, kindsWith, kubeObjectsOf } from "./systemKube";

let kinds: Kinds;

before(async function () {
    this.timeout(120_000);
    kinds = kindsWith(await chartCrds(esoHelmValues({ serviceAccountName: "external-secrets", allowNamespacedSecretStores: true })));
});

const withParameters: TeamSpec = {
    ...team("payments"),
    parameters: [{ name: "db-url" }],
    externalSecrets: [{ name: "app", data: [{ secretKey: "DB_URL", parameter: "db-url" }, { secretKey: "DB_PASSWORD", secret: "db-password" }] }],
};
const withCsi: TeamSpec = { ...team("search"), csi: { serviceAccounts: ["api"], secretProviderClasses: [{ name: "search-secrets", objects: [{ secret: "api-key" }] }] } };

async function judged(args: EksSecretsAbacArgs, name = "prod") {
    const run = await runOffline(() => new EksSecretsAbac(name, args));
    return { run, verdict: judgeKube(run.resources, kinds) };
}

describe("system: every Kubernetes object of the stack passes the stack's own admission policies", function () {
    this.timeout(120_000);

    for (const allowNamespacedSecretStores of [false, true]) {
        it(`a team with parameters: both ClusterSecretStores are admitted (allowNamespacedSecretStores ${allowNamespacedSecretStores})`, async () => {
            const { run, verdict } = await judged({ clusterName: "prod-eu", installPodIdentityAgent: true, teams: [withParameters, team("search")], allowNamespacedSecretStores });
            const stores = kubeObjectsOf(run.resources).filter((o) => o.kind === "ClusterSecretStore").map((o) => o.metadata.name);
            assert.deepStrictEqual(stores.sort(), ["team-parameters", "team-secrets"]);
            assert.deepStrictEqual(verdict.problems, []);
            assert.ok(verdict.evaluated > 0, "no rule was evaluated");
        });
    }

    it("every option at once (parameters, CSI, generators, egress policy, custom store names): no refusal, schema error or bad name", async () => {
        const { verdict } = await judged({
            clusterName: "prod-eu",
            installPodIdentityAgent: true,
            teams: [withParameters, withCsi],
            storeName: "abac-secrets",
            parameterStoreName: "abac-parameters",
            allowNamespacedSecretStores: true,
            allowedGenerators: ["ECRAuthorizationToken"],
            controllerEgressPolicy: true,
        });
        assert.deepStrictEqual(verdict.problems, []);
    });

    it("fault domains: each domain's stores (parameters too) name their controller and pass the stack's own policies", async () => {
        const { run, verdict } = await judged({
            clusterName: "prod-eu",
            installPodIdentityAgent: true,
            esoControllers: [{ name: "noisy" }],
            teams: [withParameters, { ...team("batch"), controller: "noisy", parameters: [{ name: "token" }], externalSecrets: [{ name: "app", data: [{ secretKey: "T", parameter: "token" }] }] }],
        });
        const stores = kubeObjectsOf(run.resources).filter((o) => o.kind === "ClusterSecretStore").map((o) => [o.metadata.name, (o as any).spec.controller]);
        assert.deepStrictEqual(stores.sort(), [["team-parameters", "default"], ["team-parameters-noisy", "noisy"], ["team-secrets", "default"], ["team-secrets-noisy", "noisy"]]);
        assert.deepStrictEqual(verdict.problems, []);
        // The namespace label is what the ExternalSecret rule keys on: a team labelled for the other domain's store is refused.
        const relabelled = run.resources.map((r) =>
            r.type === "kubernetes:core/v1:Namespace" && r.inputs.metadata.name === "batch" ? { ...r, inputs: { ...r.inputs, metadata: { name: "batch", labels: { "eks-secrets-abac/store": "team-secrets" } } } } : r,
        );
        const problems = judgeKube(relabelled, kinds).problems;
        assert.ok(problems.length > 0 && problems.every((p) => /^ExternalSecret\/batch\/app: refused by prod-eso-externalsecret-guard: In a team's namespace every store/.test(p)), problems.join("\n"));
    });

    it("a store of the same shape under another name is still refused (the check can fail)", async () => {
        const { run } = await judged({ clusterName: "prod-eu", installPodIdentityAgent: true, teams: [withParameters] });
        const store = run.resources.find((r) => r.type === "kubernetes:external-secrets.io/v1:ClusterSecretStore" && r.inputs.metadata.name === "team-parameters")!;
        const shadow = { ...store, name: "shadow", inputs: { ...store.inputs, metadata: { name: "shadow-parameters" } } };
        const problems = judgeKube([...run.resources, shadow], kinds).problems;
        assert.strictEqual(problems.length, 1, problems.join("\n"));
        assert.match(problems[0], /^ClusterSecretStore\/shadow-parameters: refused by prod-eso-secretstore-guard: Only the ClusterSecretStores team-secrets and team-parameters may assume the shared ABAC role/);
    });

    it("an object of a kind nobody classified fails instead of passing unseen", async () => {
        const { run } = await judged({ clusterName: "prod-eu", installPodIdentityAgent: true, teams: [team("payments")] });
        const odd = { type: "kubernetes:example.com/v1:Widget", name: "w", custom: true, inputs: { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } }, state: {} };
        assert.throws(() => judgeKube([...run.resources, odd], kinds), /Widget is not classified/);
    });
});
