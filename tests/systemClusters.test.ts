/**
 * Many clusters on one shared role: the role's trust names every
 * controller role and cluster, about 120 characters each, and IAM's
 * default trust policy quota is 2,048 characters without white space
 * (docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
 * A stack past it is refused before anything is declared, naming the entry
 * and the quota; a stack within it deploys a trust of exactly the measured
 * size, and the attacker's moves stay denied (IAM evaluator).
 */
import * as assert from "assert";
import { ConfigValidationError, CrossAccountSecretsAbac, CrossAccountSecretsAbacArgs, sharedTrustQuotaProblems, TRUST_POLICY_DEFAULT_QUOTA } from "../components";
import { OFFLINE, runOffline, team } from "./helpers";
import { chainsInto, podTags, quotaProblems, stackIam } from "./systemIam";

const ACCOUNTS = ["222233334444", "333344445555"];
const account = (accountId: string) => ({ accountId, region: OFFLINE.region, roleArn: `arn:aws:iam::${accountId}:role/deployer` });
/** `count` clusters with names of 14 characters, over two accounts. */
function args(count: number, trustPolicyQuota?: number): CrossAccountSecretsAbacArgs {
    return {
        secretsAccount: account("111122223333"),
        trustPolicyQuota,
        clusters: Array.from({ length: count }, (_, i) => {
            const clusterName = `cluster-${String(i).padStart(6, "0")}`;
            return { clusterName, account: account(ACCOUNTS[i % 2]), secretNamePrefix: `${clusterName}/`, teams: [team("payments")] };
        }),
    };
}
const ADMIN = { Version: "2012-10-17" as const, Statement: [{ Effect: "Allow" as const, Action: "sts:*", Resource: "*" }] };

describe("system: clusters sharing one shared role within the trust policy quota", function () {
    this.timeout(300_000);

    it("50 clusters of 14-character names are refused before deploy, naming clusters and the 2,048 quota", async () => {
        let problems: string[] = [];
        await assert.rejects(
            runOffline(() => new CrossAccountSecretsAbac("org", args(50))),
            (e: unknown) => e instanceof ConfigValidationError && (problems = e.problems.map((p) => `${p.path}: ${p.message}`)).length > 0,
        );
        assert.strictEqual(problems.length, 1, problems.join("\n"));
        assert.match(problems[0], /^clusters: make the shared role's trust policy \d+ characters \(white space excluded\), over the secrets account's trust policy quota of 2048 \(IAM quotas, "Role trust policy length"/);
    });

    it("the largest count that fits deploys a trust of exactly the measured size, within 2,048, and one more is refused", async () => {
        let fits = 1;
        while (sharedTrustQuotaProblems(args(fits + 1)).length === 0) fits++;
        assert.ok(fits >= 10 && fits < 50, `${fits} clusters fit`);
        const run = await runOffline(() => new CrossAccountSecretsAbac("org", args(fits)));
        assert.deepStrictEqual(quotaProblems(run.resources), []);
        const shared = run.resources.find((r) => r.type === "aws:iam/role:Role" && r.inputs.name === "eks-secrets-abac-shared")!;
        const size = String(shared.inputs.assumeRolePolicy).replace(/\s/g, "").length;
        assert.ok(size <= TRUST_POLICY_DEFAULT_QUOTA && size > TRUST_POLICY_DEFAULT_QUOTA - 130, `${size} characters`);
        assert.match(sharedTrustQuotaProblems(args(fits + 1))[0].message, /trust policy \d+ characters/);
        assert.deepStrictEqual(sharedTrustQuotaProblems(args(fits + 1, 4096)), [], "a raised quota admits more");

        // The attacker's moves against that trust: another cluster's controller, another account, a tenant pod.
        const iam = stackIam(run.resources);
        const role = iam.storeRoles[0];
        const controller = iam.associations.find((a) => a.cluster === "cluster-000001" && a.namespace === "external-secrets")!;
        const tags = (acct: string, cluster: string, ns = "external-secrets", sa = "external-secrets") => podTags("aws", OFFLINE.region, acct, cluster, ns, sa);
        const eso = { esoNamespace: "payments", esoStoreName: "team-secrets", esoStoreKind: "ClusterSecretStore" };
        assert.ok(chainsInto({}, { role: controller.role, tags: tags(controller.account, "cluster-000001"), identity: controller.role.inline }, role, eso), "the real controller chains in");
        const fake = (acct: string, name: string) => ({ arn: `arn:aws:iam::${acct}:role/${name}`, account: acct, physical: name });
        const moves = [
            ["another cluster's controller", fake(controller.account, "cluster-999999-eso-controller"), tags(controller.account, "cluster-999999")],
            ["the same role name in another account", fake("999988887777", controller.role.physical), tags("999988887777", "cluster-000001")],
            ["a tenant pod's own role", fake(controller.account, "payments-app"), tags(controller.account, "cluster-000001", "payments", "app")],
            ["a controller claiming another listed cluster", controller.role, tags(controller.account, "cluster-999999")],
        ] as const;
        for (const [what, from, t] of moves) assert.ok(!chainsInto({}, { role: from, tags: t, identity: [ADMIN] }, role, eso), what);
    });
});
