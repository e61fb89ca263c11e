/**
 * The IAM side of a whole stack, as AWS would see it after the first
 * `pulumi up`: roles by the physical names the engine gives them (a role
 * without an explicit name gets `<logical>-<7 random hex>`, DESIGN.md "The
 * engine names things"; the offline cloud answers the logical name, so the
 * suffix is simulated here), every document against AWS's default quotas,
 * and each team's reads through ESO and CSI decided by the IAM evaluator
 * with the organisation's SCP and RCP layered as AWS layers them
 * (tests/orgPolicies.ts).
 */
import { randomBytes } from "crypto";
import type { PolicyDocument } from "../components";
import { POD_IDENTITY_SERVICE_PRINCIPAL } from "../components/lib/constants";
import { resourceTagKeys } from "../cli/src/checker";
import type { Decision, IamRequest } from "../cli/src/checker";
import type { RecordedResource } from "../cli/src/checker";
import { decideUnder, OrgPolicies } from "./orgPolicies";

/**
 * AWS default quotas, each from its page:
 * IAM https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 * ("Role trust policy length 2,048 characters", "Role policy size: inline
 * policies ... 10,240 characters", "Managed policy size 6,144 characters";
 * IAM does not count white space),
 * Organizations https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html
 * (SCP and RCP document 5,120 characters, tag policy 10,000),
 * KMS https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html
 * (key policy document size 32 KB).
 */
export const QUOTAS = { trust: 2048, inlinePerRole: 10240, managed: 6144, scp: 5120, rcp: 5120, tagPolicy: 10000, keyPolicy: 32768 } as const;

const noSpace = (text: string) => text.replace(/\s/g, "").length;

export interface Role {
    logical: string;
    physical: string;
    arn: string;
    account: string;
    trust: PolicyDocument;
    inline: PolicyDocument[];
}

export interface StackIam {
    roles: Role[];
    /** The stack's documents with each role ARN the offline cloud answered replaced by its physical one. */
    byArn: Map<string, Role>;
    secrets: { arn: string; account: string; tags: Record<string, string>; kind: "secret" | "parameter" }[];
    associations: { cluster: string; namespace: string; serviceAccount: string; role: Role; account: string }[];
    /** ARNs the ClusterSecretStores assume. */
    storeRoles: Role[];
    region: string;
    partition: string;
}

/** The engine's auto-name for a resource without an explicit name (the suffix is random). */
export function physicalName(r: RecordedResource): string {
    return typeof r.inputs.name === "string" ? r.inputs.name : `${r.name}-${randomBytes(4).toString("hex").slice(0, 7)}`;
}

function parse(text: unknown): PolicyDocument {
    return typeof text === "string" ? JSON.parse(text) : (text as PolicyDocument);
}

/** Roles, documents, secrets and associations of a run, with physical names. */
export function stackIam(resources: RecordedResource[]): StackIam {
    const custom = resources.filter((r) => r.custom);
    const renames: [string, string][] = [];
    const roles: Role[] = custom
        .filter((r) => r.type === "aws:iam/role:Role")
        .map((r) => {
            const physical = physicalName(r);
            const offlineArn: string = r.state.arn;
            const arn = offlineArn.replace(/role\/.*$/, `role/${physical}`);
            renames.push([offlineArn, arn], [`"${r.state.name}"`, `"${physical}"`]);
            return { logical: r.name, physical, arn, account: offlineArn.split(":")[4], trust: undefined as unknown as PolicyDocument, inline: [], offlineName: r.state.name, raw: r } as Role & { offlineName: string; raw: RecordedResource };
        });
    const fix = (text: string) => renames.reduce((t, [from, to]) => t.split(from).join(to), text);
    for (const role of roles as (Role & { offlineName: string; raw: RecordedResource })[]) role.trust = parse(fix(role.raw.inputs.assumeRolePolicy));
    const byOfflineName = new Map((roles as (Role & { offlineName: string })[]).map((r) => [r.offlineName, r]));
    for (const p of custom.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy")) {
        const role = byOfflineName.get(p.inputs.role);
        if (role === undefined) throw new Error(`systemIam: RolePolicy ${p.name} names the unknown role ${p.inputs.role}`);
        role.inline.push(parse(fix(p.inputs.policy)));
    }
    const byArn = new Map<string, Role>();
    for (const r of roles as (Role & { raw: RecordedResource })[]) byArn.set(r.raw.state.arn, r);
    const secrets = custom
        .filter((r) => r.type === "aws:secretsmanager/secret:Secret" || r.type === "aws:ssm/parameter:Parameter")
        .map((r) => ({ arn: r.state.arn as string, account: String(r.state.arn).split(":")[4], tags: (r.inputs.tags ?? {}) as Record<string, string>, kind: r.type.startsWith("aws:ssm") ? ("parameter" as const) : ("secret" as const) }));
    const associations = custom
        .filter((r) => r.type === "aws:eks/podIdentityAssociation:PodIdentityAssociation")
        .map((r) => {
            const role = byArn.get(r.inputs.roleArn);
            if (role === undefined) throw new Error(`systemIam: association ${r.name} names the unknown role ${r.inputs.roleArn}`);
            return { cluster: r.inputs.clusterName as string, namespace: r.inputs.namespace as string, serviceAccount: r.inputs.serviceAccount as string, role, account: String(r.state.associationArn).split(":")[4] };
        });
    const storeRoles = custom
        .filter((r) => r.type === "kubernetes:external-secrets.io/v1:ClusterSecretStore")
        .map((r) => byArn.get(r.inputs.spec?.provider?.aws?.role))
        .filter((r): r is Role => r !== undefined);
    const anySecret = secrets[0]?.arn.split(":") ?? ["arn", "aws", "", "eu-west-1"];
    return { roles, byArn, secrets, associations, storeRoles: [...new Set(storeRoles)], region: anySecret[3], partition: anySecret[1] };
}

