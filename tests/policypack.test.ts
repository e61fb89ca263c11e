import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { controllerTrustPolicy, renderPolicy } from "../components";
import { policies } from "../policypack/policies";
import { csiPermissionPolicy, csiTrustPolicy } from "../components/lib/csiIam";
import { EngineResource, PACK_DIR, PolicyPackProcess, UNKNOWN } from "./analyzer";

const SECRET = "aws:secretsmanager/secret:Secret";

describe("the policy pack", () => {
    it("names every policy in kebab case, once, with a sentence, a level, a severity and remediation", () => {
        const names = policies.map((p) => p.name);
        assert.strictEqual(new Set(names).size, names.length);
        for (const p of policies) {
            assert.match(p.name, /^[a-z0-9]+(-[a-z0-9]+)+$/, p.name);
            assert.match(p.description, /^[A-Z].*\.$/, p.name);
            assert.ok(p.enforcementLevel && p.severity && p.remediationSteps, p.name);
        }
        assert.deepStrictEqual(names.slice(0, 3), ["secrets-require-abac-tags", "secret-resource-policy-disallow-untagged-read", "trust-policy-requires-tag-session"]);
        // Resource policies (decided before each resource is created) come before the stack policies that join resources.
        const firstStack = policies.findIndex((p) => "validateStack" in p);
        assert.ok(policies.slice(firstStack).every((p) => "validateStack" in p));
        // The two guards an ESO release must come with: namespaced SecretStores and generators.
        const stack = policies.filter((p) => "validateStack" in p).map((p) => p.name);
        for (const name of ["eso-release-disallow-unguarded-secret-stores", "eso-release-disallow-unguarded-generators"]) assert.ok(stack.includes(name), name);
    });

    it("lets the SDK skip other types for every single-type resource policy (validateResourceOfType's type token)", () => {
        // @pulumi/policy server.js: "Fast check to see if the policy isn't applicable" reads `__pulumiType` of validateResource.
        const tokens = Object.fromEntries(policies.filter((p) => "validateResource" in p).map((p) => [p.name, (p as any).validateResource.__pulumiType]));
        assert.strictEqual(tokens["pod-identity-association-keeps-session-tags"], "aws:eks/podIdentityAssociation:PodIdentityAssociation");
        assert.strictEqual(tokens["iam-abac-policy-requires-exact-tag-match"], undefined, "several types: the policy returns early instead");
    });

    it("shares its constants with the components from one file inside the pack", () => {
        // eslint-disable-next-line @typescript-eslint/no-var-requires
        const fromComponents = require("../components/lib/constants");
        // eslint-disable-next-line @typescript-eslint/no-var-requires
        const fromPack = require("../policypack/lib/constants");
        assert.strictEqual(fromComponents.ESO_CHART, fromPack.ESO_CHART);
        assert.strictEqual(fromComponents.NAMESPACE_TAG_KEY, fromPack.NAMESPACE_TAG_KEY);
        const source = fs.readFileSync(path.join(PACK_DIR, "lib", "constants.ts"), "utf8");
        assert.ok(!/^import /m.test(source), "the pack's constants import nothing");
        for (const file of fs.readdirSync(path.join(PACK_DIR, "policies"))) {
            assert.ok(!fs.readFileSync(path.join(PACK_DIR, "policies", file), "utf8").includes("../../"), `${file} imports from outside the pack`);
        }
    });

    it("ships an example config that names only real policies and sets only their options", () => {
        const config = JSON.parse(fs.readFileSync(path.join(PACK_DIR, "policy-config.example.json"), "utf8"));
        for (const [name, value] of Object.entries(config)) {
            const policy = policies.find((p) => p.name === name);
            assert.ok(policy, `${name} is not a policy`);
            if (typeof value === "object") {
                for (const key of Object.keys(value as object).filter((k) => k !== "enforcementLevel")) {
                    assert.ok(policy.configSchema?.properties[key], `${name} has no option ${key}`);
                }
            }
        }
    });

    it("docs/POLICY_PACK.md lists every policy with its default level", () => {
        const doc = fs.readFileSync(path.join(__dirname, "..", "docs", "POLICY_PACK.md"), "utf8");
        for (const p of policies) assert.ok(doc.includes(`| \`${p.name}\` | ${p.enforcementLevel} |`), p.name);
    });
});

