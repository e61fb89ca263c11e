/**
 * The three inputs of `eks-secrets-abac plan` read into one stack and judged
 * alike: the real checkpoints Pulumi's own tests keep (../shared/vendor/pulumi-3.259.0/),
 * and files of our own stack written in the shapes pulumi/pulumi v3.259.0 defines:
 * - `pulumi stack export`: `UntypedDeployment` { version, deployment: `DeploymentV3`
 *   { manifest, secrets_providers, resources: `ResourceV3`[] } } (sdk/go/common/apitype/core.go);
 * - `pulumi preview --json`: `PreviewDigest` { config, steps: `PreviewStep`[] { op, urn,
 *   provider, oldState, newState: `ResourceV3` }, changeSummary } (pkg/display/json.go);
 * - a secret: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
 *   ciphertext } (sdk/go/common/resource/sig/sig.go, pkg/resource/stack/deployment.go),
 *   as checkpoint-secrets.json holds them; a preview prints "[secret]" (pkg/backend/display/json.go).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readInput, StackInput, StackResource } from "../cli/src/checker";
import { InputError } from "../cli/src/checker";
import { judgeStack, planFromInput, StackVerdict } from "../cli/src/checker";
import { holds } from "../cli/src/stack";
import { VENDOR } from "./helpers";
import { previewDigest, SECRET, SIG, stackExport } from "./stackFiles";

const ROOT = path.join(__dirname, "..");
const PULUMI = path.join(VENDOR, "pulumi-3.259.0");
/** The verdict as what a user compares: per policy its violations, per role what the matrix decided. */
function summary(v: StackVerdict) {
    return {
        ok: v.ok,
        violations: v.violations.map((x) => `${x.policy} ${x.resource}: ${x.message}`).sort(),
        checked: Object.fromEntries(v.policies.map((p) => [p.policy, p.checked])),
        isolation: v.isolation.map((i) => ({ role: i.role, decided: i.run !== undefined, ok: i.run?.ok, crossTeamAllows: i.run?.crossTeamAllows, ownDenials: i.run?.ownDenials, proven: i.run?.proof.proven })),
    };
}

