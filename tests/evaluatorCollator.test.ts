/**
 * The IAM evaluator's case-insensitive comparisons run on one shared collator
 * (cli/src/checker/checks/evaluatorCollator.ts): replaced in the library as
 * iam-simulate loads it, and equal to the library's own localeCompare on
 * every pair, ASCII and not.
 */
import * as assert from "assert";
import * as path from "path";
import { decide, SHARED_COLLATOR_IN_USE } from "../cli/src/checker";

const utils = () => {
    const simulate = require.resolve("@cloud-copilot/iam-simulate");
    return require(path.join(path.dirname(require.resolve("@cloud-copilot/iam-policy", { paths: [path.dirname(simulate)] })), "utils.js"));
};

/** The library's definition, written out as it ships (utils.js caseInsensitiveEquals). */
const libraryEquals = (a: string, b: string) => a.localeCompare(b, undefined, { sensitivity: "accent" }) === 0;

describe("the IAM evaluator's case-insensitive comparison", () => {
    it("is replaced in the module iam-simulate uses", () => {
        assert.strictEqual(SHARED_COLLATOR_IN_USE, true, "the library's helpers moved: the evaluator runs at a third of its speed");
        assert.notStrictEqual(utils().caseInsensitiveEquals.toString(), libraryEquals.toString());
        assert.ok(!utils().caseInsensitiveEquals.toString().includes("localeCompare"));
    });

    it("agrees with localeCompare on operators, keys and non-ASCII strings", () => {
        const words = ["IfExists", "ifexists", "IFEXISTS", "StringEqualsIfExists", "ForAllValues", "forallvalues", "ForAnyValue", "aws:PrincipalTag/esoNamespace", "AWS:principaltag/ESONAMESPACE", "é", "e", "É", "ß", "ss", "SS", "ı", "I", "i", "İ", "Straße", "STRASSE", "a-b", "ab", "", " "];
        const { caseInsensitiveEquals, caseInsensitiveEndsWith } = utils();
        for (const a of words) {
            for (const b of words) {
                assert.strictEqual(caseInsensitiveEquals(a, b), libraryEquals(a, b), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
                assert.strictEqual(caseInsensitiveEndsWith(a, b), libraryEquals(a.slice(b.length * -1), b), `${JSON.stringify(a)} ends with ${JSON.stringify(b)}`);
            }
        }
    });

    it("keeps the engine's decisions: an IfExists operator in lower case still matches a missing key, a wrong case of a value still does not", () => {
        const request = (operator: string, context: Record<string, string>) =>
            decide({
                principal: "arn:aws:sts::111122223333:assumed-role/r/s",
                action: "secretsmanager:GetSecretValue",
                resource: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:payments/db-AbCdEf",
                resourceAccount: "111122223333",
                context,
                identityPolicies: [{ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*", Condition: { [operator]: { "aws:PrincipalTag/team": "payments" } } }] }],
            });
        assert.strictEqual(request("stringequalsifexists", {}), "Allowed");
        assert.strictEqual(request("StringEquals", {}), "ImplicitlyDenied");
        assert.strictEqual(request("StringEquals", { "aws:PrincipalTag/team": "PAYMENTS" }), "ImplicitlyDenied");
        assert.strictEqual(request("StringEqualsIgnoreCase", { "aws:PrincipalTag/team": "PAYMENTS" }), "Allowed");
    });
});
