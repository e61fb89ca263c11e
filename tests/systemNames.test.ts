/**
 * Names that flow into Kubernetes and Helm: the component's name (and, in
 * CrossAccountSecretsAbac, `<name>-<clusterName>`) becomes object names
 * (DNS-1123) and the ESO Helm release name (at most 53 characters). A bad
 * one is refused before anything is declared, naming the entry.
 */
import * as assert from "assert";
import { COMPONENT_NAME_MAX, ConfigValidationError, CrossAccountSecretsAbac, EksSecretsAbac, esoHelmValues } from "../components";
import { chartCrds } from "./crdObjects";
import { runOffline, team } from "./helpers";
import { judgeKube, Kinds, kindsWith } from "./systemKube";

let kinds: Kinds;
before(async function () {
    this.timeout(120_000);
    kinds = kindsWith(await chartCrds(esoHelmValues({ serviceAccountName: "external-secrets", allowNamespacedSecretStores: false })));
});

const account = (accountId: string) => ({ accountId, region: "eu-west-1", roleArn: `arn:aws:iam::${accountId}:role/deployer` });

async function refusal(program: () => unknown): Promise<string[]> {
    try {
        await runOffline(program);
    } catch (e) {
        if (e instanceof ConfigValidationError) return e.problems.map((p) => `${p.path}: ${p.message}`);
        throw e;
    }
    return [];
}

describe("system: names that become Kubernetes and Helm names", function () {
    this.timeout(120_000);

    it(`the longest accepted component name (${COMPONENT_NAME_MAX}) gives valid Kubernetes names and a Helm release name within 53`, async () => {
        const name = `a${"b".repeat(COMPONENT_NAME_MAX - 2)}9`;
        const run = await runOffline(() => new EksSecretsAbac(name, { clusterName: "prod-eu", installPodIdentityAgent: true, teams: [team("payments")] }));
        assert.deepStrictEqual(judgeKube(run.resources, kinds).problems, []);
    });

    for (const [why, name] of [
        ["upper case and '_'", "Prod_EU"],
        ["one character too long", "a".repeat(COMPONENT_NAME_MAX + 1)],
        ["a trailing '-'", "prod-"],
    ] as const) {
        it(`refuses a component name with ${why}, naming the entry, before declaring anything`, async () => {
            const problems = await refusal(() => new EksSecretsAbac(name, { clusterName: "prod-eu", installPodIdentityAgent: true, teams: [team("payments")] }));
            assert.strictEqual(problems.length, 1, problems.join("\n"));
            assert.match(problems[0], new RegExp(`^name: makes the component's name \`${name}\`, which names Kubernetes objects .* at most ${COMPONENT_NAME_MAX} lowercase letters`));
        });
    }

    it("the judge itself refuses what the API server and Helm would (so the first test can fail)", async () => {
        const run = await runOffline(() => new EksSecretsAbac("prod", { clusterName: "prod-eu", installPodIdentityAgent: true, teams: [team("payments")] }));
        const renamed = run.resources.map((r) => (r.type.includes("ValidatingAdmissionPolicy") ? { ...r, inputs: { ...r.inputs, metadata: { name: "Prod_EU-guard" } } } : r));
        assert.ok(judgeKube(renamed, kinds).problems.some((p) => /metadata.name is not a valid DNS-1123 name/.test(p)));
        const long = run.resources.map((r) => (r.type === "kubernetes:helm.sh/v3:Release" ? { ...r, name: `${"x".repeat(33)}-eso-release` } : r));
        assert.ok(judgeKube(long, kinds).problems.some((p) => /Helm release name/.test(p)));
    });

    it("cross-account: a cluster named Prod_EU is refused at clusters[i].clusterName, with every other problem at once", async () => {
        const problems = await refusal(
            () =>
                new CrossAccountSecretsAbac("org", {
                    secretsAccount: account("111122223333"),
                    clusters: [
                        { clusterName: "prod-eu", installPodIdentityAgent: true, account: account("222233334444"), teams: [team("payments")] },
                        { clusterName: "Prod_EU", installPodIdentityAgent: true, account: account("333344445555"), teams: [team("search")], secretNamePrefix: "x/" },
                    ],
                }),
        );
        assert.ok(problems.some((p) => /^clusters\[1\]\.clusterName: makes the cluster's component name `org-Prod_EU`.*\(e\.g\. `org-prod-eu`\)/.test(p)), problems.join("\n"));
    });
});
