/**
 * iam-policy-disallow-broad-secret-read: the CI role of issue 19 and its
 * variants, each beside a near miss that must pass. Resource and action
 * matching follow IAM's policy grammar (Resource/NotResource, Action/NotAction
 * with `*` and `?`: docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html,
 * ..._notresource.html, ..._notaction.html); the managed ARNs' documents are
 * AWS's published ones (cli/src/checker/checks/managedPolicies.ts records four of them).
 */
import * as assert from "assert";
import { iamPolicyDisallowBroadSecretRead } from "../../policypack/policies/broadReaders";
import { MANAGED_POLICIES } from "../../cli/src/checker";
import { decide } from "../../cli/src/checker";
import { violations } from "../helpers";
import { docs } from "./fixtures";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const doc = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const check = (type: string, props: Record<string, unknown>) => violations(iamPolicyDisallowBroadSecretRead, type, props, { name: "ci" });
const rolePolicy = (...statements: object[]) => check("aws:iam/rolePolicy:RolePolicy", { role: "ci", policy: doc(...statements) });
const SECRET = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:payments/db-AbCdEf";

describe("iam-policy-disallow-broad-secret-read", () => {
    it("is advisory by default (the pack's config can make it mandatory)", () => {
        assert.strictEqual(iamPolicyDisallowBroadSecretRead.enforcementLevel, "advisory");
    });

    it("warns of GetSecretValue on * in a RolePolicy, a Role's inline policy, a Policy, a UserPolicy, a GroupPolicy and aws-native types", async () => {
        const read = { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*" };
        for (const [type, props] of [
            ["aws:iam/rolePolicy:RolePolicy", { role: "ci", policy: doc(read) }],
            ["aws:iam/role:Role", { name: "ci", inlinePolicies: [{ name: "read", policy: doc(read) }] }],
            ["aws:iam/policy:Policy", { policy: doc(read) }],
            ["aws:iam/userPolicy:UserPolicy", { user: "dev", policy: doc(read) }],
            ["aws:iam/groupPolicy:GroupPolicy", { group: "ops", policy: doc(read) }],
            ["aws-native:iam:RolePolicy", { policyDocument: JSON.parse(doc(read)) }],
            ["aws-native:iam:Role", { policies: [{ policyName: "read", policyDocument: JSON.parse(doc(read)) }] }],
        ] as const) {
            const found = await check(type, props as Record<string, unknown>);
            assert.strictEqual(found.length, 1, `${type}: ${found.join("\n")}`);
            assert.match(found[0], /allows secretsmanager:GetSecretValue on every resource \(`\*`\)/);
        }
    });

    it("warns of wildcard actions, every secret ARN, a team's name prefix, NotResource and NotAction", async () => {
        const cases: [object, RegExp][] = [
            [{ Effect: "Allow", Action: "secretsmanager:*", Resource: "*" }, /on every resource/],
            [{ Effect: "Allow", Action: "secretsmanager:Get*", Resource: "arn:aws:secretsmanager:*:*:secret:*" }, /on every secret/],
            [{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:payments/*" }, /on a name prefix \(`arn:aws:secretsmanager:eu-west-1:111122223333:secret:payments\/\*`\)/],
            [{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", NotResource: SECRET }, /through NotResource/],
            [{ Effect: "Allow", NotAction: "iam:*", Resource: "*" }, /through NotAction/],
            [{ Effect: "Allow", Action: "ssm:GetParameter*", Resource: "arn:aws:ssm:eu-west-1:111122223333:parameter/payments/*" }, /ssm:GetParameter, ssm:GetParameters, ssm:GetParameterHistory on a name prefix/],
            [{ Effect: "Allow", Action: "ssm:GetParameterHistory", Resource: "*" }, /ssm:GetParameterHistory on every resource/],
            [{ Effect: "Allow", Action: "*", Resource: "*" }, /secretsmanager:GetSecretValue, ssm:GetParameter, ssm:GetParameters, ssm:GetParameterHistory on every resource/],
        ];
        for (const [statement, message] of cases) {
            const found = await rolePolicy(statement);
            assert.strictEqual(found.length, 1, JSON.stringify(statement));
            assert.match(found[0], message, JSON.stringify(statement));
        }
    });

    it("each warned statement does read the probe secret in the IAM engine, and each passed one does not read another team's (checked, not assumed)", () => {
        const principal = "arn:aws:sts::111122223333:assumed-role/ci/s";
        const reads = (statement: object, resource: string) =>
            decide({ principal, action: "secretsmanager:GetSecretValue", resource, resourceAccount: "111122223333", context: {}, identityPolicies: [{ Version: "2012-10-17", Statement: [statement as any] }] }) === "Allowed";
        const other = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:search/db-XyZ123";
        assert.ok(reads({ Effect: "Allow", Action: "secretsmanager:GetSecretValue", NotResource: SECRET }, other));
        assert.ok(reads({ Effect: "Allow", NotAction: "iam:*", Resource: "*" }, other));
        assert.ok(!reads({ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:ci/deploy-key-??????" }, other));
        assert.ok(!reads({ Effect: "Allow", Action: "secretsmanager:DescribeSecret", Resource: "*" }, other));
    });

    it("passes one secret by exact ARN (name-??????), metadata only (DescribeSecret), a Deny, a tag of its own, and the shared role's ABAC document", async () => {
        for (const statement of [
            { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:ci/deploy-key-??????" },
            { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: SECRET },
            { Effect: "Allow", Action: ["secretsmanager:DescribeSecret", "secretsmanager:ListSecrets"], Resource: "*" },
            { Effect: "Deny", Action: "secretsmanager:*", Resource: "*" },
            { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*", Condition: { StringEquals: { "secretsmanager:ResourceTag/owner": "ci" } } },
        ]) {
            assert.deepStrictEqual(await rolePolicy(statement), [], JSON.stringify(statement));
        }
        assert.deepStrictEqual(await check("aws:iam/rolePolicy:RolePolicy", { role: "shared", policy: JSON.stringify(docs.abacPermissions) }), []);
    });

    it("warns when the tag it is scoped by is the namespace tag with a literal team (that team's secrets, to this principal)", async () => {
        const found = await rolePolicy({ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*", Condition: { StringEquals: { "secretsmanager:ResourceTag/kubernetes-namespace": "payments" } } });
        assert.strictEqual(found.length, 1);
    });

    it("warns of AWS managed readers in managedPolicyArns and in attachments; passes other managed policies", async () => {
        for (const name of ["SecretsManagerReadWrite", "AdministratorAccess", "PowerUserAccess", "AWSSecretsManagerClientReadOnlyAccess", "AmazonSSMReadOnlyAccess"]) {
            const arn = `arn:aws:iam::aws:policy/${name}`;
            const found = await check("aws:iam/role:Role", { name: "ci", managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", arn] });
            assert.strictEqual(found.length, 1, name);
            assert.match(found[0], new RegExp(`managedPolicyArns\\[1\\] attaches the AWS managed ${name}`));
            for (const type of ["aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws:iam/userPolicyAttachment:UserPolicyAttachment", "aws:iam/groupPolicyAttachment:GroupPolicyAttachment", "aws:iam/policyAttachment:PolicyAttachment"]) {
                assert.strictEqual((await check(type, { policyArn: arn })).length, 1, `${type} ${name}`);
            }
        }
        assert.deepStrictEqual(await check("aws:iam/role:Role", { name: "ci", managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"] }), []);
        assert.deepStrictEqual(await check("aws:iam/rolePolicyAttachment:RolePolicyAttachment", { policyArn: "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy" }), []);
    });

    it("its managed reader table agrees with the published documents the principal check records: each reads in the IAM engine", () => {
        for (const p of MANAGED_POLICIES) {
            const action = p.name === "AmazonSSMReadOnlyAccess" ? "ssm:GetParameter" : "secretsmanager:GetSecretValue";
            const resource = action.startsWith("ssm") ? "arn:aws:ssm:eu-west-1:111122223333:parameter/payments/db" : SECRET;
            const d = decide({ principal: "arn:aws:sts::111122223333:assumed-role/ci/s", action, resource, resourceAccount: "111122223333", context: {}, identityPolicies: [p.document as any] });
            assert.strictEqual(d, "Allowed", p.name);
        }
        // PowerUserAccess's NotAction also leaves parameters and kms:Decrypt allowed (docs/PRINCIPALS.md's table); KMS also
        // needs the key policy to let IAM decide, as KMS's default key policy (the account root) does.
        const power = MANAGED_POLICIES.find((p) => p.name === "PowerUserAccess")!.document as any;
        const defaultKeyPolicy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: "kms:*", Resource: "*" }] } as any;
        for (const [action, resource, resourcePolicy] of [
            ["ssm:GetParameter", "arn:aws:ssm:eu-west-1:111122223333:parameter/payments/db", undefined],
            ["kms:Decrypt", "arn:aws:kms:eu-west-1:111122223333:key/k", defaultKeyPolicy],
        ] as const) {
            assert.strictEqual(decide({ principal: "arn:aws:sts::111122223333:assumed-role/ci/s", action, resource, resourceAccount: "111122223333", context: {}, identityPolicies: [power], resourcePolicy }), "Allowed", action);
        }
    });

    it("leaves a document or ARN that is not known yet undecided (one advisory), never passed; a known violation beside it is still reported", async () => {
        assert.match((await check("aws:iam/rolePolicy:RolePolicy", { role: "ci", policy: UNKNOWN }))[0], /^undecided: /);
        assert.match((await rolePolicy({ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: UNKNOWN }))[0], /^undecided: /);
        assert.match((await check("aws:iam/role:Role", { name: "ci", managedPolicyArns: [UNKNOWN] }))[0], /^undecided: /);
        assert.match((await check("aws:iam/rolePolicyAttachment:RolePolicyAttachment", { policyArn: UNKNOWN }))[0], /^undecided: /);
        const both = await check("aws:iam/role:Role", { name: "ci", managedPolicyArns: [UNKNOWN, "arn:aws:iam::aws:policy/SecretsManagerReadWrite"] });
        assert.strictEqual(both.length, 1);
        assert.match(both[0], /SecretsManagerReadWrite/);
    });

    it("excludeFor exempts a break-glass role by name", async () => {
        const found = await violations(iamPolicyDisallowBroadSecretRead, "aws:iam/rolePolicy:RolePolicy", { role: "ci", policy: doc({ Effect: "Allow", Action: "secretsmanager:*", Resource: "*" }) }, { name: "break-glass-read", config: { excludeFor: ["break-glass-*"] } });
        assert.match(found[0] ?? "", /^not applicable/);
    });
});
