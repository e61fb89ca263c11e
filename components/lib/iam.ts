/**
 * The IAM documents of the design, as pure functions of plain strings.
 *
 * None of them mentions a team: onboarding a team changes no IAM document.
 * The components render them, the access matrix evaluates them and the plan
 * prints them, so all three see the same bytes.
 */
import {
    CLUSTER_TAG_KEY,
    DEFAULT_ESO_SERVICE_ACCOUNT,
    ESO_NAMESPACE_SESSION_TAG,
    NAMESPACE_TAG_KEY,
    POD_IDENTITY_SERVICE_PRINCIPAL,
    SECRET_READ_ACTIONS,
} from "./constants";
import { decryptThroughServiceStatements } from "./kms";
import { parameterReadStatement } from "./parameterStore";
import { tagMismatchDenyStatements } from "./tagDeny";

export type ConditionBlock = Record<string, Record<string, string | string[]>>;

export interface PolicyStatement {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Principal?: "*" | Record<string, string | string[]>;
    Action: string | string[];
    Resource?: string | string[];
    Condition?: ConditionBlock;
}

export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: PolicyStatement[];
}

/** Where the documents live: one account, one partition. */
export interface AccountContext {
    partition: string;
    accountId: string;
}

export interface ControllerTrustArgs extends AccountContext {
    /** ARN of the EKS cluster whose Pod Identity agent may assume the role. */
    clusterArn: string;
    /** Namespace of the ESO controller. */
    esoNamespace: string;
    /** Service account of the ESO controller. */
    esoServiceAccount: string;
}

/**
 * Trust policy of the ESO controller role: only EKS Pod Identity, only for
 * this account, this cluster and ESO's own namespace and service account.
 * Only keys AWS documents for Pod Identity (docs/CONDITION_KEYS.md): the
 * request tags Pod Identity sets on its AssumeRole call
 * (docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html,
 * pod-id-role.html) and `aws:SourceAccount`. Not `aws:SourceArn`: AWS
 * documents no value of it for Pod Identity, and the cluster's ARN is not
 * one. Pod Identity always tags the session, hence `sts:TagSession`.
 */
export function controllerTrustPolicy(args: ControllerTrustArgs): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "EksPodIdentityForEsoController",
                Effect: "Allow",
                Principal: { Service: POD_IDENTITY_SERVICE_PRINCIPAL },
                Action: ["sts:AssumeRole", "sts:TagSession"],
                Condition: {
                    StringEquals: {
                        "aws:SourceAccount": args.accountId,
                        "aws:RequestTag/eks-cluster-arn": args.clusterArn,
                        "aws:RequestTag/kubernetes-namespace": args.esoNamespace,
                        "aws:RequestTag/kubernetes-service-account": args.esoServiceAccount,
                    },
                },
            },
        ],
    };
}

/**
 * The controller role's only permission: assume the shared ABAC role with
 * session tags. No Secrets Manager action, so a store without `role` reads
 * nothing.
 */
export function controllerPermissionPolicy(abacRoleArn: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "AssumeSharedAbacRoleWithTags",
                Effect: "Allow",
                Action: ["sts:AssumeRole", "sts:TagSession"],
                Resource: abacRoleArn,
            },
        ],
    };
}

export interface AbacTrustArgs extends AccountContext {
    /** Controller roles (one per cluster) that may assume the shared role. */
    controllerRoleArns: string[];
    /** The clusters whose Pod Identity sessions may chain in (their `eks-cluster-arn` tag). */
    clusterArns: string[];
    /** ESO's service account on those clusters. @default ["external-secrets"] */
    esoServiceAccounts?: string[];
}

const oneOrMany = (values: string[]): string | string[] => {
    const sorted = [...new Set(values)].sort();
    return sorted.length === 1 ? sorted[0] : sorted;
};

/**
 * Trust policy of the shared ABAC role. The account is the principal and the
 * controller roles are named in `aws:PrincipalArn`: a role ARN used directly
 * as Principal turns into a unique ID, and breaks silently when that role is
 * replaced; the condition keeps matching by name. The chained session must
 * also carry the transitive Pod Identity tags of one of our clusters and of
 * ESO's service account (`aws:PrincipalTag/...`: session tags are principal
 * tags of the calling session), so a controller role assumed any other way
 * gets nothing. The empty `esoNamespace` of ESO's store validation must
 * still be accepted, so no ESO tag is required here; the permission policy
 * refuses it instead.
 */
