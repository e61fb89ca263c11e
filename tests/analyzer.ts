/**
 * Runs the policy pack the way the Pulumi CLI does for
 * `pulumi preview --policy-pack policypack`: `run-policy-pack` started in the
 * pack folder (ts-node, type-checked), its port read from stdout, then the
 * analyzer gRPC protocol.
 */
import * as grpc from "@grpc/grpc-js";
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
// eslint-disable-next-line @typescript-eslint/no-var-requires
const services = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
// eslint-disable-next-line @typescript-eslint/no-var-requires
const messages = require("@pulumi/pulumi/proto/analyzer_pb");

export const PACK_DIR = path.join(__dirname, "..", "policypack");
const RUN_POLICY_PACK = require.resolve("@pulumi/pulumi/cmd/run-policy-pack");

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

    static async start(): Promise<PolicyPackProcess> {
        // The engine address is required by the command line; this pack never calls the engine.
        const child = spawn(process.execPath, [RUN_POLICY_PACK, "127.0.0.1:0", "."], { cwd: PACK_DIR, stdio: ["ignore", "pipe", "pipe"] });
        let stderr = "";
        child.stderr!.on("data", (d) => (stderr += d));
        const port = await new Promise<number>((resolve, reject) => {
            let out = "";
            child.stdout!.on("data", (d) => {
                out += d;
                const m = /^(\d+)\s*$/m.exec(out);
                if (m) resolve(Number(m[1]));
            });
            child.on("exit", (code) => reject(new Error(`policy pack exited with ${code} before printing a port:\n${stderr}`)));
        });
        const client = new services.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        return new PolicyPackProcess(child, client);
    }

    private call<T>(method: string, request: unknown): Promise<T> {
        return new Promise((resolve, reject) => this.client[method](request, (err: Error | null, res: T) => (err ? reject(err) : resolve(res))));
    }

    async info(): Promise<{ name: string; version: string; policies: { name: string; enforcementLevel: string; description: string }[] }> {
        const info: any = await this.call("getAnalyzerInfo", new Empty());
        return {
            name: info.getName(),
            version: info.getVersion(),
            policies: info.getPoliciesList().map((p: any) => ({
                name: p.getName(),
                enforcementLevel: LEVELS[p.getEnforcementlevel()],
                description: p.getDescription(),
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

    private resource(cls: any, type: string, name: string, props: Record<string, unknown>) {
        const r = new cls();
        r.setType(type);
        r.setName(name);
        r.setUrn(`urn:pulumi:dev::eks-secrets-abac::${type}::${name}`);
        r.setProperties(Struct.fromJavaScript(props as any));
        r.setOptions(new messages.AnalyzerResourceOptions());
        return r;
    }

    private diagnostics(response: any): Diagnostic[] {
        return response.getDiagnosticsList().map((d: any) => ({
            policyName: d.getPolicyname(),
            enforcementLevel: LEVELS[d.getEnforcementlevel()],
            message: d.getMessage(),
            urn: d.getUrn(),
        }));
    }

    async analyze(type: string, name: string, props: Record<string, unknown>): Promise<Diagnostic[]> {
        return this.diagnostics(await this.call("analyze", this.resource(messages.AnalyzeRequest, type, name, props)));
    }

    async analyzeStack(resources: { type: string; name: string; props: Record<string, unknown> }[]): Promise<Diagnostic[]> {
        const request = new messages.AnalyzeStackRequest();
        request.setResourcesList(resources.map((r) => this.resource(messages.AnalyzerResource, r.type, r.name, r.props)));
        return this.diagnostics(await this.call("analyzeStack", request));
    }

    stop(): void {
        this.client.close();
        this.child.kill();
    }
}
