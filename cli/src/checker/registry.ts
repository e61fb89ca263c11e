/**
 * The registry of checks: each declares its id, name, rules (id, level, help)
 * beside its code. judge() runs them in this order and nothing else; SARIF's
 * rules are generated from here (sarif.ts). A new check is one more entry.
 */
import { unknownCheckingProxy } from "@pulumi/policy";
import type { PolicyDocument } from "../../../components/lib/iam";
import { policies as packPolicies } from "../../../policypack/policies";
import { PLAN_MATRIX_LIMIT } from "./model/defaults";
import type { Check, Finding, JudgeContext, Level, RoleIsolation, Rule } from "./judge";
import { runMatrix, MatrixRun } from "./checks/matrixRun";
import { verdictInWords } from "./reports/matrixReport";
import { keysOnPodNamespace } from "./checks/podRoles";
import { checkPodTrust } from "./checks/podTrust";
import { runPolicyTable, stackResource } from "./checks/policyRunner";
import { abacRoles, matrixSpecOf, sharedRoleNames, StackPlan } from "./model/stackPlan";
import { judgePrincipals, ReadFinding } from "./checks/stackPrincipals";
import { UNKNOWN } from "./inputs/resources";

const levelOf = (enforcement: string): Level => (enforcement === "mandatory" ? "error" : enforcement === "advisory" ? "warning" : "note");
const undecided = (subject: string, message: string, urn?: string): Finding => ({ rule: "not-decided", level: "warning", undecided: true, subject, message, ...(urn ? { urn } : {}) });
const hasUnknown = (v: unknown): boolean => v === UNKNOWN || (typeof v === "string" ? v.includes(UNKNOWN) : v !== null && typeof v === "object" && Object.values(v).some(hasUnknown));
// The stack readers give every field these helpers read; the config-driven plan of index.ts lacks only arns and clusters.
const asStack = (ctx: JudgeContext) => ctx.plan as unknown as StackPlan;
const roleUrn = (ctx: JudgeContext, name: string) => (ctx.plan.roles.find((r) => r.name === name) as { urn?: string } | undefined)?.urn;

const ISOLATION_RULES = {
    crossTeam: {
        id: "isolation-cross-team-read",
        level: "error",
        description: "A team's session can read the value of another team's secret or parameter (on this cluster or another; GetSecretValue alone is a read): the shared role's permission policy does not keep teams apart.",
        help: "Compare secretsmanager:ResourceTag/kubernetes-namespace with ${aws:PrincipalTag/esoNamespace} and the cluster tag with ${aws:PrincipalTag/eks-cluster-name}, by StringEquals, in every Allow of the shared role, and grant GetSecretValue nowhere else.",
    },
    metadata: {
        id: "isolation-metadata-readable",
        level: "warning",
        description: "A team's session can read another team's metadata (DescribeSecret, ListTagsForResource): names, tags and keys, not values.",
        help: "Grant DescribeSecret only under the same namespace and cluster conditions as GetSecretValue.",
    },
    ownDenied: {
        id: "isolation-own-denied",
        level: "error",
        description: "A team's own secret or parameter is denied to its session: ExternalSecrets of that team fail.",
        help: "Tag the secret with kubernetes-namespace=<team namespace> and eks-cluster-name=<cluster>, and let the shared role's policy allow reads on those tags.",
    },
    failed: {
        id: "isolation-not-isolated",
        level: "error",
        description: "The matrix of a role failed for another reason than a pair above: the proof and the full matrix disagree, or a class of pairs fails that this stack holds no pair of.",
        help: "Read the role's matrix report (access-matrix --report-dir) and fix the statement it names.",
    },
} as const satisfies Record<string, Rule>;

