/**
 * The grant surface: every resource type of the services that can grant,
 * extend or copy access to a secret's or parameter's value, as the installed
 * SDKs define them (@pulumi/aws 7.48.0, @pulumi/kubernetes 4.34.2; each
 * resource class carries its type token as `__pulumiType`), each classified:
 *
 * - `modelled`: the principal check reads it (`where` names the code);
 * - `cannot grant`: no principal gains a read of a team value through it
 *   (`reason` says why);
 * - `not evaluated`: it can grant, and the check does not read it: a stack
 *   holding one is not decided for the principals it touches.
 *
 * tests/grantSurface.test.ts enumerates the SDKs and fails on a type of these
 * services missing here, and on a row the SDKs do not have.
 */
import { UNKNOWN } from "../inputs/resources";
import type { StackResource } from "../inputs";
import { chartRbac } from "./reach/chartRbac";

export type Classification =
    | { class: "modelled"; where: string }
    | { class: "cannot grant"; reason: string }
    | { class: "not evaluated"; reason: string };

/** The services of the surface: `aws:<module>/...` tokens; for lambda and ec2 only the types that carry a role (see ROLE_CARRIERS). */
export const SURFACE_AWS_MODULES = ["iam", "ssoadmin", "identitystore", "kms", "secretsmanager", "ssm", "eks", "organizations", "rolesanywhere"] as const;
export const ROLE_CARRIER_MODULES = ["lambda", "ec2"] as const;
export const SURFACE_K8S_GROUP = "rbac.authorization.k8s.io";
/** An input of a lambda or ec2 type whose name says it hands a role or an instance profile to what runs there. */
export const ROLE_INPUT = /role|instanceProfile/i;

const modelled = (where: string): Classification => ({ class: "modelled", where });
const cannot = (reason: string): Classification => ({ class: "cannot grant", reason });
const notEvaluated = (reason: string): Classification => ({ class: "not evaluated", reason });

const P = "principalDocuments.ts collectPrincipals";
const LENDS =
    "it hands an existing role to what runs there (instances, functions, pods, a service); what that role reads is decided as the role's own documents, a principal of the check when the stack declares it";
const K8S_SIDE = "it gives Kubernetes access (reading the Kubernetes Secrets ESO writes) that this check does not evaluate";

