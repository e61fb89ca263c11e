import * as assert from "assert";
import { PolicyDocument } from "../../components";
import {
    abacPolicyDisallowWildcardTagMatch,
    abacRoleDisallowUntaggedSecretRead,
    podIdentityChainingRoleDisallowSecretRead,
} from "../../policypack/policies/abacPermissions";
import { stackResource, stackViolations, violations } from "../helpers";
import { changeFirstStatement, compliantStack, docs } from "./fixtures";

const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const stringLike = changeFirstStatement(docs.abacPermissions, (s) => {
    s.Condition.StringLike = { ...s.Condition.StringLike, ...s.Condition.StringEquals };
    delete s.Condition.StringEquals;
});
const readAll: PolicyDocument = {
    Version: "2012-10-17",
    Statement: [{ Sid: "ReadEverything", Effect: "Allow", Action: "secretsmanager:*", Resource: "*" }],
};

describe("iam-abac-policy-disallow-wildcard-tag-match", () => {
    it("passes the shared role's StringEquals policy", async () => {
        assert.deepStrictEqual(await violations(abacPolicyDisallowWildcardTagMatch, ROLE_POLICY, { policy: JSON.stringify(docs.abacPermissions) }), []);
    });

    it("reports StringLike between a resource tag and a principal tag, in a RolePolicy, a Policy and a Role's inline policy", async () => {
        const policy = JSON.stringify(stringLike);
        for (const [type, props] of [
            [ROLE_POLICY, { policy }],
            ["aws:iam/policy:Policy", { policy }],
            ["aws:iam/role:Role", { inlinePolicies: [{ name: "read", policy }] }],
        ] as const) {
            const found = await violations(abacPolicyDisallowWildcardTagMatch, type, props, { name: "p" });
            assert.strictEqual(found.length, 2, `${type}: ${found.join("\n")}`);
            assert.match(found[0], /compares tags by wildcard \(StringLike secretsmanager:ResourceTag\/kubernetes-namespace = \$\{aws:PrincipalTag\/esoNamespace\}\): use StringEquals/);
        }
    });

    it("reports set operators and IfExists variants of StringLike", async () => {
        const doc = changeFirstStatement(docs.abacPermissions, (s) => {
            s.Condition = { "ForAnyValue:StringLikeIfExists": { "aws:ResourceTag/team": "${aws:PrincipalTag/team}*" } };
        });
        const found = await violations(abacPolicyDisallowWildcardTagMatch, ROLE_POLICY, { policy: doc });
        assert.strictEqual(found.length, 1);
    });

    it("leaves StringLike on a principal tag alone: the non-empty esoNamespace check", async () => {
        const only = changeFirstStatement(docs.abacPermissions, (s) => delete s.Condition.StringEquals);
        assert.deepStrictEqual(await violations(abacPolicyDisallowWildcardTagMatch, ROLE_POLICY, { policy: only }), []);
    });

    it("does not apply to resources without a permission document", async () => {
        assert.deepStrictEqual(await violations(abacPolicyDisallowWildcardTagMatch, "aws:iam/role:Role", { assumeRolePolicy: "{}" }), [
            "not applicable: carries no IAM permission document",
        ]);
    });
});

describe("abac-role-disallow-untagged-secret-read", () => {
    it("passes the stack the components deploy", async () => {
        assert.deepStrictEqual(await stackViolations(abacRoleDisallowUntaggedSecretRead, compliantStack()), []);
    });

    it("reports a second policy on the shared role that reads every secret", async () => {
        const resources = compliantStack();
        const abac = resources.find((r) => r.name === "shared-abac")!;
        resources.push(stackResource(ROLE_POLICY, "extra", { role: "shared-abac", policy: JSON.stringify(readAll) }, { role: [abac] }));
        const found = await stackViolations(abacRoleDisallowUntaggedSecretRead, resources);
        assert.deepStrictEqual(found, [
            "shared-abac: ABAC role 'shared-abac' grants secretsmanager:GetSecretValue without a resource-tag condition (statements: ReadEverything): every namespace reads every secret. Remove it or add the tag conditions.",
        ]);
    });

    it("treats a role as ABAC because a tagging store assumes it, even when its policy has no tag condition", async () => {
        const found = await stackViolations(abacRoleDisallowUntaggedSecretRead, compliantStack({ abacPermissions: readAll }));
        assert.strictEqual(found.length, 1);
    });

    it("leaves alone a role that is not meant for ABAC", async () => {
        const plain = stackResource("aws:iam/role:Role", "app", { name: "app", assumeRolePolicy: "{}", inlinePolicies: [{ name: "r", policy: JSON.stringify(readAll) }] });
        assert.deepStrictEqual(await stackViolations(abacRoleDisallowUntaggedSecretRead, [...compliantStack(), plain]), []);
    });
});

describe("pod-identity-chaining-role-disallow-secret-read", () => {
    it("passes the controller role, which only assumes the shared role", async () => {
        assert.deepStrictEqual(await stackViolations(podIdentityChainingRoleDisallowSecretRead, compliantStack()), []);
    });

    it("reports a controller role that also reads secrets", async () => {
        const controllerPermissions: PolicyDocument = {
            ...docs.controllerPermissions,
            Statement: [...docs.controllerPermissions.Statement, ...readAll.Statement],
        };
        const found = await stackViolations(podIdentityChainingRoleDisallowSecretRead, compliantStack({ controllerPermissions }));
        assert.deepStrictEqual(found.map((f) => f.split(":")[0]), ["controller"]);
        assert.match(found[0], /a store without `role` reads secrets with no namespace check/);
    });

    it("leaves alone a Pod Identity role that reads secrets but chains nowhere (a per-pod role)", async () => {
        const found = await stackViolations(podIdentityChainingRoleDisallowSecretRead, compliantStack({ controllerPermissions: readAll }));
        assert.deepStrictEqual(found, []);
    });
});
