/**
 * Which providers a namespaced SecretStore may use when the stack keeps
 * namespaced SecretStores (`allowNamespacedSecretStores: true`), and the CEL
 * rules of the store guard that enforce it.
 *
 * The ESO controller builds every store's client inside its own process. A
 * provider whose spec can leave credentials out falls back to what the
 * controller has: its service-account token file, other files of its pod
 * (the Pod Identity token), its environment, or the ambient cloud
 * credentials (Pod Identity, instance metadata). Any namespace editor could
 * then act as the controller. So the list below admits a provider only in
 * shapes whose credentials all come from objects in the store's own
 * namespace, each read in the ESO v2.9.0 source (file and function cited).
 * Every other provider key of the 2.9.0 SecretStore schema is refused, and
 * so is any key this table does not know (a newer CRD).
 *
 * Namespace of references: in a SecretStore, ESO resolves every secret
 * reference in the store's namespace whatever `namespace` it names
 * (`runtime/esutils/resolvers/secret_ref.go` `SecretKeyRef`: the ref's
 * namespace counts only for a ClusterSecretStore), and service-account
 * tokens likewise (`providers/v1/vault/auth.go` `createServiceAccountToken`,
 * `runtime/esutils/k8s_rest_config.go` `serviceAccountToken`).
 *
 * Assumption: the controller's environment holds no `VAULT_TOKEN` (nor an
 * OpenBao token). The Vault API client takes that variable as the token of
 * every client it creates (hashicorp/vault/api `NewClient`), and ESO re-uses
 * a valid token before it reads the store's auth (`providers/v1/vault/auth.go`
 * `setAuth`). The OpenBao API client was forked from it; whether it reads
 * `BAO_TOKEN` the same way was not read. The chart sets neither.
 */
import type { Validation } from "./manifests";

/** CEL path of the provider block `key` of the object under admission. */
export const providerPath = (key: string) => `object.spec.provider.${key}`;

/** One rule an allowed provider's block must pass; `p` is the CEL path of the block. */
export interface ShapeRule {
    /** True when the block is admitted. */
    expression: (p: string) => string;
    message: string;
}

export interface AllowedProvider {
    key: string;
    /** What makes the admitted shapes safe, with the source read. */
    why: string;
    rules: ShapeRule[];
}

export interface RefusedProvider {
    key: string;
    /** Why it is refused: the fallback found in the source, or that nobody read it. */
    why: string;
}

const NOT_REVIEWED =
    "its v2.9.0 source was not read for fallbacks to the controller's token, files or ambient credentials, so this cluster does not admit it in a namespaced SecretStore";

/** `has` of each field below an optional parent, so that a missing parent is not an evaluation error. */
const hasUnder = (parent: string, field: string) => `has(${parent}) && has(${parent}.${field})`;

/**
 * Providers admitted in namespaced SecretStores, with the shapes refused.
 * The existing AWS rules of the store guard (shared role, eso* tags, jwt)
 * stay in manifests.ts; these add the credential rules.
 */
