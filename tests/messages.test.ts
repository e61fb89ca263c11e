/** Smaller messages: each says a thing once, and counts what it lists. */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { command } from "./inProcessCommand";
import { knownRegions, regionProblem } from "../cli/src/checker";

const ROOT = path.join(__dirname, "..");


describe("smaller messages", function () {
    this.timeout(120_000);
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "messages-"));
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: platform\nruntime:\n  name: nodejs\n  options:\n    typescript: true\nmain: index.ts\n");
        fs.writeFileSync(
            path.join(dir, "index.ts"),
            `import * as pulumi from "@pulumi/pulumi";\nimport { EksSecretsAbac, teamsFromConfig } from ${JSON.stringify(path.join(ROOT, "components"))};\nconst config = new pulumi.Config();\nnew EksSecretsAbac("platform", { clusterName: config.require("clusterName"), installPodIdentityAgent: config.requireBoolean("installPodIdentityAgent"), teams: teamsFromConfig(config) });\n`,
        );
        const stack = (region: string) => `config:\n  aws:region: ${region}\n  platform:clusterName: prod-eu\n  platform:installPodIdentityAgent: true\n  platform:teams:\n    - namespace: payments\n`;
        fs.writeFileSync(path.join(dir, "Pulumi.prod-eu.yaml"), stack("eu-wset-1"));
        fs.writeFileSync(path.join(dir, "Pulumi.staging-eu.yaml"), stack("eu-west-1"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("a Region typo names the entry once, and the count is of the Regions it lists (the provider's enum, for the partition)", async () => {
        const r = await command(["plan", dir, "--stack", "prod-eu", "-q"]);
        assert.strictEqual(r.code, 1);
        const line = r.stderr.split("\n").find((l) => l.includes("eu-wset-1"))!;
        assert.match(line, /^ {2}aws:region: is `eu-wset-1` \(set in .*Pulumi\.prod-eu\.yaml\): not an AWS Region; did you mean `eu-west-1`\?/);
        assert.strictEqual(line.match(/aws:region/g)!.length, 1, line);
        const [, count, list] = /the AWS provider's (\d+) Regions of the `aws` partition: ([^)]*)\)/.exec(line)!;
        const listed = list.split(", ");
        assert.strictEqual(Number(count), listed.length);
        assert.strictEqual(new Set(listed).size, listed.length);
        // Every Region of the provider's enum in the partition, none from another.
        const all = knownRegions(ROOT)!;
        assert.deepStrictEqual(listed, all.filter((x) => !/^(cn-|us-gov-|us-iso|eu-isoe-|eusc-)/.test(x)));
        assert.ok(all.length > listed.length, "the enum has Regions of other partitions, which are not counted");
        assert.ok(!listed.includes("eu-isoe-west-1") && !listed.includes("us-isof-south-1"), "ISO-E and ISO-F Regions are not the aws partition's");
    });

    it("a Region of another partition says which, once", () => {
        assert.strictEqual(regionProblem("cn-north-1", "set in Pulumi.x.yaml", "aws", ROOT), "is `cn-north-1` (set in Pulumi.x.yaml), a Region of the `aws-cn` partition, but the stack's ARNs are in `aws`: use a Region of `aws`");
    });

    it("--stack with a misspelt stack names the stacks that exist, with the closest, not ENOENT", async () => {
        const r = await command(["plan", dir, "--stack", "prod-ue", "-q"]);
        assert.strictEqual(r.code, 1);
        assert.doesNotMatch(r.stderr, /ENOENT/);
        assert.match(r.stderr, /no stack prod-ue \(no Pulumi\.prod-ue\.yaml\); did you mean `--stack prod-eu`\? The stacks here: prod-eu, staging-eu/);
        const onboard = await command(["onboard", dir, "--stack", "prod-ue", "--namespace", "data", "-q"]);
        assert.match(onboard.stderr, /did you mean `--stack prod-eu`\?/);
    });
});
