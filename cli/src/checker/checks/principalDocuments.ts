/**
 * The documents of every principal of a stack and of every team value, read
 * from its resources (a program run offline, a preview, a state file): what
 * the principal check (stackPrincipals.ts) decides. Type tokens and
 * properties: @pulumi/aws 7.48.0 (`node_modules/@pulumi/aws/iam/*.js`,
 * `ssoadmin/*.js`, `secretsmanager/secretPolicy.js`, `secretsmanager/tag.js`,
 * `kms/key.js`, `kms/keyPolicy.js`, `kms/grant.js`). Which types are read
 * here, and why the others of their services are not: grantSurface.ts.
 */
import { NAMESPACE_TAG_KEY } from "../../../../components/lib/constants";
import { wildcardMatch } from "../../../../policypack/lib/wildcard";
import type { StackResource } from "../inputs";
import { UNKNOWN } from "../inputs/resources";
import { awsManagedName, IamDocument, managedPolicy } from "./managedPolicies";

const T = {
    role: "aws:iam/role:Role",
    user: "aws:iam/user:User",
    group: "aws:iam/group:Group",
    policy: "aws:iam/policy:Policy",
    policyAttachment: "aws:iam/policyAttachment:PolicyAttachment",
    groupMembership: "aws:iam/groupMembership:GroupMembership",
    userGroupMembership: "aws:iam/userGroupMembership:UserGroupMembership",
    secret: "aws:secretsmanager/secret:Secret",
    secretPolicy: "aws:secretsmanager/secretPolicy:SecretPolicy",
    secretTag: "aws:secretsmanager/tag:Tag",
    parameter: "aws:ssm/parameter:Parameter",
    key: "aws:kms/key:Key",
    keyPolicy: "aws:kms/keyPolicy:KeyPolicy",
    grant: "aws:kms/grant:Grant",
} as const;

/** Documents of IAM principals, per kind: [type, property naming the principal, noun]. */
const INLINE = (k: "role" | "user" | "group", K: string) => [`aws:iam/${k}Policy:${K}Policy`, k, `${K}Policy`] as const;
const ATTACHMENT = (k: "role" | "user" | "group", K: string) => [`aws:iam/${k}PolicyAttachment:${K}PolicyAttachment`, k, `${K}PolicyAttachment`] as const;
/** The *PolicyAttachmentsExclusive resources attach every ARN they list (terraform-provider-aws internal/service/iam/*_policy_attachments_exclusive.go, syncAttachments). */
const EXCLUSIVE_ATTACHMENTS = (k: "role" | "user" | "group", K: string) => [`aws:iam/${k}PolicyAttachmentsExclusive:${K}PolicyAttachmentsExclusive`, k, `${k}Name`, `${K}PolicyAttachmentsExclusive`] as const;
/**
 * The *PoliciesExclusive resources keep the inline policies they name and delete the others; they
 * write no document (PutGroupPolicy without one: group_policies_exclusive.go), so a name the stack
 * does not declare is a document the principal holds outside the stack.
 */
const EXCLUSIVE_INLINE = (k: "role" | "user" | "group", K: string) => [`aws:iam/${k}PoliciesExclusive:${K}PoliciesExclusive`, k, `${k}Name`, `${K}PoliciesExclusive`] as const;
const KINDS = [["role", "Role"], ["user", "User"], ["group", "Group"]] as const;

export interface Account {
    accountId: string;
    partition: string;
    region: string;
}

export interface Labeled {
    label: string;
    document: IamDocument;
}

export type IamKind = "role" | "user" | "group" | "permission set";
export type PrincipalKind = IamKind | `${IamKind} outside the stack` | "named by a resource policy";

