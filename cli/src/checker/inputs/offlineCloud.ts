/**
 * An offline cloud for the stack program: Pulumi's mocks, answering like
 * AWS and Kubernetes would, and recording every resource with its inputs.
 * Tests, the plan and the benchmarks run programs through here; it is the
 * only place that calls `setMocks`.
 */
import * as pulumi from "@pulumi/pulumi";
// Internal but stable: resolves once every outstanding registration is done.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };

import { OFFLINE } from "../model/defaults";
import { create, Created, NameSource, Placement, TAGGED, tagsAll } from "./offlineProvider";

export { OFFLINE };

export interface CloudAccount {
    accountId: string;
    partition: string;
    region: string;
}

/**
 * The account and Region the offline cloud answers with, as the AWS provider
 * would take them from the stack: `aws:region`, and the account from
 * `aws:allowedAccountIds` when it names exactly one (the real provider asks
 * STS; offline there is nobody to ask). Defaults otherwise.
 */
export function accountFromConfig(config: Record<string, string>): CloudAccount & { accountFromConfig: boolean } {
    let accountId: string | undefined;
    const allowed = config["aws:allowedAccountIds"];
    if (allowed !== undefined) {
        try {
            const ids = JSON.parse(allowed);
            if (Array.isArray(ids) && ids.length === 1) accountId = String(ids[0]);
        } catch {
            // Not a list: the provider would refuse it; keep the offline account.
        }
    }
    return {
        accountId: accountId ?? OFFLINE.accountId,
        partition: OFFLINE.partition,
        region: config["aws:region"] ?? OFFLINE.region,
        accountFromConfig: accountId !== undefined,
    };
}

let current: CloudAccount = { accountId: OFFLINE.accountId, partition: OFFLINE.partition, region: OFFLINE.region };

/** The account and Region of the current offline run. */
export function offlineAccount(): CloudAccount {
    return current;
}

export function offlineClusterArn(clusterName: string): string {
    return clusterArnIn(clusterName, current.accountId);
}

function clusterArnIn(clusterName: string, accountId: string): string {
    return `arn:${current.partition}:eks:${current.region}:${accountId}:cluster/${clusterName}`;
}

/**
 * Where explicit AWS providers act, by provider ID: as in AWS, a provider
 * acts in the account it is pinned to (`allowedAccountIds`) or whose role it
 * assumes (`assumeRoles`, `assumeRole`), in its `region`, and tags with its
 * `defaultTags`; what it does not say comes from the stack's `aws:` config,
 * as for the default provider.
 */
interface ProviderPlace {
    accountId?: string;
    region?: string;
    defaultTags?: Record<string, string>;
}
const providers = new Map<string, ProviderPlace>();
let defaultPlace: ProviderPlace = {};

// Provider inputs and config values may arrive JSON-encoded.
const parse = (v: unknown) => {
    if (typeof v !== "string") return v;
    try {
        return JSON.parse(v);
    } catch {
        return v;
    }
};

function providerPlace(inputs: Record<string, any>): ProviderPlace {
    let accountId: string | undefined;
    const allowed = parse(inputs.allowedAccountIds);
    if (Array.isArray(allowed) && allowed.length === 1) accountId = String(allowed[0]);
    const roles = parse(inputs.assumeRoles) ?? parse(inputs.assumeRole);
    const arn = Array.isArray(roles) ? roles[0]?.roleArn : roles?.roleArn;
    if (accountId === undefined && typeof arn === "string") accountId = arn.split(":")[4];
    const tags = parse(inputs.defaultTags);
    const defaultTags = tags !== null && typeof tags === "object" && tags.tags !== null && typeof tags.tags === "object" ? (tags.tags as Record<string, string>) : undefined;
    return { accountId, region: typeof inputs.region === "string" ? inputs.region : undefined, defaultTags };
}

/** Where a resource or invoke acts, from its provider reference (`<urn>::<id>`): that provider's place over the default one. */
function placeOf(providerRef: string | undefined): { place: Placement; defaultTags?: Record<string, string> } {
    const id = providerRef?.split("::").pop();
    const p = (id !== undefined ? providers.get(id) : undefined) ?? {};
    return {
        place: { accountId: p.accountId ?? defaultPlace.accountId ?? current.accountId, partition: current.partition, region: p.region ?? defaultPlace.region ?? current.region },
        defaultTags: p.defaultTags ?? defaultPlace.defaultTags,
    };
}

