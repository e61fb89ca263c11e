import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { EksSecretsAbac } from "./eksSecretsAbac";
import type { AwsContext } from "./lib/account";
import { AwsAccount, accountProvider, validateAwsAccount } from "./lib/awsAccount";
import { componentOptions } from "./lib/aliases";
import { DEFAULT_ESO_SERVICE_ACCOUNT } from "./lib/constants";
import { roleArn } from "./lib/iam";
import { keyPolicyStatements, KmsService } from "./lib/kms";
import { sharedRoleGroupName } from "./lib/naming";
import { clusterControllerRoleNames } from "./lib/faultDomains";
import { iamPolicySize, partitionOfRegion, TRUST_POLICY_DEFAULT_QUOTA, TRUST_POLICY_MAX_QUOTA } from "./lib/crossAccount";
import { groupByTrustQuota, TrustMember, trustOfMembers } from "./lib/trustGroups";
import type { EksSecretsAbacArgs } from "./lib/types";
import { parameterFullName } from "./lib/parameterStore";
import { teamsShapeProblems } from "./lib/argsShape";
import { componentNameProblems, ConfigValidationError, Problem, secretFullName, validateArgs } from "./lib/validate";
import { SecretsKmsKey } from "./secretsKmsKey";
import { SharedAbacRole } from "./sharedAbacRole";

/** One cluster, in its own account, reading the secrets account's secrets. */
export interface CrossAccountCluster extends Omit<EksSecretsAbacArgs, "sharedRole" | "kmsKeyArns" | "secretsKmsKeyId"> {
    /** The cluster's account: its controller role, Pod Identity association and add-on are created there. */
    readonly account: AwsAccount;
    /**
     * Kubeconfig of the cluster's Kubernetes API (the file's contents, YAML
     * or JSON; pass it as a secret). With neither this nor
     * `kubeconfigContext`, the Kubernetes provider of the component's
     * resource options (or the default one) is used.
     */
    readonly kubeconfig?: pulumi.Input<string>;
    /** Context of the kubeconfig to use. @default the kubeconfig's current context */
    readonly kubeconfigContext?: string;
}

/** The name of releases before 0.1.0; kept for TypeScript programs. */
export type CrossAccountClusterArgs = CrossAccountCluster;

export interface CrossAccountSecretsAbacArgs {
    /** The secrets account: the shared role, every secret and parameter. */
    readonly secretsAccount: AwsAccount;
    /**
     * The key account: the component creates a customer-managed key there
     * whose policy lets only the shared role decrypt, through the services
     * only. Without it (and without `kmsKeyArn`) secrets and parameters use
     * the secrets account's AWS-managed keys, which its own shared role can use.
     */
    readonly keyAccount?: AwsAccount;
    /**
     * A key the key account manages itself. The component grants the shared
     * role decryption through the services, and `keyPolicyStatements` holds
     * the statements that key's policy must carry.
     */
    readonly kmsKeyArn?: string;
    /** Principals of the secrets account that create secrets and parameters (the deployment role). */
    readonly keyWriterArns?: string[];
    /**
     * Name of the shared role; fixed so the key policy can name it before it
     * exists. Clusters past the trust policy quota go to `<name>-g2`,
     * `<name>-g3`... (`sharedRoleGroups`). @default "eks-secrets-abac-shared"
     */
    readonly sharedRoleName?: string;
    /** The clusters, each in its own account (several may share one). */
    readonly clusters: CrossAccountCluster[];
    /**
     * The shared role's trust policy quota of the secrets account, in
     * characters: 2,048 by default, up to 4,096 once raised through Service
     * Quotas. The trust grows about 123 characters per cluster; clusters
     * past the quota go to further shared roles (`sharedRoleGroups`), so a
     * raised quota means fewer roles. @default 2048
     */
    readonly trustPolicyQuota?: number;
    /** Tags on every AWS resource, beside the ABAC tags. */
    readonly tags?: Record<string, string>;
}

export const DEFAULT_SHARED_ROLE_NAME = "eks-secrets-abac-shared";

