/**
 * One verdict: every example and the root stack, as a program run
 * offline, as `pulumi preview --json` and as `pulumi stack export`, through
 * npm run plan, npm run access-matrix and the command's plan and
 * access-matrix, give the same verdict and the same findings. And what
 * cannot be decided is NOT DECIDED, exit 1, unless --accept-undecided, which
 * still lists it.
 *
 * The commands run in-process (their `main`, as the binaries call it); one
 * spawned command per input kind proves the wiring. The examples load the
 * compiled components: `npm run build` first.
 */
import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../cli/src/main";
import { readInput, StackInput } from "../cli/src/checker";
import { withRepositoryDefaults } from "../scripts/plan";
import { previewDigest, SECRET, SIG, stackExport } from "./stackFiles";

const ROOT = path.join(__dirname, "..");
const EXAMPLES = path.join(ROOT, "examples");

interface Case {
    name: string;
    dir: string;
    stack: string;
}

const CASES: Case[] = [
    { name: "the root stack", dir: ROOT, stack: "example" },
    ...fs
        .readdirSync(EXAMPLES)
        .filter((d) => fs.existsSync(path.join(EXAMPLES, d, "Pulumi.yaml")))
        .map((d) => ({ name: `examples/${d}`, dir: path.join(EXAMPLES, d), stack: "dev" })),
];

/** What every output must agree on: the verdict and each finding (rule, level, subject, message). */
function verdictOf(json: any): { status: string; ok: boolean; findings: string[] } {
    return {
        status: json.status,
        ok: json.ok,
        findings: (json.verdict?.findings ?? []).map((f: any) => `${f.level}${f.undecided ? " undecided" : ""} ${f.rule} ${f.subject}: ${f.message}`).sort(),
    };
}

