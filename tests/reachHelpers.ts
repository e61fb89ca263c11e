/** The two-team stack of the component plus what a test declares beside it, judged by the principal check as `plan` judges a program. */
import { EksSecretsAbac, EksSecretsAbacArgs } from "../components";
import type { TeamSpec } from "../components/lib/types";
import type { StackInput, StackResource } from "../cli/src/checker";
import { planFromInput, sharedRoleNames } from "../cli/src/checker";
import { judgePrincipals, PrincipalReport, ReadFinding } from "../cli/src/checker";
import type { IamRequest } from "../cli/src/checker";
import { runOffline, team } from "./helpers";

export const ACCOUNT = "111122223333";
export const doc = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
export const SERVICE_TRUST = doc({ Effect: "Allow", Principal: { Service: "codebuild.amazonaws.com" }, Action: "sts:AssumeRole" });
export const TEAM_TAGS = (namespace: string) => ({ "kubernetes-namespace": namespace, "eks-cluster-name": "prod-eu" });

export async function judgedStack(extra: () => void, options: { teams?: TeamSpec[]; config?: Record<string, string>; args?: Partial<EksSecretsAbacArgs> } = {}): Promise<{ report: PrincipalReport; resources: StackInput["resources"] }> {
    const run = await runOffline(() => {
        new EksSecretsAbac("prod", { clusterName: "prod-eu", installPodIdentityAgent: true, teams: options.teams ?? [team("payments"), team("search")], ...options.args });
        extra();
    });
    const plan = planFromInput({ kind: "program", source: "test", resources: run.resources, undecidable: [], notes: [], config: options.config ?? {} });
    const report = judgePrincipals(plan.resources, { account: plan.account, sharedRoles: sharedRoleNames(plan), trustedReaders: plan.trustedReaders });
    return { report, resources: run.resources };
}

export async function judged(extra: () => void, options: { teams?: TeamSpec[]; config?: Record<string, string>; args?: Partial<EksSecretsAbacArgs> } = {}): Promise<PrincipalReport> {
    return (await judgedStack(extra, options)).report;
}

/** The findings that came by a path (cli/src/checker/checks/reach), as `principal -> target`. */
export const reached = (r: PrincipalReport) => [...new Set(r.reads.filter((f) => f.path !== undefined).map((f) => `${f.principal} -> ${f.target}`))].sort();
export const withPath = (r: PrincipalReport): ReadFinding[] => r.reads.filter((f) => f.path !== undefined);

export const CLUSTER_ARN = `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/prod-eu`;
export const CONTROLLER = "prod-eu-eso-controller";
export const SHARED = "prod-shared-abac-role";

/** Pod Identity's request for a pod of `namespace`/`serviceAccount`: the service principal, aws:SourceAccount and its session tags as request tags. */
export const podRequest = (trust: object, namespace: string, serviceAccount: string, action: string): IamRequest => ({
    principal: "pods.eks.amazonaws.com",
    action,
    resource: `arn:aws:iam::${ACCOUNT}:role/${CONTROLLER}`,
    resourceAccount: ACCOUNT,
    context: {
        "aws:SourceAccount": ACCOUNT,
        "aws:RequestTag/eks-cluster-arn": CLUSTER_ARN,
        "aws:RequestTag/eks-cluster-name": "prod-eu",
        "aws:RequestTag/kubernetes-namespace": namespace,
        "aws:RequestTag/kubernetes-service-account": serviceAccount,
    },
    resourcePolicy: trust as any,
});
/** The controller session of that pod assuming the shared role with esoNamespace of its choice. */
export const chainRequest = (sharedTrust: object, controllerPolicy: object, namespace: string, serviceAccount: string, action: string): IamRequest => ({
    principal: `arn:aws:sts::${ACCOUNT}:assumed-role/${CONTROLLER}/pod`,
    action,
    resource: `arn:aws:iam::${ACCOUNT}:role/${SHARED}`,
    resourceAccount: ACCOUNT,
    context: {
        "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role/${CONTROLLER}`,
        "aws:PrincipalTag/eks-cluster-arn": CLUSTER_ARN,
        "aws:PrincipalTag/eks-cluster-name": "prod-eu",
        "aws:PrincipalTag/kubernetes-namespace": namespace,
        "aws:PrincipalTag/kubernetes-service-account": serviceAccount,
        "aws:RequestTag/esoNamespace": "payments",
        "aws:TagKeys": ["esoNamespace"],
    },
    identityPolicies: [controllerPolicy as any],
    resourcePolicy: sharedTrust as any,
});

/** Stack resources to edit as an attacker would: a role found by its physical name, its trust read and replaced. */
type Resources = StackResource[];
const ROLE = "aws:iam/role:Role";
export const roleNamed = (rs: Resources, name: string) => rs.find((r) => r.type === ROLE && (r.inputs.name ?? r.name) === name)!;
export const trustOf = (rs: Resources, name: string) => JSON.parse(roleNamed(rs, name).inputs.assumeRolePolicy);
/** The engine records a resource's inputs and its state: both change. */
export const setTrust = (rs: Resources, name: string, trust: object) => {
    const r = roleNamed(rs, name);
    r.inputs.assumeRolePolicy = JSON.stringify(trust);
    if (r.state) r.state.assumeRolePolicy = JSON.stringify(trust);
};
