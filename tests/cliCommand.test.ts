/**
 * The installed command, `eks-secrets-abac` (package cli/): packed and
 * installed with the packed components into a project outside the
 * repository (tests/consumer.ts) and run there with `npx`; its usage errors
 * and inputs through the compiled JavaScript in cli/lib (plain node, no
 * ts-node); its SARIF checked by Microsoft's SARIF Multitool and the SARIF
 * 2.1.0 schema the Multitool ships.
 */
import * as assert from "assert";
import { execFile, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import Ajv2020 from "ajv/dist/2020";
import { policies as packPolicies } from "../policypack/policies";
import { cliConsumer, installedLicences, packed, PROGRAM, ROOT } from "./consumer";
import { command } from "./inProcessCommand";

const BIN = path.join(ROOT, "cli", "lib", "cli", "src", "main.js");
const MULTITOOL_DIR = path.join(ROOT, "node_modules", "@microsoft", "sarif-multitool-linux");

/** The compiled command with plain node, from the repository: the binary's own wiring (exit codes, streams). */
function spawnCli(args: string[]) {
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, NODE_NO_WARNINGS: "1" } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The command's main in this process (the binary's error handling included), from the repository. */
const cli = command;

/** As a user runs it in their project: `npx eks-secrets-abac ...`. */
function npx(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        execFile("npx", ["--no-install", "eks-secrets-abac", ...args], { cwd, env: { ...process.env, NODE_NO_WARNINGS: "1" }, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) =>
            resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
    });
}

/** Findings of `Sarif.Multitool validate` on `file` (it exits 0 whatever it finds: its own SARIF log says). */
function multitool(file: string): { level: string; ruleId: string; text: string }[] {
    const exe = path.join(MULTITOOL_DIR, "Sarif.Multitool");
    fs.accessSync(exe, fs.constants.X_OK);
    const out = `${file}.validation.sarif`;
    const r = spawnSync(exe, ["validate", "--output", out, file], { encoding: "utf8", env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: "1" } });
    assert.ok(fs.existsSync(out), `the Multitool wrote no log: ${r.stdout}${r.stderr}`);
    const log = JSON.parse(fs.readFileSync(out, "utf8"));
    assert.strictEqual(log.runs[0].invocations[0].executionSuccessful, true, r.stdout);
    return (log.runs[0].results ?? []).map((x: any) => ({ level: x.level ?? "warning", ruleId: x.ruleId, text: x.message?.text ?? JSON.stringify(x.message) }));
}

const schemaCheck = (() => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
    return ajv.compile(JSON.parse(fs.readFileSync(path.join(MULTITOOL_DIR, "sarif-2.1.0.json"), "utf8")));
})();

function project(dir: string, program: string): string {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: consumer\nruntime:\n  name: nodejs\n  options:\n    typescript: true\nmain: index.ts\n");
    fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), "config:\n  aws:region: eu-west-1\n");
    fs.writeFileSync(path.join(dir, "index.ts"), program);
    return dir;
}

/** The user's program plus a role of their own that may read every secret. */
const GREEDY = `${PROGRAM}
import * as aws from "@pulumi/aws";
const reader = new aws.iam.Role("reader", {
    name: "reader",
    assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
});
new aws.iam.RolePolicy("reader-all-secrets", {
    role: reader.name,
    policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*" }] }),
});
`;

/** A preview of one new secret without the ABAC tags (pkg/display/json.go PreviewDigest; newState a ResourceV3). */
const UNTAGGED_PREVIEW = {
    config: { "aws:region": "eu-west-1" },
    steps: [
        {
            op: "create",
            urn: "urn:pulumi:dev::consumer::aws:secretsmanager/secret:Secret::orphan",
            newState: { urn: "urn:pulumi:dev::consumer::aws:secretsmanager/secret:Secret::orphan", custom: true, type: "aws:secretsmanager/secret:Secret", inputs: { name: "orphan" } },
        },
    ],
    changeSummary: { create: 1 },
};