export const ALLOWED_PROVIDERS: ReadonlyArray<AllowedProvider> = [
    {
        key: "aws",
        why:
            "with auth.secretRef the credentials are the team's static keys (providers/v1/aws/auth/auth.go credsFromSecretRef), and role/additionalRoles are assumed with them (createConfiguration)",
        rules: [
            {
                // providers/v1/aws/auth/auth.go constructCredsProvider returns nil without
                // auth.jwt or auth.secretRef; New then calls config.LoadDefaultConfig
                // (createConfiguration) without a credentials provider: the SDK's default
                // chain, which in the controller's pod is the Pod Identity agent.
                expression: (p) => `has(${p}.auth) && has(${p}.auth.secretRef)`,
                message:
                    "A SecretStore of provider aws needs spec.provider.aws.auth.secretRef: without it ESO uses the controller's own AWS credentials " +
                    "(its Pod Identity session, through the SDK's default chain). Put the team's own access key in a Secret and name it in auth.secretRef, or use the team's ClusterSecretStore.",
            },
        ],
    },
    {
        key: "vault",
        why:
            "tokenSecretRef, appRole, ldap, userPass, cert read Secrets of the store's namespace (auth_token.go setSecretKeyToken, auth_approle.go, auth_ldap.go, auth_userpass.go, auth_cert.go requestTokenWithCertAuth); " +
            "kubernetes with serviceAccountRef or secretRef and jwt with secretRef or kubernetesServiceAccountToken use a token of the store's namespace (auth_kubernetes.go getJwtString, auth_jwt.go requestTokenWithJwtAuth)",
        rules: [
            {
                // providers/v1/vault/auth.go setAuth returns at once when auth is nil, and the
                // client keeps the token hashicorp/vault/api NewClient took from VAULT_TOKEN.
                expression: (p) => `has(${p}.auth)`,
                message:
                    "A SecretStore of provider vault needs spec.provider.vault.auth: without it the Vault client uses whatever token the controller's environment holds. Name the team's credentials in auth (tokenSecretRef, appRole, kubernetes.serviceAccountRef, ...).",
            },
            {
                // providers/v1/vault/auth_kubernetes.go getJwtString: with neither
                // serviceAccountRef nor secretRef it reads the controller's own token from
                // /var/run/secrets/kubernetes.io/serviceaccount/token and sends it to `server`.
                expression: (p) =>
                    `!(${hasUnder(`${p}.auth`, "kubernetes")}) || has(${p}.auth.kubernetes.serviceAccountRef) || has(${p}.auth.kubernetes.secretRef)`,
                message:
                    "A SecretStore of provider vault with spec.provider.vault.auth.kubernetes must name serviceAccountRef or secretRef: without them ESO sends the controller's own service-account token to the server the store names.",
            },
            {
                // providers/v1/vault/auth_iam.go: without secretRef/jwt it uses the controller's
                // ambient AWS credentials (config.LoadDefaultConfig, the Pod Identity or web
                // identity files), and in every shape it calls os.Setenv for AWS_ACCESS_KEY_ID,
                // AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN: process-wide, for every other store.
                expression: (p) => `!(${hasUnder(`${p}.auth`, "iam")})`,
                message:
                    "A SecretStore of provider vault may not use spec.provider.vault.auth.iam: ESO then uses the controller's AWS credentials and sets AWS credentials in its own process environment, which every other store's next request inherits.",
            },
            {
                // providers/v1/vault/auth_gcp.go setupDefaultGCPAuth uses
                // google.FindDefaultCredentials (the controller's), and setGCPEnvironment calls
                // os.Setenv process-wide.
                expression: (p) => `!(${hasUnder(`${p}.auth`, "gcp")})`,
                message:
                    "A SecretStore of provider vault may not use spec.provider.vault.auth.gcp: ESO may use the controller's default Google credentials and sets a process-wide access token in its environment.",
            },
        ],
    },
    {
        key: "openBao",
        why:
            "auth has only tokenSecretRef, userPass and appRole, all read from Secrets of the store's namespace (providers/v1/openbao/client.go setupAuth)",
        rules: [
            {
                // providers/v1/openbao/client.go setupAuth returns nil when auth is nil, so the
                // client goes on with no token of the store's (or one of the environment, if its
                // API client reads one as Vault's does).
                expression: (p) => `has(${p}.auth) && (has(${p}.auth.tokenSecretRef) || has(${p}.auth.userPass) || has(${p}.auth.appRole))`,
                message:
                    "A SecretStore of provider openBao needs spec.provider.openBao.auth with tokenSecretRef, userPass or appRole: without them ESO sets no credentials of the team's, and the client goes on with whatever its environment gives it.",
            },
        ],
    },
    {
        key: "kubernetes",
        why:
            "auth.token and auth.cert read Secrets of the store's namespace and auth.serviceAccount mints a token of a service account of that namespace (runtime/esutils/k8s_rest_config.go applyInlineAuth, serviceAccountToken)",
        rules: [
            {
                // runtime/esutils/k8s_rest_config.go BuildRESTConfigFromKubernetesConnection:
                // authRef is a whole kubeconfig (clientcmd.RESTConfigFromKubeConfig), which can
                // name a tokenFile of the controller's pod, an exec plugin or an auth provider.
                expression: (p) => `!has(${p}.authRef)`,
                message:
                    "A SecretStore of provider kubernetes may not use spec.provider.kubernetes.authRef: a kubeconfig can make the controller read a token file of its own pod or run a command. Use auth.token, auth.cert or auth.serviceAccount.",
            },
        ],
    },
    {
        key: "webhook",
        why:
            "credentials are only the Secrets of the store's namespace it names (providers/v1/webhook/pkg/webhook/webhook.go getStoreSecret, ReqAddAuth with NTLM secret refs); its templates use runtime/template/v2 FuncMap, whose sprig copy drops env, expandenv and getHostByName. " +
            "It can reach any address the controller can (link-local ones included): that is what the controller egress policy is for",
        rules: [],
    },
    {
        key: "fake",
        why: "returns the data of its own spec; no credentials and no network (providers/v1/fake/fake.go)",
        rules: [],
    },
    {
        key: "gitlab",
        why: "the access token is a Secret of the store's namespace (providers/v1/gitlab/gitlab.go getAuth), handed to gitlab.NewClient (provider.go getClient)",
        rules: [],
    },
    {
        key: "github",
        why: "the GitHub App's private key is a Secret of the store's namespace (providers/v1/github/auth.go AuthWithPrivateKey), the only auth NewClient uses (provider.go)",
        rules: [],
    },
    {
        key: "onepassword",
        why: "the Connect token is a Secret of the store's namespace (providers/v1/onepassword/onepassword.go NewClient, connect.NewClientWithUserAgent with that token)",
        rules: [],
    },
    {
        key: "doppler",
        why:
            "auth.secretRef reads a Secret of the store's namespace (providers/v1/doppler/client.go setAuth); auth.oidcConfig mints a token of a service account of that namespace (auth_oidc.go NewOIDCTokenManager, runtime/oidc/token_manager.go CreateServiceAccountToken); neither set is an error, not a fallback",
        rules: [],
    },
    {
        key: "bitwardensecretsmanager",
        why:
            "the access token is a Secret of the store's namespace (providers/v1/bitwarden/provider.go NewClient), sent to the SDK server the store names over a client built from the store's CA (newHTTPSClient)",
        rules: [],
    },
    {
        key: "keepersecurity",
        why: "the client configuration is a Secret of the store's namespace (providers/v1/keepersecurity/provider.go getKeeperSecurityAuth), kept in memory (ksm.NewMemoryKeyValueStorage in NewClient)",
        rules: [],
    },
    {
        key: "chef",
        why: "the private key is a Secret of the store's namespace (providers/v1/chef/chef.go NewClient: the key's namespace counts only for a ClusterSecretStore)",
        rules: [],
    },
    {
        key: "pulumi",
        why:
            "auth.accessToken and the deprecated accessToken read a Secret of the store's namespace (providers/v1/pulumi/provider.go loadAccessTokenSecret); auth.oidcConfig mints a token of a service account of that namespace (auth_oidc.go, runtime/oidc/token_manager.go); none set is an error (resolveAuthentication)",
        rules: [],
    },
];

