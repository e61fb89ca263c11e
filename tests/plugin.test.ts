/**
 * The components as a Pulumi package for every language. The plugin is
 * started as the Node.js language host starts it for `pulumi package add` and
 * for a Python or YAML program (pulumi/pulumi v3.248.0,
 * sdk/nodejs/cmd/pulumi-language-nodejs/main.go, RunPlugin: `node
 * <@pulumi/pulumi/cmd/run-plugin> <plugin folder> <args>`, in the user's
 * working directory), its port read from stdout, and asked for its schema
 * and to construct the component over the provider gRPC protocol, against a
 * stand-in engine (tests/engine.ts). What the schema must say is what a
 * Python or YAML user reads in the generated SDK: written out here, from the
 * component's documented arguments.
 */
import * as grpc from "@grpc/grpc-js";
import * as assert from "assert";
import { ChildProcess } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import Ajv2020 from "ajv/dist/2020";
import { installedPlugin, PLUGIN_SOURCE, ROOT } from "./consumer";
import { artefactDir } from "./helpers";
import { FakeEngine, MockResource, Mocks, startFakeEngine } from "./engine";
import { startPluginProcess } from "./pluginProcess";
// eslint-disable-next-line @typescript-eslint/no-var-requires
const services = require("@pulumi/pulumi/proto/provider_grpc_pb");
// eslint-disable-next-line @typescript-eslint/no-var-requires
const messages = require("@pulumi/pulumi/proto/provider_pb");

const TOKEN = "eks-secrets-abac:index:EksSecretsAbac";

/**
 * Why a cross-package reference would not bind, or undefined when it does.
 * The npm SDKs ship no schema.json; each is generated from its provider's
 * schema, and every resource class of it carries its schema token as
 * `__pulumiType`. So the reference binds when the plugin's installed SDK of
 * that package is the version named and has a class with that token.
 */
function resourceOfPackage(pluginDir: string, pkg: string, version: string, token: string): string | undefined {
    const sdkName = `@pulumi/${pkg}`;
    const installed = JSON.parse(fs.readFileSync(require.resolve(`${sdkName}/package.json`, { paths: [pluginDir] }), "utf8")).version;
    if (installed !== version) return `${sdkName} ${installed} is installed, the reference names v${version}`;
    const [tokenPkg, modulePath, name] = token.split(":");
    if (tokenPkg !== pkg || modulePath === undefined || name === undefined) return `${token} is no resource token of ${pkg}`;
    const sdk = require(require.resolve(sdkName, { paths: [pluginDir] }));
    const segments = modulePath.split("/").map((s) => s.split(".")[0]);
    const candidates = [sdk[name], sdk[segments[0]]?.[name], sdk[segments[0]]?.[segments[1]]?.[name]];
    return candidates.some((c) => c?.__pulumiType === token) ? undefined : `${sdkName} ${installed} has no resource ${token}`;
}

/** The plugin as the CLI installs it (tests/consumer.ts), started with its own run-plugin. */
async function startPlugin(pluginDir: string, engineAddress: string): Promise<{ child: ChildProcess; port: number }> {
    // A Python project's folder: no tsconfig.json, no node_modules. The engine's address is
    // the argument the engine gives every provider plugin.
    const pwd = fs.mkdtempSync(path.join(os.tmpdir(), "eks-secrets-abac-python-"));
    const runPlugin = require.resolve("@pulumi/pulumi/cmd/run-plugin", { paths: [pluginDir] });
    assert.ok(runPlugin.startsWith(pluginDir), `run-plugin comes from the plugin's own dependencies, not ${runPlugin}`);
    // Construct runs as in `pulumi up` (not a preview), so each new Pod Identity association would wait its
    // 20 s propagation (tests/systemOrder.test.ts proves that wait); the documented knob turns it off here.
    const started = await startPluginProcess(runPlugin, [pluginDir, engineAddress], pwd, { EKS_SECRETS_ABAC_ASSOCIATION_WAIT_SECONDS: "0" });
    started.child.on("exit", () => fs.rmSync(pwd, { recursive: true, force: true }));
    return started;
}