export interface Principal {
    kind: PrincipalKind;
    name: string;
    arn: string;
    policies: Labeled[];
    boundary?: Labeled;
    /** Why some document of this principal could not be evaluated. */
    undecided: string[];
    tags: Record<string, string>;
    /** A principal named only by a resource policy, in another account: its own account's policies are assumed to allow. */
    foreign?: boolean;
    /** Its principal tags are its IAM tags: false for a role whose trust allows sts:TagSession (the caller picks session tags) and for a group's members. */
    tagsFixed: boolean;
    /** Marked for deletion in the state (`delete: true`): it exists until the next update. */
    pendingDeletion?: boolean;
    /** Said beside each of its findings. */
    note?: string;
}

export interface Target {
    kind: "secret" | "parameter";
    name: string;
    arn: string;
    namespace: string;
    tags: Record<string, string>;
    resourcePolicy?: Labeled;
    undecided?: string;
    /** The customer key in the stack that encrypts it, with its policy (grants folded in); `outside` when the key is not in the stack. */
    key?: { arn: string; policy?: IamDocument; undecided?: string; grantees?: string[] } | "outside";
}

export interface Undecided {
    principal: string;
    reason: string;
    /** `not known`: a value the input does not show (a preview's unknowns, ciphertext, a pending operation); `not evaluated`: a document or type the check does not read. */
    cause: "not known" | "not evaluated";
}


export const value = (r: StackResource, key: string) => r.state?.[key] ?? r.inputs?.[key];
export const hasUnknown = (v: unknown): boolean => v === UNKNOWN || (typeof v === "string" ? v.includes(UNKNOWN) : v !== null && typeof v === "object" && Object.values(v).some(hasUnknown));
export const known = (v: unknown): v is string => typeof v === "string" && v !== "" && !hasUnknown(v);
export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);
export const causeOf = (reason: string): Undecided["cause"] => (/not known yet/.test(reason) ? "not known" : "not evaluated");

/** A document as JSON text or object; `unknown` or `invalid` when it cannot be evaluated. */
export function readIamDocument(v: unknown): IamDocument | "unknown" | "invalid" | undefined {
    if (v === undefined || v === null || v === "") return undefined;
    if (hasUnknown(v)) return "unknown";
    let doc = v;
    if (typeof doc === "string") {
        try {
            doc = JSON.parse(doc);
        } catch {
            return "invalid";
        }
    }
    if (doc === null || typeof doc !== "object" || Array.isArray(doc)) return "invalid";
    const statement = (doc as Record<string, unknown>).Statement;
    if (statement === undefined) return Object.keys(doc).length === 0 ? undefined : "invalid";
    return { Version: "2012-10-17", Statement: list(statement) as Record<string, any>[] };
}

function tagsOf(r: StackResource): Record<string, string> {
    const tags = r.inputs?.tags ?? r.state?.tags;
    return tags && typeof tags === "object" ? (tags as Record<string, string>) : {};
}

const NOT_SHOWN = "not known yet (a secret, or computed during the deployment)";
const OUTSIDE_DOCS = "a principal outside the stack that the stack gives this document: its other documents are not in the stack (they may add reads; a boundary or Deny there may remove these)";

