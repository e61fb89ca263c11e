/**
 * Who can become whom: the sessions of the stack's roles that a principal
 * can obtain, and what they read. Edges, each decided by the IAM evaluator
 * on the target role's trust (and the caller's own policies):
 *
 * - a Pod Identity association: the pod's service account gets a session of
 *   `roleArn` when the role's trust admits Pod Identity's AssumeRole and
 *   TagSession with the six session tags of that service account
 *   (podTrust.ts `podIdentityAssumeRequest`; none with `disableSessionTags`),
 *   then of `targetRoleArn`, which EKS assumes with the first session's
 *   credentials ("two role assumptions in sequence", EKS API Reference,
 *   CreatePodIdentityAssociation);
 * - IRSA: a service account's web identity token admitted by a trust on an
 *   EKS OIDC provider (its `sub` is `system:serviceaccount:<ns>:<sa>`; a
 *   tenant may name a service account of its namespace as it likes);
 * - sts:AssumeRole from any session of the stack, with sts:TagSession for
 *   the tags the caller sends; Pod Identity's tags are transitive, so a
 *   chained session keeps them and no caller can send another value for an
 *   inherited key (IAM User Guide, "Chaining roles with session tags").
 *
 * A caller that can send the tags a role decides by (`${aws:PrincipalTag/k}`
 * in its documents) picks them: each other team's values are tried. Keys the
 * trust does not fix (a source IP, an external ID, request tags it does not
 * compare) are taken at their worst, as the principal check takes them.
 * ESO's own service account (the one its chart runs as) is the controller
 * that must choose `esoNamespace`; every other origin reading another team's
 * value is a leak, named with the whole chain.
 */
import type { PolicyDocument } from "../../../../../components/lib/iam";
import { POD_IDENTITY_SERVICE_PRINCIPAL } from "../../../../../policypack/lib/constants";
import { podSessionContext } from "../accessMatrix";
import { decide } from "../iamEvaluator";
import type { StackResource } from "../../inputs";
import { known, Labeled, list, Principal, readIamDocument, Target, value } from "../principalDocuments";
import { podIdentityAssumeRequest } from "../podTrust";
import type { ReadFinding } from "../stackPrincipals";
import { mayAllow, ofType, ReachContext, reachFinding, valueStep } from "./context";
import type { IamDocument } from "../managedPolicies";

const MAX_HOPS = 4;

interface Session {
    role: Principal;
    /** Principal tags of the session (without the `aws:PrincipalTag/` prefix). */
    tags: Record<string, string>;
    /** Keys the caller chose when it tagged this session: it picks another team's values for them. */
    chosen: string[];
    path: string[];
    hops: number;
    /** The hops where the caller chose keys: each must admit the values it sends (a trust may bind them). */
    choosers: { caller: Principal; target: Principal; on: { arn: string; tags: Record<string, string>; resourcePolicy: Labeled }; keys: string[] }[];
}

interface Origin {
    name: string;
    kind: ReadFinding["kind"];
    arn: string;
    /** The origin's own team namespace: its own values are not a leak. */
    namespace?: string;
}

/** ESO's service account per release namespace: the controller that must pick `esoNamespace`. */
export function esoControllers(resources: StackResource[]): Set<string> {
    const out = new Set<string>();
    for (const r of ofType(resources, "kubernetes:helm.sh/v3:Release")) {
        if (!/(^|\/)external-secrets$/.test(String(value(r, "chart") ?? ""))) continue;
        const values = (value(r, "values") ?? {}) as { serviceAccount?: { name?: string } };
        out.add(`${value(r, "namespace") ?? "default"}/${values.serviceAccount?.name ?? "external-secrets"}`);
    }
    return out;
}

