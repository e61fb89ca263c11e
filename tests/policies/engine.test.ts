/**
 * The pack started as the CLI starts it (run-policy-pack, type-checked) and
 * fed Analyze and AnalyzeStack requests shaped as the engine builds them in a
 * first `pulumi preview`: computed values as the unknown marker, secrets
 * wrapped, the provider's inputs (defaultTags as a JSON string), property
 * dependencies. Sources for each shape are cited in tests/analyzer.ts.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as path from "path";
import { abacPermissionPolicy, clusterSecretStoreManifest, controllerPermissionPolicy, renderPolicy } from "../../components";
import { awsProvider, Diagnostic, EngineResource, PolicyPackProcess, secret, UNKNOWN } from "../analyzer";
import { ABAC_ARN, changeFirstStatement, ctx, docs } from "./fixtures";

const SECRET = "aws:secretsmanager/secret:Secret";
const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const STORE = "kubernetes:external-secrets.io/v1:ClusterSecretStore";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const TAGS = { "kubernetes-namespace": "payments", "eks-cluster-name": "prod-eu" };

/** One pack process for the whole file: starting it (ts-node type-checks the pack) is the slow part. */
let started: Promise<PolicyPackProcess> | undefined;
const sharedPack = () => (started ??= PolicyPackProcess.start());
after(async () => (await started)?.stop());

const levels = (found: Diagnostic[]) => found.map((d) => [d.policyName, d.enforcementLevel]);
const mandatory = (found: Diagnostic[]) => found.filter((d) => d.enforcementLevel === "mandatory");

/** A compliant stack as a first preview sees it: every ARN unknown, joins only through property dependencies. */
function firstPreviewStack(change: (r: Record<string, EngineResource>) => void = () => undefined): EngineResource[] {
    const r: Record<string, EngineResource> = {
        controller: { type: ROLE, name: "controller", props: { name: "prod-eu-eso-controller", arn: UNKNOWN, assumeRolePolicy: renderPolicy(docs.controllerTrust) }, provider: awsProvider() },
        "shared-abac": { type: ROLE, name: "shared-abac", props: { name: UNKNOWN, arn: UNKNOWN, assumeRolePolicy: renderPolicy(docs.abacTrust) }, provider: awsProvider() },
        "controller-assume-abac": {
            type: ROLE_POLICY,
            name: "controller-assume-abac",
            props: { role: UNKNOWN, policy: renderPolicy(controllerPermissionPolicy(ABAC_ARN)) },
            deps: { role: ["controller"] },
            provider: awsProvider(),
        },
        "shared-abac-read": { type: ROLE_POLICY, name: "shared-abac-read", props: { role: UNKNOWN, policy: renderPolicy(docs.abacPermissions) }, deps: { role: ["shared-abac"] }, provider: awsProvider() },
        store: {
            type: STORE,
            name: "store",
            props: (() => {
                const m = clusterSecretStoreManifest({ name: "team-secrets", region: ctx.region, abacRoleArn: ABAC_ARN }) as any;
                return { ...m, spec: { ...m.spec, provider: { aws: { ...m.spec.provider.aws, role: UNKNOWN } } } };
            })(),
            deps: { spec: ["shared-abac"] },
        },
        db: { type: SECRET, name: "db", props: { name: "payments/db", arn: UNKNOWN, tags: TAGS, tagsAll: UNKNOWN }, provider: awsProvider({ owner: "platform" }) },
    };
    change(r);
    return Object.values(r);
}

