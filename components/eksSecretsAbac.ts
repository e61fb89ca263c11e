import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { componentOptions } from "./lib/aliases";
import { CsiRole } from "./csiRole";
import { ASSOCIATION_ANNOTATION, EsoControllerRole } from "./esoControllerRole";
import { EsoRelease } from "./esoRelease";
import { IrsaControllerRole } from "./irsaControllerRole";
import { awsContext } from "./lib/account";
import { withDependencies } from "./lib/dependencies";
import { DEFAULT_ESO_NAMESPACE, DEFAULT_ESO_SERVICE_ACCOUNT, DEFAULT_STORE_NAME } from "./lib/constants";
import { deepMerge } from "./lib/helm";
import { roleArn } from "./lib/iam";
import { ClusterIdentity, irsaHelmValues, storeCustomSessionTags } from "./lib/irsa";
import { domainControllerRoleName, domainStores, faultDomainHelmValues, faultDomains, multipleControllers, storeControllerField } from "./lib/faultDomains";
import type { EksSecretsAbacArgs } from "./lib/types";
import { argsProblems } from "./lib/argsShape";
import { componentNameProblems, ConfigValidationError } from "./lib/validate";
import { csiTeams, DEFAULT_CSI_NAMESPACE } from "./lib/csi";
import { PodIdentityAgent } from "./podIdentityAgent";
import { SecretsStoreCsiDriver } from "./secretsStoreCsiDriver";
import { SharedAbacRole } from "./sharedAbacRole";
import { Team } from "./team";
import { TeamParameterStore } from "./teamParameterStore";
import { TeamSecretStore } from "./teamSecretStore";
import { DEFAULT_PARAMETER_STORE_NAME } from "./lib/parameterStore";

/**
 * Where the secrets and parameters live when that is another account than
 * the cluster's: `CrossAccountSecretsAbac` passes it. Kept out of the
 * arguments so that they stay plain data for every Pulumi language.
 */
export interface SecretsAccountPlacement {
    /** Provider of the secrets account; the shared role (`sharedRole`) must live there too. */
    readonly provider: aws.Provider;
}

