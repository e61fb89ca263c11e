/**
 * The generator guard: a ValidatingAdmissionPolicy over
 * `generators.external-secrets.io` that keeps a tenant from making the ESO
 * controller act with its own identity. A generator needs no store, so
 * neither a store's `conditions` nor the store guard ever see it: an
 * ExternalSecret names it in `dataFrom[].sourceRef.generatorRef`, and ESO
 * resolves it in the ExternalSecret's namespace
 * (ESO v2.9.0 `runtime/esutils/resolvers/generator.go` `getGenerator`) and
 * runs it in the controller with that namespace
 * (`pkg/controllers/externalsecret/externalsecret_controller_secret.go`
 * `handleGenerateSecrets`).
 *
 * Every kind below was read in the v2.9.0 source (`generators/v1/<kind>/`,
 * `apis/generators/v1alpha1/types_<kind>.go`); tests/tenantReach.test.ts
 * requires the chart to install exactly these kinds.
 */
import { ESO_CHART } from "./constants";
import { generatorBoundValidations } from "./generatorBounds";
import { celNamesRole, denyingAdmissionPolicy, Validation } from "./manifests";

export const GENERATOR_GROUP = "generators.external-secrets.io";

/**
 * - `safe`: computes a value with no credentials and no network; admitted,
 *   within the cost bounds of generatorBounds.ts (not free: each runs on the
 *   shared controller, and Password and SSHKey grow with their spec).
 * - `explicit`: calls a cloud or Vault, and can fall back to the controller's
 *   identity when its spec leaves auth out; admitted only when listed in
 *   `allowedGenerators`, and then only with explicit credentials.
 * - `network`: calls a service with credentials of the tenant's namespace
 *   only; admitted only when listed in `allowedGenerators`.
 * - `state`: ESO's own bookkeeping; written only by the controller.
 * - `cluster`: cluster-scoped, an administrator's object (see ClusterGenerator).
 */
export type GeneratorClass = "safe" | "explicit" | "network" | "state" | "cluster";

export interface GeneratorKind {
    kind: string;
    /** The resource name the API server and RBAC use. */
    plural: string;
    class: GeneratorClass;
    /** Why, from the v2.9.0 source (file and function). */
    why: string;
}

export const GENERATOR_KINDS: ReadonlyArray<GeneratorKind> = [
    { kind: "Password", plural: "passwords", class: "safe", why: "generators/v1/password/password.go Generate: random characters from the spec; ignores the client and namespace; cost quadratic in length, bounded in generatorBounds.ts" },
    { kind: "SSHKey", plural: "sshkeys", class: "safe", why: "generators/v1/sshkey/sshkey.go Generate: a key pair made in memory; ignores the client and namespace; RSA cost bounded by keySize in generatorBounds.ts" },
    { kind: "UUID", plural: "uuids", class: "safe", why: "generators/v1/uuid/uuid.go Generate: a random UUID; ignores the client and namespace" },
    { kind: "Fake", plural: "fakes", class: "safe", why: "generators/v1/fake/fake.go Generate: returns spec.data as given" },
    {
        kind: "MFA",
        plural: "mfas",
        class: "safe",
        why: "generators/v1/mfa/mfa.go Generate: a TOTP code from a Secret read in the ExternalSecret's namespace only (spec.secret.namespace is ignored); no network",
    },
    {
        kind: "ECRAuthorizationToken",
        plural: "ecrauthorizationtokens",
        class: "explicit",
        why: "generators/v1/ecr/ecr.go generate -> providers/v1/aws/auth/auth.go NewGeneratorSession: without auth.secretRef or auth.jwt the SDK's default chain is the controller's own (Pod Identity) credentials; a role is assumed without session tags",
    },
    {
        kind: "STSSessionToken",
        plural: "stssessiontokens",
        class: "explicit",
        why: "generators/v1/sts/sts.go generate -> NewGeneratorSession: without auth.secretRef, GetSessionToken runs on the controller's credentials",
    },
    {
        kind: "GCRAccessToken",
        plural: "gcraccesstokens",
        class: "explicit",
        why: "generators/v1/gcr/gcr.go generate -> providers/v1/gcp/secretmanager/auth.go NewTokenSource: ends in google.DefaultTokenSource (the pod's ambient credentials); workload_identity_federation.go updateExternalAccountConfigWithCredFileValues takes any credential_source.file but the service-account token path",
    },
    {
        kind: "ACRAccessToken",
        plural: "acraccesstokens",
        class: "explicit",
        why: "generators/v1/acr/acr.go generate: managedIdentity uses the node's identity; accessTokenForWorkloadIdentity without serviceAccountRef reads the controller's AZURE_FEDERATED_TOKEN_FILE",
    },
    {
        kind: "VaultDynamicSecret",
        plural: "vaultdynamicsecrets",
        class: "explicit",
        why: "generators/v1/vault/vault.go -> providers/v1/vault: auth_kubernetes.go getJwtString sends the controller's own token file without serviceAccountRef/secretRef; auth_iam.go uses the controller's AWS credentials and os.Setenv's them process-wide; auth_gcp.go setupGCPAuth ends in the pod's default credentials",
    },
    { kind: "Webhook", plural: "webhooks", class: "network", why: "generators/v1/webhook/webhook.go Generate: an HTTP call to any URL, with Secrets of the namespace (ClusterScoped false)" },
    { kind: "GithubAccessToken", plural: "githubaccesstokens", class: "network", why: "generators/v1/github/github.go: a GitHub App key from a Secret of the namespace" },
    { kind: "GitlabDeployToken", plural: "gitlabdeploytokens", class: "network", why: "generators/v1/gitlab/gitlab.go: a token from a Secret of the namespace (EmptyStoreKind)" },
    { kind: "QuayAccessToken", plural: "quayaccesstokens", class: "network", why: "generators/v1/quay/quay.go: a token requested for a service account of the namespace" },
    { kind: "CloudsmithAccessToken", plural: "cloudsmithaccesstokens", class: "network", why: "generators/v1/cloudsmith/cloudsmith.go: an OIDC token of a service account of the namespace" },
    { kind: "Grafana", plural: "grafanas", class: "network", why: "generators/v1/grafana/grafana.go: a Grafana API key or basic auth from Secrets of the namespace (EmptyStoreKind)" },
    {
        kind: "BeyondtrustWorkloadCredentialsDynamicSecret",
        plural: "beyondtrustworkloadcredentialsdynamicsecrets",
        class: "network",
        why: "generators/v1/beyondtrustworkloadcredentials: NewGeneratorClient with the namespace's Secrets",
    },
    { kind: "GeneratorState", plural: "generatorstates", class: "state", why: "pkg/controllers/generatorstate/generatorstate_controller.go Reconcile calls the Cleanup of the generator spec embedded in spec.resource (Gitlab and Grafana call their service): a forged one runs a spec the guard never saw" },
    {
        kind: "ClusterGenerator",
        plural: "clustergenerators",
        class: "cluster",
        why: "cluster-scoped: a RoleBinding in a team namespace cannot grant it; every namespace may reference one (resolvers/generator.go clusterGeneratorToVirtual), so only an administrator creates one",
    },
];