/**
 * The pack started once from its folder for the two suites below (run-policy-pack type-checks it with
 * ts-node: the costly part); each test that configures it puts the configuration back.
 */
let sourcePack: Promise<PolicyPackProcess> | undefined;
const startedPack = (): Promise<PolicyPackProcess> => (sourcePack ??= PolicyPackProcess.start());
after(async () => (await sourcePack)?.stop());

describe("the policy pack loaded as `pulumi preview --policy-pack policypack` loads it", function () {
    this.timeout(180_000);
    let pack: PolicyPackProcess;

    before(async () => {
        pack = await startedPack();
    });

    it("GetAnalyzerInfo lists every policy with its level", async () => {
        const info = await pack.info();
        assert.strictEqual(info.name, "eks-secrets-abac");
        assert.strictEqual(info.version, "0.1.0");
        assert.deepStrictEqual(
            info.policies.map((p) => [p.name, p.enforcementLevel]),
            policies.map((p) => [p.name, p.enforcementLevel]),
        );
    });

    it("Analyze of an untagged secret returns mandatory violations of secrets-require-abac-tags", async () => {
        const found = await pack.analyze(SECRET, "db", { name: "payments/db" });
        assert.deepStrictEqual(
            found.map((d) => [d.policyName, d.enforcementLevel]),
            [
                ["secrets-require-abac-tags", "mandatory"],
                ["secrets-require-abac-tags", "mandatory"],
            ],
        );
        assert.match(found[0].message, /has no 'kubernetes-namespace' tag/);
    });

    it("Analyze of a tagged secret returns nothing", async () => {
        const found = await pack.analyze(SECRET, "db", { name: "payments/db", tags: { "kubernetes-namespace": "payments", "eks-cluster-name": "prod-eu" } });
        assert.deepStrictEqual(found, []);
    });

    it("--policy-pack-config changes a policy's level and options", async () => {
        const association = "aws:eks/podIdentityAssociation:PodIdentityAssociation";
        assert.deepStrictEqual((await pack.analyze(association, "eso", { disableSessionTags: true })).map((d) => d.enforcementLevel), ["advisory"]);
        await pack.configure({
            "pod-identity-association-keeps-session-tags": { enforcementLevel: "mandatory" },
            "secrets-require-abac-tags": { enforcementLevel: "mandatory", requiredTagKeys: ["team"] },
        });
        try {
            assert.deepStrictEqual((await pack.analyze(association, "eso", { disableSessionTags: true })).map((d) => d.enforcementLevel), ["mandatory"]);
            const found = await pack.analyze(SECRET, "db", { tags: { "kubernetes-namespace": "payments", "eks-cluster-name": "prod-eu" } });
            // The CLI shows the policy's description, then the violation.
            assert.deepStrictEqual(found.map((d) => d.message.split("\n").pop()), ["Secret 'db' has no 'team' tag, so no team can read it through the shared role: add the tag."]);
        } finally {
            await pack.configure({});
        }
    });

    it("Analyze warns of a CI role that reads every secret (GetSecretValue on *), advisory by default and mandatory when configured", async () => {
        const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*" }] });
        const rolePolicy = "aws:iam/rolePolicy:RolePolicy";
        const found = await pack.analyze(rolePolicy, "ci-read", { role: "ci", policy });
        assert.deepStrictEqual(found.map((d) => [d.policyName, d.enforcementLevel]), [["iam-policy-disallow-broad-secret-read", "advisory"]]);
        assert.match(found[0].message, /'ci-read': policy Statement\[0\] allows secretsmanager:GetSecretValue on every resource/);
        await pack.configure({ "iam-policy-disallow-broad-secret-read": { enforcementLevel: "mandatory" } });
        try {
            assert.deepStrictEqual((await pack.analyze(rolePolicy, "ci-read", { role: "ci", policy })).map((d) => d.enforcementLevel), ["mandatory"]);
        } finally {
            await pack.configure({});
        }
    });

    it("Analyze reports a Pod Identity role whose trust lacks sts:TagSession, before the role exists", async () => {
        const trust = controllerTrustPolicy({
            partition: "aws",
            accountId: "111122223333",
            clusterArn: "arn:aws:eks:eu-west-1:111122223333:cluster/prod-eu",
            esoNamespace: "external-secrets",
            esoServiceAccount: "external-secrets",
        });
        const role = "aws:iam/role:Role";
        assert.deepStrictEqual(await pack.analyze(role, "controller", { name: "controller", assumeRolePolicy: renderPolicy(trust) }), []);
        trust.Statement[0].Action = "sts:AssumeRole";
        const found = await pack.analyze(role, "controller", { name: "controller", assumeRolePolicy: renderPolicy(trust) });
        assert.deepStrictEqual(found.map((d) => [d.policyName, d.enforcementLevel]), [["trust-policy-requires-tag-session", "mandatory"]]);
    });
});

