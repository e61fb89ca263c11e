/**
 * One benchmark measurement in a process of its own (so peak memory is its
 * own): a design at N teams, run in the offline cloud, then the policy pack
 * over every resource. Prints one JSON line.
 *
 *   node -r ts-node/register/transpile-only scripts/bench/program.ts <abac|floor|role-per-team> <teams>
 *
 * `floor` registers the same custom resources as `abac` (same types, same
 * count) with constant inputs and no components: what the SDK costs for that
 * many resources, whoever writes the program.
 */
import { createHash } from "crypto";
import { EksSecretsAbac } from "../../components";
import { benchTeams } from "./teams";
import { policies } from "../../policypack/policies";
import { runOffline } from "../../cli/src/checker";
import { runPolicies, stackResource } from "../../cli/src/checker";
import { rolePerTeam } from "./rolePerTeam";

/**
 * The shared role design's custom resources, with constant inputs and no
 * components (scripts/bench/sdkFloor.js, held to the program's set by
 * tests/sdkFloor.test.ts).
 */
// eslint-disable-next-line @typescript-eslint/no-var-requires
export const floorProgram = (require("./sdkFloor") as { floorProgram(teams: number): void }).floorProgram;

export { benchTeams };

const SHARED_DOCUMENTS: [string, string, string][] = [
    ["aws:iam/role:Role", "assumeRolePolicy", "trust policy"],
    ["aws:iam/rolePolicy:RolePolicy", "policy", "permission policy"],
    ["kubernetes:external-secrets.io/v1:ClusterSecretStore", "spec", "ClusterSecretStore spec"],
];

async function main() {
    const [design, countText] = process.argv.slice(2);
    const count = Number(countText);
    const teams = benchTeams(count);
    const started = process.hrtime.bigint();
    const run = await runOffline(() =>
        design === "abac" ? new EksSecretsAbac("prod", { clusterName: "prod-eu", teams }) : design === "floor" ? floorProgram(count) : rolePerTeam("prod-eu", teams),
    );
    const programMs = Number(process.hrtime.bigint() - started) / 1e6;
    const cloud = run.resources.filter((r) => r.custom);

    const documents =
        design === "abac"
            ? SHARED_DOCUMENTS.flatMap(([type, field, what]) =>
                  run.ofType(type).map((r) => {
                      const text = typeof r.inputs[field] === "string" ? r.inputs[field] : JSON.stringify(r.inputs[field]);
                      return { what: `${r.name} ${what}`, bytes: Buffer.byteLength(text), sha256: createHash("sha256").update(text).digest("hex").slice(0, 12) };
                  }),
              )
            : [];

    // The first pass is what a one-off preview pays (JIT cold); the median of three more is the steady cost.
    const resources = cloud.map((r) => stackResource(r.type, r.name, r.inputs));
    const timePolicies = async () => {
        const t = process.hrtime.bigint();
        const found = await runPolicies(policies, resources);
        return { ms: Number(process.hrtime.bigint() - t) / 1e6, found };
    };
    const cold = await timePolicies();
    const warm = [await timePolicies(), await timePolicies(), await timePolicies()].map((x) => x.ms).sort((a, b) => a - b)[1];
    const violations = cold.found;

    console.log(
        JSON.stringify({
            design,
            teams: count,
            programMs,
            peakRssMb: process.resourceUsage().maxRSS / 1024,
            resources: cloud.length,
            iamRoles: run.ofType("aws:iam/role:Role").length,
            byType: run.countsByType(),
            documents,
            policyMs: warm,
            policyUsPerResource: (warm * 1000) / cloud.length,
            policyColdUsPerResource: (cold.ms * 1000) / cloud.length,
            mandatoryViolations: violations.filter((v) => v.enforcementLevel === "mandatory").length,
        }),
    );
}

if (require.main === module) {
    main().catch((e) => {
        console.error(e);
        process.exit(1);
    });
}
