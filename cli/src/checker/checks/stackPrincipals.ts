/**
 * Who in the stack can read which team's secret: every role, user, group and
 * IAM Identity Center permission set the stack declares or attaches policies
 * to (inline policies, RolePolicy, UserPolicy, GroupPolicy, Policy
 * attachments and their *Exclusive forms, `managedPolicyArns`, permission
 * boundaries, group memberships, permission set attachments), every principal
 * outside the stack that the stack gives a document, every principal a
 * secret's resource policy names, and KMS grantees, decided by the IAM
 * evaluator against each team secret and parameter of the stack (identity
 * policies, boundary, resource policy, and the KMS key policy with its grants
 * where a customer key in the stack encrypts the value). The shared ABAC role
 * is left to the access matrix: its team sessions are the expected readers.
 *
 * Fail closed: the types that can grant are enumerated from the installed SDKs
 * in grantSurface.ts; a type the check does not evaluate, a document it cannot
 * see and a value the input does not show are "not decided" (`undecided`),
 * never safe. The documents are read by principalDocuments.ts.
 */
import type { PolicyDocument } from "../../../../components/lib/iam";
import type { TrustedReader } from "../../../../components/lib/trustedReaders";
import { decide, IamRequest } from "./iamEvaluator";
import type { StackResource } from "../inputs";
import { PARAMETER_VALUE_READS, SECRET_METADATA_READS, SECRET_VALUE_READS } from "../../../../policypack/lib/constants";
import type { IamDocument } from "./managedPolicies";
import { classify, notEvaluatedResources, rbacUndecided } from "./grantSurface";
import { Account, causeOf, collectPrincipals, collectTargets, Labeled, list, Principal, PrincipalKind, Target, Undecided } from "./principalDocuments";
import { judgeReach, ReachKind } from "./reach";

export type { Account, PrincipalKind, Undecided };

/** What reads a value, and a secret's metadata: one definition for the pack, the matrix and this check. */
export const SECRET_READS: readonly string[] = SECRET_VALUE_READS;
export const PARAMETER_READS: readonly string[] = PARAMETER_VALUE_READS;
export const SECRET_METADATA: readonly string[] = SECRET_METADATA_READS;

export const OUT_OF_SCOPE =
    "Principals outside this stack (roles, users and SSO permission sets of the account that this stack does not declare or give a document) are out of scope: their policies are not in the stack.";


export interface ReadFinding {
    principal: string;
    kind: PrincipalKind | ReachKind;
    arn: string;
    action: string;
    target: string;
    targetKind: "secret" | "parameter" | "kubernetes secret";
    namespace: string;
    /** The document and statement that grant it. */
    statement: string;
    note?: string;
    /** Set when the config names the principal as a trusted reader. */
    trustedReason?: string;
    /** The trusted reader's `principal`, as the config writes it, that this finding matched. */
    trustedBy?: string;
    /** A way to the value other than the principal's own read (cli/src/checker/checks/reach): each step from the principal to the value. */
    path?: string[];
}

export interface PrincipalReport {
    /** Every principal evaluated, with the documents it was evaluated with. */
    evaluated: { name: string; kind: PrincipalKind; arn: string; documents: string[] }[];
    /** Shared ABAC roles: their team sessions are the expected readers, decided by the access matrix. */
    expected: string[];
    /** Reads by a principal other than the shared role's sessions and the trusted readers: each fails the verdict. */
    reads: ReadFinding[];
    /** Reads by trusted readers, with the config's reason. */
    trusted: ReadFinding[];
    /** Metadata actions (DescribeSecret) on team secrets: a finding of its own, not a read. */
    metadata: ReadFinding[];
    /**
     * Not decided, each with the principal (or resource) it touches and why: a value the input does not
     * show (`not known`) or a document or resource type the check does not evaluate (`not evaluated`).
     * Not decided is never OK: the verdict reads this list.
     */
    undecided: Undecided[];
    /** Trusted readers the config names that the stack does not hold. */
    unmatchedTrustedReaders: TrustedReader[];
    scope: string;
    /**
     * No read by an unexpected principal, and nothing `not evaluated` (an AWS managed
     * policy it has no text of, a policy or group outside the stack, a type of the grant
     * surface it does not read) unless the config trusts the principal. Values `not known`
     * (a first preview) are in `undecided` for the verdict to judge.
     */
    ok: boolean;
}


