import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { command } from "./inProcessCommand";
import { policies } from "../policypack/policies";
import { configuredPolicies } from "../cli/src/checker";

const ROOT = path.join(__dirname, "..");


describe("plan --policy-pack-config <file> (the file pulumi preview --policy-pack-config takes)", function () {
    this.timeout(300_000);

    it("refuses unknown policies, unknown options and bad levels, every one at once, with the closest name", () => {
        assert.throws(
            () => configuredPolicies(policies, { "secrets-require-abac-tag": "mandatory", "secrets-require-abac-tags": { enforcementLevel: "strict", requiredTags: ["team"] } }, "cfg.json"),
            (e: Error) => {
                assert.match(e.message, /^cfg\.json: 3 problem\(s\):/);
                assert.match(e.message, /secrets-require-abac-tag: not a policy of the pack; did you mean secrets-require-abac-tags\?/);
                assert.match(e.message, /secrets-require-abac-tags\.enforcementLevel: is "strict"/);
                assert.match(e.message, /requiredTags is not an option of the policy \(its options: requiredTagKeys, excludeFor\)/);
                return true;
            },
        );
    });

    it("a level and options change the verdict of the example stack; disabled leaves the policy out", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-config-"));
        try {
            const file = path.join(dir, "policy-config.json");
            fs.writeFileSync(file, JSON.stringify({ "secrets-require-abac-tags": { enforcementLevel: "mandatory", requiredTagKeys: ["team"] }, "pod-identity-association-keeps-session-tags": "disabled" }));
            const configured = await command(["plan", ROOT, "--stack", "example", "--policy-pack-config", file, "--json", "-q"]);
            assert.strictEqual(configured.code, 1, configured.stderr);
            const v = JSON.parse(configured.stdout);
            const tags = v.verdict.violations.filter((x: { policy: string }) => x.policy === "secrets-require-abac-tags");
            assert.ok(tags.length > 0 && tags.every((x: { enforcementLevel: string; message: string }) => x.enforcementLevel === "mandatory" && /'team'/.test(x.message)), JSON.stringify(tags[0]));
            assert.ok(!v.verdict.policies.some((p: { policy: string }) => p.policy === "pod-identity-association-keeps-session-tags"));
            const plain = await command(["plan", ROOT, "--stack", "example", "--json", "-q"]);
            assert.strictEqual(plain.code, 0, plain.stderr);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
