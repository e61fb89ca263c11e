/**
 * Helm values of the ESO release: the service account that Pod Identity
 * maps, and the hardening that keeps teams from forging `esoNamespace`.
 *
 * Every claim here was checked by rendering the released external-secrets
 * 2.9.0 chart with a real `helm template` (tests/chart.test.ts): each
 * hardened value changes the rendered objects, and each refused value
 * renders something that undoes the hardening or the design.
 */

export type HelmValues = { [key: string]: unknown };

export interface HardenedValue {
    path: string[];
    value: boolean;
    /** What the chart renders differently, and why that matters. */
    why: string;
    /** Left at the chart default when the user keeps namespaced SecretStores. */
    namespacedStoresOnly?: boolean;
}

/**
 * Values that the 2.9.0 chart honours (each changes the rendered objects).
 * `crds.createSecretStore` is not here: the chart installs the SecretStore
 * CRD whatever it says. The admission policy (manifests.ts) is what refuses
 * namespaced SecretStores; these values narrow what the controller does.
 */
export const HARDENED_VALUES: ReadonlyArray<HardenedValue> = [
    {
        path: ["processSecretStore"],
        value: false,
        namespacedStoresOnly: true,
        why: "renders --enable-secret-store-reconciler=false: a new SecretStore never becomes Ready, so ESO's flood gate refuses to use it",
    },
    {
        path: ["processPushSecret"],
        value: false,
        why: "renders --enable-push-secret-reconciler=false and drops the pushsecrets RBAC: a PushSecret would write to the provider",
    },
    {
        path: ["processClusterPushSecret"],
        value: false,
        why: "renders --enable-cluster-push-secret-reconciler=false and drops its RBAC; the chart refuses processPushSecret: false without it",
    },
    { path: ["crds", "createPushSecret"], value: false, why: "drops the PushSecret CRD" },
    { path: ["crds", "createClusterPushSecret"], value: false, why: "drops the ClusterPushSecret CRD" },
    {
        path: ["rbac", "aggregateToEdit"],
        value: false,
        why: "drops the aggregate-to-edit label from the chart's -edit and -view ClusterRoles: the -edit role grants create on every generator kind and on secretstores; our own aggregated role (generatorGuard.ts) grants only what the guards admit",
    },
    {
        path: ["rbac", "aggregateToAdmin"],
        value: false,
        why: "drops the aggregate-to-admin label from the chart's -edit and -view ClusterRoles, for the same reason as rbac.aggregateToEdit",
    },
    {
        path: ["rbac", "serviceAccountTokenCreate"],
        value: false,
        why: "drops the controller's create on serviceaccounts/token: it would mint a token for any service account a store names",
    },
];

/**
 * Controller flags that `extraArgs` must not set: the chart appends
 * `extraArgs` after its own flags (`--<key>=<value>`, or `--<key>` when the
 * value is empty or false), and the last flag wins. Flag names from ESO
 * 2.9.0 `cmd/controller/root.go`.
 */
export const GUARDED_CONTROLLER_FLAGS: Readonly<Record<string, string>> = {
    "enable-secret-store-reconciler": "would let new namespaced SecretStores become Ready and be used",
    "enable-flood-gate": "false would let ESO use SecretStores that are not Ready",
    "enable-push-secret-reconciler": "would turn PushSecrets (writes to the provider) back on",
    "enable-cluster-push-secret-reconciler": "would turn ClusterPushSecrets (writes to the provider) back on",
    "enable-cluster-store-reconciler": "false would leave the ClusterSecretStore never Ready, so no team reads anything",
    namespace: "would make the controller watch one namespace only, so the teams' ExternalSecrets are never served",
    "template-left-delimiter": "would change the template delimiter the ExternalSecret guard looks for (`{{`), so costly template functions would pass it",
    "template-right-delimiter": "would change the template delimiter the ExternalSecret guard relies on",
    "unsafe-allow-generic-targets": "would let ExternalSecrets write ConfigMaps and other manifests anywhere: use genericTargets.enabled with allowGenericTargets: true instead",
};

