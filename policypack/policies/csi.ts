/**
 * The CSI delivery mode: the Secrets Store CSI Driver with the AWS provider
 * (ASCP) and EKS Pod Identity. Each pod mounts with its own service account's
 * identity, so the CSI role keys on the pod's own Pod Identity session tags
 * (`aws:PrincipalTag/kubernetes-namespace`, `eks-cluster-name`), never on
 * ESO's `esoNamespace`, and ESO must never use it: an ESO session's
 * `kubernetes-namespace` is ESO's own namespace.
 */
import type { PolicyResource } from "@pulumi/policy";
import { CLUSTER_TAG_KEY, ESO_NAMESPACE_SESSION_TAG, NAMESPACE_TAG_KEY, POD_IDENTITY_SERVICE_PRINCIPAL } from "../lib/constants";
import { isRecord, isUnknown, plain } from "../lib/values";
import { resourcePolicy, stackPolicy } from "./define";
import { permissionDocuments, PERMISSION_TYPES, trustDocument } from "./documents";
import { ConditionEntry, labels, resourceTagConditions, resourceTagKey, Statement } from "./iamDocuments";
import { RoleModel, stackModel } from "./stackModel";
import { isEsoChart } from "./eso";
import { TYPES } from "./types";

const ASCP_POD_IDENTITY_DOCS = "https://docs.aws.amazon.com/secretsmanager/latest/userguide/ascp-pod-identity-integration.html";
const POD_ID_ABAC_DOCS = "https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html";
const POD_IDENTITY = `Service:${POD_IDENTITY_SERVICE_PRINCIPAL}`;

/** SecretProviderClass of both served versions of the driver's CRD (secretproviderclasses.crd.yaml: v1, v1alpha1), and its SSA patch. */
const SPC_TYPE = /^kubernetes:secrets-store\.csi\.x-k8s\.io\/(v1|v1alpha1):SecretProviderClass(Patch)?$/;

export function isSecretProviderClassType(type: string): boolean {
    return SPC_TYPE.test(type);
}

/**
 * What ASCP reads as true: `strconv.ParseBool` (server/server.go `Mount`,
 * chart 3.1.1). Anything else, absence included, is `false`, and ASCP then
 * takes IRSA: the role named by the service account's
 * `eks.amazonaws.com/role-arn` annotation (`resolveCredentials`, `getRoleARN`).
 */
const PARSE_BOOL_TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);

export const csiSecretProviderClassRequiresPodIdentity = resourcePolicy({
    name: "csi-secret-provider-class-requires-pod-identity",
    displayName: "ASCP SecretProviderClasses use Pod Identity",
    description:
        'A SecretProviderClass with provider aws that does not set parameters.usePodIdentity: "true": ASCP then uses IRSA, taking the role from the service account\'s eks.amazonaws.com/role-arn annotation, which a tenant with edit may set, and the session carries none of the Pod Identity tags the CSI role keys on.',
    enforcementLevel: "mandatory",
    severity: "high",
    url: ASCP_POD_IDENTITY_DOCS,
    remediationSteps:
        'Set spec.parameters.usePodIdentity: "true" (a string) on the SecretProviderClass. On an IRSA cluster, exempt its SecretProviderClasses by name with excludeFor.',
    types: isSecretProviderClassType,
    validate: (subject) => {
        const spec = subject.props.spec;
        if (isUnknown(spec)) return subject.undecided.add("spec");
        if (!isRecord(spec)) return;
        if (isUnknown(spec.provider)) return subject.undecided.add("spec.provider");
        if (spec.provider !== "aws") return;
        const parameters = spec.parameters;
        if (isUnknown(parameters)) return subject.undecided.add("spec.parameters");
        const value = isRecord(parameters) ? parameters.usePodIdentity : undefined;
        if (isUnknown(value)) return subject.undecided.add("spec.parameters.usePodIdentity");
        if (typeof value === "string" && PARSE_BOOL_TRUE.has(value)) return;
        const got = value === undefined ? "does not set usePodIdentity" : typeof value === "string" ? `sets usePodIdentity: "${value}"` : `sets usePodIdentity to a ${typeof value}, which the CRD (map of strings) refuses`;
        subject.report(
            `SecretProviderClass '${subject.name}' ${got}: ASCP falls back to IRSA and takes whatever role the service account's annotation names. Set spec.parameters.usePodIdentity: "true".`,
        );
    },
});

/** The principal tag a `${aws:PrincipalTag/<key>}` value names, lower-cased (IAM tag keys are case-insensitive); undefined for anything else. */
function principalTag(value: string): string | undefined {
    return principalTagAsWritten(value)?.toLowerCase();
}

