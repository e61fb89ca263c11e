import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { componentOptions } from "./lib/aliases";
import { withDependencies } from "./lib/dependencies";
import { withCustomSessionTags } from "./lib/irsa";
import { parameterStoreManifest } from "./lib/parameterStore";

export interface TeamParameterStoreArgs {
    /** Name of this ClusterSecretStore. */
    readonly storeName: string;
    /** The Secrets Manager store, whose namespace label admits namespaces here too. */
    readonly secretStoreName: string;
    /** Region of the parameters. */
    readonly region: pulumi.Input<string>;
    readonly abacRoleArn: pulumi.Input<string>;
    /** Session tags beside ESO's own, as the Secrets Manager store sends them (IRSA clusters). */
    readonly customSessionTags?: Record<string, string>;
    /** ESO controller class that serves it (`spec.controller`), with several controllers. @default none */
    readonly controller?: string;
}

/**
 * The second ClusterSecretStore: SSM Parameter Store through the same shared
 * role with `sessionTagsPolicy: Simple`, so a parameter is read exactly as a
 * secret is, by its namespace and cluster tags.
 */
export class TeamParameterStore extends pulumi.ComponentResource {
    public readonly store: k8s.apiextensions.CustomResource;
    public readonly storeName: string;

    constructor(name: string, args: TeamParameterStoreArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-secrets-abac:index:TeamParameterStore", name, {}, componentOptions("eks-secrets-abac:index:TeamParameterStore", opts));
        // Outputs only at the leaves, as in TeamSecretStore.
        const manifest = withCustomSessionTags(
            parameterStoreManifest<pulumi.Input<string>>({
                name: args.storeName,
                secretStoreName: args.secretStoreName,
                region: args.region,
                abacRoleArn: args.abacRoleArn,
                controller: args.controller,
            }),
            args.customSessionTags,
        );
        this.store = new k8s.apiextensions.CustomResource(
            `${name}-store`,
            { apiVersion: "external-secrets.io/v1", kind: "ClusterSecretStore", metadata: manifest.metadata, spec: manifest.spec },
            { parent: this, dependsOn: withDependencies(opts, []) },
        );
        this.storeName = args.storeName;
        this.registerOutputs({ storeName: this.storeName });
    }
}
