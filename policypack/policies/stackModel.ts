/**
 * A stack's IAM roles with their trust and permission documents, and its
 * ESO stores with the roles they assume, joined the way Pulumi knows them:
 * by property dependencies first, by name or ARN otherwise.
 */
import type { PolicyResource } from "@pulumi/policy";
import { parseDocument, Statement } from "./iamDocuments";
import { isSecretStoreType, TYPES } from "./types";

export interface RoleModel {
    resource: PolicyResource;
    /** Undefined when the trust policy cannot be read (unknown during preview). */
    trust?: Statement[];
    /** Every readable permission document: inline, RolePolicy, attached Policy. */
    permissions: Statement[][];
}

export interface StackModel {
    roles: RoleModel[];
    stores: PolicyResource[];
    /** Roles a store's `spec.provider.aws.role` points at. */
    storeRoles(store: PolicyResource): RoleModel[];
    /** Roles a resource's property depends on, or whose name or ARN it holds. */
    rolesReferencedBy(resource: PolicyResource, property: string): RoleModel[];
}

function depends(resource: PolicyResource, property: string, target: PolicyResource): boolean {
    return (resource.propertyDependencies?.[property] ?? []).some((d) => d.urn === target.urn);
}

/** Whether `ref` (a role name or ARN) names the role. */
function namesRole(ref: unknown, role: PolicyResource): boolean {
    if (typeof ref !== "string" || ref.length === 0) return false;
    const { name, arn } = role.props;
    if (arn !== undefined && ref === arn) return true;
    if (typeof name !== "string" || name.length === 0) return false;
    return ref === name || ref.endsWith(`:role/${name}`) || (ref.includes(":role/") && ref.endsWith(`/${name}`));
}

export function buildStackModel(resources: PolicyResource[]): StackModel {
    const ofType = (type: string) => resources.filter((r) => r.type === type);
    const rolePolicies = ofType(TYPES.rolePolicy);
    const attachments = ofType(TYPES.rolePolicyAttachment);
    const managed = ofType(TYPES.policy);

    const managedDocs = (ref: unknown, from: PolicyResource | undefined, property: string) =>
        managed
            .filter((p) => (from !== undefined && depends(from, property, p)) || (typeof ref === "string" && ref === p.props.arn))
            .map((p) => parseDocument(p.props.policy));

    const roles: RoleModel[] = ofType(TYPES.role).map((role) => {
        const docs: (Statement[] | undefined)[] = [];
        for (const inline of role.props.inlinePolicies ?? []) docs.push(parseDocument(inline?.policy));
        for (const rp of rolePolicies) {
            if (depends(rp, "role", role) || namesRole(rp.props.role, role)) docs.push(parseDocument(rp.props.policy));
        }
        for (const att of attachments) {
            if (depends(att, "role", role) || namesRole(att.props.role, role)) {
                docs.push(...managedDocs(att.props.policyArn, att, "policyArn"));
            }
        }
        for (const arn of role.props.managedPolicyArns ?? []) docs.push(...managedDocs(arn, undefined, ""));
        return {
            resource: role,
            trust: parseDocument(role.props.assumeRolePolicy),
            permissions: docs.filter((d): d is Statement[] => d !== undefined),
        };
    });

    const rolesReferencedBy = (resource: PolicyResource, property: string, ref?: unknown) =>
        roles.filter((r) => depends(resource, property, r.resource) || namesRole(ref, r.resource));

    return {
        roles,
        stores: resources.filter((r) => isSecretStoreType(r.type)),
        storeRoles: (store) => {
            const role = store.props.spec?.provider?.aws?.role;
            if (role === undefined) return [];
            return rolesReferencedBy(store, "spec", role);
        },
        rolesReferencedBy: (resource, property) => rolesReferencedBy(resource, property, resource.props[property]),
    };
}