describe("inputs: a program, a preview digest and a stack export", function () {
    this.timeout(180_000);
    let dir: string;
    let program: StackInput;
    const write = (name: string, json: unknown) => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, JSON.stringify(json, null, 4));
        return file;
    };
    const judgeFile = async (file: string) => {
        const input = await readInput(file);
        return { input, verdict: await judgeStack(planFromInput(input)) };
    };

    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "eks-secrets-abac-inputs-"));
        // The repository's own program with its example stack, run offline with its own SDK.
        program = await readInput(ROOT, { stack: "example" });
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    describe("the real checkpoints of pulumi/pulumi (pkg/resource/stack/testdata)", () => {
        const raw = (f: string) => JSON.parse(fs.readFileSync(path.join(PULUMI, f), "utf8"));

        it("checkpoint-v3.json: read as the deployed state of stack foo, project countdown; the verdict says it holds no secrets, no ABAC role and leaves 5 managed policies unevaluated", async () => {
            const { input, verdict } = await judgeFile(path.join(PULUMI, "checkpoint-v3.json"));
            const file = raw("checkpoint-v3.json");
            assert.strictEqual(input.kind, "state");
            // The file's checkpoint.stack is empty; its URNs name the stack and project (urn:pulumi:foo::countdown::...).
            assert.ok(file.checkpoint.latest.resources.every((r: { urn: string }) => r.urn.startsWith("urn:pulumi:foo::countdown::")));
            assert.deepStrictEqual([input.stack, input.project], ["foo", "countdown"]);
            const custom = file.checkpoint.latest.resources.filter((r: { custom: boolean }) => r.custom);
            const plan = planFromInput(input);
            assert.strictEqual(plan.resourceCount, custom.length);
            assert.strictEqual(plan.roles.length, custom.filter((r: { type: string }) => r.type === "aws:iam/role:Role").length);
            assert.match(holds(plan), new RegExp(`^${custom.length} resources, 3 IAM role\\(s\\), 0 Secrets Manager secret\\(s\\), 0 SSM parameter\\(s\\), 0 ClusterSecretStore\\(s\\), no ESO release, 0 team namespace\\(s\\)$`));
            // The file attaches AWS managed policies by ARN: their documents are not in the state.
            const attachments = custom.filter((r: { type: string }) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment").map((r: any) => r.inputs.policyArn);
            assert.deepStrictEqual(plan.managedPolicies.map((m) => m.policyArn).sort(), attachments.sort());
            assert.deepStrictEqual(verdict.isolation, []);
            assert.deepStrictEqual(verdict.violations, []);
            assert.strictEqual(verdict.ok, true);
        });

        it("checkpoint-secrets.json: its b64 secrets are read (10 values), and give the same plan and verdict as the plain checkpoint", async () => {
            const text = fs.readFileSync(path.join(PULUMI, "checkpoint-secrets.json"), "utf8");
            const wrappers = text.split(`"${SIG}": "${SECRET}"`).length - 1;
            assert.strictEqual(wrappers, 10);
            const secret = await judgeFile(path.join(PULUMI, "checkpoint-secrets.json"));
            const plain = await judgeFile(path.join(PULUMI, "checkpoint-v3.json"));
            assert.ok(secret.input.notes.some((n) => n.startsWith(`${wrappers} secret value(s) read`)), secret.input.notes.join("\n"));
            assert.deepStrictEqual(secret.input.undecidable, []);
            const trust = (i: StackInput) => planFromInput(i).roles.map((r) => r.trustPolicy);
            // The decrypted trust policies are documents (lambda.amazonaws.com may assume), the same as the plain file's.
            assert.deepStrictEqual(trust(secret.input), trust(plain.input));
            assert.deepStrictEqual((trust(secret.input)[0] as any).Statement[0].Principal, { Service: "lambda.amazonaws.com" });
            assert.deepStrictEqual(summary(secret.verdict), summary(plain.verdict));
        });
    });

    describe("our stack as program, export and preview", () => {
        it("the example program has URNs, the shared role and four tagged secrets (what the files below are made of)", () => {
            assert.strictEqual(program.kind, "program");
            assert.ok(program.resources.every((r) => r.urn?.startsWith("urn:pulumi:example::eks-secrets-abac::")));
            assert.strictEqual(program.resources.filter((r) => r.type === "aws:secretsmanager/secret:Secret").length, 4);
        });

        it("gives the same verdict as program, as `pulumi stack export` and as `pulumi preview --json`: OK, proven isolated", async () => {
            const fromProgram = summary(await judgeStack(planFromInput(program)));
            const exported = await judgeFile(write("export.json", stackExport(program.resources)));
            const previewed = await judgeFile(write("preview.json", previewDigest(program.resources)));
            assert.strictEqual(exported.input.kind, "state");
            assert.strictEqual(previewed.input.kind, "preview");
            assert.deepStrictEqual(summary(exported.verdict), fromProgram);
            assert.deepStrictEqual(summary(previewed.verdict), fromProgram);
            assert.strictEqual(fromProgram.ok, true);
            assert.deepStrictEqual(fromProgram.isolation.map((i) => [i.decided, i.ok, i.proven]), [[true, true, true]]);
        });

        it("a broken stack (an untagged secret, the shared role's namespace condition turned into StringLike `*` and its Deny statements dropped) is blocked alike by export and preview", async () => {
            const broken: StackResource[] = program.resources.map((r) => {
                if (r.type === "aws:iam/rolePolicy:RolePolicy" && String(r.inputs.policy).includes("esoNamespace")) {
                    // The attacker's edit: the namespace compared by StringLike with `*`, which every team's secret matches.
                    const loosen = (p: unknown) => {
                        const doc = JSON.parse(String(p));
                        // Both edits are needed: the Deny on tags that differ alone keeps teams apart.
                        doc.Statement = doc.Statement.filter((s: { Effect: string }) => s.Effect === "Allow");
                        for (const s of doc.Statement) {
                            // The Allow statements only: the Deny statements on tags that differ carry no StringEquals.
                            if (s.Effect !== "Allow" || s.Condition?.StringEquals === undefined) continue;
                            const { "secretsmanager:ResourceTag/kubernetes-namespace": _namespace, ...rest } = s.Condition.StringEquals;
                            s.Condition = { StringEquals: rest, StringLike: { ...s.Condition.StringLike, "secretsmanager:ResourceTag/kubernetes-namespace": "*" } };
                        }
                        return JSON.stringify(doc);
                    };
                    return { ...r, inputs: { ...r.inputs, policy: loosen(r.inputs.policy) }, state: { ...r.state, policy: loosen(r.state?.policy) } };
                }
                return r;
            });
            const untagged: StackResource = { type: "aws:secretsmanager/secret:Secret", name: "orphan", custom: true, inputs: { name: "orphan" }, state: { name: "orphan", arn: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:orphan-AbCdEf" }, urn: "urn:pulumi:example::eks-secrets-abac::aws:secretsmanager/secret:Secret::orphan" };
            const stack = [...broken, untagged];
            const fromMemory = summary(await judgeStack(planFromInput({ ...program, resources: stack })));
            const exported = summary((await judgeFile(write("broken-export.json", stackExport(stack)))).verdict);
            const previewed = summary((await judgeFile(write("broken-preview.json", previewDigest(stack)))).verdict);
            assert.deepStrictEqual(exported, fromMemory);
            assert.deepStrictEqual(previewed, fromMemory);
            assert.strictEqual(fromMemory.ok, false);
            assert.ok(fromMemory.violations.some((v) => v.startsWith("secrets-require-abac-tags orphan")), fromMemory.violations.join("\n"));
            assert.ok(fromMemory.violations.some((v) => v.startsWith("iam-abac-policy-")), fromMemory.violations.join("\n"));
            assert.ok((fromMemory.isolation[0].crossTeamAllows ?? 0) > 0, "the loosened condition lets teams read each other's secrets");
        });

        it("secrets: a passphrase-encrypted permission policy leaves the shared role's isolation not decided (never passed); the same policy in b64 is read and proven", async () => {
            const isAbacPolicy = (r: { type: string; inputs?: any }) => r.type === "aws:iam/rolePolicy:RolePolicy" && String(r.inputs?.policy).includes("esoNamespace");
            const wrap = (provider: "passphrase" | "b64") => (r: any) =>
                isAbacPolicy(r)
                    ? {
                          ...r,
                          inputs: { ...r.inputs, policy: { [SIG]: SECRET, ciphertext: provider === "b64" ? Buffer.from(JSON.stringify(r.inputs.policy)).toString("base64") : "AAAAAQ:opaque" } },
                          outputs: { ...r.outputs, policy: { [SIG]: SECRET, ciphertext: provider === "b64" ? Buffer.from(JSON.stringify(r.outputs.policy)).toString("base64") : "AAAAAQ:opaque" } },
                      }
                    : r;
            const encrypted = await judgeFile(write("encrypted.json", stackExport(program.resources, "passphrase", wrap("passphrase"))));
            assert.ok(encrypted.input.undecidable.some((u) => u.reason === "secret" && u.path === "inputs.policy"));
            assert.ok(encrypted.input.notes.some((n) => /encrypted by the `passphrase` secrets provider/.test(n)), encrypted.input.notes.join("\n"));
            assert.deepStrictEqual(
                encrypted.verdict.isolation.map((i) => [i.role.replace(/-[0-9a-f]{7}$/, "-<auto>"), i.run === undefined]),
                [["prod-eu-shared-abac-role", true]],
            );
            assert.match(encrypted.verdict.isolation[0].undecided ?? "", /not known/);
            assert.ok(encrypted.verdict.undecided.length > 0, "the policies that read the document say they could not decide it");
            const b64 = await judgeFile(write("b64.json", stackExport(program.resources, "b64", wrap("b64"))));
            assert.deepStrictEqual(b64.input.undecidable, []);
            assert.deepStrictEqual(summary(b64.verdict), summary(await judgeStack(planFromInput(program))));
        });

        it("a preview prints secrets as [secret]: the checks that read them are not decided", async () => {
            const digest = previewDigest(program.resources) as any;
            for (const step of digest.steps) if (isPolicy(step.newState)) step.newState = { ...step.newState, inputs: { ...step.newState.inputs, policy: "[secret]" }, outputs: { ...step.newState.outputs, policy: "[secret]" } };
            const { input, verdict } = await judgeFile(write("blinded.json", digest));
            assert.ok(input.notes.some((n) => n.includes("[secret]")));
            assert.strictEqual(verdict.isolation[0].run, undefined);
            function isPolicy(r: any) {
                return r.type === "aws:iam/rolePolicy:RolePolicy" && String(r.inputs.policy).includes("esoNamespace");
            }
        });
    });

    describe("a first preview: nothing deployed yet", () => {
        it("steps `create` without outputs, the shared role's document unknown (04da6b54-..., computed from ARNs): the policies still judge the secrets' tags; the isolation is not decided", async () => {
            const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
            const digest = {
                steps: program.resources.map((r) => ({
                    op: "create",
                    urn: r.urn,
                    newState: {
                        urn: r.urn,
                        custom: r.custom,
                        type: r.type,
                        // A preview shows the provider's checked inputs: the auto-name is known already.
                        inputs: r.type === "aws:iam/rolePolicy:RolePolicy" ? { ...r.inputs, policy: UNKNOWN } : { ...r.inputs, ...(r.state.name !== undefined ? { name: r.state.name } : {}) },
                    },
                })),
                changeSummary: { create: program.resources.length },
            };
            const { input, verdict } = await judgeFile(write("first-preview.json", digest));
            assert.ok(input.notes.some((n) => /unknown in a preview/.test(n)), input.notes.join("\n"));
            // Both roles' documents are unknown, so neither can be told not to be ABAC: both are listed as not decided, none as isolated.
            assert.deepStrictEqual(
                verdict.isolation.map((i) => [i.role.replace(/-[0-9a-f]{7}$/, "-<auto>"), i.run === undefined, /not known/.test(i.undecided ?? "")]).sort(),
                [
                    ["prod-eu-eso-controller", true, true],
                    ["prod-eu-shared-abac-role", true, true],
                ],
            );
            assert.ok(verdict.undecided.length > 0);
            const tags = verdict.policies.find((p) => p.policy === "secrets-require-abac-tags")!;
            assert.deepStrictEqual([tags.checked, tags.violations.length, tags.undecided.length], [4, 0, 0]);
        });
    });

    describe("files that are none of the inputs", () => {
        const refused = async (name: string, text: string, message: RegExp) => {
            const file = path.join(dir, name);
            fs.writeFileSync(file, text);
            await assert.rejects(readInput(file), (e: Error) => e instanceof InputError && message.test(e.message) && e.message.includes(file));
        };
        it("text, other JSON, a future schema version and a step without a URN are refused, naming the file and what it is not", async () => {
            await refused("notes.txt", "hello", /is none of the inputs: not a Pulumi project folder, and not JSON/);
            await refused("package.json", JSON.stringify({ name: "x", version: "1.0.0" }), /is none of the inputs: JSON, but neither a `pulumi preview --json` digest .* it has name, version/);
            await refused("future.json", JSON.stringify({ version: 9, deployment: { resources: [] } }), /deployment schema version 9: this tool reads versions 3 and 4/);
            await refused("bad-preview.json", JSON.stringify({ steps: [{ op: "create" }] }), /steps\[0\] has no `op` and `urn`/);
            await assert.rejects(readInput(path.join(dir, "missing.json")), /cannot read it \(ENOENT\)/);
        });
    });
});
