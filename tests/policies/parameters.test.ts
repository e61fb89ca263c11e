/**
 * Parameter Store through the shared role: SecureString parameters carry the
 * ABAC tags like secrets, and an ABAC document reads parameters only by name
 * under the tag conditions. Path reads are authorised on the path, not on
 * the tags of the parameters returned
 * (docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-access.html);
 * DescribeParameters has no resource (service-authorization reference,
 * list_awssystemsmanager.html).
 */
import * as assert from "assert";
import { abacPermissionPolicy, PolicyDocument } from "../../components";
import {
    abacPolicyDisallowLiteralNamespace,
    abacPolicyDisallowParameterPathRead,
    abacPolicyDisallowUntaggedSecretRead,
    abacPolicyRequiresExactTagMatch,
} from "../../policypack/policies/abacPermissions";
import { parametersRequireAbacTags } from "../../policypack/policies/secrets";
import { violations } from "../helpers";
import { ctx } from "./fixtures";

const PARAMETER = "aws:ssm/parameter:Parameter";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const TAGS = { "kubernetes-namespace": "payments", "eks-cluster-name": "prod-eu" };
const secure = (props: Record<string, unknown>) => ({ name: "/teams/payments/db", type: "SecureString", value: "s3cr3t", ...props });

describe("ssm-secure-parameters-require-abac-tags", () => {
    it("is mandatory and says that plain String parameters are out of scope", () => {
        assert.strictEqual(parametersRequireAbacTags.enforcementLevel, "mandatory");
        assert.match(parametersRequireAbacTags.description, /Plain String and StringList parameters are not checked/);
    });

    it("passes a tagged SecureString; blocks an untagged one once per missing key", async () => {
        assert.deepStrictEqual(await violations(parametersRequireAbacTags, PARAMETER, secure({ tags: TAGS })), []);
        assert.deepStrictEqual(await violations(parametersRequireAbacTags, PARAMETER, secure({}), { name: "db" }), [
            "Parameter 'db' has no 'kubernetes-namespace' tag, so no team can read it through the shared role: add the tag.",
            "Parameter 'db' has no 'eks-cluster-name' tag, so no team can read it through the shared role: add the tag.",
        ]);
    });

    it("blocks blank, wildcard and policy-variable tag values, as for secrets", async () => {
        for (const [value, expected] of [["", /is blank/], ["pay*", /look like wildcards/], ["${aws:PrincipalTag/esoNamespace}", /policy variable/]] as const) {
            const found = await violations(parametersRequireAbacTags, PARAMETER, secure({ tags: { ...TAGS, "kubernetes-namespace": value } }));
            assert.strictEqual(found.length, 1, found.join("\n"));
            assert.match(found[0], expected);
        }
    });

    it("takes the cluster tag from the provider's defaultTags", async () => {
        const providerProps = { defaultTags: JSON.stringify({ tags: { "eks-cluster-name": "prod-eu" } }) };
        assert.deepStrictEqual(await violations(parametersRequireAbacTags, PARAMETER, secure({ tags: { "kubernetes-namespace": "payments" } }), { providerProps }), []);
    });

    it("leaves untagged String and StringList parameters alone (near miss)", async () => {
        for (const type of ["String", "StringList"]) {
            assert.deepStrictEqual(await violations(parametersRequireAbacTags, PARAMETER, { name: "/app/url", type, value: "x" }), []);
        }
    });

    it("is undecided when the type or a tag value is unknown; known missing tags are still blocked", async () => {
        const byType = await violations(parametersRequireAbacTags, PARAMETER, { name: "p", type: UNKNOWN, value: "x" });
        assert.strictEqual(byType.length, 1);
        assert.match(byType[0], /^undecided: .*\.type/);
        const byTag = await violations(parametersRequireAbacTags, PARAMETER, secure({ tags: { ...TAGS, "kubernetes-namespace": UNKNOWN } }), { providerProps: {} });
        assert.strictEqual(byTag.length, 1);
        assert.match(byTag[0], /^undecided: .*\.tags\.kubernetes-namespace/);
        const missing = await violations(parametersRequireAbacTags, PARAMETER, secure({ tags: { "eks-cluster-name": "prod-eu", build: UNKNOWN }, tagsAll: UNKNOWN }), { providerProps: {} });
        assert.deepStrictEqual(missing.length, 1);
        assert.match(missing[0], /has no 'kubernetes-namespace' tag/);
    });
});