/** An extra controller's release is auto-named `<name>-eso-<controller>-release-<8>`: Helm allows 53 characters. */
function extraReleaseNameProblems(name: string, controllers: unknown): { path: string; message: string }[] {
    if (!Array.isArray(controllers)) return [];
    return controllers.flatMap((c, i) => {
        const n = (c as { name?: unknown })?.name;
        if (typeof n !== "string") return [];
        const length = `${name}-eso-${n}-release-`.length + 8;
        return length <= 53 ? [] : [{ path: `esoControllers[${i}].name`, message: `is \`${n}\`: its Helm release \`${name}-eso-${n}-release-<8 characters>\` would have ${length} characters, over Helm's 53: shorten the controller's or the component's name` }];
    });
}

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
    /** The Parameter Store ClusterSecretStore's name, when a team has parameters. */
    public readonly parameterStoreName?: string;
    /** Secret ARNs by namespace, then by short name. */
    public readonly teamSecretArns: Record<string, Record<string, pulumi.Output<string>>> = {};
    /** Parameter ARNs by namespace, then by short name. */
    public readonly teamParameterArns: Record<string, Record<string, pulumi.Output<string>>> = {};
    /** ARN of the CSI role that pods mounting secrets through ASCP take, when a team has `csi`. */
    public readonly csiRoleArn?: pulumi.Output<string>;

    constructor(name: string, args: EksSecretsAbacArgs, opts?: pulumi.ComponentResourceOptions, placement?: SecretsAccountPlacement) {
        // Before super(): a bad argument must not leave even the component behind.
        const problems = [...componentNameProblems(name), ...argsProblems(args), ...extraReleaseNameProblems(name, args.esoControllers)];
        if (problems.length > 0) throw new ConfigValidationError(problems);
        if (placement !== undefined && args.sharedRole === undefined) {
            throw new ConfigValidationError([
                { path: "sharedRole", message: "is missing: secrets in another account are read by a shared role in that account; pass it (CrossAccountSecretsAbac does)" },
            ]);
        }
        const mountingTeams = csiTeams(args.teams);
        if (placement !== undefined && mountingTeams.length > 0) {
            throw new ConfigValidationError([
                { path: `teams[${args.teams.indexOf(mountingTeams[0])}].csi`, message: "is set, but the secrets live in another account: the CSI role reads the cluster account's secrets only; read them through ESO (externalSecrets)" },
            ]);
        }
        const secretsProvider = placement?.provider;
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

        const withParameters = args.teams.some((t) => (t.parameters ?? []).length > 0);
        const parameterStoreName = args.parameterStoreName ?? DEFAULT_PARAMETER_STORE_NAME;
        const domains = faultDomains({
            controllers: args.esoControllers,
            teams: args.teams,
            releaseName: `${name}-eso`,
            esoNamespace,
            esoServiceAccount,
            storeName,
            parameterStoreName,
        });
        const several = multipleControllers(domains);
        const teamsWithParameters = args.teams.filter((t) => (t.parameters ?? []).length > 0).map((t) => t.namespace);
        const stores = domainStores(domains, teamsWithParameters);
        for (const d of domains.slice(1)) {
            if (d.teams.length === 0) pulumi.log.warn(`esoControllers: no team names the controller \`${d.name}\` (teams[].controller): it runs and serves nobody`, this);
        }
        const roleNames = domains.map((d) => domainControllerRoleName(args.clusterName, d));
        const abacArn =
            args.sharedRole !== undefined
                ? pulumi.output(args.sharedRole.arn)
                : new SharedAbacRole(
                      `${name}-shared-abac`,
                      {
                          // Every controller chains into the one role: the trust names each controller role.
                          controllerRoleArns: irsa ? [] : roleNames.map((n) => ctx.apply((c) => roleArn(c, n))),
                          clusterArns: irsa ? [] : [clusterArn],
                          esoServiceAccounts: [esoServiceAccount],
                          irsaControllers: irsa ? roleNames.map((n) => ({ roleArn: ctx.apply((c) => roleArn(c, n)), clusterName: args.clusterName })) : [],
                          kmsKeyArns: args.kmsKeyArns,
                          parameters: withParameters,
                          tags,
                      },
                      { parent: this },
                  ).arn;

        // The stores read where the secrets are: the secrets account's region when it is another account.
        const secretsRegion = secretsProvider
            ? aws.getRegionOutput({}, { parent: this, provider: secretsProvider }).region
            : ctx.region;
        const controllerOpts = { parent: this, dependsOn: opts?.dependsOn };
        const served = new Map<string, { storeName: string; store: pulumi.Resource; parameterStoreName: string; parameterStore?: pulumi.Resource }>();
        let primaryRelease: pulumi.Resource | undefined;
        let primary: { controller: EsoControllerRole | IrsaControllerRole; store: TeamSecretStore; parameterStore?: TeamParameterStore } | undefined;
        for (const [i, d] of domains.entries()) {
            // The default domain keeps the names of a one-controller stack: adding a controller replaces nothing.
            const suffix = d.primary ? "" : `-${d.name}`;
            const controllerArgs = { roleName: roleNames[i], esoNamespace: d.namespace, esoServiceAccount, abacRoleArn: abacArn, tags };
            const controller = irsa
                ? new IrsaControllerRole(`${name}-eso-controller${suffix}`, { ...controllerArgs, oidcProviderArn: args.oidcProviderArn as string }, controllerOpts)
                : new EsoControllerRole(`${name}-eso-controller${suffix}`, { ...controllerArgs, clusterName: args.clusterName, clusterArn }, controllerOpts);
            // Pod Identity injects credentials when a pod starts: the agent and
            // the association must exist before the ESO pods do.
            const release = new EsoRelease(
                `${name}-eso${suffix}`,
                {
                    namespace: d.namespace,
                    serviceAccountName: esoServiceAccount,
                    chartVersion: args.chartVersion,
                    chartRepository: args.chartRepository,
                    // IRSA: the webhook gives ESO's pods the role its service account names.
                    values: irsa ? deepMerge(args.helmValues ?? {}, irsaHelmValues(controller.arn)) : args.helmValues,
                    domainValues: faultDomainHelmValues(d, several),
                    guards: d.primary,
                    domains: several ? stores : undefined,
                    extraControllerNamespaces: domains.filter((x) => !x.primary).map((x) => x.namespace),
                    allowNamespacedSecretStores: args.allowNamespacedSecretStores,
                    controllerEgressPolicy: args.controllerEgressPolicy,
                    allowedGenerators: args.allowedGenerators,
                    tenantLimits: args.tenantLimits,
                    abacRoleArn: abacArn,
                    clusterStoreName: storeName,
                    parameterStoreName: withParameters ? parameterStoreName : undefined,
                    // Waits for the association to take effect, and restarts ESO when it is replaced.
                    podAnnotations: controller instanceof EsoControllerRole ? { [ASSOCIATION_ANNOTATION]: controller.effectiveAssociationId } : undefined,
                },
                {
                    parent: this,
                    dependsOn: withDependencies(opts, [
                        ...(controller instanceof EsoControllerRole ? [controller.association, ...(agent ? [agent.addon] : [])] : [controller]),
                        // An extra release relies on the default one's CRDs and admission policies.
                        ...(primaryRelease !== undefined ? [primaryRelease] : []),
                    ]),
                },
            );
            if (d.primary) primaryRelease = release.release;
            const store = new TeamSecretStore(
                `${name}-store${suffix}`,
                {
                    storeName: d.storeName,
                    region: secretsRegion,
                    abacRoleArn: abacArn,
                    clusterIdentity: identity,
                    customSessionTags: storeCustomSessionTags(identity, args.clusterName),
                    ...storeControllerField(d, several),
                },
                { parent: this, dependsOn: withDependencies(opts, [release.release]) },
            );
            const parameterStore = d.teams.some((t) => teamsWithParameters.includes(t))
                ? new TeamParameterStore(
                      `${name}-parameter-store${suffix}`,
                      {
                          storeName: d.parameterStoreName,
                          secretStoreName: d.storeName,
                          region: secretsRegion,
                          abacRoleArn: abacArn,
                          // The same session tags as the Secrets Manager store: on IRSA clusters they carry the cluster.
                          customSessionTags: storeCustomSessionTags(identity, args.clusterName),
                          ...storeControllerField(d, several),
                      },
                      { parent: this, dependsOn: withDependencies(opts, [release.release]) },
                  )
                : undefined;
            if (d.primary) primary = { controller, store, parameterStore };
            for (const t of d.teams) served.set(t, { storeName: d.storeName, store: store.store, parameterStoreName: d.parameterStoreName, parameterStore: parameterStore?.store });
        }
        const { controller, parameterStore } = primary!;

        // Secrets as files: only when a team asks, the driver with ASCP and the one CSI role of the cluster.
        let csi: { roleArn: pulumi.Output<string>; region: pulumi.Output<string>; driver: pulumi.Resource } | undefined;
        if (mountingTeams.length > 0) {
            const csiNamespace = args.csiNamespace ?? DEFAULT_CSI_NAMESPACE;
            const driver = new SecretsStoreCsiDriver(
                `${name}-csi-driver`,
                { namespace: csiNamespace, syncSecrets: args.csiSyncSecrets },
                { parent: this, dependsOn: opts?.dependsOn },
            );
            const csiRole = new CsiRole(
                `${name}-csi`,
                {
                    clusterArn,
                    // Every controller's namespace: a pod there must not mount as a team.
                    refusedNamespaces: [...domains.map((d) => d.namespace), csiNamespace],
                    kmsKeyArns: args.kmsKeyArns,
                    parameters: mountingTeams.some((t) => (t.parameters ?? []).length > 0),
                    tags,
                },
                { parent: this },
            );
            csi = { roleArn: csiRole.arn, region: ctx.region, driver: driver.release };
            this.csiRoleArn = csiRole.arn;
        }

        for (const team of args.teams) {
            const domain = served.get(team.namespace)!;
            const t = new Team(
                `${name}-${team.namespace}`,
                {
                    team,
                    clusterName: args.clusterName,
                    storeName: domain.storeName,
                    secretNamePrefix: args.secretNamePrefix,
                    tags,
                    store: domain.store,
                    parameterStoreName: domain.parameterStoreName,
                    parameterStore: domain.parameterStore,
                    secretsProvider,
                    kmsKeyId: args.secretsKmsKeyId,
                    retainSecretsOnDelete: args.retainSecretsOnDelete,
                    csi: team.csi !== undefined ? csi : undefined,
                },
                { parent: this, dependsOn: opts?.dependsOn },
            );
            this.teamSecretArns[team.namespace] = t.secretArns;
            this.teamParameterArns[team.namespace] = t.parameterArns;
        }

        this.controllerRoleArn = controller.arn;
        this.abacRoleArn = abacArn;
        this.storeName = storeName;
        this.parameterStoreName = parameterStore?.storeName;
        this.registerOutputs({
            parameterStoreName: this.parameterStoreName,
            teamParameterArns: this.teamParameterArns,
            controllerRoleArn: this.controllerRoleArn,
            abacRoleArn: this.abacRoleArn,
            storeName: this.storeName,
            teamSecretArns: this.teamSecretArns,
            csiRoleArn: this.csiRoleArn,
        });
    }
}
