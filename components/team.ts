import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { componentOptions } from "./lib/aliases";
import { CLUSTER_TAG_KEY, NAMESPACE_TAG_KEY } from "./lib/constants";
import { ascpObject, SECRET_PROVIDER_CLASS_API_VERSION, secretProviderClassManifest } from "./lib/csi";
import { withDependencies } from "./lib/dependencies";
import { teamUsesEso } from "./lib/delivery";
import { externalSecretManifest, storeLabels } from "./lib/manifests";
import { DEFAULT_PARAMETER_STORE_NAME, parameterFullName, withParameterSources } from "./lib/parameterStore";
import type { TeamSpec } from "./lib/types";
import { secretFullName } from "./lib/validate";

export interface TeamArgs {
    readonly team: TeamSpec;
    readonly clusterName: string;
    readonly storeName: string;
    /** Prefix of the team's Secrets Manager names. @default "" */
    readonly secretNamePrefix?: string;
    /** Tags on the team's secrets beside the two ABAC tags. */
    readonly tags?: Record<string, string>;
    /** The ClusterSecretStore; the team's ExternalSecrets wait for it. */
    readonly store?: pulumi.Resource;
    /** Name of the Parameter Store ClusterSecretStore. @default "team-parameters" */
    readonly parameterStoreName?: string;
    /** The Parameter Store ClusterSecretStore; ExternalSecrets that read parameters wait for it. */
    readonly parameterStore?: pulumi.Resource;
    /** Provider of the account that holds the secrets and parameters. @default the parent's */
    readonly secretsProvider?: aws.Provider;
    /** Key of secrets and parameters that name none. @default the AWS-managed keys */
    readonly kmsKeyId?: pulumi.Input<string>;
    /** Keep the secrets, parameters and their values in AWS when Pulumi deletes them. @default true */
    readonly retainSecretsOnDelete?: boolean;
    /** The cluster's CSI role and driver; required when the team has `csi`. */
    readonly csi?: TeamCsiWiring;
}

/** What a team with `csi` attaches to: the cluster's CSI role and driver release. */
export interface TeamCsiWiring {
    /** ARN of the cluster's CSI role (`CsiRole`). */
    readonly roleArn: pulumi.Input<string>;
    /** Region of the secrets, written into each SecretProviderClass. */
    readonly region: pulumi.Input<string>;
    /** The driver release, which installs the SecretProviderClass CRD. */
    readonly driver?: pulumi.Resource;
}

/** Parameter Store needs a value; a parameter created without one holds this until the team sets its own. */
export const PARAMETER_PLACEHOLDER = "unset: put-parameter --overwrite to set";

/** ABAC tags of a team's secret: the only thing that decides who reads it. */
export function abacTags(namespace: string, clusterName: string): Record<string, string> {
    return { [NAMESPACE_TAG_KEY]: namespace, [CLUSTER_TAG_KEY]: clusterName };
}

/**
 * One onboarded team: its namespace (created, or labelled when it exists),
 * its tagged secrets and its ExternalSecrets. No IAM resource: the shared
 * role reads the tags.
 */
export class Team extends pulumi.ComponentResource {
    public readonly namespace: string;
    public readonly secrets: Record<string, aws.secretsmanager.Secret> = {};
    /** Secret ARNs by short name. */
    public readonly secretArns: Record<string, pulumi.Output<string>> = {};
    public readonly parameters: Record<string, aws.ssm.Parameter> = {};
    /** Parameter ARNs by short name. */
    public readonly parameterArns: Record<string, pulumi.Output<string>> = {};
    /** Pod Identity associations of the team's CSI service accounts, by service account. */
    public readonly csiAssociations: Record<string, aws.eks.PodIdentityAssociation> = {};