function principalTagAsWritten(value: string): string | undefined {
    return /^\$\{aws:PrincipalTag\/([^}]+)\}$/i.exec(value)?.[1];
}

/** The session tags each resource tag may be compared with: the session's own namespace (ESO's or the pod's) and cluster. */
const NAMESPACE_SESSION_TAGS = new Set([ESO_NAMESPACE_SESSION_TAG.toLowerCase(), NAMESPACE_TAG_KEY]);

function namespaceConditions(statements: Statement[]): { statement: Statement; c: ConditionEntry }[] {
    return statements.flatMap((statement) => resourceTagConditions(statement).filter((c) => resourceTagKey(c).toLowerCase() === NAMESPACE_TAG_KEY).map((c) => ({ statement, c })));
}

/** Problems of one document: a namespace or cluster tag compared with a session tag the pod or tenant chooses, or the namespace keyed on two session tags. */
export function sessionTagKeyProblems(statements: Statement[]): string[] {
    const problems: string[] = [];
    const namespaceKeys = new Map<string, string>();
    for (const s of statements) {
        for (const c of resourceTagConditions(s)) {
            if (c.unknown) continue;
            const key = resourceTagKey(c).toLowerCase();
            for (const written of c.values.map(principalTagAsWritten).filter((t): t is string => t !== undefined)) {
                const tag = written.toLowerCase();
                if (key === NAMESPACE_TAG_KEY) {
                    if (NAMESPACE_SESSION_TAGS.has(tag)) namespaceKeys.set(tag, written);
                    else problems.push(`${s.label} compares ${c.key} with aws:PrincipalTag/${written}, which the pod's owner chooses (a pod or service account named after another team reads its secrets)`);
                } else if (key === CLUSTER_TAG_KEY && tag !== CLUSTER_TAG_KEY) {
                    problems.push(`${s.label} compares ${c.key} with aws:PrincipalTag/${written} instead of aws:PrincipalTag/${CLUSTER_TAG_KEY}`);
                }
            }
        }
    }
    if (namespaceKeys.size > 1) {
        problems.push(`it keys the ${NAMESPACE_TAG_KEY} tag on both ${[...namespaceKeys.values()].map((k) => `aws:PrincipalTag/${k}`).join(" and ")}: an ESO session's kubernetes-namespace is ESO's own namespace, so give ESO's shared role and the CSI role one document each`);
    }
    return problems;
}

/** Namespace conditions keyed on ESO's tag, which no pod session carries. */
function esoKeyed(statements: Statement[]): Statement[] {
    return namespaceConditions(statements)
        .filter(({ c }) => c.values.some((v) => principalTag(v) === ESO_NAMESPACE_SESSION_TAG.toLowerCase()))
        .map((e) => e.statement);
}

export const abacPolicyKeysOnSessionNamespace = resourcePolicy({
    name: "iam-abac-policy-keys-on-session-namespace",
    displayName: "ABAC policies key the namespace on the session's namespace tag",
    description:
        "An ABAC permission policy compares the kubernetes-namespace resource tag with a principal tag other than esoNamespace (ESO's shared role) or kubernetes-namespace (the CSI role), such as kubernetes-service-account or kubernetes-pod-name, which a tenant names freely; or the cluster tag with anything but eks-cluster-name; or keys one document on both namespace tags; or a role that pods take through Pod Identity carries an inline document keyed on esoNamespace, which no pod session has.",
    enforcementLevel: "mandatory",
    severity: "critical",
    url: POD_ID_ABAC_DOCS,
    remediationSteps:
        "Compare secretsmanager:ResourceTag/kubernetes-namespace with ${aws:PrincipalTag/kubernetes-namespace} in the CSI role's policy and with ${aws:PrincipalTag/esoNamespace} in ESO's shared role's, and eks-cluster-name with ${aws:PrincipalTag/eks-cluster-name}.",
    types: PERMISSION_TYPES,
    validate: (subject) => {
        // A role's own trust and inline documents decide the Pod Identity case here, before the role exists; a RolePolicy's is joined by csi-role-policy-keys-on-pod-tags.
        const trust = trustDocument(subject.type, subject.props)?.doc;
        const podRole = trust?.kind === "ok" && trust.statements.some((s) => s.effect === "Allow" && s.principals.includes(POD_IDENTITY));
        for (const { where, doc } of permissionDocuments(subject.type, subject.props)) {
            if (doc.kind === "unknown") subject.undecided.add(where);
            if (doc.kind !== "ok") continue;
            const problems = sessionTagKeyProblems(doc.statements);
            const eso = podRole ? esoKeyed(doc.statements) : [];
            if (eso.length > 0) problems.push(`the role is taken by pods through EKS Pod Identity, but ${labels(eso)} key the namespace on aws:PrincipalTag/${ESO_NAMESPACE_SESSION_TAG}, a tag no pod session carries: key it on aws:PrincipalTag/${NAMESPACE_TAG_KEY}`);
            if (problems.length > 0) subject.report(`'${subject.name}' ${where}: ${problems.join("; ")}.`);
            else if (doc.statements.some((s) => s.unknown)) subject.undecided.add(`${where} (a statement holds an unknown value)`);
        }
    },
});

