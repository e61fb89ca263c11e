import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { componentOptions } from "./lib/aliases";
import { CSI_PROVIDER_CHART, CSI_RELEASE_NAME, csiHelmValues, DEFAULT_CSI_NAMESPACE } from "./lib/csi";
import { withDependencies } from "./lib/dependencies";
import type { HelmValues } from "./lib/helm";

export interface SecretsStoreCsiDriverArgs {
    /** Namespace of both DaemonSets. @default "kube-system" */
    readonly namespace?: string;
    /** Let the driver write Kubernetes Secrets (`secretObjects`); it may then write every Secret. @default false */
    readonly syncSecrets?: boolean;
    /** @default CSI_PROVIDER_CHART.repository */
    readonly chartRepository?: string;
}

/**
 * The Secrets Store CSI Driver and the AWS provider (ASCP), as one Helm
 * release of ASCP's chart 3.1.1, which installs the driver chart 1.6.0 as
 * its locked dependency. Hardened by `csiHelmValues`: no syncing into
 * Kubernetes Secrets unless asked. Both DaemonSets keep the charts' node
 * affinity, which excludes Fargate nodes.
 */
export class SecretsStoreCsiDriver extends pulumi.ComponentResource {
    public readonly release: k8s.helm.v3.Release;
    public readonly values: HelmValues;
    public readonly namespace: string;

    constructor(name: string, args: SecretsStoreCsiDriverArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-secrets-abac:index:SecretsStoreCsiDriver", name, {}, componentOptions("eks-secrets-abac:index:SecretsStoreCsiDriver", opts));
        this.namespace = args.namespace ?? DEFAULT_CSI_NAMESPACE;
        this.values = csiHelmValues({ syncSecrets: args.syncSecrets });
        this.release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                // A fixed name: the driver's and ASCP's service accounts are then known names.
                name: CSI_RELEASE_NAME,
                chart: CSI_PROVIDER_CHART.name,
                version: CSI_PROVIDER_CHART.version,
                repositoryOpts: { repo: args.chartRepository ?? CSI_PROVIDER_CHART.repository },
                namespace: this.namespace,
                createNamespace: this.namespace !== DEFAULT_CSI_NAMESPACE,
                values: this.values,
            },
            { parent: this, dependsOn: withDependencies(opts, []) },
        );
        this.registerOutputs({ namespace: this.namespace });
    }
}
