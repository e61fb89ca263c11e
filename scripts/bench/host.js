/**
 * The stack program (index.ts) run the way Pulumi's Node.js language host
 * runs it in `pulumi up` (@pulumi/pulumi 3.248, cmd/run/index.js and
 * run.js): `source-map-support/register` first, then ts-node registered with
 * the project's tsconfig and `transpileOnly` from PULUMI_NODEJS_TRANSPILE_ONLY
 * ("true"), else the tsconfig's `noCheck`, else type-checking. Only the
 * engine is replaced, by the offline cloud, and our offline runner's
 * stack-capture switch is left off, as in a real run.
 *
 *   node scripts/bench/host.js <teams>     prints one JSON line
 *
 * Plain JavaScript, so that nothing is compiled before the host's own setup.
 */
const started = process.hrtime.bigint();
const path = require("path");
require("source-map-support/register");
const root = path.join(__dirname, "..", "..");
const env = process.env.PULUMI_NODEJS_TRANSPILE_ONLY;
const tsconfig = path.join(root, "tsconfig.json");
const compilerOptions = require("typescript").parseConfigFileTextToJson(tsconfig, require("fs").readFileSync(tsconfig, "utf8")).config.compilerOptions;
const transpileOnly = env ? env === "true" : compilerOptions.noCheck;
require("ts-node").register({ compiler: "typescript", transpileOnly, project: tsconfig, skipProject: false, compilerOptions: {} });
process.env.EKS_SECRETS_ABAC_FULL_STACKS = "1";
const { runStackProgram } = require("./hostProgram.ts");
runStackProgram(Number(process.argv[2] ?? 1000)).then(
    (r) => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        console.log(JSON.stringify({ ...r, totalMs: ms, transpileOnly: Boolean(transpileOnly), stackTraceLimit: Error.stackTraceLimit, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
    },
    (e) => {
        console.error(e);
        process.exit(1);
    },
);
