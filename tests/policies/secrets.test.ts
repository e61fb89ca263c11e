import * as assert from "assert";
import { secretsRequireAbacTags } from "../../policypack/policies/secrets";
import { violations } from "../helpers";

const SECRET = "aws:secretsmanager/secret:Secret";
const tagged = { name: "payments/db", tags: { "kubernetes-namespace": "payments", "eks-cluster-name": "prod-eu" } };
const withTags = (tags: Record<string, unknown>) => ({ ...tagged, tags });

describe("secrets-require-abac-tags", () => {
    it("is mandatory, with a full-sentence description and remediation", () => {
        assert.strictEqual(secretsRequireAbacTags.enforcementLevel, "mandatory");
        assert.match(secretsRequireAbacTags.description, /^Every Secrets Manager secret .*\.$/);
        assert.ok(secretsRequireAbacTags.remediationSteps);
    });

    it("passes a secret tagged with its namespace and cluster", async () => {
        assert.deepStrictEqual(await violations(secretsRequireAbacTags, SECRET, tagged), []);
    });

    it("reports an untagged secret once per missing key", async () => {
        assert.deepStrictEqual(await violations(secretsRequireAbacTags, SECRET, { name: "x" }, { name: "db" }), [
            "Secret 'db' has no 'kubernetes-namespace' tag, so no team can read it through the shared role: add the tag.",
            "Secret 'db' has no 'eks-cluster-name' tag, so no team can read it through the shared role: add the tag.",
        ]);
    });

    const bad: [string, string, RegExp][] = [
        ["an empty namespace", "", /is blank/],
        ["a blank namespace", "  ", /is blank/],
        ["a wildcard namespace", "pay*", /holds '\*' or '\?', which look like wildcards/],
        ["a single-character wildcard", "pay?ents", /look like wildcards/],
        ["a policy variable", "${aws:PrincipalTag/esoNamespace}", /a policy variable, not a namespace/],
        ["a value over 256 characters", "a".repeat(257), /has 257 characters; AWS allows 256/],
    ];
    for (const [what, value, expected] of bad) {
        it(`reports ${what}`, async () => {
            const found = await violations(secretsRequireAbacTags, SECRET, withTags({ ...tagged.tags, "kubernetes-namespace": value }));
            assert.strictEqual(found.length, 1, found.join("\n"));
            assert.match(found[0], expected);
        });
    }

    it("counts tags from the provider's defaultTags, and lets the secret's own tags win", async () => {
        const providerProps = { defaultTags: { tags: { "eks-cluster-name": "prod-eu" } } };
        assert.deepStrictEqual(
            await violations(secretsRequireAbacTags, SECRET, withTags({ "kubernetes-namespace": "payments" }), { providerProps }),
            [],
        );
        const blankDefault = { defaultTags: { tags: { "eks-cluster-name": "" } } };
        assert.strictEqual(
            (await violations(secretsRequireAbacTags, SECRET, withTags({ "kubernetes-namespace": "payments" }), { providerProps: blankDefault })).length,
            1,
        );
    });

    it("matches tag keys case-insensitively, as IAM does", async () => {
        assert.deepStrictEqual(
            await violations(secretsRequireAbacTags, SECRET, withTags({ "Kubernetes-Namespace": "payments", "EKS-Cluster-Name": "prod-eu" })),
            [],
        );
    });

    it("checks the keys that config names instead of the defaults", async () => {
        const found = await violations(secretsRequireAbacTags, SECRET, tagged, { config: { requiredTagKeys: ["team"] } });
        assert.deepStrictEqual(found, ["Secret 'subject' has no 'team' tag, so no team can read it through the shared role: add the tag."]);
    });

    it("does not apply to other resource types", async () => {
        assert.deepStrictEqual(await violations(secretsRequireAbacTags, "aws:s3/bucket:Bucket", {}), []);
    });
});
