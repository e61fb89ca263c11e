/**
 * `eks-secrets-abac why`: one pair's decision with the statements and
 * conditions that decide it, by the IAM evaluator, on the repository's
 * example stack and on the same stack grown to 2,000 teams. (Time: measured
 * outside the tests; not asserted here.)
 */
import * as assert from "assert";
import * as path from "path";
import { why, WhyAnswer } from "../cli/src/why";
import { readInput } from "../cli/src/checker";
import { planFromInput, StackPlan } from "../cli/src/checker";

const ROOT = path.join(__dirname, "..");

/** The example stack with `n` teams, each with one secret, beside its own. */
export function grown(plan: StackPlan, n: number): StackPlan {
    const extra = Array.from({ length: n - plan.teams.length }, (_, i) => ({
        namespace: `team-${i}`,
        namespaceAction: "create" as const,
        secrets: [{ name: `team-${i}/db`, tags: {} }],
        parameters: [],
        externalSecrets: [],
    }));
    return { ...plan, teams: [...plan.teams, ...extra] };
}

const failing = (a: WhyAnswer) => a.conditions.filter((c) => !c.holds).map((c) => [c.key, c.expected, c.actual]);

describe("why: one pair's decision and what decides it", function () {
    this.timeout(120_000);
    let plan: StackPlan;
    before(async () => {
        const input = await readInput(ROOT, { stack: "example" });
        plan = planFromInput(input);
    });

    it("search cannot read payments/db-password: the namespace condition fails (search against payments), the others hold", () => {
        const [a] = why(plan, "search", "payments/db-password");
        assert.strictEqual(a.readable, false);
        // Refused twice over: the Allow's namespace condition fails, and the Deny on another namespace's tag holds.
        assert.deepStrictEqual(a.decisions, [{ action: "secretsmanager:GetSecretValue", decision: "ExplicitlyDenied" }]);
        assert.deepStrictEqual(a.allowing, []);
        assert.ok(a.denying.some((d) => /DenySecretsOfOtherNamespaces/.test(d)), a.denying.join(", "));
        assert.deepStrictEqual(failing(a), [["secretsmanager:ResourceTag/kubernetes-namespace", "search", "payments"]]);
        assert.ok(a.conditions.length > 1 && a.conditions.filter((c) => c.holds).length === a.conditions.length - 1);
    });

    it("payments reads its own db-password, granted by the one statement whose conditions all hold", () => {
        const [a] = why(plan, "payments", "db-password");
        assert.strictEqual(a.readable, true);
        assert.strictEqual(a.object.name, "payments/db-password");
        assert.deepStrictEqual(a.allowing.length, 1);
        assert.deepStrictEqual(failing(a), []);
    });

    it("the same namespace on another cluster reads nothing: the cluster condition fails", () => {
        const [a] = why(plan, "payments", "payments/db-password", { cluster: "other-cluster" });
        assert.strictEqual(a.readable, false);
        assert.deepStrictEqual([a.session.cluster, a.object.cluster], ["other-cluster", "prod-eu"]);
        assert.deepStrictEqual(failing(a), [["secretsmanager:ResourceTag/eks-cluster-name", "other-cluster", "prod-eu"]]);
        assert.ok(a.denying.some((d) => /DenySecretsOfOtherClusters/.test(d)), a.denying.join(", "));
    });

    it("an unknown object is named with the closest one", () => {
        assert.throws(() => why(plan, "search", "payments/db-pasword"), /no secret or parameter `payments\/db-pasword` in the stack; did you mean `payments\/db-password`\?/);
    });

    it("answers the same in a stack of 2,000 teams, for a team of the grown part too", () => {
        const big = grown(plan, 2000);
        assert.strictEqual(big.teams.length, 2000);
        const [a] = why(big, "search", "payments/db-password");
        assert.deepStrictEqual(failing(a), [["secretsmanager:ResourceTag/kubernetes-namespace", "search", "payments"]]);
        const [own] = why(big, "team-1996", "team-1996/db");
        assert.strictEqual(own.readable, true);
        const [cross] = why(big, "team-1", "team-1996/db");
        assert.deepStrictEqual(failing(cross), [["secretsmanager:ResourceTag/kubernetes-namespace", "team-1", "team-1996"]]);
    });
});
