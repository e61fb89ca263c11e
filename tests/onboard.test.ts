import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { command } from "./inProcessCommand";
import { addTeam, addTeamAt, layoutOf } from "../cli/src/checker";
import { planDiff } from "../cli/src/checker";
import { buildPlanFrom } from "../cli/src/checker";
import { stackFileFromText } from "../cli/src/checker";

const ROOT = path.join(__dirname, "..");
const EXAMPLE = path.join(ROOT, "Pulumi.example.yaml");
const text = fs.readFileSync(EXAMPLE, "utf8");

/** Every stack file of the repository: the root's and each example's. */
const stackFiles = [EXAMPLE, ...fs.readdirSync(path.join(ROOT, "examples")).flatMap((e) => {
    const dir = path.join(ROOT, "examples", e);
    return fs.statSync(dir).isDirectory() ? fs.readdirSync(dir).filter((f) => /^Pulumi\..+\.yaml$/.test(f)).map((f) => path.join(dir, f)) : [];
})];


/**
 * A user's own project outside the repository, named `name`: a program as
 * the README shows it, its SDK and the components through a link to this
 * repository's node_modules and sources (one SDK instance: Node follows the link).
 */
function consumerProject(name: string, program: string, stackFile: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onboard-consumer-"));
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: ${name}\nruntime:\n  name: nodejs\n  options:\n    typescript: true\nmain: index.ts\n`);
    fs.writeFileSync(path.join(dir, "index.ts"), program.replace("COMPONENTS", JSON.stringify(path.join(ROOT, "components"))));
    fs.writeFileSync(path.join(dir, "Pulumi.prod-eu.yaml"), stackFile);
    return dir;
}

const PLATFORM_STACK = `# The platform team's stack.
config:
  aws:region: eu-west-1
  platform:clusterName: prod-eu
  platform:installPodIdentityAgent: true
  platform:teams:
    - namespace: payments
      secrets:
        - name: db-password # rotated monthly
    - namespace: ml
      secrets: [{ name: model-key }]
      csi:
        serviceAccounts: [trainer]
        secretProviderClasses:
          - name: model
            objects: [{ secret: model-key }]
`;

const README_PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { EksSecretsAbac, TeamSpec } from COMPONENTS;
const config = new pulumi.Config();
new EksSecretsAbac("platform", { clusterName: config.require("clusterName"), installPodIdentityAgent: true, teams: config.requireObject<TeamSpec[]>("teams") });
`;

describe("onboarding a team in a stack config file", () => {
    it("appends the team and keeps every comment and existing line", () => {
        const after = addTeam(text, { namespace: "ledger", secrets: [{ name: "api-token" }] });
        const comments = (t: string) => t.split("\n").filter((l) => l.trim().startsWith("#"));
        assert.deepStrictEqual(comments(after), comments(text));
        const teams = YAML.parse(after).config["eks-secrets-abac:teams"];
        assert.deepStrictEqual(teams.at(-1), { namespace: "ledger", secrets: [{ name: "api-token" }] });
        assert.deepStrictEqual(teams.slice(0, -1), YAML.parse(text).config["eks-secrets-abac:teams"]);
    });

    it("creates the teams list in a file that has none", () => {
        const after = addTeam("config:\n  eks-secrets-abac:clusterName: dev # the cluster\n", { namespace: "payments" });
        assert.match(after, /# the cluster/);
        assert.deepStrictEqual(YAML.parse(after).config["eks-secrets-abac:teams"], [{ namespace: "payments" }]);
    });

    it("writes under the project's own config namespace, not the repository's", () => {
        const after = addTeam(PLATFORM_STACK, { namespace: "data" }, { project: "platform" });
        const config = YAML.parse(after).config;
        assert.deepStrictEqual(config["platform:teams"].map((t: { namespace: string }) => t.namespace), ["payments", "ml", "data"]);
        assert.ok(!("eks-secrets-abac:teams" in config));
    });

    it("keeps every existing byte: [trainer] stays [trainer] beside { name: model-key }; the team follows the last one at its indentation", () => {
        const after = addTeam(PLATFORM_STACK, { namespace: "data", secrets: [{ name: "x" }] }, { project: "platform" });
        assert.strictEqual(after, `${PLATFORM_STACK}    - namespace: data\n      secrets:\n        - name: x\n`);
        const unindented = "config:\n  platform:teams:\n  - namespace: a # first\n  # the end\n";
        assert.strictEqual(addTeam(unindented, { namespace: "b", secrets: [{ name: "x" }] }, { project: "platform" }), "config:\n  platform:teams:\n  - namespace: a # first\n  - namespace: b\n    secrets:\n    - name: x\n  # the end\n");
    });

    it("a new list takes the file's flow padding: [a] stays unpadded", () => {
        const flow = "config:\n  platform:clusterName: x\n  platform:tags: {team: platform}\n  platform:kmsKeyArns: [a]\n";
        assert.strictEqual(addTeam(flow, { namespace: "b" }, { project: "platform" }), `${flow}  platform:teams:\n    - namespace: b\n`);
    });

    for (const file of stackFiles) {
        it(`prints ${path.relative(ROOT, file)} back byte for byte in its own layout`, () => {
            const source = fs.readFileSync(file, "utf8");
            const doc = YAML.parseDocument(source);
            assert.strictEqual(doc.toString(layoutOf(doc, source)), source);
        });
    }

    it("a stack of several clusters takes the team into the one named, and names them when none is", () => {
        const file = fs.readFileSync(path.join(ROOT, "examples", "multi-cluster", "Pulumi.dev.yaml"), "utf8");
        const project = "eks-secrets-abac-multi-cluster";
        const { text: after, where } = addTeamAt(file, { namespace: "data" }, { project, cluster: "staging-eu" });
        assert.strictEqual(where, `${project}:clusters[name=staging-eu].teams`);
        const clusters = YAML.parse(after).config[`${project}:clusters`];
        assert.deepStrictEqual(clusters.map((c: { teams: { namespace: string }[] }) => c.teams.map((t) => t.namespace)), [["payments"], ["payments", "data"]]);
        assert.throws(() => addTeam(file, { namespace: "data" }, { project }), /lists 2 clusters \(prod-eu, staging-eu\): choose the team's with --cluster <name>/);
        assert.throws(() => addTeam(file, { namespace: "data" }, { project, cluster: "prod-ue" }), /no cluster named prod-ue: it has prod-eu, staging-eu/);
    });

    it("the next plan adds only the team's namespace and secrets, and changes nothing else", async () => {
        const before = await buildPlanFrom(EXAMPLE, stackFileFromText(text));
        const after = await buildPlanFrom(EXAMPLE, stackFileFromText(addTeam(text, { namespace: "ledger", secrets: [{ name: "api-token" }] })));
        assert.ok(before.ok && after.ok);
        assert.deepStrictEqual(planDiff(before.plan.resources, after.plan.resources), {
            added: ["aws:secretsmanager/secret:Secret prod-eu-ledger-secret-api-token", "kubernetes:core/v1:Namespace prod-eu-ledger-namespace"],
            changed: [],
        });
    });

    it("a bad or duplicate namespace is refused by the same validation as the stack", async () => {
        const dup = await buildPlanFrom(EXAMPLE, stackFileFromText(addTeam(text, { namespace: "payments" })));
        assert.ok(!dup.ok);
        assert.deepStrictEqual(dup.problems.map((p) => p.path), ["teams[3].namespace"]);
    });
});

describe("onboard in a user's own project (named platform, not eks-secrets-abac)", function () {
    this.timeout(120_000);
    const dirs: string[] = [];
    after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

    it("writes platform:teams, keeps [trainer], and the next plan shows the new team's namespace and secret", async () => {
        const dir = consumerProject("platform", README_PROGRAM, PLATFORM_STACK);
        dirs.push(dir);
        const r = await command(["onboard", dir, "--stack", "prod-eu", "--namespace", "data", "--secret", "warehouse-dsn", "-q"]);
        assert.strictEqual(r.code, 0, r.stderr);
        assert.match(r.stdout, /^Team data: the next deployment adds 2 resources and changes 0:/);
        assert.match(r.stdout, /\+ aws:secretsmanager\/secret:Secret platform-data-secret-warehouse-dsn/);
        assert.match(r.stdout, /\+ kubernetes:core\/v1:Namespace platform-data-namespace/);
        const written = fs.readFileSync(path.join(dir, "Pulumi.prod-eu.yaml"), "utf8");
        assert.strictEqual(written.slice(0, PLATFORM_STACK.length), PLATFORM_STACK);
        assert.deepStrictEqual(YAML.parse(written).config["platform:teams"].at(-1), { namespace: "data", secrets: [{ name: "warehouse-dsn" }] });

        const plan = await command(["plan", dir, "--stack", "prod-eu", "--json", "-q"]);
        const v = JSON.parse(plan.stdout);
        assert.ok(v.plan.teams.some((t: { namespace?: string } | string) => (typeof t === "string" ? t : t.namespace) === "data"), JSON.stringify(v.plan.teams));
    });

    it("refuses a team that adds nothing (exit 1, with the reason) and writes nothing", async () => {
        // A program that never reads `teams`: the team would go nowhere.
        const fixed = README_PROGRAM.replace(`config.requireObject<TeamSpec[]>("teams")`, `[{ namespace: "payments" }] as TeamSpec[]`);
        const dir = consumerProject("platform", fixed, PLATFORM_STACK);
        dirs.push(dir);
        const r = await command(["onboard", dir, "--stack", "prod-eu", "--namespace", "data", "-q"]);
        assert.strictEqual(r.code, 1, r.stdout);
        assert.match(r.stderr, /team data refused: the team was written to `platform:teams`.*\(0 resources\): the program does not read that key/);
        assert.strictEqual(fs.readFileSync(path.join(dir, "Pulumi.prod-eu.yaml"), "utf8"), PLATFORM_STACK);
    });
});

describe("onboard on every example (dry run; the examples load the compiled lib/: npm run build)", function () {
    this.timeout(120_000);
    const dry = (name: string, ...more: string[]) => command(["onboard", path.join(ROOT, "examples", name), "--namespace", "data", "--secret", "dsn", "--dry-run", "-q", ...more]);
    const adds = /^Team data: the next deployment adds 2 resources and changes 0:\n {2}\+ aws:secretsmanager\/secret:Secret \S+data\S*dsn\n {2}\+ kubernetes:core\/v1:Namespace \S+data-namespace\n/;

    for (const name of ["existing-cluster", "csi", "new-cluster"]) {
        it(`${name}: the team's namespace and secret`, async () => {
            const r = await dry(name);
            assert.strictEqual(r.code, 0, r.stderr);
            assert.match(r.stdout, adds);
        });
    }

    for (const name of ["multi-cluster", "cross-account"]) {
        it(`${name}: the team's namespace and secret on the cluster named; without --cluster, the clusters named`, async () => {
            const r = await dry(name, "--cluster", "staging-eu");
            assert.strictEqual(r.code, 0, r.stderr);
            assert.match(r.stdout, adds);
            assert.match(r.stdout, /staging-eu/);
            const unnamed = await dry(name);
            assert.strictEqual(unnamed.code, 1);
            assert.match(unnamed.stderr, /lists 2 clusters \(prod-eu, staging-eu\): choose the team's with --cluster <name>/);
        });
    }

    it("org-guardrails (no teams): refused, the program declares nothing with a team", async () => {
        const r = await dry("org-guardrails");
        assert.strictEqual(r.code, 1);
        assert.match(r.stderr, /written to `eks-secrets-abac-org-guardrails:teams`.*\(0 resources\)/);
    });

    it("yaml: refused with the reason (a YAML program's teams are in its Pulumi.yaml, which is not run offline)", async () => {
        const r = await dry("yaml");
        assert.strictEqual(r.code, 1);
        assert.match(r.stderr, /runtime `yaml`: only TypeScript and JavaScript programs run here/);
    });
});
