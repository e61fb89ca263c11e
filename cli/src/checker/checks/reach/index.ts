/**
 * Every way to a team's value beyond a principal's own read, each named with
 * its path (docs/PRINCIPALS.md, "Ways to a value"): reads by path, one-step
 * escalations to a read, sessions a principal can obtain (Pod Identity, IRSA,
 * role chains with tags of its choosing), copies of the value (replicas in
 * another Region, the Kubernetes Secrets ESO writes and who RBAC lets read
 * them, stores that read another namespace). Called by the principal check
 * (stackPrincipals.ts `judgePrincipals`): each finding fails its verdict.
 */
import type { StackResource } from "../../inputs";
import type { ReachContext, ReachResult } from "./context";
import { escalationReads } from "./escalations";
import { pathReads } from "./pathReads";
import { rbacReads } from "./rbac";
import { replicaReads } from "./replicas";
import { sessionReads } from "./sessions";

export type { ReachContext, ReachKind, ReachResult } from "./context";

export function judgeReach(resources: StackResource[], ctx: ReachContext): ReachResult {
    const sessions = sessionReads(resources, ctx);
    const rbac = rbacReads(resources, ctx);
    return { reads: [...pathReads(ctx), ...sessions.reads, ...escalationReads(resources, ctx), ...replicaReads(resources, ctx), ...rbac.reads], undecided: [...sessions.undecided, ...rbac.undecided] };
}
