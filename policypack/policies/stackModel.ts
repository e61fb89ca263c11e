/**
 * A stack's IAM roles with their trust and permission documents, and its
 * ESO stores with the roles they assume. Joined the way the engine always
 * knows them, by property dependencies (AnalyzeStack sends them even in a
 * first preview: pkg/resource/plugin/analyzer_plugin.go, AnalyzeStack), and
 * by name or ARN only where those are known.
 *
 * Built once per AnalyzeStack request: @pulumi/policy hands every stack
 * policy a fresh resources array (server.js makeAnalyzeStackRpcFun), so the
 * model is cached by the resources' URNs and dropped on the next turn of the
 * event loop, before the engine's next request can arrive.
 */
import type { PolicyResource } from "@pulumi/policy";
import { isRecord, isUnknown, plain, Props } from "../lib/values";
import { isAbacDocument, ParsedDocument } from "./iamDocuments";
import { permissionDocuments, trustDocument } from "./documents";
import { isSecretStoreType, ROLE_TYPES, TYPES, usesEsoSessionTags } from "./types";

export interface PermissionSource {
    /** The resource that holds the document: the role itself, a RolePolicy, an attached Policy. */
    source: PolicyResource;
    where: string;
    doc: ParsedDocument;
}

export interface Attachment {
    /** How it is attached, for messages: "RolePolicyAttachment 'x'", "managedPolicyArns[0]". */
    via: string;
    /** The ARN, when known. */
    arn?: string;
    /** The attached policy when the stack declares it. */
    policy?: PolicyResource;
}

export interface RoleModel {
    resource: PolicyResource;
    props: Props;
    trust: ParsedDocument;
    permissions: PermissionSource[];
    attachments: Attachment[];
}

export interface StoreModel {
    resource: PolicyResource;
    /** `spec.provider.aws`, plain; undefined when the store is not an AWS store. */
    aws?: Props;
    /** Roles its `role` depends on or names. */
    roles: RoleModel[];
    /** Whether `role` is set (known or unknown). */
    hasRole: boolean;
    /** Whether `spec` (or its AWS provider) is unknown: a first preview of a store that holds a new role's ARN. */
    specUnknown: boolean;
}

export interface StackModel {
    roles: RoleModel[];
    stores: StoreModel[];
    byUrn: Map<string, PolicyResource>;
    /** Roles meant for ABAC: a permission document keys on principal tags, or a tagging store assumes them. */
    abacRoles(): RoleModel[];
    /** URNs of roles some store assumes with session tags. */
    taggingStoreRoles(): Set<string>;
}

function dependsOn(r: PolicyResource, property: string): string[] {
    return (r.propertyDependencies?.[property] ?? []).map((d) => d.urn);
}

let cache: { key: string; model: StackModel } | undefined;

export function stackModel(resources: PolicyResource[]): StackModel {
    const key = `${resources.length}\n${resources.map((r) => r.urn).join("\n")}`;
    if (cache?.key === key) return cache.model;
    const model = buildStackModel(resources);
    cache = { key, model };
    setImmediate(() => {
        if (cache?.model === model) cache = undefined;
    });
    return model;
}

