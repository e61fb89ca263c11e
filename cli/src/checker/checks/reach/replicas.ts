/**
 * Copies of a secret in other Regions. A replica "is a copy of the primary
 * secret ... with the same secret value" and Secrets Manager replicates its
 * tags (Secrets Manager User Guide, create-manage-multi-region-secrets.html:
 * "Secrets Manager replicates the encrypted secret data and metadata such as
 * tags and resource policies"). Its ARN is the primary's with the replica's
 * Region. So a principal allowed on that Region's ARNs (a DR role) reads the
 * team's value there. The shared roles' sessions are left out: the tags are
 * the same, so their ABAC decides a replica as it decides the primary, and
 * the shared role's policy names its own Region.
 */
import type { Target } from "../principalDocuments";
import { list, value } from "../principalDocuments";
import type { StackResource } from "../../inputs";
import type { ReadFinding } from "../stackPrincipals";
import { ofType, ReachContext, reachFinding, valueStep } from "./context";
import { asWho } from "./pathReads";

export function replicaTargets(resources: StackResource[], ctx: ReachContext): Target[] {
    const out: Target[] = [];
    const secrets = new Map(ctx.targets.filter((t) => t.kind === "secret").map((t) => [t.name, t]));
    for (const r of ofType(resources, "aws:secretsmanager/secret:Secret")) {
        const replicas = list(value(r, "replicas"));
        if (replicas.length === 0) continue;
        const name = String(value(r, "name") ?? r.name);
        const primary = secrets.get(name);
        if (!primary) continue;
        for (const replica of replicas) {
            const region = (replica as { region?: unknown })?.region;
            if (typeof region !== "string" || region === "") continue;
            const arn = primary.arn.replace(/^(arn:[^:]+:secretsmanager:)[^:]*:/, `$1${region}:`);
            const kmsKeyId = (replica as { kmsKeyId?: unknown }).kmsKeyId;
            // A replica's own key is named per Region; a customer key there is outside what the stack shows of it.
            out.push({ ...primary, name: `${name} (replica in ${region})`, arn, resourcePolicy: primary.resourcePolicy, key: typeof kmsKeyId === "string" && kmsKeyId !== "" ? "outside" : undefined });
        }
    }
    return out;
}

export function replicaReads(resources: StackResource[], ctx: ReachContext): ReadFinding[] {
    const replicas = replicaTargets(resources, ctx);
    const out: ReadFinding[] = [];
    for (const p of ctx.evaluated) {
        for (const t of replicas) {
            const d = ctx.decideRead(p, t, "secretsmanager:GetSecretValue", ctx.account);
            if (!d.allowed) continue;
            out.push(reachFinding(ctx, asWho(p), "secretsmanager:GetSecretValue", t, [`${p.kind} ${p.name}`, `replica ${t.arn} (same value and tags as the primary), granted by ${d.statement}`, valueStep(t, "secretsmanager:GetSecretValue")], d.note));
        }
    }
    return out;
}
