/**
 * What every reach module is given: the principal check's own reading of the
 * stack (principals, team values, the direct reads it found) and its own IAM
 * decision, so that a way around a read is decided exactly as a read is.
 */
import type { TrustedReader } from "../../../../../components/lib/trustedReaders";
import { wildcardMatch } from "../../../../../policypack/lib/wildcard";
import type { StackResource } from "../../inputs";
import { Account, Labeled, list, Principal, Target } from "../principalDocuments";
import type { ReadDecision, ReadFinding } from "../stackPrincipals";

/** Who reaches a value without being an IAM principal of the stack. */
export type ReachKind = "pod service account" | "kubernetes subject";

export interface ReachContext {
    account: Account;
    /** Every role, user and group of the stack, the shared roles included. */
    principals: Principal[];
    /** The principals the check judges (the shared roles left out), and those named by resource policies. */
    evaluated: Principal[];
    targets: Target[];
    /** The direct reads already found: what a principal one step away reads too. */
    reads: ReadFinding[];
    sharedRoles: string[];
    trusted: TrustedReader[];
    decideRead: (p: Principal, t: Target, action: string, account: Account, on?: { arn: string; tags: Record<string, string>; resourcePolicy?: Labeled }, extra?: Record<string, string>) => ReadDecision;
}

export interface ReachResult {
    reads: ReadFinding[];
    undecided: { principal: string; reason: string }[];
}

/** What a finding carries when the config trusts one of `names`: the reason, and the entry it matched. */
export function trustedBy(ctx: ReachContext, ...names: string[]): Pick<ReadFinding, "trustedReason" | "trustedBy"> {
    const r = ctx.trusted.find((t) => names.includes(t.principal));
    return r === undefined ? {} : { trustedReason: r.reason, trustedBy: r.principal };
}

/**
 * Whether any Allow of the documents can cover the action at all (Action or
 * NotAction, wildcards as IAM matches them): a cheap refusal before the
 * evaluator, never a grant. Conditions and resources are left to the evaluator.
 */
export function mayAllow(docs: Labeled[], action: string): boolean {
    return docs.some((d) =>
        d.document.Statement.some((s) => {
            if (s.Effect !== "Allow") return false;
            if (s.Action !== undefined) return list(s.Action).some((a) => typeof a === "string" && wildcardMatch(a, action));
            if (s.NotAction !== undefined) return !list(s.NotAction).some((a) => typeof a === "string" && wildcardMatch(a, action));
            return false;
        }),
    );
}

/** A finding of a way to a value: the path's steps end with the value. */
export function reachFinding(ctx: ReachContext, who: { name: string; kind: ReadFinding["kind"]; arn: string }, action: string, t: { name: string; kind: ReadFinding["targetKind"]; namespace: string }, path: string[], note?: string): ReadFinding {
    return {
        principal: who.name,
        kind: who.kind,
        arn: who.arn,
        action,
        target: t.name,
        targetKind: t.kind,
        namespace: t.namespace,
        statement: `path: ${path.join(" -> ")}`,
        path,
        ...(note ? { note } : {}),
        ...trustedBy(ctx, who.name, who.arn),
    };
}

export const valueStep = (t: Target, action: string) => `${action} on ${t.kind} ${t.name} (team ${t.namespace})`;

/** Every resource of a type, custom resources only. */
export const ofType = (resources: StackResource[], type: string) => resources.filter((r) => r.custom && r.type === type);
