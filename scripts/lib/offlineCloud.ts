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

import { OFFLINE } from "./defaults";

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
 * Accounts of explicit AWS providers, by provider ID: as in AWS, a provider
 * acts in the account it is pinned to (`allowedAccountIds`) or whose role it
 * assumes (`assumeRoles`); every other provider in the offline account.
 */
const providerAccounts = new Map<string, string>();

function providerAccount(inputs: Record<string, any>): string | undefined {
    // Provider inputs may arrive JSON-encoded.
    const parse = (v: unknown) => {
        if (typeof v !== "string") return v;
        try {
            return JSON.parse(v);
        } catch {
            return v;
        }
    };
    const allowed = parse(inputs.allowedAccountIds);
    if (Array.isArray(allowed) && allowed.length === 1) return String(allowed[0]);
    const roles = parse(inputs.assumeRoles);
    const arn = Array.isArray(roles) ? roles[0]?.roleArn : undefined;
    return typeof arn === "string" ? arn.split(":")[4] : undefined;
}

/** The account a resource or invoke acts in, from its provider reference (`<urn>::<id>`). */
function accountOf(providerRef: string | undefined): string {
    const id = providerRef?.split("::").pop();
    return (id && providerAccounts.get(id)) || current.accountId;
}

export interface RecordedResource {
    type: string;
    name: string;
    inputs: Record<string, any>;
    /** False for component resources. */
    custom: boolean;
    state: Record<string, any>;
}

let recording: RecordedResource[] = [];
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

function outputsFor(type: string, name: string, inputs: Record<string, any>, accountId: string): Record<string, unknown> {
    const { partition, region } = current;
    switch (type) {
        case "aws:iam/role:Role": {
            const roleName = inputs.name ?? name;
            return { name: roleName, arn: `arn:${partition}:iam::${accountId}:role/${roleName}`, uniqueId: `AROA${name.length}` };
        }
        case "aws:iam/policy:Policy": {
            const policyName = inputs.name ?? name;
            return { name: policyName, arn: `arn:${partition}:iam::${accountId}:policy/${policyName}` };
        }
        case "aws:secretsmanager/secret:Secret": {
            const secretName = inputs.name ?? name;
            return { name: secretName, arn: `arn:${partition}:secretsmanager:${region}:${accountId}:secret:${secretName}-AbCdEf` };
        }
        case "aws:ssm/parameter:Parameter": {
            const parameterName: string = inputs.name ?? name;
            return { name: parameterName, arn: `arn:${partition}:ssm:${region}:${accountId}:parameter${parameterName.startsWith("/") ? "" : "/"}${parameterName}` };
        }
        case "aws:kms/key:Key":
            return { keyId: `${name}-key-id`, arn: `arn:${partition}:kms:${region}:${accountId}:key/${name}-key-id` };
        case "aws:eks/podIdentityAssociation:PodIdentityAssociation":
            return { associationId: `a-${name}`, associationArn: `arn:${partition}:eks:${region}:${accountId}:podidentityassociation/${name}` };
        case "aws:eks/addon:Addon":
            return { addonVersion: inputs.addonVersion ?? "v0.0.0-offline", arn: `arn:${partition}:eks:${region}:${accountId}:addon/${name}` };
        case "aws:eks/cluster:Cluster":
            return { arn: offlineClusterArn(inputs.name ?? name), name: inputs.name ?? name };
        case "eks:index:Cluster": {
            // The @pulumi/eks component is remote: the offline cloud answers for the whole of it.
            const clusterName = inputs.name ?? name;
            return {
                eksCluster: { name: clusterName, arn: offlineClusterArn(clusterName) },
                kubeconfigJson: JSON.stringify({ apiVersion: "v1", kind: "Config", clusters: [{ name: clusterName }] }),
            };
        }
        case "kubernetes:helm.sh/v3:Release":
            return { status: { status: "deployed", version: inputs.version, namespace: inputs.namespace } };
        default:
            return {};
    }
}

function invoke(token: string, inputs: Record<string, any>, accountId: string): Record<string, unknown> {
    const { partition, region } = current;
    switch (token) {
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId, arn: `arn:${partition}:iam::${accountId}:user/offline`, userId: "AIDAOFFLINE", id: accountId };
        case "aws:index/getPartition:getPartition":
            return { partition, dnsSuffix: "amazonaws.com", id: partition };
        case "aws:index/getRegion:getRegion":
            return { region, name: region, id: region, endpoint: `ec2.${region}.amazonaws.com` };
        case "aws:eks/getCluster:getCluster":
            return { name: inputs.name, arn: clusterArnIn(inputs.name, accountId), id: inputs.name };
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
                    if (args.type === "pulumi:providers:aws") {
                        const account = providerAccount(args.inputs);
                        if (account !== undefined) providerAccounts.set(`${args.name}-id`, account);
                    }
                    const state = { ...args.inputs, ...outputsFor(args.type, args.name, args.inputs, accountOf(args.provider)) };
                    recording.push({ type: args.type, name: args.name, inputs: args.inputs, custom: args.custom ?? true, state });
                    onRecorded?.(recording.length);
                    return { id: `${args.name}-id`, state };
                },
                call(args) {
                    return invoke(args.token, args.inputs, accountOf(args.provider));
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
