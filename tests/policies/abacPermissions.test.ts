/**
 * Each hole in a permission document as a blocked case beside a near miss
 * that must pass. Documents are written from IAM's condition-operator
 * reference (docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html),
 * starting from the shared role's policy the components render.
 */
import * as assert from "assert";
import { abacPermissionPolicy, PolicyDocument } from "../../components";
import { TAG_DENY_SIDS } from "../../components/lib/tagDeny";
import {
    abacPolicyDisallowLiteralNamespace,
    abacPolicyDisallowUntaggedSecretRead,
    abacPolicyRequiresExactTagMatch,
    abacPolicyRequiresTagMismatchDeny,
    abacRoleDisallowUntaggedSecretRead,
    iamDocumentsMustParse,
    podIdentityChainingRoleDisallowSecretRead,
} from "../../policypack/policies/abacPermissions";
import { wildcardMatch } from "../../policypack/lib/wildcard";
import { OFFLINE, stackResource, stackViolations, violations } from "../helpers";
import { changeFirstStatement, compliantStack, docs } from "./fixtures";

const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const NS = "secretsmanager:ResourceTag/kubernetes-namespace";
const CLUSTER = "secretsmanager:ResourceTag/eks-cluster-name";
const readAll: PolicyDocument = {
    Version: "2012-10-17",
    Statement: [{ Sid: "ReadEverything", Effect: "Allow", Action: "secretsmanager:*", Resource: "*" }],
};
/** The shared role's policy with its namespace/cluster comparison moved under another operator. */
const withTagOperator = (operator: string) =>
    changeFirstStatement(docs.abacPermissions, (s) => {
        s.Condition[operator] = { ...s.Condition.StringEquals };
        delete s.Condition.StringEquals;
    });
const exact = (doc: PolicyDocument) => violations(abacPolicyRequiresExactTagMatch, ROLE_POLICY, { policy: JSON.stringify(doc) }, { name: "p" });

describe("iam-abac-policy-requires-exact-tag-match", () => {
    it("passes the shared role's StringEquals policy", async () => {
        assert.deepStrictEqual(await exact(docs.abacPermissions), []);
    });

    it("blocks StringLike, ForAllValues:StringLike and ForAnyValue:StringLike, in a RolePolicy, a Policy, a Role's inline policy and aws-native types", async () => {
        for (const operator of ["StringLike", "ForAllValues:StringLike", "ForAnyValue:StringLike"]) {
            const policy = JSON.stringify(withTagOperator(operator));
            for (const [type, props] of [
                [ROLE_POLICY, { policy }],
                ["aws:iam/policy:Policy", { policy }],
                ["aws:iam/role:Role", { inlinePolicies: [{ name: "read", policy }] }],
                ["aws-native:iam:RolePolicy", { policyDocument: JSON.parse(policy) }],
                ["aws-native:iam:Role", { policies: [{ policyName: "read", policyDocument: JSON.parse(policy) }] }],
            ] as const) {
                const found = await violations(abacPolicyRequiresExactTagMatch, type, props, { name: "p" });
                assert.strictEqual(found.length, 1, `${operator} ${type}: ${found.join("\n")}`);
                assert.match(found[0], /compares tags inexactly: .*matches by wildcard/);
            }
        }
    });

    it("blocks StringNotEquals/StringNotLike/ArnNotEquals of a resource tag with a principal tag inside an Allow", async () => {
        for (const operator of ["StringNotEquals", "StringNotLike", "ArnNotEquals", "StringNotEqualsIgnoreCase"]) {
            const found = await exact(withTagOperator(operator));
            assert.strictEqual(found.length, 1, operator);
            assert.match(found[0], /inside an Allow grants every secret whose tag differs/, operator);
        }
    });

    it("near miss: StringNotEquals of the tags inside a Deny is the usual guard, and passes", async () => {
        const doc: PolicyDocument = JSON.parse(JSON.stringify(docs.abacPermissions));
        doc.Statement.push({ Sid: "DenyOthers", Effect: "Deny", Action: "secretsmanager:GetSecretValue", Resource: "*", Condition: { StringNotEquals: { [NS]: "${aws:PrincipalTag/esoNamespace}" } } });
        assert.deepStrictEqual(await exact(doc), []);
    });

    it("blocks *IfExists on the tag conditions", async () => {
        for (const operator of ["StringEqualsIfExists", "ForAnyValue:StringEqualsIfExists"]) {
            const found = await exact(withTagOperator(operator));
            assert.strictEqual(found.length, 1, operator);
            assert.match(found[0], /passes when the tag is missing/);
        }
    });

    it("near miss: StringLike on the principal tag alone (the non-empty esoNamespace check) passes", async () => {
        assert.ok(JSON.stringify(docs.abacPermissions).includes('"StringLike"'));
        assert.deepStrictEqual(await exact(docs.abacPermissions), []);
    });

    it("names operators and keys, never the values of a condition", async () => {
        const found = await exact(withTagOperator("StringLike"));
        assert.ok(!found[0].includes("${aws:PrincipalTag"), found[0]);
    });
});

