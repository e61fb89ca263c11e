/** The two-team stack of the component plus what a test declares beside it, judged by the principal check as `plan` judges a program. */
import { EksSecretsAbac } from "../components";
import type { TeamSpec } from "../components/lib/types";
import type { StackInput } from "../scripts/lib/inputs/resources";
import { planFromInput, sharedRoleNames } from "../scripts/lib/stackPlan";
import { judgePrincipals, PrincipalReport, ReadFinding } from "../scripts/lib/stackPrincipals";
import { runOffline, team } from "./helpers";

export const ACCOUNT = "111122223333";
export const doc = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
export const SERVICE_TRUST = doc({ Effect: "Allow", Principal: { Service: "codebuild.amazonaws.com" }, Action: "sts:AssumeRole" });
export const TEAM_TAGS = (namespace: string) => ({ "kubernetes-namespace": namespace, "eks-cluster-name": "prod-eu" });

export async function judgedStack(extra: () => void, options: { teams?: TeamSpec[]; config?: Record<string, string> } = {}): Promise<{ report: PrincipalReport; resources: StackInput["resources"] }> {
    const run = await runOffline(() => {
        new EksSecretsAbac("prod", { clusterName: "prod-eu", teams: options.teams ?? [team("payments"), team("search")] });
        extra();
    });
    const plan = planFromInput({ kind: "program", source: "test", resources: run.resources, undecidable: [], notes: [], config: options.config ?? {} });
    const report = judgePrincipals(plan.resources, { account: plan.account, sharedRoles: sharedRoleNames(plan), trustedReaders: plan.trustedReaders });
    return { report, resources: run.resources };
}

export async function judged(extra: () => void, options: { teams?: TeamSpec[]; config?: Record<string, string> } = {}): Promise<PrincipalReport> {
    return (await judgedStack(extra, options)).report;
}

/** The findings that came by a path (scripts/lib/reach), as `principal -> target`. */
export const reached = (r: PrincipalReport) => [...new Set(r.reads.filter((f) => f.path !== undefined).map((f) => `${f.principal} -> ${f.target}`))].sort();
export const withPath = (r: PrincipalReport): ReadFinding[] => r.reads.filter((f) => f.path !== undefined);