/**
 * Defaults that keep one team's slow reconcile from stalling every team
 * (ESO v2.9.0 runs one worker, `--concurrent=1`, with no reconcile timeout,
 * `pkg/controllers/common/common.go`; the chart sets no resources). The user's
 * `helmValues` may change them; docs/ESO_HARDENING.md says what each costs.
 *
 * - `concurrent: 4`: four ExternalSecrets reconcile at once (also four
 *   workers for each store controller, `cmd/controller/root.go`
 *   `BuildControllerOptions(concurrent)`): one stuck object holds a quarter of
 *   the controller, not all of it.
 * - requests 100m CPU / 128Mi, limits 1 CPU / 512Mi: a template or generator
 *   that allocates without bound ends in an OOM kill of this pod, not of
 *   its node's neighbours; the CPU limit keeps a loop from taking the node.
 * - `GOMEMLIMIT` at about 90% of the memory limit: Go's collector works
 *   harder before the kernel kills the pod (runtime/debug SetMemoryLimit).
 */
export const CONTROLLER_DEFAULTS: HelmValues = {
    concurrent: 4,
    resources: {
        requests: { cpu: "100m", memory: "128Mi" },
        limits: { cpu: "1", memory: "512Mi" },
    },
    extraEnv: [{ name: "GOMEMLIMIT", value: "460MiB" }],
};

/**
 * What `genericTargets.enabled` opens (chart templates/rbac.yaml; ESO v2.9.0
 * `externalsecret_controller_manifest.go`, `runtime/template/v2/template.go`):
 * shown by validation and by the plan.
 */
export const GENERIC_TARGETS_OPENS =
    "gives the ESO controller cluster-wide create/update/delete on ConfigMaps and every kind listed in genericTargets.resources, " +
    "and lets any team's ExternalSecret with spec.target.manifest template metadata.namespace (templateFrom.literal), " +
    "so the controller writes objects in other teams' namespaces and kube-system";

/** The plan's warning when a release's values turn generic targets on (only possible with allowGenericTargets). */
export function genericTargetsWarning(values: HelmValues): string | undefined {
    const enabled = getPath(values, ["genericTargets", "enabled"]);
    if (enabled === undefined || enabled === false) return undefined;
    const kinds = getPath(values, ["genericTargets", "resources"]);
    const listed = Array.isArray(kinds) && kinds.length > 0 ? ` (and ${JSON.stringify(kinds)})` : "";
    return `WARNING genericTargets.enabled = ${JSON.stringify(enabled)}${listed}: it ${GENERIC_TARGETS_OPENS}`;
}

/** Values that remove or cripple what the design needs; refused outright. */
const REFUSED_VALUES: ReadonlyArray<{ path: string[]; bad: (v: unknown) => boolean; message: string }> = [
    {
        path: ["installCRDs"],
        bad: (v) => v === false,
        message:
            "is false: the CRDs would come from elsewhere, perhaps an older version whose schema prunes sessionTagsPolicy " +
            "(every read denied) or one that serves PushSecrets; remove it, the release installs the CRDs of the pinned chart",
    },
    {
        path: ["createOperator"],
        bad: (v) => v === false,
        message: "is false: the chart would render no controller, so nothing serves the ClusterSecretStore; remove it",
    },
    {
        path: ["processClusterStore"],
        bad: (v) => v === false,
        message: "is false: renders --enable-cluster-store-reconciler=false, so the ClusterSecretStore never becomes Ready; remove it",
    },
    {
        path: ["crds", "createClusterSecretStore"],
        bad: (v) => v === false,
        message: "is false: the chart would not install the ClusterSecretStore CRD that every team reads through; remove it",
    },
    {
        path: ["scopedRBAC"],
        bad: (v) => v === true,
        message: "is true: renders --enable-cluster-store-reconciler=false and namespaced RBAC, so the ClusterSecretStore never becomes Ready; remove it",
    },
    {
        path: ["scopedNamespace"],
        bad: (v) => typeof v === "string" && v !== "",
        message: "is set: renders --namespace, so the controller serves one namespace and no team's ExternalSecret; remove it",
    },
];

