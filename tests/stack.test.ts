import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildPlan, renderPlan } from "../scripts/lib/plan";

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

    it("reads a secret's initial value from a secret config key", async () => {
        const file = stackFile(`config:
  eks-secrets-abac:clusterName: dev
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
  eks-secrets-abac:teams:
    - namespace: Payments_Team
    - namespace: kube-system
`);
        const result = await buildPlan(file);
        assert.ok(!result.ok);
        assert.deepStrictEqual(result.problems.map((p) => p.path), ["teams[0].namespace", "teams[1].namespace"]);
    });
});
