import * as assert from "assert";
import { EksSecretsAbac, SharedAbacRole, controllerRoleName, roleArn } from "../components";
import { argsWithTeams, OFFLINE, offlineClusterArn, runOffline, twoTeamArgs, valueOf } from "./helpers";

const IAM_TYPES = [
    "aws:iam/role:Role",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/policy:Policy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:eks/podIdentityAssociation:PodIdentityAssociation",
];
const STORE = "kubernetes:external-secrets.io/v1:ClusterSecretStore";

/** Every IAM resource and the store, as the bytes that reach the provider. */
async function sharedDocuments(teamCount: number): Promise<string[]> {
    const run = await runOffline(() => new EksSecretsAbac("prod", argsWithTeams(teamCount)));
    return [...IAM_TYPES, STORE].flatMap((type) =>
        run.ofType(type).map((r) => `${type} ${r.name} ${JSON.stringify(r.inputs)}`),
    );
}

describe("component graph", () => {
    it("a two-team stack declares two roles, one association, one add-on, one release, the store, generator and ExternalSecret guards, the tenant role, one store and each team's resources", async () => {
        const run = await runOffline(() => new EksSecretsAbac("prod", twoTeamArgs()));
        assert.deepStrictEqual(run.countsByType(), {
            "aws:eks/addon:Addon": 1,
            "aws:eks/podIdentityAssociation:PodIdentityAssociation": 1,
            "aws:iam/role:Role": 2,
            "aws:iam/rolePolicy:RolePolicy": 2,
            "aws:secretsmanager/secret:Secret": 4,
            "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy": 3,
            "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding": 3,
            "kubernetes:core/v1:Namespace": 2,
            "kubernetes:external-secrets.io/v1:ClusterSecretStore": 1,
            "kubernetes:external-secrets.io/v1:ExternalSecret": 2,
            "kubernetes:helm.sh/v3:Release": 1,
            "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole": 1,
        });
    });

    it("tags each secret with its team's namespace and the cluster, and names it <namespace>/<name>", async () => {
        const run = await runOffline(() => new EksSecretsAbac("prod", twoTeamArgs({ tags: { owner: "platform" } })));
        const secrets = run.ofType("aws:secretsmanager/secret:Secret").map((r) => [r.inputs.name, r.inputs.tags]);
        assert.deepStrictEqual(secrets.sort(), [
            ["payments/api-key", { "eks-cluster-name": "prod-eu", "kubernetes-namespace": "payments", owner: "platform" }],
            ["payments/db-password", { "eks-cluster-name": "prod-eu", "kubernetes-namespace": "payments", owner: "platform" }],
            ["search/api-key", { "eks-cluster-name": "prod-eu", "kubernetes-namespace": "search", owner: "platform" }],
            ["search/db-password", { "eks-cluster-name": "prod-eu", "kubernetes-namespace": "search", owner: "platform" }],
        ]);
    });

    it("wires the association to ESO's service account and the controller role, with session tags on", async () => {
        const run = await runOffline(() => new EksSecretsAbac("prod", twoTeamArgs()));
        const association = run.one("aws:eks/podIdentityAssociation:PodIdentityAssociation").inputs;
        assert.deepStrictEqual(
            { ...association, tags: undefined },
            {
                clusterName: "prod-eu",
                namespace: "external-secrets",
                serviceAccount: "external-secrets",
                roleArn: roleArn(OFFLINE, controllerRoleName("prod-eu")),
                disableSessionTags: false,
                tags: undefined,
            },
        );
        const addon = run.one("aws:eks/addon:Addon").inputs;
        assert.strictEqual(addon.addonName, "eks-pod-identity-agent");
        assert.strictEqual(addon.clusterName, "prod-eu");
    });

    it("points the store at the shared role with sessionTagsPolicy Simple and selects onboarded namespaces by label", async () => {
        const run = await runOffline(() => new EksSecretsAbac("prod", twoTeamArgs()));
        const store = run.one(STORE).inputs;
        const abacRole = run.ofType("aws:iam/role:Role").find((r) => r.name === "prod-shared-abac-role");
        assert.ok(abacRole);
        assert.strictEqual(store.spec.provider.aws.role, abacRole.state.arn);
        assert.strictEqual(store.spec.provider.aws.sessionTagsPolicy, "Simple");
        assert.strictEqual(store.spec.provider.aws.region, OFFLINE.region);
        const label = store.spec.conditions[0].namespaceSelector.matchLabels;
        for (const ns of run.ofType("kubernetes:core/v1:Namespace")) {
            assert.deepStrictEqual(ns.inputs.metadata.labels, label);
        }
    });

    it("ExternalSecrets reference the store and the team's full secret names", async () => {
        const run = await runOffline(() => new EksSecretsAbac("prod", twoTeamArgs()));
        const es = run.ofType("kubernetes:external-secrets.io/v1:ExternalSecret").find((r) => r.inputs.metadata.namespace === "payments");
        assert.ok(es);
        assert.deepStrictEqual(es.inputs.spec, {
            refreshInterval: "1h",
            secretStoreRef: { kind: "ClusterSecretStore", name: "team-secrets" },
            target: { name: "app-credentials", creationPolicy: "Owner" },
            data: [
                { secretKey: "DB_PASSWORD", remoteRef: { key: "payments/db-password" } },
                { secretKey: "API_KEY", remoteRef: { key: "payments/api-key" } },
            ],
        });
    });

    it("only labels a namespace that exists already, with a patch instead of a new Namespace", async () => {
        const args = twoTeamArgs();
        const teams = [{ ...args.teams[0], createNamespace: false }, args.teams[1]];
        const run = await runOffline(() => new EksSecretsAbac("prod", { ...args, teams }));
        const patches = run.ofType("kubernetes:core/v1:NamespacePatch");
        assert.deepStrictEqual(patches.map((p) => p.inputs.metadata), [
            { name: "payments", labels: { "eks-secrets-abac/store": "team-secrets" } },
        ]);
        assert.deepStrictEqual(run.ofType("kubernetes:core/v1:Namespace").map((n) => n.inputs.metadata.name), ["search"]);
    });

    it("skips the add-on when the cluster has the agent already", async () => {
        const run = await runOffline(() => new EksSecretsAbac("prod", twoTeamArgs({ installPodIdentityAgent: false })));
        assert.strictEqual(run.ofType("aws:eks/addon:Addon").length, 0);
    });

    it("stores an initial value only for secrets that are given one, as a Pulumi secret", async () => {
        const args = twoTeamArgs();
        const teams = [{ ...args.teams[0], secrets: [{ name: "db-password", value: "s3cr3t" }, { name: "api-key" }] }, args.teams[1]];
        const run = await runOffline(() => new EksSecretsAbac("prod", { ...args, teams }));
        const versions = run.ofType("aws:secretsmanager/secretVersion:SecretVersion");
        assert.strictEqual(versions.length, 1);
        assert.strictEqual(versions[0].name, "prod-payments-secret-db-password-value");
    });

    it("a 50-team stack renders byte-identical IAM documents, association and store to the two-team one", async () => {
        const two = await sharedDocuments(2);
        const fifty = await sharedDocuments(50);
        assert.strictEqual(two.length, 6, "2 roles, 2 role policies, 1 association, 1 store");
        assert.deepStrictEqual(fifty, two);
    });

    it("adding a team adds only that team's namespace, secrets and ExternalSecrets", async () => {
        const before = await runOffline(() => new EksSecretsAbac("prod", argsWithTeams(3)));
        const after = await runOffline(() => new EksSecretsAbac("prod", argsWithTeams(4)));
        const key = (r: { type: string; name: string; inputs: unknown }) => `${r.type} ${r.name} ${JSON.stringify(r.inputs)}`;
        const old = new Set(before.resources.map(key));
        const added = after.resources.filter((r) => !old.has(key(r)));
        assert.deepStrictEqual(
            added.map((r) => `${r.type} ${r.name}`).sort(),
            [
                "eks-secrets-abac:index:Team prod-team-003",
                "aws:secretsmanager/secret:Secret prod-team-003-secret-api-key",
                "aws:secretsmanager/secret:Secret prod-team-003-secret-db-password",
                "kubernetes:core/v1:Namespace prod-team-003-namespace",
                "kubernetes:external-secrets.io/v1:ExternalSecret prod-team-003-external-secret-app-credentials",
            ].sort(),
        );
        assert.strictEqual(after.resources.length - before.resources.length, added.length, "nothing was changed, only added");
    });

    it("two clusters share one ABAC role given to both; each cluster declares only its controller role", async () => {
        const run = await runOffline(() => {
            const shared = new SharedAbacRole("shared", {
                controllerRoleArns: ["prod-eu", "prod-eu-2"].map((c) => roleArn(OFFLINE, controllerRoleName(c))),
                clusterArns: ["prod-eu", "prod-eu-2"].map(offlineClusterArn),
            });
            const a = new EksSecretsAbac("a", twoTeamArgs({ clusterName: "prod-eu", sharedRole: shared }));
            const b = new EksSecretsAbac("b", twoTeamArgs({ clusterName: "prod-eu-2", sharedRole: shared, secretNamePrefix: "prod-eu-2/" }));
            return { shared, a, b };
        });
        const roles = run.ofType("aws:iam/role:Role").map((r) => r.inputs.name ?? r.name).sort();
        assert.deepStrictEqual(roles, ["prod-eu-2-eso-controller", "prod-eu-eso-controller", "shared-role"]);
        const trust = JSON.parse(run.ofType("aws:iam/role:Role").find((r) => r.name === "shared-role")!.inputs.assumeRolePolicy);
        assert.deepStrictEqual(trust.Statement[0].Condition.ArnEquals["aws:PrincipalArn"], [
            roleArn(OFFLINE, "prod-eu-2-eso-controller"),
            roleArn(OFFLINE, "prod-eu-eso-controller"),
        ]);
        assert.deepStrictEqual(trust.Statement[0].Condition.StringEquals["aws:PrincipalTag/eks-cluster-arn"], [
            offlineClusterArn("prod-eu"),
            offlineClusterArn("prod-eu-2"),
        ]);
        const clusterTags = new Set(run.ofType("aws:secretsmanager/secret:Secret").map((s) => s.inputs.tags["eks-cluster-name"]));
        assert.deepStrictEqual([...clusterTags].sort(), ["prod-eu", "prod-eu-2"]);
        assert.strictEqual(await valueOf(run.result.a.abacRoleArn), await valueOf(run.result.b.abacRoleArn));
    });
});
