/** Defaults the commands show in --help; kept apart so that --help loads nothing heavy. */

/** The offline cloud's account, Region and stack, unless the stack's config says otherwise. */
export const OFFLINE = {
    accountId: "111122223333",
    partition: "aws",
    region: "eu-west-1",
    project: "eks-secrets-abac",
    stack: "offline",
} as const;

/** A second cluster in the same account: its sessions and secrets must stay apart. */
export const DEFAULT_OTHER_CLUSTER = "another-cluster";

/** Above this many teams the text plan lists counts, not every team (`--full` lists them). */
export const SUMMARY_TEAMS = 50;

/** Up to this many decisions the plan evaluates every pair as well as the proof, and checks they agree. */
export const PLAN_MATRIX_LIMIT = 20_000;
