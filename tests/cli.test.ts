/** The commands as a user runs them: exit codes and what they print or write. */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { FIXTURES } from "./helpers";

const ROOT = path.join(__dirname, "..");

function run(script: string, args: string[]) {
    const result = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(ROOT, "scripts", script), ...args], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, NODE_NO_WARNINGS: "1" },
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function tmp(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), "eks-secrets-abac-cli-"));
}

describe("commands", function () {
    this.timeout(120_000);

    it("plan exits 0 with an OK verdict for the example, and 1 naming the entry for a bad team", () => {
        const good = run("plan.ts", []);
        assert.strictEqual(good.code, 0, good.stderr);
        assert.match(good.stdout, /Verdict: OK/);
        const dir = tmp();
        const bad = path.join(dir, "Pulumi.bad.yaml");
        fs.writeFileSync(bad, "config:\n  eks-secrets-abac:clusterName: dev\n  eks-secrets-abac:teams:\n    - namespace: Payments_Team\n");
        const refused = run("plan.ts", ["--config", bad]);
        assert.strictEqual(refused.code, 1);
        assert.match(refused.stderr, /teams\[0\]\.namespace: is `Payments_Team`/);
    });

    it("plan --json gives CI the verdict", () => {
        const result = run("plan.ts", ["--json"]);
        assert.strictEqual(result.code, 0, result.stderr);
        const json = JSON.parse(result.stdout);
        assert.strictEqual(json.ok, true);
        assert.strictEqual(json.plan.teams.length, 3);
        assert.strictEqual(json.verdict.matrix.unexpectedAllows.length, 0);
    });

    it("access-matrix writes the table and the picture, and exits 1 for a StringLike policy", () => {
        const out = tmp();
        const ok = run("access-matrix.ts", ["--out", out]);
        assert.strictEqual(ok.code, 0, ok.stderr);
        assert.match(fs.readFileSync(path.join(out, "access-matrix.md"), "utf8"), /\| `prod-eu\/payments` \| ✅ \| ✅ \|/);
        assert.match(fs.readFileSync(path.join(out, "access-matrix.svg"), "utf8"), /^<svg /);
        const broken = run("access-matrix.ts", [
            "--config", path.join(FIXTURES, "Pulumi.prefix-teams.yaml"),
            "--permission-policy", path.join(FIXTURES, "stringlike-permission-policy.json"),
            "--out", out,
        ]);
        assert.strictEqual(broken.code, 1);
        assert.match(broken.stdout, /CROSS-TEAM ALLOW: session prod-eu\/a reads prod-eu:a-admin\/root-token/);
        assert.match(fs.readFileSync(path.join(out, "access-matrix.svg"), "utf8"), /#d32f2f/);
    });

    it("onboard adds a team to a copy of the example and keeps its comments; a bad one leaves the file alone", () => {
        const file = path.join(tmp(), "Pulumi.dev.yaml");
        fs.copyFileSync(path.join(ROOT, "Pulumi.example.yaml"), file);
        const added = run("onboard.ts", ["--config", file, "--namespace", "ledger", "--secret", "api-token"]);
        assert.strictEqual(added.code, 0, added.stderr);
        assert.match(added.stdout, /the next plan adds 2 resources and changes 0/);
        const text = fs.readFileSync(file, "utf8");
        assert.match(text, /# A namespace that exists already/);
        assert.match(text, /- namespace: ledger/);
        const refused = run("onboard.ts", ["--config", file, "--namespace", "kube-system"]);
        assert.strictEqual(refused.code, 1);
        assert.strictEqual(fs.readFileSync(file, "utf8"), text);
    });
});