/** Every problem of the arguments, including each cluster's, before anything is declared. */
export function validateCrossAccountArgs(args: CrossAccountSecretsAbacArgs, name?: string): Problem[] {
    const problems: Problem[] = [];
    // Each cluster's EksSecretsAbac is named `<name>-<clusterName>`: Kubernetes and Helm names.
    if (name !== undefined && Array.isArray(args.clusters)) {
        args.clusters.forEach((c, i) => {
            if (typeof c.clusterName === "string") problems.push(...componentNameProblems(`${name}-${c.clusterName}`, `clusters[${i}].clusterName`, "the cluster's component name"));
        });
    }
    if (!Array.isArray(args.clusters) || args.clusters.length === 0) {
        problems.push({ path: "clusters", message: "is empty: give at least one cluster with its account" });
    }
    problems.push(...validateAwsAccount("secretsAccount", args.secretsAccount));
    if (args.keyAccount !== undefined) problems.push(...validateAwsAccount("keyAccount", args.keyAccount));
    if (args.keyAccount !== undefined && args.kmsKeyArn !== undefined) {
        problems.push({ path: "kmsKeyArn", message: "is set together with keyAccount: either the component creates the key (keyAccount) or it uses yours (kmsKeyArn)" });
    }
    if (!Array.isArray(args.clusters)) return problems;
    problems.push(...sharedTrustQuotaProblems(args));
    const seen = new Map<string, number>();
    // Every cluster creates its secrets and parameters in the one secrets account: their names must not meet.
    const names = new Map<string, string>();
    args.clusters.forEach((cluster, i) => {
        const prefix = cluster.secretNamePrefix ?? "";
        (cluster.teams ?? []).forEach((team, t) => {
            const owned = [
                ...(team.secrets ?? []).map((x, j) => [`secret ${secretFullName(prefix, team.namespace, x.name)}`, `clusters[${i}].teams[${t}].secrets[${j}].name`]),
                ...(team.parameters ?? []).map((x, j) => [`parameter ${parameterFullName(prefix, team.namespace, x.name)}`, `clusters[${i}].teams[${t}].parameters[${j}].name`]),
            ];
            for (const [name, at] of owned) {
                const other = names.get(name);
                if (other !== undefined && !other.startsWith(`clusters[${i}].`)) {
                    problems.push({ path: at, message: `makes the ${name}, which ${other} creates too in the same secrets account: give each cluster its own secretNamePrefix, e.g. \`${cluster.clusterName}/\`` });
                }
                names.set(name, at);
            }
        });
    });
    args.clusters.forEach((cluster, i) => {
        // The cluster tag is the name: two clusters of one name, even in two accounts, would read each other's secrets.
        const first = seen.get(cluster.clusterName);
        if (first !== undefined) {
            problems.push({
                path: `clusters[${i}].clusterName`,
                message: `\`${cluster.clusterName}\` is also clusters[${first}]'s name: secrets are tagged by cluster name, so names must be unique across accounts; rename one cluster or give it its own secrets account`,
            });
        }
        seen.set(cluster.clusterName, i);
        problems.push(...validateAwsAccount(`clusters[${i}].account`, cluster.account));
        // The teams' shape as EksSecretsAbac checks it: a typo in a team is named, not dropped.
        problems.push(...teamsShapeProblems(cluster.teams, `clusters[${i}].teams`));
        for (const p of validateArgs(cluster as EksSecretsAbacArgs)) {
            problems.push({ path: `clusters[${i}].${p.path}`, message: p.message });
        }
    });
    return problems;
}

/** What each cluster adds to a shared role's trust, from plain data exactly as the component builds it; undefined until every cluster's account is valid. */
function trustMembers(args: CrossAccountSecretsAbacArgs): { partition: string; members: TrustMember[] } | undefined {
    const clusters = args.clusters.filter((c) => typeof c?.clusterName === "string" && c.account !== undefined && /^\d{12}$/.test(c.account.accountId ?? ""));
    if (clusters.length !== args.clusters.length || clusters.length === 0) return undefined;
    const partition = partitionOfRegion(args.secretsAccount?.region ?? "");
    return {
        partition,
        members: clusters.map((c) => ({
            controllerRoleArns: clusterControllerRoleNames(c.clusterName, Array.isArray(c.esoControllers) ? c.esoControllers : []).map((n) => `arn:${partition}:iam::${c.account.accountId}:role/${n}`),
            clusterArn: typeof c.clusterArn === "string" ? c.clusterArn : `arn:${partition}:eks:${c.account.region}:${c.account.accountId}:cluster/${c.clusterName}`,
            esoServiceAccount: c.esoServiceAccount ?? DEFAULT_ESO_SERVICE_ACCOUNT,
        })),
    };
}

export interface SharedRoleGroups {
    /** The shared role names, one per group: `sharedRoleName`, then `<sharedRoleName>-g2`... (`sharedRoleGroupName`). */
    roleNames: string[];
    /** Each cluster's group, in the order of `clusters`. */
    groupOf: number[];
    /** Each group's trust policy size, characters without white space. */
    trustSizes: number[];
}

/**
 * The shared roles the component declares: the clusters over the fewest
 * roles whose trusts each fit the trust policy quota, filled in the order of
 * `clusters` (appending a cluster never moves another). Give the role names
 * to the organisation guardrails (`sharedRoleNames`). Throws on arguments
 * `validateCrossAccountArgs` refuses.
 */