const AWS_ROWS: Record<string, Classification> = {
    // IAM: principals and their documents.
    "aws:iam/role:Role": modelled(`${P}: a principal (inlinePolicies, managedPolicyArns, permissionsBoundary, tags, trust's sts:TagSession)`),
    "aws:iam/user:User": modelled(`${P}: a principal`),
    "aws:iam/group:Group": modelled(`${P}: a principal, evaluated as a member`),
    "aws:iam/policy:Policy": modelled(`${P}: the document its attachments resolve to`),
    "aws:iam/rolePolicy:RolePolicy": modelled(`${P}: inline document of its role (a role outside the stack becomes a principal of its own)`),
    "aws:iam/userPolicy:UserPolicy": modelled(`${P}: inline document of its user`),
    "aws:iam/groupPolicy:GroupPolicy": modelled(`${P}: inline document of its group`),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": modelled(`${P}: attached document`),
    "aws:iam/userPolicyAttachment:UserPolicyAttachment": modelled(`${P}: attached document`),
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": modelled(`${P}: attached document`),
    "aws:iam/policyAttachment:PolicyAttachment": modelled(`${P}: attached to every role, user and group it lists`),
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": modelled(`${P}: attaches every ARN in policyArns (terraform-provider-aws iam/role_policy_attachments_exclusive.go syncAttachments)`),
    "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive": modelled(`${P}: attaches every ARN in policyArns`),
    "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive": modelled(`${P}: attaches every ARN in policyArns (group_policy_attachments_exclusive.go)`),
    "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive": modelled(`${P}: a listed inline policy name the stack does not declare is a document the role holds outside the stack: not decided`),
    "aws:iam/userPoliciesExclusive:UserPoliciesExclusive": modelled(`${P}: as RolePoliciesExclusive, for a user`),
    "aws:iam/groupPoliciesExclusive:GroupPoliciesExclusive": modelled(`${P}: as RolePoliciesExclusive, for a group (group_policies_exclusive.go)`),
    "aws:iam/groupMembership:GroupMembership": modelled(`${P}: members hold the group's documents; a group outside the stack leaves the member not decided`),
    "aws:iam/userGroupMembership:UserGroupMembership": modelled(`${P}: as GroupMembership`),
    "aws:iam/instanceProfile:InstanceProfile": cannot(LENDS),
    "aws:iam/serviceLinkedRole:ServiceLinkedRole": cannot("only the AWS service it is linked to can assume it, with the permissions AWS defines for that service (IAM user guide, service-linked roles)"),
    "aws:iam/accessKey:AccessKey": cannot("credentials of a user: they carry that user's documents, decided as the user"),
    "aws:iam/userLoginProfile:UserLoginProfile": cannot("a console password of a user: it carries that user's documents"),
    "aws:iam/serviceSpecificCredential:ServiceSpecificCredential": cannot("a user's credential for one service (CodeCommit, Keyspaces, Bedrock); it carries that user's documents"),
    "aws:iam/signingCertificate:SigningCertificate": cannot("a user's signing certificate; it carries that user's documents"),
    "aws:iam/sshKey:SshKey": cannot("a user's SSH key for CodeCommit"),
    "aws:iam/virtualMfaDevice:VirtualMfaDevice": cannot("an MFA device: it authenticates, it grants no permission"),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": cannot("an identity provider: it grants nothing until a role's trust names it, and that role is decided as a principal"),
    "aws:iam/samlProvider:SamlProvider": cannot("an identity provider, as an OIDC provider"),
    "aws:iam/outboundWebIdentityFederation:OutboundWebIdentityFederation": cannot("lets principals of the account obtain tokens for services outside AWS; it grants no AWS permission"),
    "aws:iam/securityTokenServicePreferences:SecurityTokenServicePreferences": cannot("the version of tokens the global STS endpoint issues"),
    "aws:iam/serverCertificate:ServerCertificate": cannot("a TLS certificate"),
    "aws:iam/accountAlias:AccountAlias": cannot("a name for the account"),
    "aws:iam/accountPasswordPolicy:AccountPasswordPolicy": cannot("password rules"),
    "aws:iam/organizationsFeatures:OrganizationsFeatures": notEvaluated("centralised root access lets the management account take privileged root sessions in member accounts (including creating a root password)"),
    // IAM Identity Center: a permission set is a role in every account it is assigned to.
    "aws:ssoadmin/permissionSet:PermissionSet": modelled(`${P}: a principal (whoever is assigned it), its principal tags not fixed`),
    "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy": modelled(`${P}: inline document of its permission set`),
    "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment": modelled(`${P}: AWS managed document of its permission set`),
    "aws:ssoadmin/managedPolicyAttachmentsExclusive:ManagedPolicyAttachmentsExclusive": modelled(`${P}: every ARN it lists`),
    "aws:ssoadmin/customerManagedPolicyAttachment:CustomerManagedPolicyAttachment": modelled(`${P}: the stack's Policy of that name and path; else not decided`),
    "aws:ssoadmin/customerManagedPolicyAttachmentsExclusive:CustomerManagedPolicyAttachmentsExclusive": modelled(`${P}: every reference it lists`),
    "aws:ssoadmin/permissionsBoundaryAttachment:PermissionsBoundaryAttachment": modelled(`${P}: boundary of its permission set`),
    "aws:ssoadmin/accountAssignment:AccountAssignment": modelled(`${P}: a permission set the stack declares is a principal already; one it does not declare is not decided`),
    "aws:ssoadmin/instanceAccessControlAttributes:InstanceAccessControlAttributes": cannot("chooses which identity-source attributes become session tags; the check takes a permission set's principal tags as not fixed"),
    "aws:ssoadmin/application:Application": cannot("an application of IAM Identity Center: assignments give access to the application, not to a role of an account"),
    "aws:ssoadmin/applicationAssignment:ApplicationAssignment": cannot("access to an application, not to a role of an account"),
    "aws:ssoadmin/applicationAssignmentConfiguration:ApplicationAssignmentConfiguration": cannot("whether an application requires assignments"),
    "aws:ssoadmin/applicationAccessScope:ApplicationAccessScope": notEvaluated("trusted identity propagation scopes let an application call AWS services on a user's behalf"),
    "aws:ssoadmin/trustedTokenIssuer:TrustedTokenIssuer": notEvaluated("an external token issuer for trusted identity propagation"),
    "aws:ssoadmin/region:Region": cannot("a Region of the IAM Identity Center instance"),
    "aws:identitystore/user:User": cannot("an identity: access to an account comes only from a permission set assigned to it, decided as that permission set"),
    "aws:identitystore/group:Group": cannot("an identity, as a user"),
    "aws:identitystore/groupMembership:GroupMembership": cannot("an identity, as a user"),
    // KMS: who may decrypt a team value.
    "aws:kms/key:Key": modelled("principalDocuments.ts collectTargets: its policy (KMS's default when none) decides kms:Decrypt"),
    "aws:kms/keyPolicy:KeyPolicy": modelled("principalDocuments.ts collectTargets: replaces its key's policy"),
    "aws:kms/grant:Grant": modelled("principalDocuments.ts collectTargets: a grantee with Decrypt on the key decrypts whatever the key policy says"),
    "aws:kms/externalKey:ExternalKey": modelled("principalDocuments.ts collectTargets: taken as a key outside the stack (decryption assumed allowed: reports more, never fewer)"),
    "aws:kms/replicaKey:ReplicaKey": modelled("as ExternalKey"),
    "aws:kms/replicaExternalKey:ReplicaExternalKey": modelled("as ExternalKey"),
    "aws:kms/alias:Alias": cannot("a name of a key; a kmsKeyId given as an alias is taken as a key outside the stack (decryption assumed allowed)"),
    "aws:kms/ciphertext:Ciphertext": cannot("encrypts a plaintext the program already holds; it grants no principal access to a team value"),
    "aws:kms/customKeyStore:CustomKeyStore": cannot("where key material lives"),
    // Secrets Manager and Parameter Store: the values.
    "aws:secretsmanager/secret:Secret": modelled("principalDocuments.ts collectTargets: a team value (its tags) and its resource policy"),
    "aws:secretsmanager/secretPolicy:SecretPolicy": modelled("principalDocuments.ts collectTargets: resource policy of its secret"),
    "aws:secretsmanager/tag:Tag": modelled("principalDocuments.ts collectTargets: a tag of its secret (it can move a secret into a team)"),
    "aws:secretsmanager/secretVersion:SecretVersion": cannot("holds a value; it names no principal"),
    "aws:secretsmanager/secretRotation:SecretRotation": cannot(`Secrets Manager invokes the rotation function; ${LENDS}`),
    "aws:ssm/parameter:Parameter": modelled("principalDocuments.ts collectTargets: a team value (its tags)"),
    "aws:ssm/activation:Activation": cannot(LENDS),
    "aws:ssm/association:Association": cannot(`it runs a document on managed nodes as their role or a role it names; ${LENDS}`),
    "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask": cannot(LENDS),
    "aws:ssm/serviceSetting:ServiceSetting": cannot(`a setting such as the default instance management role; ${LENDS}`),
    "aws:ssm/document:Document": cannot("a document resolves parameters with the permissions of whoever runs it; sharing it shares the document, not values"),
    "aws:ssm/resourceDataSync:ResourceDataSync": cannot("copies inventory data to S3; inventory holds no parameter values"),
    "aws:ssm/maintenanceWindow:MaintenanceWindow": cannot("a schedule"),
    "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget": cannot("a schedule's targets"),
    "aws:ssm/patchBaseline:PatchBaseline": cannot("patch rules"),
    "aws:ssm/defaultPatchBaseline:DefaultPatchBaseline": cannot("patch rules"),
    "aws:ssm/patchGroup:PatchGroup": cannot("patch rules"),
    "aws:ssm/contactsRotation:ContactsRotation": cannot("an on-call rotation"),
    "aws:ssm/quicksetupConfigurationManager:QuicksetupConfigurationManager": notEvaluated("Quick Setup deploys roles and stacks of its own across accounts"),
    // EKS: roles for pods and nodes, and Kubernetes access.
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": modelled("podRoles.ts / podTrust.ts: the pod role's per-pod matrix and trust; the role is a principal of this check"),
    "aws:eks/addon:Addon": cannot(LENDS),
    "aws:eks/nodeGroup:NodeGroup": cannot(LENDS),
    "aws:eks/fargateProfile:FargateProfile": cannot(LENDS),
    "aws:eks/identityProviderConfig:IdentityProviderConfig": cannot("authenticates users to the cluster; Kubernetes RBAC grants"),
    "aws:eks/cluster:Cluster": notEvaluated(`the cluster creator's admin access (bootstrapClusterCreatorAdminPermissions): ${K8S_SIDE}`),
    "aws:eks/accessEntry:AccessEntry": notEvaluated(K8S_SIDE),
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": notEvaluated(K8S_SIDE),
    "aws:eks/capability:Capability": notEvaluated("a managed controller (ACK, Argo CD, kro) acting in the cluster and in AWS with its role"),
    // Organizations: guardrails restrict, they never grant.
    "aws:organizations/policy:Policy": cannot("SCPs and RCPs only restrict (Organizations user guide); the check decides as if none bound the account"),
    "aws:organizations/policyAttachment:PolicyAttachment": cannot("attaches a policy that only restricts"),
    "aws:organizations/organization:Organization": cannot("the organisation itself"),
    "aws:organizations/organizationalUnit:OrganizationalUnit": cannot("a container of accounts"),
    "aws:organizations/account:Account": cannot("creates a member account; its access role lives in that new account, not in this one"),
    "aws:organizations/awsServiceAccess:AwsServiceAccess": cannot("lets a service act through its service-linked roles"),
    "aws:organizations/resourcePolicy:ResourcePolicy": cannot("delegates Organizations API calls; the check decides as if no SCP bound the account"),
    "aws:organizations/tag:Tag": cannot("a tag of an organisation resource"),
    "aws:organizations/delegatedAdministrator:DelegatedAdministrator": notEvaluated("a member account that administers a service (IAM Identity Center: permission sets of every account)"),
    // IAM Roles Anywhere: workloads outside AWS take roles.
    "aws:rolesanywhere/profile:Profile": cannot(LENDS),
    "aws:rolesanywhere/trustAnchor:TrustAnchor": cannot("a certificate authority; it grants nothing until a profile and a role's trust name it"),
    // Lambda and EC2: only what carries a role.
    "aws:lambda/function:Function": cannot(LENDS),
    "aws:lambda/coreNetworkConnector:CoreNetworkConnector": cannot(LENDS),
    "aws:lambda/microvmsImage:MicrovmsImage": cannot(LENDS),
    "aws:ec2/instance:Instance": cannot(LENDS),
    "aws:ec2/launchTemplate:LaunchTemplate": cannot(LENDS),
    "aws:ec2/launchConfiguration:LaunchConfiguration": cannot(LENDS),
    "aws:ec2/spotInstanceRequest:SpotInstanceRequest": cannot(LENDS),
    "aws:ec2/spotFleetRequest:SpotFleetRequest": cannot(LENDS),
    "aws:ec2/flowLog:FlowLog": cannot(LENDS),
};

