/**
 * Kubernetes objects of the design, as pure functions: the ClusterSecretStore
 * that passes each request's namespace as a session tag, the ExternalSecrets
 * of a team, and the admission policy that guards namespaced SecretStores.
 */
import { ESO_RESERVED_SESSION_TAGS, STORE_LABEL_KEY } from "./constants";

export interface ClusterSecretStoreArgs {
    name: string;
    region: string;
    /** The shared ABAC role; without it ESO sends no session tags at all. */
    abacRoleArn: string;
}

/**
 * `sessionTagsPolicy: Simple` makes ESO tag each AssumeRole with
 * `esoNamespace` = the ExternalSecret's namespace. ESO does not template
 * `sessionTags` (a `{{ .namespace }}` value would be sent literally).
 * The namespace selector stays one line for any number of teams.
 */
export function clusterSecretStoreManifest(args: ClusterSecretStoreArgs) {
    return {
        apiVersion: "external-secrets.io/v1",
        kind: "ClusterSecretStore",
        metadata: { name: args.name },
        spec: {
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

/**
 * CEL rules that keep a namespaced AWS SecretStore from speaking for another
 * namespace: it may not assume the shared role (directly or in a chain), and
 * may not send `eso*` session tags of its own. Keys and ARNs compare
 * case-insensitively, as IAM does.
 */
export function secretStoreGuardValidations(abacRoleArn: string): { expression: string; message: string }[] {
    const arn = abacRoleArn.toLowerCase().replace(/'/g, "");
    const aws = "object.spec.provider.aws";
    const reserved = ESO_RESERVED_SESSION_TAGS.join(", ");
    return [
        {
            expression: `!has(${aws}) || !has(${aws}.role) || ${aws}.role.lowerAscii() != '${arn}'`,
            message: `A SecretStore may not assume the shared ABAC role ${abacRoleArn}: use the ClusterSecretStore, which tags each request with its real namespace.`,
        },
        {
            expression: `!has(${aws}) || !has(${aws}.additionalRoles) || !${aws}.additionalRoles.exists(r, r.lowerAscii() == '${arn}')`,
            message: `A SecretStore may not chain to the shared ABAC role ${abacRoleArn} through additionalRoles.`,
        },
        {
            expression: `!has(${aws}) || !has(${aws}.sessionTags) || !${aws}.sessionTags.exists(t, t.key.lowerAscii().startsWith('eso'))`,
            message: `A SecretStore may not send session tags whose key starts with 'eso' (${reserved}): ESO sets them itself, and a forged esoNamespace reads another team's secrets.`,
        },
    ];
}

/** ValidatingAdmissionPolicy and its binding (admissionregistration.k8s.io/v1). */
export function secretStoreGuardManifests(policyName: string, abacRoleArn: string) {
    const policy = {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingAdmissionPolicy",
        metadata: { name: policyName },
        spec: {
            failurePolicy: "Fail",
            matchConstraints: {
                resourceRules: [
                    {
                        apiGroups: ["external-secrets.io"],
                        apiVersions: ["*"],
                        operations: ["CREATE", "UPDATE"],
                        resources: ["secretstores"],
                    },
                ],
            },
            validations: secretStoreGuardValidations(abacRoleArn),
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
