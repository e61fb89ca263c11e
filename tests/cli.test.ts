/**
 * The npm scripts as a user runs them: exit codes, what they print on stdout
 * and stderr, and what they write. `npm run plan` itself is spawned through
 * npm and through node with ts-node (the wiring of the script); the other
 * cases run the scripts' own argv builders and `main`s in this process, with
 * the binary's error handling (`failureOf`).
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { ACCESS_MATRIX_COMMAND, accessMatrixArgv } from "../scripts/access-matrix";
import { bench, BENCH_COMMAND } from "../scripts/bench";
import { onboard, ONBOARD_COMMAND } from "../scripts/onboard";
import { PLAN_COMMAND, withRepositoryDefaults } from "../scripts/plan";
import { main } from "../cli/src/main";
import { FIXTURES } from "./helpers";
import { CommandResult, inProcess } from "./inProcessCommand";

const ROOT = path.join(__dirname, "..");

/** As `npm run <script> -- args` starts it: node with ts-node's transpile-only hook, in the project folder. */
function spawnScript(script: string, args: string[]) {
    const result = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(ROOT, "scripts", script), ...args], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, NODE_NO_WARNINGS: "1" },
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `npm run <script> -- args`, in this process: the script's argv builder and main. */
const SCRIPTS: Record<string, (args: string[]) => Promise<number>> = {
    "plan.ts": (args) => main(withRepositoryDefaults("plan", args)),
    "access-matrix.ts": (args) => main(accessMatrixArgv(args)),
    "onboard.ts": onboard,
    "bench.ts": bench,
};
const run = (script: string, args: string[]): Promise<CommandResult> => inProcess(() => SCRIPTS[script](args));
/** Several in a row (the commands share this process's stdout, so they do not overlap). */
async function runAll(calls: [string, string[]][]): Promise<CommandResult[]> {
    const results: CommandResult[] = [];
    for (const [script, args] of calls) results.push(await run(script, args));
    return results;
}

/** Through npm itself, banner and all. */
function npm(args: string[]) {
    const result = spawnSync("npm", args, { cwd: ROOT, encoding: "utf8", env: { ...process.env, NODE_NO_WARNINGS: "1" } });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function tmp(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), "eks-secrets-abac-cli-"));
}

function stack(dir: string, config: Record<string, unknown>, name = "Pulumi.dev.yaml"): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, YAML.stringify({ config }));
    return file;
}

