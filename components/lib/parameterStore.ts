/**
 * SSM Parameter Store through the same shared role, as pure functions: the
 * read statement, the second ClusterSecretStore, parameter names.
 *
 * The shared role may call `ssm:GetParameter` and `ssm:GetParameters` only,
 * on a parameter whose tags name the caller's namespace and cluster. It
 * never gets `ssm:GetParametersByPath` (authorised on the path, not on the
 * tags of the parameters it returns) nor `ssm:DescribeParameters` (no
 * resource at all): either would reveal other teams' parameters.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssystemsmanager.html
 */
import { CLUSTER_TAG_KEY, ESO_NAMESPACE_SESSION_TAG, NAMESPACE_TAG_KEY } from "./constants";
import type { PolicyStatement } from "./iam";
import { parameterArnSpace, SecretsAccountContext } from "./kms";
import { clusterSecretStoreManifest } from "./manifests";

/** The only Parameter Store actions the shared role is granted. */
export const PARAMETER_READ_ACTIONS = ["ssm:GetParameter", "ssm:GetParameters"] as const;

/** Actions that must never be granted: they read by path or list, not by tag. */
export const PARAMETER_FORBIDDEN_ACTIONS = ["ssm:GetParametersByPath", "ssm:DescribeParameters"] as const;

/** Default name of the Parameter Store ClusterSecretStore. */
export const DEFAULT_PARAMETER_STORE_NAME = "team-parameters";

/**
 * A parameter is readable when its namespace tag equals the session's
 * `esoNamespace` and its cluster tag the session's cluster, exactly as for
 * secrets. Parameter Store authorises tags with the global
 * `aws:ResourceTag/<key>` key.
 */
export function parameterReadStatement(ctx: SecretsAccountContext, namespaceSessionTag: string = ESO_NAMESPACE_SESSION_TAG): PolicyStatement {
    return {
        Sid: "ReadParametersOfTheCallersNamespaceAndCluster",
        Effect: "Allow",
        Action: [...PARAMETER_READ_ACTIONS],
        Resource: parameterArnSpace(ctx),
        Condition: {
            StringEquals: {
                [`aws:ResourceTag/${NAMESPACE_TAG_KEY}`]: `\${aws:PrincipalTag/${namespaceSessionTag}}`,
                [`aws:ResourceTag/${CLUSTER_TAG_KEY}`]: `\${aws:PrincipalTag/${CLUSTER_TAG_KEY}}`,
            },
            StringLike: {
                [`aws:PrincipalTag/${namespaceSessionTag}`]: "?*",
            },
        },
    };
}

/**
 * Full Parameter Store name of a team parameter: `/<prefix><namespace>/<name>`.
 * The leading `/` makes it hierarchical, as Parameter Store wants when a
 * name contains `/`.
 */
export function parameterFullName(prefix: string, namespace: string, name: string): string {
    return `/${prefix}${namespace}/${name}`;
}

/** `S` as in `ClusterSecretStoreArgs`: `pulumi.Input<string>` in the components. */
export interface ParameterStoreManifestArgs<S = string> {
    /** Name of this store. */
    name: string;
    /** Name of the Secrets Manager store: its namespace label also admits namespaces here. */
    secretStoreName: string;
    region: S;
    abacRoleArn: S;
    /** `spec.controller`, as the Secrets Manager store's. @default none */
    controller?: string;
}

/**
 * The Parameter Store ClusterSecretStore: the Secrets Manager store's
 * manifest with `service: ParameterStore`, so both assume the same role with
 * the same `sessionTagsPolicy: Simple` and serve the same labelled
 * namespaces. Onboarding a team labels its namespace once for both.
 */
export function parameterStoreManifest<S = string>(args: ParameterStoreManifestArgs<S>) {
    const base = clusterSecretStoreManifest<S>({ name: args.secretStoreName, region: args.region, abacRoleArn: args.abacRoleArn, controller: args.controller });
    return {
        ...base,
        metadata: { ...base.metadata, name: args.name },
        spec: { ...base.spec, provider: { aws: { ...base.spec.provider.aws, service: "ParameterStore" } } },
    };
}

/**
 * Points the given `data` entries of an ExternalSecret spec at the
 * Parameter Store store (`sourceRef.storeRef`); the others keep the
 * ExternalSecret's own store.
 */
export function withParameterSources<T extends { spec: Record<string, unknown> }>(manifest: T, parameterItems: Set<number>, storeName: string): T {
    const data = manifest.spec.data as Record<string, unknown>[] | undefined;
    if (data === undefined || parameterItems.size === 0) return manifest;
    return {
        ...manifest,
        spec: {
            ...manifest.spec,
            data: data.map((item, i) =>
                parameterItems.has(i) ? { ...item, sourceRef: { storeRef: { kind: "ClusterSecretStore", name: storeName } } } : item,
            ),
        },
    };
}
