/**
 * Runs the policy pack the way the Pulumi CLI does for
 * `pulumi preview --policy-pack policypack`: `run-policy-pack` started in the
 * pack folder (ts-node, type-checked), its port read from stdout, then the
 * analyzer gRPC protocol.
 */
import * as grpc from "@grpc/grpc-js";
import { ChildProcess } from "child_process";
import * as path from "path";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { startPluginProcess } from "./pluginProcess";
// eslint-disable-next-line @typescript-eslint/no-var-requires
const services = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
// eslint-disable-next-line @typescript-eslint/no-var-requires
const messages = require("@pulumi/pulumi/proto/analyzer_pb");

export const PACK_DIR = path.join(__dirname, "..", "policypack");
const RUN_POLICY_PACK = require.resolve("@pulumi/pulumi/cmd/run-policy-pack");

/**
 * Values as the engine marshals them for the analyzer
 * (pulumi/pulumi pkg/resource/plugin/analyzer_plugin.go: Analyze, AnalyzeStack
 * and marshalProvider all use MarshalOptions{KeepUnknowns: true, KeepSecrets: true}).
 * sdk/go/common/resource/plugin/rpc.go: a computed value becomes
 * UnknownStringValue (marshalUnknownProperty; unknown outputs are marshalled
 * "the same as Computed", as a computed string), a secret becomes an object
 * with the signature key `4dabf18193072939515e22adb298388d` =
 * `1b47061264138c4ac30d75fd1eb44270` (resource.SigKey, resource.SecretSig) and `value`.
 */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
export function secret(value: unknown): Record<string, unknown> {
    return { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value };
}

/**
 * The provider as the engine sends it: its URN, type and *inputs*
 * (pkg/resource/deploy/step_generator.go: `r.Provider = &plugin.AnalyzerProviderResource{...
 * Properties: resource.FromResourcePropertyMap(providerResource.Inputs)}`).
 * @pulumi/aws provider.js stores `defaultTags` in the inputs as JSON.stringify(...).
 */
export interface ProviderInput {
    name?: string;
    props: Record<string, unknown>;
}

export function awsProvider(defaultTags?: Record<string, unknown>): ProviderInput {
    return { name: "default_7_48_0", props: defaultTags === undefined ? { region: "eu-west-1" } : { region: "eu-west-1", defaultTags: JSON.stringify({ tags: defaultTags }) } };
}

/**
 * A resource as Analyze or AnalyzeStack receives it. Analyze gets the
 * resource's checked inputs before its step runs (step_generator.go,
 * "Send the resource off to any Analyzers before being operated on");
 * AnalyzeStack gets every resource's outputs with Dependencies and
 * PropertyDependencies after all steps (step_generator.go AnalyzeResources,
 * called from deployment_executor.go: "we send all the resources observed to
 * be analyzed"). In a preview the outputs of a resource to be created are its
 * inputs with computed properties unknown, which is what these tests send.
 */
export interface EngineResource {
    type: string;
    name: string;
    props: Record<string, unknown>;
    provider?: ProviderInput;
    /** Property name -> names of the resources it depends on (AnalyzerResource.propertyDependencies). */
    deps?: Record<string, string[]>;
}

export function urnOf(type: string, name: string): string {
    return `urn:pulumi:dev::eks-secrets-abac::${type}::${name}`;
}

export interface Diagnostic {
    policyName: string;
    enforcementLevel: "advisory" | "mandatory" | "disabled" | "remediate";
    message: string;
    urn: string;
}

const LEVELS = ["advisory", "mandatory", "disabled", "remediate"] as const;

export class PolicyPackProcess {
    private constructor(
        private readonly child: ChildProcess,
        private readonly client: any,
    ) {}

    /** Starts the pack in `dir` with the `run-policy-pack` of `runner` (the repository's, or the one a consumer installed). */
    static async start(dir = PACK_DIR, runner = RUN_POLICY_PACK): Promise<PolicyPackProcess> {
        // The engine address is required by the command line; this pack never calls the engine.
        const { child, port } = await startPluginProcess(runner, ["127.0.0.1:0", "."], dir);
        const client = new services.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        return new PolicyPackProcess(child, client);
    }

