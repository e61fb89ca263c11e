/**
 * Property values as the analyzer hands them over, read without tripping on
 * unknowns.
 *
 * The engine marshals a resource's inputs with KeepUnknowns and KeepSecrets
 * (pulumi/pulumi pkg/resource/plugin/analyzer_plugin.go, Analyze and
 * AnalyzeStack). An unknown (every computed ARN or ID in a first preview)
 * arrives as a sentinel string (sdk/go/common/resource/plugin/rpc.go,
 * marshalUnknownProperty); @pulumi/policy strips secret wrappers and wraps the
 * props in `unknownCheckingProxy`, whose getter throws `UnknownValueError` on
 * any sentinel (@pulumi/policy proxy.js). The SDK then replaces the whole
 * policy's result with one advisory. The pack instead reads the plain values
 * behind the proxy and decides, value by value, what is known.
 */

/** The sentinels of @pulumi/policy proxy.js, one per type of unknown. */
export const UNKNOWN_SENTINELS = new Set([
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9", // string (what the engine sends for every computed value)
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
    "030794c1-ac77-496b-92df-f27374a8bd58", // asset
    "e48ece36-62e2-4504-bad9-02848725956a", // archive
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
]);

export const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** The proxy's escape hatch (@pulumi/policy proxy.js `getSpecialProxyTarget`). */
const PROXY_TARGET = "__getSpecialProxyTarget";

/** The plain object behind `unknownCheckingProxy`; plain values pass through (the in-process runner). */
export function plain<T = any>(value: T): T {
    if (value === null || typeof value !== "object") return value;
    const target = (value as any)[PROXY_TARGET];
    return target === undefined || target === true ? value : target;
}

export function isUnknown(value: unknown): boolean {
    return typeof value === "string" && UNKNOWN_SENTINELS.has(value);
}

/** Whether anything inside the value is unknown. */
export function containsUnknown(value: unknown): boolean {
    if (isUnknown(value)) return true;
    if (Array.isArray(value)) return value.some(containsUnknown);
    if (value !== null && typeof value === "object") return Object.values(value).some(containsUnknown);
    return false;
}

export type Props = Record<string, any>;

export function isRecord(value: unknown): value is Props {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** `value` as a list: a list stays, anything else is not a list (undefined). */
export function asArray(value: unknown): unknown[] | undefined {
    return Array.isArray(value) ? value : undefined;
}

/**
 * Undecided properties of one resource. A policy records here what it could
 * not read; when it has found no certain violation it reports them as one
 * advisory instead of a verdict.
 */
export class Undecided {
    readonly paths: string[] = [];
    add(path: string): void {
        if (!this.paths.includes(path)) this.paths.push(path);
    }
    get any(): boolean {
        return this.paths.length > 0;
    }
}
