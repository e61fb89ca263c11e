/**
 * Every condition key of every IAM document the components render must be
 * one that AWS documents, with the page cited in docs/CONDITION_KEYS.md.
 * The documents are taken from the resources the offline cloud recorded,
 * so a key added anywhere in the components is caught.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { controllerRoleName, CrossAccountSecretsAbac, EksSecretsAbac, OrgGuardrails, roleArn, SharedAbacRole } from "../components";
import { OFFLINE, offlineClusterArn, RecordedResource, runOffline, twoTeamArgs } from "./helpers";

const TABLE = path.join(__dirname, "..", "docs", "CONDITION_KEYS.md");
const KEY_ARN = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const OIDC_PROVIDER = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";

/** IRSA keys are named after the cluster's issuer; the table cites their pattern. */
function tableKey(key: string): string {
    return key.replace(/^oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/id\/[A-Za-z0-9]+:/, "oidc.eks.<region>.amazonaws.com/id/<id>:");
}

/** Keys of the table's first column, as written between backticks. */
function citedKeys(): Map<string, string> {
    const cited = new Map<string, string>();
    for (const line of fs.readFileSync(TABLE, "utf8").split("\n")) {
        const cells = line.split("|").map((c) => c.trim());
        const key = /^`([^`]+)`$/.exec(cells[1] ?? "");
        if (key && /https:\/\/docs\.aws\.amazon\.com\/|apis\/externalsecrets/.test(cells[3] ?? "")) cited.set(key[1], cells[3]);
    }
    return cited;
}

/** Every JSON policy document among a resource's inputs. */
function documentsOf(resource: RecordedResource): { where: string; doc: any }[] {
    const found: { where: string; doc: any }[] = [];
    for (const [field, value] of Object.entries(resource.inputs)) {
        if (typeof value !== "string" || !value.includes('"Statement"')) continue;
        found.push({ where: `${resource.type} ${resource.name}.${field}`, doc: JSON.parse(value) });
    }
    return found;
}

/** Condition keys of a document, and the keys its policy variables read. */
function conditionKeys(doc: any): string[] {
    const keys = new Set<string>();
    const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
    for (const statement of statements) {
        for (const block of Object.values<Record<string, unknown>>(statement.Condition ?? {})) {
            for (const key of Object.keys(block)) keys.add(key);
        }
        for (const [, variable] of JSON.stringify(statement).matchAll(/\$\{([^}]+)\}/g)) keys.add(variable);
    }
    return [...keys];
}

const VARIANTS: { title: string; program: () => unknown }[] = [
    { title: "one cluster", program: () => new EksSecretsAbac("prod", twoTeamArgs()) },
    { title: "customer-managed KMS keys", program: () => new EksSecretsAbac("prod", twoTeamArgs({ kmsKeyArns: [KEY_ARN] })) },
    {
        title: "two clusters sharing one role",
        program: () => {
            const shared = new SharedAbacRole("shared", {
                controllerRoleArns: ["prod-eu", "prod-us"].map((c) => roleArn(OFFLINE, controllerRoleName(c))),
                clusterArns: ["prod-eu", "prod-us"].map(offlineClusterArn),
            });
            new EksSecretsAbac("a", twoTeamArgs({ clusterName: "prod-eu", sharedRole: shared }));
            new EksSecretsAbac("b", twoTeamArgs({ clusterName: "prod-us", sharedRole: shared, secretNamePrefix: "prod-us/" }));
        },
    },
    {
        title: "three accounts, a key of the key account, parameters beside secrets",
        program: () => {
            const account = (accountId: string) => ({ accountId, region: "eu-west-1" });
            const teams = [{ namespace: "payments", secrets: [{ name: "db-password" }], parameters: [{ name: "db-url" }] }];
            new CrossAccountSecretsAbac("org", {
                secretsAccount: account("444455556666"),
                keyAccount: account("777788889999"),
                keyWriterArns: ["arn:aws:iam::444455556666:role/deployer"],
                clusters: [{ clusterName: "prod-eu", installPodIdentityAgent: true, account: account(OFFLINE.accountId), teams }],
            });
        },
    },
    {
        title: "an IRSA cluster beside a Pod Identity cluster, with the organisation guardrails",
        program: () => {
            const shared = new SharedAbacRole("shared", {
                controllerRoleArns: [roleArn(OFFLINE, controllerRoleName("prod-eu"))],
                clusterArns: [offlineClusterArn("prod-eu")],
                irsaControllers: [{ roleArn: roleArn(OFFLINE, controllerRoleName("legacy-eu")), clusterName: "legacy-eu" }],
            });
            new EksSecretsAbac("a", twoTeamArgs({ clusterName: "prod-eu", sharedRole: shared }));
            new EksSecretsAbac("b", twoTeamArgs({ clusterName: "legacy-eu", identity: "irsa", oidcProviderArn: OIDC_PROVIDER, sharedRole: shared, secretNamePrefix: "legacy-eu/" }));
            new OrgGuardrails("org", {
                platformPrincipalArns: ["arn:aws:iam::*:role/platform-deployer"],
                breakGlassPrincipalArns: ["arn:aws:iam::111122223333:role/break-glass"],
                sharedRoleName: "shared",
                controllerRoleNames: ["*-eso-controller"],
                targetIds: ["ou-abcd-11111111"],
            });
        },
    },
];

describe("condition keys of the rendered IAM documents", () => {
    const cited = citedKeys();

    it("docs/CONDITION_KEYS.md cites an AWS page (or ESO source) for each key it lists", () => {
        assert.ok(cited.size >= 10, `only ${cited.size} keys cited`);
    });

    for (const variant of VARIANTS) {
        it(`${variant.title}: every key is cited, and no trust uses aws:SourceArn`, async () => {
            const run = await runOffline(variant.program);
            const documents = run.resources.flatMap(documentsOf);
            assert.ok(documents.length >= 4, `found only ${documents.length} policy documents`);
            const uncited: string[] = [];
            for (const { where, doc } of documents) {
                for (const key of conditionKeys(doc)) if (!cited.has(tableKey(key))) uncited.push(`${key} (${where})`);
                assert.ok(!conditionKeys(doc).includes("aws:SourceArn"), `${where} uses aws:SourceArn`);
            }
            assert.deepStrictEqual(uncited, [], "cite these keys in docs/CONDITION_KEYS.md");
        });
    }

    it("catches a key the table does not cite", () => {
        const doc = { Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Condition: { ArnEquals: { "aws:SourceArn": "x" } } }] };
        assert.deepStrictEqual(conditionKeys(doc).filter((k) => !cited.has(k)), ["aws:SourceArn"]);
    });
});
