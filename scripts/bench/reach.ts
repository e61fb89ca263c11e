/**
 * The cost of the reach modules on a 2,000-team stack without such paths:
 * `judgePrincipals` with and without them, in one process, alternating,
 * median of 5 each. Run: npx ts-node --transpile-only scripts/bench/reach.ts [teams]
 */
import { EksSecretsAbac } from "../../components";
import { runOffline } from "../../tests/helpers";
import { benchTeams } from "./teams";
import { planFromInput, sharedRoleNames } from "../../cli/src/checker";
import { collectPrincipals, collectTargets } from "../../cli/src/checker";
import { decideRead, judgePrincipals } from "../../cli/src/checker";
import { judgeReach } from "../../cli/src/checker";

async function main() {
    const teams = Number(process.argv[2] ?? 2000);
    for (const parameters of [false, true]) {
        const specs = benchTeams(teams).map((t) => (parameters ? { ...t, parameters: [{ name: "db-url" }] } : t));
        const run = await runOffline(() => new EksSecretsAbac("bench", { clusterName: "prod-eu", teams: specs }));
        const plan = planFromInput({ kind: "program", source: "bench", resources: run.resources, undecidable: [], notes: [], config: {} });
        const options = { account: plan.account, sharedRoles: sharedRoleNames(plan), trustedReaders: plan.trustedReaders };
        const times: Record<string, number[]> = { without: [], with: [] };
        let reads = -1;
        for (let i = 0; i < 5; i++) {
            for (const follow of [false, true]) {
                const start = process.hrtime.bigint();
                const r = judgePrincipals(plan.resources, { ...options, followReach: follow });
                times[follow ? "with" : "without"].push(Number(process.hrtime.bigint() - start) / 1e6);
                if (follow) reads = r.reads.length;
            }
        }
        // The reach modules alone, on the principal check's own reading of the stack: the machine's load drowns less of it.
        const { principals } = collectPrincipals(plan.resources, plan.account);
        const { targets } = collectTargets(plan.resources, plan.account);
        const ctx = { account: plan.account, principals, evaluated: principals.filter((p) => !options.sharedRoles.includes(p.name)), targets, reads: [], sharedRoles: options.sharedRoles, trusted: [], decideRead };
        const alone: number[] = [];
        for (let i = 0; i < 5; i++) {
            const start = process.hrtime.bigint();
            judgeReach(plan.resources, ctx);
            alone.push(Number(process.hrtime.bigint() - start) / 1e6);
        }
        const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
        process.stdout.write(`${teams} teams${parameters ? " + 1 parameter each" : ""}, ${plan.resources.length} resources: judgePrincipals without reach ${median(times.without).toFixed(0)} ms, with reach ${median(times.with).toFixed(0)} ms (median of 5; findings ${reads}); the reach modules alone ${median(alone).toFixed(1)} ms\n`);
    }
}

void main();
