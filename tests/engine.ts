/**
 * A stand-in for the Pulumi engine on the gRPC side of a component plugin:
 * the Engine service (logs) and a ResourceMonitor whose answers come from
 * Pulumi's own MockMonitor (`@pulumi/pulumi/runtime/mocks`), so a plugin
 * process can run `Construct` as it does under `pulumi up`, while no cloud is
 * touched. Only the replies that MockMonitor builds as plain objects (for an
 * in-process runtime) are rebuilt as protobuf messages here.
 */
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { MockMonitor } = require("@pulumi/pulumi/runtime/mocks");
// eslint-disable-next-line @typescript-eslint/no-var-requires
const resourceServices = require("@pulumi/pulumi/proto/resource_grpc_pb");
// eslint-disable-next-line @typescript-eslint/no-var-requires
const resourceMessages = require("@pulumi/pulumi/proto/resource_pb");
// eslint-disable-next-line @typescript-eslint/no-var-requires
const engineServices = require("@pulumi/pulumi/proto/engine_grpc_pb");
// eslint-disable-next-line @typescript-eslint/no-var-requires
const engineMessages = require("@pulumi/pulumi/proto/engine_pb");

export interface MockResource {
    type: string;
    name: string;
    inputs: Record<string, any>;
    custom: boolean;
    /** The provider reference the resource was registered with (`<provider URN>::<provider ID>`), if any. */
    provider?: string;
    /** The ID the mocks gave it. */
    id?: string;
}

export interface Mocks {
    newResource(args: MockResource): { id?: string; state: Record<string, unknown> };
    call(args: { token: string; inputs: Record<string, any> }): Record<string, unknown>;
}

export interface FakeEngine {
    address: string;
    registered: MockResource[];
    logs: string[];
    /**
     * A resource the engine already knows, as one of the program's own (a provider a Python program
     * passes in its options): the plugin's SDK reads it back through `pulumi:pulumi:getResource`.
     */
    seed(urn: string, id: string, state?: Record<string, unknown>): void;
    stop(): Promise<void>;
}

type Handler = (call: { request: any }, callback: (err: Error | null, res?: unknown) => void) => void;

export async function startFakeEngine(mocks: Mocks): Promise<FakeEngine> {
    const registered: MockResource[] = [];
    const logs: string[] = [];
    const monitor = new MockMonitor({
        newResource: (args: MockResource) => {
            const result = mocks.newResource(args);
            registered.push({ type: args.type, name: args.name, inputs: args.inputs, custom: args.custom, provider: args.provider || undefined, id: result.id });
            return result;
        },
        call: mocks.call,
    });
    const delegate = (method: string): Handler => (call, callback) => monitor[method](call.request, callback);
    const server = new grpc.Server();
    server.addService(resourceServices.ResourceMonitorService, {
        supportsFeature: ((call, callback) => {
            // As under setMocks: everything but output values, so inputs arrive as plain values.
            const res = new resourceMessages.SupportsFeatureResponse();
            res.setHassupport(call.request.getId() !== "outputValues");
            callback(null, res);
        }) as Handler,
        registerResource: delegate("registerResource"),
        readResource: delegate("readResource"),
        invoke: delegate("invoke"),
        registerPackage: delegate("registerPackage"),
        registerResourceOutputs: ((call, callback) => monitor.registerResourceOutputs(call.request, (err: Error | null) => callback(err, new Empty()))) as Handler,
        signalAndWaitForShutdown: ((_call, callback) => callback(null, new Empty())) as Handler,
    });
    server.addService(engineServices.EngineService, {
        log: ((call, callback) => {
            logs.push(call.request.getMessage());
            callback(null, new Empty());
        }) as Handler,
        getRootResource: ((_call, callback) => callback(null, new engineMessages.GetRootResourceResponse())) as Handler,
        setRootResource: ((_call, callback) => callback(null, new engineMessages.SetRootResourceResponse())) as Handler,
    });
    const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    return {
        address: `127.0.0.1:${port}`,
        registered,
        logs,
        seed: (urn, id, state = {}) => monitor.resources.set(urn, { urn, id, state }),
        stop: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
    };
}
