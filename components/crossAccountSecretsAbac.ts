import * as aws from "@pulumi/aws";
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { EksSecretsAbac } from "./eksSecretsAbac";
import type { AwsContext } from "./lib/account";
import { componentOptions } from "./lib/aliases";
import { DEFAULT_ESO_SERVICE_ACCOUNT } from "./lib/constants";
import { roleArn } from "./lib/iam";
import { keyPolicyStatements, KmsService } from "./lib/kms";
import { controllerRoleName } from "./lib/naming";
import type { EksSecretsAbacArgs } from "./lib/types";
import { parameterFullName } from "./lib/parameterStore";
import { ConfigValidationError, Problem, secretFullName, validateArgs } from "./lib/validate";
import { SecretsKmsKey } from "./secretsKmsKey";
import { SharedAbacRole } from "./sharedAbacRole";

/** One cluster, in its own account, reading the secrets account's secrets. */
export interface CrossAccountClusterArgs
    extends Omit<EksSecretsAbacArgs, "sharedRole" | "kmsKeyArns" | "secretsKmsKeyId"> {
    /** Provider of the cluster's account: the controller role, Pod Identity, the add-on. */
    readonly awsProvider: aws.Provider;
    /** The cluster's Kubernetes API. @default the default Kubernetes provider */
    readonly kubernetesProvider?: k8s.Provider;
}

export interface CrossAccountSecretsAbacArgs {
    /** Provider of the secrets account: the shared role, every secret and parameter. */
    readonly secretsProvider: aws.Provider;
    /**
     * Provider of the key account: creates a customer-managed key whose
     * policy lets only the shared role decrypt, through the services only.
     * Without it (and without `kmsKeyArn`) secrets and parameters use the
     * secrets account's AWS-managed keys, which its own shared role can use.
     */
    readonly keyProvider?: aws.Provider;
    /**
     * A key the key account manages itself. The component grants the shared
     * role decryption through the services, and `keyPolicyStatements` holds
     * the statements that key's policy must carry.
     */
    readonly kmsKeyArn?: string;
    /** Principals of the secrets account that create secrets and parameters (the deployment role). */
    readonly keyWriterArns?: string[];
    /** Name of the shared role; fixed so the key policy can name it before it exists. @default "eks-secrets-abac-shared" */
    readonly sharedRoleName?: string;
    readonly clusters: CrossAccountClusterArgs[];
    /** Tags on every AWS resource, beside the ABAC tags. */
    readonly tags?: Record<string, string>;
}

export const DEFAULT_SHARED_ROLE_NAME = "eks-secrets-abac-shared";

/** Every problem of the arguments, including each cluster's, before anything is declared. */
export function validateCrossAccountArgs(args: CrossAccountSecretsAbacArgs): Problem[] {
    const problems: Problem[] = [];
    if (!Array.isArray(args.clusters) || args.clusters.length === 0) {
        return [{ path: "clusters", message: "is empty: give at least one cluster with its account's provider" }];
    }
    if (args.keyProvider !== undefined && args.kmsKeyArn !== undefined) {
        problems.push({ path: "kmsKeyArn", message: "is set together with keyProvider: either the component creates the key (keyProvider) or it uses yours (kmsKeyArn)" });
    }
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
        for (const p of validateArgs(cluster as EksSecretsAbacArgs)) {
            problems.push({ path: `clusters[${i}].${p.path}`, message: p.message });
        }
    });
    return problems;
}

/** Account, partition and region of one provider. */
function contextOf(provider: aws.Provider, parent: pulumi.Resource): pulumi.Output<AwsContext> {
    const opts = { parent, provider };
    return pulumi
        .all([aws.getCallerIdentityOutput({}, opts), aws.getPartitionOutput({}, opts), aws.getRegionOutput({}, opts)])
        .apply(([identity, partition, region]) => ({ accountId: identity.accountId, partition: partition.partition, region: region.region }));
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
    public readonly abacRoleArn: pulumi.Output<string>;
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
        const problems = validateCrossAccountArgs(args);
        if (problems.length > 0) throw new ConfigValidationError(problems);
        super("eks-secrets-abac:index:CrossAccountSecretsAbac", name, {}, componentOptions("eks-secrets-abac:index:CrossAccountSecretsAbac", opts));

        const secrets = contextOf(args.secretsProvider, this);
        const sharedRoleName = args.sharedRoleName ?? DEFAULT_SHARED_ROLE_NAME;
        const sharedRoleArn = secrets.apply((c) => roleArn(c, sharedRoleName));
        const services: KmsService[] = ["secretsmanager", "ssm"];
        const withParameters = args.clusters.some((c) => c.teams.some((t) => (t.parameters ?? []).length > 0));

        let keyArn: pulumi.Output<string> | undefined;
        if (args.keyProvider !== undefined) {
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
                { parent: this, provider: args.keyProvider },
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

        const clusterContexts = args.clusters.map((c) => contextOf(c.awsProvider, this));
        const shared = new SharedAbacRole(
            `${name}-shared-abac`,
            {
                roleName: sharedRoleName,
                controllerRoleArns: clusterContexts.map((ctx, i) => ctx.apply((c) => roleArn(c, controllerRoleName(args.clusters[i].clusterName)))),
                clusterArns: args.clusters.map(
                    (c) => c.clusterArn ?? aws.eks.getClusterOutput({ name: c.clusterName }, { parent: this, provider: c.awsProvider }).arn,
                ),
                esoServiceAccounts: args.clusters.map((c) => c.esoServiceAccount ?? DEFAULT_ESO_SERVICE_ACCOUNT),
                kmsKeyArns: keyArn ? [keyArn] : [],
                parameters: withParameters,
                tags: args.tags,
            },
            { parent: this, provider: args.secretsProvider },
        );

        for (const { awsProvider, kubernetesProvider, ...cluster } of args.clusters) {
            const abac = new EksSecretsAbac(
                `${name}-${cluster.clusterName}`,
                { ...cluster, tags: { ...args.tags, ...cluster.tags }, sharedRole: shared, secretsKmsKeyId: keyArn },
                {
                    parent: this,
                    providers: kubernetesProvider ? { aws: awsProvider, kubernetes: kubernetesProvider } : { aws: awsProvider },
                    dependsOn: opts?.dependsOn,
                },
                { provider: args.secretsProvider },
            );
            this.controllerRoleArns[cluster.clusterName] = abac.controllerRoleArn;
            this.secretArns[cluster.clusterName] = abac.teamSecretArns;
            this.parameterArns[cluster.clusterName] = abac.teamParameterArns;
        }

        this.abacRoleArn = shared.arn;
        this.kmsKeyArn = keyArn;
        this.registerOutputs({
            abacRoleArn: this.abacRoleArn,
            kmsKeyArn: this.kmsKeyArn,
            keyPolicyStatements: this.keyPolicyStatements,
            controllerRoleArns: this.controllerRoleArns,
            secretArns: this.secretArns,
            parameterArns: this.parameterArns,
        });
    }
}
