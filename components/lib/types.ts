import type { TenantLimits } from "./externalSecretGuard";
import type * as pulumi from "@pulumi/pulumi";

/** One secret of a team in Secrets Manager, tagged for the team's namespace and the cluster. */
export interface TeamSecretSpec {
    /**
     * Short name, unique within the team. The Secrets Manager name is
     * `<secretNamePrefix><namespace>/<name>`.
     */
    readonly name: string;
    readonly description?: string;
    /** Customer-managed KMS key; also list it in `kmsKeyArns` so the shared role may decrypt. */
    readonly kmsKeyId?: string;
    /**
     * Initial value. Without it the secret is created empty and the team
     * sets the value itself (`aws secretsmanager put-secret-value`).
     */
    readonly value?: pulumi.Input<string>;
    /** Days Secrets Manager keeps a removed secret. @default 30 */
    readonly recoveryWindowInDays?: number;
}

/**
 * One SSM parameter of a team (SecureString), tagged like its secrets. Its
 * name is `/<secretNamePrefix><namespace>/<name>`.
 */
export interface TeamParameterSpec {
    /** Short name, unique within the team's parameters. */
    readonly name: string;
    readonly description?: string;
    /** Customer-managed KMS key. @default the component's `secretsKmsKeyId`, else `aws/ssm` */
    readonly kmsKeyId?: pulumi.Input<string>;
    /**
     * Initial value. Without it the parameter is created with a placeholder
     * and later values (`aws ssm put-parameter --overwrite`) are kept.
     */
    readonly value?: pulumi.Input<string>;
}

/** One key of an ExternalSecret: exactly one of `secret`, `parameter` and `remoteKey`. */
export interface ExternalSecretDataSpec {
    /** Key in the Kubernetes Secret. */
    readonly secretKey: string;
    /** Short name of one of the team's `secrets`. */
    readonly secret?: string;
    /** Full Secrets Manager name of a secret the team created and tagged itself. */
    readonly remoteKey?: string;
    /** Short name of one of the team's `parameters`, read through the Parameter Store store. */
    readonly parameter?: string;
    /** JSON property of the value, when the value is JSON. */
    readonly property?: string;
}

export interface ExternalSecretSpec {
    /** Name of the ExternalSecret (a DNS-1123 subdomain). */
    readonly name: string;
    /** Kubernetes Secret to write. @default name */
    readonly targetName?: string;
    /** @default "1h" */
    readonly refreshInterval?: string;
    readonly data?: ExternalSecretDataSpec[];
    /** Short names of team secrets whose JSON keys all become Secret keys. */
    readonly extract?: string[];
}

/** One key of a JSON value mounted as a file of its own (ASCP `jmesPath`). */
export interface CsiJmesPathSpec {
    /** JMESPath expression into the JSON value; quote keys with '-' as `"db-user"`. */
    readonly path: string;
    /** File name of the extracted value. */
    readonly objectAlias: string;
}

/** One object of a SecretProviderClass: exactly one of `secret` and `parameter`, both the team's own. */
export interface CsiObjectSpec {
    /** Short name of one of the team's `secrets`. */
    readonly secret?: string;
    /** Short name of one of the team's `parameters`. */
    readonly parameter?: string;
    /** File name of the value. @default the full name, with '/' turned into '_' (ASCP's `pathTranslation`) */
    readonly objectAlias?: string;
    /** Keys of a JSON value, each mounted as its own file. */
    readonly jmesPath?: CsiJmesPathSpec[];
}

/** A SecretProviderClass of the team (`provider: aws`, Pod Identity), in the team's namespace. */
export interface SecretProviderClassSpec {
    /** Name of the SecretProviderClass (a DNS-1123 subdomain); pods name it in their CSI volume. */
    readonly name: string;
    readonly objects: CsiObjectSpec[];
}

/**
 * Secrets as files: the Secrets Store CSI Driver with the AWS provider
 * (ASCP) mounts the team's secrets and parameters into its pods, with the
 * pods' own EKS Pod Identity credentials (the cluster's CSI role), without
 * Kubernetes Secrets.
 */
export interface TeamCsiSpec {
    /** Service accounts of the team's namespace whose pods may mount; one Pod Identity association each. */
    readonly serviceAccounts: string[];
    readonly secretProviderClasses?: SecretProviderClassSpec[];
}