const RBAC = "grantSurface.ts rbacUndecided";
const K8S_ROWS: Record<string, Classification> = Object.fromEntries(
    ["v1", "v1beta1", "v1alpha1"].flatMap((v) => {
        const t = (kind: string) => `kubernetes:${SURFACE_K8S_GROUP}/${v}:${kind}`;
        return [
            [t("ClusterRole"), modelled(`${RBAC}: decided when its rules reach only namespaced ESO kinds (the access matrix decides those) or read ESO's cluster kinds; anything else not decided`)],
            [t("Role"), modelled(`${RBAC}: as ClusterRole`)],
            [t("ClusterRoleBinding"), modelled(`${RBAC}: decided when it binds a role that is decided, declared by the stack or by a Helm release whose RBAC the chart table decides, or the built-in view; else not decided`)],
            [t("RoleBinding"), modelled(`${RBAC}: as ClusterRoleBinding`)],
            ...["ClusterRoleList", "RoleList", "ClusterRoleBindingList", "RoleBindingList"].map((k) => [t(k), notEvaluated("a list of RBAC objects the check does not read")]),
            ...["ClusterRolePatch", "RolePatch", "ClusterRoleBindingPatch", "RoleBindingPatch"].map((k) => [t(k), notEvaluated("patches an RBAC object outside the stack, whose result the stack does not hold")]),
        ];
    }),
);