describe("the policy pack in a first preview, as the engine drives it", function () {
    this.timeout(180_000);
    let pack: PolicyPackProcess;
    before(async () => {
        pack = await sharedPack();
    });

    const analyzeAll = async (resources: EngineResource[]) => (await Promise.all(resources.map((r) => pack.analyze(r.type, r.name, r.props, r.provider)))).flat();

    it("a correct stack with unknown ARNs gets no mandatory finding from Analyze or AnalyzeStack", async () => {
        const stack = firstPreviewStack();
        assert.deepStrictEqual(mandatory(await analyzeAll(stack)), []);
        assert.deepStrictEqual(await pack.analyzeStack(stack), []);
    });

    it("Analyze blocks a Pod Identity trust without sts:TagSession although the role's name and ARN are unknown", async () => {
        const trust = renderPolicy(changeFirstStatement(docs.controllerTrust, (s) => (s.Action = "sts:AssumeRole")));
        const found = await pack.analyze(ROLE, "controller", { name: UNKNOWN, arn: UNKNOWN, assumeRolePolicy: trust }, awsProvider());
        assert.deepStrictEqual(levels(found), [["trust-policy-requires-tag-session", "mandatory"]]);
    });

    it("Analyze blocks an ABAC document with an unconditioned GetSecretValue although its role is unknown", async () => {
        const doc = { ...docs.abacPermissions, Statement: [...docs.abacPermissions.Statement, { Sid: "Open", Effect: "Allow" as const, Action: "secretsmanager:GetSecretValue", Resource: UNKNOWN }] };
        const found = await pack.analyze(ROLE_POLICY, "shared-abac-read", { role: UNKNOWN, policy: JSON.stringify(doc) }, awsProvider());
        assert.deepStrictEqual(levels(found), [["iam-abac-policy-disallow-untagged-secret-read", "mandatory"]]);
    });

    it("Analyze judges Parameter Store: an untagged SecureString and a path read in the ABAC document are blocked; a plain String and the components' document with parameters pass", async () => {
        const PARAMETER = "aws:ssm/parameter:Parameter";
        const untagged = await pack.analyze(PARAMETER, "db", { name: "/teams/payments/db", type: "SecureString", value: "x", tags: { "eks-cluster-name": "prod-eu" }, tagsAll: UNKNOWN }, awsProvider());
        assert.deepStrictEqual(levels(untagged), [["ssm-secure-parameters-require-abac-tags", "mandatory"]]);
        assert.deepStrictEqual(await pack.analyze(PARAMETER, "url", { name: "/app/url", type: "String", value: "x", tagsAll: UNKNOWN }, awsProvider()), []);
        assert.deepStrictEqual(levels(await pack.analyze(PARAMETER, "db", { name: "p", type: UNKNOWN, value: "x" }, awsProvider())), [["ssm-secure-parameters-require-abac-tags", "advisory"]]);
        const withParameters = abacPermissionPolicy({ ...ctx, parameters: true });
        assert.deepStrictEqual(await pack.analyze(ROLE_POLICY, "shared-abac-read", { role: UNKNOWN, policy: renderPolicy(withParameters) }, awsProvider()), []);
        const byPath = { ...withParameters, Statement: withParameters.Statement.map((s, i) => (i === 1 ? { ...s, Action: "ssm:GetParameter*" } : s)) };
        const found = await pack.analyze(ROLE_POLICY, "shared-abac-read", { role: UNKNOWN, policy: renderPolicy(byPath) }, awsProvider());
        assert.deepStrictEqual(levels(found), [["iam-abac-policy-disallow-parameter-path-read", "mandatory"]]);
    });

    it("Analyze blocks a secret without the namespace tag while another tag value and tagsAll are unknown", async () => {
        const found = await pack.analyze(SECRET, "db", { tags: { "eks-cluster-name": "prod-eu", build: UNKNOWN }, tagsAll: UNKNOWN }, awsProvider({ owner: "platform" }));
        assert.deepStrictEqual(levels(found), [["secrets-require-abac-tags", "mandatory"]]);
        assert.match(found[0].message, /has no 'kubernetes-namespace' tag/);
    });

    it("reads the provider's defaultTags (a JSON string in the provider's inputs) before tagsAll", async () => {
        const found = await pack.analyze(SECRET, "db", { tags: { "kubernetes-namespace": "payments" }, tagsAll: UNKNOWN }, awsProvider({ "eks-cluster-name": "prod-eu" }));
        assert.deepStrictEqual(found, []);
        const wildcard = await pack.analyze(SECRET, "db", { tags: { "kubernetes-namespace": "payments" }, tagsAll: UNKNOWN }, awsProvider({ "eks-cluster-name": "*" }));
        assert.deepStrictEqual(levels(wildcard), [["secrets-require-abac-tags", "mandatory"]]);
    });

    it("an undecidable secret gets one advisory naming the unknown property, and only that secret", async () => {
        const stack = firstPreviewStack((r) => {
            r.db.props = { ...r.db.props, tags: { ...TAGS, "kubernetes-namespace": UNKNOWN } };
        });
        const found = await analyzeAll(stack);
        assert.deepStrictEqual(levels(found), [["secrets-require-abac-tags", "advisory"]]);
        assert.match(found[0].message, /\.tags\.kubernetes-namespace can't be known during preview/);
        assert.strictEqual(found[0].urn, "");
    });

    it("an unknown trust policy leaves only that role undecided: advisories, nothing mandatory", async () => {
        const found = await pack.analyze(ROLE, "shared-abac", { name: UNKNOWN, arn: UNKNOWN, assumeRolePolicy: UNKNOWN }, awsProvider());
        assert.ok(found.length > 0);
        for (const d of found) {
            assert.strictEqual(d.enforcementLevel, "advisory", d.policyName);
            assert.match(d.message, /\.assumeRolePolicy can't be known/);
        }
    });

    it("never echoes a secret-wrapped value, and judges what it wraps", async () => {
        const found = await pack.analyze(SECRET, "db", { tags: { "kubernetes-namespace": secret("pay*ments-hidden"), "eks-cluster-name": secret("prod-eu") } }, awsProvider());
        assert.deepStrictEqual(levels(found), [["secrets-require-abac-tags", "mandatory"]]);
        assert.ok(!found[0].message.includes("pay*ments-hidden"), found[0].message);
        assert.deepStrictEqual(await pack.analyze(SECRET, "db", { tags: { "kubernetes-namespace": secret("payments"), "eks-cluster-name": "prod-eu" } }, awsProvider()), []);
    });

    it("AnalyzeStack joins a store to the role its spec depends on while the role's ARN is unknown", async () => {
        const stack = firstPreviewStack((r) => {
            const aws = { ...(r.store.props as any).spec.provider.aws };
            delete aws.sessionTagsPolicy;
            r.store.props = { ...r.store.props, spec: { provider: { aws } } };
        });
        assert.deepStrictEqual(levels(await pack.analyzeStack(stack)), [["eso-store-abac-role-requires-session-tags-policy", "mandatory"]]);
    });

    it("AnalyzeStack with the store's whole spec unknown (it holds the new role's ARN): a trust without TagSession is an advisory, not a pass", async () => {
        const stack = firstPreviewStack((r) => {
            r.store.props = { ...r.store.props, spec: UNKNOWN };
            r["shared-abac"].props = { ...r["shared-abac"].props, assumeRolePolicy: renderPolicy(changeFirstStatement(docs.abacTrust, (s) => (s.Action = "sts:AssumeRole"))) };
        });
        const found = await pack.analyzeStack(stack);
        assert.deepStrictEqual(mandatory(found), []);
        const tagSession = found.filter((d) => d.policyName === "eso-store-role-allows-tag-session");
        assert.strictEqual(tagSession.length, 1);
        assert.match(tagSession[0].message, /store\.spec can't be known/);
        // The correct trust with the same unknown spec raises no TagSession advisory.
        const fine = await pack.analyzeStack(firstPreviewStack((r) => (r.store.props = { ...r.store.props, spec: UNKNOWN })));
        assert.deepStrictEqual(fine.filter((d) => d.policyName === "eso-store-role-allows-tag-session"), []);
    });

    it("AnalyzeStack blocks SecretsManagerReadWrite on the shared role, joined by dependency, and stays silent on the unknowns elsewhere", async () => {
        const stack = firstPreviewStack((r) => {
            r.rw = { type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment", name: "rw", props: { role: UNKNOWN, policyArn: "arn:aws:iam::aws:policy/SecretsManagerReadWrite" }, deps: { role: ["shared-abac"] } };
        });
        assert.deepStrictEqual(levels(await pack.analyzeStack(stack)), [["abac-role-disallow-untagged-secret-read", "mandatory"]]);
    });

    it("Analyze blocks SecretsManagerReadWrite in managedPolicyArns of a role that takes session tags, before it exists; near miss: an untagged app role", async () => {
        const arns = ["arn:aws:iam::aws:policy/SecretsManagerReadWrite"];
        const found = await pack.analyze(ROLE, "shared-abac", { name: UNKNOWN, arn: UNKNOWN, assumeRolePolicy: renderPolicy(docs.abacTrust), managedPolicyArns: arns }, awsProvider());
        assert.deepStrictEqual(levels(found), [
            ["tagged-role-disallow-managed-secret-readers", "mandatory"],
            ["iam-policy-disallow-broad-secret-read", "advisory"],
        ]);
        // Any role with it reads every secret: the app role gets the advisory warning, not the mandatory verdict of tagged roles.
        const app = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] };
        assert.deepStrictEqual(levels(await pack.analyze(ROLE, "app", { assumeRolePolicy: JSON.stringify(app), managedPolicyArns: arns }, awsProvider())), [["iam-policy-disallow-broad-secret-read", "advisory"]]);
    });

    it("AnalyzeStack with an unknown permission document on the shared role: one advisory, not a mandatory verdict", async () => {
        const stack = firstPreviewStack((r) => {
            r.extra = { type: ROLE_POLICY, name: "extra", props: { role: UNKNOWN, policy: UNKNOWN }, deps: { role: ["shared-abac"] } };
        });
        const found = await pack.analyzeStack(stack);
        assert.deepStrictEqual(levels(found), [["abac-role-disallow-untagged-secret-read", "advisory"]]);
        assert.match(found[0].message, /extra\.policy/);
    });

    it("survives shapes it does not expect: sessionTags as a map, a trust that is a number", async () => {
        const m = clusterSecretStoreManifest({ name: "s", region: ctx.region, abacRoleArn: ABAC_ARN }) as any;
        const store = { ...m, spec: { provider: { aws: { ...m.spec.provider.aws, sessionTags: { namespace: "x" } } } } };
        const found = await pack.analyze(STORE, "s", store);
        assert.deepStrictEqual(levels(found), [["eso-store-session-tags-must-reach-aws", "mandatory"]]);
        assert.match(found[0].message, /not a list of \{key, value\}/);
        assert.deepStrictEqual(levels(await pack.analyze(ROLE, "r", { assumeRolePolicy: 42 })), [["iam-policy-document-must-parse", "mandatory"]]);
    });

    it("blocks a store with session tags and no role as a ClusterSecretStorePatch and inside the chart's extraObjects; near miss passes", async () => {
        const aws = { service: "SecretsManager", region: ctx.region, sessionTagsPolicy: "Simple" };
        const patch = await pack.analyze("kubernetes:external-secrets.io/v1:ClusterSecretStorePatch", "p", { spec: { provider: { aws } } });
        assert.deepStrictEqual(levels(patch), [["eso-store-session-tags-must-reach-aws", "mandatory"]]);
        assert.deepStrictEqual(await pack.analyze("kubernetes:external-secrets.io/v1:SecretStorePatch", "p", { spec: { provider: { aws: { ...aws, role: ABAC_ARN } } } }), []);
        const manifest = { apiVersion: "external-secrets.io/v1", kind: "ClusterSecretStore", metadata: { name: "x" }, spec: { provider: { aws } } };
        for (const item of [manifest, JSON.stringify(manifest)]) {
            const found = await pack.analyze(RELEASE, "eso", { chart: "external-secrets", version: "2.9.0", values: { processSecretStore: false, extraObjects: [item] } });
            assert.deepStrictEqual(levels(found), [["eso-store-session-tags-must-reach-aws", "mandatory"]], typeof item);
        }
        const fine = { ...manifest, spec: { provider: { aws: { ...aws, role: ABAC_ARN } } } };
        assert.deepStrictEqual(await pack.analyze(RELEASE, "eso", { chart: "external-secrets", version: "2.9.0", values: { extraObjects: [fine] } }), []);
    });

    it("judges Helm version ranges: ^2.0 and 2.x may resolve below 2.5.0, >=2.5.0 and ~2.9.0 cannot", async () => {
        for (const [version, count] of [["^2.0", 1], ["2.x", 1], ["0.10.7", 1], [">=2.5.0", 0], ["~2.9.0", 0], ["2.9.0", 0]] as const) {
            const found = await pack.analyze(RELEASE, "eso", { chart: "external-secrets", version, values: { processSecretStore: false } });
            assert.strictEqual(found.filter((d) => d.policyName === "eso-chart-version-supports-session-tags").length, count, version);
        }
    });

    it("blocks aws-native secrets without the tags (a list of {key, value}) and passes tagged ones", async () => {
        const found = await pack.analyze("aws-native:secretsmanager:Secret", "n", { name: "x", tags: [{ key: "eks-cluster-name", value: "prod-eu" }] });
        assert.deepStrictEqual(levels(found), [["secrets-require-abac-tags", "mandatory"]]);
        const tags = Object.entries(TAGS).map(([key, value]) => ({ key, value }));
        assert.deepStrictEqual(await pack.analyze("aws-native:secretsmanager:Secret", "n", { name: "x", tags }), []);
    });

    it("blocks a secret over the 50-tag limit counting defaultTags; 50 pass", async () => {
        const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, "v"]));
        assert.deepStrictEqual(await pack.analyze(SECRET, "db", { tags: { ...TAGS, ...many(47) } }, awsProvider({ owner: "p", "aws:cloudformation:x": "y" })), []);
        const over = await pack.analyze(SECRET, "db", { tags: { ...TAGS, ...many(47) } }, awsProvider({ owner: "p", team: "q" }));
        assert.deepStrictEqual(levels(over), [["secrets-require-abac-tags", "mandatory"]]);
        assert.match(over[0].message, /has 51 tags/);
    });

    it("blocks secret resource policies that grant reads around the tags (SecretPolicy, Secret.policy, aws-native); a Deny passes", async () => {
        const grant = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "secretsmanager:GetSecretValue", Resource: "*" }] });
        for (const [type, props] of [
            ["aws:secretsmanager/secretPolicy:SecretPolicy", { secretArn: UNKNOWN, policy: grant }],
            [SECRET, { tags: TAGS, policy: grant }],
            ["aws-native:secretsmanager:ResourcePolicy", { secretId: UNKNOWN, resourcePolicy: JSON.parse(grant) }],
        ] as const) {
            assert.deepStrictEqual(levels(await pack.analyze(type, "sp", props)), [["secret-resource-policy-disallow-untagged-read", "mandatory"]], type);
        }
        const deny = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Principal: "*", Action: "secretsmanager:*", Resource: "*", Condition: { StringNotEquals: { "aws:PrincipalArn": ABAC_ARN } } }] });
        assert.deepStrictEqual(await pack.analyze("aws:secretsmanager/secretPolicy:SecretPolicy", "sp", { secretArn: UNKNOWN, policy: deny }), []);
    });

    it("excludeFor exempts named resources or patterns from one policy, and only from it", async () => {
        await pack.configure({ "secrets-require-abac-tags": { enforcementLevel: "mandatory", excludeFor: ["legacy-*"] } });
        try {
            assert.deepStrictEqual(await pack.analyze(SECRET, "legacy-db", { name: "x" }), []);
            assert.strictEqual((await pack.analyze(SECRET, "db", { name: "x" })).length, 2);
        } finally {
            await pack.configure({});
        }
    });

    it("GetAnalyzerInfo carries displayName and url for every policy", async () => {
        for (const p of (await pack.info()).policies) {
            assert.ok(p.displayName.length > 0, p.name);
            assert.match(p.url, /^https:\/\//, p.name);
        }
    });
});

