import * as pulumi from "@pulumi/pulumi";

/**
 * Earlier type tokens of each component, newest last. A resource's URN holds
 * its type token and Pulumi matches resources by URN: a component renamed
 * (or moved to another module) without its old token here would make every
 * user's next `pulumi up` replace it and all its children, secrets included.
 * When a component is renamed, add its old token to its list; never remove one.
 */
export const PREVIOUS_TYPE_TOKENS: Readonly<Record<string, readonly string[]>> = {
    "eks-secrets-abac:index:EksSecretsAbac": [],
    "eks-secrets-abac:index:SharedAbacRole": [],
    "eks-secrets-abac:index:EsoControllerRole": [],
    "eks-secrets-abac:index:EsoRelease": [],
    "eks-secrets-abac:index:PodIdentityAgent": [],
    "eks-secrets-abac:index:Team": [],
    "eks-secrets-abac:index:TeamSecretStore": [],
    "eks-secrets-abac:index:TeamParameterStore": [],
    "eks-secrets-abac:index:SecretsKmsKey": [],
    "eks-secrets-abac:index:CrossAccountSecretsAbac": [],
    "eks-secrets-abac:index:IrsaControllerRole": [],
    "eks-secrets-abac:index:OrgGuardrails": [],
    "eks-secrets-abac:index:CsiRole": [],
    "eks-secrets-abac:index:SecretsStoreCsiDriver": [],
};

/** The caller's options plus an alias for each earlier type token of `type`; the caller's own aliases are kept. */
export function componentOptions(type: string, opts: pulumi.ComponentResourceOptions | undefined): pulumi.ComponentResourceOptions {
    const previous = PREVIOUS_TYPE_TOKENS[type];
    if (previous === undefined) {
        throw new Error(`${type} has no entry in PREVIOUS_TYPE_TOKENS`);
    }
    if (previous.length === 0) {
        return opts ?? {};
    }
    return pulumi.mergeOptions(opts, { aliases: previous.map((t) => ({ type: t })) });
}