/** A matrix run as findings: each failure its own rule; a failed run always yields an error. */
function runFindings(ctx: JudgeContext, role: string, r: MatrixRun): void {
    const urn = roleUrn(ctx, role);
    const emitted: Finding[] = [];
    const emit = (f: Finding) => {
        emitted.push(f);
        ctx.emit(f);
    };
    if (r.crossTeamAllows > 0 || r.probeFailures.length > 0 || r.proof.crossTeamAllows.length > 0) {
        const what = [
            ...(r.crossTeamAllows > 0 ? [`${r.crossTeamAllows} pair(s) of the stack`] : []),
            ...(r.probeFailures.length > 0 ? [`${r.probeFailures.length} attacker probe(s)`] : []),
            ...(r.proof.crossTeamAllows.length > 0 ? [`${r.proof.crossTeamAllows.length} class(es) of pairs`] : []),
        ];
        emit({ rule: ISOLATION_RULES.crossTeam.id, level: "error", subject: role, urn, message: `A team can read another team's value through ${role}: ${what.join(", ")} (${r.method}). Fix: ${ISOLATION_RULES.crossTeam.help}` });
    }
    if (r.ownDenials > 0 || r.proof.ownDenials.length > 0) {
        emit({ rule: ISOLATION_RULES.ownDenied.id, level: "error", subject: role, urn, message: `A team cannot read its own through ${role}: ${r.ownDenials} pair(s), ${r.proof.ownDenials.length} class(es). Fix: ${ISOLATION_RULES.ownDenied.help}` });
    }
    if (r.metadataExposures > 0 || r.proof.metadataExposures.length > 0) {
        emit({ rule: ISOLATION_RULES.metadata.id, level: r.metadataLevel, subject: role, urn, message: `Another team's metadata is readable through ${role}: ${r.metadataExposures} pair(s), ${r.proof.metadataExposures.length} class(es). Fix: ${ISOLATION_RULES.metadata.help}` });
    }
    if (!r.ok && !emitted.some((f) => f.level === "error")) {
        emit({ rule: ISOLATION_RULES.failed.id, level: "error", subject: role, urn, message: `${role}: ${verdictInWords(r)}${r.disagreements.length > 0 ? ` First disagreement: ${r.disagreements[0]}` : ""}` });
    }
}

/** The roles whose permission policy keys on tags, each as ESO's shared role or a role pods take, with its policy when known. */
function tagRoles(ctx: JudgeContext): { name: string; arn?: string; kind: RoleIsolation["kind"]; permissionPolicy?: PolicyDocument; undecided?: string }[] {
    return abacRoles(asStack(ctx)).map((r) => ({ ...r, kind: r.permissionPolicy !== undefined && keysOnPodNamespace(r.permissionPolicy) ? "pod" : "shared" }));
}

async function isolate(ctx: JudgeContext, role: { name: string; arn?: string; permissionPolicy?: PolicyDocument; undecided?: string }): Promise<MatrixRun | string> {
    if (role.permissionPolicy === undefined) return role.undecided ?? "its permission policy is not known";
    if (ctx.plan.teams.length === 0) return "the stack has no team secrets or parameters to decide isolation for";
    const spec = matrixSpecOf(asStack(ctx), { name: role.name, arn: role.arn, permissionPolicy: role.permissionPolicy }, ctx.options.otherClusters);
    const options = { fullMatrix: ctx.options.fullMatrix, crossCheckLimit: ctx.options.matrixLimit ?? PLAN_MATRIX_LIMIT, metadataLevel: ctx.options.metadataLevel };
    // The run is a pure function of the spec and these options: the same stack judged again in one process
    // (plan then access-matrix, a program then its preview) reuses it. Large specs are not kept.
    const key = JSON.stringify([spec, options]);
    const cached = key.length <= MEMO_MAX_CHARS ? memo.get(key) : undefined;
    if (cached !== undefined) return cached;
    const run = await runMatrix(spec, { ...options, workers: ctx.options.workers, onProgress: (d, t) => ctx.options.onProgress?.("access matrix", d, t) });
    if (key.length <= MEMO_MAX_CHARS) {
        if (memo.size >= MEMO_ENTRIES) memo.delete(memo.keys().next().value!);
        memo.set(key, run);
    }
    return run;
}

const MEMO_ENTRIES = 16;
const MEMO_MAX_CHARS = 200_000;
const memo = new Map<string, MatrixRun>();