/** Keys a role decides by: `${aws:PrincipalTag/k}` variables and `aws:PrincipalTag/k` condition keys of its documents. */
export function principalTagKeys(p: Principal): string[] {
    const keys = new Set<string>();
    const text = JSON.stringify([...p.policies.map((d) => d.document), p.boundary?.document ?? null]);
    for (const m of text.matchAll(/aws:PrincipalTag\/([\w+=,.@:\/-]+?)[}"]/gi)) keys.add(m[1]);
    return [...keys];
}

const trustAdmitsAws = (trust: IamDocument) => trust.Statement.some((s) => s.Effect === "Allow" && (s.Principal === "*" || s.Principal?.AWS !== undefined));

export function sessionReads(resources: StackResource[], ctx: ReachContext): { reads: ReadFinding[]; undecided: { principal: string; reason: string }[] } {
    const roles = ctx.principals.filter((p) => p.kind === "role");
    const trustOf = new Map<Principal, IamDocument>();
    for (const r of ofType(resources, "aws:iam/role:Role")) {
        const name = String(value(r, "name") ?? r.name);
        const role = roles.find((p) => p.name === name);
        const trust = readIamDocument(value(r, "assumeRolePolicy"));
        if (role && typeof trust === "object") trustOf.set(role, trust);
    }
    const roleByArn = (arn: unknown) => (known(arn) ? roles.find((p) => p.arn === arn || arn.endsWith(`:role/${p.name}`)) : undefined);
    const shared = new Set(ctx.sharedRoles);
    const controllers = esoControllers(resources);
    const out: ReadFinding[] = [];
    const undecided: { principal: string; reason: string }[] = [];
    const seen = new Set<string>();
    const directOf = (name: string) => ctx.reads.filter((f) => f.principal === name);
    const decidingKeys = new Map<Principal, string[]>();
    const keysOf = (p: Principal) => decidingKeys.get(p) ?? (decidingKeys.set(p, principalTagKeys(p)), decidingKeys.get(p)!);

    /** What a session reads that its origin must not: its role's own reads, or for a role that decides by tags, each other team's values with the tags chosen. */
    const readsOf = (origin: Origin, s: Session, expected: boolean) => {
        if (expected) return;
        const other = (t: { namespace: string }) => t.namespace !== origin.namespace;
        if (!shared.has(s.role.name)) {
            for (const f of directOf(s.role.name).filter(other)) emit(origin, f.action, { name: f.target, kind: f.targetKind, namespace: f.namespace }, [...s.path, `${f.action} on ${f.targetKind} ${f.target} (team ${f.namespace}), granted by ${f.statement}`]);
            return;
        }
        for (const t of ctx.targets.filter(other)) {
            const tags = { ...s.tags };
            for (const k of s.chosen) tags[k] = t.tags[k] ?? t.namespace;
            // STS authorises AssumeRole and TagSession with the tags sent as aws:RequestTag/<key> (IAM User Guide,
            // "Passing session tags in AWS STS"): a trust that binds a key's value admits only that value.
            if (!s.choosers.every((c) => sendable(c, tags))) continue;
            const session: Principal = { ...s.role, tags, tagsFixed: true, undecided: [] };
            const action = t.kind === "secret" ? "secretsmanager:GetSecretValue" : "ssm:GetParameter";
            const d = ctx.decideRead(session, t, action, ctx.account);
            if (!d.allowed) continue;
            const chosen = s.chosen.length > 0 ? ` with ${s.chosen.map((k) => `${k}=${tags[k]}`).join(", ")}` : "";
            emit(origin, action, t, [...s.path.slice(0, -1), `${s.path[s.path.length - 1]}${chosen}`, valueStep(t, action)], d.note);
        }
    };
    /** Whether the chooser's hop admits sending these values for its keys; every other condition is still taken at its worst. */
    const sendable = (c: Session["choosers"][number], tags: Record<string, string>) => {
        const sent = Object.fromEntries(c.keys.filter((k) => tags[k] !== undefined).map((k) => [`aws:RequestTag/${k}`, tags[k]]));
        const probe: Target = { kind: "secret", name: c.target.name, arn: c.target.arn, namespace: "", tags: {} };
        return ["sts:AssumeRole", "sts:TagSession"].every((action) => ctx.decideRead(c.caller, probe, action, ctx.account, c.on, sent).allowed);
    };
    const emit = (origin: Origin, action: string, t: { name: string; kind: ReadFinding["targetKind"]; namespace: string }, path: string[], note?: string) => {
        const key = `${origin.arn} ${t.kind} ${t.name}`;
        if (seen.has(key)) return;
        seen.add(key);
        out.push(reachFinding(ctx, origin, action, t, path, note));
    };

    /** A session's sts:AssumeRole (and TagSession) on another role, with the keys it may choose; undefined when refused. */
    const assume = (s: Session, target: Principal): Session | undefined => {
        const trust = trustOf.get(target);
        if (!trust || target === s.role || !trustAdmitsAws(trust)) return undefined;
        if (!mayAllow(s.role.policies, "sts:AssumeRole") && !JSON.stringify(trust).includes(s.role.arn)) return undefined;
        const caller: Principal = { ...s.role, tags: s.tags, tagsFixed: true, undecided: [] };
        const on = { arn: target.arn, tags: {}, resourcePolicy: { label: `trust of role ${target.name}`, document: trust } };
        const probe: Target = { kind: "secret", name: target.name, arn: target.arn, namespace: "", tags: {} };
        const assumed = ctx.decideRead(caller, probe, "sts:AssumeRole", ctx.account, on);
        if (!assumed.allowed) return undefined;
        const inherited = new Set(Object.keys(s.tags).map((k) => k.toLowerCase()));
        const wanted = keysOf(target).filter((k) => !inherited.has(k.toLowerCase()));
        const tagging = Object.keys(s.tags).length > 0 || wanted.length > 0 ? ctx.decideRead(caller, probe, "sts:TagSession", ctx.account, on).allowed : false;
        // Transitive tags ride on every chained call: without TagSession STS refuses it.
        if (Object.keys(s.tags).length > 0 && !tagging) return undefined;
        const chosen = tagging ? wanted : [];
        return {
            role: target,
            tags: s.tags,
            chosen: [...new Set([...s.chosen.filter((k) => !inherited.has(k.toLowerCase())), ...chosen])],
            path: [...s.path, `sts:AssumeRole${tagging ? "+TagSession" : ""} (allowed by ${assumed.statement})`, `role ${target.name}`],
            hops: s.hops + 1,
            choosers: chosen.length > 0 ? [...s.choosers, { caller, target, on, keys: chosen }] : s.choosers,
        };
    };

    const explore = (origin: Origin, first: Session, firstExpected: boolean) => {
        const queue: [Session, boolean][] = [[first, firstExpected]];
        const visited = new Set<string>([`${first.role.name} ${first.chosen.join(",")}`]);
        while (queue.length > 0) {
            const [s, expected] = queue.shift()!;
            readsOf(origin, s, expected);
            if (s.hops >= MAX_HOPS) continue;
            for (const target of roles) {
                const next = assume(s, target);
                if (!next) continue;
                const key = `${next.role.name} ${next.chosen.join(",")}`;
                if (visited.has(key)) continue;
                visited.add(key);
                queue.push([next, false]);
            }
        }
    };

    // Pods through the stack's Pod Identity associations.
    for (const a of ofType(resources, "aws:eks/podIdentityAssociation:PodIdentityAssociation")) {
        const [cluster, namespace, serviceAccount] = ["clusterName", "namespace", "serviceAccount"].map((k) => value(a, k));
        if (!known(cluster) || !known(namespace) || !known(serviceAccount)) {
            undecided.push({ principal: `Pod Identity association '${a.name}'`, reason: "its cluster, namespace or service account is not known yet, so the sessions it gives are not followed" });
            continue;
        }
        if (controllers.has(`${namespace}/${serviceAccount}`)) continue;
        const role = roleByArn(value(a, "roleArn"));
        if (!role) continue;
        const trust = trustOf.get(role);
        if (!trust) continue;
        const noTags = value(a, "disableSessionTags") === true;
        const spec = { ...ctx.account, abacRoleName: role.name };
        const request = (action: "sts:AssumeRole" | "sts:TagSession") => {
            const r = podIdentityAssumeRequest(spec, trust as unknown as PolicyDocument, { cluster, namespace, serviceAccount }, action);
            if (noTags) for (const k of Object.keys(r.context)) if (k.startsWith("aws:RequestTag/")) delete r.context[k];
            return r;
        };
        if (decide(request("sts:AssumeRole")) !== "Allowed" || (!noTags && decide(request("sts:TagSession")) !== "Allowed")) continue;
        const tags: Record<string, string> = {};
        if (!noTags) {
            for (const [k, v] of Object.entries(podSessionContext(spec, { cluster, esoNamespace: namespace, serviceAccount }))) if (k.startsWith("aws:PrincipalTag/")) tags[k.slice("aws:PrincipalTag/".length)] = v;
        }
        const origin: Origin = { name: `${cluster}/${namespace}/${serviceAccount}`, kind: "pod service account", arn: `pod:${cluster}/${namespace}/${serviceAccount}`, namespace };
        const start = [`pod service account ${namespace}/${serviceAccount} on ${cluster}`, `Pod Identity association '${a.name}' (trust of ${role.name} admits it)`, `role ${role.name}`];
        let first: Session = { role, tags, chosen: [], path: start, hops: 1, choosers: [] };
        const targetRole = value(a, "targetRoleArn");
        if (known(targetRole)) {
            const target = roleByArn(targetRole);
            const next = target && assume(first, target);
            if (!next) continue;
            first = { ...next, path: [...start, `target role: ${next.path.slice(start.length).join(" -> ")}`] };
        }
        // A pod's own session of a role it was associated with is the matrix's to decide; anything it chains into is not.
        explore(origin, first, first.hops === 1 && shared.has(role.name));
    }

    // Pods through IRSA: the service accounts a trust on an EKS OIDC provider admits.
    const teamNamespaces = [...new Set(ctx.targets.map((t) => t.namespace))];
    for (const [role, trust] of trustOf) {
        for (const st of trust.Statement) {
            const provider = list(st.Principal?.Federated).find((f) => typeof f === "string" && /:oidc-provider\//.test(f)) as string | undefined;
            if (st.Effect !== "Allow" || provider === undefined) continue;
            const issuer = provider.split(":oidc-provider/")[1];
            const subs = JSON.stringify(st.Condition ?? {}).match(/system:serviceaccount:[^"]+/g) ?? [];
            const literal = subs.filter((s) => !/[*?]/.test(s)).map((s) => s.split(":").slice(2));
            const open = subs.length === 0 || literal.length < subs.length;
            // A tenant names its service accounts as it likes: every name a pattern spells out, and one it does not.
            const names = [...new Set(["tenant-sa", ...subs.map((s) => s.split(":")[3] ?? "").filter((sa) => sa !== "" && !/[*?]/.test(sa))])];
            const candidates = [...literal, ...(open ? teamNamespaces.flatMap((ns) => names.map((sa) => [ns, sa])) : [])];
            for (const [namespace, serviceAccount] of candidates) {
                if (controllers.has(`${namespace}/${serviceAccount}`)) continue;
                const allowed = decide({
                    principal: provider,
                    action: "sts:AssumeRoleWithWebIdentity",
                    resource: role.arn,
                    resourceAccount: ctx.account.accountId,
                    context: { [`${issuer}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`, [`${issuer}:aud`]: "sts.amazonaws.com" },
                    resourcePolicy: trust as unknown as PolicyDocument,
                });
                if (allowed !== "Allowed") continue;
                const origin: Origin = { name: `irsa/${namespace}/${serviceAccount}`, kind: "pod service account", arn: `pod:irsa/${namespace}/${serviceAccount}`, namespace };
                explore(origin, { role, tags: {}, chosen: [], path: [`pod service account ${namespace}/${serviceAccount} (IRSA token)`, `sts:AssumeRoleWithWebIdentity (trust of ${role.name} admits it)`, `role ${role.name}`], hops: 1, choosers: [] }, false);
            }
        }
    }

    // Every role and user of the stack, as itself: what sts:AssumeRole gets it. A role only pods can take
    // (Pod Identity, an OIDC provider) has no session of its own: its pods' sessions are followed above.
    const onlyPods = (trust: IamDocument | undefined) =>
        trust !== undefined && trust.Statement.every((s) => s.Effect !== "Allow" || (s.Principal !== "*" && s.Principal?.AWS === undefined && list(s.Principal?.Service).every((x) => x === POD_IDENTITY_SERVICE_PRINCIPAL)));
    for (const p of ctx.evaluated) {
        if ((p.kind !== "role" && p.kind !== "user") || !mayAllow(p.policies, "sts:AssumeRole") || (p.kind === "role" && onlyPods(trustOf.get(p)))) continue;
        const origin: Origin = { name: p.name, kind: p.kind, arn: p.arn };
        explore(origin, { role: p, tags: p.kind === "user" ? { ...p.tags } : { ...p.tags }, chosen: [], path: [`${p.kind} ${p.name}`], hops: 0, choosers: [] }, true);
    }
    return { reads: out, undecided };
}
