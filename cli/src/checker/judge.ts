/**
 * The one verdict. Every command (npm run plan, npm run access-matrix, the
 * command's plan and access-matrix) and every input (a program run offline,
 * a preview, a stack export) reaches it here: one stack model in, every check
 * of the registry (cli/src/checker/registry.ts) run, one verdict out. The commands
 * differ only in what they print of it.
 *
 * A verdict is one of three, never two at once:
 * - BLOCKED: a check found an error (a mandatory policy violation, a
 *   cross-team read, an own value denied, another principal that reads);
 * - NOT DECIDED: no error, but something the checks needed was not shown
 *   (ciphertext, an unknown of a preview, a pending operation): not OK, since
 *   what was not seen may be the leak. `acceptUndecided` turns these into
 *   warnings (a first preview in CI), and the report still lists them;
 * - OK: every check decided, and none found an error.
 */
import type { PolicyOutcome, Violation } from "./checks/policyRunner";
import type { MatrixRun } from "./checks/matrixRun";
import type { TrustCheck } from "./checks/podTrust";
import type { PrincipalReport } from "./checks/stackPrincipals";
import type { Plan, Progress } from "./model/plan";
import type { StackPlan } from "./model/stackPlan";
import type { PolicyDocument } from "../../../components/lib/iam";
import type { Policies } from "@pulumi/policy";
import { CHECKS } from "./registry";

export type Level = "error" | "warning" | "note";

/** One thing a check says: its rule, how it weighs, what and where. */
export interface Finding {
    /** The rule's id (a policy of the pack is its own rule). */
    rule: string;
    level: Level;
    /** Set when the check could not decide: the verdict is NOT DECIDED unless accepted. */
    undecided?: true;
    /**
     * false: an undecided item `acceptUndecided` does not accept. A value the input
     * does not show yet (a first preview) may be accepted; a resource type or
     * document the checker does not evaluate may not: it stays NOT DECIDED until
     * it is trusted (`trustedReaders`) or removed.
     */
    acceptable?: false;
    /** The resource, role or principal the finding is about. */
    subject: string;
    urn?: string;
    message: string;
}

/** A SARIF rule, declared by the check that reports it. */
export interface Rule {
    id: string;
    level: Level;
    description: string;
    help: string;
    /** Where the rule comes from, when not this tool's own code (the pack). */
    source?: string;
}

/** What a check reads: the stack model and the options of the run. */
export interface JudgeContext {
    plan: JudgedStack;
    options: JudgeOptions;
    verdict: Verdict;
    emit(finding: Finding): void;
}

/** An entry of the registry: a check is this and nothing else. */
export interface Check {
    id: string;
    name: string;
    description: string;
    /** The rules its findings name; a function when they come from elsewhere (the pack). */
    rules: readonly Rule[] | (() => readonly Rule[]);
    run(ctx: JudgeContext): Promise<void>;
}

/**
 * The stack as every check reads it: what every input reader gives
 * (planFromInput), or the config-driven plan of this repository's program
 * (buildPlan), which lacks only what it cannot hold (other clusters, notes).
 */
export type JudgedStack = Plan & Partial<Pick<StackPlan, "clusters" | "input" | "managedPolicies">> & { roles: (Plan["roles"][number] & { urn?: string; arn?: string })[] };

export interface JudgeOptions {
    /** Evaluate every (session, secret) pair, not only the proof. */
    fullMatrix?: boolean;
    /** Evaluate every pair as well up to this many decisions. @default PLAN_MATRIX_LIMIT */
    matrixLimit?: number;
    otherClusters?: string[];
    workers?: number;
    /** Level of another team's metadata being readable. @default "warning" */
    metadataLevel?: "warning" | "error";
    /** Judge the shared roles with this permission policy instead of their own (what a change would open). */
    permissionPolicy?: PolicyDocument;
    /** Undecided items are warnings, not a NOT DECIDED verdict; they are still listed. */
    acceptUndecided?: boolean;
    /** The pack's policies with a `--policy-pack-config` applied (policyConfig.ts). @default the pack as shipped */
    policies?: Policies;
    onProgress?: Progress;
}

/** One role's matrix: a shared role of ESO, or a role pods take themselves (CSI) with its trust. */
export interface RoleIsolation {
    role: string;
    kind: "shared" | "pod";
    run?: MatrixRun;
    /** Why the matrix was not decided. */
    undecided?: string;
    /** Pod roles: the trust, decided for Pod Identity. */
    trust?: TrustCheck;
}

export type VerdictStatus = "OK" | "BLOCKED" | "NOT DECIDED";