/** The shared role's document with parameters, as the components render it. */
const withParameters = abacPermissionPolicy({ ...ctx, parameters: true });
/** That document with its parameter statement's actions replaced. */
const parameterActions = (action: string | string[]): PolicyDocument => ({
    ...withParameters,
    Statement: withParameters.Statement.map((s) => (Array.isArray(s.Action) && s.Action.includes("ssm:GetParameter") ? { ...s, Action: action } : s)),
});
const judge = (policy: Parameters<typeof violations>[0], doc: PolicyDocument) => violations(policy, ROLE_POLICY, { policy: JSON.stringify(doc) }, { name: "p" });

describe("iam-abac-policy-disallow-parameter-path-read", () => {
    it("passes the components' document with parameters (GetParameter and GetParameters only)", async () => {
        assert.deepStrictEqual(await judge(abacPolicyDisallowParameterPathRead, withParameters), []);
    });

    it("blocks GetParametersByPath, DescribeParameters, ssm:GetParameter* and ssm:* even under the tag conditions", async () => {
        for (const action of ["ssm:GetParametersByPath", "ssm:DescribeParameters", "ssm:GetParameter*", "ssm:*", "ssm:Describe*", "*"]) {
            const found = await judge(abacPolicyDisallowParameterPathRead, parameterActions(["ssm:GetParameter", action]));
            assert.strictEqual(found.length, 1, `${action}: ${found.join("\n")}`);
            assert.match(found[0], /allows ssm:GetParametersByPath or ssm:DescribeParameters \(Statement\[1\]\)/);
        }
    });

    it("near misses pass: a Deny of path reads, ssm:GetParameters named exactly, and a document that is not ABAC", async () => {
        const deny = { ...withParameters, Statement: [...withParameters.Statement, { Effect: "Deny" as const, Action: "ssm:GetParametersByPath", Resource: "*" }] };
        assert.deepStrictEqual(await judge(abacPolicyDisallowParameterPathRead, deny), []);
        assert.deepStrictEqual(await judge(abacPolicyDisallowParameterPathRead, parameterActions("ssm:GetParameters")), []);
        const notAbac: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ssm:GetParametersByPath", Resource: "*" }] };
        assert.deepStrictEqual(await judge(abacPolicyDisallowParameterPathRead, notAbac), []);
    });

    it("is undecided when the parameter statement's actions are unknown", async () => {
        const found = await judge(abacPolicyDisallowParameterPathRead, parameterActions(UNKNOWN));
        assert.strictEqual(found.length, 1);
        assert.match(found[0], /^undecided: /);
    });
});

describe("the ABAC-document rules treat ssm:GetParameter(s) as reads", () => {
    it("the components' document with parameters passes every ABAC-document rule", async () => {
        for (const policy of [abacPolicyRequiresExactTagMatch, abacPolicyDisallowUntaggedSecretRead, abacPolicyDisallowLiteralNamespace, abacPolicyDisallowParameterPathRead]) {
            assert.deepStrictEqual(await judge(policy, withParameters), [], policy.name);
        }
    });

    it("blocks GetParameter without the namespace condition (cluster-only); near miss: with it", async () => {
        for (const action of ["ssm:GetParameter", "ssm:GetParameters"]) {
            const doc: PolicyDocument = {
                ...withParameters,
                Statement: [
                    ...withParameters.Statement,
                    { Effect: "Allow", Action: action, Resource: "*", Condition: { StringEquals: { "aws:ResourceTag/eks-cluster-name": "${aws:PrincipalTag/eks-cluster-name}" } } },
                ],
            };
            const found = await judge(abacPolicyDisallowUntaggedSecretRead, doc);
            assert.strictEqual(found.length, 1, `${action}: ${found.join("\n")}`);
            assert.match(found[0], /without the namespace condition \(Statement\[\d\]\)/);
        }
    });

    it("blocks StringLike and a literal namespace on aws:ResourceTag in the parameter statement", async () => {
        const like = {
            ...withParameters,
            Statement: withParameters.Statement.map((s, i) => (i === 1 ? { ...s, Condition: { ...s.Condition, StringLike: { ...s.Condition!.StringEquals } } } : s)),
        };
        assert.match((await judge(abacPolicyRequiresExactTagMatch, like)).join("\n"), /Statement\[1\]: aws:ResourceTag\/kubernetes-namespace \(StringLike matches by wildcard/);
        const literal = {
            ...withParameters,
            Statement: withParameters.Statement.map((s, i) =>
                i === 1 ? { ...s, Condition: { ...s.Condition, StringEquals: { ...s.Condition!.StringEquals, "aws:ResourceTag/kubernetes-namespace": "payments" } } } : s,
            ),
        };
        assert.match((await judge(abacPolicyDisallowLiteralNamespace, literal)).join("\n"), /literal namespace \(Statement\[1\]\)/);
    });
});