/** Every IAM, KMS and Organizations document of a run over its AWS default quota, as `<resource>: <size> > <quota> (<what>)`. */
export function quotaProblems(resources: RecordedResource[]): string[] {
    const out: string[] = [];
    const over = (at: string, size: number, quota: number, what: string) => size > quota && out.push(`${at}: ${size} > ${quota} (${what})`);
    const inline = new Map<string, number>();
    for (const r of resources.filter((x) => x.custom)) {
        switch (r.type) {
            case "aws:iam/role:Role":
                over(r.name, noSpace(r.inputs.assumeRolePolicy), QUOTAS.trust, "role trust policy");
                break;
            case "aws:iam/rolePolicy:RolePolicy":
                inline.set(r.inputs.role, (inline.get(r.inputs.role) ?? 0) + noSpace(r.inputs.policy));
                break;
            case "aws:iam/policy:Policy":
                over(r.name, noSpace(r.inputs.policy), QUOTAS.managed, "managed policy");
                break;
            case "aws:organizations/policy:Policy":
                over(r.name, noSpace(r.inputs.content), r.inputs.type === "TAG_POLICY" ? QUOTAS.tagPolicy : QUOTAS.scp, r.inputs.type);
                break;
            case "aws:kms/key:Key":
                if (typeof r.inputs.policy === "string") over(r.name, Buffer.byteLength(r.inputs.policy), QUOTAS.keyPolicy, "key policy");
                break;
        }
    }
    for (const [role, size] of inline) over(`role ${role}`, size, QUOTAS.inlinePerRole, "inline policies of one role");
    return out;
}

/** The six tags EKS Pod Identity puts on a pod's session (docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html). */
export function podTags(partition: string, region: string, account: string, cluster: string, namespace: string, serviceAccount: string): Record<string, string> {
    return {
        "eks-cluster-arn": `arn:${partition}:eks:${region}:${account}:cluster/${cluster}`,
        "eks-cluster-name": cluster,
        "kubernetes-namespace": namespace,
        "kubernetes-service-account": serviceAccount,
        "kubernetes-pod-name": `${serviceAccount}-7d9f8`,
        "kubernetes-pod-uid": "0b5c7a7e-5c1e-4f5e-9a53-8c1f0d9e2b11",
    };
}

const principalTags = (tags: Record<string, string>) => Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:PrincipalTag/${k}`, v]));
const requestTags = (tags: Record<string, string>) => ({ ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:RequestTag/${k}`, v])), "aws:TagKeys": Object.keys(tags) });

/** A session of `role` (its ARN) with `tags`, calling `action` on `resource`. */
export function asSession(role: { arn: string; account: string; physical: string }, tags: Record<string, string>, action: string, resource: string, resourceAccount: string, extra: Record<string, string | string[]> = {}, identity: PolicyDocument[] = []): IamRequest {
    return {
        principal: `arn:${role.arn.split(":")[1]}:sts::${role.account}:assumed-role/${role.physical}/session`,
        action,
        resource,
        resourceAccount,
        context: { "aws:PrincipalArn": role.arn, "aws:PrincipalAccount": role.account, "aws:PrincipalIsAWSService": "false", ...principalTags(tags), ...extra },
        identityPolicies: identity,
    };
}

/** Pod Identity assuming `role` for a pod: both AssumeRole and TagSession must be allowed by its trust. */
export function podIdentityAssumes(role: Role, tags: Record<string, string>): boolean {
    return (["sts:AssumeRole", "sts:TagSession"] as const).every(
        (action) =>
            decideUnder({}, { principal: POD_IDENTITY_SERVICE_PRINCIPAL, action, resource: role.arn, resourceAccount: role.account, context: { "aws:SourceAccount": role.account, ...requestTags(tags) }, resourcePolicy: role.trust }) ===
            "Allowed",
    );
}

/** A session (role + tags) assuming `target` with ESO's session tags: identity policy and trust, under the organisation's policies. */
export function chainsInto(org: OrgPolicies, from: { role: { arn: string; account: string; physical: string }; tags: Record<string, string>; identity: PolicyDocument[] }, target: Role, sent: Record<string, string>): boolean {
    return (["sts:AssumeRole", "sts:TagSession"] as const).every((action) => {
        const request = asSession(from.role, from.tags, action, target.arn, target.account, requestTags(sent), from.identity);
        return decideUnder(org, { ...request, resourcePolicy: target.trust }) === "Allowed";
    });
}

/** The read of one secret or parameter by a session. */
export function reads(org: OrgPolicies, session: { role: { arn: string; account: string; physical: string }; tags: Record<string, string>; identity: PolicyDocument[] }, object: StackIam["secrets"][number]): Decision {
    const action = object.kind === "secret" ? "secretsmanager:GetSecretValue" : "ssm:GetParameter";
    const resourceTags = Object.fromEntries(Object.entries(object.tags).flatMap(([k, v]) => resourceTagKeys(object.kind, k).map((key) => [key, v])));
    return decideUnder(org, asSession(session.role, session.tags, action, object.arn, object.account, resourceTags, session.identity));
}
