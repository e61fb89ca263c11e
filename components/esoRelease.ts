import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { componentOptions } from "./lib/aliases";
import { DEFAULT_STORE_NAME, ESO_CHART } from "./lib/constants";
import { withDependencies } from "./lib/dependencies";
import { deepMerge, esoHelmValues, HelmValues } from "./lib/helm";
import type { DomainStores } from "./lib/faultDomainGuard";
import { allowedGeneratorsProblems, generatorGuardManifests, generatorGuardValidations, tenantClusterRoleManifest } from "./lib/generatorGuard";
import { externalSecretGuardManifests, resolveTenantLimits, TenantLimits, tenantLimitsProblems } from "./lib/externalSecretGuard";
import { storeGuardManifests } from "./lib/manifests";
import { ConfigValidationError } from "./lib/validate";

export interface EsoReleaseArgs {
    readonly namespace: string;
    readonly serviceAccountName: string;
    /** @default ESO_CHART.version */
    readonly chartVersion?: string;
    /** @default ESO_CHART.repository */
    readonly chartRepository?: string;
    /** Merged over the defaults; the hardening is applied last. */
    readonly values?: HelmValues;
    /** Keep namespaced SecretStores; the admission policy still refuses the ones that could forge a namespace. @default false */
    readonly allowNamespacedSecretStores?: boolean;
    /**
     * Render the chart's NetworkPolicy for the controller: egress only to DNS,
     * TCP 443 and the Pod Identity agent (`CONTROLLER_EGRESS`). Enforced only
     * where the CNI enforces NetworkPolicy. @default false
     */
    readonly controllerEgressPolicy?: boolean;
    /** The shared ABAC role: only `clusterStoreName` may name it. */
    readonly abacRoleArn: pulumi.Input<string>;
    /** Our ClusterSecretStore, the only store the admission policy lets name the shared role. @default DEFAULT_STORE_NAME */
    readonly clusterStoreName?: string;
    /** Our Parameter Store ClusterSecretStore, admitted with the shared role like `clusterStoreName`. @default none */
    readonly parameterStoreName?: string;
    /**
     * Generator kinds to admit beside the ones that need no credentials and
     * no network (Password, SSHKey, UUID, Fake, MFA); kinds that can fall
     * back to the controller's identity are then admitted only with explicit
     * credentials. See `GENERATOR_KINDS`. @default []
     */
    readonly allowedGenerators?: string[];
    /** Bounds on what one team's ExternalSecrets may cost the shared controller. See `TenantLimits`. */
    readonly tenantLimits?: TenantLimits;
    /** Annotations on ESO's pods beside the chart's values (a change restarts them). @default none */
    readonly podAnnotations?: Record<string, pulumi.Input<string>>;
    /** Values of this fault domain (`faultDomainHelmValues`: controllerClass, no CRDs for an extra one), merged after the hardening. @default none */
    readonly domainValues?: HelmValues;
    /**
     * Declare the admission policies and the tenant role. `false` for an
     * extra controller's release: the default release's guard the cluster. @default true
     */
    readonly guards?: boolean;
    /** Every fault domain's stores, with several controllers (faultDomainGuard.ts). @default none */
    readonly domains?: DomainStores[];
    /** Namespaces of the extra controllers, whose service accounts write GeneratorStates too. @default none */
    readonly extraControllerNamespaces?: string[];
}

/**
 * The External Secrets Operator, pinned and hardened (no PushSecrets, no
 * token minting, no aggregation of the chart's roles to edit/admin), behind
 * two ValidatingAdmissionPolicies in every mode: one on SecretStores and
 * ClusterSecretStores (in ESO 2.9.0 no Helm value keeps a namespaced
 * SecretStore from being created) and one on generators, which need no store.
 */
export class EsoRelease extends pulumi.ComponentResource {
    public readonly release!: k8s.helm.v3.Release;
    public readonly values: HelmValues;
    public readonly status!: pulumi.Output<string>;

