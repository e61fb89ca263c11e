/**
 * The documents of every principal of a stack and of every team value, read
 * from its resources (a program run offline, a preview, a state file): what
 * the principal check (stackPrincipals.ts) decides. Type tokens and
 * properties: @pulumi/aws 7.48.0 (`node_modules/@pulumi/aws/iam/*.js`,
 * `secretsmanager/secretPolicy.js`, `kms/key.js`, `kms/keyPolicy.js`).
 */
import { NAMESPACE_TAG_KEY } from "../../components/lib/constants";
import { wildcardMatch } from "../../policypack/lib/wildcard";
import type { StackResource } from "./inputs";
import { UNKNOWN } from "./inputs/resources";
import { awsManagedName, IamDocument, managedPolicy } from "./managedPolicies";

const T = {
    role: "aws:iam/role:Role",
    user: "aws:iam/user:User",
    group: "aws:iam/group:Group",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    userPolicy: "aws:iam/userPolicy:UserPolicy",
    groupPolicy: "aws:iam/groupPolicy:GroupPolicy",
    policy: "aws:iam/policy:Policy",
    rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    userPolicyAttachment: "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    groupPolicyAttachment: "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
    policyAttachment: "aws:iam/policyAttachment:PolicyAttachment",
    groupMembership: "aws:iam/groupMembership:GroupMembership",
    userGroupMembership: "aws:iam/userGroupMembership:UserGroupMembership",
    secret: "aws:secretsmanager/secret:Secret",
    secretPolicy: "aws:secretsmanager/secretPolicy:SecretPolicy",
    parameter: "aws:ssm/parameter:Parameter",
    key: "aws:kms/key:Key",
    keyPolicy: "aws:kms/keyPolicy:KeyPolicy",
} as const;

export interface Account {
    accountId: string;
    partition: string;
    region: string;
}

export interface Labeled {
    label: string;
    document: IamDocument;
}

export type PrincipalKind = "role" | "user" | "group" | "named by a resource policy";

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
}

export interface Target {
    kind: "secret" | "parameter";
    name: string;
    arn: string;
    namespace: string;
    tags: Record<string, string>;
    resourcePolicy?: Labeled;
    undecided?: string;
    /** The customer key in the stack that encrypts it, with its policy; `outside` when the key is not in the stack. */
    key?: { arn: string; policy?: IamDocument; undecided?: string } | "outside";
}


export const value = (r: StackResource, key: string) => r.state?.[key] ?? r.inputs?.[key];
export const hasUnknown = (v: unknown): boolean => v === UNKNOWN || (typeof v === "string" ? v.includes(UNKNOWN) : v !== null && typeof v === "object" && Object.values(v).some(hasUnknown));
export const known = (v: unknown): v is string => typeof v === "string" && v !== "" && !hasUnknown(v);
export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

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

