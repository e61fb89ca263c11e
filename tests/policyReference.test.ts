import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { optionsOf, policyReferenceMarkdown } from "../cli/src/policyReference";
import { policies } from "../policypack/policies";

describe("the policy reference, generated from the pack", () => {
    it("docs/POLICIES.md is the reference of the pack as it is (regenerate: npm run eks-secrets-abac -- policies --markdown > docs/POLICIES.md)", () => {
        assert.strictEqual(fs.readFileSync(path.join(__dirname, "..", "docs", "POLICIES.md"), "utf8"), policyReferenceMarkdown(policies));
    });

    it("lists every option of every policy's configSchema with its type and default", () => {
        const text = policyReferenceMarkdown(policies);
        for (const p of policies) {
            assert.ok(text.includes(`## ${p.name}\n`), p.name);
            for (const key of Object.keys(p.configSchema?.properties ?? {})) assert.ok(optionsOf(p).some((o) => o.name === key), `${p.name}.${key}`);
        }
        const tags = optionsOf(policies.find((p) => p.name === "secrets-require-abac-tags")!).find((o) => o.name === "requiredTagKeys")!;
        assert.deepStrictEqual([tags.type, tags.default], ["string[]", ["kubernetes-namespace", "eks-cluster-name"]]);
        assert.match(text, /\| `minimumVersion` \| string \| `"2\.5\.0"`/);
    });
});
