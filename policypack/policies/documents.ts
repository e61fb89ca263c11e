/** Where each resource type keeps its IAM documents, for every policy that reads them. */
import { readDocument, ParsedDocument } from "./iamDocuments";
import { isUnknown, Props } from "../lib/values";
import { TYPES } from "./types";

export interface Located {
    /** Property path, for messages and undecided advisories. */
    where: string;
    doc: ParsedDocument;
}

/** The permission documents a resource carries itself. */
export function permissionDocuments(type: string, props: Props): Located[] {
    const list = (property: string, field: string): Located[] => {
        const items = props[property];
        if (isUnknown(items)) return [{ where: property, doc: { kind: "unknown" } }];
        // A map where a list is expected is not a document list: read nothing rather than crash.
        if (!Array.isArray(items)) return [];
        // Positions only: a policy's name is a property value, which may be a secret.
        return items.map((p: any, i: number) => ({ where: `${property}[${i}]`, doc: readDocument(p?.[field]) }));
    };
    switch (type) {
        case TYPES.rolePolicy:
        case TYPES.policy:
            return [{ where: "policy", doc: readDocument(props.policy) }];
        case TYPES.role:
            return list("inlinePolicies", "policy");
        case TYPES.nativeRolePolicy:
        case TYPES.nativeManagedPolicy:
            return [{ where: "policyDocument", doc: readDocument(props.policyDocument) }];
        case TYPES.nativeRole:
            return list("policies", "policyDocument");
        default:
            return [];
    }
}

export const PERMISSION_TYPES: string[] = [TYPES.role, TYPES.rolePolicy, TYPES.policy, TYPES.nativeRole, TYPES.nativeRolePolicy, TYPES.nativeManagedPolicy];

/** A role's trust policy. */
export function trustDocument(type: string, props: Props): Located | undefined {
    if (type === TYPES.role) return { where: "assumeRolePolicy", doc: readDocument(props.assumeRolePolicy) };
    if (type === TYPES.nativeRole) return { where: "assumeRolePolicyDocument", doc: readDocument(props.assumeRolePolicyDocument) };
    return undefined;
}

/** A secret's resource policy. */
export function secretResourcePolicy(type: string, props: Props): Located | undefined {
    if (type === TYPES.secret || type === TYPES.secretPolicy) return { where: "policy", doc: readDocument(props.policy) };
    if (type === TYPES.nativeSecretPolicy) return { where: "resourcePolicy", doc: readDocument(props.resourcePolicy) };
    return undefined;
}

export const DOCUMENT_TYPES: string[] = [...PERMISSION_TYPES, TYPES.secret, TYPES.secretPolicy, TYPES.nativeSecretPolicy];

/** Every IAM document of the resource: trust, permissions, resource policy. */
export function allDocuments(type: string, props: Props): Located[] {
    return [trustDocument(type, props), ...permissionDocuments(type, props), secretResourcePolicy(type, props)].filter((d): d is Located => d !== undefined);
}