export function buildStackModel(resources: PolicyResource[]): StackModel {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const props = new Map(resources.map((r) => [r.urn, plain(r.props) as Props]));
    const p = (r: PolicyResource) => props.get(r.urn)!;

    const roles: RoleModel[] = [];
    const roleByUrn = new Map<string, RoleModel>();
    const roleByRef = new Map<string, RoleModel>();
    const policyByArn = new Map<string, PolicyResource>();
    for (const r of resources) {
        const rp = p(r);
        if (ROLE_TYPES.includes(r.type)) {
            const role: RoleModel = {
                resource: r,
                props: rp,
                trust: trustDocument(r.type, rp)!.doc,
                permissions: permissionDocuments(r.type, rp).map((d) => ({ source: r, ...d })),
                attachments: [],
            };
            roles.push(role);
            roleByUrn.set(r.urn, role);
            for (const ref of [rp.name, rp.roleName, rp.arn]) {
                if (typeof ref === "string" && ref !== "" && !isUnknown(ref)) roleByRef.set(ref, role);
            }
        } else if ((r.type === TYPES.policy || r.type === TYPES.nativeManagedPolicy) && typeof rp.arn === "string" && !isUnknown(rp.arn)) {
            policyByArn.set(rp.arn, r);
        }
    }

    /** Roles a property of `r` points at: dependencies first, then the name or ARN it holds. */
    const rolesOf = (r: PolicyResource, property: string, ref: unknown): RoleModel[] => {
        const found = new Set<RoleModel>();
        for (const urn of dependsOn(r, property)) {
            const role = roleByUrn.get(urn);
            if (role) found.add(role);
        }
        for (const x of Array.isArray(ref) ? ref : [ref]) {
            if (typeof x !== "string" || isUnknown(x)) continue;
            const role = roleByRef.get(x) ?? roleByRef.get(x.replace(/^arn:[^:]+:iam::\d+:role\/(.*\/)?/, ""));
            if (role) found.add(role);
        }
        return [...found];
    };
    const policyOf = (r: PolicyResource, property: string, arn: unknown): PolicyResource | undefined => {
        for (const urn of dependsOn(r, property)) {
            const dep = byUrn.get(urn);
            if (dep && (dep.type === TYPES.policy || dep.type === TYPES.nativeManagedPolicy)) return dep;
        }
        return typeof arn === "string" ? policyByArn.get(arn) : undefined;
    };
    const attach = (role: RoleModel, via: string, arn: unknown, policy: PolicyResource | undefined) => {
        role.attachments.push({ via, arn: typeof arn === "string" && !isUnknown(arn) ? arn : undefined, policy });
        if (policy) {
            for (const d of permissionDocuments(policy.type, p(policy))) role.permissions.push({ source: policy, ...d });
        }
    };

    const stores: StoreModel[] = [];
    for (const r of resources) {
        const rp = p(r);
        switch (r.type) {
            case TYPES.rolePolicy:
            case TYPES.nativeRolePolicy:
                for (const role of rolesOf(r, r.type === TYPES.rolePolicy ? "role" : "roleName", r.type === TYPES.rolePolicy ? rp.role : rp.roleName)) {
                    for (const d of permissionDocuments(r.type, rp)) role.permissions.push({ source: r, ...d });
                }
                break;
            case TYPES.rolePolicyAttachment:
                for (const role of rolesOf(r, "role", rp.role)) attach(role, `RolePolicyAttachment '${r.name}'`, rp.policyArn, policyOf(r, "policyArn", rp.policyArn));
                break;
            case TYPES.policyAttachment:
                for (const role of rolesOf(r, "roles", rp.roles)) attach(role, `PolicyAttachment '${r.name}'`, rp.policyArn, policyOf(r, "policyArn", rp.policyArn));
                break;
            case TYPES.nativeManagedPolicy:
                for (const role of rolesOf(r, "roles", rp.roles)) attach(role, `ManagedPolicy '${r.name}' roles`, undefined, r);
                break;
            default:
                if (isSecretStoreType(r.type)) {
                    const aws = isRecord(rp.spec) && isRecord(rp.spec.provider) && isRecord(rp.spec.provider.aws) ? rp.spec.provider.aws : undefined;
                    const specUnknown = isUnknown(rp.spec) || (isRecord(rp.spec) && (isUnknown(rp.spec.provider) || (isRecord(rp.spec.provider) && isUnknown(rp.spec.provider.aws))));
                    const role = aws?.role;
                    const hasRole = role !== undefined && role !== null && role !== "";
                    // A store whose spec depends on a role assumes it, even while its ARN (or the whole spec) is unknown.
                    stores.push({ resource: r, aws, hasRole: hasRole || specUnknown, specUnknown, roles: hasRole || specUnknown ? rolesOf(r, "spec", role) : [] });
                }
        }
    }
    for (const role of roles) {
        const arns = role.props.managedPolicyArns;
        if (!Array.isArray(arns)) continue;
        arns.forEach((arn, i) => attach(role, `'${role.resource.name}' managedPolicyArns[${i}]`, arn, policyOf(role.resource, "managedPolicyArns", arn)));
    }

    let abac: RoleModel[] | undefined;
    let tagging: Set<string> | undefined;
    const taggingStoreRoles = () =>
        (tagging ??= new Set(stores.filter((s) => usesEsoSessionTags(s.aws)).flatMap((s) => s.roles.map((r) => r.resource.urn))));
    return {
        roles,
        stores,
        byUrn,
        taggingStoreRoles,
        abacRoles: () =>
            (abac ??= roles.filter((r) => taggingStoreRoles().has(r.resource.urn) || r.permissions.some((d) => d.doc.kind === "ok" && isAbacDocument(d.doc.statements)))),
    };
}

