/**
 * The components check their arguments whatever the caller: a program that
 * casts `config.requireObject<TeamSpec[]>("teams")` (or JavaScript, YAML, the
 * plugin) reaches the constructor with whatever the stack file holds.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { ConfigValidationError, EksSecretsAbac, loadStackConfig, teamsFromConfig, TeamSpec } from "../components";
import { parseStackConfig } from "../components/lib/stackConfig";
import { runOffline } from "./helpers";

const TYPO_TEAMS = [
    {
        namespace: "payments",
        secrets: [{ name: "db-password" }],
        // The typo: the ExternalSecret was silently dropped.
        externalSecret: [{ name: "payments-db", data: [{ secretKey: "DB_PASSWORD", secret: "db-password" }] }],
    },
];

/** The stack's config as Pulumi passes it: `project:key` to JSON text. */
const stackConfig = (teams: unknown) => ({ "eks-secrets-abac:clusterName": "prod-eu", "eks-secrets-abac:installPodIdentityAgent": "true", "eks-secrets-abac:teams": JSON.stringify(teams) });

/** What `program` threw in the offline cloud, and what it declared. */
async function thrown(program: () => void, config: Record<string, string>) {
    const run = await runOffline(() => {
        try {
            program();
            return undefined;
        } catch (e) {
            return e;
        }
    }, config);
    return { error: run.result, resources: run.resources };
}

describe("components check their own arguments at run time", () => {
    it("a program that casts config.requireObject is refused naming the typo, with the config loader's message, and declares nothing", async () => {
        const { error, resources } = await thrown(() => {
            const config = new pulumi.Config();
            new EksSecretsAbac("platform", { clusterName: config.require("clusterName"), installPodIdentityAgent: true, teams: config.requireObject<TeamSpec[]>("teams") });
        }, stackConfig(TYPO_TEAMS));
        assert.ok(error instanceof ConfigValidationError, String(error));
        const loader = parseStackConfig({ clusterName: "prod-eu", installPodIdentityAgent: true, teams: TYPO_TEAMS }).problems;
        assert.deepStrictEqual(error.problems, loader);
        assert.deepStrictEqual(error.problems.map((p) => p.path), ["teams[0].externalSecret"]);
        assert.match(error.message, /teams\[0\]\.externalSecret: is not a known field \(a typo\?\); allowed here: namespace, createNamespace, secrets, parameters, externalSecrets, csi/);
        assert.deepStrictEqual(resources, []);
    });

    it("lists every problem at once: unknown fields at each level, wrong types, and the rules' problems elsewhere", async () => {
        const args = {
            clusterName: "prod-eu",
            installPodIdentityAgent: true,
            clustername: "typo",
            teams: [
                { namespace: "payments", secrets: "db-password" },
                { namespace: 5 },
                { namespace: "search", secrets: [{ name: "opensearch", valu: "x" }], createNamespace: "yes" },
                { namespace: "Bad_Name" },
            ],
        };
        const { error } = await thrown(() => new EksSecretsAbac("platform", args as never), {});
        assert.ok(error instanceof ConfigValidationError, String(error));
        assert.deepStrictEqual(error.problems.map((p) => p.path).sort(), ["clustername", "teams[0].secrets", "teams[1].namespace", "teams[2].createNamespace", "teams[2].secrets[0].valu", "teams[3].namespace"]);
        const byPath = Object.fromEntries(error.problems.map((p) => [p.path, p.message]));
        assert.strictEqual(byPath["teams[0].secrets"], "must be a list");
        assert.match(byPath["teams[1].namespace"], /is 5, a number, but must be a string/);
        assert.match(byPath["teams[2].secrets[0].valu"], /is not a known field \(a typo\?\); allowed here: name, description, kmsKeyId, recoveryWindowInDays, value/);
        assert.match(byPath["teams[3].namespace"], /DNS-1123/);
    });

    it("accepts what only a program passes: Outputs as values and ARNs (not known yet in a preview)", async () => {
        const { error, resources } = await thrown(() => {
            new EksSecretsAbac("platform", {
                clusterName: "prod-eu",
                installPodIdentityAgent: true,
                clusterArn: pulumi.output("arn:aws:eks:eu-west-1:123456789012:cluster/prod-eu"),
                secretsKmsKeyId: undefined,
                teams: [{ namespace: "payments", secrets: [{ name: "db", value: pulumi.secret("s3cret") }], parameters: [{ name: "url", kmsKeyId: pulumi.output("alias/x") }] }],
            });
        }, {});
        assert.strictEqual(error, undefined, String(error));
        assert.ok(resources.length > 0);
    });

    it("loadStackConfig reads the project's namespace with every check, and refuses the typo naming the field", async () => {
        const ok = await runOffline(() => loadStackConfig(new pulumi.Config()), stackConfig([{ namespace: "payments" }]));
        assert.deepStrictEqual(ok.result.teams.map((t) => t.namespace), ["payments"]);
        const { error } = await thrown(() => loadStackConfig(new pulumi.Config()), stackConfig(TYPO_TEAMS));
        assert.ok(error instanceof ConfigValidationError);
        assert.deepStrictEqual(error.problems.map((p) => p.path), ["teams[0].externalSecret"]);
        // A key the program reads for itself is not a typo once named.
        const own = await runOffline(() => loadStackConfig(new pulumi.Config(), { ignore: ["vpcId"] }), { ...stackConfig([{ namespace: "payments" }]), "eks-secrets-abac:vpcId": "vpc-1" });
        assert.strictEqual(own.result.clusterName, "prod-eu");
    });

    it("teamsFromConfig refuses the typo naming the field, and resolves valueFromConfig to the secret config value", async () => {
        const { error } = await thrown(() => teamsFromConfig(new pulumi.Config()), stackConfig(TYPO_TEAMS));
        assert.ok(error instanceof ConfigValidationError);
        assert.deepStrictEqual(error.problems.map((p) => p.path), ["teams[0].externalSecret"]);
        const run = await runOffline(() => teamsFromConfig(new pulumi.Config()), { ...stackConfig([{ namespace: "payments", secrets: [{ name: "db", valueFromConfig: "dbPassword" }] }]), "eks-secrets-abac:dbPassword": "s3cret" }, ["eks-secrets-abac:dbPassword"]);
        const value = run.result[0].secrets![0].value as pulumi.Output<string>;
        assert.ok(pulumi.Output.isInstance(value));
        assert.strictEqual(await new Promise((resolve) => value.apply(resolve)), "s3cret");
    });
});