export interface Verdict {
    status: VerdictStatus;
    /** Only an OK verdict is ok. */
    ok: boolean;
    /** Every finding of every check, in registry order. */
    findings: Finding[];
    /** Undecided findings were accepted as warnings (`--accept-undecided`). */
    acceptedUndecided: boolean;
    /** The checks that ran, each with its count of errors and undecided findings. */
    checks: { id: string; name: string; errors: number; undecided: number }[];
    /** The pack: per policy its outcome, every violation, what it could not decide. */
    policies: PolicyOutcome[];
    violations: Violation[];
    mandatoryViolations: number;
    undecided: Violation[];
    /** Every role whose permission policy keys on tags: ESO's shared roles, then roles pods take. */
    isolation: RoleIsolation[];
    principals: PrincipalReport;
}

/** Every check of the registry on one stack: one verdict. */
export async function judge(plan: JudgedStack, options: JudgeOptions = {}): Promise<Verdict> {
    const verdict: Verdict = {
        status: "OK",
        ok: true,
        findings: [],
        acceptedUndecided: false,
        checks: [],
        policies: [],
        violations: [],
        mandatoryViolations: 0,
        undecided: [],
        isolation: [],
        principals: { evaluated: [], expected: [], reads: [], trusted: [], metadata: [], undecided: [], unmatchedTrustedReaders: [], scope: "", ok: true },
    };
    for (const check of CHECKS) {
        const found: Finding[] = [];
        await check.run({ plan, options, verdict, emit: (f) => found.push(f) });
        verdict.findings.push(...found);
        verdict.checks.push({ id: check.id, name: check.name, errors: found.filter((f) => f.level === "error" && !f.undecided).length, undecided: found.filter((f) => f.undecided).length });
    }
    return settle(verdict, options.acceptUndecided ?? false);
}

/** The status from the findings alone: an error blocks; else anything undecided is NOT DECIDED unless accepted. */
export function settle(verdict: Verdict, acceptUndecided: boolean): Verdict {
    const errors = verdict.findings.some((f) => f.level === "error" && !f.undecided);
    const undecided = verdict.findings.filter((f) => f.undecided);
    const accepted = acceptUndecided && undecided.every((f) => f.acceptable !== false);
    verdict.status = errors ? "BLOCKED" : undecided.length > 0 && !accepted ? "NOT DECIDED" : "OK";
    verdict.ok = verdict.status === "OK";
    verdict.acceptedUndecided = accepted && undecided.length > 0;
    return verdict;
}

/** Every rule of every check, in registry order, then the rule of undecided items. */
export function allRules(): Rule[] {
    return [...CHECKS.flatMap((c) => (typeof c.rules === "function" ? c.rules() : c.rules)), NOT_DECIDED_RULE];
}

export const NOT_DECIDED_RULE: Rule = {
    id: "not-decided",
    level: "warning",
    description: "A check could not be decided: it needs a value the input does not show (a secret not decrypted, a value known only during the deployment, an operation still pending). The verdict is NOT DECIDED, not OK.",
    help: "Judge the program itself, or `pulumi stack export --show-secrets`, or a preview of a stack deployed once; for a first preview, accept undecided items with --accept-undecided (docs/COMMANDS.md).",
};

/** The verdict's last line(s): never "OK" while something is undecided, unless accepted. */
export function verdictLines(v: Verdict): string[] {
    const undecided = v.findings.filter((f) => f.undecided).length;
    if (v.status === "BLOCKED") return [`Verdict: BLOCKED${undecided > 0 ? ` (and ${undecided} item(s) not decided)` : ""}`];
    if (v.status === "NOT DECIDED") {
        const firm = v.findings.filter((f) => f.undecided && f.acceptable === false).length;
        const hint = firm > 0 ? `${firm} of them the checker does not evaluate (trust them with trustedReaders, or remove them); --accept-undecided accepts only values the input does not show yet.` : "--accept-undecided turns them into warnings.";
        return [`Verdict: NOT DECIDED: ${undecided} item(s) could not be decided (listed above); nothing else failed. ${hint}`];
    }
    if (undecided > 0) return [`Verdict: OK with ${undecided} undecided item(s) accepted as warnings (--accept-undecided; listed above)`];
    return ["Verdict: OK"];
}

/** The undecided items, for every text report: listed before the verdict line. */
export function undecidedLines(v: Verdict, limit?: number): string[] {
    const items = v.findings.filter((f) => f.undecided);
    if (items.length === 0) return [];
    const shown = limit === undefined ? items : items.slice(0, limit);
    return [
        `Not decided (${items.length}${v.acceptedUndecided ? ", accepted as warnings" : ""}):`,
        ...shown.map((f) => `  [not decided] ${f.subject}: ${f.message}`),
        ...(shown.length < items.length ? [`  ... ${items.length - shown.length} more (--full for all, or --json)`] : []),
    ];
}

/** The findings as the agreement test and the JSON compare them: rule, level, subject, message. */
export function findingKeys(v: Verdict): string[] {
    return v.findings.map((f) => `${f.level}${f.undecided ? " undecided" : ""} ${f.rule} ${f.subject}: ${f.message}`).sort();
}
