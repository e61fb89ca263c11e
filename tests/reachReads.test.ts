/**
 * Reads and read-equivalents (policypack/lib/constants.ts VALUE_READ_TABLE,
 * cli/src/checker/checks/reach/pathReads.ts). Truth first from the IAM evaluator on the
 * request AWS authorises (GetParametersByPath on the path's ARN: "If a user
 * has access to a path, then the user can access all levels of that path",
 * Systems Manager User Guide, sysman-paramstore-access.html), then the check.
 */
import * as assert from "assert";
import * as aws from "@pulumi/aws";
import { PARAMETER_VALUE_READS, SECRET_VALUE_READS, VALUE_READ_TABLE } from "../policypack/lib/constants";
import { decide } from "../cli/src/checker";
import { ancestorPaths } from "../cli/src/checker";
import { team } from "./helpers";
import { ACCOUNT, doc, judged, reached, SERVICE_TRUST, withPath } from "./reachHelpers";

const teams = [{ ...team("payments"), parameters: [{ name: "db-url" }] }, team("search")];
const byPath = (resource: string, extra: object = {}) => new aws.iam.Role("ops", { name: "ops", assumeRolePolicy: SERVICE_TRUST, inlinePolicies: [{ name: "p", policy: doc({ Effect: "Allow", Action: "ssm:GetParametersByPath", Resource: resource, ...extra }) }] });
const pathRequest = (path: string, resource: string) => ({
    principal: `arn:aws:sts::${ACCOUNT}:assumed-role/ops/s`,
    action: "ssm:GetParametersByPath",
    resource: `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/${path.replace(/^\//, "")}`,
    resourceAccount: ACCOUNT,
    context: {},
    identityPolicies: [JSON.parse(doc({ Effect: "Allow", Action: "ssm:GetParametersByPath", Resource: resource }))],
});

describe("reads and read-equivalents (VALUE_READ_TABLE, reach/pathReads.ts)", function () {
    this.timeout(60_000);

    it("one table names every value read with its AWS reference, and the per-value actions every checker counts are exactly its rows authorised on the value", () => {
        for (const row of VALUE_READ_TABLE) assert.match(row.reference, /^https:\/\/docs\.aws\.amazon\.com\//, row.action);
        const onValue = (object: string) => VALUE_READ_TABLE.filter((r) => r.object === object && r.authorisedOn === "the value").map((r) => r.action);
        assert.deepStrictEqual(onValue("secret"), [...SECRET_VALUE_READS]);
        assert.deepStrictEqual(onValue("parameter"), [...PARAMETER_VALUE_READS]);
        assert.deepStrictEqual(VALUE_READ_TABLE.filter((r) => r.authorisedOn === "an ancestor path").map((r) => r.action), ["ssm:GetParametersByPath"]);
        assert.ok(VALUE_READ_TABLE.some((r) => r.action === "secretsmanager:BatchGetSecretValue" && r.authorisedOn === "each secret"));
        assert.deepStrictEqual(VALUE_READ_TABLE.filter((r) => r.authorisedOn === "the key").map((r) => `${r.object} ${r.action}`), ["secret kms:Decrypt", "parameter kms:Decrypt"]);
    });

    it("the ancestors of a parameter are every strict prefix path and the root", () => {
        assert.deepStrictEqual(ancestorPaths("/payments/app/db-url"), ["/payments/app", "/payments", "/"]);
        assert.deepStrictEqual(ancestorPaths("root-param"), ["/"]);
    });

    it("the evaluator allows GetParametersByPath on `/` and on `/payments` with `parameter/*`, and on `/payments` alone with `parameter/payments`", () => {
        assert.strictEqual(decide(pathRequest("/", `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/*`)), "Allowed");
        assert.strictEqual(decide(pathRequest("/payments", `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/*`)), "Allowed");
        assert.strictEqual(decide(pathRequest("/payments", `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/payments`)), "Allowed");
        assert.strictEqual(decide(pathRequest("/search", `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/payments`)), "ImplicitlyDenied");
    });

    it("LEAK: ssm:GetParametersByPath on parameter/* is a read of every team parameter: BLOCKED, naming the path", async () => {
        const r = await judged(() => byPath("*"), { teams });
        assert.deepStrictEqual(reached(r), ["ops -> /payments/db-url"]);
        const f = withPath(r)[0];
        assert.strictEqual(f.action, "ssm:GetParametersByPath");
        assert.match(f.statement, /^path: role ops -> ssm:GetParametersByPath on path \/payments \(Recursive\), granted by 'ops' inlinePolicies\[0\] Statement\[0\] -> value returned on parameter \/payments\/db-url/);
        assert.strictEqual(r.ok, false);
    });

    it("LEAK: a grant on the team's own path prefix (parameter/payments) reads the values under it", async () => {
        const r = await judged(() => byPath(`arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/payments`), { teams });
        assert.deepStrictEqual(reached(r), ["ops -> /payments/db-url"]);
        assert.strictEqual(r.ok, false);
    });

    it("NEAR MISS: a path grant on another prefix (parameter/search) and GetParametersByPath refused by an explicit Deny read nothing", async () => {
        const other = await judged(() => byPath(`arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/search`), { teams });
        assert.deepStrictEqual(reached(other), []);
        assert.strictEqual(other.ok, true);
        const denied = await judged(
            () =>
                new aws.iam.Role("ops", {
                    name: "ops",
                    assumeRolePolicy: SERVICE_TRUST,
                    inlinePolicies: [{ name: "p", policy: doc({ Effect: "Allow", Action: "ssm:GetParametersByPath", Resource: "*" }, { Effect: "Deny", Action: "ssm:GetParametersByPath", Resource: "*" }) }],
                }),
            { teams },
        );
        assert.deepStrictEqual(reached(denied), []);
        assert.strictEqual(denied.ok, true);
    });
});