/** Seed of the run's names (EKS_SECRETS_ABAC_OFFLINE_SEED): the same seed, the same auto-names. */
export const DEFAULT_SEED = "eks-secrets-abac-offline";
let names: NameSource = { seed: DEFAULT_SEED, counter: 0 };

export interface RecordedResource {
    type: string;
    /** The logical name (the URN's last part); the physical one is `state.name`. */
    name: string;
    /** The id the provider assigned. */
    id?: string;
    inputs: Record<string, any>;
    /** False for component resources. */
    custom: boolean;
    state: Record<string, any>;
}

let recording: RecordedResource[] = [];
let failures: string[] = [];
/** Set EKS_SECRETS_ABAC_FULL_STACKS=1 to keep the SDK's promise stacks (to measure their cost, or debug a leak). */
const fastStacks = process.env.EKS_SECRETS_ABAC_FULL_STACKS !== "1";
let installedProject: string | undefined;
let installedSdk: OfflineSdk | undefined;

/**
 * The Pulumi SDK the program imports. `setMocks` acts on one module instance,
 * so a user's program must be run with the `@pulumi/pulumi` it resolves
 * itself, not ours.
 */
export interface OfflineSdk {
    pulumi: Pick<typeof pulumi, "runtime">;
    /** `@pulumi/pulumi/runtime/settings` of the same instance. */
    settings: { waitForRPCs(): Promise<void> };
    /** The stack name the program sees. @default OFFLINE.stack */
    stack?: string;
}

const OWN_SDK: OfflineSdk = { pulumi, settings };
let onRecorded: ((count: number) => void) | undefined;

function outputsFor(type: string, name: string, inputs: Record<string, any>, providerRef: string | undefined): Created {
    const { place, defaultTags } = placeOf(providerRef);
    const tagged = TAGGED.has(type) ? tagsAll(defaultTags, inputs.tags) : undefined;
    const withTags = (c: Created): Created => (tagged === undefined ? c : { ...c, outputs: { ...c.outputs, tagsAll: tagged } });
    switch (type) {
        case "eks:index:Cluster": {
            // The @pulumi/eks component is remote: the offline cloud answers for the whole of it.
            const cluster = create(names, "aws:eks/cluster:Cluster", `${name}-eksCluster`, inputs, place);
            const clusterName = String(cluster.outputs.name);
            return {
                id: "",
                outputs: {
                    eksCluster: { name: clusterName, arn: cluster.outputs.arn },
                    kubeconfigJson: JSON.stringify({ apiVersion: "v1", kind: "Config", clusters: [{ name: clusterName }] }),
                },
            };
        }
        case "kubernetes:helm.sh/v3:Release":
            return { id: `${inputs.namespace ?? "default"}/${inputs.name ?? name}`, outputs: { status: { status: "deployed", version: inputs.version, namespace: inputs.namespace } } };
        default:
            return withTags(create(names, type, name, inputs, place));
    }
}

function invoke(token: string, inputs: Record<string, any>, providerRef: string | undefined): Record<string, unknown> {
    const { accountId, partition, region } = placeOf(providerRef).place;
    switch (token) {
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId, arn: `arn:${partition}:iam::${accountId}:user/offline`, userId: "AIDAOFFLINE", id: accountId };
        case "aws:index/getPartition:getPartition":
            return { partition, dnsSuffix: "amazonaws.com", id: partition };
        case "aws:index/getRegion:getRegion":
            return { region, name: region, id: region, endpoint: `ec2.${region}.amazonaws.com` };
        case "aws:eks/getCluster:getCluster":
            return { name: inputs.name, arn: `arn:${partition}:eks:${region}:${accountId}:cluster/${inputs.name}`, id: inputs.name };
        default:
            throw new Error(`offline cloud: no answer for invoke ${token}`);
    }
}

