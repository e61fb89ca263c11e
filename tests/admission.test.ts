/**
 * The Kubernetes side of isolation: with namespaced SecretStores kept, the
 * ValidatingAdmissionPolicy's CEL rules, evaluated on sample objects, stop a
 * team from forging esoNamespace or assuming the shared role itself.
 */
import * as assert from "assert";
import { evaluate } from "@marcbachmann/cel-js";
import { EksSecretsAbac, secretStoreGuardManifests, secretStoreGuardValidations } from "../components";
import { runOffline, twoTeamArgs } from "./helpers";

const ABAC = "arn:aws:iam::111122223333:role/prod-eu-shared-abac-role";
const rules = secretStoreGuardValidations(ABAC);

function secretStore(aws: Record<string, unknown> | undefined) {
    return {
        apiVersion: "external-secrets.io/v1",
        kind: "SecretStore",
        metadata: { name: "mine", namespace: "search" },
        spec: { provider: aws === undefined ? { vault: { server: "https://vault" } } : { aws: { service: "SecretsManager", region: "eu-west-1", ...aws } } },
    };
}

/** Messages of the rules an object breaks; empty when admitted. */
function rejections(object: unknown): string[] {
    return rules.filter((r) => evaluate(r.expression, { object }) !== true).map((r) => r.message);
}

describe("admission guard for namespaced SecretStores", () => {
    it("admits a team's store with its own role, with or without sessionTagsPolicy", () => {
        assert.deepStrictEqual(rejections(secretStore({ role: "arn:aws:iam::111122223333:role/search-own" })), []);
        assert.deepStrictEqual(rejections(secretStore({ role: "arn:aws:iam::111122223333:role/search-own", sessionTagsPolicy: "Simple" })), []);
    });

    it("admits stores of other providers and AWS stores without a role", () => {
        assert.deepStrictEqual(rejections(secretStore(undefined)), []);
        assert.deepStrictEqual(rejections(secretStore({})), []);
    });

    it("rejects a store that assumes the shared role, also spelled in another case", () => {
        for (const role of [ABAC, ABAC.toUpperCase()]) {
            assert.deepStrictEqual(rejections(secretStore({ role })), [rules[0].message], role);
        }
    });

    it("rejects a store that chains to the shared role through additionalRoles", () => {
        const found = rejections(secretStore({ role: "arn:aws:iam::111122223333:role/search-own", additionalRoles: [ABAC] }));
        assert.deepStrictEqual(found, [rules[1].message]);
    });

    it("rejects a forged esoNamespace tag, whatever its case, and any other eso* tag", () => {
        for (const key of ["esoNamespace", "ESONAMESPACE", "esoStoreName"]) {
            const found = rejections(secretStore({ role: "arn:aws:iam::111122223333:role/search-own", sessionTags: [{ key, value: "payments" }] }));
            assert.deepStrictEqual(found, [rules[2].message], key);
        }
    });

    it("admits other session tags", () => {
        const found = rejections(secretStore({ role: "arn:aws:iam::111122223333:role/search-own", sessionTags: [{ key: "team", value: "search" }] }));
        assert.deepStrictEqual(found, []);
    });

    it("binds the policy with Deny for CREATE and UPDATE of secretstores", () => {
        const { policy, binding } = secretStoreGuardManifests("guard", ABAC);
        assert.deepStrictEqual(policy.spec.matchConstraints.resourceRules[0].resources, ["secretstores"]);
        assert.deepStrictEqual(policy.spec.matchConstraints.resourceRules[0].operations, ["CREATE", "UPDATE"]);
        assert.strictEqual(policy.spec.failurePolicy, "Fail");
        assert.deepStrictEqual(binding.spec, { policyName: "guard", validationActions: ["Deny"] });
    });

    it("is deployed only when namespaced SecretStores are kept, for the shared role's ARN", async () => {
        const hardened = await runOffline(() => new EksSecretsAbac("prod", twoTeamArgs()));
        assert.strictEqual(hardened.ofType("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy").length, 0);
        const kept = await runOffline(() => new EksSecretsAbac("prod", twoTeamArgs({ allowNamespacedSecretStores: true })));
        const policy = kept.one("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy");
        assert.match(policy.inputs.spec.validations[0].expression, /arn:aws:iam::111122223333:role\/prod-shared-abac-role/);
        assert.strictEqual(kept.ofType("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding").length, 1);
        const values = kept.one("kubernetes:helm.sh/v3:Release").inputs.values;
        assert.strictEqual(values.processSecretStore, undefined, "the chart default (true) applies");
        assert.strictEqual(values.processPushSecret, false);
    });
});