describe("commands", function () {
    this.timeout(180_000);

    it("plan: an OK verdict for the example, the policy table, the chart's hardening, and progress that ends at the real total", () => {
        const good = spawnScript("plan.ts", []);
        assert.strictEqual(good.code, 0, good.stderr);
        assert.match(good.stdout, /Verdict: OK/);
        assert.match(good.stdout, /cluster prod-eu, Region eu-west-1, account 111122223333 \(offline placeholder/);
        assert.match(good.stdout, /policy +level +checked +violations/);
        assert.match(good.stdout, /secrets-require-abac-tags +mandatory +4 +0/, "4 secrets checked, no violation");
        assert.match(good.stdout, /chart external-secrets 2\.9\.0 from https:\/\/charts\.external-secrets\.io/);
        assert.match(good.stdout, /hardened +processSecretStore = false/);
        assert.match(good.stdout, /proven for any number of teams/);
        // stderr is a pipe here, not a terminal: progress comes as lines, the last one the real total.
        const counts = [...good.stderr.matchAll(/resources registered: (\d+)\/(\d+)/g)];
        assert.ok(counts.length > 0, good.stderr);
        assert.ok(counts.every(([, done, total]) => done === total));
    });

    it("plan: every configuration problem at once, shape and rules, exit 1", async () => {
        const file = stack(tmp(), {
            "eks-secrets-abac:clusterName": "dev", "eks-secrets-abac:installPodIdentityAgent": true,
            "eks-secrets-abac:teams": [{ namespace: "Payments_Team" }, { namespace: "search", createNamespace: "yes" }, { namespace: "kube-system" }],
        });
        const refused = await run("plan.ts", ["--config", file]);
        assert.strictEqual(refused.code, 1);
        assert.match(refused.stderr, /teams\[0\]\.namespace: is `Payments_Team`/);
        assert.match(refused.stderr, /teams\[1\]\.createNamespace: must be of type boolean/);
        assert.match(refused.stderr, /teams\[2\]\.namespace: is `kube-system`/);
    });

    it("plan: bad YAML, a missing file and an unknown Region name the file (exit 1); a wrong option is a usage error (exit 2)", async () => {
        const dir = tmp();
        const bad = path.join(dir, "Pulumi.broken.yaml");
        fs.writeFileSync(bad, "config:\n  eks-secrets-abac:clusterName: dev\n   bad: [\n");
        const typo = path.join(dir, "Pulumi.typo.yaml");
        fs.writeFileSync(typo, fs.readFileSync(path.join(ROOT, "Pulumi.example.yaml"), "utf8").replace("aws:region: eu-west-1", "aws:region: eu-centrall-1"));
        const [yamlError, missing, usage, out, other, region] = await runAll([
            ["plan.ts", ["--config", bad]],
            ["plan.ts", ["--config", path.join(dir, "Pulumi.none.yaml")]],
            ["plan.ts", ["--confg", bad]],
            ["plan.ts", ["--out", "plan.json"]],
            ["plan.ts", ["--config", "examples/cross-account/Pulumi.dev.yaml"]],
            ["plan.ts", ["--config", typo, "-q"]],
        ]);
        assert.strictEqual(yamlError.code, 1);
        assert.ok(yamlError.stderr.startsWith(`${bad}: `), yamlError.stderr);
        assert.match(yamlError.stderr, /at line 2, column 33/);
        assert.strictEqual(missing.code, 1);
        assert.match(missing.stderr, /Pulumi\.none\.yaml: cannot read the stack file \(ENOENT\)/);
        assert.strictEqual(usage.code, 2);
        assert.match(usage.stderr, /^unknown option --confg: did you mean --config\?/);
        // --out without --json would be ignored: refused. Another project's stack file: planned with that project's program
        // (npm run plan is the command's plan on the stack file's project (it refused it before one verdict served every command).
        assert.match(out.stderr.trim(), /^--out plan\.json names the file for the JSON: add --json/);
        assert.strictEqual(out.code, 2);
        assert.strictEqual(other.code, 0, other.stderr);
        assert.strictEqual(region.code, 1, region.stderr);
        assert.match(region.stderr, /aws:region: is `eu-centrall-1` \(set in .*Pulumi\.typo\.yaml\): not an AWS Region; did you mean `eu-central-1`\?/m);
        assert.match(other.stdout, /^examples\/cross-account: program run offline, stack dev, project /);
        assert.match(other.stdout, /\nVerdict: OK\n$/);
    });

    it("plan --json through npm: only JSON on stdout with --silent, or in the --out file; in the stack's Region and account", async () => {
        const dir = tmp();
        const file = stack(dir, {
            "aws:region": "us-east-1",
            "aws:allowedAccountIds": ["444455556666"],
            "eks-secrets-abac:clusterName": "prod-us", "eks-secrets-abac:installPodIdentityAgent": true,
            "eks-secrets-abac:teams": [{ namespace: "payments", secrets: [{ name: "db" }] }],
        });
        const silent = npm(["run", "--silent", "plan", "--", "--json", "--config", file]);
        assert.strictEqual(silent.code, 0, silent.stderr);
        const json = JSON.parse(silent.stdout);
        assert.strictEqual(json.ok, true);
        assert.deepStrictEqual(json.plan.account, { accountId: "444455556666", partition: "aws", region: "us-east-1", accountFromConfig: true });
        assert.strictEqual(json.plan.clusterSecretStore.spec.provider.aws.region, "us-east-1");
        const abac = json.plan.roles.find((r: { permissionPolicies: unknown[] }) => JSON.stringify(r.permissionPolicies).includes("PrincipalTag"));
        assert.strictEqual(abac.permissionPolicies[0].Statement[0].Resource, "arn:aws:secretsmanager:us-east-1:444455556666:secret:*");
        // One verdict for every command: an entry per role in verdict.isolation.
        assert.strictEqual(json.status, "OK");
        assert.strictEqual(json.verdict.isolation[0].proven, true);
        assert.deepStrictEqual(json.verdict.isolation[0].clusters, ["prod-us", "another-cluster"]);

        const out = path.join(dir, "plan.json");
        const banner = await run("plan.ts", ["--json", "--out", out, "--config", file]);
        assert.strictEqual(banner.code, 0, banner.stderr);
        assert.strictEqual(JSON.parse(fs.readFileSync(out, "utf8")).ok, true);
    });

    it("every command answers --help with every option, and exit 0", async () => {
        const commands = [
            ["plan.ts", PLAN_COMMAND],
            ["access-matrix.ts", ACCESS_MATRIX_COMMAND],
            ["onboard.ts", ONBOARD_COMMAND],
            ["bench.ts", BENCH_COMMAND],
        ] as const;
        const helps = await runAll(commands.map(([script]): [string, string[]] => [script, ["--help"]]));
        for (const [i, [script, spec]] of commands.entries()) {
            const help = helps[i];
            assert.strictEqual(help.code, 0, `${script}: ${help.stderr}`);
            for (const option of [...Object.keys(spec.options), "help"]) assert.ok(help.stdout.includes(`--${option}`), `${script} --help lacks --${option}`);
            assert.match(help.stdout, /Exit codes: 0 ok; 1 .*; 2 wrong usage/);
        }
    });

    it("access-matrix: the example's heat map has a title, axis titles, the verdict in words and a legend; the HTML searches by team", async () => {
        const out = tmp();
        const ok = await run("access-matrix.ts", ["--report-dir", out]);
        assert.strictEqual(ok.code, 0, ok.stderr);
        assert.match(ok.stdout, /Isolated: every team reads its own secrets on its own cluster and no other team's value, for any number of teams\./);
        const svg = fs.readFileSync(path.join(out, "access-matrix.svg"), "utf8");
        assert.match(svg, /^<svg /);
        assert.match(svg, /Access matrix: who can read which secret/);
        assert.match(svg, /rows: who reads \(session cluster\/namespace\)/);
        assert.match(svg, /columns: the secret read \(cluster:name\)/);
        assert.match(svg, /a team cannot read its own \(design broken\)/);
        assert.match(svg, /Principals evaluated: the sessions of the shared role `prod-eu-shared-abac-role`/);
        assert.match(svg, /value secretsmanager:GetSecretValue/);
        assert.match(svg, /<title>prod-eu\/payments reads prod-eu:payments\/db-password: own secret, read<\/title>/);
        assert.match(fs.readFileSync(path.join(out, "access-matrix.md"), "utf8"), /\| `prod-eu\/payments` \|[^\n]*\| ✅ \| ✅ \|/);
        const html = fs.readFileSync(path.join(out, "access-matrix.html"), "utf8");
        assert.match(html, /<input id="q" type="search"/);
        assert.match(html, /<td>another-cluster\/billing<\/td><td>1<\/td><td>1<\/td><td>0<\/td><td>0<\/td><td>0<\/td><td>7<\/td><td>0<\/td>/);
        assert.match(html, /Principals evaluated: the sessions of the shared role/);
    });

    it("access-matrix: a wildcard tag match refuses the proof, and every pair then shows the cross-team reads (exit 1)", async () => {
        const out = tmp();
        const broken = await run("access-matrix.ts", [
            "--config", path.join(FIXTURES, "Pulumi.prefix-teams.yaml"),
            "--permission-policy", path.join(FIXTURES, "stringlike-permission-policy.json"),
            "--report-dir", out,
        ]);
        assert.strictEqual(broken.code, 1);
        assert.match(broken.stdout, /proof: does not apply to these documents/);
        assert.match(broken.stdout, /a wildcard on a tag \(`\$\{aws:PrincipalTag\/esoNamespace\}\*`\)/);
        assert.match(broken.stdout, /A TEAM CAN READ ANOTHER'S SECRET: session prod-eu\/a reads prod-eu:a-admin\/root-token; granted by Statement\[0\]/);
        assert.match(broken.stdout, /NOT isolated: a team can read another team's secret: \d+ pair\(s\)/);
        assert.match(fs.readFileSync(path.join(out, "access-matrix.svg"), "utf8"), /#d32f2f"><title>prod-eu\/a reads prod-eu:a-admin\/root-token: another team&#39;s value, READABLE/);
    });

    it("access-matrix: a policy that denies every read fails too, own secrets denied in their own colour (exit 1)", async () => {
        const out = tmp();
        const denied = await run("access-matrix.ts", ["--permission-policy", path.join(FIXTURES, "deny-all-permission-policy.json"), "--report-dir", out]);
        assert.strictEqual(denied.code, 1);
        assert.match(denied.stdout, /another team's value readable: 0 pair\(s\) \(full: 0, partial: 0\); own objects ESO cannot read: 8/);
        assert.match(denied.stdout, /A TEAM CANNOT READ ITS OWN SECRET \(class\): same namespace, same cluster; refused by Statement\[0\] \(DenyEveryRead\)/);
        assert.match(denied.stdout, /NOT isolated: a team cannot read its own secret: 8 pair\(s\)/);
        assert.match(fs.readFileSync(path.join(out, "access-matrix.svg"), "utf8"), /#f9a825"><title>prod-eu\/payments reads prod-eu:payments\/db-password: own secret, CANNOT be read/);
    });

    it("access-matrix: GetSecretValue alone is a read; an Allow on payments/* or on * fails (exit 1) naming the statement and a pair, and a GetSecretValue-only design with its explicit Deny on tags that differ is isolated (exit 0)", async () => {
        const outs = [tmp(), tmp(), tmp()];
        const [prefix, open, valueOnly] = await runAll(
            ["payments-prefix-permission-policy.json", "open-beside-idle-deny-permission-policy.json", "get-secret-value-only-permission-policy.json"].map((f, i) =>
                // --metadata-level error: the GetSecretValue-only design exposes no metadata either.
                ["access-matrix.ts", ["--permission-policy", path.join(FIXTURES, f), "--report-dir", outs[i], "-q", "--metadata-level", "error"]] as [string, string[]],
            ),
        );
        assert.strictEqual(prefix.code, 1, prefix.stdout);
        // Teams come in name order (the stack's resources, as every input gives them): billing's reads are explained first.
        assert.match(prefix.stdout, /A TEAM CAN READ ANOTHER'S SECRET: session prod-eu\/billing reads prod-eu:payments\/db-password; granted by Statement\[1\] \(PaymentsForEveryone\)/);
        assert.match(prefix.stdout, /NOT isolated: a team can read another team's secret/);
        // The heat map shows the read in red, where it showed every cross-team cell as denied before.
        assert.match(fs.readFileSync(path.join(outs[0], "access-matrix.svg"), "utf8"), /#d32f2f"><title>prod-eu\/search reads prod-eu:payments\/db-password: another team&#39;s value, READABLE/);
        assert.strictEqual(open.code, 1, open.stdout);
        assert.match(open.stdout, /proof: DISPROVEN/);
        assert.match(open.stdout, /A TEAM CAN READ ANOTHER'S SECRET \(class\): other namespace, same cluster; granted by Statement\[1\] \(OpenRead\)/);
        assert.match(open.stdout, /A TEAM CAN READ ANOTHER'S SECRET: session prod-eu\/billing reads prod-eu:search\/opensearch; granted by Statement\[1\] \(OpenRead\)/);
        assert.strictEqual(valueOnly.code, 0, valueOnly.stdout);
        assert.match(valueOnly.stdout, /proof: proven for any number of teams/);
        assert.match(valueOnly.stdout, /by action \(allowed on own objects \/ on other teams'\): secretsmanager:GetSecretValue 8\/0; secretsmanager:DescribeSecret 0\/0/);
    });

    it("access-matrix writes into git-ignored .plan/ by default, not docs/", async () => {
        const docs = fs.readFileSync(path.join(ROOT, "docs", "access-matrix.svg"), "utf8");
        const ok = await run("access-matrix.ts", ["-q"]);
        assert.strictEqual(ok.code, 0, ok.stderr);
        assert.match(ok.stdout, /wrote \.plan\/access-matrix\.md/);
        assert.ok(fs.existsSync(path.join(ROOT, ".plan", "access-matrix.html")));
        assert.strictEqual(fs.readFileSync(path.join(ROOT, "docs", "access-matrix.svg"), "utf8"), docs);
        assert.match(fs.readFileSync(path.join(ROOT, ".gitignore"), "utf8"), /^\.plan\/$/m);
    });

    it("onboard adds a team to a copy of the example and keeps its comments; a bad one leaves the file alone", async () => {
        const file = path.join(tmp(), "Pulumi.dev.yaml");
        fs.copyFileSync(path.join(ROOT, "Pulumi.example.yaml"), file);
        const added = await run("onboard.ts", ["--config", file, "--namespace", "ledger", "--secret", "api-token"]);
        assert.strictEqual(added.code, 0, added.stderr);
        assert.match(added.stdout, /the next plan adds 2 resources and changes 0/);
        const text = fs.readFileSync(file, "utf8");
        assert.match(text, /# A namespace that exists already/);
        assert.match(text, /- namespace: ledger/);
        const refused = await run("onboard.ts", ["--config", file, "--namespace", "kube-system"]);
        assert.strictEqual(refused.code, 1);
        assert.strictEqual(fs.readFileSync(file, "utf8"), text);
        assert.strictEqual((await run("onboard.ts", ["--config", file])).code, 2, "--namespace is required");
    });
});