/** Installs the mocks for a project (again only when the project changes), then the config. */
export function installOfflineCloud(config: Record<string, string> = {}, secretKeys: string[] = [], project: string = OFFLINE.project, sdk: OfflineSdk = OWN_SDK): void {
    // Nothing propagates offline: the component's wait for a Pod Identity association (esoControllerRole.ts) is skipped.
    process.env.EKS_SECRETS_ABAC_ASSOCIATION_WAIT_SECONDS ??= "0";
    if (installedProject !== project || installedSdk !== sdk) {
        sdk.pulumi.runtime.setMocks(
            {
                newResource(args) {
                    const custom = args.custom ?? true;
                    let created: Created;
                    try {
                        created = createdFor(args);
                    } catch (e) {
                        // The engine fails the preview on a provider's error: so does the offline run, once every registration is done.
                        failures.push(`${args.type} '${args.name}': ${(e as Error).message}`);
                        throw e;
                    }
                    const state = { ...args.inputs, ...created.outputs };
                    recording.push({ type: args.type, name: args.name, ...(created.id !== "" ? { id: created.id } : {}), inputs: args.inputs, custom, state });
                    onRecorded?.(recording.length);
                    return { id: created.id, state };
                },
                call(args) {
                    return invoke(args.token, args.inputs, args.provider);
                },
            },
            project,
            sdk.stack ?? OFFLINE.stack,
            false,
        );
        installedProject = project;
        installedSdk = sdk;
    }
    sdk.pulumi.runtime.setAllConfig(config, secretKeys);
    const { accountFromConfig: _, ...account } = accountFromConfig(config);
    current = account;
    // The default provider reads `aws:defaultTags` (a JSON object with `tags`) from the stack's config.
    defaultPlace = { defaultTags: providerPlace({ defaultTags: config["aws:defaultTags"] }).defaultTags };
    providers.clear();
    names = { seed: process.env.EKS_SECRETS_ABAC_OFFLINE_SEED ?? DEFAULT_SEED, counter: 0 };
}

function createdFor(args: { type: string; name: string; inputs: Record<string, any>; provider?: string; custom?: boolean }): Created {
    if (args.type.startsWith("pulumi:providers:")) {
        // A provider's id is a UUID the engine assigns (pulumi/pulumi pkg/resource/deploy/providers/registry.go).
        const created = { id: providerId(args.name), outputs: {} };
        if (args.type === "pulumi:providers:aws") providers.set(created.id, providerPlace(args.inputs));
        return created;
    }
    // Components have no id; a remote one (eks:index:Cluster) still gets the outputs the offline cloud answers for it.
    const created = outputsFor(args.type, args.name, args.inputs, args.provider);
    return (args.custom ?? true) ? created : { id: "", outputs: args.type === "eks:index:Cluster" ? created.outputs : {} };
}

function providerId(logicalName: string): string {
    return create(names, "pulumi:providers", logicalName, {}, { accountId: "", partition: "", region: "" }).id;
}

/**
 * Runs `program` in the offline cloud and resolves with every resource it
 * declared, once all registrations have finished. Runs do not overlap.
 */
export async function runOffline<T>(
    program: () => T,
    config: Record<string, string> = {},
    secretKeys: string[] = [],
    project: string = OFFLINE.project,
    onProgress?: (registered: number) => void,
    sdk: OfflineSdk = OWN_SDK,
): Promise<OfflineRun<T>> {
    installOfflineCloud(config, secretKeys, project, sdk);
    recording = [];
    failures = [];
    onRecorded = onProgress;
    // The SDK records `new Error().stack` on every promise it creates
    // (runtime/debuggable.js, read only when it reports a leaked promise) and
    // ts-node maps each through source maps: most of the offline run's time.
    // Nothing reads those stacks offline, so capture none while the program
    // runs. (Resource.callsites raises the limit itself where it needs one.)
    const stackTraceLimit = Error.stackTraceLimit;
    if (fastStacks) Error.stackTraceLimit = 0;
    try {
        const result = program();
        await sdk.settings.waitForRPCs();
        if (failures.length > 0) throw new Error(failures.join("; "));
        return new OfflineRun(result, recording);
    } finally {
        Error.stackTraceLimit = stackTraceLimit;
        recording = [];
        onRecorded = undefined;
    }
}

export class OfflineRun<T> {
    constructor(
        public readonly result: T,
        public readonly resources: RecordedResource[],
    ) {}

    /** Cloud resources (components left out) of one type token. */
    ofType(type: string): RecordedResource[] {
        return this.resources.filter((r) => r.custom && r.type === type);
    }

    /** The single resource of a type; throws when there is not exactly one. */
    one(type: string): RecordedResource {
        const found = this.ofType(type);
        if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
        return found[0];
    }

    /** Number of cloud resources by type token, sorted by type. */
    countsByType(): Record<string, number> {
        const counts: Record<string, number> = {};
        for (const r of this.resources.filter((x) => x.custom)) counts[r.type] = (counts[r.type] ?? 0) + 1;
        return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
    }
}

/** Resolves an Output's value in the offline cloud. */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply((v) => resolve(v)));
}
