/**
 * Parameter reads by path. GetParametersByPath is authorised on the path the
 * caller names, never on the parameters it returns, and returns every value
 * under it (every level with `Recursive`): "If a user has access to a path,
 * then the user can access all levels of that path ... even if a user has
 * explicitly been denied access in IAM for parameter /a/b"
 * (docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-access.html;
 * VALUE_READ_TABLE in policypack/lib/constants.ts). So a parameter is read by
 * whoever may call it on one of its ancestor paths, `/` included (a root
 * parameter is returned by the path `/`), with kms:Decrypt on its key for a
 * SecureString under a customer key (the encryption context names the
 * parameter itself).
 */
import type { Principal, Target } from "../principalDocuments";
import type { ReadFinding } from "../stackPrincipals";
import { mayAllow, ReachContext, reachFinding, valueStep } from "./context";

const BY_PATH = "ssm:GetParametersByPath";

/** The strict ancestor paths of a parameter name, nearest first: `/a/b/c` -> `/a/b`, `/a`, `/`. */
export function ancestorPaths(name: string): string[] {
    const parts = name.replace(/^\//, "").split("/");
    const out: string[] = [];
    for (let i = parts.length - 1; i >= 1; i--) out.push(`/${parts.slice(0, i).join("/")}`);
    out.push("/");
    return out;
}

/** The ARN IAM authorises a path on: the parameter ARN form of the path. */
export function pathArn(ctx: Pick<ReachContext, "account">, path: string): string {
    const { partition, region, accountId } = ctx.account;
    return `arn:${partition}:ssm:${region}:${accountId}:parameter/${path.replace(/^\//, "")}`;
}

export function pathReads(ctx: ReachContext): ReadFinding[] {
    const parameters = ctx.targets.filter((t) => t.kind === "parameter");
    if (parameters.length === 0) return [];
    // A path that is itself a parameter of the stack carries that parameter's tags; any other path carries none.
    const tagsOfPath = new Map(parameters.map((t) => [`/${t.name.replace(/^\//, "")}`, t.tags]));
    const direct = new Set(ctx.reads.map((f) => `${f.arn} ${f.targetKind} ${f.target}`));
    const out: ReadFinding[] = [];
    for (const p of ctx.evaluated) {
        if (!mayAllow(p.policies, BY_PATH)) continue;
        const pathAllowed = new Map<string, string | undefined>();
        const allowedOn = (path: string, t: Target): string | undefined => {
            if (!pathAllowed.has(path)) {
                const d = ctx.decideRead(p, { ...t, key: undefined }, BY_PATH, ctx.account, { arn: pathArn(ctx, path), tags: tagsOfPath.get(path) ?? {} });
                pathAllowed.set(path, d.allowed ? d.statement : undefined);
            }
            return pathAllowed.get(path);
        };
        for (const t of parameters) {
            if (direct.has(`${p.arn} parameter ${t.name}`)) continue;
            const path = ancestorPaths(t.name).find((a) => allowedOn(a, t) !== undefined);
            if (path === undefined) continue;
            const statement = allowedOn(path, t)!;
            // The value's own key still decides: decided as a read of the value itself, with the path's grant.
            let note: string | undefined;
            if (t.key !== undefined) {
                const withKey = ctx.decideRead(p, t, BY_PATH, ctx.account, { arn: pathArn(ctx, path), tags: tagsOfPath.get(path) ?? {} });
                if (!withKey.allowed) continue;
                note = withKey.note;
            }
            out.push(reachFinding(ctx, asWho(p), BY_PATH, t, [`${p.kind} ${p.name}`, `${BY_PATH} on path ${path}${path === "/" ? "" : " (Recursive)"}, granted by ${statement}`, valueStep(t, "value returned")], note));
        }
    }
    return out;
}

export const asWho = (p: Principal) => ({ name: p.name, kind: p.kind, arn: p.arn });
