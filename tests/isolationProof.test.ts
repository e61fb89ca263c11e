/**
 * Isolation for any number of teams: the structural argument refuses the
 * documents it cannot reason about, and where it applies its classes agree
 * with every pair evaluated by the IAM engine. What a pair should get comes
 * from the design (DESIGN.md: same non-empty namespace, same cluster), not
 * from the code under test.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { abacPermissionPolicy, PolicyDocument } from "../components/lib/iam";
import { MatrixSpec, readRequest } from "../cli/src/checker";
import { decide, unrecognisedContextKeys } from "../cli/src/checker";
import { classOf, expectedAllowed, proveIsolation, rowsFromProof } from "../cli/src/checker";
import { verdictInWords } from "../cli/src/checker";
import { runMatrix } from "../cli/src/checker";
import { buildPlan } from "../cli/src/checker";
import { matrixSpecFromPlan } from "../cli/src/checker";
import { FIXTURES, OFFLINE } from "./helpers";

const EXAMPLE = path.join(__dirname, "..", "Pulumi.example.yaml");
const rendered = abacPermissionPolicy(OFFLINE);

/**
 * A spec of the document. Documents other than the rendered ones are judged
 * on their identity policy alone (`resourcePolicyGrants: false`): these tests
 * are about the conditions of its statements; the attacker's resource-policy
 * grant, which only the rendered Deny statements stop, is judged on the
 * rendered documents here and in tests/tagDeny.test.ts.
 */
function spec(permissionPolicy: PolicyDocument, namespaces = ["payments", "search", "billing"], clusters = ["prod-eu", "another-cluster"]): MatrixSpec {
    return {
        ...(permissionPolicy === rendered ? {} : { resourcePolicyGrants: false }),
        accountId: OFFLINE.accountId,
        partition: OFFLINE.partition,
        region: OFFLINE.region,
        abacRoleName: "prod-eu-shared-abac-role",
        permissionPolicy,
        clusters,
        namespaces,
        secrets: namespaces.flatMap((ns) => [{ name: `${ns}/db`, namespace: ns }, { name: `${ns}/api`, namespace: ns }]),
    };
}

/** The rendered policy with its read statement's Condition replaced. */
function withCondition(condition: object, extra: Partial<PolicyDocument["Statement"][0]> = {}): PolicyDocument {
    return { Version: "2012-10-17", Statement: [{ ...rendered.Statement[0], Condition: condition as never, ...extra }] };
}

const byDescription = (proof: ReturnType<typeof proveIsolation>, text: string) => proof.classes.find((c) => c.description === text);

