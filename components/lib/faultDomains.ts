/**
 * Fault domains: more than one ESO controller, each serving its own
 * ClusterSecretStore and the teams assigned to it, so that a noisy team can
 * be moved away from the others. Pure functions of plain values.
 *
 * How ESO v2.9.0 separates controllers (source read at the v2.9.0 tag):
 * - `--controller-class` (default "default", `cmd/controller/root.go`); the
 *   chart passes it only when `controllerClass` is set
 *   (`deploy/charts/external-secrets/templates/deployment.yaml`).
 * - A store is processed by a controller when its `spec.controller` is empty
 *   or equals the controller's class (`pkg/controllers/secretstore/common.go`
 *   `ShouldProcessStore`): a store without `spec.controller` is served by
 *   every controller. So with more than one controller every store names its
 *   controller, the default one included.
 * - An ExternalSecret is skipped by a controller when any store it references
 *   names another class (`externalsecret_controller.go`
 *   `shouldSkipUnmanagedStore`); a generator is skipped likewise on its own
 *   `spec.controller` (`externalsecret_controller_secret.go`
 *   `shouldSkipGenerator`). An ExternalSecret that references no store and
 *   only generators without a class is reconciled by EVERY controller: fault
 *   domains do not contain it (docs/ESO_HARDENING.md).
 * - Which namespaces may use a store is the store's `conditions`; each
 *   domain's store selects the namespaces labelled with its own name, so a
 *   team reaches only its domain's store (`STORE_LABEL_KEY`).
 *
 * Each extra controller is its own Helm release in its own namespace (so its
 * own service account, Pod Identity association and controller role, which
 * the shared role's trust names), with no CRDs, webhook or cert controller of
 * its own: the default release installs those once for the cluster.
 */
import { DEFAULT_ESO_NAMESPACE, DEFAULT_ESO_SERVICE_ACCOUNT, DEFAULT_STORE_NAME } from "./constants";
import { DEFAULT_PARAMETER_STORE_NAME } from "./parameterStore";
import { controllerRoleName, withinRoleNameLimit } from "./naming";
import type { EsoControllerSpec } from "./types";
import type { Problem } from "./validate";

/** The controller every team uses unless its entry names another. */
export const DEFAULT_CONTROLLER = "default";


export interface FaultDomain {
    /** The controller's name and ESO `controllerClass`. */
    name: string;
    /** True for the controller every stack has (the first release, which installs the CRDs). */
    primary: boolean;
    releaseName: string;
    namespace: string;
    serviceAccount: string;
    /** The domain's ClusterSecretStore (and its label value on the teams' namespaces). */
    storeName: string;
    /** The domain's Parameter Store ClusterSecretStore (declared when one of its teams has parameters). */
    parameterStoreName: string;
    /** Namespaces of the teams assigned to it. */
    teams: string[];
}

export interface FaultDomainArgs {
    /** Extra controllers, beside the default one. @default none */
    controllers?: EsoControllerSpec[];
    teams: { namespace: string; controller?: string }[];
    /** The default controller's release, namespace and store. */
    releaseName: string;
    esoNamespace?: string;
    esoServiceAccount?: string;
    storeName: string;
    /** @default "team-parameters" */
    parameterStoreName?: string;
}

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const NAME_MAX = 20;

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    return d[a.length][b.length];
}

/** The closest known name when it looks like a typo (at most a third of the letters differ). */
export function closestName(word: string, known: readonly string[]): string | undefined {
    let best: { name: string; d: number } | undefined;
    for (const k of known) {
        const d = distance(word.toLowerCase(), k.toLowerCase());
        if (best === undefined || d < best.d) best = { name: k, d };
    }
    return best !== undefined && best.d <= Math.max(1, Math.floor(word.length / 3)) ? best.name : undefined;
}

/**
 * Every problem of the controllers and of the teams' assignments, at once.
 * With `esoNamespace`/`storeName`/`parameterStoreName`, also the names the
 * controllers derive from them (namespace and store label value: 63 at most).
 */