/** Whether a document compares the namespace resource tag with the pod's own tag (any case): a CSI role's document. */
export function keysNamespaceOnPodTag(statements: Statement[]): boolean {
    return namespaceConditions(statements).some(({ c }) => c.values.some((v) => principalTag(v) === NAMESPACE_TAG_KEY));
}

/** Whether a role's permissions key the namespace on the pod's own tag: the CSI role. */
export function isCsiStyleRole(role: RoleModel): boolean {
    return role.permissions.some((p) => p.doc.kind === "ok" && keysNamespaceOnPodTag(p.doc.statements));
}

/** Whether pods take the role directly through EKS Pod Identity. */
function podIdentityTrusted(role: RoleModel): boolean {
    return role.trust.kind === "ok" && role.trust.statements.some((s) => s.effect === "Allow" && s.principals.includes(POD_IDENTITY));
}

export const csiRolePolicyKeysOnPodTags = stackPolicy({
    name: "csi-role-policy-keys-on-pod-tags",
    displayName: "A role pods take directly keys on the pod's own tags",
    description:
        "A role that EKS Pod Identity gives to pods directly (as ASCP does) reads secrets through a RolePolicy or attached policy whose namespace condition keys on esoNamespace: a pod's session carries only Pod Identity's tags, so such a policy is ESO's, applied to the wrong role.",
    enforcementLevel: "mandatory",
    severity: "high",
    url: POD_ID_ABAC_DOCS,
    remediationSteps: "Build the CSI role's permission from the pod's tags: StringEquals secretsmanager:ResourceTag/kubernetes-namespace = ${aws:PrincipalTag/kubernetes-namespace} and eks-cluster-name = ${aws:PrincipalTag/eks-cluster-name}.",
    validate: ({ resources, report, undecided }) => {
        for (const role of stackModel(resources).roles) {
            if (role.trust.kind === "unknown") {
                if (role.permissions.some((p) => p.doc.kind === "ok" && namespaceConditions(p.doc.statements).some(({ c }) => c.values.some((v) => principalTag(v) === ESO_NAMESPACE_SESSION_TAG.toLowerCase())))) {
                    undecided(role.resource, "assumeRolePolicy");
                }
                continue;
            }
            if (!podIdentityTrusted(role)) continue;
            for (const p of role.permissions) {
                // The role's own inline documents are judged before it exists, by iam-abac-policy-keys-on-session-namespace.
                if (p.source === role.resource) continue;
                if (p.doc.kind === "unknown") undecided(p.source, p.where);
                if (p.doc.kind !== "ok") continue;
                const eso = esoKeyed(p.doc.statements);
                if (eso.length > 0) {
                    report(
                        role.resource,
                        `Role '${role.resource.name}' is taken by pods through EKS Pod Identity, but '${p.source.name}' ${p.where} keys the namespace on aws:PrincipalTag/${ESO_NAMESPACE_SESSION_TAG} (${labels(eso)}), a tag no pod session carries: key it on aws:PrincipalTag/${NAMESPACE_TAG_KEY}.`,
                    );
                }
            }
        }
    },
});

interface Association {
    resource: PolicyResource;
    props: Record<string, any>;
    /** Roles named by roleArn and targetRoleArn (cross-account), by dependency or by ARN or name. */
    roles: RoleModel[];
}

function associations(resources: PolicyResource[]): Association[] {
    const model = stackModel(resources);
    const byUrn = new Map(model.roles.map((r) => [r.resource.urn, r]));
    const byRef = new Map<string, RoleModel>();
    for (const r of model.roles) {
        for (const ref of [r.props.arn, r.props.name]) if (typeof ref === "string" && ref !== "" && !isUnknown(ref)) byRef.set(ref, r);
    }
    return resources
        .filter((r) => r.type === TYPES.podIdentityAssociation)
        .map((resource) => {
            const props = plain(resource.props) as Record<string, any>;
            const roles = new Set<RoleModel>();
            for (const property of ["roleArn", "targetRoleArn"]) {
                for (const d of resource.propertyDependencies?.[property] ?? []) {
                    const role = byUrn.get(d.urn);
                    if (role) roles.add(role);
                }
                const ref = props[property];
                if (typeof ref === "string" && !isUnknown(ref)) {
                    const role = byRef.get(ref) ?? byRef.get(ref.replace(/^arn:[^:]+:iam::\d+:role\/(.*\/)?/, ""));
                    if (role) roles.add(role);
                }
            }
            return { resource, props, roles: [...roles] };
        });
}