const principalMessage = (fs: ReadFinding[], metadata: boolean, fix?: string) => {
    const f = fs[0];
    return metadata
        ? `${f.kind} ${f.principal} can ${f.action} ${fs.length} team secret(s), e.g. ${f.target}, granted by ${f.statement}.`
        : `${f.kind} ${f.principal} can ${f.action} ${fs.length} team value(s), e.g. ${f.targetKind} ${f.target} of team ${f.namespace}, granted by ${f.statement}.${fix ? ` Fix: ${fix}` : ""}`;
};
const perPrincipal = <T extends { principal: string }>(findings: T[]) => [...new Map(findings.map((f) => [f.principal, findings.filter((x) => x.principal === f.principal)])).values()];
const principalUrn = (ctx: JudgeContext, name: string) =>
    (ctx.plan.resources.find((r) => r.custom && /^aws:iam\/(role:Role|user:User|group:Group)$/.test(r.type) && (r.inputs?.name ?? r.name) === name) as { urn?: string } | undefined)?.urn;

const PRINCIPAL_RULES = {
    reads: {
        id: "principal-reads-team-secret",
        level: "error",
        description: "A principal of the stack other than the shared role's team sessions can read a team's secret or parameter value: it reads around the ABAC tags.",
        help: "Scope its policy to the secrets it needs (exact ARNs, or a tag of its own), or name it under the stack config's trustedReaders with the reason (docs/PRINCIPALS.md).",
    },
    metadata: {
        id: "principal-reads-metadata",
        level: "note",
        description: "A principal of the stack other than the shared role may describe team secrets (DescribeSecret): names, tags and rotation settings, not the value.",
        help: "Grant DescribeSecret only on the secrets the principal needs.",
    },
    notEvaluated: {
        id: "principal-not-evaluated",
        level: "warning",
        description: "A principal of the stack holds a document this tool does not evaluate (an AWS managed policy it has no text of, a policy outside the stack) while the stack holds team values: it may read them.",
        help: "Attach documents the stack declares, or name the principal under the stack config's trustedReaders with the reason (docs/PRINCIPALS.md).",
    },
} as const satisfies Record<string, Rule>;

/** Per type, the fields that hold the protected value itself (pulumi-aws schema: Parameter.value/insecureValue, SecretVersion.secretString/secretBinary). */
const PROTECTED_VALUES: Record<string, string[]> = {
    "aws:ssm/parameter:Parameter": ["value", "insecureValue"],
    "aws:secretsmanager/secretVersion:SecretVersion": ["secretString", "secretBinary"],
};

