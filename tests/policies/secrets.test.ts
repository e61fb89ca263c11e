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

describe("secrets-require-abac-tags with the provider's defaultTags and unknowns (in process)", () => {
    const SECRET_TYPE = "aws:secretsmanager/secret:Secret";
    const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    const provider = (tags: Record<string, string>) => ({ defaultTags: JSON.stringify({ tags }) });

    it("takes tags from defaultTags given as a JSON string or as an object", async () => {
        for (const providerProps of [provider({ "eks-cluster-name": "prod-eu" }), { defaultTags: { tags: { "eks-cluster-name": "prod-eu" } } }]) {
            assert.deepStrictEqual(await violations(secretsRequireAbacTags, SECRET_TYPE, { tags: { "kubernetes-namespace": "payments" } }, { providerProps }), []);
        }
    });

    it("lets the secret's own tag win over a default one", async () => {
        const found = await violations(secretsRequireAbacTags, SECRET_TYPE, { tags: { "kubernetes-namespace": "payments", "eks-cluster-name": " " } }, { providerProps: provider({ "eks-cluster-name": "prod-eu" }) });
        assert.strictEqual(found.length, 1);
    });

    it("is undecided, not passed, when the tag value or the whole defaultTags is unknown", async () => {
        const a = await violations(secretsRequireAbacTags, SECRET_TYPE, { tags: { "kubernetes-namespace": UNKNOWN, "eks-cluster-name": "x" } }, { providerProps: {} });
        assert.deepStrictEqual(a.length, 1);
        assert.match(a[0], /^undecided: .*\.tags\.kubernetes-namespace/);
        const b = await violations(secretsRequireAbacTags, SECRET_TYPE, { tags: { "kubernetes-namespace": "x" }, tagsAll: UNKNOWN }, { providerProps: { defaultTags: UNKNOWN } });
        assert.match(b.join("\n"), /^undecided: .*provider defaultTags/);
    });

    it("reports a certain violation even when other tags are unknown", async () => {
        const found = await violations(secretsRequireAbacTags, SECRET_TYPE, { tags: { "kubernetes-namespace": "pay*", "eks-cluster-name": UNKNOWN } }, { providerProps: {} });
        assert.strictEqual(found.length, 1);
        assert.match(found[0], /look like wildcards/);
    });

    it("excludeFor exempts a resource by name pattern", async () => {
        assert.deepStrictEqual(await violations(secretsRequireAbacTags, SECRET_TYPE, {}, { name: "legacy-db", config: { excludeFor: ["legacy-*"] } }), [
            "not applicable: excluded by excludeFor",
        ]);
    });
});