/** Every principal of the stack with the documents attached to it; a principal outside the stack that the stack attaches a document to is one too. */
export function collectPrincipals(resources: StackResource[], account: Account): { principals: Principal[]; undecided: Undecided[] } {
    const custom = resources.filter((r) => r.custom);
    const ofType = (type: string) => custom.filter((r) => r.type === type);
    const undecided: Undecided[] = [];
    const principals: Principal[] = [];
    const byRef = new Map<string, Principal>();
    const resourceOf = new Map<Principal, StackResource>();
    const inlineNames = new Map<Principal, Set<string>>();
    const register = (p: Principal, refs: unknown[]) => {
        principals.push(p);
        for (const ref of refs) if (known(ref)) byRef.set(`${p.kind.replace(/ outside the stack$/, "")}:${ref}`, p);
    };
    for (const [kind] of KINDS) {
        for (const r of ofType(`aws:iam/${kind}:${kind[0].toUpperCase()}${kind.slice(1)}`)) {
            const name = String(value(r, "name") ?? r.name);
            const arn = known(r.state?.arn) ? r.state.arn : `arn:${account.partition}:iam::${account.accountId}:${kind}/${name}`;
            const trust = kind === "role" ? readIamDocument(value(r, "assumeRolePolicy")) : undefined;
            const tagSession = typeof trust !== "object" ? kind === "role" : trust.Statement.some((st) => st.Effect === "Allow" && list(st.Action).some((a) => typeof a === "string" && wildcardMatch(a, "sts:TagSession")));
            // Tags not known yet are taken at their worst: any value, as a caller who picks them.
            const tags = tagsOf(r);
            const fixed = !hasUnknown(tags) && (kind === "user" || (kind === "role" && !tagSession));
            const p: Principal = { kind, name, arn, policies: [], undecided: [], tags: fixed ? tags : {}, tagsFixed: fixed, ...(r.pendingDeletion ? { pendingDeletion: true } : {}) };
            register(p, [name, arn, r.id]);
            resourceOf.set(p, r);
            inlineNames.set(p, new Set(list(value(r, "inlinePolicies")).map((ip: any) => ip?.name).filter(known)));
        }
    }
    for (const r of ofType("aws:ssoadmin/permissionSet:PermissionSet")) {
        const name = String(value(r, "name") ?? r.name);
        // Provisioned as a role of every account it is assigned to (IAM Identity Center user guide, "Referencing permission sets in resource policies").
        const arn = `arn:${account.partition}:iam::${account.accountId}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_${name}_0123456789abcdef`;
        // Session tags of a permission set come from the identity source's attributes: not fixed by the stack.
        register({ kind: "permission set", name, arn, policies: [], undecided: [], tags: {}, tagsFixed: false }, [r.state?.arn, r.id, String(r.id ?? "").split(",")[0]]);
    }
    const find = (kind: IamKind, ref: unknown, via: string): Principal | undefined => {
        if (!known(ref)) {
            undecided.push({ principal: `${kind} of ${via}`, reason: `${via} names its ${kind} by a value that is ${NOT_SHOWN}, so its document is not attached to any principal here`, cause: "not known" });
            return undefined;
        }
        const found = byRef.get(`${kind}:${ref}`) ?? byRef.get(`${kind}:${ref.replace(/^arn:[^:]+:iam::\d+:(role|user|group)\/(.*\/)?/, "")}`);
        if (found) return found;
        // Today dropped, yet a principal outside the stack gains the document: it is reported, never "no other principal can read".
        const name = ref.replace(/^arn:[^:]+:(iam|sso)::[^:]*:(role|user|group|permissionSet)\/(.*\/)?/, "");
        const arn = ref.startsWith("arn:") ? ref : `arn:${account.partition}:iam::${account.accountId}:${kind === "permission set" ? "role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_" : `${kind}/`}${name}`;
        const p: Principal = { kind: `${kind} outside the stack`, name, arn, policies: [], undecided: [], tags: {}, tagsFixed: false };
        register(p, [ref, name]);
        return p;
    };
    const policies = new Map<string, { name: string; path: string; doc: ReturnType<typeof readIamDocument> }>();
    for (const r of ofType(T.policy)) {
        const arn = r.state?.arn;
        const entry = { name: String(value(r, "name") ?? r.name), path: String(value(r, "path") ?? "/"), doc: readIamDocument(value(r, "policy")) };
        if (known(arn)) policies.set(arn, entry);
        policies.set(`name:${entry.path}${entry.name}`, entry);
    }
    const addDoc = (p: Principal, label: string, doc: ReturnType<typeof readIamDocument>) => {
        if (doc === "unknown" || doc === "invalid") p.undecided.push(`${label} is ${doc === "unknown" ? NOT_SHOWN : "not a readable policy document"}`);
        else if (doc) p.policies.push({ label, document: doc });
    };
    /** A policy by ARN: the stack's own, an AWS managed one this tool records, or not evaluated. */
    const resolve = (arn: unknown, via: string): { label: string; doc: ReturnType<typeof readIamDocument> } | { reason: string } => {
        if (!known(arn)) return { reason: `${via}: the policy ARN is ${NOT_SHOWN}` };
        const own = policies.get(arn);
        if (own) return { label: `${via} -> Policy '${own.name}'`, doc: own.doc };
        const managed = managedPolicy(arn);
        if (managed) return { label: `${via} -> AWS managed ${managed.name} ${managed.version}`, doc: managed.document };
        const name = awsManagedName(arn);
        return { reason: name ? `${via}: AWS managed policy ${name} is not evaluated (its published document is not recorded in cli/src/checker/checks/managedPolicies.ts)` : `${via}: policy ${arn} is not declared in this stack, so it is not evaluated` };
    };
    /** A customer managed policy named by reference (IAM Identity Center): the stack's Policy of that path and name in each assigned account. */
    const byReference = (ref: any, via: string): { label: string; doc: ReturnType<typeof readIamDocument> } | { reason: string } => {
        if (!known(ref?.name)) return { reason: `${via}: the policy name is ${NOT_SHOWN}` };
        const path = known(ref.path) ? ref.path : "/";
        const own = policies.get(`name:${path}${ref.name}`);
        return own ? { label: `${via} -> Policy '${own.name}'`, doc: own.doc } : { reason: `${via}: customer managed policy ${path}${ref.name} is not declared in this stack, so it is not evaluated` };
    };
    const attachFound = (p: Principal | undefined, found: ReturnType<typeof resolve>) => {
        if (!p) return;
        if ("reason" in found) p.undecided.push(found.reason);
        else addDoc(p, found.label, found.doc);
    };
    const attach = (p: Principal | undefined, arn: unknown, via: string) => attachFound(p, resolve(arn, via));
    const setBoundary = (p: Principal, found: ReturnType<typeof resolve>) => {
        if ("reason" in found || found.doc === "unknown" || found.doc === "invalid" || !found.doc) p.undecided.push("reason" in found ? found.reason : `${found.label} cannot be read`);
        else p.boundary = { label: found.label, document: found.doc };
    };
    for (const [p, r] of resourceOf) {
        list(value(r, "inlinePolicies")).forEach((ip: any, i) => ip && addDoc(p, `'${p.name}' inlinePolicies[${i}]`, readIamDocument(ip.policy)));
        list(value(r, "managedPolicyArns")).forEach((arn, i) => attach(p, arn, `'${p.name}' managedPolicyArns[${i}]`));
        const boundary = value(r, "permissionsBoundary");
        if (boundary !== undefined && boundary !== null && boundary !== "") setBoundary(p, resolve(boundary, `'${p.name}' permissionsBoundary`));
    }
    for (const [k, K] of KINDS) {
        const [inlineType, , inlineNoun] = INLINE(k, K);
        for (const r of ofType(inlineType)) {
            const p = find(k, value(r, k), `${inlineNoun} '${r.name}'`);
            if (!p) continue;
            addDoc(p, `${inlineNoun} '${r.name}'`, readIamDocument(value(r, "policy")));
            const name = value(r, "name") ?? (known(r.id) ? r.id.split(":").pop() : undefined);
            if (known(name)) inlineNames.set(p, new Set([...(inlineNames.get(p) ?? []), name]));
        }
        const [attachmentType, , attachmentNoun] = ATTACHMENT(k, K);
        for (const r of ofType(attachmentType)) attach(find(k, value(r, k), `${attachmentNoun} '${r.name}'`), value(r, "policyArn"), `${attachmentNoun} '${r.name}'`);
        const [exclusiveType, , exclusiveProp, exclusiveNoun] = EXCLUSIVE_ATTACHMENTS(k, K);
        for (const r of ofType(exclusiveType)) {
            const p = find(k, value(r, exclusiveProp), `${exclusiveNoun} '${r.name}'`);
            const arns = value(r, "policyArns");
            if (p && hasUnknown(arns)) p.undecided.push(`${exclusiveNoun} '${r.name}' policyArns is ${NOT_SHOWN}`);
            else list(arns).forEach((arn, i) => attach(p, arn, `${exclusiveNoun} '${r.name}' policyArns[${i}]`));
        }
    }
    for (const r of ofType(T.policyAttachment)) {
        for (const [prop, kind] of [["roles", "role"], ["users", "user"], ["groups", "group"]] as const) {
            for (const ref of list(value(r, prop))) attach(find(kind, ref, `PolicyAttachment '${r.name}'`), value(r, "policyArn"), `PolicyAttachment '${r.name}'`);
        }
    }
    for (const [k, K] of KINDS) {
        const [type, , prop, noun] = EXCLUSIVE_INLINE(k, K);
        for (const r of ofType(type)) {
            const p = find(k, value(r, prop), `${noun} '${r.name}'`);
            if (!p) continue;
            const names = value(r, "policyNames");
            if (hasUnknown(names)) p.undecided.push(`${noun} '${r.name}' policyNames is ${NOT_SHOWN}`);
            for (const n of list(names).filter(known)) {
                if (!inlineNames.get(p)?.has(n)) p.undecided.push(`${noun} '${r.name}' keeps inline policy '${n}', which the stack does not declare: its document is outside the stack, so it is not evaluated`);
            }
        }
    }
    collectPermissionSetDocuments(ofType, find, attachFound, resolve, byReference, addDoc, setBoundary, undecided);
    // A member user holds its groups' documents too; a group outside the stack has documents the stack does not hold.
    const memberships: [StackResource, unknown, unknown[]][] = [
        ...ofType(T.groupMembership).map((r): [StackResource, unknown, unknown[]] => [r, value(r, "group"), list(value(r, "users"))]),
        ...ofType(T.userGroupMembership).flatMap((r) => list(value(r, "groups")).map((g): [StackResource, unknown, unknown[]] => [r, g, [value(r, "user")]])),
    ];
    for (const [r, groupRef, users] of memberships) {
        const via = `${r.type.split(":").pop()} '${r.name}'`;
        const group = find("group", groupRef, via);
        for (const userRef of users) {
            const user = find("user", userRef, via);
            if (!group || !user) continue;
            if (group.kind === "group outside the stack") user.undecided.push(`${via} makes it a member of group '${group.name}', which the stack does not declare: that group's policies are not in the stack, so they are not evaluated`);
            user.policies.push(...group.policies.map((d) => ({ label: `group '${group.name}': ${d.label}`, document: d.document })));
            user.undecided.push(...group.undecided.map((u) => `group '${group.name}': ${u}`));
        }
    }
    for (const p of principals) if (p.kind.endsWith("outside the stack")) p.note = OUTSIDE_DOCS;
    // An outside principal the stack only names (a membership, an empty attachment) gains nothing from the stack: it is out of scope like any other.
    return { principals: principals.filter((p) => !p.kind.endsWith("outside the stack") || p.policies.length > 0 || p.undecided.length > 0), undecided };
}