/** Every other provider key of the ESO 2.9.0 SecretStore schema, refused in namespaced SecretStores. */
export const REFUSED_PROVIDERS: ReadonlyArray<RefusedProvider> = [
    {
        key: "gcpsm",
        why:
            "without auth.secretRef it falls back to workload identity and then google.DefaultTokenSource, the controller's own credentials (providers/v1/gcp/secretmanager/auth.go NewTokenSource), " +
            "and a workload identity federation credConfig may name any credential_source.file except the service-account token path, the Pod Identity token file included (workload_identity_federation.go)",
    },
    {
        key: "azurekv",
        why:
            "ManagedIdentity uses the node's identity, and WorkloadIdentity without serviceAccountRef reads AZURE_FEDERATED_TOKEN_FILE of the controller's pod (providers/v1/azure/keyvault/keyvault.go authorizerForWorkloadIdentity, initializeNewAzureSDK)",
    },
    {
        key: "akeyless",
        why: "Kubernetes auth without a service account reads the controller's own token file (providers/v1/akeyless/akeyless_api.go readK8SServiceAccountJWT), and cloud-ID auth uses the controller's ambient cloud identity",
    },
    {
        key: "ibm",
        why: "containerAuth reads a token file of the controller's pod, /var/run/secrets/tokens/vault-token by default (providers/v1/ibm/provider.go NewClient)",
    },
    {
        key: "oracle",
        why:
            "without auth, or with principalType InstancePrincipal, it uses the node's instance principal, and workload principal calls os.Setenv process-wide (providers/v1/oracle/oracle.go constructProvider, withOCIWorkloadIdentityEnv)",
    },
    {
        key: "volcengine",
        why: "without auth.secretRef it takes OIDC credentials from the controller's environment (providers/v1/volcengine/auth.go NewSession, NewOIDCCredentialsProviderFromEnv)",
    },
    {
        key: "infisical",
        why:
            "kubernetesAuthCredentials makes the SDK read a token file at a path the store gives, the controller's own token by default, and azureAuthCredentials and gcpIdTokenAuthCredentials log in as the machine the controller runs on (providers/v1/infisical/provider.go performKubernetesAuthLogin, performAzureAuthLogin, performGcpIDTokenAuthLogin)",
    },
    {
        key: "conjur",
        why:
            "auth.jwt hands the token to the Conjur SDK's NewClientFromJwt (providers/v1/conjur/client.go conjurClientFromJWT), and whether that SDK falls back to a token file of the pod when the referenced Secret is empty was not read",
    },
    ...[
        "barbican",
        "beyondtrust",
        "beyondtrustworkloadcredentials",
        "cloudrusm",
        "crd",
        "delinea",
        "dvls",
        "fortanix",
        "nebiusmysterybox",
        "ngrok",
        "onboardbase",
        "onepasswordSDK",
        "ovh",
        "passbolt",
        "passworddepot",
        "previder",
        "scaleway",
        "secretserver",
        "senhasegura",
        "yandexcertificatemanager",
        "yandexlockbox",
    ].map((key) => ({ key, why: NOT_REVIEWED })),
];