export function abacTrustPolicy(args: AbacTrustArgs): PolicyDocument {
    if (args.controllerRoleArns.length === 0) {
        throw new Error("abacTrustPolicy: at least one controller role ARN is required");
    }
    if (args.clusterArns.length === 0) {
        throw new Error("abacTrustPolicy: at least one cluster ARN is required");
    }
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "EsoControllerAssumesWithSessionTags",
                Effect: "Allow",
                Principal: { AWS: `arn:${args.partition}:iam::${args.accountId}:root` },
                Action: ["sts:AssumeRole", "sts:TagSession"],
                Condition: {
                    ArnEquals: { "aws:PrincipalArn": oneOrMany(args.controllerRoleArns) },
                    StringEquals: {
                        "aws:PrincipalTag/eks-cluster-arn": oneOrMany(args.clusterArns),
                        "aws:PrincipalTag/kubernetes-service-account": oneOrMany(args.esoServiceAccounts ?? [DEFAULT_ESO_SERVICE_ACCOUNT]),
                    },
                },
            },
        ],
    };
}

export interface AbacPermissionArgs extends AccountContext {
    /** Region of the secrets; the shared role reads no other region's. */
    region: string;
    /** Customer-managed KMS keys of the secrets, decrypted only through Secrets Manager (and Parameter Store). */
    kmsKeyArns?: string[];
    /** Also read the account's tagged SSM parameters (see `parameterReadStatement`). */
    parameters?: boolean;
    /**
     * The session tag that carries the reader's namespace: ESO's
     * `esoNamespace` for the shared role; the pod's own `kubernetes-namespace`
     * (set by Pod Identity) for the CSI role (csiIam.ts).
     * @default ESO_NAMESPACE_SESSION_TAG
     */
    namespaceSessionTag?: string;
}

/**
 * Permission policy of the shared ABAC role: a secret is readable when its
 * namespace tag equals the session's `esoNamespace` and its cluster tag
 * equals the session's `eks-cluster-name`. `StringEquals`, never
 * `StringLike`: with a wildcard match, team `a` would read `a-admin`.
 * A non-empty `esoNamespace` is required as well, so the store-validation
 * session (`esoNamespace=""`) reads nothing even if a secret has an empty tag.
 * Explicit Deny statements follow (tagDeny.ts): without them a same-account
 * resource policy that allows `Principal: "*"` would grant any session.
 */
export function abacPermissionPolicy(args: AbacPermissionArgs): PolicyDocument {
    const sessionTag = args.namespaceSessionTag ?? ESO_NAMESPACE_SESSION_TAG;
    const statements: PolicyStatement[] = [
        {
            Sid: "ReadSecretsOfTheCallersNamespaceAndCluster",
            Effect: "Allow",
            Action: [...SECRET_READ_ACTIONS],
            Resource: `arn:${args.partition}:secretsmanager:${args.region}:${args.accountId}:secret:*`,
            Condition: {
                StringEquals: {
                    [`secretsmanager:ResourceTag/${NAMESPACE_TAG_KEY}`]: `\${aws:PrincipalTag/${sessionTag}}`,
                    [`secretsmanager:ResourceTag/${CLUSTER_TAG_KEY}`]: `\${aws:PrincipalTag/${CLUSTER_TAG_KEY}}`,
                },
                StringLike: {
                    [`aws:PrincipalTag/${sessionTag}`]: "?*",
                },
            },
        },
    ];
    if (args.parameters) statements.push(parameterReadStatement(args, sessionTag));
    statements.push(
        ...decryptThroughServiceStatements({
            ...args,
            keyArns: args.kmsKeyArns ?? [],
            services: args.parameters ? ["secretsmanager", "ssm"] : ["secretsmanager"],
        }),
    );
    statements.push(...tagMismatchDenyStatements(args.partition, sessionTag));
    return { Version: "2012-10-17", Statement: statements };
}

/** ARN of a role from its name, so that documents can name roles declared elsewhere. */
export function roleArn(ctx: AccountContext, roleName: string): string {
    return `arn:${ctx.partition}:iam::${ctx.accountId}:role/${roleName}`;
}

/** ARN of an EKS cluster from its name, for trusts that pin clusters declared elsewhere. */
export function eksClusterArn(ctx: AccountContext & { region: string }, clusterName: string): string {
    return `arn:${ctx.partition}:eks:${ctx.region}:${ctx.accountId}:cluster/${clusterName}`;
}

/** IAM documents are compared and measured as this exact serialisation. */
export function renderPolicy(doc: PolicyDocument): string {
    return JSON.stringify(doc);
}
