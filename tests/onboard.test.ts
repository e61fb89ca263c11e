import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { addTeam, planDiff } from "../scripts/lib/onboard";
import { buildPlanFrom } from "../scripts/lib/plan";
import { stackFileFromText } from "../scripts/lib/stackFile";

const EXAMPLE = path.join(__dirname, "..", "Pulumi.example.yaml");
const text = fs.readFileSync(EXAMPLE, "utf8");

describe("onboarding a team in a stack config file", () => {
    it("appends the team and keeps every comment and existing line", () => {
        const after = addTeam(text, { namespace: "ledger", secrets: [{ name: "api-token" }] });
        const comments = (t: string) => t.split("\n").filter((l) => l.trim().startsWith("#"));
        assert.deepStrictEqual(comments(after), comments(text));
        const teams = YAML.parse(after).config["eks-secrets-abac:teams"];
        assert.deepStrictEqual(teams.at(-1), { namespace: "ledger", secrets: [{ name: "api-token" }] });
        assert.deepStrictEqual(teams.slice(0, -1), YAML.parse(text).config["eks-secrets-abac:teams"]);
    });

    it("creates the teams list in a file that has none", () => {
        const after = addTeam("config:\n  eks-secrets-abac:clusterName: dev # the cluster\n", { namespace: "payments" });
        assert.match(after, /# the cluster/);
        assert.deepStrictEqual(YAML.parse(after).config["eks-secrets-abac:teams"], [{ namespace: "payments" }]);
    });

    it("the next plan adds only the team's namespace and secrets, and changes nothing else", async () => {
        const before = await buildPlanFrom(EXAMPLE, stackFileFromText(text));
        const after = await buildPlanFrom(EXAMPLE, stackFileFromText(addTeam(text, { namespace: "ledger", secrets: [{ name: "api-token" }] })));
        assert.ok(before.ok && after.ok);
        assert.deepStrictEqual(planDiff(before.plan.resources, after.plan.resources), {
            added: ["aws:secretsmanager/secret:Secret prod-eu-ledger-secret-api-token", "kubernetes:core/v1:Namespace prod-eu-ledger-namespace"],
            changed: [],
        });
    });

    it("a bad or duplicate namespace is refused by the same validation as the stack", async () => {
        const dup = await buildPlanFrom(EXAMPLE, stackFileFromText(addTeam(text, { namespace: "payments" })));
        assert.ok(!dup.ok);
        assert.deepStrictEqual(dup.problems.map((p) => p.path), ["teams[3].namespace"]);
    });
});
