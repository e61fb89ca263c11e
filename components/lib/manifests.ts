/**
 * Kubernetes objects of the design, as pure functions: the ClusterSecretStore
 * that passes each request's namespace as a session tag, the ExternalSecrets
 * of a team, and the admission policy that guards namespaced SecretStores.
 */
import { DEFAULT_STORE_NAME, ESO_RESERVED_SESSION_TAGS, STORE_LABEL_KEY } from "./constants";
import { DomainStores, faultDomainStoreValidations } from "./faultDomainGuard";
import { storeProviderValidations } from "./storeProviders";

/**
 * `S` is `string` for plain documents; the components pass
 * `pulumi.Input<string>` so that only these two leaves wait for the cloud.
 * A manifest lifted whole through `.apply` would be one unknown `spec` in a
 * first preview, and the policy pack could not judge `sessionTagsPolicy`.
 */
export interface ClusterSecretStoreArgs<S = string> {
    name: string;
    region: S;
    /** The shared ABAC role; without it ESO sends no session tags at all. */
    abacRoleArn: S;
    /** ESO controller class that serves the store (`spec.controller`); set when the stack runs several controllers. @default none: every controller */
    controller?: string;
}

/**
 * `sessionTagsPolicy: Simple` makes ESO tag each AssumeRole with
 * `esoNamespace` = the ExternalSecret's namespace. ESO does not template
 * `sessionTags` (a `{{ .namespace }}` value would be sent literally).
 * The namespace selector stays one line for any number of teams.
 */
export function clusterSecretStoreManifest<S = string>(args: ClusterSecretStoreArgs<S>) {
    return {
        apiVersion: "external-secrets.io/v1",
        kind: "ClusterSecretStore",
        metadata: { name: args.name },
        spec: {
            ...(args.controller !== undefined ? { controller: args.controller } : {}),
            conditions: [{ namespaceSelector: { matchLabels: storeLabels(args.name) } }],
            provider: {
                aws: {
                    service: "SecretsManager",
                    region: args.region,
                    role: args.abacRoleArn,
                    sessionTagsPolicy: "Simple",
                },
            },
        },
    };
}

/** Labels onboarding puts on a team's namespace so the store serves it. */
export function storeLabels(storeName: string): Record<string, string> {
    return { [STORE_LABEL_KEY]: storeName };
}

export interface ExternalSecretItem {
    /** Key in the Kubernetes Secret. */
    secretKey: string;
    /** Full Secrets Manager name of the secret. */
    remoteKey: string;
    /** JSON property of the secret value, when it holds JSON. */
    property?: string;
}

export interface ExternalSecretManifestArgs {
    name: string;
    namespace: string;
    storeName: string;
    /** Name of the Kubernetes Secret to write; defaults to `name`. */
    targetName?: string;
    refreshInterval: string;
    data: ExternalSecretItem[];
    /** Full Secrets Manager names whose JSON keys all become Secret keys. */
    extract: string[];
}

export function externalSecretManifest(args: ExternalSecretManifestArgs) {
    const spec: Record<string, unknown> = {
        refreshInterval: args.refreshInterval,
        secretStoreRef: { kind: "ClusterSecretStore", name: args.storeName },
        target: { name: args.targetName ?? args.name, creationPolicy: "Owner" },
    };
    if (args.data.length > 0) {
        spec.data = args.data.map((item) => ({
            secretKey: item.secretKey,
            remoteRef: item.property === undefined ? { key: item.remoteKey } : { key: item.remoteKey, property: item.property },
        }));
    }
    if (args.extract.length > 0) {
        spec.dataFrom = args.extract.map((key) => ({ extract: { key } }));
    }
    return {
        apiVersion: "external-secrets.io/v1",
        kind: "ExternalSecret",
        metadata: { name: args.name, namespace: args.namespace },
        spec,
    };
}

