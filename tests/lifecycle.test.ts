import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { EksSecretsAbac } from "../components";
import { componentOptions, PREVIOUS_TYPE_TOKENS } from "../components/lib/aliases";
import { runOffline, twoTeamArgs } from "./helpers";

/** Resource options as Pulumi applies them: a transformation sees every child's final options. */
async function optionsByType(args: Parameters<typeof twoTeamArgs>[0]): Promise<[string, pulumi.CustomResourceOptions][]> {
    const seen: [string, pulumi.CustomResourceOptions][] = [];
    const record: pulumi.ResourceTransformation = (a) => {
        seen.push([a.type, a.opts]);
        return undefined;
    };
    await runOffline(() => new EksSecretsAbac("p", twoTeamArgs(args), { transformations: [record] }));
    return seen;
}

describe("lifecycle", () => {
    const clusterArn = "arn:aws:eks:eu-west-1:111122223333:cluster/prod-eu";
    const withValue = { clusterArn, teams: [{ namespace: "payments", secrets: [{ name: "db", value: "s3cret" }] }] };

    it("keeps team secrets and their values in AWS when Pulumi deletes them, by default", async () => {
        const seen = await optionsByType(withValue);
        const secrets = seen.filter(([t]) => t.startsWith("aws:secretsmanager/"));
        assert.deepStrictEqual(secrets.map(([t, o]) => [t, o.retainOnDelete]), [
            ["aws:secretsmanager/secret:Secret", true],
            ["aws:secretsmanager/secretVersion:SecretVersion", true],
        ]);
        assert.ok(seen.filter(([t]) => t === "aws:iam/role:Role").every(([, o]) => o.retainOnDelete === undefined), "only secrets are retained");
    });

    it("lets Pulumi delete them with retainSecretsOnDelete: false", async () => {
        const seen = await optionsByType({ ...withValue, retainSecretsOnDelete: false });
        assert.ok(seen.filter(([t]) => t.startsWith("aws:secretsmanager/")).every(([, o]) => o.retainOnDelete === false));
    });

    it("lists earlier type tokens for every component, and keeps the caller's aliases beside them", () => {
        const components = fs.readdirSync(path.join(__dirname, "..", "components")).filter((f) => f.endsWith(".ts"));
        const tokens = components.flatMap((f) => [...fs.readFileSync(path.join(__dirname, "..", "components", f), "utf8").matchAll(/super\("([^"]+)"/g)].map((m) => m[1]));
        assert.deepStrictEqual(tokens.sort(), Object.keys(PREVIOUS_TYPE_TOKENS).sort());
        const sources = components.map((f) => fs.readFileSync(path.join(__dirname, "..", "components", f), "utf8"));
        assert.ok(sources.filter((s) => s.includes("super(")).every((s) => /super\("([^"]+)", name, \{\}, componentOptions\("\1", opts\)\)/.test(s)));
        const mutable = PREVIOUS_TYPE_TOKENS as Record<string, string[]>;
        const saved = mutable["eks-secrets-abac:index:Team"];
        mutable["eks-secrets-abac:index:Team"] = ["eks-secrets-abac:index:TeamOnboarding"];
        try {
            const opts = componentOptions("eks-secrets-abac:index:Team", { aliases: [{ name: "old-name" }] });
            assert.deepStrictEqual(opts.aliases, [{ name: "old-name" }, { type: "eks-secrets-abac:index:TeamOnboarding" }]);
        } finally {
            mutable["eks-secrets-abac:index:Team"] = saved;
        }
    });
});