    constructor(name: string, args: TeamArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-secrets-abac:index:Team", name, {}, componentOptions("eks-secrets-abac:index:Team", opts));
        const team = args.team;
        const ns = team.namespace;
        const prefix = args.secretNamePrefix ?? "";
        // Values set outside Pulumi (put-secret-value) exist nowhere else.
        const retainOnDelete = args.retainSecretsOnDelete ?? true;
        this.namespace = ns;

        // A CSI-only team is not labelled for the stores (lib/delivery.ts).
        const metadata = { name: ns, labels: teamUsesEso(team) ? storeLabels(args.storeName) : {} };
        const namespace =
            team.createNamespace === false
                ? new k8s.core.v1.NamespacePatch(`${name}-namespace-label`, { metadata }, { parent: this, dependsOn: withDependencies(opts, []) })
                : new k8s.core.v1.Namespace(`${name}-namespace`, { metadata }, { parent: this, dependsOn: withDependencies(opts, []) });

        for (const secret of team.secrets ?? []) {
            const resource = new aws.secretsmanager.Secret(
                `${name}-secret-${secret.name}`,
                {
                    name: secretFullName(prefix, ns, secret.name),
                    description: secret.description,
                    kmsKeyId: secret.kmsKeyId ?? args.kmsKeyId,
                    recoveryWindowInDays: secret.recoveryWindowInDays,
                    tags: { ...args.tags, ...abacTags(ns, args.clusterName) },
                },
                { parent: this, provider: args.secretsProvider, retainOnDelete },
            );
            if (secret.value !== undefined) {
                new aws.secretsmanager.SecretVersion(
                    `${name}-secret-${secret.name}-value`,
                    { secretId: resource.id, secretString: pulumi.secret(secret.value) },
                    { parent: this, provider: args.secretsProvider, retainOnDelete },
                );
            }
            this.secrets[secret.name] = resource;
            this.secretArns[secret.name] = resource.arn;
        }

        for (const parameter of team.parameters ?? []) {
            const resource = new aws.ssm.Parameter(
                `${name}-parameter-${parameter.name.replace(/\//g, "-")}`,
                {
                    name: parameterFullName(prefix, ns, parameter.name),
                    description: parameter.description,
                    type: "SecureString",
                    keyId: parameter.kmsKeyId ?? args.kmsKeyId,
                    value: pulumi.secret(parameter.value ?? PARAMETER_PLACEHOLDER),
                    tags: { ...args.tags, ...abacTags(ns, args.clusterName) },
                },
                // Without a value of its own, the team's later put-parameter is kept.
                { parent: this, provider: args.secretsProvider, retainOnDelete, ignoreChanges: parameter.value === undefined ? ["value"] : [] },
            );
            this.parameters[parameter.name] = resource;
            this.parameterArns[parameter.name] = resource.arn;
        }

        const fullName = (short: string) => secretFullName(prefix, ns, short);
        const parameterStoreName = args.parameterStoreName ?? DEFAULT_PARAMETER_STORE_NAME;
        for (const es of team.externalSecrets ?? []) {
            const fromParameters = new Set((es.data ?? []).flatMap((d, i) => (d.parameter !== undefined ? [i] : [])));
            const built = externalSecretManifest({
                name: es.name,
                namespace: ns,
                storeName: args.storeName,
                targetName: es.targetName,
                refreshInterval: es.refreshInterval ?? "1h",
                data: (es.data ?? []).map((item) => ({
                    secretKey: item.secretKey,
                    remoteKey:
                        item.secret !== undefined
                            ? fullName(item.secret)
                            : item.parameter !== undefined
                              ? parameterFullName(prefix, ns, item.parameter)
                              : (item.remoteKey as string),
                    property: item.property,
                })),
                extract: (es.extract ?? []).map(fullName),
            });
            const manifest = withParameterSources(built, fromParameters, parameterStoreName);
            const readsFrom = [...(es.data ?? []).map((d) => d.secret), ...(es.extract ?? [])]
                .filter((s): s is string => s !== undefined)
                .map((s) => this.secrets[s] as pulumi.Resource);
            for (const d of es.data ?? []) if (d.parameter !== undefined) readsFrom.push(this.parameters[d.parameter]);
            if (fromParameters.size > 0 && args.parameterStore) readsFrom.push(args.parameterStore);
            new k8s.apiextensions.CustomResource(
                `${name}-external-secret-${es.name}`,
                { apiVersion: manifest.apiVersion, kind: manifest.kind, metadata: manifest.metadata, spec: manifest.spec },
                {
                    parent: this,
                    dependsOn: [namespace, ...readsFrom, ...(args.store ? [args.store] : [])],
                },
            );
        }
        if (team.csi !== undefined) {
            if (args.csi === undefined) throw new pulumi.ResourceError(`Team ${ns} has csi, but no CSI role was given (args.csi)`, this);
            this.declareCsi(name, team, args, args.csi, namespace, prefix);
        }
        this.registerOutputs({ namespace: this.namespace, secretArns: this.secretArns, parameterArns: this.parameterArns });
    }

    private declareCsi(name: string, team: TeamSpec, args: TeamArgs, csi: TeamCsiWiring, namespace: pulumi.Resource, prefix: string): void {
        const ns = team.namespace;
        for (const sa of team.csi!.serviceAccounts) {
            this.csiAssociations[sa] = new aws.eks.PodIdentityAssociation(
                `${name}-csi-${sa}`,
                {
                    clusterName: args.clusterName,
                    namespace: ns,
                    serviceAccount: sa,
                    roleArn: csi.roleArn,
                    // The CSI role's permission keys on the session's kubernetes-namespace tag.
                    disableSessionTags: false,
                    tags: args.tags,
                },
                { parent: this },
            );
        }
        for (const spc of team.csi!.secretProviderClasses ?? []) {
            const reads = spc.objects.map((o) => (o.parameter !== undefined ? this.parameters[o.parameter] : this.secrets[o.secret as string]) as pulumi.Resource);
            const manifest = pulumi.output(csi.region).apply((region) =>
                secretProviderClassManifest({ name: spc.name, namespace: ns, region, objects: spc.objects.map((o) => ascpObject(o, prefix, ns)) }),
            );
            new k8s.apiextensions.CustomResource(
                `${name}-secret-provider-class-${spc.name}`,
                { apiVersion: SECRET_PROVIDER_CLASS_API_VERSION, kind: "SecretProviderClass", metadata: manifest.metadata, spec: manifest.spec },
                { parent: this, dependsOn: [namespace, ...reads, ...(csi.driver ? [csi.driver] : [])] },
            );
        }
    }
}