export const CHECKS: readonly Check[] = [
    {
        id: "input-shown",
        name: "What the input shows",
        description: "Every value the checks read is in the input: no ciphertext, no value known only during the deployment, no operation pending.",
        rules: [],
        async run({ plan, emit }) {
            const byUrn = new Map<string, string[]>();
            // The value a secret or parameter holds is what is protected, never what decides who reads it: a preview
            // shows it as [secret], and that hides nothing a check needs.
            const protectedValue = (u: { urn: string; path: string }) => PROTECTED_VALUES[u.urn.split("::")[2]?.split("$").pop() ?? ""]?.includes(u.path.replace(/^(inputs|outputs)\./, "")) ?? false;
            for (const u of (plan.input?.undecidable ?? []).filter((x) => !protectedValue(x))) byUrn.set(u.urn, [...(byUrn.get(u.urn) ?? []), `${u.path} (${u.reason === "secret" ? "a secret not decrypted" : "not known before the deployment"})`]);
            for (const [urn, paths] of byUrn) emit(undecided(urn.split("::").pop() ?? urn, `the input does not show ${paths.join(", ")}`, urn));
            for (const p of plan.input?.pending ?? []) emit(undecided(p.urn.split("::").pop() ?? p.urn, `a ${p.type} operation was pending when the state was written: the stack may hold what the state does not list`, p.urn));
        },
    },
    {
        id: "policy-pack",
        name: "Policy pack",
        description: "Every policy of the pack (eks-secrets-abac-policies) on every resource and on the stack.",
        rules: () =>
            packPolicies.map((p) => ({ id: p.name, level: levelOf(p.enforcementLevel ?? "advisory"), description: p.description, help: p.remediationSteps ?? p.description, source: "policy pack eks-secrets-abac-policies" })),
        async run({ plan, options, verdict, emit }) {
            // A value the input does not show reads as unknown: the policy that reads it is undecided, never passed.
            const proxied = (plan.input?.undecidable.length ?? 0) > 0;
            const resources = plan.resources.filter((r) => r.custom).map((r) => stackResource(r.type, r.name, proxied ? unknownCheckingProxy(r.inputs) : r.inputs, {}, (r as { urn?: string }).urn));
            const table = await runPolicyTable(options.policies ?? [...packPolicies], resources, (d, t) => options.onProgress?.("policies", d, t));
            verdict.policies = table;
            verdict.violations = table.flatMap((p) => p.violations);
            verdict.mandatoryViolations = verdict.violations.filter((v) => v.enforcementLevel === "mandatory").length;
            verdict.undecided = table.flatMap((p) => p.undecided);
            for (const v of verdict.violations) emit({ rule: v.policy, level: levelOf(v.enforcementLevel), subject: v.resource, ...(v.urn ? { urn: v.urn } : {}), message: v.message });
            for (const u of verdict.undecided) emit(undecided(u.resource, `${u.policy} could not decide it: ${u.message}`, u.urn));
        },
    },
    {
        id: "shared-role-isolation",
        name: "Isolation of each shared role (ESO)",
        description: "The matrix of each shared ABAC role that ESO's stores assume: no team's session reads another team's value, on this cluster or another; every team reads its own. Proven for any number of teams, or every pair evaluated.",
        rules: [ISOLATION_RULES.crossTeam, ISOLATION_RULES.ownDenied, ISOLATION_RULES.metadata, ISOLATION_RULES.failed],
        async run(ctx) {
            const roles = tagRoles(ctx).filter((r) => r.kind === "shared");
            const given = ctx.options.permissionPolicy;
            const judged = given === undefined ? roles : roles.length > 0 ? roles.map((r) => ({ ...r, permissionPolicy: given, undecided: undefined })) : [{ name: "(given policy)", kind: "shared" as const, permissionPolicy: given }];
            for (const role of judged) {
                const run = await isolate(ctx, role);
                if (typeof run === "string") {
                    ctx.verdict.isolation.push({ role: role.name, kind: "shared", undecided: run });
                    ctx.emit(undecided(role.name, `isolation through ${role.name} was not decided: ${run}`, roleUrn(ctx, role.name)));
                    continue;
                }
                ctx.verdict.isolation.push({ role: role.name, kind: "shared", run });
                runFindings(ctx, role.name, run);
            }
        },
    },
    {
        id: "pod-role-isolation",
        name: "Isolation and trust of each role pods take (CSI)",
        description: "Each role a team's pods take themselves (the CSI role, keyed on the pod's namespace tag): its matrix of per-pod sessions, and its trust decided for Pod Identity (every associated team pod admitted; release namespaces, other clusters and accounts refused).",
        rules: [
            { id: "pod-trust-admits-attacker", level: "error", description: "A pod role's trust admits a caller that must never hold a session: a pod of a release namespace (ESO's, the driver's), another cluster, another account.", help: "Keep the trust's StringNotEquals on kubernetes-namespace for the release namespaces and its conditions on the cluster and aws:SourceAccount (components/lib/csiIam.ts)." },
            { id: "pod-trust-refuses-team", level: "error", description: "A pod role's trust refuses a team pod that the stack associates with it: that team's mounts fail.", help: "Let the trust admit pods.eks.amazonaws.com for the team's namespace on the role's cluster." },
        ],
        async run(ctx) {
            // No pod of a Helm release's namespace (ESO's, the driver's) may take a pod role.
            const releaseNamespaces = [...new Set(ctx.plan.resources.filter((r) => r.custom && r.type === "kubernetes:helm.sh/v3:Release").map((r) => r.inputs?.namespace).filter((n): n is string => typeof n === "string" && n !== UNKNOWN))];
            for (const role of tagRoles(ctx).filter((r) => r.kind === "pod")) {
                const urn = roleUrn(ctx, role.name);
                const run = await isolate(ctx, role);
                if (typeof run === "string") {
                    ctx.verdict.isolation.push({ role: role.name, kind: "pod", undecided: run });
                    ctx.emit(undecided(role.name, `isolation through ${role.name} was not decided: ${run}`, urn));
                    continue;
                }
                runFindings(ctx, role.name, run);
                const trustPolicy = ctx.plan.roles.find((r) => r.name === role.name)?.trustPolicy;
                if (trustPolicy === undefined || hasUnknown(trustPolicy) || typeof trustPolicy !== "object") {
                    ctx.verdict.isolation.push({ role: role.name, kind: "pod", run });
                    ctx.emit(undecided(role.name, `the trust of ${role.name} was not decided: its trust policy is not known`, urn));
                    continue;
                }
                const trust = checkPodTrust(run.spec, trustPolicy as PolicyDocument, releaseNamespaces);
                ctx.verdict.isolation.push({ role: role.name, kind: "pod", run, trust });
                for (const t of trust.admittedAttackers) ctx.emit({ rule: "pod-trust-admits-attacker", level: "error", subject: role.name, urn, message: `the trust of ${role.name} admits ${t}` });
                for (const t of trust.teamsRefused) ctx.emit({ rule: "pod-trust-refuses-team", level: "error", subject: role.name, urn, message: `the trust of ${role.name} refuses team pod ${t}` });
            }
        },
    },
    {
        id: "principals",
        name: "Every other principal",
        description: "Every principal of the stack other than the shared roles' team sessions, against every team secret and parameter (docs/PRINCIPALS.md).",
        rules: [PRINCIPAL_RULES.reads, PRINCIPAL_RULES.metadata, PRINCIPAL_RULES.notEvaluated],
        async run(ctx) {
            const plan = asStack(ctx);
            const report = judgePrincipals(plan.resources, {
                account: plan.account,
                sharedRoles: sharedRoleNames(plan),
                trustedReaders: plan.trustedReaders,
                pendingDeletion: plan.input?.pendingDeletion,
                pendingOperations: plan.input?.pendingOperations,
            });
            ctx.verdict.principals = report;
            for (const fs of perPrincipal(report.reads)) ctx.emit({ rule: PRINCIPAL_RULES.reads.id, level: "error", subject: fs[0].principal, urn: principalUrn(ctx, fs[0].principal), message: principalMessage(fs, false, PRINCIPAL_RULES.reads.help) });
            for (const fs of perPrincipal(report.metadata)) ctx.emit({ rule: PRINCIPAL_RULES.metadata.id, level: "note", subject: fs[0].principal, urn: principalUrn(ctx, fs[0].principal), message: principalMessage(fs, true) });
            for (const u of report.undecided) {
                const urn = principalUrn(ctx, u.principal);
                const message = `principal ${u.principal} was not evaluated in full: ${u.reason}`;
                // A value not shown yet (a first preview) may be accepted; what the checker never evaluates may not.
                // Where the stack holds no team value (report.ok), a document not evaluated can read nothing of ours: a note.
                if (u.cause === "not known") ctx.emit(undecided(u.principal, message, urn));
                else if (report.ok) ctx.emit({ rule: PRINCIPAL_RULES.notEvaluated.id, level: "note", subject: u.principal, urn, message });
                else ctx.emit({ ...undecided(u.principal, message, urn), rule: PRINCIPAL_RULES.notEvaluated.id, acceptable: false });
            }
            if (!report.ok && report.reads.length === 0 && report.undecided.length === 0) {
                ctx.emit({ rule: PRINCIPAL_RULES.notEvaluated.id, level: "error", subject: "(principals)", message: "the principal check failed" });
            }
        },
    },
];