    private call<T>(method: string, request: unknown): Promise<T> {
        return new Promise((resolve, reject) => this.client[method](request, (err: Error | null, res: T) => (err ? reject(err) : resolve(res))));
    }

    async info(): Promise<{ name: string; version: string; policies: { name: string; enforcementLevel: string; description: string; displayName: string; url: string }[] }> {
        const info: any = await this.call("getAnalyzerInfo", new Empty());
        return {
            name: info.getName(),
            version: info.getVersion(),
            policies: info.getPoliciesList().map((p: any) => ({
                name: p.getName(),
                enforcementLevel: LEVELS[p.getEnforcementlevel()],
                description: p.getDescription(),
                displayName: p.getDisplayname(),
                url: p.getUrl(),
            })),
        };
    }

    /** As the CLI does with `--policy-pack-config`: per policy, a level and options. */
    async configure(config: Record<string, { enforcementLevel: Diagnostic["enforcementLevel"]; [option: string]: unknown }>): Promise<void> {
        const request = new messages.ConfigureAnalyzerRequest();
        const map = request.getPolicyconfigMap();
        for (const [name, { enforcementLevel, ...options }] of Object.entries(config)) {
            const c = new messages.PolicyConfig();
            c.setEnforcementlevel(LEVELS.indexOf(enforcementLevel));
            c.setProperties(Struct.fromJavaScript(options as any));
            map.set(name, c);
        }
        await this.call("configure", request);
    }

    private resource(cls: any, r: EngineResource, urns?: Map<string, string>) {
        const m = new cls();
        m.setType(r.type);
        m.setName(r.name);
        m.setUrn(urnOf(r.type, r.name));
        m.setProperties(Struct.fromJavaScript(r.props as any));
        m.setOptions(new messages.AnalyzerResourceOptions());
        if (r.provider) {
            const p = new messages.AnalyzerProviderResource();
            const name = r.provider.name ?? "default";
            p.setType("pulumi:providers:aws");
            p.setName(name);
            p.setUrn(urnOf("pulumi:providers:aws", name));
            p.setProperties(Struct.fromJavaScript(r.provider.props as any));
            m.setProvider(p);
        }
        if (r.deps && urns) {
            // AnalyzeStack only: dependencies and propertyDependencies as URN lists, properties without dependencies skipped.
            const all = new Set<string>();
            for (const [property, names] of Object.entries(r.deps)) {
                if (names.length === 0) continue;
                const d = new messages.AnalyzerPropertyDependencies();
                const list = names.map((n) => urns.get(n)!);
                list.forEach((u) => all.add(u));
                d.setUrnsList(list);
                m.getPropertydependenciesMap().set(property, d);
            }
            m.setDependenciesList([...all]);
        }
        return m;
    }

    private diagnostics(response: any): Diagnostic[] {
        return response.getDiagnosticsList().map((d: any) => ({
            policyName: d.getPolicyname(),
            enforcementLevel: LEVELS[d.getEnforcementlevel()],
            message: d.getMessage(),
            urn: d.getUrn(),
        }));
    }

    async analyze(type: string, name: string, props: Record<string, unknown>, provider?: ProviderInput): Promise<Diagnostic[]> {
        return this.diagnostics(await this.call("analyze", this.resource(messages.AnalyzeRequest, { type, name, props, provider })));
    }

    async analyzeStack(resources: EngineResource[]): Promise<Diagnostic[]> {
        const urns = new Map(resources.map((r) => [r.name, urnOf(r.type, r.name)]));
        const request = new messages.AnalyzeStackRequest();
        request.setResourcesList(resources.map((r) => this.resource(messages.AnalyzerResource, r, urns)));
        return this.diagnostics(await this.call("analyzeStack", request));
    }

    stop(): void {
        this.client.close();
        this.child.kill();
    }
}