/**
 * Egress of the ESO controller pods when `controllerEgressPolicy` is on,
 * rendered by the chart's `networkPolicy` values (templates/networkpolicy.yaml:
 * one NetworkPolicy selecting the controller's selector labels, policyTypes
 * Egress and Ingress; ingress stays the chart's metrics and health ports).
 *
 * - DNS: the cluster DNS pods (`k8s-app: kube-dns` in kube-system, the
 *   labels of EKS's CoreDNS), UDP and TCP 53.
 * - TCP 443 to any address: the API server (on EKS the kubernetes Service
 *   leads to control-plane ENIs in the VPC) and AWS STS, Secrets Manager,
 *   SSM and KMS (public or VPC-endpoint addresses). These are IP addresses
 *   that change, and a NetworkPolicy matches addresses and ports only, so
 *   this rule limits the port, not the destination.
 * - TCP 80 to the EKS Pod Identity agent, 169.254.170.23 (IPv4) and
 *   fd00:ec2::23 (IPv6) (docs.aws.amazon.com/eks/latest/userguide/pod-id-agent-setup.html).
 *
 * Everything else is dropped where NetworkPolicy is enforced: the instance
 * metadata service (169.254.169.254:80), plain-http and non-443 endpoints.
 */
export const CONTROLLER_EGRESS: ReadonlyArray<HelmValues> = [
    {
        to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
        ports: [
            { protocol: "UDP", port: 53 },
            { protocol: "TCP", port: 53 },
        ],
    },
    {
        to: [{ ipBlock: { cidr: "0.0.0.0/0" } }, { ipBlock: { cidr: "::/0" } }],
        ports: [{ protocol: "TCP", port: 443 }],
    },
    {
        to: [{ ipBlock: { cidr: "169.254.170.23/32" } }, { ipBlock: { cidr: "fd00:ec2::23/128" } }],
        ports: [{ protocol: "TCP", port: 80 }],
    },
];

export interface EsoValuesArgs {
    /** Service account that the Pod Identity association names. */
    serviceAccountName: string;
    /** Keep namespaced SecretStores (the admission policy still guards them). */
    allowNamespacedSecretStores: boolean;
    /** The user's own values, merged last except where they would reopen a hole. */
    userValues?: HelmValues;
    /** Render the chart's NetworkPolicy for the controller with `CONTROLLER_EGRESS`. */
    controllerEgressPolicy?: boolean;
}

/** Builds the release values: defaults, then the user's, then the hardening. */
export function esoHelmValues(args: EsoValuesArgs): HelmValues {
    const base: HelmValues = {
        ...JSON.parse(JSON.stringify(CONTROLLER_DEFAULTS)),
        installCRDs: true,
        serviceAccount: { create: true, name: args.serviceAccountName },
    };
    let values = deepMerge(base, args.userValues ?? {});
    // The user cannot rename the service account: the association would no longer match.
    values = deepMerge(values, { serviceAccount: { name: args.serviceAccountName } });
    for (const hardened of HARDENED_VALUES) {
        if (args.allowNamespacedSecretStores && hardened.namespacedStoresOnly) continue;
        values = deepMerge(values, nest(hardened.path, hardened.value));
    }
    if (args.controllerEgressPolicy) {
        values = deepMerge(values, { networkPolicy: { enabled: true, egress: JSON.parse(JSON.stringify(CONTROLLER_EGRESS)) } });
    }
    return values;
}

export interface HelmValuesContext {
    allowNamespacedSecretStores: boolean;
    /** The stack explicitly allows `genericTargets.enabled` (see GENERIC_TARGETS_OPENS). */
    allowGenericTargets?: boolean;
    /** The stack renders the controller's NetworkPolicy itself. */
    controllerEgressPolicy?: boolean;
    esoNamespace: string;
    esoServiceAccount: string;
}

/** A user Helm value that would undo the hardening or break the design. */
export interface HelmValueProblem {
    /** Dotted path below `helmValues`. */
    path: string;
    message: string;
}

/** Name of the controller flag an `extraArgs` key renders (`--<key>`), as pflag parses it. */
export function extraArgFlagName(key: string): string {
    return key.trim().replace(/^-+/, "").split("=")[0].trim().toLowerCase();
}

/**
 * Every user Helm value that would reopen the forged-namespace hole or break
 * the release, with the fix. The values are refused rather than silently
 * overridden so that the user's intent and the deployment never disagree.
 */
