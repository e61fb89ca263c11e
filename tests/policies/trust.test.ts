import * as assert from "assert";
import { clusterSecretStoreManifest, PolicyDocument, renderPolicy } from "../../components";
import { esoStoreRoleAllowsTagSession, sharedRoleTrustNamesPrincipals, trustPolicyRequiresTagSession } from "../../policypack/policies/trust";
import { stackViolations, violations } from "../helpers";
import { changeFirstStatement, compliantStack, CONTROLLER_ARN, ctx, docs } from "./fixtures";

const ROLE = "aws:iam/role:Role";
const check = (trust: PolicyDocument | string) =>
    violations(trustPolicyRequiresTagSession, ROLE, { assumeRolePolicy: typeof trust === "string" ? trust : renderPolicy(trust) }, { name: "controller" });
const onlyAssumeRole = (s: Record<string, any>) => {
    s.Action = "sts:AssumeRole";
};

describe("trust-policy-requires-tag-session (per role, before it is created)", () => {
    it("passes the controller and shared trusts the components build", async () => {
        assert.deepStrictEqual(await check(docs.controllerTrust), []);
        assert.deepStrictEqual(await check(docs.abacTrust), []);
    });

    it("reports a Pod Identity trust without sts:TagSession", async () => {
        assert.deepStrictEqual(await check(changeFirstStatement(docs.controllerTrust, onlyAssumeRole)), [
            "Role 'controller' is assumed by Service:pods.eks.amazonaws.com with session tags (EKS Pod Identity always tags the session), but no statement allows sts:TagSession: allow sts:TagSession to that principal.",
        ]);
    });

    it("reports a trust that tests aws:RequestTag or aws:TagKeys without TagSession", async () => {
        for (const key of ["aws:RequestTag/team", "aws:TagKeys"]) {
            const trust = changeFirstStatement(docs.abacTrust, (s) => {
                s.Action = ["sts:AssumeRole"];
                s.Condition = { ...s.Condition, "ForAllValues:StringEquals": { [key]: ["x"] } };
            });
            assert.match((await check(trust)).join("\n"), /its trust conditions test request tags/, key);
        }
    });

    it("accepts a trust given as an object rather than a JSON string", async () => {
        assert.deepStrictEqual(await violations(trustPolicyRequiresTagSession, ROLE, { assumeRolePolicy: docs.controllerTrust }), []);
        assert.strictEqual((await violations(trustPolicyRequiresTagSession, ROLE, { assumeRolePolicy: changeFirstStatement(docs.controllerTrust, onlyAssumeRole) })).length, 1);
    });

    it("accepts sts:* and sts:Tag* as granting TagSession", async () => {
        for (const action of ["sts:*", ["sts:AssumeRole", "sts:Tag*"], "*"]) {
            assert.deepStrictEqual(await check(changeFirstStatement(docs.controllerTrust, (s) => (s.Action = action))), [], JSON.stringify(action));
        }
    });

    it("accepts TagSession granted to the same principal in a separate statement, and reports it granted to another one", async () => {
        const same = changeFirstStatement(docs.controllerTrust, onlyAssumeRole);
        same.Statement.push({ Effect: "Allow", Principal: { Service: ["pods.eks.amazonaws.com"] }, Action: "sts:TagSession" });
        assert.deepStrictEqual(await check(same), []);
        const other = changeFirstStatement(docs.controllerTrust, onlyAssumeRole);
        other.Statement.push({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:TagSession" });
        assert.strictEqual((await check(other)).length, 1);
    });

    it("reports NotAction that leaves TagSession out, and accepts NotAction that keeps it in", async () => {
        const excludes = changeFirstStatement(docs.controllerTrust, (s) => {
            delete s.Action;
            s.NotAction = "sts:TagSession";
        });
        assert.strictEqual((await check(excludes)).length, 1);
        const includes = changeFirstStatement(docs.controllerTrust, (s) => {
            delete s.Action;
            s.NotAction = ["sts:AssumeRoleWithSAML"];
        });
        assert.deepStrictEqual(await check(includes), []);
    });

    it("reports a Deny that takes TagSession back, for the principal or for everyone", async () => {
        for (const principal of [{ Service: "pods.eks.amazonaws.com" }, "*", { AWS: "*" }]) {
            const trust = JSON.parse(JSON.stringify(docs.controllerTrust));
            trust.Statement.push({ Effect: "Deny", Principal: principal, Action: "sts:TagSession" });
            assert.match((await check(trust)).join("\n"), /a Deny statement takes sts:TagSession away/, JSON.stringify(principal));
        }
    });

    it("reads the aws-native Role's assumeRolePolicyDocument", async () => {
        const bad = changeFirstStatement(docs.controllerTrust, onlyAssumeRole);
        assert.strictEqual((await violations(trustPolicyRequiresTagSession, "aws-native:iam:Role", { assumeRolePolicyDocument: bad })).length, 1);
    });

    it("does not apply to other types", async () => {
        assert.deepStrictEqual(await violations(trustPolicyRequiresTagSession, "aws:s3/bucket:Bucket", {}), []);
    });
});

describe("shared-role-trust-names-principals", () => {
    const shared = (doc: PolicyDocument) => violations(sharedRoleTrustNamesPrincipals, ROLE, { assumeRolePolicy: renderPolicy(doc) }, { name: "shared-abac" });

    it("passes the shared trust: the account root narrowed by aws:PrincipalArn", async () => {
        assert.deepStrictEqual(await shared(docs.abacTrust), []);
    });

    it("blocks the account root, its ID or '*' with TagSession and no aws:PrincipalArn condition", async () => {
        for (const principal of [{ AWS: `arn:aws:iam::${ctx.accountId}:root` }, { AWS: ctx.accountId }, "*"]) {
            const doc = changeFirstStatement(docs.abacTrust, (s) => {
                s.Principal = principal;
                delete s.Condition;
            });
            const found = await shared(doc);
            assert.strictEqual(found.length, 1, JSON.stringify(principal));
            assert.match(found[0], /lets a whole account assume it with session tags and no aws:PrincipalArn condition/);
            assert.ok(!found[0].includes(ctx.accountId), "names no account ID");
        }
    });

    it("blocks an aws:PrincipalArn condition that is a wildcard over the account's roles, or IfExists", async () => {
        const wildcard = changeFirstStatement(docs.abacTrust, (s) => (s.Condition = { ArnLike: { "aws:PrincipalArn": `arn:aws:iam::${ctx.accountId}:role/*` } }));
        assert.strictEqual((await shared(wildcard)).length, 1);
        const ifExists = changeFirstStatement(docs.abacTrust, (s) => (s.Condition = { ArnEqualsIfExists: { "aws:PrincipalArn": CONTROLLER_ARN } }));
        assert.strictEqual((await shared(ifExists)).length, 1);
    });

    it("near miss: a named role principal needs no condition", async () => {
        const named = changeFirstStatement(docs.abacTrust, (s) => {
            s.Principal = { AWS: CONTROLLER_ARN };
            delete s.Condition;
        });
        assert.deepStrictEqual(await shared(named), []);
    });
});

describe("eso-store-role-allows-tag-session (the store-to-role join)", () => {
    it("passes the stack the components deploy", async () => {
        assert.deepStrictEqual(await stackViolations(esoStoreRoleAllowsTagSession, compliantStack()), []);
    });

    it("reports the shared role's trust without sts:TagSession because a store assumes it", async () => {
        // The shared role's trust has no RequestTag condition: only the store makes it a tagged role.
        const found = await stackViolations(esoStoreRoleAllowsTagSession, compliantStack({ abacTrust: changeFirstStatement(docs.abacTrust, onlyAssumeRole) }));
        assert.strictEqual(found.length, 1);
        assert.match(found[0], /^shared-abac: .*an ESO store in this stack assumes it with session tags/);
    });

    it("reads a store's role by ARN when no property dependency links them", async () => {
        const resources = compliantStack({ abacTrust: changeFirstStatement(docs.abacTrust, onlyAssumeRole) }).map((r) => ({ ...r, propertyDependencies: {} }));
        assert.strictEqual((await stackViolations(esoStoreRoleAllowsTagSession, resources)).length, 1);
    });

    it("passes the same shared role when no store assumes it", async () => {
        const store = clusterSecretStoreManifest({ name: "other", region: ctx.region, abacRoleArn: "arn:aws:iam::111122223333:role/other" });
        const resources = compliantStack({ abacTrust: changeFirstStatement(docs.abacTrust, onlyAssumeRole), store }).map((r) =>
            r.type.includes("ClusterSecretStore") ? { ...r, propertyDependencies: {} } : r,
        );
        assert.deepStrictEqual(await stackViolations(esoStoreRoleAllowsTagSession, resources), []);
    });
});