export const csiRoleAssociationKeepsSessionTags = stackPolicy({
    name: "csi-role-association-keeps-session-tags",
    displayName: "Associations of the CSI role keep session tags",
    description:
        "A Pod Identity association gives pods a role whose permission keys on aws:PrincipalTag/kubernetes-namespace (the CSI role) with disableSessionTags: the session has no namespace or cluster tag, so the role's reads are denied at best, and a role keyed on tags must never run without them.",
    enforcementLevel: "mandatory",
    severity: "high",
    url: POD_ID_ABAC_DOCS,
    remediationSteps: "Remove disableSessionTags (or set it to false) on the association.",
    validate: ({ resources, report, undecided }) => {
        for (const a of associations(resources)) {
            const csi = a.roles.filter(isCsiStyleRole);
            if (csi.length === 0) continue;
            if (isUnknown(a.props.disableSessionTags)) undecided(a.resource, "disableSessionTags");
            else if (a.props.disableSessionTags === true) {
                report(
                    a.resource,
                    `Pod Identity association '${a.resource.name}' gives CSI role '${csi[0].resource.name}' (keyed on aws:PrincipalTag/${NAMESPACE_TAG_KEY}) with disableSessionTags: its sessions carry no namespace tag. Remove disableSessionTags.`,
                );
            }
        }
    },
});

/** The namespace ESO's chart documents installing into. */
const DEFAULT_ESO_NAMESPACES = ["external-secrets"];

/**
 * ESO's namespaces: those of the ESO releases in the stack, and the configured ones
 * (the SDK's getConfig returns no schema default when the policy has no config, server.js makeGetConfigFun).
 */
function esoNamespaces(resources: PolicyResource[], configured: unknown, undecided: (r: PolicyResource, path: string) => void): Set<string> {
    const found = new Set<string>(Array.isArray(configured) ? configured.filter((n): n is string => typeof n === "string") : DEFAULT_ESO_NAMESPACES);
    for (const r of resources) {
        const props = plain(r.props) as Record<string, any>;
        if (!isEsoChart(r.type, props)) continue;
        if (isUnknown(props.namespace)) undecided(r, "namespace");
        else if (typeof props.namespace === "string" && props.namespace !== "") found.add(props.namespace);
    }
    return found;
}

export const csiRoleDisallowEsoUse = stackPolicy<{ esoNamespaces?: string[] }>({
    name: "csi-role-disallow-eso-use",
    displayName: "ESO never uses the CSI role",
    description:
        "The CSI role (its permission keys on aws:PrincipalTag/kubernetes-namespace) is associated with a service account in ESO's namespace, or an ESO store assumes it: an ESO session's kubernetes-namespace is ESO's own namespace, not the team's, so ESO reads with the wrong namespace for every team.",
    enforcementLevel: "mandatory",
    severity: "critical",
    url: POD_ID_ABAC_DOCS,
    remediationSteps: "Associate ESO's controller with its own controller role, and point stores at ESO's shared role (keyed on esoNamespace); keep the CSI role for team service accounts only.",
    configSchema: {
        properties: {
            esoNamespaces: {
                type: "array",
                items: { type: "string" },
                default: DEFAULT_ESO_NAMESPACES,
                description: "ESO's namespaces beside those of the ESO Helm releases in the stack.",
            },
        },
    },
    validate: ({ resources, report, undecided }, config) => {
        const esoNs = esoNamespaces(resources, config.esoNamespaces, undecided);
        for (const a of associations(resources)) {
            const csi = a.roles.filter(isCsiStyleRole);
            if (csi.length === 0) continue;
            if (isUnknown(a.props.namespace)) undecided(a.resource, "namespace");
            else if (esoNs.has(a.props.namespace)) {
                report(
                    a.resource,
                    `Pod Identity association '${a.resource.name}' gives CSI role '${csi[0].resource.name}' to a service account of ESO's namespace '${a.props.namespace}': ESO's sessions carry kubernetes-namespace=${a.props.namespace}, not the team's. Associate ESO with its controller role.`,
                );
            }
        }
        for (const store of stackModel(resources).stores) {
            const csi = store.roles.filter(isCsiStyleRole);
            if (csi.length > 0) {
                report(
                    store.resource,
                    `Store '${store.resource.name}' assumes CSI role '${csi[0].resource.name}': a chained ESO session's kubernetes-namespace is ESO's namespace, so the role's namespace condition no longer names the team. Point the store at ESO's shared role.`,
                );
            }
        }
    },
});