export function faultDomainProblems(args: Pick<FaultDomainArgs, "controllers" | "teams" | "esoNamespace"> & { storeName?: string; parameterStoreName?: string }): Problem[] {
    const problems: Problem[] = [];
    const names = [DEFAULT_CONTROLLER];
    if (args.controllers !== undefined && !Array.isArray(args.controllers)) return [{ path: "esoControllers", message: "must be a list, e.g. `- name: noisy`" }];
    (args.controllers ?? []).forEach((c, i) => {
        const path = `esoControllers[${i}].name`;
        const derived = typeof c?.name === "string" ? derivedNameProblem(c.name, args) : undefined;
        if (typeof c?.name !== "string" || !NAME.test(c.name) || c.name.length > NAME_MAX) {
            problems.push({ path, message: `is \`${String(c?.name)}\`: use lowercase letters, digits and '-' (DNS-1123 label), at most ${NAME_MAX} characters: it becomes part of a Helm release name (53 at most) and a namespace` });
        } else if (c.name === "eso" || c.name.endsWith("-eso")) {
            // `<cluster>-eso-<name>-controller` would then read as cluster `<cluster>-eso-…`'s default controller role.
            problems.push({ path, message: `is \`${c.name}\`: a controller name may not be \`eso\` or end in \`-eso\` (its role name would look like another cluster's default controller role); rename it` });
        } else if (derived !== undefined) {
            problems.push({ path, message: `is \`${c.name}\`: ${derived}` });
        } else if (names.includes(c.name)) {
            problems.push({ path, message: `is \`${c.name}\`, ${c.name === DEFAULT_CONTROLLER ? "the name of the controller every stack has" : "named twice"}: give each controller its own name` });
        } else {
            names.push(c.name);
        }
    });
    if (!Array.isArray(args.teams)) return problems;
    args.teams.forEach((t, i) => {
        if (t?.controller === undefined || names.includes(t.controller)) return;
        const near = closestName(String(t.controller), names);
        problems.push({
            path: `teams[${i}].controller`,
            message: `is \`${String(t.controller)}\`: no such ESO controller${near ? `; did you mean \`${near}\`?` : ""} (known: ${names.map((n) => `\`${n}\``).join(", ")}; add it to esoControllers or remove the field for the default one)`,
        });
    });
    return problems;
}

function derivedNameProblem(name: string, args: { esoNamespace?: string; storeName?: string; parameterStoreName?: string }): string | undefined {
    const derived = [
        ["namespace", `${args.esoNamespace ?? DEFAULT_ESO_NAMESPACE}-${name}`],
        ["ClusterSecretStore (and namespace label value)", `${args.storeName ?? DEFAULT_STORE_NAME}-${name}`],
        ["Parameter Store ClusterSecretStore", `${args.parameterStoreName ?? DEFAULT_PARAMETER_STORE_NAME}-${name}`],
    ];
    const long = derived.filter(([, n]) => n.length > 63);
    if (long.length === 0) return undefined;
    return `makes ${long.map(([what, n]) => `the ${what} \`${n}\` (${n.length} characters)`).join(" and ")}, over Kubernetes' 63: shorten the name (or esoNamespace/storeName)`;
}

/** Namespaces of the extra controllers: no team may own one. */
export function extraControllerNamespaces(args: { controllers?: EsoControllerSpec[]; esoNamespace?: string }): string[] {
    return (Array.isArray(args.controllers) ? args.controllers : []).filter((c) => typeof c?.name === "string").map((c) => `${args.esoNamespace ?? DEFAULT_ESO_NAMESPACE}-${c.name}`);
}

/** The stack's fault domains, the default one first; call after `faultDomainProblems` found none. */
export function faultDomains(args: FaultDomainArgs): FaultDomain[] {
    const esoNamespace = args.esoNamespace ?? DEFAULT_ESO_NAMESPACE;
    const of = (name: string) => args.teams.filter((t) => (t.controller ?? DEFAULT_CONTROLLER) === name).map((t) => t.namespace);
    return [
        {
            name: DEFAULT_CONTROLLER,
            primary: true,
            releaseName: args.releaseName,
            namespace: esoNamespace,
            serviceAccount: args.esoServiceAccount ?? DEFAULT_ESO_SERVICE_ACCOUNT,
            storeName: args.storeName,
            parameterStoreName: args.parameterStoreName ?? DEFAULT_PARAMETER_STORE_NAME,
            teams: of(DEFAULT_CONTROLLER),
        },
        ...(args.controllers ?? []).map((c) => ({
            name: c.name,
            primary: false,
            releaseName: `${args.releaseName}-${c.name}`.slice(0, 53),
            namespace: `${esoNamespace}-${c.name}`,
            serviceAccount: args.esoServiceAccount ?? DEFAULT_ESO_SERVICE_ACCOUNT,
            storeName: `${args.storeName}-${c.name}`,
            parameterStoreName: `${args.parameterStoreName ?? DEFAULT_PARAMETER_STORE_NAME}-${c.name}`,
            teams: of(c.name),
        })),
    ];
}

/**
 * Name of a domain's controller role: the cluster's `controllerRoleName` for
 * the default one, `<cluster>-eso-<name>-controller` (shortened like it) for
 * the others, so a shared role can trust them before they exist.
 */
export function domainControllerRoleName(clusterName: string, domain: Pick<FaultDomain, "name" | "primary">): string {
    return domain.primary ? controllerRoleName(clusterName) : withinRoleNameLimit(clusterName, `-eso-${domain.name}-controller`);
}

/** Whether the stack runs more than one controller: then every store names its controller. */
export const multipleControllers = (domains: FaultDomain[]) => domains.length > 1;

/**
 * Helm values of a domain's release, merged over the stack's own: its
 * `controllerClass` (passed only with several controllers, so a one-controller
 * stack renders as before), its service account, and for an extra release no
 * CRDs, webhook or cert controller (the default release's serve the cluster).
 */
export function faultDomainHelmValues(domain: FaultDomain, several: boolean): Record<string, unknown> {
    const values: Record<string, unknown> = { serviceAccount: { name: domain.serviceAccount } };
    if (several) values.controllerClass = domain.name;
    if (!domain.primary) {
        Object.assign(values, { installCRDs: false, webhook: { create: false }, certController: { create: false } });
    }
    return values;
}

/** The store's `spec.controller` with several controllers; none with one (ESO then serves it with its only controller). */
export function storeControllerField(domain: FaultDomain, several: boolean): { controller?: string } {
    return several ? { controller: domain.name } : {};
}

/** Every controller role of a cluster, the default one first: the names a shared role's trust lists. */
export function clusterControllerRoleNames(clusterName: string, controllers: EsoControllerSpec[] | undefined): string[] {
    return [controllerRoleName(clusterName), ...(controllers ?? []).map((c) => domainControllerRoleName(clusterName, { name: c.name, primary: false }))];
}

/** The stores of each domain, for the admission policies (faultDomainGuard.ts); a parameter store only where one of its teams has parameters. */
export function domainStores(domains: FaultDomain[], teamsWithParameters: string[]): { controller: string; stores: string[] }[] {
    return domains.map((d) => ({ controller: d.name, stores: [d.storeName, ...(d.teams.some((t) => teamsWithParameters.includes(t)) ? [d.parameterStoreName] : [])] }));
}
