import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildPlan, judgePlan, renderPlan, renderVerdict } from "../cli/src/checker";
import * as YAML from "yaml";

const EXAMPLE = path.join(__dirname, "..", "Pulumi.example.yaml");

function stackFile(yaml: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "eks-secrets-abac-"));
    const file = path.join(dir, "Pulumi.test.yaml");
    fs.writeFileSync(file, yaml);
    return file;
}

describe("the stack program under the offline plan", () => {
    it("plans the example's three teams with two roles and one store", async () => {
        const result = await buildPlan(EXAMPLE);
        assert.ok(result.ok);
        const { plan } = result;
        assert.deepStrictEqual(plan.teams.map((t) => [t.namespace, t.namespaceAction]), [
            ["payments", "create"],
            ["search", "create"],
            ["billing", "label existing"],
        ]);
        assert.strictEqual(plan.resourcesByType["aws:iam/role:Role"], 2);
        assert.strictEqual(plan.resourcesByType["kubernetes:external-secrets.io/v1:ClusterSecretStore"], 1);
        assert.match(renderPlan(plan), /secret payments\/db-password {2}\[kubernetes-namespace=payments, eks-cluster-name=prod-eu\]/);
    });

    it("prints the audit of objects that predate the guards, the same line as docs/DEPLOY.md", async () => {
        const result = await buildPlan(EXAMPLE);
        assert.ok(result.ok);
        const audit = /list them before `pulumi up`: (kubectl get \S+ -A)$/m.exec(renderPlan(result.plan));
        assert.ok(audit, "the plan prints no audit line");
        const doc = fs.readFileSync(path.join(__dirname, "..", "docs", "DEPLOY.md"), "utf8");
        assert.ok(doc.includes(`\n${audit[1]}\n`), "docs/DEPLOY.md's audit line differs from the plan's");
        assert.match(audit[1], /vaultdynamicsecrets\.generators\.external-secrets\.io/);
        assert.match(audit[1], /,secretstores\.external-secrets\.io -A$/);
    });

    it("reads a secret's initial value from a secret config key", async () => {
        const file = stackFile(`config:
  eks-secrets-abac:clusterName: dev
  eks-secrets-abac:installPodIdentityAgent: true
  eks-secrets-abac:teams:
    - namespace: payments
      secrets:
        - name: db-password
          valueFromConfig: paymentsDbPassword
  eks-secrets-abac:paymentsDbPassword:
    secure: AAABAHjGc2VjcmV0
`);
        const result = await buildPlan(file);
        assert.ok(result.ok, JSON.stringify(result));
        const version = result.plan.resources.filter((r) => r.type === "aws:secretsmanager/secretVersion:SecretVersion");
        assert.strictEqual(version.length, 1);
    });

    it("refuses a config with a bad team, naming each entry, and runs nothing", async () => {
        const file = stackFile(`config:
  eks-secrets-abac:clusterName: dev
  eks-secrets-abac:installPodIdentityAgent: true
  eks-secrets-abac:teams:
    - namespace: Payments_Team
    - namespace: kube-system
`);
        const result = await buildPlan(file);
        assert.ok(!result.ok);
        assert.deepStrictEqual(result.problems.map((p) => p.path), ["teams[0].namespace", "teams[1].namespace"]);
    });
});

describe("the plan's verdict", () => {
    it("is OK for the example: no policy violation, no cross-team allow", async () => {
        const result = await buildPlan(EXAMPLE);
        assert.ok(result.ok);
        const verdict = await judgePlan(result.plan);
        assert.deepStrictEqual(verdict.violations, []);
        // One verdict (judge()): the shared role's matrix is its entry of verdict.isolation.
        const matrix = verdict.isolation[0].run!.matrix!;
        assert.strictEqual(matrix.unexpectedAllows.length, 0);
        assert.strictEqual(matrix.allowed!.flat().filter(Boolean).length, 8, "4 secrets, each readable by its team on each of 2 clusters");
        assert.ok(verdict.ok);
    });

    it("blocks a plan whose secret lost its tags: the policy pack's mandatory violation", async () => {
        const result = await buildPlan(EXAMPLE);
        assert.ok(result.ok);
        const secret = result.plan.resources.find((r) => r.type === "aws:secretsmanager/secret:Secret")!;
        secret.inputs = { ...secret.inputs, tags: {} };
        const verdict = await judgePlan(result.plan);
        assert.strictEqual(verdict.mandatoryViolations, 2);
        assert.deepStrictEqual([...new Set(verdict.violations.map((v) => `${v.policy} ${v.resource}`))], [`secrets-require-abac-tags ${secret.name}`]);
        assert.ok(!verdict.ok);
        assert.match(renderVerdict(verdict), /Verdict: BLOCKED/);
    });

    it("blocks a plan whose shared role compares tags by wildcard", async () => {
        const result = await buildPlan(EXAMPLE);
        assert.ok(result.ok);
        const abac = result.plan.roles.find((r) => JSON.stringify(r.permissionPolicies).includes("PrincipalTag"))!;
        const broken = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "stringlike-permission-policy.json"), "utf8"));
        abac.permissionPolicies = [broken];
        const rp = result.plan.resources.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.inputs.role === abac.name)!;
        rp.inputs = { ...rp.inputs, policy: JSON.stringify(broken) };
        const verdict = await judgePlan(result.plan);
        assert.ok(verdict.violations.some((v) => v.policy === "iam-abac-policy-requires-exact-tag-match" && v.enforcementLevel === "mandatory"));
        assert.ok(!verdict.ok);
    });
});

describe("the plan's access matrix on a large config", () => {
    it("decides isolation by the proof for any number of teams above the limit, and evaluates every pair below it", async () => {
        const teams = Array.from({ length: 20 }, (_, i) => ({ namespace: `team-${i}`, secrets: [{ name: "a" }, { name: "b" }] }));
        const result = await buildPlan(stackFile(YAML.stringify({ config: { "eks-secrets-abac:clusterName": "prod-eu", "eks-secrets-abac:installPodIdentityAgent": true, "eks-secrets-abac:teams": teams } })));
        assert.ok(result.ok);
        const proved = await judgePlan(result.plan, undefined, { matrixLimit: 2000 });
        const provedRun = proved.isolation[0].run!;
        assert.strictEqual(provedRun.matrix, undefined, "20 teams x 40 secrets x 2 clusters is above the limit of 2,000 decisions");
        assert.ok(provedRun.proof.proven);
        assert.strictEqual(provedRun.rows.length, 40);
        assert.ok(proved.ok);
        assert.match(renderVerdict(proved), /proven for any number of teams/);
        const both = await judgePlan(result.plan, undefined, { fullMatrix: true });
        const bothRun = both.isolation[0].run!;
        assert.strictEqual(bothRun.matrix!.decisions, 40 * 80 * 2);
        assert.deepStrictEqual(bothRun.disagreements, []);
        assert.deepStrictEqual(bothRun.rows, provedRun.rows, "the proof's per-session counts are the full matrix's");
    });
});