/** Kinds `allowedGenerators` may name. */
export const ALLOWABLE_GENERATOR_KINDS: ReadonlyArray<string> = GENERATOR_KINDS.filter((k) => k.class === "explicit" || k.class === "network").map((k) => k.kind);

/**
 * Problems of the `allowedGenerators` entry, each naming the index, the
 * value and the fix; empty when every entry is a kind that may be admitted.
 */
export function allowedGeneratorsProblems(value: unknown, at = "allowedGenerators"): { path: string; message: string }[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) return [{ path: at, message: "must be a list of generator kinds, e.g. `[Webhook]`" }];
    const valid = ALLOWABLE_GENERATOR_KINDS.join(", ");
    const problems: { path: string; message: string }[] = [];
    value.forEach((kind: unknown, i) => {
        const shown = "`" + String(kind) + "`";
        const known = GENERATOR_KINDS.find((k) => k.kind === kind);
        if (known?.class === "safe" || (known !== undefined && ALLOWABLE_GENERATOR_KINDS.includes(known.kind))) return;
        if (known?.class === "state") {
            problems.push({ path: `${at}[${i}]`, message: `is ${shown}: only the ESO controller writes GeneratorStates; remove it` });
        } else if (known?.class === "cluster") {
            problems.push({ path: `${at}[${i}]`, message: `is ${shown}: ClusterGenerators are cluster-scoped objects of an administrator, which no team role grants; remove it` });
        } else {
            const spelled = typeof kind === "string" ? kind.trim().toLowerCase() : "";
            const meant = GENERATOR_KINDS.find((k) => ALLOWABLE_GENERATOR_KINDS.includes(k.kind) && (k.kind.toLowerCase() === spelled || k.plural === spelled));
            const hint = meant !== undefined ? ` (did you mean ${meant.kind}?)` : "";
            problems.push({ path: `${at}[${i}]`, message: `is ${shown}, which is not an ESO ${ESO_CHART.version} generator kind${hint}; valid: ${valid}` });
        }
    });
    return problems;
}