type Resolved = { label: string; doc: ReturnType<typeof readIamDocument> } | { reason: string };

/**
 * IAM Identity Center permission sets: their inline policy, AWS managed and
 * customer managed attachments and boundary (properties: @pulumi/aws 7.48.0
 * `ssoadmin/*.js`). An account assignment of a permission set the stack does
 * not declare gives someone documents the stack does not hold.
 */
function collectPermissionSetDocuments(
    ofType: (type: string) => StackResource[],
    find: (kind: IamKind, ref: unknown, via: string) => Principal | undefined,
    attachFound: (p: Principal | undefined, found: Resolved) => void,
    resolve: (arn: unknown, via: string) => Resolved,
    byReference: (ref: unknown, via: string) => Resolved,
    addDoc: (p: Principal, label: string, doc: ReturnType<typeof readIamDocument>) => void,
    setBoundary: (p: Principal, found: Resolved) => void,
    undecided: Undecided[],
): void {
    const each = (kind: string, run: (r: StackResource, p: Principal | undefined, via: string) => void) => {
        for (const r of ofType(`aws:ssoadmin/${kind[0].toLowerCase()}${kind.slice(1)}:${kind}`)) run(r, find("permission set", value(r, "permissionSetArn"), `${kind} '${r.name}'`), `${kind} '${r.name}'`);
    };
    each("PermissionSetInlinePolicy", (r, p, via) => p && addDoc(p, via, readIamDocument(value(r, "inlinePolicy"))));
    each("ManagedPolicyAttachment", (r, p, via) => attachFound(p, resolve(value(r, "managedPolicyArn"), via)));
    each("ManagedPolicyAttachmentsExclusive", (r, p, via) => list(value(r, "managedPolicyArns")).forEach((arn, i) => attachFound(p, resolve(arn, `${via} managedPolicyArns[${i}]`))));
    each("CustomerManagedPolicyAttachment", (r, p, via) => attachFound(p, byReference(value(r, "customerManagedPolicyReference"), via)));
    each("CustomerManagedPolicyAttachmentsExclusive", (r, p, via) => list(value(r, "customerManagedPolicyReferences")).forEach((ref, i) => attachFound(p, byReference(ref, `${via}[${i}]`))));
    each("PermissionsBoundaryAttachment", (r, p, via) => {
        const b = value(r, "permissionsBoundary") as any;
        if (p) setBoundary(p, b?.managedPolicyArn !== undefined ? resolve(b.managedPolicyArn, via) : byReference(b?.customerManagedPolicyReference, via));
    });
    each("AccountAssignment", (_r, p, via) => {
        if (p?.kind === "permission set outside the stack") {
            undecided.push({ principal: p.name, reason: `${via} assigns permission set ${p.arn}, which the stack does not declare: its documents are not in the stack`, cause: "not evaluated" });
        }
    });
}