export interface StoreGuardArgs {
    /** The shared ABAC role that only our ClusterSecretStore may name. */
    abacRoleArn: string;
    /** Our ClusterSecretStore. */
    clusterStoreName: string;
    /** Our Parameter Store ClusterSecretStore, when a team has parameters: it names the shared role too. */
    parameterStoreName?: string;
    /** Keep namespaced SecretStores, minus the ones that could speak for another namespace. */
    allowNamespacedSecretStores: boolean;
    /** Every fault domain's stores, when the stack runs several controllers: each may name the shared role, and each must name its controller. @default none */
    domains?: DomainStores[];
}

export interface Validation {
    expression: string;
    message: string;
}

/**
 * CEL that is true when the string expression `expr` names the role `arn`.
 * IAM role names are unique in an account whatever their path, and are not
 * distinguished by case (docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html
 * and reference_iam-quotas.html), so the comparison is on the trimmed,
 * lower-cased account and final name segment, any partition and any path.
 * Whether STS accepts a role ARN whose path differs from the role's is not
 * documented; refusing every path variant does not depend on it. The name is
 * matched with character classes instead of backslash escapes, so the same
 * text is valid RE2 (API server) and ECMAScript (tests).
 */
export function celNamesRole(expr: string, arn: string): string {
    const m = /^arn:[^:]+:iam::([0-9]{12}):role\/(?:.*\/)?([^/]+)$/.exec(arn.trim().toLowerCase());
    if (!m) return `${expr}.trim().lowerAscii() == '${arn.trim().toLowerCase().replace(/'/g, "")}'`;
    const name = m[2].replace(/[^a-z0-9_=,@-]/g, (c) => `[${c}]`);
    return `${expr}.trim().lowerAscii().matches('^arn:[^:]*:iam::${m[1]}:role/(.*/)?${name}$')`;
}

const AWS = "object.spec.provider.aws";
const IS_AWS = `has(object.spec.provider) && has(${AWS})`;
const ESO_KEY = (key: string) => `${key}.trim().lowerAscii().startsWith('eso')`;

/**
 * CEL rules of the store guard (ValidatingAdmissionPolicy, Kubernetes CEL
 * environment: `has`, `exists`, and the strings library's `trim`,
 * `lowerAscii`, `startsWith`, `matches`; see
 * kubernetes.io/docs/reference/using-api/cel/). Each rule is true when the
 * object is admitted. In ESO 2.9.0 no Helm value stops a namespaced
 * SecretStore from existing or, once Ready, from being used; admission is
 * what refuses one.
 */
