/**
 * One step from a read: a principal allowed one of these calls on the
 * resource named is reported as able to read what the step opens, with the
 * step. Each decided by the IAM evaluator as the principal check decides a
 * read (worst case of the conditions the stack does not fix), and what the
 * step gains decided the same way (a permissions boundary still bounds what
 * an IAM write grants; a key policy still decides a decryption).
 *
 * Beyond one step nothing is followed (docs/PRINCIPALS.md, "Ways to a
 * value"): PMapper (nccgroup/PMapper, principalmapper/graphing/*_edges.py)
 * lists what a full graph adds: iam:CreateAccessKey and
 * Create/UpdateLoginProfile on another user, iam:PassRole with a service
 * that runs code (EC2, Lambda, CloudFormation, CodeBuild, Glue, SageMaker,
 * ECS, AutoScaling, Data Pipeline), ssm:SendCommand/StartSession to an
 * instance with a role. sts:AssumeRole into a reader is followed by
 * sessions.ts.
 */
import type { Principal, Target } from "../principalDocuments";
import type { ReadFinding } from "../stackPrincipals";
import { mayAllow, ofType, ReachContext, reachFinding, valueStep } from "./context";
import { asWho } from "./pathReads";
import { known, value } from "../principalDocuments";
import type { StackResource } from "../../inputs";

export interface Escalation {
    action: string;
    /** What it must be allowed on. */
    on: "a team secret" | "the team key" | "itself" | "a role it can assume" | "a policy attached to itself" | "a role of the stack" | "a group that reads";
    /** What the one step gives. */
    gains: string;
    reference: string;
}

const API = (service: string, op: string) =>
    service === "iam" ? `https://docs.aws.amazon.com/IAM/latest/APIReference/API_${op}.html` : service === "kms" ? `https://docs.aws.amazon.com/kms/latest/APIReference/API_${op}.html` : `https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_${op}.html`;

export const ESCALATIONS: readonly Escalation[] = [
    { action: "secretsmanager:PutResourcePolicy", on: "a team secret", gains: "a resource policy that names itself: a same-account resource policy grants alone", reference: API("secretsmanager", "PutResourcePolicy") },
    { action: "kms:PutKeyPolicy", on: "the team key", gains: "a key policy that allows itself kms:Decrypt", reference: API("kms", "PutKeyPolicy") },
    { action: "kms:CreateGrant", on: "the team key", gains: "a grant of kms:Decrypt to itself", reference: API("kms", "CreateGrant") },
    ...["PutRolePolicy", "AttachRolePolicy"].map((op): Escalation => ({ action: `iam:${op}`, on: "a role it can assume", gains: "a policy that reads, on a role whose session it gets (itself included)", reference: API("iam", op) })),
    ...["PutUserPolicy", "AttachUserPolicy", "PutGroupPolicy", "AttachGroupPolicy"].map((op): Escalation => ({ action: `iam:${op}`, on: "itself", gains: "a policy that reads, on itself (a user, or a group for its members)", reference: API("iam", op) })),
    ...["CreatePolicyVersion", "SetDefaultPolicyVersion"].map((op): Escalation => ({ action: `iam:${op}`, on: "a policy attached to itself", gains: "a version of its own managed policy that reads (older versions are not in the stack)", reference: API("iam", op) })),
    { action: "iam:UpdateAssumeRolePolicy", on: "a role of the stack", gains: "a trust that admits itself: it reads what that role reads, a role deciding by tags with tags of its choosing", reference: API("iam", "UpdateAssumeRolePolicy") },
    { action: "iam:AddUserToGroup", on: "a group that reads", gains: "membership: a user reads what the group reads", reference: API("iam", "AddUserToGroup") },
];

const READ_EVERYTHING = {
    label: "a policy it writes: GetSecretValue, GetParameter* and kms:Decrypt on *",
    document: { Version: "2012-10-17" as const, Statement: [{ Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "ssm:GetParameter", "ssm:GetParameters", "ssm:GetParameterHistory", "kms:Decrypt"], Resource: "*" }] },
};
const readAction = (t: Target) => (t.kind === "secret" ? "secretsmanager:GetSecretValue" : "ssm:GetParameter");

