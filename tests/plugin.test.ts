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
import { FakeEngine, Mocks, startFakeEngine } from "./engine";
import { startPluginProcess } from "./pluginProcess";
// eslint-disable-next-line @typescript-eslint/no-var-requires
const services = require("@pulumi/pulumi/proto/provider_grpc_pb");
// eslint-disable-next-line @typescript-eslint/no-var-requires
const messages = require("@pulumi/pulumi/proto/provider_pb");

const ROOT = path.join(__dirname, "..");
const PLUGIN_DIR = path.join(ROOT, "provider");
const RUN_PLUGIN = require.resolve("@pulumi/pulumi/cmd/run-plugin");
const TOKEN = "eks-secrets-abac:index:EksSecretsAbac";

async function startPlugin(engineAddress: string): Promise<{ child: ChildProcess; port: number }> {
    // A Python project's folder: no tsconfig.json, no node_modules. The engine's address is
    // the argument the engine gives every provider plugin.
    const pwd = fs.mkdtempSync(path.join(os.tmpdir(), "eks-secrets-abac-python-"));
    const started = await startPluginProcess(RUN_PLUGIN, [PLUGIN_DIR, engineAddress], pwd);
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

/** The offline account: every resource gets an ARN from its name; AWS data sources answer for eu-west-1. */
const MOCKS: Mocks = {
    newResource: (a) => ({ id: `${a.name}-id`, state: { ...a.inputs, arn: `arn:aws:iam::111122223333:role/${a.name}` } }),
    call: () => ({ accountId: "111122223333", partition: "aws", region: "eu-west-1", name: "eu-west-1", id: "eu-west-1" }),
};

describe("the multi-language package (provider/, PulumiPlugin.yaml)", function () {
    this.timeout(120_000);
    let schema: any;
    let child: ChildProcess | undefined;
    let port: number;
    let engine: FakeEngine;

    before(async () => {
        engine = await startFakeEngine(MOCKS);
        const plugin = await startPlugin(engine.address);
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
        assert.match(fs.readFileSync(path.join(PLUGIN_DIR, "PulumiPlugin.yaml"), "utf8"), /^runtime: nodejs$/m);
    });

    it("is a workspace of the repository, so the CLI installs its dependencies at the top", () => {
        // FindWorkspaceRoot (sdk/nodejs/npm/workspaces.go): a glob of the root's `workspaces` matching the plugin's package.json.
        const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
        assert.ok((pkg.workspaces as string[]).some((w) => path.join(ROOT, w, "package.json") === path.join(PLUGIN_DIR, "package.json")));
    });

    it("serves EksSecretsAbac and SharedAbacRole, and no building block", () => {
        assert.deepStrictEqual(Object.keys(schema.resources).sort(), [TOKEN, "eks-secrets-abac:index:SharedAbacRole"]);
        assert.strictEqual(schema.resources[TOKEN].isComponent, true);
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
            storeName: "string",
            parameterStoreName: "string",
            secretNamePrefix: "string",
            secretsKmsKeyId: "string",
            kmsKeyArns: "array<string>",
            sharedRole: "#/types/eks-secrets-abac:index:SharedRoleRef",
            tags: "map<string>",
            retainSecretsOnDelete: "boolean",
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
        assert.deepStrictEqual(Object.keys(t("TeamSpec").properties).sort(), ["createNamespace", "externalSecrets", "namespace", "parameters", "secrets"]);
        assert.strictEqual(t("TeamSpec").properties.parameters.items.$ref, "#/types/eks-secrets-abac:index:TeamParameterSpec");
        assert.strictEqual(t("TeamSpec").properties.secrets.items.$ref, "#/types/eks-secrets-abac:index:TeamSecretSpec");
        assert.strictEqual(t("TeamSecretSpec").properties.value.plain, undefined, "a secret value may be an Output (a secret from config)");
        assert.strictEqual(t("ExternalSecretSpec").properties.data.items.$ref, "#/types/eks-secrets-abac:index:ExternalSecretDataSpec");
        assert.deepStrictEqual(t("SharedRoleRef").required, ["arn"]);
    });

    it("names EksSecretsAbac's outputs: plain data, no child components", () => {
        const props = schema.resources[TOKEN].properties;
        assert.deepStrictEqual(Object.keys(props).sort(), ["abacRoleArn", "controllerRoleArn", "parameterStoreName", "storeName", "teamParameterArns", "teamSecretArns"]);
        assert.strictEqual(props.teamSecretArns.additionalProperties.additionalProperties.type, "string");
        assert.match(props.abacRoleArn.description, /shared ABAC role/);
    });

    it("constructs EksSecretsAbac over gRPC from the inputs a YAML program sends, and registers every child", async () => {
        const request = new messages.ConstructRequest();
        request.setProject("platform-yaml");
        request.setStack("dev");
        request.setMonitorendpoint(engine.address);
        request.setType(TOKEN);
        request.setName("platform");
        request.setInputs(
            Struct.fromJavaScript({
                clusterName: "prod-eu",
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
            "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy": 2,
            "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding": 2,
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

    it("refuses a bad team over gRPC with the component's own message, and registers nothing of it", async () => {
        const before = engine.registered.length;
        const request = new messages.ConstructRequest();
        request.setProject("platform-yaml");
        request.setStack("dev");
        request.setMonitorendpoint(engine.address);
        request.setType(TOKEN);
        request.setName("bad");
        request.setInputs(Struct.fromJavaScript({ clusterName: "prod-eu", teams: [{ namespace: "Payments_Team" }] }));
        await assert.rejects(rpc(port, "construct", request), /teams\[0\]\.namespace/);
        assert.strictEqual(engine.registered.length, before);
    });
});
