/**
 * Where a program's CPU time goes, from a V8 CPU profile (`node --cpu-prof`):
 * self time per sample, grouped by what the frame belongs to.
 */
import * as fs from "fs";

interface ProfileNode {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber?: number };
    children?: number[];
}

interface CpuProfile {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
}

/** Categories in the order they are tried; the first that matches a frame wins. */
const CATEGORIES: [string, (f: ProfileNode["callFrame"]) => boolean][] = [
    ["garbage collection", (f) => f.functionName === "(garbage collector)"],
    ["stack traces: capture and source-map formatting (source-map-support, ts-node)", (f) => /source-map|sourcemap/i.test(f.url) || /prepareStackTrace|captureStackTrace|wrapCallSite|mapSourcePosition|retrieveSourceMap/.test(f.functionName)],
    ["TypeScript compiler (ts-node: transpile, type-check)", (f) => /node_modules\/(typescript|ts-node)\//.test(f.url)],
    ["Pulumi SDK: promise leak tracking (runtime/debuggable.js)", (f) => /@pulumi\/pulumi\/runtime\/debuggable/.test(f.url)],
    ["Pulumi SDK: resource registration, outputs, mocks (other)", (f) => /@pulumi\/pulumi\//.test(f.url)],
    ["@pulumi/aws, @pulumi/kubernetes (resource classes)", (f) => /@pulumi\/(aws|kubernetes|eks)\//.test(f.url)],
    ["gRPC and protobuf (the SDK's wire format)", (f) => /@grpc|google-protobuf/.test(f.url)],
    ["our components and builders", (f) => /\/(components|index\.ts)/.test(f.url) && !/node_modules/.test(f.url)],
    ["the offline cloud and benchmark harness", (f) => /\/scripts\//.test(f.url) && !/node_modules/.test(f.url)],
    ["idle (waiting)", (f) => f.functionName === "(idle)" || f.functionName === "(program)"],
    ["node internals and other modules", () => true],
];

/**
 * Self time by category, in percent of the profile. A frame that node shows
 * without a script (V8 builtins such as `Error.captureStackTrace`) counts
 * towards its nearest caller's category, so stack capture lands where it is paid.
 */
export function profileByCategory(file: string): { category: string; percent: number; ms: number }[] {
    const profile = JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile;
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const categoryOf = new Map<number, string>();
    const categorise = (id: number): string => {
        const cached = categoryOf.get(id);
        if (cached !== undefined) return cached;
        const node = byId.get(id)!;
        const f = node.callFrame;
        let category: string;
        const special = f.functionName.startsWith("(");
        if (!special && f.url === "" && parent.has(id)) {
            // A builtin: charge it to the stack-trace category if it is one, else to its caller.
            category = CATEGORIES[1][1](f) ? CATEGORIES[1][0] : categorise(parent.get(id)!);
        } else {
            category = CATEGORIES.find(([, test]) => test(f))![0];
        }
        categoryOf.set(id, category);
        return category;
    };
    const totals = new Map<string, number>();
    let sum = 0;
    profile.samples.forEach((id, i) => {
        const dt = profile.timeDeltas[i] ?? 0;
        const c = categorise(id);
        totals.set(c, (totals.get(c) ?? 0) + dt);
        sum += dt;
    });
    return [...totals.entries()]
        .map(([category, us]) => ({ category, ms: us / 1000, percent: (100 * us) / Math.max(sum, 1) }))
        .sort((a, b) => b.percent - a.percent);
}

/** Self time by function (name, file, line), largest first: the rows to compare between two profiles. */
export function topFunctions(file: string, count = 20): { fn: string; ms: number; percent: number }[] {
    const profile = JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const totals = new Map<string, number>();
    let sum = 0;
    profile.samples.forEach((id, i) => {
        const dt = profile.timeDeltas[i] ?? 0;
        const f = byId.get(id)!.callFrame;
        const where = f.url === "" ? "" : ` ${f.url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*?\/(lib|scripts)\//, "$1/")}:${(f.lineNumber ?? 0) + 1}`;
        const key = `${f.functionName === "" ? "(anonymous)" : f.functionName}${where}`;
        totals.set(key, (totals.get(key) ?? 0) + dt);
        sum += dt;
    });
    return [...totals.entries()]
        .map(([fn, us]) => ({ fn, ms: us / 1000, percent: (100 * us) / Math.max(sum, 1) }))
        .sort((a, b) => b.ms - a.ms)
        .slice(0, count);
}

if (require.main === module) {
    for (const r of profileByCategory(process.argv[2])) console.log(`${r.percent.toFixed(1).padStart(5)} %  ${r.ms.toFixed(0).padStart(7)} ms  ${r.category}`);
    console.log("");
    for (const r of topFunctions(process.argv[2], Number(process.argv[3] ?? "25"))) console.log(`${r.percent.toFixed(1).padStart(5)} %  ${r.ms.toFixed(0).padStart(7)} ms  ${r.fn}`);
}