export function escalationReads(resources: StackResource[], ctx: ReachContext): ReadFinding[] {
    const out: ReadFinding[] = [];
    const seen = new Set(ctx.reads.map((f) => `${f.arn} ${f.targetKind} ${f.target}`));
    const emit = (p: Principal, t: Target, action: string, path: string[], note?: string) => {
        const key = `${p.arn} ${t.kind} ${t.name}`;
        if (seen.has(key)) return;
        seen.add(key);
        out.push(reachFinding(ctx, asWho(p), action, t, path, note));
    };
    const probe = (p: Principal, action: string, arn: string, resourcePolicy?: { label: string; document: any }) =>
        ctx.decideRead(p, { kind: "secret", name: arn, arn, namespace: "", tags: {} }, action, ctx.account, { arn, tags: {}, resourcePolicy });
    const roles = ctx.principals.filter((x) => x.kind === "role");
    const trustOf = new Map<string, any>();
    for (const r of ofType(resources, "aws:iam/role:Role")) {
        const raw = value(r, "assumeRolePolicy");
        try {
            trustOf.set(String(value(r, "name") ?? r.name), typeof raw === "string" ? JSON.parse(raw) : raw);
        } catch {
            // An unreadable trust admits nobody here; the principal check reports the document.
        }
    }
    const policyArns = new Map<string, string>();
    for (const r of ofType(resources, "aws:iam/policy:Policy")) if (known(r.state?.arn)) policyArns.set(String(value(r, "name") ?? r.name), r.state.arn);
    const shared = new Set(ctx.sharedRoles);
    /** Everything `via` reads once a policy that reads is on it (its boundary and the values' keys still decide). */
    const readsWithPolicy = (p: Principal, via: Principal, steps: string[]) => {
        const widened: Principal = { ...via, policies: [...via.policies, READ_EVERYTHING], undecided: [] };
        for (const t of ctx.targets) {
            const d = ctx.decideRead(widened, t, readAction(t), ctx.account);
            if (d.allowed) emit(p, t, readAction(t), [...steps, valueStep(t, readAction(t))], d.note);
        }
    };

    for (const p of ctx.evaluated) {
        if (p.kind === "named by a resource policy") continue;
        const step = (e: Escalation, on: string, statement?: string) => `${e.action} on ${on}${statement ? ` (allowed by ${statement})` : ""}`;
        for (const e of ESCALATIONS) {
            if (!mayAllow(p.policies, e.action)) continue;
            if (e.on === "a team secret") {
                for (const t of ctx.targets.filter((x) => x.kind === "secret")) {
                    const d = ctx.decideRead(p, t, e.action, ctx.account);
                    if (d.allowed) emit(p, t, e.action, [`${p.kind} ${p.name}`, step(e, `secret ${t.name}`, d.statement), e.gains, valueStep(t, readAction(t))], d.note);
                }
            } else if (e.on === "the team key") {
                for (const t of ctx.targets) {
                    if (t.key === undefined || t.key === "outside" || t.key.policy === undefined) continue;
                    if (!ctx.decideRead(p, { ...t, key: undefined }, readAction(t), ctx.account).allowed) continue;
                    const d = probe(p, e.action, t.key.arn, { label: `key policy of ${t.key.arn}`, document: t.key.policy });
                    if (d.allowed) emit(p, t, e.action, [`${p.kind} ${p.name}`, step(e, `key ${t.key.arn}`, d.statement), e.gains, valueStep(t, readAction(t))]);
                }
            } else if (e.on === "a role it can assume") {
                for (const q of roles) {
                    const self = q.arn === p.arn;
                    if (!self && !(trustOf.has(q.name) && probe(p, "sts:AssumeRole", q.arn, { label: `trust of ${q.name}`, document: trustOf.get(q.name) }).allowed)) continue;
                    const d = probe(p, e.action, q.arn);
                    if (d.allowed) readsWithPolicy(p, q, [`${p.kind} ${p.name}`, step(e, `role ${q.name}`, d.statement), ...(self ? [] : [`sts:AssumeRole into role ${q.name}`])]);
                }
            } else if (e.on === "itself") {
                const kind = e.action.includes("User") ? "user" : "group";
                if (p.kind !== kind) continue;
                const d = probe(p, e.action, p.arn);
                if (d.allowed) readsWithPolicy(p, p, [`${p.kind} ${p.name}`, step(e, `${p.kind} ${p.name}`, d.statement)]);
            } else if (e.on === "a policy attached to itself") {
                for (const [name, arn] of policyArns) {
                    if (!p.policies.some((d) => d.label.includes(`Policy '${name}'`))) continue;
                    const d = probe(p, e.action, arn);
                    if (d.allowed) readsWithPolicy(p, p, [`${p.kind} ${p.name}`, step(e, `policy ${name}`, d.statement)]);
                }
            } else if (e.on === "a role of the stack") {
                for (const q of roles) {
                    if (q.arn === p.arn) continue;
                    const d = probe(p, e.action, q.arn);
                    if (!d.allowed) continue;
                    const steps = [`${p.kind} ${p.name}`, step(e, `role ${q.name}`, d.statement), `sts:AssumeRole${shared.has(q.name) ? "+TagSession with tags of its choosing" : ""} into role ${q.name}`];
                    if (!shared.has(q.name)) {
                        for (const f of ctx.reads.filter((x) => x.principal === q.name)) {
                            const t = ctx.targets.find((x) => x.name === f.target && x.kind === f.targetKind);
                            if (t) emit(p, t, f.action, [...steps, `${valueStep(t, f.action)}, granted by ${f.statement}`]);
                        }
                        continue;
                    }
                    // A role deciding by tags: the caller picks them, so every condition on its principal tags is taken as met.
                    const chosen: Principal = { ...q, tagsFixed: false, undecided: [] };
                    for (const t of ctx.targets) {
                        const r = ctx.decideRead(chosen, t, readAction(t), ctx.account);
                        if (r.allowed) emit(p, t, readAction(t), [...steps, valueStep(t, readAction(t))], r.note);
                    }
                }
            } else if (e.on === "a group that reads" && p.kind === "user") {
                for (const g of ctx.principals.filter((x) => x.kind === "group")) {
                    const d = probe(p, e.action, g.arn);
                    if (!d.allowed) continue;
                    for (const f of ctx.reads.filter((x) => x.principal === g.name)) {
                        const t = ctx.targets.find((x) => x.name === f.target && x.kind === f.targetKind);
                        if (t) emit(p, t, f.action, [`${p.kind} ${p.name}`, step(e, `group ${g.name}`, d.statement), `${valueStep(t, f.action)}, granted by ${f.statement}`]);
                    }
                }
            }
        }
    }
    return out;
}
