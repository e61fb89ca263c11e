import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { controllerTrustPolicy, renderPolicy } from "../components";
import { policies } from "../policypack/policies";
import { PACK_DIR, PolicyPackProcess } from "./analyzer";

const SECRET = "aws:secretsmanager/secret:Secret";

describe("the policy pack", () => {
    it("names every policy in kebab case, once, with a sentence, a level, a severity and remediation", () => {
        const names = policies.map((p) => p.name);
        assert.strictEqual(new Set(names).size, names.length);
        for (const p of policies) {
            assert.match(p.name, /^[a-z0-9]+(-[a-z0-9]+)+$/, p.name);
            assert.match(p.description, /^[A-Z].*\.$/, p.name);
            assert.ok(p.enforcementLevel && p.severity && p.remediationSteps, p.name);
        }
        assert.deepStrictEqual(names.slice(0, 2), ["secrets-require-abac-tags", "trust-policy-requires-tag-session"]);
    });

    it("ships an example config that names only real policies and sets only their options", () => {
        const config = JSON.parse(fs.readFileSync(path.join(PACK_DIR, "policy-config.example.json"), "utf8"));
        for (const [name, value] of Object.entries(config)) {
            const policy = policies.find((p) => p.name === name);
            assert.ok(policy, `${name} is not a policy`);
            if (typeof value === "object") {
                for (const key of Object.keys(value as object).filter((k) => k !== "enforcementLevel")) {
                    assert.ok(policy.configSchema?.properties[key], `${name} has no option ${key}`);
                }
            }
        }
    });

    it("README lists every policy with its default level", () => {
        const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
        for (const p of policies) assert.ok(readme.includes(`| \`${p.name}\` | ${p.enforcementLevel} |`), p.name);
    });
});

describe("the policy pack loaded as `pulumi preview --policy-pack policypack` loads it", function () {
    this.timeout(180_000);
    let pack: PolicyPackProcess;

    before(async () => {
        pack = await PolicyPackProcess.start();
    });
    after(() => pack?.stop());

    it("GetAnalyzerInfo lists every policy with its level", async () => {
        const info = await pack.info();
        assert.strictEqual(info.name, "eks-secrets-abac");
        assert.strictEqual(info.version, "0.1.0");
        assert.deepStrictEqual(
            info.policies.map((p) => [p.name, p.enforcementLevel]),
            policies.map((p) => [p.name, p.enforcementLevel]),
        );
    });

    it("Analyze of an untagged secret returns mandatory violations of secrets-require-abac-tags", async () => {
        const found = await pack.analyze(SECRET, "db", { name: "payments/db" });
        assert.deepStrictEqual(
            found.map((d) => [d.policyName, d.enforcementLevel]),
            [
                ["secrets-require-abac-tags", "mandatory"],
                ["secrets-require-abac-tags", "mandatory"],
            ],
        );
        assert.match(found[0].message, /has no 'kubernetes-namespace' tag/);
    });

    it("Analyze of a tagged secret returns nothing", async () => {
        const found = await pack.analyze(SECRET, "db", { name: "payments/db", tags: { "kubernetes-namespace": "payments", "eks-cluster-name": "prod-eu" } });
        assert.deepStrictEqual(found, []);
    });

    it("--policy-pack-config changes a policy's level and options", async () => {
        const association = "aws:eks/podIdentityAssociation:PodIdentityAssociation";
        assert.deepStrictEqual((await pack.analyze(association, "eso", { disableSessionTags: true })).map((d) => d.enforcementLevel), ["advisory"]);
        await pack.configure({
            "pod-identity-association-keeps-session-tags": { enforcementLevel: "mandatory" },
            "secrets-require-abac-tags": { enforcementLevel: "mandatory", requiredTagKeys: ["team"] },
        });
        try {
            assert.deepStrictEqual((await pack.analyze(association, "eso", { disableSessionTags: true })).map((d) => d.enforcementLevel), ["mandatory"]);
            const found = await pack.analyze(SECRET, "db", { tags: { "kubernetes-namespace": "payments", "eks-cluster-name": "prod-eu" } });
            // The CLI shows the policy's description, then the violation.
            assert.deepStrictEqual(found.map((d) => d.message.split("\n").pop()), ["Secret 'db' has no 'team' tag, so no team can read it through the shared role: add the tag."]);
        } finally {
            await pack.configure({});
        }
    });

    it("AnalyzeStack reports a Pod Identity role whose trust lacks sts:TagSession", async () => {
        const trust = controllerTrustPolicy({
            partition: "aws",
            accountId: "111122223333",
            clusterArn: "arn:aws:eks:eu-west-1:111122223333:cluster/prod-eu",
            esoNamespace: "external-secrets",
            esoServiceAccount: "external-secrets",
        });
        const good = { type: "aws:iam/role:Role", name: "controller", props: { name: "controller", assumeRolePolicy: renderPolicy(trust) } };
        assert.deepStrictEqual(await pack.analyzeStack([good]), []);
        trust.Statement[0].Action = "sts:AssumeRole";
        const bad = { ...good, props: { ...good.props, assumeRolePolicy: renderPolicy(trust) } };
        const found = await pack.analyzeStack([bad]);
        assert.deepStrictEqual(found.map((d) => [d.policyName, d.enforcementLevel]), [["trust-policy-requires-tag-session", "mandatory"]]);
    });
});