describe("the CSI policies, loaded as `pulumi preview --policy-pack policypack` loads the pack", function () {
    // Shapes as the engine sends them in a first preview (tests/analyzer.ts): ARNs unknown, joins by property dependencies.
    this.timeout(180_000);
    let pack: PolicyPackProcess;
    before(async () => {
        pack = await startedPack();
    });

    const SPC = "kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClass";
    const ctx = { partition: "aws", accountId: "111122223333", region: "eu-west-1" };
    const trust = renderPolicy(csiTrustPolicy({ ...ctx, clusterArn: "arn:aws:eks:eu-west-1:111122223333:cluster/prod-eu", refusedNamespaces: ["external-secrets"] }));
    const permissions = csiPermissionPolicy({ ...ctx, parameters: true });
    // Every use of the tag, the Deny statements' Null guard included: the document is keyed on `tag` throughout.
    const keyedOn = (tag: string) => JSON.stringify(permissions).split("aws:PrincipalTag/kubernetes-namespace").join(`aws:PrincipalTag/${tag}`);
    const spc = (parameters: Record<string, unknown>) => ({
        apiVersion: "secrets-store.csi.x-k8s.io/v1",
        kind: "SecretProviderClass",
        metadata: { name: "payments-db", namespace: "payments" },
        spec: { provider: "aws", parameters: { region: "eu-west-1", objects: '- objectName: "payments/db"\n', ...parameters } },
    });
    const levels = (found: { policyName: string; enforcementLevel: string }[]) => found.map((d) => [d.policyName, d.enforcementLevel]);
    /** The CSI role, its policy and one association, as a first preview holds them. */
    const csiStack = (o: { policy?: string; association?: Record<string, unknown>; extra?: EngineResource[] } = {}): EngineResource[] => [
        { type: "aws:iam/role:Role", name: "csi", props: { name: UNKNOWN, arn: UNKNOWN, assumeRolePolicy: trust } },
        { type: "aws:iam/rolePolicy:RolePolicy", name: "csi-read", props: { role: UNKNOWN, policy: o.policy ?? renderPolicy(permissions) }, deps: { role: ["csi"] } },
        {
            type: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
            name: "payments-app",
            props: { clusterName: "prod-eu", namespace: "payments", serviceAccount: "app", roleArn: UNKNOWN, ...o.association },
            deps: { roleArn: ["csi"] },
        },
        { type: SPC, name: "payments-db", props: spc({ usePodIdentity: "true" }) },
        ...(o.extra ?? []),
    ];

    it("Analyze blocks a SecretProviderClass without usePodIdentity before it exists; \"true\" passes; an unknown value is an advisory", async () => {
        assert.deepStrictEqual(levels(await pack.analyze(SPC, "payments-db", spc({}))), [["csi-secret-provider-class-requires-pod-identity", "mandatory"]]);
        assert.deepStrictEqual(levels(await pack.analyze(SPC, "payments-db", spc({ usePodIdentity: "false" }))), [["csi-secret-provider-class-requires-pod-identity", "mandatory"]]);
        assert.deepStrictEqual(await pack.analyze(SPC, "payments-db", spc({ usePodIdentity: "true" })), []);
        assert.deepStrictEqual(levels(await pack.analyze(SPC, "payments-db", spc({ usePodIdentity: UNKNOWN }))), [["csi-secret-provider-class-requires-pod-identity", "advisory"]]);
    });

    it("Analyze blocks a CSI role policy keyed on the pod's name or service account, and a Pod Identity role with an inline document keyed on esoNamespace; the components' document passes", async () => {
        const rolePolicy = "aws:iam/rolePolicy:RolePolicy";
        assert.deepStrictEqual(await pack.analyze(rolePolicy, "csi-read", { role: UNKNOWN, policy: renderPolicy(permissions) }), []);
        for (const tag of ["kubernetes-pod-name", "kubernetes-service-account"]) {
            assert.deepStrictEqual(levels(await pack.analyze(rolePolicy, "csi-read", { role: UNKNOWN, policy: keyedOn(tag) })), [["iam-abac-policy-keys-on-session-namespace", "mandatory"]], tag);
        }
        // A role pods take, with its document inline keyed on ESO's tag: decided from the one resource, before it exists.
        const role = (policy: string) => ({ name: UNKNOWN, arn: UNKNOWN, assumeRolePolicy: trust, inlinePolicies: [{ name: "read", policy }] });
        assert.deepStrictEqual(levels(await pack.analyze("aws:iam/role:Role", "csi", role(keyedOn("esoNamespace")))), [["iam-abac-policy-keys-on-session-namespace", "mandatory"]]);
        assert.deepStrictEqual(await pack.analyze("aws:iam/role:Role", "csi", role(renderPolicy(permissions))), []);
    });

    it("AnalyzeStack passes the CSI stack and blocks its association with disableSessionTags, joined by dependency while the role's ARN is unknown", async () => {
        assert.deepStrictEqual(await pack.analyzeStack(csiStack()), []);
        assert.deepStrictEqual(levels(await pack.analyzeStack(csiStack({ association: { disableSessionTags: true } }))), [["csi-role-association-keeps-session-tags", "mandatory"]]);
        assert.deepStrictEqual(levels(await pack.analyzeStack(csiStack({ association: { disableSessionTags: false } }))), []);
    });

    it("AnalyzeStack blocks the CSI role keyed on esoNamespace, and the CSI role associated with ESO's service account", async () => {
        assert.deepStrictEqual(levels(await pack.analyzeStack(csiStack({ policy: keyedOn("esoNamespace") }))), [["csi-role-policy-keys-on-pod-tags", "mandatory"]]);
        const eso: EngineResource = {
            type: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
            name: "eso-csi",
            props: { clusterName: "prod-eu", namespace: "external-secrets", serviceAccount: "external-secrets", roleArn: UNKNOWN },
            deps: { roleArn: ["csi"] },
        };
        const found = await pack.analyzeStack(csiStack({ extra: [eso] }));
        assert.deepStrictEqual(levels(found), [["csi-role-disallow-eso-use", "mandatory"]]);
        assert.match(found[0].urn, /::eso-csi$/);
    });
});

