/**
 * Many clusters: each adds its controller role and cluster ARN to a shared
 * role's trust, about 123 characters, and IAM's default trust policy quota
 * is 2,048 characters without white space
 * (docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
 * Clusters past it go to further shared roles, filled first-fit in the
 * order given; every role's trust stays within the quota, each cluster's
 * stores assume its own group's role, and the attacker's moves stay denied
 * (IAM evaluator) on every role.
 */
import * as assert from "assert";
import { CrossAccountSecretsAbac, CrossAccountSecretsAbacArgs, guardrailServiceControlPolicy, sharedRoleGroups, TRUST_POLICY_DEFAULT_QUOTA } from "../components";
import { decideUnder } from "./orgPolicies";
import { OFFLINE, runOffline, team } from "./helpers";
import { asSession, chainsInto, podTags, quotaProblems, stackIam } from "./systemIam";

const ACCOUNTS = ["222233334444", "333344445555"];
const account = (accountId: string) => ({ accountId, region: OFFLINE.region, roleArn: `arn:aws:iam::${accountId}:role/deployer` });
const nameOf = (i: number) => `cluster-${String(i).padStart(6, "0")}`;
/** `count` clusters with names of 14 characters, over two accounts. */
function args(count: number, trustPolicyQuota?: number): CrossAccountSecretsAbacArgs {
    return {
        secretsAccount: account("111122223333"),
        trustPolicyQuota,
        clusters: Array.from({ length: count }, (_, i) => ({ clusterName: nameOf(i), installPodIdentityAgent: true, account: account(ACCOUNTS[i % 2]), secretNamePrefix: `${nameOf(i)}/`, teams: [team("payments")] })),
    };
}
const ADMIN = { Version: "2012-10-17" as const, Statement: [{ Effect: "Allow" as const, Action: "sts:*", Resource: "*" }] };
const counts = (groupOf: number[]) => groupOf.reduce<number[]>((c, g) => ((c[g] = (c[g] ?? 0) + 1), c), []);

describe("system: clusters over shared roles within the trust policy quota", function () {
    this.timeout(300_000);

    it("groups 1, 13, 14 and 50 clusters of 14-character names into 1, 1, 2 and 4 roles within 2,048 (2 roles within 4,096)", () => {
        const measured = [1, 13, 14, 50].map((n) => sharedRoleGroups(args(n)));
        assert.deepStrictEqual(measured.map((g) => counts(g.groupOf)), [[1], [13], [13, 1], [13, 13, 13, 11]]);
        for (const g of measured) for (const size of g.trustSizes) assert.ok(size <= TRUST_POLICY_DEFAULT_QUOTA, `${size} characters`);
        assert.deepStrictEqual(measured[3].roleNames, ["eks-secrets-abac-shared", "eks-secrets-abac-shared-g2", "eks-secrets-abac-shared-g3", "eks-secrets-abac-shared-g4"]);
        assert.deepStrictEqual(counts(sharedRoleGroups(args(50, 4096)).groupOf), [30, 20]);
    });

    it("appending clusters never moves an existing cluster to another role", () => {
        const before = sharedRoleGroups(args(50)).groupOf;
        for (const n of [51, 60, 80]) assert.deepStrictEqual(sharedRoleGroups(args(n)).groupOf.slice(0, 50), before, `${n} clusters`);
    });

    it("role names of every group stay within IAM's 64 characters", () => {
        const long = { ...args(30), sharedRoleName: "r".repeat(64) };
        for (const name of sharedRoleGroups(long).roleNames) assert.ok(name.length <= 64 && name.length > 0, name);
        assert.strictEqual(new Set(sharedRoleGroups(long).roleNames).size, 3);
    });

    // 27 clusters: three roles, the last one partly filled (examples.test.ts deploys 50 through examples/multi-cluster).
    it("27 clusters deploy 3 shared roles, each trust within 2,048; each store assumes its group's role, and no cluster chains into another group's role", async () => {
        const stack = args(27);
        const groups = sharedRoleGroups(stack);
        const run = await runOffline(() => new CrossAccountSecretsAbac("org", stack));
        assert.deepStrictEqual(quotaProblems(run.resources), []);
        const iam = stackIam(run.resources);
        const shared = groups.roleNames.map((n) => iam.roles.find((r) => r.physical === n)!);
        assert.ok(shared.every((r) => r !== undefined), "every group's role is declared under its fixed name");
        const stores = run.resources.filter((r) => r.type === "kubernetes:external-secrets.io/v1:ClusterSecretStore");
        const tags = (acct: string, cluster: string, ns = "external-secrets", sa = "external-secrets") => podTags("aws", OFFLINE.region, acct, cluster, ns, sa);
        const eso = { esoNamespace: "payments", esoStoreName: "team-secrets", esoStoreKind: "ClusterSecretStore" };
        const fake = (acct: string, name: string) => ({ arn: `arn:aws:iam::${acct}:role/${name}`, account: acct, physical: name });
        // The first and last cluster of each group, against every group's role.
        const probed = groups.roleNames.flatMap((_, g) => [groups.groupOf.indexOf(g), groups.groupOf.lastIndexOf(g)]);
        for (const i of probed) {
            const cluster = nameOf(i);
            const own = shared[groups.groupOf[i]];
            const store = stores.find((s) => s.name.startsWith(`org-${cluster}-`))!;
            assert.strictEqual(iam.byArn.get(store.inputs.spec.provider.aws.role), own, `${cluster}'s store assumes its group's role`);
            const controller = iam.associations.find((a) => a.cluster === cluster && a.namespace === "external-secrets")!;
            const session = { role: controller.role, tags: tags(controller.account, cluster), identity: controller.role.inline };
            assert.ok(chainsInto({}, session, own, eso), `${cluster}'s controller chains into its group's role`);
            for (const other of shared.filter((r) => r !== own)) assert.ok(!chainsInto({}, { ...session, identity: [ADMIN] }, other, eso), `${cluster} chains into ${other.physical}`);
            // The attacker's moves against its own group's role.
            const moves = [
                ["another cluster's controller", fake(controller.account, "cluster-999999-eso-controller"), tags(controller.account, "cluster-999999")],
                ["the same role name in another account", fake("999988887777", controller.role.physical), tags("999988887777", cluster)],
                ["a tenant pod's own role", fake(controller.account, "payments-app"), tags(controller.account, cluster, "payments", "app")],
                ["its controller claiming another cluster", controller.role, tags(controller.account, "cluster-999999")],
            ] as const;
            for (const [what, from, t] of moves) assert.ok(!chainsInto({}, { role: from, tags: t, identity: [ADMIN] }, own, eso), `${cluster}: ${what}`);
        }
        assert.strictEqual(stores.length, 27);
        // The guardrails name every group's role: a tenant's write to any of them is denied by the SCP.
        const org = { scp: guardrailServiceControlPolicy({ platformPrincipalArns: ["arn:aws:iam::*:role/platform-deployer"], sharedRoleName: groups.roleNames[0], sharedRoleNames: groups.roleNames.slice(1), controllerRoleNames: ["*-eso-controller"] }) };
        const tenant = { arn: "arn:aws:iam::111122223333:role/team-ci", account: "111122223333", physical: "team-ci" };
        for (const role of shared) {
            const write = asSession(tenant, {}, "iam:UpdateAssumeRolePolicy", role.arn, role.account, {}, [{ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "iam:*", Resource: "*" }] }]);
            assert.strictEqual(decideUnder(org, write), "ExplicitlyDenied", role.physical);
            assert.strictEqual(decideUnder({}, write), "Allowed", "the tenant's own policy allows it: the SCP is what denies");
        }
    });
});