const asPolicy = (d: IamDocument) => d as unknown as PolicyDocument;

function sessionOf(p: Principal, account: Account): string {
    if (p.kind === "role") return `arn:${account.partition}:sts::${account.accountId}:assumed-role/${p.name}/principal-check`;
    if (p.kind === "group") return `arn:${account.partition}:iam::${account.accountId}:user/member-of-${p.name}`;
    return p.arn;
}

function contextOf(p: Principal, t: Target, account: Account): Record<string, string> {
    const ctx: Record<string, string> = {
        "aws:PrincipalArn": p.kind === "group" ? `arn:${account.partition}:iam::${account.accountId}:user/member-of-${p.name}` : p.arn,
        "aws:PrincipalAccount": p.foreign ? (p.arn.split(":")[4] ?? "") : account.accountId,
    };
    for (const [k, v] of Object.entries(p.tags)) ctx[`aws:PrincipalTag/${k}`] = v;
    for (const [k, v] of Object.entries(t.tags)) {
        ctx[`aws:ResourceTag/${k}`] = v;
        if (t.kind === "secret") ctx[`secretsmanager:ResourceTag/${k}`] = v;
    }
    return ctx;
}

const statementsOf = (d: IamDocument) => d.Statement;
const single = (s: Record<string, any>): IamDocument => ({ Version: "2012-10-17", Statement: [s] });
const statementLabel = (doc: Labeled, i: number) => `${doc.label} Statement[${i}]${typeof doc.document.Statement[i]?.Sid === "string" ? ` (${doc.document.Statement[i].Sid})` : ""}`;

/** The Allow statement that grants the request on its own, for the report. */
function grantingStatement(p: Principal, t: Target, request: IamRequest): string {
    for (const doc of p.policies) {
        for (const [i, s] of statementsOf(doc.document).entries()) {
            if (s.Effect !== "Allow") continue;
            if (decide({ ...request, identityPolicies: [asPolicy(single(s))], resourcePolicy: undefined }) === "Allowed") return statementLabel(doc, i);
        }
    }
    if (t.resourcePolicy) {
        for (const [i, s] of statementsOf(t.resourcePolicy.document).entries()) {
            if (s.Effect === "Allow" && decide({ ...request, identityPolicies: p.foreign ? request.identityPolicies : [], resourcePolicy: asPolicy(single(s)) }) === "Allowed") return statementLabel(t.resourcePolicy, i);
        }
    }
    return "the documents together (no single statement grants it alone)";
}

/**
 * The documents with every condition the stack does not fix taken at its
 * worst: an Allow's condition on a key the request does not carry (the
 * caller's source IP, a request parameter, a session tag the caller picks) is
 * taken as met, and a Deny with such a condition as not applying. What the
 * stack fixes: resource tags, the principal's ARN and account, its tags when
 * nobody can set session tags, and the KMS keys the request carries.
 */
