import * as assert from "assert";
import { clusterSecretStoreManifest } from "../../components";
import { trustPolicyRequiresTagSession } from "../../policypack/policies/trust";
import { stackViolations } from "../helpers";
import { changeFirstStatement, compliantStack, ctx, docs } from "./fixtures";

const check = (parts: Parameters<typeof compliantStack>[0]) => stackViolations(trustPolicyRequiresTagSession, compliantStack(parts));
const onlyAssumeRole = (s: Record<string, any>) => {
    s.Action = "sts:AssumeRole";
};

describe("trust-policy-requires-tag-session", () => {
    it("passes the stack the components deploy", async () => {
        assert.deepStrictEqual(await check({}), []);
    });

    it("reports a Pod Identity trust without sts:TagSession", async () => {
        const found = await check({ controllerTrust: changeFirstStatement(docs.controllerTrust, onlyAssumeRole) });
        assert.deepStrictEqual(found, [
            "controller: Role 'controller' is assumed by Service:pods.eks.amazonaws.com with session tags (EKS Pod Identity always tags the session), but no statement allows sts:TagSession: allow sts:TagSession to that principal.",
        ]);
    });

    it("reports the shared role's trust without sts:TagSession because a store assumes it", async () => {
        // The shared role's trust has no RequestTag condition: only the store makes it a tagged role.
        const abacTrust = changeFirstStatement(docs.abacTrust, onlyAssumeRole);
        const found = await check({ abacTrust });
        assert.strictEqual(found.length, 1);
        assert.match(found[0], /^shared-abac: .*an ESO store in this stack assumes it with session tags/);
    });

    it("passes the same shared role when no store assumes it", async () => {
        const abacTrust = changeFirstStatement(docs.abacTrust, onlyAssumeRole);
        const store = clusterSecretStoreManifest({ name: "other", region: ctx.region, abacRoleArn: "arn:aws:iam::111122223333:role/other" });
        const resources = compliantStack({ abacTrust, store }).map((r) => (r.type.includes("ClusterSecretStore") ? { ...r, propertyDependencies: {} } : r));
        assert.deepStrictEqual(await stackViolations(trustPolicyRequiresTagSession, resources), []);
    });

    it("reports a trust that tests aws:RequestTag or aws:TagKeys without TagSession", async () => {
        for (const key of ["aws:RequestTag/team", "aws:TagKeys"]) {
            const abacTrust = changeFirstStatement(docs.abacTrust, (s) => {
                s.Action = ["sts:AssumeRole"];
                s.Condition = { "ForAllValues:StringEquals": { [key]: ["x"] } };
            });
            const found = await stackViolations(trustPolicyRequiresTagSession, compliantStack({ abacTrust }).filter((r) => !r.type.includes("SecretStore")));
            assert.match(found.join("\n"), /its trust conditions test request tags/, key);
        }
    });

    it("accepts a trust given as an object rather than a JSON string", async () => {
        const resources = compliantStack({});
        resources[0] = { ...resources[0], props: { ...resources[0].props, assumeRolePolicy: docs.controllerTrust } };
        assert.deepStrictEqual(await stackViolations(trustPolicyRequiresTagSession, resources), []);
        resources[0] = { ...resources[0], props: { ...resources[0].props, assumeRolePolicy: changeFirstStatement(docs.controllerTrust, onlyAssumeRole) } };
        assert.strictEqual((await stackViolations(trustPolicyRequiresTagSession, resources)).length, 1);
    });

    it("accepts sts:* and sts:Tag* as granting TagSession", async () => {
        for (const action of ["sts:*", ["sts:AssumeRole", "sts:Tag*"], "*"]) {
            const controllerTrust = changeFirstStatement(docs.controllerTrust, (s) => (s.Action = action));
            assert.deepStrictEqual(await check({ controllerTrust }), [], JSON.stringify(action));
        }
    });

    it("accepts TagSession granted to the same principal in a separate statement, with the Principal as a list", async () => {
        const controllerTrust = changeFirstStatement(docs.controllerTrust, onlyAssumeRole);
        controllerTrust.Statement.push({ Effect: "Allow", Principal: { Service: ["pods.eks.amazonaws.com"] }, Action: "sts:TagSession" });
        assert.deepStrictEqual(await check({ controllerTrust }), []);
    });

    it("reports TagSession granted only to another principal", async () => {
        const controllerTrust = changeFirstStatement(docs.controllerTrust, onlyAssumeRole);
        controllerTrust.Statement.push({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:TagSession" });
        assert.strictEqual((await check({ controllerTrust })).length, 1);
    });

    it("reports NotAction that leaves TagSession out, and accepts NotAction that keeps it in", async () => {
        const excludes = changeFirstStatement(docs.controllerTrust, (s) => {
            delete s.Action;
            s.NotAction = "sts:TagSession";
        });
        assert.strictEqual((await check({ controllerTrust: excludes })).length, 1);
        const includes = changeFirstStatement(docs.controllerTrust, (s) => {
            delete s.Action;
            s.NotAction = ["sts:AssumeRoleWithSAML"];
        });
        assert.deepStrictEqual(await check({ controllerTrust: includes }), []);
    });

    it("reports a Deny that takes TagSession back, for the principal or for everyone", async () => {
        for (const principal of [{ Service: "pods.eks.amazonaws.com" }, "*", { AWS: "*" }]) {
            const controllerTrust = JSON.parse(JSON.stringify(docs.controllerTrust));
            controllerTrust.Statement.push({ Effect: "Deny", Principal: principal, Action: "sts:TagSession" });
            const found = await check({ controllerTrust });
            assert.match(found.join("\n"), /a Deny statement takes sts:TagSession away/, JSON.stringify(principal));
        }
    });

    it("reads a store's role by ARN when no property dependency links them", async () => {
        const abacTrust = changeFirstStatement(docs.abacTrust, onlyAssumeRole);
        const resources = compliantStack({ abacTrust }).map((r) => ({ ...r, propertyDependencies: {} }));
        const found = await stackViolations(trustPolicyRequiresTagSession, resources);
        assert.strictEqual(found.length, 1);
        assert.match(found[0], /^shared-abac: .*an ESO store in this stack assumes it/);
    });

    it("skips a trust policy that is unknown during preview", async () => {
        const resources = compliantStack({});
        resources[0] = { ...resources[0], props: { ...resources[0].props, assumeRolePolicy: undefined } };
        assert.deepStrictEqual(await stackViolations(trustPolicyRequiresTagSession, resources), []);
    });
});