describe("isolation for any number of teams", () => {
    it("is proven for the rendered policy: own secrets read, every other class denied", () => {
        const proof = proveIsolation(spec(rendered));
        assert.deepStrictEqual(proof.structure.refusals, []);
        assert.deepStrictEqual(proof.structure.operators, ["Null", "StringEquals", "StringLike", "StringNotEquals"]);
        assert.deepStrictEqual(proof.structure.variables, ["aws:PrincipalTag/eks-cluster-name", "aws:PrincipalTag/esoNamespace"]);
        assert.ok(proof.proven);
        assert.strictEqual(byDescription(proof, "same namespace, same cluster")?.allowed, true);
        for (const denied of [
            "other namespace, same cluster",
            "same namespace, other cluster",
            "other namespace, other cluster",
            "session esoNamespace empty, same cluster",
            "session sends no esoNamespace, same cluster",
            "same namespace, secret has no cluster tag",
            "secret has no namespace tag, same cluster",
        ]) {
            assert.strictEqual(byDescription(proof, denied)?.allowed, false, denied);
        }
        assert.ok(proof.classes.every((c) => c.expected === expectedAllowed(c.representative)));
    });

    it("does not depend on the number of teams: the same classes for 3 and 1,000", () => {
        const small = proveIsolation(spec(rendered));
        const big = proveIsolation(spec(rendered, Array.from({ length: 1000 }, (_, i) => `team-${i}`)));
        assert.deepStrictEqual(big.classes.map((c) => [c.key, c.allowed]), small.classes.map((c) => [c.key, c.allowed]));
        assert.strictEqual(rowsFromProof(spec(rendered, Array.from({ length: 1000 }, (_, i) => `team-${i}`)), big).length, 2000);
    });

    it("agrees with every pair of the example evaluated by the IAM engine", async () => {
        const plan = await buildPlan(EXAMPLE);
        assert.ok(plan.ok);
        const run = await runMatrix(matrixSpecFromPlan(plan.plan), { fullMatrix: true });
        assert.ok(run.proof.proven);
        assert.deepStrictEqual(run.disagreements, []);
        assert.deepStrictEqual(run.matrix!.rows, rowsFromProof(run.spec, run.proof));
        assert.strictEqual(run.crossTeamAllows, 0);
        assert.strictEqual(run.ownDenials, 0);
        assert.ok(run.ok);
    });

    it("agrees with every pair when a namespace is named like a cluster", async () => {
        const run = await runMatrix(spec(rendered, ["payments", "prod-eu", "search"], ["prod-eu", "payments"]), { fullMatrix: true, workers: 0 });
        assert.deepStrictEqual(run.disagreements, []);
        assert.ok(run.ok);
    });

    it("finds the move no pair of the stack shows: keyed on the controller's own namespace tag (as published samples do), a secret tagged with ESO's namespace is every team's", async () => {
        const samples = withCondition({
            StringEquals: {
                "secretsmanager:ResourceTag/kubernetes-namespace": "${aws:PrincipalTag/kubernetes-namespace}",
                "secretsmanager:ResourceTag/eks-cluster-name": "${aws:PrincipalTag/eks-cluster-name}",
            },
        });
        const run = await runMatrix(spec(samples), { fullMatrix: true, workers: 0 });
        assert.deepStrictEqual(run.proof.structure.constants, ["external-secrets"], "ESO's namespace, the same in every session");
        assert.strictEqual(run.matrix!.crossTeamAllowCount, 0, "no team of the stack is named external-secrets");
        assert.strictEqual(run.matrix!.ownDenialCount, 12);
        assert.ok(run.proof.crossTeamAllows.some((c) => c.description === "other namespace, same cluster, (secret's namespace = `external-secrets`)"));
        assert.deepStrictEqual(run.disagreements, []);
        assert.ok(!run.ok);
    });

    it("reports both directions: a policy allowing every read, and one denying every read", async () => {
        const open = await runMatrix(spec({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "secretsmanager:*", Resource: "*" }] }), { fullMatrix: true, workers: 0 });
        assert.ok(open.proof.structure.applicable);
        assert.strictEqual(open.crossTeamAllows, 6 * 12 - 12, "every pair but the 12 own ones");
        assert.deepStrictEqual(open.disagreements, []);
        assert.ok(!open.ok);
        const denyAll = JSON.parse(fs.readFileSync(path.join(FIXTURES, "deny-all-permission-policy.json"), "utf8"));
        const closed = await runMatrix(spec(denyAll));
        assert.strictEqual(closed.matrix, undefined, "decided by the proof alone");
        assert.strictEqual(closed.ownDenials, 12);
        assert.ok(closed.proof.ownDenials.some((c) => c.description === "same namespace, same cluster"));
        assert.ok(!closed.ok);
    });

    describe("refuses documents it cannot reason about, and says why", () => {
        const refusals = (doc: PolicyDocument) => proveIsolation(spec(doc)).structure.refusals.join("\n");
        it("a literal team name", () => {
            assert.match(refusals(withCondition({ StringEquals: { "secretsmanager:ResourceTag/kubernetes-namespace": "payments" } })), /the literal `payments` names `payments`/);
        });
        it("a wildcard on a tag", () => {
            const doc = JSON.parse(fs.readFileSync(path.join(FIXTURES, "stringlike-permission-policy.json"), "utf8"));
            assert.match(refusals(doc), /a wildcard on a tag/);
            assert.match(refusals(withCondition({ StringLike: { "secretsmanager:ResourceTag/kubernetes-namespace": "team-*" } })), /a wildcard \(`team-\*`\) on a tag/);
        });
        it("an operator outside the set, and a variable that is not a principal tag", () => {
            assert.match(refusals(withCondition({ StringEqualsIgnoreCase: { "secretsmanager:ResourceTag/kubernetes-namespace": "${aws:PrincipalTag/esoNamespace}" } })), /StringEqualsIgnoreCase with a policy variable is outside the operators/);
            assert.match(refusals(withCondition({ StringEquals: { "secretsmanager:ResourceTag/kubernetes-namespace": "${aws:username}" } })), /the variable `\$\{aws:username\}` is not a principal tag/);
        });
        it("a literal cluster on a tag, a resource that names secrets, and a tag the matrix does not model", () => {
            assert.match(refusals(withCondition({ StringEquals: { "secretsmanager:ResourceTag/eks-cluster-name": "prod-eu" } })), /literal `prod-eu`/);
            assert.match(refusals(withCondition({}, { Resource: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:payments/*" })), /matches secrets by name with a wildcard/);
            assert.match(refusals(withCondition({ StringEquals: { "secretsmanager:ResourceTag/team": "${aws:PrincipalTag/esoNamespace}" } })), /varies with the secret/);
            assert.match(refusals(withCondition({ ArnEquals: { "aws:PrincipalTag/eks-cluster-arn": "arn:aws:eks:eu-west-1:111122223333:cluster/x" } })), /`aws:PrincipalTag\/eks-cluster-arn` varies with the session's cluster/);
        });
    });

    describe("Parameter Store: parameters are objects of the same argument", () => {
        const withParameters = abacPermissionPolicy({ ...OFFLINE, parameters: true, kmsKeyArns: [`arn:aws:kms:eu-west-1:${OFFLINE.accountId}:key/1234abcd-12ab-34cd-56ef-1234567890ab`] });
        const parameterStatement = withParameters.Statement.find((s) => [s.Action].flat().includes("ssm:GetParameter"))!;
        // The Allow statements alone: with the rendered Deny statements an opened parameter statement would stay closed.
        const withParameterStatement = (change: Partial<PolicyDocument["Statement"][0]>): PolicyDocument => ({
            Version: "2012-10-17",
            Statement: withParameters.Statement.filter((s) => s.Effect === "Allow").map((s) => (s === parameterStatement ? { ...s, ...change } : s)),
        });
        const specWithParameters = (doc: PolicyDocument, namespaces = ["payments", "search", "billing"], clusters = ["prod-eu", "another-cluster"]): MatrixSpec => ({
            ...spec(doc, namespaces, clusters),
            parameters: namespaces.flatMap((ns) => [{ name: `/${ns}/db-url`, namespace: ns }]),
        });
        const refusals = (doc: PolicyDocument) => proveIsolation(specWithParameters(doc)).structure.refusals.join("\n");

        it("is proven for the rendered policy with parameters and KMS: each team reads its own parameters, every other class denied", () => {
            const proof = proveIsolation({ ...specWithParameters(withParameters), resourcePolicyGrants: true });
            assert.deepStrictEqual(proof.structure.refusals, []);
            assert.ok(proof.proven);
            const parameterClasses = proof.classes.filter((c) => c.kind === "parameter");
            assert.strictEqual(parameterClasses.length, proof.classes.length / 2, "every class decided for a parameter as for a secret");
            assert.strictEqual(byDescription(proof, "parameter: same namespace, same cluster")?.allowed, true);
            for (const denied of [
                "parameter: other namespace, same cluster",
                "parameter: same namespace, other cluster",
                "parameter: session esoNamespace empty, same cluster",
                "parameter: session sends no esoNamespace, same cluster",
                "parameter: same namespace, parameter has no cluster tag",
                "parameter: parameter has no namespace tag, same cluster",
            ]) {
                assert.strictEqual(byDescription(proof, denied)?.allowed, false, denied);
            }
        });

        it("every context key of a parameter read is one IAM defines for ssm:GetParameter, and the design's own read is allowed", async () => {
            const request = readRequest(spec(withParameters), { cluster: "prod-eu", esoNamespace: "payments" }, { name: "/payments/db-url", kind: "parameter", tags: { "kubernetes-namespace": "payments", "eks-cluster-name": "prod-eu" } }, "ssm:GetParameter");
            assert.strictEqual(request.resource, `arn:aws:ssm:eu-west-1:${OFFLINE.accountId}:parameter/payments/db-url`);
            assert.deepStrictEqual(await unrecognisedContextKeys(request.action, request.resource, Object.keys(request.context)), []);
            assert.strictEqual(decide(request), "Allowed");
        });

        it("agrees with every pair (secrets and parameters) of a stack with parameters evaluated by the IAM engine", async () => {
            const plan = await buildPlan(path.join(FIXTURES, "Pulumi.parameters.yaml"));
            assert.ok(plan.ok);
            const stack = matrixSpecFromPlan(plan.plan);
            assert.ok(stack.permissionPolicy.Statement.some((s) => [s.Action].flat().includes("ssm:GetParameter")), "the stack's policy has the parameter statement");
            assert.deepStrictEqual(stack.parameters!.map((p) => p.name).sort(), ["/billing/ledger-url", "/payments/db-url", "/payments/port", "/search/endpoint"]);
            const run = await runMatrix(stack, { fullMatrix: true, workers: 0 });
            assert.ok(run.proof.proven, run.proof.structure.refusals.join("\n"));
            assert.strictEqual(run.matrix!.secrets.filter((s) => s.kind === "parameter").length, 8, "the full matrix reads the parameters of both clusters");
            assert.deepStrictEqual(run.disagreements, []);
            assert.deepStrictEqual(run.matrix!.rows, rowsFromProof(run.spec, run.proof));
            // payments on prod-eu: its secret and its two parameters.
            assert.strictEqual(run.rows.find((r) => r.cluster === "prod-eu" && r.namespace === "payments")!.ownAllowed, 3);
            assert.ok(run.ok);
        });

        it("finds a parameter statement open to every team, where the secrets are closed", async () => {
            const open = withParameterStatement({ Condition: undefined });
            const run = await runMatrix(specWithParameters(open), { fullMatrix: true, workers: 0 });
            assert.ok(run.proof.structure.applicable);
            assert.ok(run.proof.crossTeamAllows.length > 0 && run.proof.crossTeamAllows.every((c) => c.kind === "parameter"));
            assert.strictEqual(run.crossTeamAllows, 6 * 6 - 6, "every parameter pair but the 6 own ones");
            assert.deepStrictEqual(run.disagreements, []);
            assert.ok(!run.ok);
        });

        it("counts a cross-team read through only some value actions as partial: GetParameterHistory alone returns past values", async () => {
            const history = { Sid: "History", Effect: "Allow" as const, Action: "ssm:GetParameterHistory", Resource: `arn:aws:ssm:eu-west-1:${OFFLINE.accountId}:parameter/*` };
            const run = await runMatrix(specWithParameters({ ...withParameters, Statement: [...withParameters.Statement.filter((s) => s.Effect === "Allow"), history] }), { fullMatrix: true, workers: 0 });
            assert.strictEqual(run.crossTeamAllows, 6 * 6 - 6, "every other parameter pair is a read");
            assert.strictEqual(run.crossTeamPartial, 30, "through GetParameterHistory only");
            assert.strictEqual(run.byAction["ssm:GetParameterHistory"].crossTeam, 30);
            assert.strictEqual(run.byAction["ssm:GetParameter"].crossTeam, 0);
            assert.ok(run.proof.crossTeamAllows.some((c) => c.kind === "parameter" && c.partial));
            assert.deepStrictEqual(run.disagreements, []);
            assert.ok(!run.ok);
        });

        it("refuses a wildcard or a literal team name on a parameter's tag", () => {
            assert.match(refusals(withParameterStatement({ Condition: { StringLike: { "aws:ResourceTag/kubernetes-namespace": "${aws:PrincipalTag/esoNamespace}*" } } })), /a wildcard on a tag/);
            assert.match(refusals(withParameterStatement({ Condition: { StringLike: { "aws:ResourceTag/kubernetes-namespace": "team-*" } } })), /a wildcard \(`team-\*`\) on a tag/);
            assert.match(refusals(withParameterStatement({ Condition: { StringEquals: { "aws:ResourceTag/kubernetes-namespace": "payments" } } })), /the literal `payments` names `payments`/);
            assert.match(refusals(withParameterStatement({ Resource: `arn:aws:ssm:eu-west-1:${OFFLINE.accountId}:parameter/payments/*` })), /matches parameters by name with a wildcard/);
            assert.match(refusals(withParameterStatement({ Resource: `arn:aws:ssm:eu-west-1:${OFFLINE.accountId}:parameter/payments/db-url` })), /names a parameter/);
            assert.match(refusals(withParameterStatement({ Condition: { StringEquals: { "secretsmanager:ResourceTag/kubernetes-namespace": "${aws:PrincipalTag/esoNamespace}" } } })), /never `secretsmanager:ResourceTag\/`/);
        });

        it("refuses a statement granting ssm:GetParametersByPath or ssm:DescribeParameters, by name or by wildcard", () => {
            for (const action of [["ssm:GetParameter", "ssm:GetParametersByPath"], "ssm:DescribeParameters", "ssm:*", "ssm:GetParameter*"]) {
                assert.match(refusals(withParameterStatement({ Action: action })), /grants ssm:(GetParametersByPath|DescribeParameters), which reads parameters by path or lists them/, String(action));
            }
            assert.doesNotMatch(refusals(withParameterStatement({ Action: ["ssm:GetParameter", "ssm:GetParameters"] })), /by path/);
        });
    });

    describe("decides soundly what renaming cannot change: Deny, NotAction, NotResource, IfExists, set qualifiers, a tag no session carries", () => {
        const open = { Sid: "OpenRead", Effect: "Allow" as const, Action: "secretsmanager:GetSecretValue", Resource: "*" };
        const fence = (sid: string, condition: object) => ({ Sid: sid, Effect: "Deny" as const, Action: "secretsmanager:GetSecretValue", Resource: "*", Condition: condition as never });
        const fences: PolicyDocument["Statement"] = [
            fence("FenceNamespace", { StringNotEquals: { "secretsmanager:ResourceTag/kubernetes-namespace": "${aws:PrincipalTag/esoNamespace}" } }),
            fence("FenceCluster", { StringNotEquals: { "secretsmanager:ResourceTag/eks-cluster-name": "${aws:PrincipalTag/eks-cluster-name}" } }),
            fence("GuardNamespace", { Null: { "aws:PrincipalTag/esoNamespace": "true" } }),
            fence("GuardCluster", { Null: { "aws:PrincipalTag/eks-cluster-name": "true" } }),
            fence("GuardEmpty", { StringEquals: { "aws:PrincipalTag/esoNamespace": "" } }),
        ];
        const doc = (...statements: PolicyDocument["Statement"]): PolicyDocument => ({ Version: "2012-10-17", Statement: statements });

        it("an open read fenced by Deny statements with Null and empty guards is proven, and the full matrix agrees", async () => {
            const run = await runMatrix(spec(doc(open, ...fences)), { fullMatrix: true, workers: 0 });
            assert.deepStrictEqual(run.proof.structure.refusals, []);
            assert.ok(run.proof.proven);
            assert.deepStrictEqual(run.disagreements, []);
            assert.ok(run.ok);
        });

        it("the same fences without their Null guards are disproven: a session without esoNamespace reads every secret", () => {
            const proof = proveIsolation(spec(doc(open, ...fences.slice(0, 2))));
            assert.ok(proof.structure.applicable);
            assert.ok(!proof.proven);
            assert.strictEqual(byDescription(proof, "session sends no esoNamespace, same cluster")?.allowed, true);
        });

        it("NotAction and NotResource are decided, not refused", () => {
            const notAction = proveIsolation(spec(doc(rendered.Statement[0], { Effect: "Allow", NotAction: "secretsmanager:DescribeSecret", Resource: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:*" } as never)));
            assert.ok(notAction.structure.applicable);
            assert.strictEqual(byDescription(notAction, "other namespace, same cluster")?.allowed, true, "everything but DescribeSecret includes GetSecretValue");
            assert.match(proveIsolation(spec(doc(rendered.Statement[0], { Effect: "Allow", NotAction: "secretsmanager:DescribeSecret", Resource: "*" } as never))).structure.refusals.join("\n"), /grants ssm:GetParametersByPath/, "on * it reads parameters by path too");
            const notResource = proveIsolation(spec(doc(rendered.Statement[0], { Effect: "Allow", Action: "secretsmanager:GetSecretValue", NotResource: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:*" } as never)));
            assert.ok(notResource.proven, "every resource but the secrets grants no secret");
        });

        it("IfExists and ForAnyValue forms are decided: StringEqualsIfExists on the namespace lets every team read an untagged secret", () => {
            const ifExists = withCondition({
                StringEqualsIfExists: { "secretsmanager:ResourceTag/kubernetes-namespace": "${aws:PrincipalTag/esoNamespace}" },
                StringEquals: { "secretsmanager:ResourceTag/eks-cluster-name": "${aws:PrincipalTag/eks-cluster-name}" },
                StringLike: { "aws:PrincipalTag/esoNamespace": "?*" },
            });
            const proof = proveIsolation(spec(ifExists));
            assert.deepStrictEqual(proof.structure.refusals, []);
            assert.strictEqual(byDescription(proof, "secret has no namespace tag, same cluster")?.allowed, true);
            assert.ok(!proof.proven);
            const forAny = proveIsolation(spec(withCondition({ ...rendered.Statement[0].Condition, "ForAnyValue:StringLike": { "aws:PrincipalTag/esoNamespace": "?*" } })));
            assert.deepStrictEqual(forAny.structure.refusals, []);
            assert.ok(forAny.proven);
        });

        it("a Deny whose StringNotEquals names a principal tag no session carries does not apply when the secret has the key (the engine, then the proof)", () => {
            const missing = fence("FenceOnMissingTag", { StringNotEquals: { "secretsmanager:ResourceTag/kubernetes-namespace": "${aws:PrincipalTag/team}" } });
            const request = readRequest(spec(doc(rendered.Statement[0], missing)), { cluster: "prod-eu", esoNamespace: "payments" }, { name: "payments/db", tags: { "kubernetes-namespace": "payments", "eks-cluster-name": "prod-eu" } }, "secretsmanager:GetSecretValue");
            assert.strictEqual(decide(request), "Allowed");
            const proof = proveIsolation(spec(doc(rendered.Statement[0], missing)));
            assert.deepStrictEqual(proof.structure.refusals, []);
            assert.ok(proof.proven);
        });

        it("StringLike on a bare variable is StringEquals (tag values hold no wildcard); IgnoreCase and a wildcard next to a variable are still refused", () => {
            const like = proveIsolation(spec(withCondition({ StringLike: { "secretsmanager:ResourceTag/kubernetes-namespace": "${aws:PrincipalTag/esoNamespace}", "secretsmanager:ResourceTag/eks-cluster-name": "${aws:PrincipalTag/eks-cluster-name}", "aws:PrincipalTag/esoNamespace": "?*" } })));
            assert.deepStrictEqual(like.structure.refusals, []);
            assert.ok(like.proven);
            assert.match(proveIsolation(spec(withCondition({ StringEqualsIgnoreCaseIfExists: { "secretsmanager:ResourceTag/kubernetes-namespace": "${aws:PrincipalTag/esoNamespace}" } }))).structure.refusals.join("\n"), /is outside the operators/);
        });

        it("the session's namespace tag key is a parameter of the spec", () => {
            const teamKeyed = withCondition({
                StringEquals: { "secretsmanager:ResourceTag/kubernetes-namespace": "${aws:PrincipalTag/team}", "secretsmanager:ResourceTag/eks-cluster-name": "${aws:PrincipalTag/eks-cluster-name}" },
                StringLike: { "aws:PrincipalTag/team": "?*" },
            });
            assert.ok(proveIsolation({ ...spec(teamKeyed), sessionNamespaceTagKey: "team" }).proven);
            const withDefaultKey = proveIsolation(spec(teamKeyed));
            assert.ok(!withDefaultKey.proven);
            assert.ok(withDefaultKey.ownDenials.some((c) => c.description === "same namespace, same cluster"), "a session tagged esoNamespace carries no team tag");
        });
    });

    it("another team's metadata is a finding of its own: a warning by default, an error when asked; never a read", async () => {
        const valueOnly = JSON.parse(fs.readFileSync(path.join(FIXTURES, "get-secret-value-only-permission-policy.json"), "utf8"));
        // The identity policy alone (its Allow statements, no resource-policy grants): the Deny on tags that differ
        // would refuse DescribeSecret too, and this test is about how metadata is counted, not about the Deny.
        const allows = valueOnly.Statement.filter((st: { Effect: string }) => st.Effect === "Allow");
        const describeAll: PolicyDocument = { ...valueOnly, Statement: [...allows, { Sid: "DescribeEverything", Effect: "Allow", Action: "secretsmanager:DescribeSecret", Resource: "*" }] };
        const warning = await runMatrix({ ...spec(describeAll), resourcePolicyGrants: false }, { fullMatrix: true, workers: 0 });
        assert.strictEqual(warning.crossTeamAllows, 0);
        assert.strictEqual(warning.metadataExposures, 6 * 12 - 12, "every other pair may be described");
        assert.strictEqual(warning.byAction["secretsmanager:DescribeSecret"].crossTeam, 60);
        assert.strictEqual(warning.byAction["secretsmanager:GetSecretValue"].crossTeam, 0);
        assert.ok(warning.proof.proven && warning.proof.metadataExposures.length > 0);
        assert.ok(warning.ok);
        assert.match(verdictInWords(warning), /^Isolated: .*\(warning: another team's metadata is readable, see below\)/);
        const error = await runMatrix({ ...spec(describeAll), resourcePolicyGrants: false }, { metadataLevel: "error" });
        assert.ok(!error.ok);
        assert.match(verdictInWords(error), /NOT isolated: another team's metadata is readable/);
    });

    it("names a class by the pattern of its values, not the values", () => {
        assert.strictEqual(classOf(["a", "c1", "a", "c1"], []), classOf(["payments", "prod-eu", "payments", "prod-eu"], []));
        assert.notStrictEqual(classOf(["a", "b", "a", "c"], []), classOf(["a", "b", "a", "b"], []));
        assert.strictEqual(classOf(["", "b", undefined, "b"], []), "e0-0");
    });
});
