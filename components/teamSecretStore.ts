import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { componentOptions } from "./lib/aliases";
import { withDependencies } from "./lib/dependencies";
import { customSessionTagProblems } from "./lib/identityValidation";
import type { ClusterIdentity } from "./lib/irsa";
import { withCustomSessionTags } from "./lib/irsa";
import { clusterSecretStoreManifest } from "./lib/manifests";
import { ConfigValidationError } from "./lib/validate";

export interface TeamSecretStoreArgs {
    /** Name of the ClusterSecretStore that every team's ExternalSecrets reference. */
    readonly storeName: string;
    readonly region: pulumi.Input<string>;
    readonly abacRoleArn: pulumi.Input<string>;
    /** How the cluster's ESO controller gets credentials: `"podIdentity"` or `"irsa"`. @default "podIdentity" */
    readonly clusterIdentity?: string;
    /**
     * Session tags beside ESO's own (`sessionTagsPolicy: Custom`); on IRSA
     * clusters `{ "eks-cluster-name": <cluster> }`. Refused on Pod Identity
     * clusters for any key Pod Identity already sets.
     */
    readonly customSessionTags?: Record<string, string>;
    /** ESO controller class that serves it (`spec.controller`), with several controllers. @default none */
    readonly controller?: string;
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
        const problems = customSessionTagProblems((args.clusterIdentity ?? "podIdentity") as ClusterIdentity, args.customSessionTags);
        if (problems.length > 0) throw new ConfigValidationError(problems);
        super("eks-secrets-abac:index:TeamSecretStore", name, {}, componentOptions("eks-secrets-abac:index:TeamSecretStore", opts));
        // Outputs only at the leaves: in a first preview the policy pack still reads sessionTagsPolicy.
        const manifest = withCustomSessionTags(
            clusterSecretStoreManifest<pulumi.Input<string>>({ name: args.storeName, region: args.region, abacRoleArn: args.abacRoleArn, controller: args.controller }),
            args.customSessionTags,
        );
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