export const GRANT_SURFACE: Readonly<Record<string, Classification>> = { ...AWS_ROWS, ...K8S_ROWS };

/** Services of the surface in providers whose SDK the table does not enumerate (aws-native, aws-classic forks): fail closed. */
const OTHER_PROVIDER = /^aws-native:(iam|sso|identitystore|kms|secretsmanager|ssm|eks|organizations|rolesanywhere):/;

/** A type's row; a type of a surface service without one (a newer provider than the installed SDK, aws-native) is not evaluated. */
export function classify(type: string): Classification | undefined {
    const row = GRANT_SURFACE[type];
    if (row) return row;
    const aws = /^aws:([a-z0-9]+)\//.exec(type);
    if ((aws && (SURFACE_AWS_MODULES as readonly string[]).includes(aws[1])) || type.startsWith(`kubernetes:${SURFACE_K8S_GROUP}/`) || OTHER_PROVIDER.test(type)) {
        return notEvaluated("a type of a service that can grant access which the grant surface table (cli/src/checker/checks/grantSurface.ts) does not classify");
    }
    return undefined;
}

/** Every resource of the stack whose type is not evaluated: not decided, with the reason. */
export function notEvaluatedResources(resources: StackResource[]): { principal: string; reason: string }[] {
    const out: { principal: string; reason: string }[] = [];
    for (const r of resources.filter((x) => x.custom)) {
        const c = classify(r.type);
        if (c?.class === "not evaluated") out.push({ principal: `${r.type.split(":").pop()} '${r.name}'`, reason: `${r.type} is not evaluated: ${c.reason}` });
    }
    return out;
}