/** Every team secret and parameter (those carrying the namespace tag), with resource policy and key; a value whose team is not known is not decided. */
export function collectTargets(resources: StackResource[], account: Account): { targets: Target[]; undecided: Undecided[] } {
    const custom = resources.filter((r) => r.custom);
    const undecided: Undecided[] = [];
    const keys = custom.filter((r) => r.type === T.key);
    const keyPolicies = custom.filter((r) => r.type === T.keyPolicy);
    const grants = custom.filter((r) => r.type === T.grant);
    for (const g of grants.filter((g) => !known(value(g, "keyId")))) undecided.push({ principal: `Grant '${g.name}'`, reason: `KMS Grant '${g.name}' names its key by a value that is ${NOT_SHOWN}`, cause: "not known" });
    const refsOf = (k: StackResource) => [k.state?.arn, k.state?.keyId, k.id].filter(known);
    const keyOf = (ref: unknown): Target["key"] => {
        if (ref === undefined || ref === null || ref === "") return undefined;
        const key = keys.find((k) => refsOf(k).includes(ref as string));
        if (!key) return "outside";
        const arn = known(key.state?.arn) ? key.state.arn : `arn:${account.partition}:kms:${account.region}:${account.accountId}:key/${key.name}`;
        const override = keyPolicies.find((kp) => refsOf(key).includes(value(kp, "keyId")));
        const doc = readIamDocument(value(override ?? key, "policy"));
        // A key without a policy gets KMS's default key policy: the account root, so IAM policies decide (KMS developer guide, key-policy-default).
        const policy = doc ?? { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:${account.partition}:iam::${account.accountId}:root` }, Action: "kms:*", Resource: "*" }] };
        if (typeof policy === "string") return { arn, undecided: `the policy of key '${key.name}' is ${policy === "unknown" ? "not known yet" : "not readable"}` };
        // A grant allows its operations to the grantee whatever the key policy says (KMS developer guide, "Grants in AWS KMS"): a statement of the key's policy, in effect.
        const own = grants.filter((g) => refsOf(key).includes(value(g, "keyId")) || value(g, "keyId") === arn);
        const statements: Record<string, any>[] = [];
        const grantees: string[] = [];
        for (const g of own) {
            const grantee = value(g, "granteePrincipal");
            const operations = value(g, "operations");
            if (!known(grantee) || hasUnknown(operations) || hasUnknown(value(g, "constraints"))) return { arn, undecided: `KMS Grant '${g.name}' on key '${key.name}' holds a value that is ${NOT_SHOWN}` };
            if (!list(operations).includes("Decrypt")) continue;
            const condition: Record<string, string> = {};
            for (const c of list(value(g, "constraints")) as any[]) for (const [k, v] of Object.entries({ ...(c?.encryptionContextSubset ?? {}), ...(c?.encryptionContextEquals ?? {}) })) condition[`kms:EncryptionContext:${k}`] = String(v);
            statements.push({ Sid: `Grant '${g.name}'`, Effect: "Allow", Principal: { AWS: grantee }, Action: "kms:Decrypt", Resource: "*", ...(Object.keys(condition).length > 0 ? { Condition: { StringEquals: condition } } : {}) });
            grantees.push(grantee);
        }
        return { arn, policy: statements.length > 0 ? { ...policy, Statement: [...policy.Statement, ...statements] } : policy, ...(grantees.length > 0 ? { grantees } : {}) };
    };
    const secretPolicies = custom.filter((r) => r.type === T.secretPolicy);
    const secretTags = custom.filter((r) => r.type === T.secretTag);
    for (const sp of [...secretPolicies, ...secretTags].filter((x) => !known(value(x, x.type === T.secretTag ? "secretId" : "secretArn")))) {
        undecided.push({ principal: `${sp.type.split(":").pop()} '${sp.name}'`, reason: `${sp.type.split(":").pop()} '${sp.name}' names its secret by a value that is ${NOT_SHOWN}`, cause: "not known" });
    }
    const targets: Target[] = [];
    for (const r of custom.filter((x) => x.type === T.secret || x.type === T.parameter)) {
        const name = String(value(r, "name") ?? r.name);
        const secret = r.type === T.secret;
        const arn = known(r.state?.arn)
            ? r.state.arn
            : secret
              ? `arn:${account.partition}:secretsmanager:${account.region}:${account.accountId}:secret:${name}-AbCdEf`
              : `arn:${account.partition}:ssm:${account.region}:${account.accountId}:parameter${name.startsWith("/") ? "" : "/"}${name}`;
        const refs = [arn, r.id, name].filter(known);
        const tags = { ...tagsOf(r) };
        for (const t of secret ? secretTags.filter((t) => refs.includes(value(t, "secretId"))) : []) tags[String(value(t, "key"))] = value(t, "value");
        const namespace = tags[NAMESPACE_TAG_KEY];
        if (hasUnknown(tags) && !known(namespace)) {
            undecided.push({ principal: `${secret ? "Secret" : "Parameter"} '${r.name}'`, reason: `its tags are ${NOT_SHOWN}: whether it is a team value is not decided`, cause: "not known" });
            continue;
        }
        if (!known(namespace)) continue;
        const target: Target = { kind: secret ? "secret" : "parameter", name, arn, namespace, tags, key: keyOf(value(r, secret ? "kmsKeyId" : "keyId")) };
        if (hasUnknown(tags)) target.undecided = `${secret ? "Secret" : "Parameter"} '${r.name}' has tags that are ${NOT_SHOWN}`;
        if (secret) {
            const attached = secretPolicies.filter((sp) => refs.includes(value(sp, "secretArn")));
            for (const [label, raw] of [[`Secret '${r.name}' policy`, value(r, "policy")] as const, ...attached.map((sp) => [`SecretPolicy '${sp.name}'`, value(sp, "policy")] as const)]) {
                const doc = readIamDocument(raw);
                if (doc === "unknown" || doc === "invalid") target.undecided = `${label} is ${doc === "unknown" ? "not known yet" : "not readable"}`;
                else if (doc) target.resourcePolicy = { label, document: doc };
            }
        }
        targets.push(target);
    }
    return { targets, undecided };
}
