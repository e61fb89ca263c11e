/**
 * The example's offline run: the program under the offline cloud with
 * Pulumi.dev.yaml, then what each account receives, the key-policy
 * statements, the policy pack's verdict, and the access matrix of the
 * three-account stack decided by the IAM evaluator. Exits 1 when any pair
 * other than a team's own is readable, a team's own is not, or a mandatory
 * policy is violated.
 *
 *   npx ts-node --transpile-only examples/cross-account/offline.ts
 */
import * as path from "path";
import { computeCrossAccountMatrix, crossAccountMatrixMarkdown, crossAccountSpecFromRun } from "../../cli/src/checker";
import { policies } from "../../policypack/policies";
import { runOffline } from "../../cli/src/checker";
import { runPolicies, stackResource } from "../../cli/src/checker";
import { readStackFile } from "../../cli/src/checker";

async function main(): Promise<number> {
    const { config, secretKeys } = readStackFile(path.join(__dirname, "Pulumi.dev.yaml"));
    const run = await runOffline(() => require("./index"), config, secretKeys, "eks-secrets-abac-cross-account");
    const spec = crossAccountSpecFromRun(run.resources);
    const accounts: [string, string][] = [
        ...spec.clusterAccountIds.map((a): [string, string] => [a, "cluster account"]),
        [spec.secretsAccountId, "secrets account"],
        [spec.keyAccountId, "key account"],
    ];
    for (const [account, role] of accounts) {
        console.log(`\n## ${role} ${account}`);
        for (const r of run.resources.filter((x) => x.custom && typeof x.state.arn === "string" && x.state.arn.split(":")[4] === account)) {
            console.log(`  ${r.type.padEnd(58)} ${r.state.arn}`);
        }
    }
    const keyPolicy = run.ofType("aws:kms/key:Key")[0].inputs.policy;
    console.log("\n## key policy (key account)\n" + JSON.stringify(JSON.parse(keyPolicy), null, 2));
    const custom = run.resources.filter((r) => r.custom);
    const violations = await runPolicies(policies, custom.map((r) => stackResource(r.type, r.name, r.inputs)));
    const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory");
    console.log(`\n## policy pack: ${policies.length} policies on ${custom.length} resources: ${violations.length === 0 ? "no violations" : ""}`);
    for (const v of violations) console.log(`  [${v.enforcementLevel}] ${v.policy} on ${v.resource}: ${v.message}`);
    const matrix = computeCrossAccountMatrix(spec);
    console.log(`\n## access matrix: ${matrix.decisions} IAM decisions (assume role, read, decrypt through the service)\n`);
    console.log(crossAccountMatrixMarkdown(matrix));
    const ok = matrix.unexpectedAllows.length === 0 && matrix.missingAllows.length === 0 && mandatory.length === 0;
    console.log(
        `\nverdict: ${ok ? "PASS" : "FAIL"}: ${matrix.allowed.flat().filter(Boolean).length} own-team reads allowed, ` +
            `${matrix.unexpectedAllows.length} cross-team allows, ${matrix.missingAllows.length} own-team reads denied, ` +
            `${mandatory.length} mandatory policy violations`,
    );
    return ok ? 0 : 1;
}

main().then(
    (code) => process.exit(code),
    (err) => {
        console.error(err);
        process.exit(2);
    },
);