export function sharedRoleGroups(args: CrossAccountSecretsAbacArgs): SharedRoleGroups {
    const measured = trustMembers(args);
    if (measured === undefined || sharedTrustQuotaProblems(args).length > 0) throw new ConfigValidationError(validateCrossAccountArgs(args));
    const { groupOf, sizes } = groupByTrustQuota(measured.partition, measured.members, args.trustPolicyQuota ?? TRUST_POLICY_DEFAULT_QUOTA);
    const base = args.sharedRoleName ?? DEFAULT_SHARED_ROLE_NAME;
    return { roleNames: sizes.map((_, g) => sharedRoleGroupName(base, g)), groupOf, trustSizes: sizes };
}

/**
 * The quota itself, and each cluster whose trust alone would pass it (no
 * group can hold it: IAM would answer LimitExceeded), before anything deploys.
 */
export function sharedTrustQuotaProblems(args: CrossAccountSecretsAbacArgs): Problem[] {
    const quota = args.trustPolicyQuota ?? TRUST_POLICY_DEFAULT_QUOTA;
    if (!Number.isInteger(quota) || quota < 1 || quota > TRUST_POLICY_MAX_QUOTA) {
        return [{ path: "trustPolicyQuota", message: `is \`${quota}\`: give the secrets account's trust policy quota, 2048 (AWS's default) to ${TRUST_POLICY_MAX_QUOTA} (the most Service Quotas grants)` }];
    }
    const measured = trustMembers(args);
    if (measured === undefined) return [];
    return groupByTrustQuota(measured.partition, measured.members, quota).oversized.map((i) => ({
        path: `clusters[${i}]`,
        message:
            `makes a shared role trust of ${iamPolicySize(trustOfMembers(measured.partition, [measured.members[i]]))} characters (white space excluded) on its own, over the secrets account's trust policy quota of ${quota} ` +
            `(IAM quotas, "Role trust policy length": 2,048 by default, up to ${TRUST_POLICY_MAX_QUOTA} on request; IAM would answer LimitExceeded): shorten its clusterArn or esoServiceAccount, give it fewer esoControllers, or raise the quota and set trustPolicyQuota`,
    }));
}

/** Account and Region as given (the provider is pinned to them), the partition as the provider reports it. */
function contextOf(account: AwsAccount, provider: aws.Provider, parent: pulumi.Resource): pulumi.Output<AwsContext> {
    return aws
        .getPartitionOutput({}, { parent, provider })
        .apply((p) => ({ accountId: account.accountId, partition: p.partition, region: account.region }));
}

/**
 * Secrets where large organisations keep them: the shared ABAC role, every
 * secret and parameter in a dedicated secrets account, optionally encrypted
 * with a key of a third account, read from clusters in their own accounts.
 * Each cluster's controller role chains into the one shared role; Pod
 * Identity's transitive tags carry the cluster across the account boundary.
 * Onboarding a team still changes no IAM document.
 */
export class CrossAccountSecretsAbac extends pulumi.ComponentResource {
    /** The first shared role (the only one while the clusters fit one trust). */
    public readonly abacRoleArn: pulumi.Output<string>;
    /** The shared role each cluster's stores assume, by cluster name. */
    public readonly abacRoleArns: Record<string, pulumi.Output<string>> = {};
    /** Every shared role's name, group by group (`sharedRoleGroups`): give them to the guardrails. */
    public readonly sharedRoleNames: string[];
    /** The key of the secrets and parameters, when there is one. */
    public readonly kmsKeyArn?: pulumi.Output<string>;
    /** The key-policy statements the key's account must carry (JSON), when there is a key. */
    public readonly keyPolicyStatements?: pulumi.Output<string>;
    /** Each cluster's controller role, by cluster name. */
    public readonly controllerRoleArns: Record<string, pulumi.Output<string>> = {};
    /** Secret ARNs by cluster, namespace and short name. */
    public readonly secretArns: Record<string, Record<string, Record<string, pulumi.Output<string>>>> = {};
    /** Parameter ARNs by cluster, namespace and short name. */
    public readonly parameterArns: Record<string, Record<string, Record<string, pulumi.Output<string>>>> = {};

