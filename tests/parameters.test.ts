/**
 * Parameter Store beside Secrets Manager in one account: config, validation,
 * what the stack declares, and the shared role's decisions on parameters.
 */
import * as assert from "assert";
import { EksSecretsAbac, EksSecretsAbacArgs, PARAMETER_PLACEHOLDER, parseStackConfig, validateArgs } from "../components";
import { decide, IamRequest, unrecognisedContextKeys } from "../cli/src/checker";
import { celFailures, schemas, validateClusterSecretStore } from "./esoSchemas";
import * as path from "path";
import { buildPlan, renderPlan } from "../cli/src/checker";
import { FIXTURES, runOffline, team, twoTeamArgs } from "./helpers";

const withParameters = (patch: object = {}): EksSecretsAbacArgs => {
    const args = twoTeamArgs();
    return {
        ...args,
        teams: [
            {
                ...args.teams[0],
                parameters: [{ name: "db-url" }],
                externalSecrets: [{ name: "app", data: [{ secretKey: "DB_URL", parameter: "db-url" }, { secretKey: "DB_PASSWORD", secret: "db-password" }] }],
                ...patch,
            },
            args.teams[1],
        ],
    };
};

const problems = (args: EksSecretsAbacArgs) => validateArgs(args).map((p) => `${p.path}: ${p.message}`);

describe("team parameters: validation", () => {
    it("accepts parameters beside secrets, and an ExternalSecret that reads both", () => {
        assert.deepStrictEqual(problems(withParameters()), []);
    });

    const cases: [string, object, RegExp][] = [
        ["a parameter name with a space", { parameters: [{ name: "db url" }] }, /^teams\[0\]\.parameters\[0\]\.name: is `db url`: Parameter Store names allow/],
        ["a parameter name with a leading slash", { parameters: [{ name: "/db" }] }, /^teams\[0\]\.parameters\[0\]\.name: is `\/db`/],
        ["a duplicate parameter", { parameters: [{ name: "a" }, { name: "a" }] }, /^teams\[0\]\.parameters\[1\]\.name: `a` appears twice/],
        ["a parameter more than 15 levels deep", { parameters: [{ name: Array.from({ length: 15 }, (_, i) => `l${i}`).join("/") }] }, /16 levels deep; Parameter Store allows 15/],
        [
            "an ExternalSecret reading a parameter the team does not have",
            { parameters: [], externalSecrets: [{ name: "x", data: [{ secretKey: "K", parameter: "db-url" }] }] },
            /^teams\[0\]\.externalSecrets\[0\]\.data\[0\]\.parameter: is `db-url`, which is not one of the team's parameters/,
        ],
        [
            "an entry naming both a secret and a parameter",
            { parameters: [{ name: "p" }], externalSecrets: [{ name: "x", data: [{ secretKey: "K", secret: "db-password", parameter: "p" }] }] },
            /^teams\[0\]\.externalSecrets\[0\]\.data\[0\]: give exactly one of `secret`.*`parameter`.*`remoteKey`/,
        ],
    ];
    for (const [what, patch, expected] of cases) {
        it(`rejects ${what}`, () => {
            const found = problems(withParameters(patch));
            assert.ok(found.some((p) => expected.test(p)), found.join("\n"));
        });
    }

    it("rejects a namespace whose parameter names would start with the reserved 'ssm' prefix", () => {
        const args = withParameters();
        const found = problems({ ...args, teams: [{ ...team("ssm-team"), parameters: [{ name: "x" }] }] });
        assert.ok(found.some((p) => /^teams\[0\]\.parameters\[0\]\.name: makes `\/ssm-team\/x`, which starts with 'aws' or 'ssm'/.test(p)), found.join("\n"));
    });

    it("rejects a secret name prefix Parameter Store refuses, once a team has parameters", () => {
        const found = problems({ ...withParameters(), secretNamePrefix: "prod+eu/" });
        assert.ok(found.some((p) => /secretNamePrefix may use letters, digits/.test(p)), found.join("\n"));
    });

    it("rejects a Parameter Store store named like the Secrets Manager store, and a default key that is not a key ARN", () => {
        assert.ok(problems({ ...withParameters(), parameterStoreName: "team-secrets" }).some((p) => p.startsWith("parameterStoreName: is `team-secrets`, the name of the Secrets Manager store too")));
        assert.ok(problems({ ...withParameters(), secretsKmsKeyId: "alias/x" }).some((p) => p.startsWith("secretsKmsKeyId: is `alias/x`: give the key's ARN")));
    });

    it("config: `parameters:` beside `secrets:` is known; a misspelled field is named with the allowed ones", () => {
        const config = (parameter: object) => ({ clusterName: "prod-eu", installPodIdentityAgent: true, teams: [{ namespace: "payments", parameters: [parameter] }] });
        assert.deepStrictEqual(parseStackConfig(config({ name: "db-url", valueFromConfig: "dbUrl" })).problems, []);
        const parsed = parseStackConfig(config({ name: "db-url", vaule: "x" }));
        assert.deepStrictEqual(parsed.problems.map((p) => p.path), ["teams[0].parameters[0].vaule"]);
        assert.match(parsed.problems[0].message, /allowed here: name, description, kmsKeyId, valueFromConfig/);
    });
});