function worstCase(docs: IamDocument[], p: Principal, context: Record<string, unknown>): { docs: IamDocument[]; keys: string[] } {
    const present = new Set(Object.keys(context).map((k) => k.toLowerCase()));
    const fixed = (key: string) => /^(aws|secretsmanager):resourcetag\//i.test(key) || (p.tagsFixed && /^aws:principaltag\//i.test(key)) || present.has(key.toLowerCase());
    const keys = new Set<string>();
    const open = (key: string, values: unknown) => !fixed(key) || (!p.tagsFixed && list(values).some((v) => typeof v === "string" && /\$\{aws:PrincipalTag\//i.test(v)));
    const out = docs.map((d) => ({
        ...d,
        Statement: d.Statement.flatMap((st) => {
            if (st.Condition === null || typeof st.Condition !== "object") return [st];
            const condition: Record<string, Record<string, unknown>> = {};
            let dropped = false;
            for (const [operator, block] of Object.entries(st.Condition as Record<string, Record<string, unknown>>)) {
                for (const [key, values] of Object.entries(block ?? {})) {
                    if (open(key, values)) {
                        keys.add(key);
                        dropped = true;
                    } else (condition[operator] ??= {})[key] = values;
                }
            }
            if (!dropped) return [st];
            if (st.Effect === "Deny") return [];
            const { Condition: _c, ...rest } = st;
            return [Object.keys(condition).length > 0 ? { ...rest, Condition: condition } : rest];
        }),
    }));
    return { docs: out, keys: [...keys] };
}

/** IAM's decision, and else its decision at the worst case of the conditions the stack does not fix (with the keys taken as met). */
function decideWorst(request: IamRequest, p: Principal): { allowed: boolean; keys: string[] } {
    if (decide(request) === "Allowed") return { allowed: true, keys: [] };
    const worst = (docs: PolicyDocument[] | undefined) => worstCase((docs ?? []) as unknown as IamDocument[], p, request.context);
    const identity = worst(request.identityPolicies);
    const boundary = worst(request.permissionBoundaries);
    const resource = worst(request.resourcePolicy ? [request.resourcePolicy] : []);
    const keys = [...new Set([...identity.keys, ...boundary.keys, ...resource.keys])];
    if (keys.length === 0) return { allowed: false, keys };
    const allowed =
        decide({
            ...request,
            identityPolicies: identity.docs.map(asPolicy),
            resourcePolicy: request.resourcePolicy && asPolicy(resource.docs[0]),
            ...(request.permissionBoundaries ? { permissionBoundaries: boundary.docs.map(asPolicy) } : {}),
        }) === "Allowed";
    return { allowed, keys: allowed ? keys : [] };
}

export type ReadDecision = { allowed: boolean; statement?: string; note?: string; undecided?: string };

/**
 * What IAM decides for one principal, one team value and one action: a read, a refusal, or undecided with the reason.
 * `on`: the request names another resource than the value (a path, the value's key), with its tags and policy;
 * the key's decryption is still decided for the value itself.
 */
export function decideRead(p: Principal, t: Target, action: string, account: Account, on?: { arn: string; tags: Record<string, string>; resourcePolicy?: Labeled }, extra: Record<string, string> = {}): ReadDecision {
    const resourcePolicy = on ? on.resourcePolicy : t.resourcePolicy;
    const request: IamRequest = {
        principal: sessionOf(p, account),
        action,
        resource: on?.arn ?? t.arn,
        resourceAccount: account.accountId,
        // `extra`: keys the caller fixes in this request (the session tags it sends); they are then decided, not taken at their worst.
        context: { ...contextOf(p, on ? { ...t, tags: on.tags } : t, account), ...extra },
        identityPolicies: p.policies.map((d) => asPolicy(d.document)),
        resourcePolicy: resourcePolicy && asPolicy(resourcePolicy.document),
        ...(p.boundary ? { permissionBoundaries: [asPolicy(p.boundary.document)] } : {}),
    };
    const read = decideWorst(request, p);
    if (!read.allowed) {
        return p.undecided.length > 0 || t.undecided ? { allowed: false, undecided: [...p.undecided, ...(t.undecided ? [t.undecided] : [])].join("; ") } : { allowed: false };
    }
    const when = (keys: string[]) => (keys.length > 0 ? ` (when ${keys.join(", ")} hold, which the stack does not fix)` : "");
    const loosened = read.keys.length > 0 ? { ...p, policies: p.policies.map((d) => ({ ...d, document: worstCase([d.document], p, request.context).docs[0] })) } : p;
    const target = on ? { ...t, resourcePolicy } : t;
    const statement = `${grantingStatement(loosened, target, read.keys.length > 0 ? { ...request, resourcePolicy: resourcePolicy && asPolicy(worstCase([resourcePolicy.document], p, request.context).docs[0]) } : request)}${when(read.keys)}`;
    const key = t.key;
    if (key === undefined) return { allowed: true, statement };
    if (key === "outside") return { allowed: true, statement, note: "its KMS key is not in this stack: decryption is assumed to be allowed" };
    if (key.undecided) return { allowed: false, undecided: key.undecided };
    const service = t.kind === "secret" ? "secretsmanager" : "ssm";
    const decrypt = decideWorst(
        {
            ...request,
            action: "kms:Decrypt",
            resource: key.arn,
            resourcePolicy: asPolicy(key.policy!),
            context: {
                ...request.context,
                "kms:ViaService": `${service}.${account.region}.amazonaws.com`,
                "kms:CallerAccount": account.accountId,
                // Encryption contexts of Secrets Manager and Parameter Store (their KMS pages: SecretARN, PARAMETER_ARN).
                ...(t.kind === "secret" ? { "kms:EncryptionContext:SecretARN": t.arn } : { "kms:EncryptionContext:PARAMETER_ARN": t.arn }),
            },
        },
        p,
    );
    return decrypt.allowed ? { allowed: true, statement, note: `kms:Decrypt on ${key.arn} allowed too${when(decrypt.keys)}` } : { allowed: false };
}

/** Principals an Allow of a secret's resource policy names that the stack does not declare. */
function namedPrincipals(targets: Target[], principals: Principal[], account: Account): Principal[] {
    const inStack = new Set(principals.map((p) => p.arn));
    const found = new Map<string, Principal>();
    for (const t of targets) {
        for (const s of t.resourcePolicy ? statementsOf(t.resourcePolicy.document) : []) {
            if (s.Effect !== "Allow") continue;
            const principal = s.Principal;
            const ids = principal === "*" ? ["*"] : list(principal?.AWS).map(String);
            for (const id of ids) {
                const own = id === account.accountId || id === `arn:${account.partition}:iam::${account.accountId}:root`;
                // The account itself delegates to IAM: the stack's principals are decided with their own documents.
                if (own || inStack.has(id) || found.has(id)) continue;
                const accountOf = id === "*" ? "999999999999" : /^\d{12}$/.test(id) ? id : (id.split(":")[4] ?? "");
                const foreign = accountOf !== account.accountId;
                const name = id === "*" ? "*" : id;
                const arn = id === "*" || /^\d{12}$/.test(id) || id.endsWith(":root") ? `arn:${account.partition}:iam::${accountOf}:role/any-principal` : id;
                found.set(id, {
                    kind: "named by a resource policy",
                    name,
                    arn,
                    foreign,
                    // In another account the caller also needs its own identity policy, which is outside the stack: assumed to allow.
                    policies: foreign ? [{ label: `its own account ${accountOf} (outside the stack, assumed to allow)`, document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] } }] : [],
                    undecided: [],
                    tags: {},
                    tagsFixed: false,
                });
            }
        }
    }
    return [...found.values()];
}

export interface PrincipalOptions {
    account: Account;
    /** Names of the shared ABAC roles, whose team sessions the access matrix decides. */
    sharedRoles: string[];
    trustedReaders?: TrustedReader[];
    /** Resources the state marks for deletion (StackInput.pendingDeletion): they still exist and grant. */
    pendingDeletion?: StackResource[];
    /** Operations begun and not finished when the state was written (StackInput.pendingOperations). */
    pendingOperations?: { type: string; name: string; operation: string }[];
    /** Follow the ways to a value beyond a principal's own read (cli/src/checker/checks/reach). @default true; false only to measure their cost. */
    followReach?: boolean;
}

const PENDING_DELETION = "marked for deletion in the state (delete: true): it exists until the next update deletes it";

/** Undecided entries from what the input does not show or the check does not read, beside the documents. */
function surfaceUndecided(resources: StackResource[], options: PrincipalOptions): Undecided[] {
    const out: Undecided[] = [...notEvaluatedResources(resources), ...rbacUndecided(resources)].map((u) => ({ ...u, cause: "not evaluated" as const }));
    for (const op of options.pendingOperations ?? []) {
        if (classify(op.type) === undefined) continue;
        out.push({ principal: `${op.type.split(":").pop()} '${op.name}'`, reason: `an operation (${op.operation}) was pending when the state was written: what it holds is not known yet`, cause: "not known" });
    }
    return out;
}

export function judgePrincipals(declared: StackResource[], options: PrincipalOptions): PrincipalReport {
    const { account } = options;
    const resources = [...declared, ...(options.pendingDeletion ?? []).map((r) => ({ ...r, pendingDeletion: true }))];
    const { principals, undecided } = collectPrincipals(resources, account);
    const { targets, undecided: targetsUndecided } = collectTargets(resources, account);
    undecided.push(...targetsUndecided, ...surfaceUndecided(resources, options));
    const trusted = options.trustedReaders ?? [];
    const evaluatedPrincipals = [...principals.filter((p) => !(p.kind === "role" && options.sharedRoles.includes(p.name))), ...namedPrincipals(targets, principals, account)];
    // A KMS grantee outside the stack decrypts; whether it reads depends on its own policies, which are not here.
    const inStack = new Set(principals.map((p) => p.arn));
    for (const t of targets) {
        for (const g of t.key !== undefined && t.key !== "outside" ? (t.key.grantees ?? []) : []) {
            if (!inStack.has(g) && !undecided.some((u) => u.principal === g)) undecided.push({ principal: g, reason: `a KMS grant lets it decrypt team values under key ${(t.key as { arn: string }).arn}; it is not a principal of the stack, so whether its own policies allow GetSecretValue is not evaluated`, cause: "not evaluated" });
        }
    }
    const reads: ReadFinding[] = [];
    const trustedReads: ReadFinding[] = [];
    const metadata: ReadFinding[] = [];
    for (const p of evaluatedPrincipals) {
        const reason = trusted.find((r) => r.principal === p.name || r.principal === p.arn)?.reason;
        const open = new Set<string>();
        const principalNote = [p.note, p.pendingDeletion ? PENDING_DELETION : undefined].filter((x) => x !== undefined).join("; ");
        for (const t of targets) {
            const finding = (action: string, statement: string, note?: string): ReadFinding => {
                const notes = [note, principalNote].filter((x) => x !== undefined && x !== "").join("; ");
                return {
                    principal: p.name,
                    kind: p.kind,
                    arn: p.arn,
                    action,
                    target: t.name,
                    targetKind: t.kind,
                    namespace: t.namespace,
                    statement,
                    ...(notes ? { note: notes } : {}),
                    ...(reason !== undefined ? { trustedReason: reason } : {}),
                };
            };
            const read = (t.kind === "secret" ? SECRET_READS : PARAMETER_READS).map((a) => [a, decideRead(p, t, a, account)] as const);
            const allowed = read.find(([, d]) => d.allowed);
            if (allowed) (reason !== undefined ? trustedReads : reads).push(finding(allowed[0], allowed[1].statement!, allowed[1].note));
            else for (const [, d] of read) if (d.undecided) open.add(d.undecided);
            if (t.kind === "secret") {
                for (const action of SECRET_METADATA) {
                    const d = decideRead({ ...p, undecided: [] }, { ...t, key: undefined, undecided: undefined }, action, account);
                    if (d.allowed) metadata.push(finding(action, d.statement!));
                }
            }
        }
        if (reason !== undefined) continue;
        for (const reason of open) undecided.push({ principal: p.name, reason, cause: causeOf(reason) });
        if (open.size === 0) for (const u of p.undecided) if (!undecided.some((x) => x.principal === p.name && x.reason === u)) undecided.push({ principal: p.name, reason: u, cause: causeOf(u) });
    }
    // Ways to a value beyond a principal's own read: path reads, one-step escalations, sessions, copies (cli/src/checker/checks/reach).
    const reach = options.followReach === false ? { reads: [], undecided: [] } : judgeReach(resources, { account, principals, evaluated: evaluatedPrincipals, targets, reads: [...reads, ...trustedReads], sharedRoles: options.sharedRoles, trusted, decideRead });
    for (const f of reach.reads) (f.trustedReason !== undefined ? trustedReads : reads).push(f);
    undecided.push(...reach.undecided.map((u) => ({ ...u, cause: causeOf(u.reason) })));
    const notEvaluated = undecided.filter((u) => u.cause === "not evaluated");
    const names = new Set(evaluatedPrincipals.flatMap((p) => [p.name, p.arn]));
    // A trusted reader is held when a way to a value matched it (a Kubernetes subject, for instance).
    for (const f of trustedReads) if (f.trustedBy !== undefined) names.add(f.trustedBy);
    return {
        evaluated: evaluatedPrincipals.map((p) => ({ name: p.name, kind: p.kind, arn: p.arn, documents: [...p.policies.map((d) => d.label), ...(p.boundary ? [`boundary ${p.boundary.label}`] : [])] })),
        expected: options.sharedRoles,
        reads,
        trusted: trustedReads,
        metadata,
        undecided,
        unmatchedTrustedReaders: trusted.filter((r) => !names.has(r.principal)),
        scope: OUT_OF_SCOPE,
        // A document not evaluated can hide a read only where there is a team value to read.
        ok: reads.length === 0 && (targets.length === 0 || notEvaluated.length === 0),
    };
}

/** Findings grouped per principal: how many values of how many teams, one statement and one example. */
function grouped(findings: ReadFinding[]): string[] {
    const byPrincipal = new Map<string, ReadFinding[]>();
    for (const f of findings) byPrincipal.set(f.principal, [...(byPrincipal.get(f.principal) ?? []), f]);
    return [...byPrincipal.values()].map((fs) => {
        const f = fs[0];
        const teams = new Set(fs.map((x) => x.namespace)).size;
        return `${f.kind} ${f.principal}: ${f.action} on ${fs.length} team value(s) of ${teams} team(s), e.g. ${f.targetKind} ${f.target} of team ${f.namespace}; granted by ${f.statement}${f.note ? ` (${f.note})` : ""}${f.trustedReason !== undefined ? `; trusted reader: ${f.trustedReason}` : ""}`;
    });
}

export function renderPrincipals(report: PrincipalReport): string {
    const out = [`Principals of the stack (${report.evaluated.length} evaluated beside the shared role${report.expected.length === 1 ? "" : "s"} ${report.expected.join(", ") || "(none)"}):`];
    if (report.reads.length === 0) out.push("  no other principal can read a team's secret or parameter");
    else out.push(`  ${report.reads.length} read(s) of team values by principals other than the shared role's team sessions:`, ...grouped(report.reads).map((l) => `    ${l}`));
    if (report.trusted.length > 0) out.push("  trusted readers (stack config `trustedReaders`):", ...grouped(report.trusted).map((l) => `    ${l}`));
    if (report.metadata.length > 0) out.push("  metadata only (not a read of the value):", ...grouped(report.metadata).map((l) => `    ${l}`));
    for (const u of report.undecided) out.push(`  not decided (${u.cause}): ${u.principal}: ${u.reason}`);
    for (const r of report.unmatchedTrustedReaders) out.push(`  trusted reader ${r.principal} is not a principal of this stack`);
    out.push(`  ${report.scope}`);
    return out.join("\n");
}