export interface GeneratorGuardArgs {
    /** Kinds of class `explicit` or `network` to admit; `safe` kinds are always admitted. */
    allowedGenerators: string[];
    /** The shared ABAC role, which no ECR or STS generator may assume. */
    abacRoleArn: string;
    /** Namespace and name of the ESO controller's service account, the only writer of GeneratorStates. */
    esoNamespace: string;
    esoServiceAccount: string;
    /** Namespaces of the extra controllers (fault domains), whose service accounts write GeneratorStates too. @default [] */
    extraControllerNamespaces?: string[];
}

/** Plurals a tenant may create: the safe kinds and the allowed ones. */
export function admittedGeneratorPlurals(allowedGenerators: string[]): string[] {
    return GENERATOR_KINDS.filter((k) => k.class === "safe" || ((k.class === "explicit" || k.class === "network") && allowedGenerators.includes(k.kind))).map((k) => k.plural);
}

const has = (path: string) => {
    // has(a.b.c) needs a and a.b present first.
    const parts = path.split(".");
    const checks: string[] = [];
    for (let i = 2; i <= parts.length; i++) checks.push(`has(${parts.slice(0, i).join(".")})`);
    return checks.join(" && ");
};
const quoteList = (xs: string[]) => `[${xs.map((x) => `'${x}'`).join(", ")}]`;
const isResource = (plural: string) => `request.resource.resource == '${plural}'`;

/** Rules of one `explicit` kind: true when the object names explicit credentials and no fallback shape. */
function explicitRules(plural: string, abacRoleArn: string): Validation[] {
    const rule = (expression: string, message: string): Validation => ({ expression: `!(${isResource(plural)}) || (${expression})`, message });
    const notShared = (field: string) => `!(${has(field)}) || !${celNamesRole(field, abacRoleArn)}`;
    const S = "object.spec";
    switch (plural) {
        case "ecrauthorizationtokens":
            return [
                rule(
                    `(${has(`${S}.auth.secretRef`)}) || (${has(`${S}.auth.jwt.serviceAccountRef`)})`,
                    "An ECRAuthorizationToken must name its credentials: spec.auth.secretRef (keys in a Secret of this namespace) or spec.auth.jwt.serviceAccountRef. Without them ESO uses the controller's own AWS credentials (providers/v1/aws/auth/auth.go NewGeneratorSession).",
                ),
                rule(notShared(`${S}.role`), `An ECRAuthorizationToken may not assume the shared ABAC role ${abacRoleArn}: generators assume a role without session tags.`),
            ];
        case "stssessiontokens":
            return [
                rule(
                    `(${has(`${S}.auth.secretRef`)}) && !(${has(`${S}.auth.jwt`)})`,
                    "An STSSessionToken must name its credentials in spec.auth.secretRef (jwt is refused by ESO itself). Without them GetSessionToken runs on the controller's own AWS credentials.",
                ),
                rule(notShared(`${S}.role`), `An STSSessionToken may not assume the shared ABAC role ${abacRoleArn}: generators assume a role without session tags.`),
            ];
        case "gcraccesstokens": {
            const wif = `${S}.auth.workloadIdentityFederation`;
            return [
                rule(
                    `(${has(`${S}.auth.secretRef`)}) || (${has(`${S}.auth.workloadIdentity`)}) || (${has(`${wif}.serviceAccountRef`)}) || (${has(`${wif}.awsSecurityCredentials`)})`,
                    "A GCRAccessToken must name its credentials: spec.auth.secretRef, spec.auth.workloadIdentity, or workloadIdentityFederation.serviceAccountRef / .awsSecurityCredentials. Without them ESO uses the pod's default Google credentials (providers/v1/gcp/secretmanager/auth.go NewTokenSource).",
                ),
                rule(
                    `!(${has(`${wif}.credConfig`)})`,
                    "A GCRAccessToken may not use workloadIdentityFederation.credConfig: its credential_source.file may name any file of the controller pod, the Pod Identity token included (workload_identity_federation.go).",
                ),
            ];
        }
        case "acraccesstokens":
            return [
                rule(
                    `((${has(`${S}.auth.servicePrincipal`)}) || (${has(`${S}.auth.workloadIdentity.serviceAccountRef`)})) && !(${has(`${S}.auth.managedIdentity`)}) && (!(${has(`${S}.auth.workloadIdentity`)}) || (${has(`${S}.auth.workloadIdentity.serviceAccountRef`)}))`,
                    "An ACRAccessToken must use spec.auth.servicePrincipal or spec.auth.workloadIdentity.serviceAccountRef, and no managedIdentity: those use the node's identity or the controller's federated token file (generators/v1/acr/acr.go).",
                ),
            ];
        case "vaultdynamicsecrets": {
            const A = `${S}.provider.auth`;
            return [
                rule(`!(${has(`${A}.iam`)})`, "A VaultDynamicSecret may not use provider.auth.iam: ESO would log in with the controller's AWS credentials and set them process-wide (providers/v1/vault/auth_iam.go)."),
                rule(`!(${has(`${A}.gcp`)})`, "A VaultDynamicSecret may not use provider.auth.gcp: it can fall back to the pod's default Google credentials (providers/v1/vault/auth_gcp.go)."),
                rule(
                    `!(${has(`${A}.kubernetes`)}) || (${has(`${A}.kubernetes.serviceAccountRef`)}) || (${has(`${A}.kubernetes.secretRef`)})`,
                    "A VaultDynamicSecret with provider.auth.kubernetes must name serviceAccountRef or secretRef: without them ESO sends the controller's own service-account token to the server of the spec (providers/v1/vault/auth_kubernetes.go getJwtString).",
                ),
            ];
        }
        default:
            return [];
    }
}