    constructor(name: string, args: CrossAccountSecretsAbacArgs, opts?: pulumi.ComponentResourceOptions) {
        const problems = validateCrossAccountArgs(args, name);
        if (problems.length > 0) throw new ConfigValidationError(problems);
        super("eks-secrets-abac:index:CrossAccountSecretsAbac", name, {}, componentOptions("eks-secrets-abac:index:CrossAccountSecretsAbac", opts));

        const secretsProvider = accountProvider(`${name}-secrets-account`, args.secretsAccount, this);
        const secrets = contextOf(args.secretsAccount, secretsProvider, this);
        const groups = sharedRoleGroups(args);
        this.sharedRoleNames = groups.roleNames;
        // One ARN when the clusters fit one role: the key policy stays as it was before groups.
        const sharedRoleArn = secrets.apply((c) => (groups.roleNames.length === 1 ? roleArn(c, groups.roleNames[0]) : groups.roleNames.map((n) => roleArn(c, n))));
        const services: KmsService[] = ["secretsmanager", "ssm"];
        const withParameters = args.clusters.some((c) => c.teams.some((t) => (t.parameters ?? []).length > 0));

        let keyArn: pulumi.Output<string> | undefined;
        if (args.keyAccount !== undefined) {
            keyArn = new SecretsKmsKey(
                `${name}-key`,
                {
                    secretsAccountId: secrets.accountId,
                    secretsRegion: secrets.region,
                    sharedRoleArn,
                    writerArns: args.keyWriterArns,
                    services,
                    tags: args.tags,
                },
                { parent: this, provider: accountProvider(`${name}-key-account`, args.keyAccount, this) },
            ).arn;
        } else if (args.kmsKeyArn !== undefined) {
            keyArn = pulumi.output(args.kmsKeyArn);
        }
        if (keyArn !== undefined) {
            this.keyPolicyStatements = pulumi
                .all([secrets, sharedRoleArn])
                .apply(([c, role]) =>
                    JSON.stringify(keyPolicyStatements({ ...c, sharedRoleArn: role, writerArns: args.keyWriterArns, services }), null, 2),
                );
        }

        const clusterProviders = args.clusters.map((c) => accountProvider(`${name}-${c.clusterName}-account`, c.account, this));
        const clusterContexts = args.clusters.map((c, i) => contextOf(c.account, clusterProviders[i], this));
        // Group 0 keeps the logical name of the single shared role, so a stack that fits one role is unchanged.
        const shared = groups.roleNames.map((roleName, g) => {
            const members = args.clusters.map((c, i) => ({ c, i })).filter(({ i }) => groups.groupOf[i] === g);
            return new SharedAbacRole(
                g === 0 ? `${name}-shared-abac` : `${name}-shared-abac-g${g + 1}`,
                {
                    roleName,
                    // Every controller of every member cluster (fault domains included) is a principal of the trust.
                    controllerRoleArns: members.flatMap(({ c, i }) => clusterControllerRoleNames(c.clusterName, c.esoControllers).map((n) => clusterContexts[i].apply((ctx) => roleArn(ctx, n)))),
                    clusterArns: members.map(
                        ({ c, i }) => c.clusterArn ?? aws.eks.getClusterOutput({ name: c.clusterName }, { parent: this, provider: clusterProviders[i] }).arn,
                    ),
                    esoServiceAccounts: members.map(({ c }) => c.esoServiceAccount ?? DEFAULT_ESO_SERVICE_ACCOUNT),
                    kmsKeyArns: keyArn ? [keyArn] : [],
                    parameters: withParameters,
                    tags: args.tags,
                },
                { parent: this, provider: secretsProvider },
            );
        });

        args.clusters.forEach(({ account: _account, kubeconfig, kubeconfigContext, ...cluster }, i) => {
            const awsProvider = clusterProviders[i];
            // Without a kubeconfig the cluster's resources take the Kubernetes provider the component inherits.
            const kubernetesProvider =
                kubeconfig !== undefined || kubeconfigContext !== undefined
                    ? new k8s.Provider(`${name}-${cluster.clusterName}-kubernetes`, { kubeconfig, context: kubeconfigContext }, { parent: this })
                    : undefined;
            const abac = new EksSecretsAbac(
                `${name}-${cluster.clusterName}`,
                { ...cluster, tags: { ...args.tags, ...cluster.tags }, sharedRole: shared[groups.groupOf[i]], secretsKmsKeyId: keyArn },
                {
                    parent: this,
                    providers: kubernetesProvider ? { aws: awsProvider, kubernetes: kubernetesProvider } : { aws: awsProvider },
                    dependsOn: opts?.dependsOn,
                },
                { provider: secretsProvider },
            );
            this.controllerRoleArns[cluster.clusterName] = abac.controllerRoleArn;
            this.abacRoleArns[cluster.clusterName] = abac.abacRoleArn;
            this.secretArns[cluster.clusterName] = abac.teamSecretArns;
            this.parameterArns[cluster.clusterName] = abac.teamParameterArns;
        });

        this.abacRoleArn = shared[0].arn;
        this.kmsKeyArn = keyArn;
        this.registerOutputs({
            abacRoleArn: this.abacRoleArn,
            abacRoleArns: this.abacRoleArns,
            sharedRoleNames: this.sharedRoleNames,
            kmsKeyArn: this.kmsKeyArn,
            keyPolicyStatements: this.keyPolicyStatements,
            controllerRoleArns: this.controllerRoleArns,
            secretArns: this.secretArns,
            parameterArns: this.parameterArns,
        });
    }
}