describe("the eks-secrets-abac command", function () {
    this.timeout(240_000);
    let tmp: string;
    before(() => {
        assert.ok(fs.existsSync(BIN), `${BIN} is missing: run \`npm run build\` (npm test does)`);
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "eks-secrets-abac-command-"));
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    describe("usage and bad input (exit 2 for usage, 1 for input)", () => {
        it("--help of every command, exit 0; no command is usage (2); a mistyped command or option gets the closest one", async () => {
            for (const c of ["plan", "access-matrix", "onboard", "policies", "why"]) {
                const r = await cli([c, "--help"]);
                assert.strictEqual(r.code, 0, r.stderr);
                assert.match(r.stdout, new RegExp(`^Usage: eks-secrets-abac ${c}`));
                assert.match(r.stdout, /Exit codes: 0 ok; 1 /);
            }
            assert.strictEqual(spawnCli([]).code, 2, "the binary exits 2 without a command");
            const typo = await cli(["pln"]);
            assert.deepStrictEqual([typo.code, /unknown command `pln`: did you mean `plan`\?/.test(typo.stderr)], [2, true], typo.stderr);
            const option = spawnCli(["plan", "--jsno"]);
            assert.deepStrictEqual([option.code, option.stderr.split("\n")[0]], [2, "unknown option --jsno: did you mean --json?"]);
            const far = await cli(["plan", "--colour"]);
            assert.deepStrictEqual([far.code, far.stderr.split("\n")[0]], [2, "unknown option --colour"]);
        });

        it("--out without --json is refused (2), before anything is read", async () => {
            const r = await cli(["plan", "does-not-exist", "--out", "x.json"]);
            assert.strictEqual(r.code, 2);
            assert.match(r.stderr, /--out x\.json names the file for the JSON: add --json/);
        });

        it("a file that is none of the three inputs is named as such (exit 1); with --json the error is JSON on stdout", async () => {
            const file = path.join(tmp, "values.json");
            fs.writeFileSync(file, JSON.stringify({ replicaCount: 2 }));
            const r = await cli(["plan", file]);
            assert.strictEqual(r.code, 1);
            assert.match(r.stderr, /values\.json: is none of the inputs: JSON, but neither a `pulumi preview --json` digest/);
            const j = await cli(["plan", file, "--json"]);
            assert.strictEqual(j.code, 1);
            assert.strictEqual(JSON.parse(j.stdout).ok, false);
        });

        it("an unknown Region is refused with the closest real one (the AWS provider's Region enum); a real one passes", async () => {
            const bad = path.join(tmp, "region.json");
            fs.writeFileSync(bad, JSON.stringify({ ...UNTAGGED_PREVIEW, config: { "aws:region": "eu-centrall-1" } }));
            const r = await cli(["plan", bad, "-q"]);
            assert.strictEqual(r.code, 1);
            assert.match(r.stderr, /^  aws:region: is `eu-centrall-1` \(set in .*region\.json\): not an AWS Region; did you mean `eu-central-1`\?/m);
            // The same file with a real Region gets past the check to the verdict.
            fs.writeFileSync(bad, JSON.stringify({ ...UNTAGGED_PREVIEW, steps: [], config: { "aws:region": "eu-central-1" } }));
            assert.strictEqual((await cli(["plan", bad, "-q"])).code, 0);
        });

        it("policies: every policy of the pack with its level; --json is JSON only", async () => {
            const r = await cli(["policies", "--json"]);
            assert.strictEqual(r.code, 0);
            const list = JSON.parse(r.stdout);
            assert.deepStrictEqual(
                list.map((p: { name: string; enforcementLevel: string }) => [p.name, p.enforcementLevel]),
                packPolicies.map((p) => [p.name, p.enforcementLevel ?? "advisory"]),
            );
        });
    });

    describe("access-matrix and onboard on the repository's own program (its example stack)", () => {
        it("access-matrix: the shared role proven isolated (0); a permission policy without the namespace condition opens cross-team reads (1)", async () => {
            const good = await cli(["access-matrix", ".", "--stack", "example", "--json", "-q"]);
            assert.strictEqual(good.code, 0, good.stderr);
            const v = JSON.parse(good.stdout);
            // One verdict: access-matrix's JSON is plan's verdict, each role an entry of verdict.isolation.
            // The shared role has no explicit name: the engine's auto-name (logical name, "-", 7 hex).
            assert.deepStrictEqual(v.verdict.isolation.map((r: any) => [r.role.replace(/-[0-9a-f]{7}$/, "-<auto>"), r.proven, r.crossTeamAllows, r.ownDenials]), [["prod-eu-shared-abac-role", true, 0, 0]]);
            const loose = path.join(tmp, "loose.json");
            fs.writeFileSync(
                loose,
                JSON.stringify({
                    Version: "2012-10-17",
                    // What ESO calls for a secret (cli/src/checker/checks/accessMatrix.ts READ_ACTIONS), on the cluster tag alone.
                    Statement: [{ Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: "*", Condition: { StringEquals: { "secretsmanager:ResourceTag/eks-cluster-name": "${aws:PrincipalTag/eks-cluster-name}" } } }],
                }),
            );
            const bad = await cli(["access-matrix", ".", "--stack", "example", "--permission-policy", loose, "--json", "-q"]);
            assert.strictEqual(bad.code, 1, bad.stderr);
            const opened = JSON.parse(bad.stdout).verdict.isolation[0];
            assert.deepStrictEqual([opened.proven, opened.ownDenials, opened.crossTeamAllows > 0], [false, 0, true]);
        });

        it("plan of the cross-account example (clusters in one account, secrets in another, a key in a third): both clusters' sessions proven apart", async () => {
            const r = await cli(["plan", "examples/cross-account", "--json", "-q"]);
            assert.strictEqual(r.code, 0, r.stderr);
            const v = JSON.parse(r.stdout);
            assert.deepStrictEqual(v.plan.clusters, ["prod-eu", "staging-eu"]);
            assert.deepStrictEqual(v.verdict.isolation.map((i: any) => [i.decided, i.proven, i.crossTeamAllows, i.ownDenials]), [[true, true, 0, 0]]);
            // The shared role lives in the secrets account (examples/cross-account/Pulumi.dev.yaml: 444455556666),
            // the controllers in the clusters' account (111122223333).
            const arns = Object.fromEntries(v.plan.roles.map((r: { name: string; arn: string }) => [r.name, r.arn]));
            assert.strictEqual(arns[v.verdict.isolation[0].role], "arn:aws:iam::444455556666:role/eks-secrets-abac-shared");
            assert.strictEqual(arns["prod-eu-eso-controller"], "arn:aws:iam::111122223333:role/prod-eu-eso-controller");
        });

        it("onboard: --dry-run lists what the team adds and writes nothing; a refused team writes nothing (1); otherwise the team is appended", async () => {
            const file = path.join(tmp, "Pulumi.example.yaml");
            const before = fs.readFileSync(path.join(ROOT, "Pulumi.example.yaml"), "utf8");
            fs.writeFileSync(file, before);
            const dry = await cli(["onboard", ".", "--config", file, "--namespace", "treasury", "--secret", "ledger", "--dry-run", "-q"]);
            assert.strictEqual(dry.code, 0, dry.stderr);
            assert.match(dry.stdout, /^Team treasury: the next deployment adds \d+ resources/);
            assert.match(dry.stdout, /\+ aws:secretsmanager\/secret:Secret /);
            assert.strictEqual(fs.readFileSync(file, "utf8"), before);
            const refused = await cli(["onboard", ".", "--config", file, "--namespace", "Not_A_Namespace", "-q"]);
            assert.strictEqual(refused.code, 1);
            assert.match(refused.stderr, /with the new team: \d+ problem\(s\)/);
            assert.strictEqual(fs.readFileSync(file, "utf8"), before);
            const written = await cli(["onboard", ".", "--config", file, "--namespace", "treasury", "--secret", "ledger", "-q"]);
            assert.strictEqual(written.code, 0, written.stderr);
            assert.match(fs.readFileSync(file, "utf8"), /namespace: treasury/);
        });
    });

    describe("SARIF", () => {
        let sarif: string;
        before(async () => {
            const preview = path.join(tmp, "preview.json");
            fs.writeFileSync(preview, JSON.stringify(UNTAGGED_PREVIEW, null, 2));
            sarif = path.join(tmp, "out.sarif");
            const r = await cli(["plan", preview, "--sarif", sarif, "-q"]);
            assert.strictEqual(r.code, 1, "an untagged secret violates a mandatory policy");
        });

        it("one result per finding: the policy as ruleId, its level, the message with the fix, the URN as logical location and the preview's line", () => {
            const log = JSON.parse(fs.readFileSync(sarif, "utf8"));
            // A new secret's ARN is not known in a preview: those items are not-decided warnings apart from the violation.
            const results = log.runs[0].results.filter((x: any) => x.ruleId !== "not-decided");
            assert.ok(results.length >= 1);
            for (const x of results) {
                assert.strictEqual(x.ruleId, "secrets-require-abac-tags");
                assert.strictEqual(x.level, "error");
                assert.match(x.message.text, /Fix: /);
                assert.strictEqual(x.locations[0].logicalLocations[0].fullyQualifiedName, UNTAGGED_PREVIEW.steps[0].urn);
                const line = fs.readFileSync(path.join(tmp, "preview.json"), "utf8").split("\n")[x.locations[0].physicalLocation.region.startLine - 1];
                assert.ok(line.includes(UNTAGGED_PREVIEW.steps[0].urn), line);
            }
            const rule = log.runs[0].tool.driver.rules[results[0].ruleIndex];
            assert.strictEqual(rule.id, "secrets-require-abac-tags");
            assert.ok(rule.fullDescription.text.length > 0 && rule.help.text.length > 0);
        });

        it("passes the SARIF Multitool's validation and the SARIF 2.1.0 schema; the Multitool does find a defect planted in a copy", () => {
            const findings = multitool(sarif).filter((f) => f.level === "error" || f.level === "warning");
            assert.deepStrictEqual(findings, []);
            const log = JSON.parse(fs.readFileSync(sarif, "utf8"));
            assert.ok(schemaCheck(log), JSON.stringify(schemaCheck.errors?.slice(0, 3)));
            // The control: a rule whose name repeats its id (SARIF1001), and a result without a message (schema).
            const planted: any = structuredClone(log);
            planted.runs[0].tool.driver.rules[0].name = planted.runs[0].tool.driver.rules[0].id;
            const copy = path.join(tmp, "planted.sarif");
            fs.writeFileSync(copy, JSON.stringify(planted, null, 2));
            assert.ok(multitool(copy).some((f) => f.ruleId === "SARIF1001" && f.level === "warning"));
            delete planted.runs[0].results[0].message;
            assert.strictEqual(schemaCheck(planted), false);
        });
    });

    describe("installed from the packed packages in a project of one's own, run with npx", () => {
        let dir: string;
        before(async () => {
            dir = await cliConsumer();
            project(path.join(dir, "good"), PROGRAM);
            project(path.join(dir, "greedy"), GREEDY);
        });

        it("the command's tree holds the AGPL evaluator (the control of the components' licence test), and the packed command is compiled JavaScript only", async () => {
            const licences = await installedLicences(dir);
            assert.ok(licences.some((p) => p.name === "@cloud-copilot/iam-simulate" && p.license === "AGPL-3.0-or-later"));
            assert.ok(licences.some((p) => p.name === "eks-secrets-abac-cli" && p.license === "AGPL-3.0-or-later"));
            const files = (await packed("cli")).files.map((f) => f.path);
            assert.deepStrictEqual(files.filter((f) => !/^(lib\/.*\.js|package\.json|README\.md|LICENSE)$/.test(f)), []);
            assert.ok(files.includes("lib/cli/src/main.js") && files.includes("lib/cli/src/checker/checks/matrixWorker.js"));
        });

        it("`npx eks-secrets-abac plan . --stack dev` on a program with EksSecretsAbac: exit 0, the policy pack's verdict and the proof; --json is JSON only", async () => {
            const text = await npx(["plan", ".", "--stack", "dev", "-q"], path.join(dir, "good"));
            assert.strictEqual(text.code, 0, text.stderr + text.stdout);
            assert.match(text.stdout, /program run offline, stack dev, project consumer/);
            assert.match(text.stdout, /secrets-require-abac-tags +mandatory +2 +0/);
            // No explicit role name in the consumer's program: the engine's auto-name (logical name, "-", 7 hex).
            assert.match(text.stdout, /Isolation through shared-role:/);
            assert.match(text.stdout, /Isolated: every team reads its own secrets/);
            assert.match(text.stdout, /Verdict: OK/);
            const json = await npx(["plan", "--stack", "dev", "--json"], path.join(dir, "good"));
            assert.strictEqual(json.code, 0, json.stderr);
            const v = JSON.parse(json.stdout);
            assert.strictEqual(v.ok, true);
            assert.deepStrictEqual(v.verdict.isolation.map((i: any) => [i.role.replace(/-[0-9a-f]{7}$/, "-<auto>"), i.proven, i.crossTeamAllows]), [["shared-role", true, 0]]);
        });

        it("a role of the user's own that may read every secret (GetSecretValue on *) fails the plan, named by the principal check", async () => {
            const r = await npx(["plan", ".", "--stack", "dev", "--json"], path.join(dir, "greedy"));
            const v = JSON.parse(r.stdout);
            const reader = v.plan.roles.find((x: { name: string }) => x.name === "reader");
            assert.ok(reader, "the role was read from the program");
            assert.deepStrictEqual(reader.permissionPolicies[0].Statement[0], { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*" });
            assert.strictEqual(r.code, 1, r.stdout);
            assert.strictEqual(v.ok, false);
            // Named by the verdict, not only listed among the plan's roles.
            assert.match(JSON.stringify(v.verdict), /reader/);
            const text = await npx(["plan", ".", "--stack", "dev"], path.join(dir, "greedy"));
            assert.strictEqual(text.code, 1);
            assert.match(text.stdout, /role reader: secretsmanager:GetSecretValue on \d+ team value/);
            assert.match(text.stdout, /Verdict: BLOCKED/);
        });
    });
});