export function storeGuardValidations(args: StoreGuardArgs): Validation[] {
    const { abacRoleArn, clusterStoreName } = args;
    const ours = [...new Set([clusterStoreName, ...(args.parameterStoreName !== undefined ? [args.parameterStoreName] : []), ...(args.domains ?? []).flatMap((d) => d.stores)])];
    const domainRules = faultDomainStoreValidations(args.domains ?? []);
    const oursCel = `[${ours.map((n) => `'${n.replace(/'/g, "")}'`).join(", ")}]`;
    const oursText = ours.join(" and ");
    const isStore = "request.resource.resource == 'secretstores'";
    const isClusterStore = "request.resource.resource == 'clustersecretstores'";
    const namesShared = (expr: string) => celNamesRole(expr, abacRoleArn);
    const reserved = ESO_RESERVED_SESSION_TAGS.join(", ");
    const clusterStoreRule: Validation = {
        expression:
            `!(${isClusterStore}) || object.metadata.name in ${oursCel} || !(${IS_AWS}) || ` +
            `((!has(${AWS}.role) || !${namesShared(`${AWS}.role`)}) && ` +
            `(!has(${AWS}.additionalRoles) || !${AWS}.additionalRoles.exists(r, ${namesShared("r")})))`,
        message:
            `Only the ClusterSecretStore${ours.length > 1 ? "s" : ""} ${oursText} may assume the shared ABAC role ${abacRoleArn} ` +
            `(in role or additionalRoles, in any case or path): ${ours.length > 1 ? "they are the ones" : "it is the one"} that tag${ours.length > 1 ? "" : "s"} each request with the ExternalSecret's namespace.`,
    };
    if (!args.allowNamespacedSecretStores) {
        return [
            {
                expression: `!(${isStore})`,
                message:
                    `Namespaced SecretStores are turned off on this cluster: read team secrets through the ClusterSecretStore ${clusterStoreName}. ` +
                    "(A SecretStore could send a forged esoNamespace session tag.)",
            },
            clusterStoreRule,
            ...domainRules,
        ];
    }
    const storeRule = (expression: string, message: string): Validation => ({
        expression: `!(${isStore}) || !(${IS_AWS}) || ${expression}`,
        message,
    });
    return [
        storeRule(
            `!has(${AWS}.role) || !${namesShared(`${AWS}.role`)}`,
            `A SecretStore may not assume the shared ABAC role ${abacRoleArn} (compared without case, spaces or path): use the ClusterSecretStore ${clusterStoreName}, which tags each request with its real namespace.`,
        ),
        storeRule(
            `!has(${AWS}.additionalRoles) || !${AWS}.additionalRoles.exists(r, ${namesShared("r")})`,
            `A SecretStore may not chain to the shared ABAC role ${abacRoleArn} through additionalRoles.`,
        ),
        storeRule(
            `!has(${AWS}.sessionTags) || !${AWS}.sessionTags.exists(t, ${ESO_KEY("t.key")})`,
            `A SecretStore may not send sessionTags whose key starts with 'eso' in any case (${reserved}): ESO sets them itself, and a forged esoNamespace reads another team's secrets.`,
        ),
        storeRule(
            `!has(${AWS}.customSessionTags) || !${AWS}.customSessionTags.exists(k, ${ESO_KEY("k")})`,
            `A SecretStore may not send customSessionTags whose key starts with 'eso' in any case (${reserved}).`,
        ),
        storeRule(
            `!has(${AWS}.auth) || !has(${AWS}.auth.jwt)`,
            "A SecretStore may not use auth.jwt: its role would come from a ServiceAccount annotation this policy cannot see; use the team's own credentials in auth.secretRef, or the ClusterSecretStore.",
        ),
        // Providers and auth shapes that could act with the controller's own identity (storeProviders.ts).
        ...storeProviderValidations(isStore),
        clusterStoreRule,
        ...domainRules,
    ];
}

/**
 * ValidatingAdmissionPolicy and binding (admissionregistration.k8s.io/v1,
 * Kubernetes >= 1.30) over every version of SecretStores and
 * ClusterSecretStores, on CREATE and UPDATE. A store that was Ready before
 * the policy existed is not re-checked until it is updated.
 */
export function storeGuardManifests(policyName: string, args: StoreGuardArgs) {
    return denyingAdmissionPolicy(policyName, { apiGroups: ["external-secrets.io"], resources: ["secretstores", "clustersecretstores"] }, storeGuardValidations(args));
}

/**
 * A ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1, Kubernetes
 * >= 1.30) over every version of `resources` in `apiGroups`, on CREATE and
 * UPDATE, that fails closed (`failurePolicy: Fail`), and its binding, which
 * denies what a rule refuses.
 */
export function denyingAdmissionPolicy(policyName: string, match: { apiGroups: string[]; resources: string[] }, validations: Validation[]) {
    const policy = {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingAdmissionPolicy",
        metadata: { name: policyName },
        spec: {
            failurePolicy: "Fail",
            matchConstraints: {
                resourceRules: [{ apiGroups: match.apiGroups, apiVersions: ["*"], operations: ["CREATE", "UPDATE"], resources: match.resources }],
            },
            validations,
        },
    };
    const binding = {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingAdmissionPolicyBinding",
        metadata: { name: policyName },
        spec: { policyName, validationActions: ["Deny"] },
    };
    return { policy, binding };
}

/**
 * @deprecated Use `storeGuardManifests`, which also says whether namespaced
 * SecretStores are kept. This form keeps them and guards the default store name.
 */
export function secretStoreGuardManifests(policyName: string, abacRoleArn: string) {
    return storeGuardManifests(policyName, { abacRoleArn, clusterStoreName: DEFAULT_STORE_NAME, allowNamespacedSecretStores: true });
}