describe("unknown parts of a document (first preview)", function () {
    this.timeout(180_000);
    let pack: PolicyPackProcess;
    before(async () => {
        pack = await sharedPack();
    });

    it("an ABAC statement whose condition block is unknown is undecided, not a violation; a known open statement beside it is still blocked", async () => {
        const unknownCondition = { ...docs.abacPermissions, Statement: [...docs.abacPermissions.Statement, { Sid: "Later", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*", Condition: { StringEquals: UNKNOWN } }] };
        const found = await pack.analyze(ROLE_POLICY, "p", { role: UNKNOWN, policy: JSON.stringify(unknownCondition) });
        assert.ok(found.length > 0 && found.every((d) => d.enforcementLevel === "advisory"), JSON.stringify(levels(found)));
        const plusOpen = { ...unknownCondition, Statement: [...unknownCondition.Statement, { Sid: "Open", Effect: "Allow", Action: "secretsmanager:*", Resource: "*" }] };
        const blocked = await pack.analyze(ROLE_POLICY, "p", { role: UNKNOWN, policy: JSON.stringify(plusOpen) });
        assert.deepStrictEqual(mandatory(blocked).map((d) => d.policyName), ["iam-abac-policy-disallow-untagged-secret-read"]);
    });
});

describe("the components' own first preview, fed to the pack", function () {
    // tests/policies/firstPreview.ts runs the component under Pulumi's mocks in
    // preview mode: what the program passes is known, every provider-computed
    // output is unknown (e.g. the shared role's ARN in the ClusterSecretStore).
    this.timeout(240_000);
    let pack: PolicyPackProcess;
    let resources: EngineResource[];
    before(async () => {
        const out = execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(__dirname, "firstPreview.ts")], { encoding: "utf8", maxBuffer: 64 << 20 });
        resources = (JSON.parse(out) as EngineResource[]).map((r) => ({ ...r, provider: r.type.startsWith("aws:") ? awsProvider() : undefined }));
        pack = await sharedPack();
    });

    it("holds unknowns where a first preview has them", () => {
        assert.ok(JSON.stringify(resources).includes(UNKNOWN));
        assert.ok(resources.some((r) => r.type === ROLE) && resources.some((r) => r.type === SECRET));
    });

    it("keeps the store's spec known but for the shared role's ARN, so the pack can judge it before it exists", () => {
        const store = resources.find((r) => r.type === STORE)!;
        const aws = (store.props.spec as any).provider.aws;
        assert.strictEqual(aws.role, UNKNOWN);
        assert.deepStrictEqual({ ...aws, role: "(unknown)" }, { service: "SecretsManager", region: "eu-west-1", role: "(unknown)", sessionTagsPolicy: "Simple" });
    });

    it("gets no mandatory finding from Analyze or AnalyzeStack, and advisories only where a value is unknown", async () => {
        const found = (await Promise.all(resources.map((r) => pack.analyze(r.type, r.name, r.props, r.provider)))).flat();
        assert.deepStrictEqual(mandatory(found), []);
        for (const d of found) assert.match(d.message, /can't be known during preview/, d.policyName);
        assert.deepStrictEqual(mandatory(await pack.analyzeStack(resources)), []);
    });

    it("blocks the same preview once the shared role's trust loses sts:TagSession", async () => {
        const shared = resources.find((r) => r.type === ROLE && String(r.props.assumeRolePolicy).includes("EsoControllerAssumesWithSessionTags"))!;
        const trust = JSON.parse(String(shared.props.assumeRolePolicy));
        trust.Statement[0].Action = "sts:AssumeRole";
        trust.Statement[0].Condition = { ...trust.Statement[0].Condition, StringEquals: { ...trust.Statement[0].Condition?.StringEquals, "aws:RequestTag/esoNamespace": "x" } };
        const found = await pack.analyze(ROLE, shared.name, { ...shared.props, assumeRolePolicy: JSON.stringify(trust) }, shared.provider);
        assert.deepStrictEqual(levels(mandatory(found)), [["trust-policy-requires-tag-session", "mandatory"]]);
    });
});