/** Every principal of the stack with the documents attached to it. */
export function collectPrincipals(resources: StackResource[], account: Account): { principals: Principal[]; undecided: { principal: string; reason: string }[] } {
    const custom = resources.filter((r) => r.custom);
    const ofType = (type: string) => custom.filter((r) => r.type === type);
    const undecided: { principal: string; reason: string }[] = [];
    const principals: Principal[] = [];
    const byRef = new Map<string, Principal>();
    const resourceOf = new Map<Principal, StackResource>();
    const kinds: [string, "role" | "user" | "group"][] = [
        [T.role, "role"],
        [T.user, "user"],
        [T.group, "group"],
    ];
    for (const [type, kind] of kinds) {
        for (const r of ofType(type)) {
            const name = String(value(r, "name") ?? r.name);
            const arn = known(r.state?.arn) ? r.state.arn : `arn:${account.partition}:iam::${account.accountId}:${kind}/${name}`;
            const trust = kind === "role" ? readIamDocument(value(r, "assumeRolePolicy")) : undefined;
            const tagSession = typeof trust !== "object" ? kind === "role" : trust.Statement.some((st) => st.Effect === "Allow" && list(st.Action).some((a) => typeof a === "string" && wildcardMatch(a, "sts:TagSession")));
            const p: Principal = { kind, name, arn, policies: [], undecided: [], tags: tagsOf(r), tagsFixed: kind === "user" || (kind === "role" && !tagSession) };
            principals.push(p);
            resourceOf.set(p, r);
            for (const ref of [name, arn, (r as StackResource).id]) if (known(ref)) byRef.set(`${kind}:${ref}`, p);
        }
    }
    const find = (kind: "role" | "user" | "group", ref: unknown, via: string): Principal | undefined => {
        if (!known(ref)) {
            undecided.push({ principal: `${kind} of ${via}`, reason: `${via} names its ${kind} by a value that is not known yet, so its document is not attached to any principal here` });
            return undefined;
        }
        return byRef.get(`${kind}:${ref}`) ?? byRef.get(`${kind}:${ref.replace(/^arn:[^:]+:iam::\d+:(role|user|group)\/(.*\/)?/, "")}`);
    };
    const policies = new Map<string, { name: string; doc: ReturnType<typeof readIamDocument> }>();
    for (const r of ofType(T.policy)) {
        const arn = r.state?.arn;
        if (known(arn)) policies.set(arn, { name: String(value(r, "name") ?? r.name), doc: readIamDocument(value(r, "policy")) });
    }
    const addDoc = (p: Principal, label: string, doc: ReturnType<typeof readIamDocument>) => {
        if (doc === "unknown" || doc === "invalid") p.undecided.push(`${label} is ${doc === "unknown" ? "not known yet (a secret, or computed during the deployment)" : "not a readable policy document"}`);
        else if (doc) p.policies.push({ label, document: doc });
    };
    /** A policy by ARN: the stack's own, an AWS managed one this tool records, or not evaluated. */
    const resolve = (arn: unknown, via: string): { label: string; doc: ReturnType<typeof readIamDocument> } | { reason: string } => {
        if (!known(arn)) return { reason: `${via}: the policy ARN is not known yet` };
        const own = policies.get(arn);
        if (own) return { label: `${via} -> Policy '${own.name}'`, doc: own.doc };
        const managed = managedPolicy(arn);
        if (managed) return { label: `${via} -> AWS managed ${managed.name} ${managed.version}`, doc: managed.document };
        const name = awsManagedName(arn);
        return { reason: name ? `${via}: AWS managed policy ${name} is not evaluated (its published document is not recorded in scripts/lib/managedPolicies.ts)` : `${via}: policy ${arn} is not declared in this stack, so it is not evaluated` };
    };
    const attach = (p: Principal | undefined, arn: unknown, via: string) => {
        if (!p) return;
        const found = resolve(arn, via);
        if ("reason" in found) p.undecided.push(found.reason);
        else addDoc(p, found.label, found.doc);
    };
    for (const p of principals) {
        const r = resourceOf.get(p)!;
        list(value(r, "inlinePolicies")).forEach((ip: any, i) => ip && addDoc(p, `'${p.name}' inlinePolicies[${i}]`, readIamDocument(ip.policy)));
        list(value(r, "managedPolicyArns")).forEach((arn, i) => attach(p, arn, `'${p.name}' managedPolicyArns[${i}]`));
        const boundary = value(r, "permissionsBoundary");
        if (boundary !== undefined && boundary !== null && boundary !== "") {
            const found = resolve(boundary, `'${p.name}' permissionsBoundary`);
            if ("reason" in found || found.doc === "unknown" || found.doc === "invalid" || !found.doc) p.undecided.push("reason" in found ? found.reason : `${found.label} cannot be read`);
            else p.boundary = { label: found.label, document: found.doc };
        }
    }
    const inline: [string, "role" | "user" | "group", string][] = [
        [T.rolePolicy, "role", "RolePolicy"],
        [T.userPolicy, "user", "UserPolicy"],
        [T.groupPolicy, "group", "GroupPolicy"],
    ];
    for (const [type, kind, noun] of inline) {
        for (const r of ofType(type)) {
            const p = find(kind, value(r, kind), `${noun} '${r.name}'`);
            if (p) addDoc(p, `${noun} '${r.name}'`, readIamDocument(value(r, "policy")));
        }
    }
    const attachments: [string, "role" | "user" | "group", string][] = [
        [T.rolePolicyAttachment, "role", "RolePolicyAttachment"],
        [T.userPolicyAttachment, "user", "UserPolicyAttachment"],
        [T.groupPolicyAttachment, "group", "GroupPolicyAttachment"],
    ];
    for (const [type, kind, noun] of attachments) {
        for (const r of ofType(type)) attach(find(kind, value(r, kind), `${noun} '${r.name}'`), value(r, "policyArn"), `${noun} '${r.name}'`);
    }
    for (const r of ofType(T.policyAttachment)) {
        for (const [prop, kind] of [["roles", "role"], ["users", "user"], ["groups", "group"]] as const) {
            for (const ref of list(value(r, prop))) attach(find(kind, ref, `PolicyAttachment '${r.name}'`), value(r, "policyArn"), `PolicyAttachment '${r.name}'`);
        }
    }
    // A member user holds its groups' documents too (RolePolicyAttachmentsExclusive and the like only detach, so leaving them out never hides a read).
    const memberships: [StackResource, unknown, unknown[]][] = [
        ...ofType(T.groupMembership).map((r): [StackResource, unknown, unknown[]] => [r, value(r, "group"), list(value(r, "users"))]),
        ...ofType(T.userGroupMembership).flatMap((r) => list(value(r, "groups")).map((g): [StackResource, unknown, unknown[]] => [r, g, [value(r, "user")]])),
    ];
    for (const [r, groupRef, users] of memberships) {
        const group = find("group", groupRef, `${r.type.split(":").pop()} '${r.name}'`);
        for (const userRef of users) {
            const user = find("user", userRef, `${r.type.split(":").pop()} '${r.name}'`);
            if (!group || !user) continue;
            user.policies.push(...group.policies.map((d) => ({ label: `group '${group.name}': ${d.label}`, document: d.document })));
            user.undecided.push(...group.undecided.map((u) => `group '${group.name}': ${u}`));
        }
    }
    return { principals, undecided };
}