describe("the policy pack installed in one's own project, started as `pulumi preview --policy-pack node_modules/eks-secrets-abac-policies` starts it", function () {
    // `npm pack` runs prepack, which compiles the pack to dist/: ts-node, which
    // run-policy-pack registers, does not compile .ts files under node_modules
    // (its default `ignore`), so the installed pack must be JavaScript. The
    // CLI starts `pulumi-analyzer-policy`, i.e. @pulumi/pulumi's
    // cmd/run-policy-pack, in the pack's folder (pulumi/pulumi
    // sdk/nodejs/cmd/run-policy-pack/run.ts: `require(".")` of the folder, its
    // package.json `main`). `pulumi policy publish` packs the same tarball.
    this.timeout(300_000);
    let dir: string;
    let installed: string;
    let pack: PolicyPackProcess | undefined;

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "policypack-consumer-"));
        const tarball = execFileSync("npm", ["pack", "--silent", "--pack-destination", dir], { cwd: PACK_DIR, encoding: "utf8" }).trim().split("\n").pop()!;
        fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "platform", version: "1.0.0", private: true }));
        execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", path.join(dir, tarball)], { cwd: dir, stdio: "ignore" });
        installed = path.join(dir, "node_modules", "eks-secrets-abac-policies");
    });
    after(() => {
        pack?.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("ships compiled JavaScript and no TypeScript source, only the pack's own files", () => {
        const files = execFileSync("find", [".", "-type", "f"], { cwd: installed, encoding: "utf8" }).trim().split("\n").sort();
        assert.deepStrictEqual(files.filter((f) => /\.ts$/.test(f) && !/\.d\.ts$/.test(f)), []);
        assert.ok(!files.some((f) => f.includes("components")), files.join(" "));
        assert.ok(files.includes("./dist/index.js") && files.includes("./dist/policies/index.js") && files.includes("./PulumiPolicy.yaml"), files.join(" "));
        const manifest = JSON.parse(fs.readFileSync(path.join(installed, "package.json"), "utf8"));
        assert.strictEqual(manifest.main, "index.js");
        assert.match(fs.readFileSync(path.join(installed, "PulumiPolicy.yaml"), "utf8"), /^runtime: nodejs$/m);
        // Its policies load with plain node, no ts-node.
        const names = execFileSync(process.execPath, ["-e", "console.log(JSON.stringify(require('eks-secrets-abac-policies/policies').policies.map((p) => p.name)))"], { cwd: dir, encoding: "utf8" });
        assert.deepStrictEqual(JSON.parse(names), policies.map((p) => p.name));
    });

    it("starts with the project's run-policy-pack in the installed folder, takes a policy configuration file, and returns verdicts", async () => {
        pack = await PolicyPackProcess.start(installed, path.join(dir, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack"));
        const info = await pack.info();
        assert.strictEqual(info.name, "eks-secrets-abac");
        assert.deepStrictEqual(info.policies.map((p) => p.name), policies.map((p) => p.name));
        const untagged = await pack.analyze(SECRET, "db", { name: "payments/db", tags: { "eks-cluster-name": "prod-eu" } });
        assert.deepStrictEqual(untagged.map((d) => [d.policyName, d.enforcementLevel]), [["secrets-require-abac-tags", "mandatory"]]);
        // The file `pulumi preview --policy-pack-config` takes: a level, or a level with options, per policy.
        const file = path.join(dir, "policy-config.json");
        fs.writeFileSync(file, JSON.stringify({ "secrets-require-abac-tags": { enforcementLevel: "advisory", requiredTagKeys: ["team"] }, "pod-identity-association-keeps-session-tags": "mandatory" }));
        await pack.configure(policyConfigFile(file));
        const found = await pack.analyze(SECRET, "db", { tags: { "kubernetes-namespace": "payments", "eks-cluster-name": "prod-eu" } });
        assert.deepStrictEqual(found.map((d) => [d.enforcementLevel, d.message.split("\n").pop()]), [["advisory", "Secret 'db' has no 'team' tag, so no team can read it through the shared role: add the tag."]]);
        const association = "aws:eks/podIdentityAssociation:PodIdentityAssociation";
        assert.deepStrictEqual((await pack.analyze(association, "eso", { disableSessionTags: true })).map((d) => d.enforcementLevel), ["mandatory"]);
    });
});

/**
 * A `--policy-pack-config` file as the Pulumi CLI reads it (pulumi/pulumi
 * pkg/engine ParsePolicyPackConfigFromFile): per policy, a level as a string,
 * or an object with `enforcementLevel` and the options.
 */
function policyConfigFile(file: string): Parameters<PolicyPackProcess["configure"]>[0] {
    const raw = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, string | Record<string, unknown>>;
    return Object.fromEntries(Object.entries(raw).map(([name, v]) => [name, typeof v === "string" ? { enforcementLevel: v } : v])) as Parameters<PolicyPackProcess["configure"]>[0];
}