describe("team parameters: what the stack declares", function () {
    this.timeout(60_000);

    it("declares SecureString parameters tagged like secrets, a second store, and the read statement only when a team has parameters", async () => {
        const run = await runOffline(() => new EksSecretsAbac("prod", withParameters()));
        const parameter = run.one("aws:ssm/parameter:Parameter");
        assert.strictEqual(parameter.inputs.name, "/payments/db-url");
        assert.strictEqual(parameter.inputs.type, "SecureString");
        assert.deepStrictEqual(parameter.inputs.tags, { "kubernetes-namespace": "payments", "eks-cluster-name": "prod-eu" });
        const stores = run.ofType("kubernetes:external-secrets.io/v1:ClusterSecretStore");
        assert.deepStrictEqual(stores.map((s) => [s.inputs.metadata.name, s.inputs.spec.provider.aws.service]).sort(), [
            ["team-parameters", "ParameterStore"],
            ["team-secrets", "SecretsManager"],
        ]);
        // Both stores serve the namespaces onboarding labels once.
        assert.deepStrictEqual(stores[0].inputs.spec.conditions, stores[1].inputs.spec.conditions);
        const statements = run.ofType("aws:iam/rolePolicy:RolePolicy").flatMap((p) => JSON.parse(p.inputs.policy).Statement);
        // What the role is allowed: its Deny statements on tags that differ name ssm:* on purpose.
        const actions = statements.filter((s: { Effect: string }) => s.Effect === "Allow").flatMap((s: { Action: string | string[] }) => [s.Action].flat());
        assert.ok(actions.includes("ssm:GetParameter") && actions.includes("ssm:GetParameters"));
        assert.ok(!actions.some((a: string) => /GetParametersByPath|DescribeParameters|ssm:\*/.test(a)), actions.join(", "));

        const plain = await runOffline(() => new EksSecretsAbac("prod", twoTeamArgs()));
        assert.strictEqual(plain.ofType("kubernetes:external-secrets.io/v1:ClusterSecretStore").length, 1);
        // Nothing of Parameter Store is allowed without parameters (the Deny statements on tags that differ cover it anyway).
        const plainAllows = plain.ofType("aws:iam/rolePolicy:RolePolicy").flatMap((p) => JSON.parse(p.inputs.policy).Statement).filter((st: { Effect: string }) => st.Effect === "Allow");
        assert.ok(!JSON.stringify(plainAllows).includes("ssm:"));
    });

    it("creates a parameter without a value with a placeholder (Parameter Store needs one), one with a value with that value, both as Pulumi secrets", async () => {
        const run = await runOffline(() => new EksSecretsAbac("prod", withParameters({ parameters: [{ name: "db-url" }, { name: "port", value: "5432" }] })));
        const values = Object.fromEntries(run.ofType("aws:ssm/parameter:Parameter").map((r) => [r.inputs.name, r.inputs.value.value]));
        assert.deepStrictEqual(values, { "/payments/db-url": PARAMETER_PLACEHOLDER, "/payments/port": "5432" });
        // The Pulumi secret signature: the value never reaches the state in plain text.
        for (const r of run.ofType("aws:ssm/parameter:Parameter")) assert.strictEqual(r.inputs.value["4dabf18193072939515e22adb298388d"], "1b47061264138c4ac30d75fd1eb44270");
    });

    it("on an IRSA cluster the Parameter Store store sends the same cluster tag as the Secrets Manager store", async () => {
        const oidc = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
        const run = await runOffline(() => new EksSecretsAbac("prod", { ...withParameters(), installPodIdentityAgent: undefined, identity: "irsa", oidcProviderArn: oidc }));
        const stores = run.ofType("kubernetes:external-secrets.io/v1:ClusterSecretStore").map((s) => s.inputs.spec.provider.aws);
        assert.strictEqual(stores.length, 2);
        for (const aws of stores) {
            assert.strictEqual(aws.sessionTagsPolicy, "Custom");
            assert.deepStrictEqual(aws.customSessionTags, stores[0].customSessionTags);
        }
        assert.deepStrictEqual(stores.map((a) => a.service).sort(), ["ParameterStore", "SecretsManager"]);
        for (const s of run.ofType("kubernetes:external-secrets.io/v1:ClusterSecretStore")) {
            const manifest = { apiVersion: s.inputs.apiVersion, kind: s.inputs.kind, metadata: s.inputs.metadata, spec: s.inputs.spec };
            assert.ok(validateClusterSecretStore(manifest), JSON.stringify(validateClusterSecretStore.errors));
            assert.deepStrictEqual(celFailures(schemas.store, manifest), []);
        }
    });

    it("the shared role reads a team's own parameter and no other, with only documented context keys", async () => {
        const run = await runOffline(() => new EksSecretsAbac("prod", withParameters()));
        const abac = run.ofType("aws:iam/role:Role").find((r) => r.inputs.name !== "prod-eu-eso-controller")!;
        const policy = JSON.parse(run.ofType("aws:iam/rolePolicy:RolePolicy").find((p) => p.inputs.role === abac.state.name)!.inputs.policy);
        const arn = run.one("aws:ssm/parameter:Parameter").state.arn;
        const read = (esoNamespace: string, cluster: string, tags: Record<string, string>): IamRequest => ({
            principal: `arn:aws:sts::111122223333:assumed-role/${abac.state.name}/eso`,
            action: "ssm:GetParameter",
            resource: arn,
            resourceAccount: "111122223333",
            context: {
                "aws:PrincipalTag/esoNamespace": esoNamespace,
                "aws:PrincipalTag/eks-cluster-name": cluster,
                "aws:PrincipalArn": abac.state.arn,
                ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:ResourceTag/${k}`, v])),
            },
            identityPolicies: [policy],
        });
        const own = read("payments", "prod-eu", { "kubernetes-namespace": "payments", "eks-cluster-name": "prod-eu" });
        assert.deepStrictEqual(await unrecognisedContextKeys(own.action, own.resource, Object.keys(own.context)), []);
        assert.strictEqual(decide(own), "Allowed");
        // Explicitly: the role's Deny on tags that differ holds even against a resource policy's grant.
        assert.strictEqual(decide(read("search", "prod-eu", { "kubernetes-namespace": "payments", "eks-cluster-name": "prod-eu" })), "ExplicitlyDenied");
        assert.strictEqual(decide(read("payments", "staging-eu", { "kubernetes-namespace": "payments", "eks-cluster-name": "prod-eu" })), "ExplicitlyDenied");
        assert.match(decide(read("", "prod-eu", { "kubernetes-namespace": "", "eks-cluster-name": "prod-eu" })), /^(Implicitly|Explicitly)Denied$/);
        assert.match(decide({ ...own, action: "ssm:GetParametersByPath", resource: "arn:aws:ssm:eu-west-1:111122223333:parameter/payments" }), /^(Implicitly|Explicitly)Denied$/);
    });
});

describe("team parameters: the plan's text", function () {
    this.timeout(60_000);

    it("shows every ClusterSecretStore (Secrets Manager and Parameter Store) and counts and lists the parameters", async () => {
        const result = await buildPlan(path.join(FIXTURES, "Pulumi.parameters.yaml"));
        assert.ok(result.ok);
        const text = renderPlan(result.plan, { summary: false });
        const declared = result.plan.resources.filter((r) => r.custom && r.type === "aws:ssm/parameter:Parameter");
        assert.match(text, new RegExp(`Teams: \\d+ \\(\\d+ secrets, ${declared.length} parameters, \\d+ ExternalSecrets\\)`));
        for (const p of declared) assert.ok(text.includes(`    parameter ${p.inputs.name}  [kubernetes-namespace=`), `${p.inputs.name} listed`);
        assert.match(text, /ClusterSecretStores: 2/);
        assert.match(text, /service: SecretsManager/);
        assert.match(text, /service: ParameterStore/);
    });
});
