import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { componentOptions } from "./lib/aliases";
import { ESO_CHART } from "./lib/constants";
import { withDependencies } from "./lib/dependencies";
import { esoHelmValues, HelmValues } from "./lib/helm";
import { secretStoreGuardManifests } from "./lib/manifests";

export interface EsoReleaseArgs {
    readonly namespace: string;
    readonly serviceAccountName: string;
    /** @default ESO_CHART.version */
    readonly chartVersion?: string;
    /** @default ESO_CHART.repository */
    readonly chartRepository?: string;
    /** Merged over the defaults; the hardening is applied last. */
    readonly values?: HelmValues;
    /** Keep namespaced SecretStores, guarded by a ValidatingAdmissionPolicy. @default false */
    readonly allowNamespacedSecretStores?: boolean;
    /** Needed only with `allowNamespacedSecretStores`: the role the guard protects. */
    readonly abacRoleArn: pulumi.Input<string>;
}

/**
 * The External Secrets Operator, pinned, hardened: no namespaced
 * SecretStores or PushSecrets and no token minting unless asked for.
 */
export class EsoRelease extends pulumi.ComponentResource {
    public readonly release: k8s.helm.v3.Release;
    public readonly values: HelmValues;
    public readonly status: pulumi.Output<string>;

    constructor(name: string, args: EsoReleaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-secrets-abac:index:EsoRelease", name, {}, componentOptions("eks-secrets-abac:index:EsoRelease", opts));
        const allowStores = args.allowNamespacedSecretStores ?? false;
        this.values = esoHelmValues({
            serviceAccountName: args.serviceAccountName,
            allowNamespacedSecretStores: allowStores,
            userValues: args.values,
        });
        // The guard exists before the controller, so no SecretStore is served unguarded.
        const guard: pulumi.Resource[] = [];
        if (allowStores) {
            const manifests = pulumi
                .output(args.abacRoleArn)
                .apply((arn) => secretStoreGuardManifests(`${name}-secretstore-guard`, arn));
            const policy = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(
                `${name}-secretstore-guard`,
                { metadata: manifests.policy.metadata, spec: manifests.policy.spec },
                { parent: this },
            );
            guard.push(
                new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
                    `${name}-secretstore-guard`,
                    { metadata: manifests.binding.metadata, spec: manifests.binding.spec },
                    { parent: this, dependsOn: [policy] },
                ),
            );
        }
        this.release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                chart: ESO_CHART.name,
                version: args.chartVersion ?? ESO_CHART.version,
                repositoryOpts: { repo: args.chartRepository ?? ESO_CHART.repository },
                namespace: args.namespace,
                createNamespace: true,
                values: this.values,
            },
            { parent: this, dependsOn: withDependencies(opts, guard) },
        );
        this.status = this.release.status.status;
        this.registerOutputs({ status: this.status });
    }
}
