import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { componentOptions } from "./lib/aliases";
import { EsoControllerRole } from "./esoControllerRole";
import { EsoRelease } from "./esoRelease";
import { IrsaControllerRole } from "./irsaControllerRole";
import { awsContext } from "./lib/account";
import { withDependencies } from "./lib/dependencies";
import { DEFAULT_ESO_NAMESPACE, DEFAULT_ESO_SERVICE_ACCOUNT, DEFAULT_STORE_NAME } from "./lib/constants";
import { deepMerge } from "./lib/helm";
import { roleArn } from "./lib/iam";
import { ClusterIdentity, irsaHelmValues, storeCustomSessionTags } from "./lib/irsa";
import { controllerRoleName } from "./lib/naming";
import type { EksSecretsAbacArgs } from "./lib/types";
import { assertValidArgs } from "./lib/validate";
import { PodIdentityAgent } from "./podIdentityAgent";
import { SharedAbacRole } from "./sharedAbacRole";
import { Team } from "./team";
import { TeamSecretStore } from "./teamSecretStore";

/**
 * Everything a cluster needs for per-team Secrets Manager access through one
 * shared role: Pod Identity agent, ESO controller role and association,
 * shared ABAC role (unless one is given), ESO release, ClusterSecretStore,
 * and the onboarded teams. The arguments are validated before any resource
 * is declared.
 */
export class EksSecretsAbac extends pulumi.ComponentResource {
    /** ARN of the ESO controller role (EKS Pod Identity). */
    public readonly controllerRoleArn: pulumi.Output<string>;
    /** ARN of the shared ABAC role that every team's reads go through. */
    public readonly abacRoleArn: pulumi.Output<string>;
    /** Name of the ClusterSecretStore that the teams' ExternalSecrets reference. */
    public readonly storeName: string;
    /** Secret ARNs by namespace, then by short name. */
    public readonly teamSecretArns: Record<string, Record<string, pulumi.Output<string>>> = {};

    constructor(name: string, args: EksSecretsAbacArgs, opts?: pulumi.ComponentResourceOptions) {
        // Before super(): a bad argument must not leave even the component behind.
        assertValidArgs(args);
        super("eks-secrets-abac:index:EksSecretsAbac", name, {}, componentOptions("eks-secrets-abac:index:EksSecretsAbac", opts));
        if (args.teams.length === 0) {
            pulumi.log.warn(
                "teams is empty: the ClusterSecretStore and the shared role are deployed, but no namespace may use them yet; add a team (`- namespace: payments`)",
                this,
            );
        }

        const esoNamespace = args.esoNamespace ?? DEFAULT_ESO_NAMESPACE;
        const esoServiceAccount = args.esoServiceAccount ?? DEFAULT_ESO_SERVICE_ACCOUNT;
        const storeName = args.storeName ?? DEFAULT_STORE_NAME;
        const tags = args.tags;
        const ctx = awsContext(this);
        // Validated above: one of CLUSTER_IDENTITIES.
        const identity = (args.identity ?? "podIdentity") as ClusterIdentity;
        const irsa = identity === "irsa";
        // A cluster created in the same program must pass clusterArn: the lookup would run before it exists.
        const clusterArn =
            args.clusterArn ?? aws.eks.getClusterOutput({ name: args.clusterName }, { parent: this }).arn;

        const agent =
            irsa || args.installPodIdentityAgent === false
                ? undefined
                : new PodIdentityAgent(
                      `${name}-pod-identity-agent`,
                      { clusterName: args.clusterName, addonVersion: args.podIdentityAgentVersion, tags },
                      { parent: this, dependsOn: opts?.dependsOn },
                  );

        const controllerName = controllerRoleName(args.clusterName);
        const abacArn =
            args.sharedRole !== undefined
                ? pulumi.output(args.sharedRole.arn)
                : new SharedAbacRole(
                      `${name}-shared-abac`,
                      {
                          controllerRoleArns: irsa ? [] : [ctx.apply((c) => roleArn(c, controllerName))],
                          clusterArns: irsa ? [] : [clusterArn],
                          esoServiceAccounts: [esoServiceAccount],
                          irsaControllers: irsa ? [{ roleArn: ctx.apply((c) => roleArn(c, controllerName)), clusterName: args.clusterName }] : [],
                          kmsKeyArns: args.kmsKeyArns,
                          tags,
                      },
                      { parent: this },
                  ).arn;

        const controller = irsa
            ? new IrsaControllerRole(
                  `${name}-eso-controller`,
                  {
                      oidcProviderArn: args.oidcProviderArn as string,
                      roleName: controllerName,
                      esoNamespace,
                      esoServiceAccount,
                      abacRoleArn: abacArn,
                      tags,
                  },
                  { parent: this, dependsOn: opts?.dependsOn },
              )
            : new EsoControllerRole(
                  `${name}-eso-controller`,
                  {
                      clusterName: args.clusterName,
                      clusterArn,
                      roleName: controllerName,
                      esoNamespace,
                      esoServiceAccount,
                      abacRoleArn: abacArn,
                      tags,
                  },
                  { parent: this, dependsOn: opts?.dependsOn },
              );

        // Pod Identity injects credentials when a pod starts: the agent and
        // the association must exist before the ESO pods do.
        const release = new EsoRelease(
            `${name}-eso`,
            {
                namespace: esoNamespace,
                serviceAccountName: esoServiceAccount,
                chartVersion: args.chartVersion,
                chartRepository: args.chartRepository,
                // IRSA: the webhook gives ESO's pods the role its service account names.
                values: irsa ? deepMerge(args.helmValues ?? {}, irsaHelmValues(controller.arn)) : args.helmValues,
                allowNamespacedSecretStores: args.allowNamespacedSecretStores,
                abacRoleArn: abacArn,
                clusterStoreName: storeName,
            },
            {
                parent: this,
                dependsOn: withDependencies(
                    opts,
                    controller instanceof EsoControllerRole ? [controller.association, ...(agent ? [agent.addon] : [])] : [controller],
                ),
            },
        );

        const store = new TeamSecretStore(
            `${name}-store`,
            {
                storeName,
                region: ctx.region,
                abacRoleArn: abacArn,
                clusterIdentity: identity,
                customSessionTags: storeCustomSessionTags(identity, args.clusterName),
            },
            { parent: this, dependsOn: withDependencies(opts, [release.release]) },
        );

        for (const team of args.teams) {
            const t = new Team(
                `${name}-${team.namespace}`,
                {
                    team,
                    clusterName: args.clusterName,
                    storeName,
                    secretNamePrefix: args.secretNamePrefix,
                    tags,
                    store: store.store,
                    retainSecretsOnDelete: args.retainSecretsOnDelete,
                },
                { parent: this, dependsOn: opts?.dependsOn },
            );
            this.teamSecretArns[team.namespace] = t.secretArns;
        }

        this.controllerRoleArn = controller.arn;
        this.abacRoleArn = abacArn;
        this.storeName = storeName;
        this.registerOutputs({
            controllerRoleArn: this.controllerRoleArn,
            abacRoleArn: this.abacRoleArn,
            storeName: this.storeName,
            teamSecretArns: this.teamSecretArns,
        });
    }
}