/**
 * CEL rules (Kubernetes CEL environment: `has`, `in`, the strings library)
 * of the generator guard; each is true when the object is admitted.
 */
export function generatorGuardValidations(args: GeneratorGuardArgs): Validation[] {
    const admitted = admittedGeneratorPlurals(args.allowedGenerators);
    const known = quoteList([...admitted, "generatorstates", "clustergenerators"]);
    const admittedKinds = GENERATOR_KINDS.filter((k) => admitted.includes(k.plural)).map((k) => k.kind);
    const controllers = [args.esoNamespace, ...(args.extraControllerNamespaces ?? [])].map((ns) => `system:serviceaccount:${ns}:${args.esoServiceAccount}`);
    const controller = controllers.join(", ");
    const rules: Validation[] = [
        {
            expression: `request.resource.resource in ${known}`,
            message:
                `This generator kind is refused on this cluster: admitted are ${admittedKinds.join(", ")}. ` +
                "A generator runs in the ESO controller and some fall back to its own identity; an administrator may admit more with the stack config entry allowedGenerators.",
        },
        {
            expression: `!(${isResource("generatorstates")}) || request.userInfo.username in [${controllers.map((c) => `'${c}'`).join(", ")}]`,
            message: `Only the ESO controller service account${controllers.length > 1 ? "s" : ""} (${controller}) write${controllers.length > 1 ? "" : "s"} GeneratorStates.`,
        },
    ];
    for (const kind of GENERATOR_KINDS) {
        if (kind.class === "explicit" && admitted.includes(kind.plural)) rules.push(...explicitRules(kind.plural, args.abacRoleArn));
    }
    // The safe kinds need no credentials, but their cost grows with their spec (generatorBounds.ts).
    rules.push(...generatorBoundValidations());
    return rules;
}

/**
 * ValidatingAdmissionPolicy and binding (admissionregistration.k8s.io/v1)
 * over every resource and version of the generators group, on CREATE and
 * UPDATE. A kind a later chart adds is refused until this module names it.
 * Objects that existed before the policy are not re-checked until updated.
 */
export function generatorGuardManifests(policyName: string, args: GeneratorGuardArgs) {
    return denyingAdmissionPolicy(policyName, { apiGroups: [GENERATOR_GROUP], resources: ["*"] }, generatorGuardValidations(args));
}

/** The verbs our tenant role grants on what it grants. */
export const TENANT_VERBS = ["get", "list", "watch", "create", "update", "patch", "delete"];

/**
 * Our ClusterRole aggregated to `edit` and `admin`, in place of the chart's
 * (`rbac.aggregateToEdit`/`aggregateToAdmin: false`): ExternalSecrets, the
 * admitted generator kinds, and SecretStores only when they are allowed
 * (the store guard then refuses the dangerous ones).
 */
export function tenantClusterRoleManifest(name: string, args: { allowedGenerators: string[]; allowNamespacedSecretStores: boolean }) {
    const esResources = args.allowNamespacedSecretStores ? ["externalsecrets", "secretstores"] : ["externalsecrets"];
    return {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
        metadata: {
            name,
            labels: {
                "rbac.authorization.k8s.io/aggregate-to-edit": "true",
                "rbac.authorization.k8s.io/aggregate-to-admin": "true",
            },
        },
        rules: [
            { apiGroups: ["external-secrets.io"], resources: esResources, verbs: TENANT_VERBS },
            { apiGroups: [GENERATOR_GROUP], resources: admittedGeneratorPlurals(args.allowedGenerators), verbs: TENANT_VERBS },
        ],
    };
}

/** The one-line audit of objects that predate the guards (admission sees only creates and updates). */
export function preexistingObjectsAudit(): string {
    const kinds = [...GENERATOR_KINDS.map((k) => `${k.plural}.${GENERATOR_GROUP}`), "secretstores.external-secrets.io"];
    return `kubectl get ${kinds.join(",")} -A`;
}