export interface TeamSpec {
    /** The team's Kubernetes namespace: the value of its secrets' namespace tag. */
    readonly namespace: string;
    /**
     * Create the namespace. `false` when it exists already: onboarding then
     * only adds the store label, with a server-side-apply patch.
     * @default true
     */
    readonly createNamespace?: boolean;
    readonly secrets?: TeamSecretSpec[];
    /** SSM parameters (SecureString), read through the second ClusterSecretStore. */
    readonly parameters?: TeamParameterSpec[];
    readonly externalSecrets?: ExternalSecretSpec[];
    /** Mount secrets as files through the Secrets Store CSI Driver (ASCP), beside or instead of ESO. */
    readonly csi?: TeamCsiSpec;
    /**
     * The ESO controller (fault domain) that serves this team: a name from
     * `esoControllers`. The team's namespace is labelled for that
     * controller's store only. @default "default", the first controller
     */
    readonly controller?: string;
}

export interface EksSecretsAbacArgs {
    /** Name of the EKS cluster: the value of every secret's cluster tag. */
    readonly clusterName: string;
    /** ARN of the cluster (`arn:<partition>:eks:<region>:<account>:cluster/<clusterName>`). @default looked up from `clusterName` */
    readonly clusterArn?: pulumi.Input<string>;
    /**
     * How ESO's controller gets AWS credentials: EKS Pod Identity, or IRSA
     * where Pod Identity is not available (Fargate-only ESO, older
     * clusters). With IRSA the store sends the cluster's name as a session
     * tag, pinned by the shared role's trust (docs/GUARDRAILS.md).
     * `"podIdentity"` or `"irsa"` (a plain string: the multi-language
     * schema has no union types; validation refuses anything else).
     * @default "podIdentity"
     */
    readonly identity?: string;
    /** The cluster's IAM OIDC provider ARN; required with `identity: "irsa"`. */
    readonly oidcProviderArn?: string;
    /**
     * Install the `eks-pod-identity-agent` EKS add-on: `true` on a cluster
     * without the agent (a new one); `false` when the cluster has it already
     * (`aws eks describe-addon --addon-name eks-pod-identity-agent` succeeds,
     * or EKS Auto Mode), where creating it fails with ResourceInUseException.
     * Required with Pod Identity: no default fits both; unset, the component
     * refuses the stack before declaring anything. Leave it unset with IRSA.
     */
    readonly installPodIdentityAgent?: boolean;
    /** Add-on version. @default the one EKS picks for the cluster */
    readonly podIdentityAgentVersion?: string;
    /** Namespace of the ESO release. @default "external-secrets" */
    readonly esoNamespace?: string;
    /** Service account of the ESO controller. @default "external-secrets" */
    readonly esoServiceAccount?: string;
    /** Chart version, at least 2.5.0 (`sessionTagsPolicy`). @default "2.9.0" */
    readonly chartVersion?: string;
    /** @default "https://charts.external-secrets.io" */
    readonly chartRepository?: string;
    /**
     * Extra Helm values, merged over the defaults. Values that would undo the
     * hardening (e.g. `extraArgs` reconciler or flood-gate flags, PushSecrets,
     * token minting, `installCRDs: false`) are refused; see docs/ESO_HARDENING.md.
     */
    // `any`, not `unknown`: Pulumi's schema inference maps `any` to `pulumi.json#/Any`
    // and rejects `unknown`, and Helm values are free-form by nature.
    readonly helmValues?: Record<string, any>;
    /**
     * Keep namespaced SecretStores. The ValidatingAdmissionPolicy, deployed
     * in every mode, then refuses only the AWS SecretStores that name the
     * shared role, send `eso*` tags or use `auth.jwt`, instead of all of them.
     * @default false
     */
    readonly allowNamespacedSecretStores?: boolean;
    /**
     * Render the chart's NetworkPolicy for the ESO controller: egress only to
     * the cluster DNS pods, TCP 443 (API server, STS, Secrets Manager, SSM,
     * KMS) and the Pod Identity agent. Off by default: EKS enforces
     * NetworkPolicy only with the VPC CNI's network policy agent
     * (`enableNetworkPolicy: "true"`), EKS Auto Mode's network policy
     * controller, or Calico/Cilium; see docs/ESO_HARDENING.md.
     * @default false
     */
    readonly controllerEgressPolicy?: boolean;
    /**
     * ESO generator kinds to admit beside Password, SSHKey, UUID, Fake and
     * MFA (which need no credentials and no network), e.g. `["Webhook"]`.
     * ECRAuthorizationToken, STSSessionToken, GCRAccessToken, ACRAccessToken
     * and VaultDynamicSecret are then admitted only with explicit
     * credentials in their spec; see docs/THREAT_MODEL.md.
     * @default []
     */
    readonly allowedGenerators?: string[];
    /**
     * Bounds on what one team's ExternalSecrets may make the shared ESO
     * controller do: refresh floor, entries, template size and functions,
     * `templateFrom` ConfigMaps/Secrets. See `TenantLimits` and docs/ESO_HARDENING.md.
     * @default { minRefreshInterval: "1m", maxDataEntries: 64, maxGeneratorRefs: 4, maxTemplateBytes: 16384 }
     */
    readonly tenantLimits?: TenantLimits;
    /**
     * Allow `helmValues.genericTargets.enabled`: the controller then gets
     * cluster-wide write on ConfigMaps (and the kinds listed), and any team's
     * ExternalSecret can template `metadata.namespace` of a manifest target,
     * writing into other namespaces. Refused without this; the plan warns.
     * @default false
     */
    readonly allowGenericTargets?: boolean;
    /**
     * Extra ESO controllers (fault domains), beside the default one: each is
     * its own Helm release in `<esoNamespace>-<name>` with
     * `controllerClass: <name>`, its own controller role and
     * ClusterSecretStore `<storeName>-<name>`, and serves only the teams whose
     * `controller` names it. Move a noisy team to one so that its objects
     * stop costing the others worker time; see docs/CONFIG.md.
     * @default [] (one controller)
     */
    readonly esoControllers?: EsoControllerSpec[];
    /** Name of the ClusterSecretStore, at most 63 characters (also a namespace label value). @default "team-secrets" */
    readonly storeName?: string;
    /** Prefix of every Secrets Manager name, e.g. `"prod-eu/"`. @default "" */
    readonly secretNamePrefix?: string;
    /** Customer-managed KMS keys of the secrets. */
    readonly kmsKeyArns?: string[];
    /**
     * An ABAC role shared with other clusters. It must trust this
     * cluster's controller role (`controllerRoleName(clusterName)`) and
     * list this cluster's ARN (`SharedAbacRole` `clusterArns`).
     * @default a role of this component
     */
    readonly sharedRole?: SharedRoleRef;
    /** Name of the Parameter Store ClusterSecretStore, declared when a team has `parameters`. @default "team-parameters" */
    readonly parameterStoreName?: string;
    /** Customer-managed key of team secrets and parameters that name none. @default the AWS-managed keys */
    readonly secretsKmsKeyId?: pulumi.Input<string>;
    /** Tags on every AWS resource, beside the ABAC tags. */
    readonly tags?: Record<string, string>;
    /**
     * Keep a team's Secrets Manager secrets and SSM parameters (and their
     * values) in AWS when Pulumi deletes them: when a team is removed from
     * `teams`, a secret from its `secrets` (a parameter from its
     * `parameters`), or `secretNamePrefix` changes. Values that teams set
     * outside Pulumi survive; the retained secrets keep their ABAC tags, so a
     * namespace of the same name on the same cluster can still read them
     * until someone deletes them. `false` deletes them through Secrets
     * Manager's recovery window.
     * @default true
     */
    readonly retainSecretsOnDelete?: boolean;
    /**
     * Every pod of the cluster runs on Fargate. The Secrets Store CSI
     * Driver and ASCP are DaemonSets, which Fargate does not run, and Pod
     * Identity does not serve Fargate pods: validation then refuses teams
     * with `csi`, and `identity: podIdentity` (ESO's controller needs IRSA there).
     * @default false
     */
    readonly fargateOnly?: boolean;
    /** Namespace of the Secrets Store CSI Driver and ASCP, installed when a team has `csi`. @default "kube-system" */
    readonly csiNamespace?: string;
    /**
     * Let the driver sync mounted values into Kubernetes Secrets
     * (`secretObjects`): the chart then grants the driver create, update and
     * delete on every Secret of the cluster. Off keeps values out of etcd.
     * @default false
     */
    readonly csiSyncSecrets?: boolean;
    /** The onboarded teams. */
    readonly teams: TeamSpec[];
}

/** An existing ABAC role, such as the `SharedAbacRole` of another stack or cluster. */
/** An extra ESO controller. */
export interface EsoControllerSpec {
    /** Its `controllerClass`, and the suffix of its release, namespace, role and store names: a DNS-1123 label of at most 20 characters, not "default". */
    readonly name: string;
}

export interface SharedRoleRef {
    /** ARN of the role. */
    readonly arn: pulumi.Input<string>;
}
