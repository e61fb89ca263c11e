/**
 * Helm values of the ESO release: the service account that Pod Identity
 * maps, and the hardening that keeps teams from forging `esoNamespace`.
 */

export type HelmValues = { [key: string]: unknown };

/**
 * Values that close the forged-namespace hole on the Kubernetes side. A
 * namespaced SecretStore with `sessionTagsPolicy: None` sends its legacy
 * `sessionTags` verbatim, so anyone who may create one can claim another
 * team's namespace through the shared controller role; a PushSecret writes.
 * Each path exists in the chart's values.yaml (tested).
 */
export const HARDENED_VALUES: ReadonlyArray<{ path: string[]; value: boolean; why: string }> = [
    { path: ["crds", "createSecretStore"], value: false, why: "namespaced SecretStores can forge esoNamespace" },
    { path: ["processSecretStore"], value: false, why: "namespaced SecretStores can forge esoNamespace" },
    { path: ["crds", "createPushSecret"], value: false, why: "a PushSecret writes to the provider" },
    { path: ["processPushSecret"], value: false, why: "a PushSecret writes to the provider" },
    {
        path: ["rbac", "serviceAccountTokenCreate"],
        value: false,
        why: "the controller would mint tokens for any service account a store names",
    },
];

/** Paths a user may turn back on only by setting `allowNamespacedSecretStores`. */
export const NAMESPACED_STORE_PATHS: ReadonlyArray<string> = ["crds.createSecretStore", "processSecretStore"];

export interface EsoValuesArgs {
    /** Service account that the Pod Identity association names. */
    serviceAccountName: string;
    /** Keep namespaced SecretStores (an admission policy guards them). */
    allowNamespacedSecretStores: boolean;
    /** The user's own values, merged last except where they would reopen a hole. */
    userValues?: HelmValues;
}

/** Builds the release values: defaults, then the user's, then the hardening. */
export function esoHelmValues(args: EsoValuesArgs): HelmValues {
    const base: HelmValues = {
        installCRDs: true,
        serviceAccount: { create: true, name: args.serviceAccountName },
    };
    let values = deepMerge(base, args.userValues ?? {});
    // The user cannot rename the service account: the association would no longer match.
    values = deepMerge(values, { serviceAccount: { name: args.serviceAccountName } });
    for (const hardened of HARDENED_VALUES) {
        const dotted = hardened.path.join(".");
        if (args.allowNamespacedSecretStores && NAMESPACED_STORE_PATHS.includes(dotted)) {
            continue;
        }
        values = deepMerge(values, nest(hardened.path, hardened.value));
    }
    return values;
}

/** Reads a dotted path from nested values; undefined when any step is missing. */
export function getPath(values: HelmValues, path: string[]): unknown {
    let node: unknown = values;
    for (const key of path) {
        if (node === null || typeof node !== "object" || Array.isArray(node)) return undefined;
        node = (node as HelmValues)[key];
    }
    return node;
}

function nest(path: string[], value: unknown): HelmValues {
    return path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) as HelmValues;
}

function isPlainObject(v: unknown): v is HelmValues {
    return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Helm's own merge rule: maps merge key by key, anything else is replaced. */
export function deepMerge(target: HelmValues, source: HelmValues): HelmValues {
    const out: HelmValues = { ...target };
    for (const [key, value] of Object.entries(source)) {
        const existing = out[key];
        out[key] = isPlainObject(existing) && isPlainObject(value) ? deepMerge(existing, value) : value;
    }
    return out;
}
