import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { componentOptions } from "./lib/aliases";
import { withDependencies } from "./lib/dependencies";
import { clusterSecretStoreManifest } from "./lib/manifests";

export interface TeamSecretStoreArgs {
    /** Name of the ClusterSecretStore that every team's ExternalSecrets reference. */
    readonly storeName: string;
    readonly region: pulumi.Input<string>;
    readonly abacRoleArn: pulumi.Input<string>;
}

/**
 * The ClusterSecretStore: assumes the shared ABAC role for each
 * ExternalSecret with `esoNamespace` set to the ExternalSecret's namespace,
 * and serves only namespaces that onboarding labelled.
 */
export class TeamSecretStore extends pulumi.ComponentResource {
    public readonly store: k8s.apiextensions.CustomResource;
    public readonly storeName: string;

    constructor(name: string, args: TeamSecretStoreArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-secrets-abac:index:TeamSecretStore", name, {}, componentOptions("eks-secrets-abac:index:TeamSecretStore", opts));
        const manifest = pulumi
            .all([args.region, args.abacRoleArn])
            .apply(([region, abacRoleArn]) => clusterSecretStoreManifest({ name: args.storeName, region, abacRoleArn }));
        this.store = new k8s.apiextensions.CustomResource(
            `${name}-store`,
            {
                apiVersion: "external-secrets.io/v1",
                kind: "ClusterSecretStore",
                metadata: manifest.metadata,
                spec: manifest.spec,
            },
            // CRDs first: the release comes in through opts.dependsOn.
            { parent: this, dependsOn: withDependencies(opts, []) },
        );
        this.storeName = args.storeName;
        this.registerOutputs({ storeName: this.storeName });
    }
}