export function helmValuesProblems(values: HelmValues, ctx: HelmValuesContext): HelmValueProblem[] {
    const problems: HelmValueProblem[] = [];
    const quote = (v: unknown) => "`" + (typeof v === "string" ? v : JSON.stringify(v)) + "`";
    for (const hardened of HARDENED_VALUES) {
        const given = getPath(values, hardened.path);
        if (given === undefined || given === hardened.value) continue;
        if (ctx.allowNamespacedSecretStores && hardened.namespacedStoresOnly) continue;
        const fix = hardened.namespacedStoresOnly
            ? "remove it, or set allowNamespacedSecretStores: true to keep SecretStores behind the admission policy"
            : "remove it";
        problems.push({ path: hardened.path.join("."), message: `is ${quote(given)}; the hardened value ${hardened.why}: ${fix}` });
    }
    for (const refused of REFUSED_VALUES) {
        const given = getPath(values, refused.path);
        if (given !== undefined && refused.bad(given)) problems.push({ path: refused.path.join("."), message: refused.message });
    }
    const generic = getPath(values, ["genericTargets", "enabled"]);
    if (generic !== undefined && generic !== false && !ctx.allowGenericTargets) {
        problems.push({ path: "genericTargets.enabled", message: `is ${quote(generic)}: it ${GENERIC_TARGETS_OPENS}; remove it, or set allowGenericTargets: true if every team may do that` });
    }
    const extraArgs = getPath(values, ["extraArgs"]);
    if (extraArgs !== undefined && !isPlainObject(extraArgs)) {
        problems.push({ path: "extraArgs", message: `is ${quote(extraArgs)}: the chart takes a map of flag name to value` });
    } else if (extraArgs !== undefined) {
        for (const key of Object.keys(extraArgs)) {
            const flag = extraArgFlagName(key);
            const why = GUARDED_CONTROLLER_FLAGS[flag];
            if (why !== undefined) {
                problems.push({ path: `extraArgs.${key}`, message: `sets the controller flag --${flag}, which ${why}: remove it` });
            }
        }
    }
    if (ctx.controllerEgressPolicy) {
        for (const key of ["enabled", "egress"]) {
            const given = getPath(values, ["networkPolicy", key]);
            const ours = key === "enabled" ? true : CONTROLLER_EGRESS;
            if (given !== undefined && JSON.stringify(given) !== JSON.stringify(ours)) {
                problems.push({
                    path: `networkPolicy.${key}`,
                    message:
                        `is ${quote(given)}, but controllerEgressPolicy: true renders the controller's NetworkPolicy itself: ` +
                        "remove it, or set controllerEgressPolicy: false and write the whole networkPolicy in helmValues",
                });
            }
        }
    }
    // The chart renders extraObjects verbatim: an aggregated role there would hand teams the generators again.
    const extraObjects = getPath(values, ["extraObjects"]);
    if (Array.isArray(extraObjects)) {
        extraObjects.forEach((item, i) => {
            const text = typeof item === "string" ? item : JSON.stringify(item ?? null);
            if (/rbac\.authorization\.k8s\.io\/aggregate-to-(edit|admin)/i.test(text)) {
                problems.push({
                    path: `extraObjects[${i}]`,
                    message:
                        "carries an aggregate-to-edit or aggregate-to-admin label: it would grant every namespace editor what it lists, past the tenant role the release ships; bind a role of your own to the teams that need it instead",
                });
            }
        });
    }
    // The Pod Identity association names ESO's namespace and service account: the release must match it.
    const saName = getPath(values, ["serviceAccount", "name"]);
    if (saName !== undefined && saName !== ctx.esoServiceAccount) {
        problems.push({
            path: "serviceAccount.name",
            message: `is ${quote(saName)}, which the Pod Identity association would not match: set esoServiceAccount instead`,
        });
    }
    const nsOverride = getPath(values, ["namespaceOverride"]);
    if (nsOverride !== undefined && nsOverride !== "" && nsOverride !== ctx.esoNamespace) {
        problems.push({
            path: "namespaceOverride",
            message: `is ${quote(nsOverride)}, which the Pod Identity association would not match: set esoNamespace instead`,
        });
    }
    return problems;
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
