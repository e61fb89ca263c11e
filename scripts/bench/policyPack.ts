/**
 * npx ts-node --transpile-only scripts/bench/policyPack.ts [--roles 2000] [--calls 2000] [--before <repo checkout>]
 *
 * The policy pack's cost: every policy in this process (as `npm run plan`
 * runs them), and over gRPC as the CLI drives the pack (run-policy-pack,
 * Analyze once per resource, AnalyzeStack once). The stack: N shared-style
 * roles, each with an ABAC RolePolicy joined by property dependency, N
 * tagged secrets, and one ClusterSecretStore. `--before <dir>` runs the
 * same AnalyzeStack against the pack of another checkout (e.g. a
 * `git worktree add /tmp/before <commit>` with node_modules linked).
 * Prints a Markdown table.
 */
import * as path from "path";
import { parseArgs } from "util";
import { abacPermissionPolicy, abacTrustPolicy, clusterSecretStoreManifest, renderPolicy } from "../../components";
import { policies } from "../../policypack/policies";
import { EngineResource, PolicyPackProcess } from "../../tests/analyzer";
import { runPolicies, stackResource } from "../../cli/src/checker";

const ctx = { partition: "aws", accountId: "111122223333", region: "eu-west-1" };

function stack(roles: number): EngineResource[] {
    const trust = renderPolicy(abacTrustPolicy({ ...ctx, controllerRoleArns: [`arn:aws:iam::${ctx.accountId}:role/controller`], clusterArns: [`arn:aws:eks:${ctx.region}:${ctx.accountId}:cluster/prod-eu`] }));
    const permissions = renderPolicy(abacPermissionPolicy(ctx));
    const out: EngineResource[] = [];
    for (let i = 0; i < roles; i++) {
        out.push({ type: "aws:iam/role:Role", name: `role-${i}`, props: { name: `role-${i}`, arn: `arn:aws:iam::${ctx.accountId}:role/role-${i}`, assumeRolePolicy: trust } });
        out.push({ type: "aws:iam/rolePolicy:RolePolicy", name: `role-${i}-read`, props: { role: `role-${i}`, policy: permissions }, deps: { role: [`role-${i}`] } });
        out.push({ type: "aws:secretsmanager/secret:Secret", name: `secret-${i}`, props: { name: `team-${i}/db`, tags: { "kubernetes-namespace": `team-${i}`, "eks-cluster-name": "prod-eu" } } });
    }
    const store = clusterSecretStoreManifest({ name: "team-secrets", region: ctx.region, abacRoleArn: `arn:aws:iam::${ctx.accountId}:role/role-0` });
    out.push({ type: "kubernetes:external-secrets.io/v1:ClusterSecretStore", name: "store", props: store as any, deps: { spec: ["role-0"] } });
    return out;
}

function inProcess(resources: EngineResource[]) {
    const byName = new Map<string, ReturnType<typeof stackResource>>();
    const list = resources.map((r) => {
        const deps = Object.fromEntries(Object.entries(r.deps ?? {}).map(([k, names]) => [k, names.map((n) => byName.get(n)!)]));
        const s = stackResource(r.type, r.name, r.props, deps);
        byName.set(r.name, s);
        return s;
    });
    return list;
}

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

async function main() {
    const { values } = parseArgs({ options: { roles: { type: "string", default: "2000" }, calls: { type: "string", default: "2000" }, before: { type: "string" } } });
    const roles = Number(values.roles);
    const resources = stack(roles);
    const rows: string[][] = [];

    // In process: all policies over all resources, median of 3 after a warm-up.
    const local = inProcess(resources);
    await runPolicies(policies, local);
    const passes: number[] = [];
    for (let i = 0; i < 3; i++) {
        const t = process.hrtime.bigint();
        await runPolicies(policies, local);
        passes.push(ms(t));
    }
    const median = passes.sort((a, b) => a - b)[1];
    rows.push(["in process, every policy (resource and stack)", `${resources.length}`, `${median.toFixed(0)} ms`, `${((median * 1000) / resources.length).toFixed(1)} µs`]);

    // Over gRPC, as the CLI drives the pack.
    const pack = await PolicyPackProcess.start();
    try {
        const calls = Math.min(Number(values.calls), resources.length);
        for (const r of resources.slice(0, 200)) await pack.analyze(r.type, r.name, r.props);
        let t = process.hrtime.bigint();
        for (const r of resources.slice(0, calls)) await pack.analyze(r.type, r.name, r.props);
        const analyzeMs = ms(t);
        rows.push(["gRPC Analyze, one call per resource, sequential", `${calls}`, `${analyzeMs.toFixed(0)} ms`, `${((analyzeMs * 1000) / calls).toFixed(1)} µs`]);
        await pack.analyzeStack(resources);
        t = process.hrtime.bigint();
        const found = await pack.analyzeStack(resources);
        const stackMs = ms(t);
        rows.push([`gRPC AnalyzeStack, ${roles.toLocaleString("en-US")} roles (this pack)`, `${resources.length}`, `${stackMs.toFixed(0)} ms`, `${((stackMs * 1000) / resources.length).toFixed(1)} µs`]);
        if (found.length > 0) throw new Error(`unexpected findings: ${found.map((f) => f.policyName).join(", ")}`);
    } finally {
        pack.stop();
    }

    if (values.before) {
        // eslint-disable-next-line @typescript-eslint/no-var-requires
        const old = require(path.join(path.resolve(values.before), "policypack", "policies")).policies;
        await runPolicies(old, local);
        const t0 = process.hrtime.bigint();
        await runPolicies(old, local);
        const oldMs = ms(t0);
        rows.push([`in process, every policy (before: ${path.basename(values.before)})`, `${resources.length}`, `${oldMs.toFixed(0)} ms`, `${((oldMs * 1000) / resources.length).toFixed(1)} µs`]);
        const before = await PolicyPackProcess.start(path.join(values.before, "policypack"));
        try {
            const calls = Math.min(Number(values.calls), resources.length);
            for (const r of resources.slice(0, 200)) await before.analyze(r.type, r.name, r.props);
            const a = process.hrtime.bigint();
            for (const r of resources.slice(0, calls)) await before.analyze(r.type, r.name, r.props);
            const analyzeMs = ms(a);
            rows.push([`gRPC Analyze, one call per resource (before: ${path.basename(values.before)})`, `${calls}`, `${analyzeMs.toFixed(0)} ms`, `${((analyzeMs * 1000) / calls).toFixed(1)} µs`]);
            await before.analyzeStack(resources);
            const t = process.hrtime.bigint();
            await before.analyzeStack(resources);
            const stackMs = ms(t);
            rows.push([`gRPC AnalyzeStack, ${roles.toLocaleString("en-US")} roles (before: ${path.basename(values.before)})`, `${resources.length}`, `${stackMs.toFixed(0)} ms`, `${((stackMs * 1000) / resources.length).toFixed(1)} µs`]);
        } finally {
            before.stop();
        }
    }

    console.log("| what | resources | time | per resource |");
    console.log("| --- | --- | --- | --- |");
    for (const r of rows) console.log(`| ${r.join(" | ")} |`);
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
