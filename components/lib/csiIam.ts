/**
 * The IAM documents of the CSI delivery mode (the Secrets Store CSI Driver
 * with the AWS provider, ASCP), as pure functions of plain strings.
 *
 * With ASCP the credentials are the pod's own: for a SecretProviderClass with
 * `usePodIdentity: "true"`, ASCP hands the Pod Identity agent the token the
 * kubelet requested for the mounting pod's service account, so the session
 * is the role associated with that service account, tagged by Pod Identity
 * with the pod's `kubernetes-namespace`, `kubernetes-service-account` and
 * `eks-cluster-name` (aws/secrets-store-csi-driver-provider-aws, chart 3.1.1,
 * `server/server.go` `Mount`; docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html).
 * So the CSI role keys on `aws:PrincipalTag/kubernetes-namespace`, the tag
 * AWS's published ASCP policy uses, and one role serves every team of a
 * cluster. It is not the ESO shared role: that one keys on `esoNamespace`,
 * and an ESO session's own `kubernetes-namespace` is ESO's namespace.
 */
import { NAMESPACE_TAG_KEY, POD_IDENTITY_SERVICE_PRINCIPAL } from "./constants";
import { abacPermissionPolicy, AbacPermissionArgs, AccountContext, PolicyDocument } from "./iam";

export interface CsiTrustArgs extends AccountContext {
    /** ARN of the EKS cluster whose pods may take the role. */
    clusterArn: string;
    /**
     * Namespaces whose pods must never take the role, whatever association
     * names it: ESO's (its controller would read secrets tagged with ESO's
     * namespace) and the driver's.
     */
    refusedNamespaces: string[];
}

/**
 * Trust policy of the CSI role: only EKS Pod Identity, only for this account
 * and this cluster (the controller role's pins: documented request tags and
 * `aws:SourceAccount`, docs/CONDITION_KEYS.md), never for a pod of a refused
 * namespace. Any team service account may take it once an association names
 * it: the association is the grant, the permission policy the boundary.
 * Pod Identity always tags the session, hence `sts:TagSession`.
 */
export function csiTrustPolicy(args: CsiTrustArgs): PolicyDocument {
    if (args.refusedNamespaces.length === 0) throw new Error("csiTrustPolicy: name at least ESO's namespace in refusedNamespaces");
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "EksPodIdentityForTeamPods",
                Effect: "Allow",
                Principal: { Service: POD_IDENTITY_SERVICE_PRINCIPAL },
                Action: ["sts:AssumeRole", "sts:TagSession"],
                Condition: {
                    StringEquals: {
                        "aws:SourceAccount": args.accountId,
                        "aws:RequestTag/eks-cluster-arn": args.clusterArn,
                    },
                    StringNotEquals: {
                        "aws:RequestTag/kubernetes-namespace": [...new Set(args.refusedNamespaces)].sort(),
                    },
                },
            },
        ],
    };
}

export type CsiPermissionArgs = Omit<AbacPermissionArgs, "namespaceSessionTag">;

/**
 * Permission policy of the CSI role: the shared role's document keyed on the
 * pod's own namespace tag instead of `esoNamespace`: a secret (and, with
 * `parameters`, a parameter) is readable when its `kubernetes-namespace` and
 * `eks-cluster-name` tags equal the session's, with `StringEquals`, and a
 * session without a namespace tag reads nothing.
 */
export function csiPermissionPolicy(args: CsiPermissionArgs): PolicyDocument {
    return abacPermissionPolicy({ ...args, namespaceSessionTag: NAMESPACE_TAG_KEY });
}