function rpc(port: number, method: string, request: unknown): Promise<any> {
    const client = new services.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return new Promise((resolve, reject) =>
        client[method](request, (err: Error | null, res: any) => {
            client.close();
            return err ? reject(err) : resolve(res);
        }),
    );
}

/** Construct of `type` as a program of `project` (stack dev) sends it; the caller sets inputs and providers. */
function constructRequest(engine: FakeEngine, project: string, type: string, name: string): any {
    const request = new messages.ConstructRequest();
    request.setProject(project);
    request.setStack("dev");
    request.setMonitorendpoint(engine.address);
    request.setType(type);
    request.setName(name);
    return request;
}

/** The offline account: every resource gets an ARN from its name; AWS data sources answer for eu-west-1. */
const MOCKS: Mocks = {
    newResource: (a) => ({ id: `${a.name}-id`, state: { ...a.inputs, arn: `arn:aws:iam::111122223333:role/${a.name}` } }),
    call: () => ({ accountId: "111122223333", partition: "aws", region: "eu-west-1", name: "eu-west-1", id: "eu-west-1" }),
};

describe("the multi-language package (provider/, PulumiPlugin.yaml)", function () {
    // The first hook installs the plugin with npm and starts it: over 120 s on the 2-core machine under a load average of 15.
    this.timeout(300_000);
    let schema: any;
    let child: ChildProcess | undefined;
    let port: number;
    let engine: FakeEngine;
    let pluginDir: string;

    before(async () => {
        engine = await startFakeEngine(MOCKS);
        pluginDir = await installedPlugin();
        const plugin = await startPlugin(pluginDir, engine.address);
        child = plugin.child;
        port = plugin.port;
        schema = JSON.parse((await rpc(port, "getSchema", new messages.GetSchemaRequest())).getSchema());
    });
    after(async () => {
        child?.kill();
        await engine?.stop();
    });

    it("is the npm package's name and version, run by the nodejs runtime", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
        assert.strictEqual(schema.name, pkg.name);
        assert.strictEqual(schema.version, pkg.version);
        assert.match(fs.readFileSync(path.join(PLUGIN_SOURCE, "PulumiPlugin.yaml"), "utf8"), /^runtime: nodejs$/m);
    });

    it("installs alone: a name of its own, real dependencies, no npm workspace of the repository", () => {
        // FindWorkspaceRoot (sdk/nodejs/npm/workspaces.go): were the folder a workspace member, the CLI
        // would run `npm install` at the repository's top, with every devDependency.
        const root = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
        const plugin = JSON.parse(fs.readFileSync(path.join(PLUGIN_SOURCE, "package.json"), "utf8"));
        assert.ok(!(root.workspaces ?? []).some((w: string) => path.resolve(ROOT, w) === PLUGIN_SOURCE), "provider/ is no workspace of the root");
        assert.notStrictEqual(plugin.name, root.name);
        assert.strictEqual(plugin.dependencies[root.name], root.version, "the plugin serves the components of the same version");
        for (const [peer, range] of Object.entries(root.peerDependencies as Record<string, string>)) {
            assert.ok(plugin.dependencies[peer], `the plugin depends on ${peer} (${range}), which the components need`);
        }
        assert.strictEqual(plugin.devDependencies, undefined);
    });

    it("serves EksSecretsAbac, SharedAbacRole, CrossAccountSecretsAbac and OrgGuardrails, and no building block", () => {
        assert.deepStrictEqual(Object.keys(schema.resources).sort(), [
            "eks-secrets-abac:index:CrossAccountSecretsAbac",
            TOKEN,
            "eks-secrets-abac:index:OrgGuardrails",
            "eks-secrets-abac:index:SharedAbacRole",
        ]);
        assert.strictEqual(schema.resources[TOKEN].isComponent, true);
    });

    it("passes Pulumi's package metaschema, and every $ref names a type of its own, a Pulumi built-in, or a resource of the installed SDK it names", () => {
        // What the CLI checks before it generates an SDK (pkg/codegen/schema/pulumi.json, JSON Schema 2020-12).
        const metaschema = JSON.parse(fs.readFileSync(path.join(artefactDir("pulumi-3.259.0"), "pulumi.json"), "utf8"));
        const validate = new Ajv2020({ allErrors: true, strict: false, validateFormats: false }).compile(metaschema);
        assert.ok((validate as (data: unknown) => boolean)(schema), JSON.stringify(validate.errors, null, 2));
        // A reference into another package must name a resource of that package at the version the plugin
        // installs; `/aws/v7.48.0/schema.json#/resources/aws`, what a field typed aws.Provider becomes,
        // names none and does not bind (pkg/codegen/schema/bind.go).
        const refs = new Set<string>();
        const walk = (node: unknown): void => {
            if (Array.isArray(node)) node.forEach(walk);
            else if (node !== null && typeof node === "object") {
                for (const [k, v] of Object.entries(node)) (k === "$ref" && typeof v === "string" ? refs.add(v) : walk(v));
            }
        };
        walk(schema);
        assert.ok(refs.size > 0);
        for (const ref of refs) {
            const local = /^#\/types\/(.+)$/.exec(ref);
            const external = /^\/([a-z][\w-]*)\/v([^/]+)\/schema\.json#\/resources\/(.+)$/.exec(ref);
            if (local) assert.ok(schema.types[local[1]], `${ref} names no type of the schema`);
            else if (external) assert.strictEqual(resourceOfPackage(pluginDir, external[1], external[2], decodeURIComponent(external[3])), undefined, ref);
            else assert.match(ref, /^pulumi\.json#\/(Any|Archive|Asset|Json)$/, `${ref} is neither a type of the schema, a Pulumi built-in, nor a resource of another package`);
        }
    });

    it("names EksSecretsAbac's inputs with their types and docs", () => {
        const r = schema.resources[TOKEN];
        assert.deepStrictEqual(r.requiredInputs.sort(), ["clusterName", "teams"]);
        const type = (name: string) => {
            const p = r.inputProperties[name];
            return p.$ref ?? (p.type === "array" ? `array<${p.items.$ref ?? p.items.type}>` : p.type === "object" ? `map<${p.additionalProperties.$ref ?? p.additionalProperties.type}>` : p.type);
        };
        const expected: Record<string, string> = {
            clusterName: "string",
            controllerEgressPolicy: "boolean",
            clusterArn: "string",
            identity: "string",
            oidcProviderArn: "string",
            installPodIdentityAgent: "boolean",
            podIdentityAgentVersion: "string",
            esoNamespace: "string",
            esoServiceAccount: "string",
            chartVersion: "string",
            chartRepository: "string",
            helmValues: "map<pulumi.json#/Any>",
            allowNamespacedSecretStores: "boolean",
            allowedGenerators: "array<string>",
            tenantLimits: "#/types/eks-secrets-abac:index:TenantLimits",
            allowGenericTargets: "boolean",
            esoControllers: "array<#/types/eks-secrets-abac:index:EsoControllerSpec>",
            storeName: "string",
            parameterStoreName: "string",
            secretNamePrefix: "string",
            secretsKmsKeyId: "string",
            kmsKeyArns: "array<string>",
            sharedRole: "#/types/eks-secrets-abac:index:SharedRoleRef",
            tags: "map<string>",
            retainSecretsOnDelete: "boolean",
            fargateOnly: "boolean",
            csiNamespace: "string",
            csiSyncSecrets: "boolean",
            teams: "array<#/types/eks-secrets-abac:index:TeamSpec>",
        };
        assert.deepStrictEqual(Object.fromEntries(Object.keys(r.inputProperties).map((k) => [k, type(k)])), expected);
        assert.match(r.inputProperties.clusterName.description, /cluster tag/);
        assert.match(r.inputProperties.retainSecretsOnDelete.description, /survive/);
        assert.match(r.description, /shared role/);
    });

    it("describes a team as named types down to each ExternalSecret key", () => {
        const t = (name: string) => schema.types[`eks-secrets-abac:index:${name}`];
        assert.deepStrictEqual(t("TeamSpec").required, ["namespace"]);
        assert.deepStrictEqual(Object.keys(t("TeamSpec").properties).sort(), ["controller", "createNamespace", "csi", "externalSecrets", "namespace", "parameters", "secrets"]);
        assert.strictEqual(t("TeamSpec").properties.csi.$ref, "#/types/eks-secrets-abac:index:TeamCsiSpec");
        assert.deepStrictEqual(t("TeamCsiSpec").required, ["serviceAccounts"]);
        assert.strictEqual(t("TeamCsiSpec").properties.secretProviderClasses.items.$ref, "#/types/eks-secrets-abac:index:SecretProviderClassSpec");
        assert.strictEqual(t("SecretProviderClassSpec").properties.objects.items.$ref, "#/types/eks-secrets-abac:index:CsiObjectSpec");
        assert.deepStrictEqual(Object.keys(t("CsiObjectSpec").properties).sort(), ["jmesPath", "objectAlias", "parameter", "secret"]);
        assert.deepStrictEqual(t("CsiJmesPathSpec").required.sort(), ["objectAlias", "path"]);
        assert.strictEqual(t("TeamSpec").properties.parameters.items.$ref, "#/types/eks-secrets-abac:index:TeamParameterSpec");
        assert.strictEqual(t("TeamSpec").properties.secrets.items.$ref, "#/types/eks-secrets-abac:index:TeamSecretSpec");
        assert.strictEqual(t("TeamSecretSpec").properties.value.plain, undefined, "a secret value may be an Output (a secret from config)");
        assert.strictEqual(t("ExternalSecretSpec").properties.data.items.$ref, "#/types/eks-secrets-abac:index:ExternalSecretDataSpec");
        assert.deepStrictEqual(t("SharedRoleRef").required, ["arn"]);
    });

    it("names EksSecretsAbac's outputs: plain data, no child components", () => {
        const props = schema.resources[TOKEN].properties;
        assert.deepStrictEqual(Object.keys(props).sort(), ["abacRoleArn", "controllerRoleArn", "csiRoleArn", "parameterStoreName", "storeName", "teamParameterArns", "teamSecretArns"]);
        assert.strictEqual(props.teamSecretArns.additionalProperties.additionalProperties.type, "string");
        assert.match(props.abacRoleArn.description, /shared ABAC role/);
    });

    it("constructs EksSecretsAbac over gRPC from the inputs a YAML program sends, and registers every child", async () => {
        const request = constructRequest(engine, "platform-yaml", TOKEN, "platform");
        request.setInputs(
            Struct.fromJavaScript({
                clusterName: "prod-eu",
                installPodIdentityAgent: true,
                clusterArn: "arn:aws:eks:eu-west-1:111122223333:cluster/prod-eu",
                teams: [
                    { namespace: "payments", secrets: [{ name: "db-password" }], externalSecrets: [{ name: "db", data: [{ secretKey: "PASSWORD", secret: "db-password" }] }] },
                    { namespace: "search", createNamespace: false, secrets: [{ name: "opensearch" }] },
                ],
            }),
        );
        const response = await rpc(port, "construct", request);
        assert.match(response.getUrn(), /::eks-secrets-abac:index:EksSecretsAbac::platform$/);
        const state = response.getState().toJavaScript();
        assert.deepStrictEqual(Object.keys(state).sort(), ["abacRoleArn", "controllerRoleArn", "storeName", "teamParameterArns", "teamSecretArns"]);
        assert.deepStrictEqual(Object.keys(state.teamSecretArns).sort(), ["payments", "search"]);
        const counts: Record<string, number> = {};
        for (const r of engine.registered.filter((x) => x.custom)) counts[r.type] = (counts[r.type] ?? 0) + 1;
        assert.deepStrictEqual(counts, {
            "aws:eks/addon:Addon": 1,
            "aws:eks/podIdentityAssociation:PodIdentityAssociation": 1,
            "aws:iam/role:Role": 2,
            "aws:iam/rolePolicy:RolePolicy": 2,
            "aws:secretsmanager/secret:Secret": 2,
            "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy": 3,
            "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding": 3,
            "kubernetes:core/v1:Namespace": 1,
            "kubernetes:core/v1:NamespacePatch": 1,
            "kubernetes:external-secrets.io/v1:ClusterSecretStore": 1,
            "kubernetes:external-secrets.io/v1:ExternalSecret": 1,
            "kubernetes:helm.sh/v3:Release": 1,
            "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole": 1,
        });
        const secret = engine.registered.find((r) => r.type === "aws:secretsmanager/secret:Secret" && r.inputs.name === "payments/db-password")!;
        assert.deepStrictEqual(secret.inputs.tags, { "kubernetes-namespace": "payments", "eks-cluster-name": "prod-eu" });
    });

    it("constructs a team with csi over gRPC from plain inputs: the driver release, the CSI role, its association and SecretProviderClass", async () => {
        const before = engine.registered.length;
        const request = constructRequest(engine, "platform-yaml", TOKEN, "files");
        request.setInputs(
            Struct.fromJavaScript({
                clusterName: "prod-eu",
                installPodIdentityAgent: true,
                clusterArn: "arn:aws:eks:eu-west-1:111122223333:cluster/prod-eu",
                teams: [{ namespace: "payments", secrets: [{ name: "db" }], csi: { serviceAccounts: ["app"], secretProviderClasses: [{ name: "app", objects: [{ secret: "db", jmesPath: [{ path: "password", objectAlias: "db-password" }] }] }] } }],
            }),
        );
        const response = await rpc(port, "construct", request);
        assert.ok(Object.keys(response.getState().toJavaScript()).includes("csiRoleArn"));
        const mine = engine.registered.slice(before).filter((x) => x.custom);
        const releases = mine.filter((r) => r.type === "kubernetes:helm.sh/v3:Release").map((r) => r.inputs.chart).sort();
        assert.deepStrictEqual(releases, ["external-secrets", "secrets-store-csi-driver-provider-aws"]);
        const associations = mine.filter((r) => r.type === "aws:eks/podIdentityAssociation:PodIdentityAssociation").map((r) => `${r.inputs.namespace}/${r.inputs.serviceAccount}`).sort();
        assert.deepStrictEqual(associations, ["external-secrets/external-secrets", "payments/app"]);
        const spc = mine.find((r) => r.type === "kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClass")!;
        assert.strictEqual(spc.inputs.spec.parameters.usePodIdentity, "true");
        assert.deepStrictEqual(JSON.parse(spc.inputs.spec.parameters.objects), [{ objectName: "payments/db", objectType: "secretsmanager", jmesPath: [{ path: "password", objectAlias: "db-password" }] }]);
    });

    it("refuses a bad team over gRPC with the component's own message, and registers nothing of it", async () => {
        const before = engine.registered.length;
        const request = constructRequest(engine, "platform-yaml", TOKEN, "bad");
        request.setInputs(Struct.fromJavaScript({ clusterName: "prod-eu", installPodIdentityAgent: true, teams: [{ namespace: "Payments_Team" }] }));
        await assert.rejects(rpc(port, "construct", request), /teams\[0\]\.namespace/);
        assert.strictEqual(engine.registered.length, before);
    });

    it("refuses a typo in a team over gRPC (a YAML program's `externalSecret:`), naming the field, and registers nothing", async () => {
        const before = engine.registered.length;
        const request = constructRequest(engine, "platform-yaml", TOKEN, "typo");
        request.setInputs(Struct.fromJavaScript({ clusterName: "prod-eu", installPodIdentityAgent: true, teams: [{ namespace: "payments", secrets: [{ name: "db" }], externalSecret: [{ name: "db", data: [{ secretKey: "DB", secret: "db" }] }] }] }));
        await assert.rejects(rpc(port, "construct", request), /teams\[0\]\.externalSecret: is not a known field \(a typo\?\)/);
        assert.strictEqual(engine.registered.length, before);
    });

    it("constructs a three-account CrossAccountSecretsAbac over gRPC from plain inputs, and registers each child with the provider of its account", async () => {
        const region = "eu-west-1";
        const account = (accountId: string) => ({ accountId, region, roleArn: `arn:aws:iam::${accountId}:role/Deploy` });
        const [CLUSTERS, SECRETS, KEYS] = ["111122223333", "444455556666", "777788889999"];
        const request = constructRequest(engine, "org-yaml", "eks-secrets-abac:index:CrossAccountSecretsAbac", "org");
        request.setInputs(
            Struct.fromJavaScript({
                secretsAccount: account(SECRETS),
                keyAccount: account(KEYS),
                clusters: [
                    {
                        clusterName: "prod-eu",
                        installPodIdentityAgent: true,
                        clusterArn: `arn:aws:eks:${region}:${CLUSTERS}:cluster/prod-eu`,
                        account: account(CLUSTERS),
                        teams: [{ namespace: "payments", secrets: [{ name: "db-password" }] }],
                    },
                ],
            }),
        );
        const start = engine.registered.length;
        await rpc(port, "construct", request);
        const mine = engine.registered.slice(start);
        // Each account's provider: pinned to it (allowedAccountIds), assuming its role. The SDK sends a
        // provider's non-string inputs as JSON text.
        const json = (v: unknown) => (typeof v === "string" ? JSON.parse(v) : v);
        const providers = mine.filter((r) => r.type === "pulumi:providers:aws");
        const accountOfProvider = new Map(providers.map((p) => [p.id!, json(p.inputs.allowedAccountIds)[0] as string]));
        assert.deepStrictEqual([...new Set(accountOfProvider.values())].sort(), [CLUSTERS, SECRETS, KEYS].sort());
        for (const p of providers) {
            assert.strictEqual(json(p.inputs.assumeRoles)[0].roleArn, `arn:aws:iam::${accountOfProvider.get(p.id!)}:role/Deploy`);
        }
        const accountOf = (r: MockResource) => {
            const id = r.provider?.split("::").pop();
            return id === undefined ? undefined : accountOfProvider.get(id);
        };
        const expected: Record<string, string> = {
            "aws:secretsmanager/secret:Secret": SECRETS,
            "aws:kms/key:Key": KEYS,
            "aws:eks/podIdentityAssociation:PodIdentityAssociation": CLUSTERS,
            "aws:eks/addon:Addon": CLUSTERS,
        };
        for (const [type, acct] of Object.entries(expected)) {
            const children = mine.filter((r) => r.type === type);
            assert.ok(children.length > 0, `${type} is registered`);
            for (const r of children) assert.strictEqual(accountOf(r), acct, `${type} ${r.name} is created in account ${acct}`);
        }
        const roles = mine.filter((r) => r.type === "aws:iam/role:Role");
        assert.deepStrictEqual(roles.map((r) => [r.name, accountOf(r)]).sort(), [
            ["org-shared-abac-role", SECRETS],
            ["org-prod-eu-eso-controller-role", CLUSTERS],
        ].sort());
        for (const r of mine.filter((x) => x.custom && x.type.startsWith("aws:"))) assert.ok(accountOf(r), `${r.type} ${r.name} has an account's provider`);
    });

    it("constructs EksSecretsAbac with the providers a Python program passes in its options, and registers each child with them", async () => {
        // ResourceOptions(providers={...}) arrives as ConstructRequest.providers, one reference per package.
        const awsUrn = "urn:pulumi:dev::platform-python::pulumi:providers:aws::eu";
        const k8sUrn = "urn:pulumi:dev::platform-python::pulumi:providers:kubernetes::prod";
        engine.seed(awsUrn, "eu-provider-id");
        engine.seed(k8sUrn, "prod-provider-id");
        const [awsRef, k8sRef] = [`${awsUrn}::eu-provider-id`, `${k8sUrn}::prod-provider-id`];
        const request = constructRequest(engine, "platform-python", TOKEN, "withproviders");
        request.getProvidersMap().set("aws", awsRef).set("kubernetes", k8sRef);
        request.setInputs(Struct.fromJavaScript({ clusterName: "prod-eu", installPodIdentityAgent: true, clusterArn: "arn:aws:eks:eu-west-1:111122223333:cluster/prod-eu", teams: [{ namespace: "payments", secrets: [{ name: "db" }] }] }));
        const start = engine.registered.length;
        await rpc(port, "construct", request);
        const children = engine.registered.slice(start).filter((r) => r.custom);
        assert.ok(children.some((r) => r.type.startsWith("aws:")) && children.some((r) => r.type.startsWith("kubernetes:")));
        for (const r of children) {
            const expected = r.type.startsWith("aws:") ? awsRef : r.type.startsWith("kubernetes:") ? k8sRef : undefined;
            assert.strictEqual(r.provider, expected, `${r.type} ${r.name}`);
        }
    });
});