/** Every team secret and parameter (those carrying the namespace tag), with resource policy and key. */
export function collectTargets(resources: StackResource[], account: Account): Target[] {
    const custom = resources.filter((r) => r.custom);
    const keys = custom.filter((r) => r.type === T.key);
    const keyPolicies = custom.filter((r) => r.type === T.keyPolicy);
    const keyOf = (ref: unknown): Target["key"] => {
        if (ref === undefined || ref === null || ref === "") return undefined;
        const key = keys.find((k) => [k.state?.arn, k.state?.keyId, (k as StackResource).id].some((x) => known(x) && x === ref));
        if (!key) return "outside";
        const arn = known(key.state?.arn) ? key.state.arn : `arn:${account.partition}:kms:${account.region}:${account.accountId}:key/${key.name}`;
        const override = keyPolicies.find((kp) => [key.state?.arn, key.state?.keyId, (key as StackResource).id].some((x) => known(x) && x === value(kp, "keyId")));
        const doc = readIamDocument(value(override ?? key, "policy"));
        // A key without a policy gets KMS's default key policy: the account root, so IAM policies decide (KMS developer guide, key-policy-default).
        const policy = doc ?? { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:${account.partition}:iam::${account.accountId}:root` }, Action: "kms:*", Resource: "*" }] };
        return typeof policy === "string" ? { arn, undecided: `the policy of key '${key.name}' is ${policy === "unknown" ? "not known yet" : "not readable"}` } : { arn, policy };
    };
    const secretPolicies = custom.filter((r) => r.type === T.secretPolicy);
    const targets: Target[] = [];
    for (const r of custom.filter((x) => x.type === T.secret || x.type === T.parameter)) {
        const tags = tagsOf(r);
        const namespace = tags[NAMESPACE_TAG_KEY];
        if (!known(namespace)) continue;
        const name = String(value(r, "name") ?? r.name);
        const secret = r.type === T.secret;
        const arn = known(r.state?.arn)
            ? r.state.arn
            : secret
              ? `arn:${account.partition}:secretsmanager:${account.region}:${account.accountId}:secret:${name}-AbCdEf`
              : `arn:${account.partition}:ssm:${account.region}:${account.accountId}:parameter${name.startsWith("/") ? "" : "/"}${name}`;
        const target: Target = { kind: secret ? "secret" : "parameter", name, arn, namespace, tags, key: keyOf(value(r, secret ? "kmsKeyId" : "keyId")) };
        if (secret) {
            const attached = secretPolicies.filter((sp) => [arn, (r as StackResource).id, name].some((x) => known(x) && x === value(sp, "secretArn")));
            for (const [label, raw] of [[`Secret '${r.name}' policy`, value(r, "policy")] as const, ...attached.map((sp) => [`SecretPolicy '${sp.name}'`, value(sp, "policy")] as const)]) {
                const doc = readIamDocument(raw);
                if (doc === "unknown" || doc === "invalid") target.undecided = `${label} is ${doc === "unknown" ? "not known yet" : "not readable"}`;
                else if (doc) target.resourcePolicy = { label, document: doc };
            }
        }
        targets.push(target);
    }
    return targets;
}