describe("iam-abac-policy-disallow-untagged-secret-read", () => {
    const check = (doc: PolicyDocument) => violations(abacPolicyDisallowUntaggedSecretRead, ROLE_POLICY, { policy: JSON.stringify(doc) }, { name: "p" });
    const plus = (extra: Record<string, any>): PolicyDocument => ({ ...docs.abacPermissions, Statement: [...docs.abacPermissions.Statement, extra as any] });

    it("passes the shared role's policy", async () => {
        assert.deepStrictEqual(await check(docs.abacPermissions), []);
    });

    it("blocks an unconditioned GetSecretValue beside the ABAC statement", async () => {
        const found = await check(plus({ Sid: "Extra", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*" }));
        assert.strictEqual(found.length, 1);
        // After the Allow and the seven Deny statements (tagDeny.ts).
        assert.match(found[0], /without the namespace condition \(Statement\[8\]\)/);
    });

    it("blocks a cluster-only condition: every namespace of the cluster reads", async () => {
        const found = await check(plus({ Sid: "ClusterOnly", Effect: "Allow", Action: "secretsmanager:Get*", Resource: "*", Condition: { StringEquals: { [CLUSTER]: "${aws:PrincipalTag/eks-cluster-name}" } } }));
        assert.strictEqual(found.length, 1);
    });

    it("near miss: a second statement that reads with the namespace condition, or only describes, passes", async () => {
        assert.deepStrictEqual(await check(plus({ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*", Condition: { StringEquals: { [NS]: "${aws:PrincipalTag/esoNamespace}" } } })), []);
        assert.deepStrictEqual(await check(plus({ Effect: "Allow", Action: "secretsmanager:ListSecrets", Resource: "*" })), []);
    });

    it("leaves alone a document that is not ABAC", async () => {
        assert.deepStrictEqual(await check(readAll), []);
    });
});

describe("iam-abac-policy-disallow-literal-namespace", () => {
    const check = (doc: PolicyDocument) => violations(abacPolicyDisallowLiteralNamespace, ROLE_POLICY, { policy: JSON.stringify(doc) }, { name: "p" });

    it("blocks a team named in the shared role's document", async () => {
        const doc: PolicyDocument = JSON.parse(JSON.stringify(docs.abacPermissions));
        doc.Statement.push({ Sid: "Payments", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*", Condition: { StringEquals: { [NS]: "payments" } } });
        const found = await check(doc);
        assert.strictEqual(found.length, 1);
        assert.match(found[0], /literal namespace \(Statement\[8\]\)/);
        assert.ok(!found[0].includes("payments"), "does not echo the value");
    });

    it("near miss: a literal cluster name is not a team and passes", async () => {
        const doc = changeFirstStatement(docs.abacPermissions, (s) => (s.Condition.StringEquals[CLUSTER] = "prod-eu"));
        assert.deepStrictEqual(await check(doc), []);
    });
});

describe("iam-policy-document-must-parse", () => {
    it("reports invalid JSON and a document without statements as a violation, not a silent pass", async () => {
        for (const [policy, why] of [
            ['{"Version": "2012-10-17", "Statement": [', /is not valid JSON/],
            ['"just a string"', /is not a JSON object/],
            ['{"Version": "2012-10-17"}', /has no Statement/],
            ['{"Statement": [{"Effect": "Maybe"}]}', /Effect other than Allow or Deny/],
        ] as const) {
            const found = await violations(iamDocumentsMustParse, ROLE_POLICY, { policy }, { name: "p" });
            assert.strictEqual(found.length, 1, policy);
            assert.match(found[0], why);
        }
    });

    it("reads trust policies and secret resource policies too; '{}' and absent documents pass", async () => {
        assert.strictEqual((await violations(iamDocumentsMustParse, "aws:iam/role:Role", { assumeRolePolicy: "{not json" })).length, 1);
        assert.strictEqual((await violations(iamDocumentsMustParse, "aws:secretsmanager/secretPolicy:SecretPolicy", { policy: "[" })).length, 1);
        assert.deepStrictEqual(await violations(iamDocumentsMustParse, "aws:secretsmanager/secret:Secret", { policy: "{}" }), []);
        assert.deepStrictEqual(await violations(iamDocumentsMustParse, "aws:iam/role:Role", { assumeRolePolicy: JSON.stringify(docs.abacTrust) }), []);
    });
});

describe("abac-role-disallow-untagged-secret-read (documents joined to the shared role)", () => {
    const withExtra = (...extra: ReturnType<typeof stackResource>[]) => [...compliantStack(), ...extra];
    const abacOf = (resources: ReturnType<typeof compliantStack>) => resources.find((r) => r.name === "shared-abac")!;

    it("passes the stack the components deploy", async () => {
        assert.deepStrictEqual(await stackViolations(abacRoleDisallowUntaggedSecretRead, compliantStack()), []);
    });

    it("blocks a second role policy on the shared role that reads every secret", async () => {
        const resources = compliantStack();
        resources.push(stackResource(ROLE_POLICY, "extra", { role: "shared-abac", policy: JSON.stringify(readAll) }, { role: [abacOf(resources)] }));
        const found = await stackViolations(abacRoleDisallowUntaggedSecretRead, resources);
        assert.strictEqual(found.length, 1);
        assert.match(found[0], /^shared-abac: ABAC role 'shared-abac': 'extra' policy allows secretsmanager:GetSecretValue without the namespace condition \(Statement\[0\]\)/);
    });

    it("treats a role as ABAC because a tagging store assumes it, even when its policy has no tag condition", async () => {
        assert.strictEqual((await stackViolations(abacRoleDisallowUntaggedSecretRead, compliantStack({ abacPermissions: readAll }))).length, 1);
    });

    it("blocks SecretsManagerReadWrite in managedPolicyArns, through RolePolicyAttachment and through PolicyAttachment", async () => {
        const arn = "arn:aws:iam::aws:policy/SecretsManagerReadWrite";
        const managed = compliantStack().map((r) => (r.name === "shared-abac" ? { ...r, props: { ...r.props, managedPolicyArns: [arn] } } : r));
        assert.match((await stackViolations(abacRoleDisallowUntaggedSecretRead, managed)).join("\n"), /managedPolicyArns\[0\] attaches an AWS managed policy that reads every secret/);
        const r1 = compliantStack();
        r1.push(stackResource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "rw", { role: "shared-abac", policyArn: arn }, { role: [abacOf(r1)] }));
        assert.match((await stackViolations(abacRoleDisallowUntaggedSecretRead, r1)).join("\n"), /RolePolicyAttachment 'rw' attaches an AWS managed policy/);
        const r2 = compliantStack();
        r2.push(stackResource("aws:iam/policyAttachment:PolicyAttachment", "rw", { roles: ["shared-abac"], policyArn: arn }, { roles: [abacOf(r2)] }));
        assert.match((await stackViolations(abacRoleDisallowUntaggedSecretRead, r2)).join("\n"), /PolicyAttachment 'rw' attaches an AWS managed policy/);
    });

    it("blocks every AWS managed value reader on the shared role, the read-only ones too (their published documents read every secret or parameter)", async () => {
        // The stack model is cached by URN until the next turn of the event loop (policypack/policies/stackModel.ts):
        // each variant below has the same URNs, so each is judged on a turn of its own.
        const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
        for (const name of ["AWSSecretsManagerClientReadOnlyAccess", "AmazonSSMReadOnlyAccess", "PowerUserAccess", "AdministratorAccess"]) {
            await nextTurn();
            const managed = compliantStack().map((r) => (r.name === "shared-abac" ? { ...r, props: { ...r.props, managedPolicyArns: [`arn:aws:iam::aws:policy/${name}`] } } : r));
            assert.match((await stackViolations(abacRoleDisallowUntaggedSecretRead, managed)).join("\n"), /managedPolicyArns\[0\] attaches an AWS managed policy that reads every secret/, name);
        }
        // Near miss: a managed policy that reads no value.
        await nextTurn();
        const harmless = compliantStack().map((r) => (r.name === "shared-abac" ? { ...r, props: { ...r.props, managedPolicyArns: ["arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"] } } : r));
        assert.doesNotMatch((await stackViolations(abacRoleDisallowUntaggedSecretRead, harmless)).join("\n"), /AWS managed policy that reads every secret/);
    });

    it("blocks an attached policy the stack does not declare; near miss: an attached in-stack policy with the ABAC conditions passes", async () => {
        const r1 = compliantStack();
        r1.push(stackResource("aws:iam/policyAttachment:PolicyAttachment", "ext", { roles: ["shared-abac"], policyArn: "arn:aws:iam::111122223333:policy/elsewhere" }));
        assert.match((await stackViolations(abacRoleDisallowUntaggedSecretRead, r1)).join("\n"), /a policy this stack does not declare/);
        const r2 = compliantStack();
        const policy = stackResource("aws:iam/policy:Policy", "abac-managed", { arn: "04da6b54-80e4-46f7-96ec-b56ff0331ba9", policy: JSON.stringify(docs.abacPermissions) });
        r2.push(policy, stackResource("aws:iam/policyAttachment:PolicyAttachment", "attach", { roles: ["shared-abac"], policyArn: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" }, { roles: [abacOf(r2)], policyArn: [policy] }));
        assert.deepStrictEqual(await stackViolations(abacRoleDisallowUntaggedSecretRead, r2), []);
    });

    it("leaves alone a role that is not meant for ABAC", async () => {
        const app = stackResource("aws:iam/role:Role", "app", { name: "app", assumeRolePolicy: "{}", inlinePolicies: [{ name: "r", policy: JSON.stringify(readAll) }] });
        assert.deepStrictEqual(await stackViolations(abacRoleDisallowUntaggedSecretRead, withExtra(app)), []);
    });
});

describe("pod-identity-chaining-role-disallow-secret-read", () => {
    it("passes the controller role, which only assumes the shared role", async () => {
        assert.deepStrictEqual(await stackViolations(podIdentityChainingRoleDisallowSecretRead, compliantStack()), []);
    });

    it("reports a controller role that also reads secrets", async () => {
        const controllerPermissions: PolicyDocument = { ...docs.controllerPermissions, Statement: [...docs.controllerPermissions.Statement, ...readAll.Statement] };
        const found = await stackViolations(podIdentityChainingRoleDisallowSecretRead, compliantStack({ controllerPermissions }));
        assert.deepStrictEqual(found.map((f) => f.split(":")[0]), ["controller"]);
    });

    it("leaves alone a Pod Identity role that reads secrets but chains nowhere (a per-pod role)", async () => {
        assert.deepStrictEqual(await stackViolations(podIdentityChainingRoleDisallowSecretRead, compliantStack({ controllerPermissions: readAll })), []);
    });
});

describe("the wildcard matcher", () => {
    it("matches as IAM does: * any run, ? one character, case-insensitive", () => {
        assert.ok(wildcardMatch("secretsmanager:Get*", "secretsmanager:GetSecretValue"));
        assert.ok(wildcardMatch("SECRETSMANAGER:getsecretvalu?", "secretsmanager:GetSecretValue"));
        assert.ok(wildcardMatch("*", ""));
        assert.ok(!wildcardMatch("secretsmanager:Describe*", "secretsmanager:GetSecretValue"));
        assert.ok(!wildcardMatch("?", ""));
        assert.ok(wildcardMatch("a*b*c", "axxbyyc") && !wildcardMatch("a*b*c", "axxbyy"));
    });

    it("decides the pathological pattern in linear time (a regular expression took 30 s)", () => {
        const pattern = "*".repeat(5_000) + "X";
        const value = "secretsmanager:GetSecretValue".repeat(200);
        const start = process.hrtime.bigint();
        assert.ok(!wildcardMatch(pattern, value));
        assert.ok(!wildcardMatch("***********X", "sts:TagSession"));
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        assert.ok(ms < 500, `${ms} ms`);
    });
});

describe("iam-abac-policy-requires-tag-mismatch-deny", () => {
    const denyCheck = (doc: PolicyDocument) => violations(abacPolicyRequiresTagMismatchDeny, ROLE_POLICY, { policy: JSON.stringify(doc) }, { name: "p" });
    const allowOnly = (doc: PolicyDocument): PolicyDocument => ({ ...doc, Statement: doc.Statement.filter((s) => s.Effect === "Allow") });
    const changeDeny = (sid: string, change: (s: PolicyDocument["Statement"][0]) => PolicyDocument["Statement"][0] | undefined): PolicyDocument => {
        const doc: PolicyDocument = JSON.parse(JSON.stringify(docs.abacPermissions));
        const found = doc.Statement.findIndex((s) => s.Sid === sid);
        assert.ok(found >= 0, sid);
        const changed = change(doc.Statement[found]);
        doc.Statement.splice(found, 1, ...(changed ? [changed] : []));
        return doc;
    };

    it("passes the shared role's rendered policy, with and without parameters", async () => {
        assert.deepStrictEqual(await denyCheck(docs.abacPermissions), []);
        assert.deepStrictEqual(await denyCheck(abacPermissionPolicy({ ...OFFLINE, parameters: true })), []);
    });

    it("blocks an Allow-only ABAC policy, naming every missing Deny and the fix", async () => {
        const found = await denyCheck(allowOnly(docs.abacPermissions));
        assert.strictEqual(found.length, 1);
        assert.match(found[0], /lacks explicit Deny statements/);
        for (const kind of ["secrets", "parameters"]) {
            assert.match(found[0], new RegExp(`${kind}: Deny [^;]* when StringNotEquals [^;]*kubernetes-namespace = \\$\\{aws:PrincipalTag/esoNamespace\\}`));
            assert.match(found[0], new RegExp(`${kind}: Deny [^;]* when Null aws:PrincipalTag/eks-cluster-name = "true"`));
        }
        assert.match(found[0], /abacPermissionPolicy\/csiPermissionPolicy render them/);
    });

    it("blocks each weakened Deny: dropped, a second condition, IfExists, one Region, NotResource, both tags in one statement, a fence on another session tag", async () => {
        const NS_SID = TAG_DENY_SIDS.secretNamespace;
        const weakened: [string, PolicyDocument][] = [
            ...Object.values(TAG_DENY_SIDS)
                .filter((sid) => sid !== TAG_DENY_SIDS.sessionWithEmptyNamespace)
                .map((sid): [string, PolicyDocument] => [`${sid} dropped`, changeDeny(sid, () => undefined)]),
            ["a second condition", changeDeny(NS_SID, (s) => ({ ...s, Condition: { ...s.Condition, StringEquals: { "aws:PrincipalTag/esoStoreName": "team-secrets" } } }))],
            ["StringNotEqualsIfExists", changeDeny(NS_SID, (s) => ({ ...s, Condition: { StringNotEqualsIfExists: s.Condition!.StringNotEquals } }))],
            ["ForAnyValue:StringNotEquals", changeDeny(NS_SID, (s) => ({ ...s, Condition: { "ForAnyValue:StringNotEquals": s.Condition!.StringNotEquals } }))],
            ["one Region", changeDeny(NS_SID, (s) => ({ ...s, Resource: `arn:aws:secretsmanager:${OFFLINE.region}:${OFFLINE.accountId}:secret:*` }))],
            ["NotResource", changeDeny(NS_SID, (s) => ({ Sid: s.Sid, Effect: "Deny", Action: s.Action, NotResource: "arn:aws:secretsmanager:*:*:secret:other-*", Condition: s.Condition }) as never)],
            ["DescribeSecret only", changeDeny(NS_SID, (s) => ({ ...s, Action: "secretsmanager:DescribeSecret" }))],
            [
                "both tags in one StringNotEquals",
                changeDeny(TAG_DENY_SIDS.secretCluster, () => undefined).Statement.map((s) => s).reduce(
                    (doc, s) => ({ ...doc, Statement: [...doc.Statement, s.Sid === NS_SID ? { ...s, Condition: { StringNotEquals: { ...s.Condition!.StringNotEquals, [CLUSTER]: "${aws:PrincipalTag/eks-cluster-name}" } } } : s] }),
                    { Version: "2012-10-17", Statement: [] } as PolicyDocument,
                ),
            ],
            ["the namespace fence on kubernetes-namespace (ESO's own namespace in an ESO session)", changeDeny(NS_SID, (s) => ({ ...s, Condition: { StringNotEquals: { [NS]: "${aws:PrincipalTag/kubernetes-namespace}" } } }))],
        ];
        for (const [words, doc] of weakened) {
            const found = await denyCheck(doc);
            assert.strictEqual(found.length, 1, `${words}: ${found.join("\n")}`);
            assert.match(found[0], /lacks explicit Deny statements/, words);
        }
    });

    it("near miss: Resource \"*\", a single-action Deny of GetSecretValue, aws:ResourceTag for secrets and an extra empty-namespace guard pass", async () => {
        const NS_SID = TAG_DENY_SIDS.secretNamespace;
        for (const doc of [
            changeDeny(NS_SID, (s) => ({ ...s, Resource: "*" })),
            changeDeny(NS_SID, (s) => ({ ...s, Action: "secretsmanager:GetSecretValue" })),
            changeDeny(NS_SID, (s) => ({ ...s, Condition: { StringNotEquals: { "aws:ResourceTag/kubernetes-namespace": "${aws:PrincipalTag/esoNamespace}" } } })),
            changeDeny(TAG_DENY_SIDS.sessionWithEmptyNamespace, () => undefined),
        ]) {
            assert.deepStrictEqual(await denyCheck(doc), []);
        }
    });

    it("judges no document that is not ABAC; passes a first preview whose Deny ARN is unknown (the update judges it with the ARN known)", async () => {
        assert.deepStrictEqual(await denyCheck(readAll), []);
        const unknownArn = changeDeny(TAG_DENY_SIDS.secretNamespace, (s) => ({ ...s, Resource: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" }));
        assert.deepStrictEqual(await denyCheck(unknownArn), []);
    });
});