const cleanMessage = (s: string) => s.replace(/'/g, "");

/**
 * Rules for namespaced SecretStores, each true when the object is admitted:
 * the shape rules of each allowed provider, one rule per refused provider
 * (so the message names it), and one that refuses a provider key this table
 * does not know. The CRD declares `spec.provider` with `minProperties: 1`
 * and `maxProperties: 1`, so a store whose block is none of the known keys
 * names an unknown one. `has` on fields works whether the API server types
 * the object from the CRD schema or not; iterating the keys would not.
 */
export function storeProviderValidations(isStore: string): Validation[] {
    const hasProvider = "has(object.spec) && has(object.spec.provider)";
    const out: Validation[] = [];
    for (const provider of ALLOWED_PROVIDERS) {
        const p = providerPath(provider.key);
        for (const rule of provider.rules) {
            out.push({ expression: `!(${isStore}) || !(${hasProvider}) || !has(${p}) || (${rule.expression(p)})`, message: rule.message });
        }
    }
    const allowed = ALLOWED_PROVIDERS.map((p) => p.key).join(", ");
    for (const provider of REFUSED_PROVIDERS) {
        out.push({
            expression: `!(${isStore}) || !(${hasProvider}) || !has(${providerPath(provider.key)})`,
            message: cleanMessage(
                `A SecretStore may not use provider ${provider.key} (spec.provider.${provider.key}): ${provider.why}. ` +
                    `Namespaced SecretStores on this cluster may use ${allowed}; serve ${provider.key} through a ClusterSecretStore that the platform team writes.`,
            ),
        });
    }
    const known = [...ALLOWED_PROVIDERS, ...REFUSED_PROVIDERS].map((p) => `has(${providerPath(p.key)})`).join(" || ");
    out.push({
        expression: `!(${isStore}) || !(${hasProvider}) || ${known}`,
        message: `A SecretStore may not use a provider that ESO 2.9.0 does not declare (spec.provider has none of its keys): nobody has checked it for fallbacks to the controller's identity. Namespaced SecretStores may use ${allowed}.`,
    });
    return out;
}