const READ_VERBS = ["get", "list", "watch", "*"];
/** Namespaced ESO kinds a tenant creates: what their sessions read is what the access matrix decides (one team, its own values). */
const ESO_GROUPS = ["external-secrets.io", "generators.external-secrets.io"];
const CLUSTER_KINDS = /^cluster/;
/**
 * Reading ESO's cluster-scoped kinds (ClusterSecretStore, ClusterGenerator...)
 * shows their spec and status, which carry references and versions as the
 * namespaced kinds do (ESO v2.9.0 apis); creating or changing one is an
 * escalation, so only these verbs are decided.
 */
const ESO_READ_VERBS = ["get", "list", "watch"];
/** Built-in roles without Secrets (Kubernetes RBAC docs, user-facing roles: view "does not allow viewing Secrets"). */
const SAFE_BUILT_INS = ["view"];

const arr = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
const body = (r: StackResource) => (r.state ?? r.inputs ?? {}) as Record<string, any>;

/** Why a Role's or ClusterRole's rules may expose a team value, or undefined when they reach only namespaced ESO kinds. */
function ruleProblem(rules: unknown, aggregation: unknown): string | undefined {
    if (rules === UNKNOWN || aggregation === UNKNOWN || JSON.stringify(rules ?? null).includes(UNKNOWN)) return "its rules are not known yet";
    if (aggregation !== undefined && aggregation !== null) return "it aggregates other ClusterRoles by label, whose rules the stack may not hold";
    for (const rule of Array.isArray(rules) ? rules : []) {
        const groups = arr(rule?.apiGroups);
        const resources = arr(rule?.resources);
        const verbs = arr(rule?.verbs);
        if (arr(rule?.nonResourceURLs).length > 0 && resources.length === 0) continue;
        if (verbs.some((v) => ["escalate", "bind", "impersonate"].includes(v))) return `it allows ${verbs.join(", ")}`;
        if (groups.length === 0 || groups.some((g) => !ESO_GROUPS.includes(g))) {
            const secretRead = groups.some((g) => g === "" || g === "*") && resources.some((x) => x === "secrets" || x === "*") && verbs.some((v) => READ_VERBS.includes(v));
            return secretRead ? "it reads Secrets" : `it reaches ${resources.join(", ") || "(no resources)"} of API group(s) ${groups.map((g) => JSON.stringify(g)).join(", ")}, which this check does not evaluate`;
        }
        const readOnly = verbs.length > 0 && verbs.every((v) => ESO_READ_VERBS.includes(v));
        if (resources.some((x) => x === "*" || (CLUSTER_KINDS.test(x) && !readOnly))) return `it reaches ${resources.join(", ")} of the ESO API groups beyond the namespaced kinds`;
    }
    return undefined;
}