describe("one verdict from every command and every input", function () {
    this.timeout(600_000);
    let tmp: string;
    let n = 0;

    /** A command in-process, JSON into a file: exit code and JSON. */
    async function json(argv: string[]): Promise<{ code: number; json: any }> {
        const out = path.join(tmp, `out-${n++}.json`);
        const code = await main([...argv, "--json", "--out", out, "-q"]);
        return { code, json: JSON.parse(fs.readFileSync(out, "utf8")) };
    }

    /** A command in-process as a person sees it: exit code and stdout. */
    async function text(argv: string[]): Promise<{ code: number; stdout: string }> {
        const chunks: string[] = [];
        const write = process.stdout.write;
        process.stdout.write = ((c: string | Uint8Array) => chunks.push(String(c)) > 0) as typeof process.stdout.write;
        try {
            const code = await main([...argv, "-q"]);
            return { code, stdout: chunks.join("") };
        } finally {
            process.stdout.write = write;
        }
    }

    before(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "eks-secrets-abac-agreement-"));
        if (!fs.existsSync(path.join(ROOT, "lib", "components", "index.js"))) throw new Error("the examples load the compiled components: run `npm run build` first");
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    const programs = new Map<string, StackInput>();

    for (const c of CASES) {
        it(`${c.name}: npm run plan, npm run access-matrix, plan and access-matrix agree on the program, its preview and its export`, async function () {
            if (!fs.readFileSync(path.join(c.dir, "Pulumi.yaml"), "utf8").match(/runtime:\s*(nodejs|\{?\s*name:\s*nodejs)/)) {
                // A YAML program does not run here: every command refuses it alike, naming the preview to give instead.
                const refusals = await Promise.all([["plan", c.dir], ["access-matrix", c.dir]].map((argv) => main([...argv, "-q"]).then(() => "exit 0", (e: Error) => e.message)));
                assert.strictEqual(refusals[0], refusals[1]);
                assert.match(refusals[0], /give the file `pulumi preview --json > preview\.json` writes/);
                return;
            }
            const program = await readInput(c.dir, { stack: c.stack });
            assert.strictEqual(program.kind, "program");
            programs.set(c.name, program);
            const preview = path.join(tmp, `${path.basename(c.dir)}-preview.json`);
            const exported = path.join(tmp, `${path.basename(c.dir)}-export.json`);
            fs.writeFileSync(preview, JSON.stringify(previewDigest(program.resources, program.config)));
            fs.writeFileSync(exported, JSON.stringify(stackExport(program.resources, "b64")));
            const config = path.join(c.dir, `Pulumi.${c.stack}.yaml`);
            const runs: [string, { code: number; json: any }][] = [
                ["npm run plan", await json(withRepositoryDefaults("plan", ["--config", config]))],
                ["npm run access-matrix", await json(withRepositoryDefaults("access-matrix", ["--config", config, "--report-dir", path.join(tmp, "reports")]))],
            ];
            for (const [kind, input, stack] of [["program", c.dir, ["--stack", c.stack]], ["preview", preview, []], ["export", exported, []]] as const) {
                runs.push([`plan (${kind})`, await json(["plan", input, ...stack])]);
                runs.push([`access-matrix (${kind})`, await json(["access-matrix", input, ...stack])]);
            }
            const [first, ...rest] = runs;
            const expected = verdictOf(first[1].json);
            for (const [name, r] of rest) assert.deepStrictEqual(verdictOf(r.json), expected, `${name} disagrees with ${first[0]}`);
            for (const [name, r] of runs) assert.strictEqual(r.code, expected.ok ? 0 : 1, `${name}: exit ${r.code} with verdict ${expected.status}`);
            // Every example is meant to pass: a verdict of another kind here is a finding to read, not to accept.
            assert.deepStrictEqual([expected.status, expected.findings.filter((f) => f.startsWith("error") || f.includes("undecided"))], ["OK", []]);
        });
    }

    it("one spawned command per input kind: the binary's wiring gives the in-process verdict and exit code", async function () {
        const program = programs.get("the root stack") ?? (await readInput(ROOT, { stack: "example" }));
        const preview = path.join(tmp, "spawned-preview.json");
        const exported = path.join(tmp, "spawned-export.json");
        fs.writeFileSync(preview, JSON.stringify(previewDigest(program.resources, program.config)));
        fs.writeFileSync(exported, JSON.stringify(stackExport(program.resources, "b64")));
        const spawned = (args: string[]) =>
            new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
                // The compiled binary, as the installed command runs (npm test builds cli/lib first).
                const child = spawn(process.execPath, [path.join(ROOT, "cli", "lib", "cli", "src", "main.js"), ...args, "-q"], { cwd: ROOT, env: { ...process.env, NODE_NO_WARNINGS: "1" } });
                let stdout = "";
                let stderr = "";
                child.stdout.on("data", (d) => (stdout += d));
                child.stderr.on("data", (d) => (stderr += d));
                child.on("error", reject);
                child.on("close", (code) => resolve({ code, stdout, stderr }));
            });
        const results = await Promise.all([spawned(["plan", ".", "--stack", "example"]), spawned(["access-matrix", preview]), spawned(["plan", exported])]);
        for (const r of results) {
            assert.strictEqual(r.code, 0, r.stderr);
            assert.match(r.stdout, /\nVerdict: OK\n$/);
        }
        // The command's plan shows what npm run plan shows: teams, their secrets, the IAM documents and the stores.
        assert.match(results[0].stdout, /Teams: 3 \(4 secrets, 0 parameters, 2 ExternalSecrets\)/);
        assert.match(results[0].stdout, /role prod-eu-shared-abac-role\n    trust policy:/);
        assert.match(results[0].stdout, /ClusterSecretStores: 1/);
    });

    describe("what cannot be decided is not OK", () => {
        let program: StackInput;
        const isAbacPolicy = (r: { type: string; inputs?: any }) => r.type === "aws:iam/rolePolicy:RolePolicy" && String(r.inputs?.policy).includes("esoNamespace");
        const encrypted = (r: any) =>
            isAbacPolicy(r) ? { ...r, inputs: { ...r.inputs, policy: { [SIG]: SECRET, ciphertext: "AAAAAQ:opaque" } }, outputs: { ...r.outputs, policy: { [SIG]: SECRET, ciphertext: "AAAAAQ:opaque" } } } : r;
        let files: Record<"encrypted" | "firstPreview" | "pending", string>;

        before(async () => {
            program = programs.get("the root stack") ?? (await readInput(ROOT, { stack: "example" }));
            const write = (name: string, value: unknown) => {
                const file = path.join(tmp, name);
                fs.writeFileSync(file, JSON.stringify(value, null, 2));
                return file;
            };
            // A first preview: every step a create, the shared role's policy computed from ARNs not known yet
            // (the engine's unknown marker, pulumi/pulumi sdk/go/common/resource/plugin/rpc.go UnknownStringValue).
            const digest = previewDigest(program.resources, program.config) as any;
            for (const step of digest.steps) {
                step.op = "create";
                delete step.oldState;
                if (isAbacPolicy(step.newState)) step.newState = { ...step.newState, inputs: { ...step.newState.inputs, policy: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" }, outputs: {} };
            }
            const pending = stackExport(program.resources, "b64") as any;
            const role = program.resources.find((r) => r.type === "aws:iam/role:Role")!;
            pending.deployment.pending_operations = [{ resource: { urn: role.urn, custom: true, type: role.type, inputs: role.inputs, outputs: {} }, type: "creating" }];
            files = { encrypted: write("encrypted-export.json", stackExport(program.resources, "passphrase", encrypted)), firstPreview: write("first-preview.json", digest), pending: write("pending-export.json", pending) };
        });

        for (const [what, key, finding] of [
            ["a stack export whose shared role's policy is encrypted (passphrase)", "encrypted", /isolation through prod-eu-shared-abac-role was not decided/],
            ["a first preview whose shared role's policy is not known yet", "firstPreview", /isolation through prod-eu-shared-abac-role was not decided/],
            ["a stack export with a pending create", "pending", /a creating operation was pending when the state was written/],
        ] as const) {
            it(`${what}: NOT DECIDED, exit 1, from plan and access-matrix alike; --accept-undecided passes it (exit 0) and still lists it`, async () => {
                const file = files[key];
                const [plan, matrix, accepted] = [await json(["plan", file]), await json(["access-matrix", file]), await json(["plan", file, "--accept-undecided"])];
                assert.deepStrictEqual([plan.code, plan.json.status, plan.json.ok], [1, "NOT DECIDED", false]);
                assert.deepStrictEqual(verdictOf(matrix.json), verdictOf(plan.json));
                assert.strictEqual(matrix.code, 1);
                const open = plan.json.verdict.findings.filter((f: any) => f.undecided);
                assert.ok(open.some((f: any) => finding.test(f.message)), JSON.stringify(open, null, 2));
                assert.ok(open.every((f: any) => f.level === "warning" && f.rule === "not-decided"));
                assert.deepStrictEqual([accepted.code, accepted.json.status, accepted.json.ok, accepted.json.verdict.acceptedUndecided], [0, "OK", true, true]);
                assert.deepStrictEqual(accepted.json.verdict.findings, plan.json.verdict.findings, "accepting changes the verdict, not the findings");
            });
        }

        it("the text never says 'not decided' and then 'Verdict: OK' without the option; with it, the verdict line names the accepted items", async () => {
            const refused = await text(["plan", files.encrypted]);
            assert.strictEqual(refused.code, 1);
            assert.doesNotMatch(refused.stdout, /Verdict: OK/);
            const lines = refused.stdout.trimEnd().split("\n");
            assert.match(lines[lines.length - 1], /^Verdict: NOT DECIDED: \d+ item\(s\) could not be decided/);
            assert.ok(refused.stdout.indexOf("[not decided]") < refused.stdout.indexOf("Verdict: NOT DECIDED"), "the items come before the verdict");
            const matrix = await text(["access-matrix", files.firstPreview]);
            assert.strictEqual(matrix.code, 1);
            assert.match(matrix.stdout, /not decided/);
            assert.doesNotMatch(matrix.stdout, /Verdict: OK/);
            const accepted = await text(["plan", files.encrypted, "--accept-undecided"]);
            assert.strictEqual(accepted.code, 0);
            assert.match(accepted.stdout, /Not decided \(\d+, accepted as warnings\):\n( {2}\[not decided\] .*\n)* {2}\[not decided\] prod-eu-shared-abac-role: isolation through prod-eu-shared-abac-role was not decided/);
            assert.match(accepted.stdout, /\nVerdict: OK with \d+ undecided item\(s\) accepted as warnings \(--accept-undecided; listed above\)\n$/);
        });

        it("SARIF: each undecided item is a warning of the rule not-decided with its reason; the run carries the verdict", async () => {
            const sarif = path.join(tmp, "undecided.sarif");
            assert.strictEqual(await main(["plan", files.pending, "--sarif", sarif, "-q", "--json", "--out", path.join(tmp, "ignored.json")]), 1);
            const run = JSON.parse(fs.readFileSync(sarif, "utf8")).runs[0];
            const rule = run.tool.driver.rules.find((r: any) => r.id === "not-decided");
            assert.strictEqual(rule.defaultConfiguration.level, "warning");
            const results = run.results.filter((r: any) => r.ruleId === "not-decided");
            assert.ok(results.length > 0 && results.every((r: any) => r.level === "warning" && r.message.text.length > 0));
            assert.ok(results.some((r: any) => /pending/.test(r.message.text)));
            assert.deepStrictEqual(run.properties, { verdict: "NOT DECIDED", acceptedUndecided: false });
        });
    });
});