    constructor(name: string, args: EsoReleaseArgs, opts?: pulumi.ComponentResourceOptions) {
        // Before super(): an unknown kind would silently stay refused.
        const generatorProblems = [...allowedGeneratorsProblems(args.allowedGenerators), ...tenantLimitsProblems(args.tenantLimits)];
        if (generatorProblems.length > 0) throw new ConfigValidationError(generatorProblems);
        super("eks-secrets-abac:index:EsoRelease", name, {}, componentOptions("eks-secrets-abac:index:EsoRelease", opts));
        const allowStores = args.allowNamespacedSecretStores ?? false;
        const hardened = esoHelmValues({
            serviceAccountName: args.serviceAccountName,
            allowNamespacedSecretStores: allowStores,
            userValues: args.values,
            controllerEgressPolicy: args.controllerEgressPolicy ?? false,
        });
        this.values = args.domainValues === undefined ? hardened : deepMerge(hardened, args.domainValues);
        if (args.guards === false) {
            this.release = this.declareRelease(name, args, opts, []);
            this.status = this.release.status.status;
            this.registerOutputs({ status: this.status });
            return;
        }
        // The guard exists before the controller and the CRDs, so no store is admitted unguarded.
        const guardName = `${name}-secretstore-guard`;
        const manifests = pulumi.output(args.abacRoleArn).apply((abacRoleArn) =>
            storeGuardManifests(guardName, {
                abacRoleArn,
                clusterStoreName: args.clusterStoreName ?? DEFAULT_STORE_NAME,
                parameterStoreName: args.parameterStoreName,
                allowNamespacedSecretStores: allowStores,
                domains: args.domains,
            }),
        );
        const policy = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(
            guardName,
            { metadata: manifests.policy.metadata, spec: manifests.policy.spec },
            { parent: this },
        );
        const binding = new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
            guardName,
            { metadata: manifests.binding.metadata, spec: manifests.binding.spec },
            { parent: this, dependsOn: [policy] },
        );
        // Generators need no store, so the store guard never sees them: a guard of their own, also before the CRDs.
        const generatorGuardName = `${name}-generator-guard`;
        const allowedGenerators = args.allowedGenerators ?? [];
        const generatorArgs = { allowedGenerators, esoNamespace: args.namespace, esoServiceAccount: args.serviceAccountName, extraControllerNamespaces: args.extraControllerNamespaces };
        // Only the rules wait for the shared role's ARN: the policy pack can judge the match and the binding in a first preview.
        const generatorShape = generatorGuardManifests(generatorGuardName, { ...generatorArgs, abacRoleArn: "" });
        const generatorValidations = pulumi.output(args.abacRoleArn).apply((abacRoleArn) => generatorGuardValidations({ ...generatorArgs, abacRoleArn }));
        const generatorPolicy = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(
            generatorGuardName,
            {
                metadata: generatorShape.policy.metadata,
                spec: { failurePolicy: generatorShape.policy.spec.failurePolicy, matchConstraints: generatorShape.policy.spec.matchConstraints, validations: generatorValidations },
            },
            { parent: this },
        );
        const generatorBinding = new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
            generatorGuardName,
            { metadata: generatorShape.binding.metadata, spec: generatorShape.binding.spec },
            { parent: this, dependsOn: [generatorPolicy] },
        );
        // The chart's aggregation to edit/admin is off (HARDENED_VALUES); teams get this role instead.
        const tenantRole = tenantClusterRoleManifest(`${name}-tenant`, { allowedGenerators, allowNamespacedSecretStores: allowStores });
        new k8s.rbac.v1.ClusterRole(`${name}-tenant`, { metadata: tenantRole.metadata, rules: tenantRole.rules }, { parent: this });
        // Bounds one team's ExternalSecrets (refresh, entries, templates), also before the CRDs.
        const esGuardName = `${name}-externalsecret-guard`;
        const esGuard = externalSecretGuardManifests(esGuardName, resolveTenantLimits(args.tenantLimits), args.domains);
        const esPolicy = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(esGuardName, { metadata: esGuard.policy.metadata, spec: esGuard.policy.spec }, { parent: this });
        const esBinding = new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
            esGuardName,
            { metadata: esGuard.binding.metadata, spec: esGuard.binding.spec },
            { parent: this, dependsOn: [esPolicy] },
        );
        const guard: pulumi.Resource[] = [binding, generatorBinding, esBinding];
        this.release = this.declareRelease(name, args, opts, guard);
        this.status = this.release.status.status;
        this.registerOutputs({ status: this.status });
    }

    private declareRelease(name: string, args: EsoReleaseArgs, opts: pulumi.ComponentResourceOptions | undefined, guard: pulumi.Resource[]): k8s.helm.v3.Release {
        return new k8s.helm.v3.Release(
            `${name}-release`,
            {
                chart: ESO_CHART.name,
                version: args.chartVersion ?? ESO_CHART.version,
                repositoryOpts: { repo: args.chartRepository ?? ESO_CHART.repository },
                namespace: args.namespace,
                createNamespace: true,
                values: args.podAnnotations === undefined ? this.values : { ...this.values, podAnnotations: { ...(this.values.podAnnotations as object | undefined), ...args.podAnnotations } },
            },
            { parent: this, dependsOn: withDependencies(opts, guard) },
        );
    }
}