interface DeclaredRole {
    kind: string;
    name: string;
    namespace?: string;
    problem: string | undefined;
}

/**
 * The roles the stack's Helm releases install, from the chart RBAC table
 * (reach/chartRbac.ts): a release whose RBAC is decided declares them as the
 * stack's own roles do. A release that is not decided declares none (the
 * reach check reports it not decided), so a binding of its roles stays
 * not decided here.
 */
function chartRoles(resources: StackResource[]): DeclaredRole[] {
    const out: DeclaredRole[] = [];
    for (const r of resources.filter((x) => x.custom && x.type === "kubernetes:helm.sh/v3:Release")) {
        const chart = chartRbac(r);
        if ("undecided" in chart) continue;
        for (const o of chart.objects.filter((x) => x.kind === "Role" || x.kind === "ClusterRole")) {
            out.push({ kind: o.kind, name: o.metadata.name ?? "", namespace: o.metadata.namespace, problem: ruleProblem(o.rules, o.aggregationRule) });
        }
    }
    return out;
}

/**
 * Kubernetes RBAC of the stack that can expose a team value (the Kubernetes
 * Secret ESO writes, or a store reaching another team): not decided, with the reason.
 * A binding of a role the stack or one of its decided Helm releases declares
 * is decided by that role's rules; Secret reads through it are the reach
 * check's (reach/rbac.ts), which reports the subjects as readers.
 */
export function rbacUndecided(resources: StackResource[]): { principal: string; reason: string }[] {
    const rbac = resources.filter((r) => r.custom && r.type.startsWith(`kubernetes:${SURFACE_K8S_GROUP}/`));
    const kindOf = (r: StackResource) => r.type.split(":").pop()!;
    const nameOf = (r: StackResource) => String(body(r).metadata?.name ?? r.name);
    const stackRoles = rbac.filter((r) => ["Role", "ClusterRole"].includes(kindOf(r)));
    const out: { principal: string; reason: string }[] = [];
    const declared: DeclaredRole[] = [];
    for (const r of stackRoles) {
        const problem = ruleProblem(body(r).rules, body(r).aggregationRule);
        if (problem) out.push({ principal: `${kindOf(r)} '${nameOf(r)}'`, reason: `Kubernetes RBAC: ${problem}` });
        declared.push({ kind: kindOf(r), name: nameOf(r), namespace: body(r).metadata?.namespace, problem });
    }
    const bindings = rbac.filter((r) => ["RoleBinding", "ClusterRoleBinding"].includes(kindOf(r)));
    if (bindings.length > 0) declared.push(...chartRoles(resources));
    for (const b of bindings) {
        const ref = body(b).roleRef;
        const refName = ref?.name;
        // A RoleBinding's Role is the one of its own namespace (Kubernetes RBAC docs, RoleBinding and ClusterRoleBinding).
        const sameNamespace = (r: DeclaredRole) => r.kind !== "Role" || kindOf(b) !== "RoleBinding" || r.namespace === undefined || r.namespace === body(b).metadata?.namespace;
        const targets = declared.filter((r) => r.kind === ref?.kind && r.name === refName && sameNamespace(r));
        if (targets.length > 0 && targets.every((t) => t.problem === undefined)) continue;
        if (targets.length === 0 && ref?.kind === "ClusterRole" && SAFE_BUILT_INS.includes(refName)) continue;
        const why =
            targets.length > 0
                ? `it binds ${ref.kind} '${refName}', which is not decided (${targets.map((t) => t.problem).filter((p) => p !== undefined).join("; ")})`
                : `it binds ${ref?.kind ?? "a role"} '${refName ?? "?"}', which neither the stack nor its decided Helm releases declare (cluster-admin, admin and edit read Secrets)`;
        out.push({ principal: `${kindOf(b)} '${nameOf(b)}'`, reason: `Kubernetes RBAC: ${why}` });
    }
    return out;
}
