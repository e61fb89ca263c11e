import * as assert from "assert";
import { esoHelmValues, generatorGuardManifests, storeGuardManifests } from "../../components";
import { esoReleaseDisallowUnguardedGenerators } from "../../policypack/policies/generators";
import { stackResource, stackViolations } from "../helpers";
import { ABAC_ARN, compliantStack } from "./fixtures";

const POLICY = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy";
const BINDING = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

function guard(change: (m: ReturnType<typeof generatorGuardManifests>) => void = () => undefined) {
    const m = generatorGuardManifests("gen-guard", { allowedGenerators: [], abacRoleArn: ABAC_ARN, esoNamespace: "external-secrets", esoServiceAccount: "external-secrets" });
    change(m);
    return [stackResource(POLICY, "gen-guard", m.policy), stackResource(BINDING, "gen-guard", m.binding)];
}

const hardened = () => esoHelmValues({ serviceAccountName: "external-secrets", allowNamespacedSecretStores: false });

describe("eso-release-disallow-unguarded-generators", () => {
    it("is a mandatory stack policy", () => {
        assert.strictEqual(esoReleaseDisallowUnguardedGenerators.enforcementLevel, "mandatory");
        assert.ok("validateStack" in esoReleaseDisallowUnguardedGenerators);
    });

    it("passes the hardened release with the generator guard bound with Deny", async () => {
        assert.deepStrictEqual(await stackViolations(esoReleaseDisallowUnguardedGenerators, compliantStack({ extra: guard() })), []);
    });

    it("reports the release without a generator guard, even with the store guard", async () => {
        const store = storeGuardManifests("store-guard", { abacRoleArn: ABAC_ARN, clusterStoreName: "team-secrets", allowNamespacedSecretStores: false });
        const found = await stackViolations(esoReleaseDisallowUnguardedGenerators, compliantStack({ extra: [stackResource(POLICY, "store-guard", store.policy), stackResource(BINDING, "store-guard", store.binding)] }));
        assert.strictEqual(found.length, 1);
        assert.match(found[0], /^eso: ESO release 'eso' serves a store that assumes a session-tag-checked role, but no ValidatingAdmissionPolicy bound with Deny guards generators/);
    });

    it("reports a guard that is not bound with Deny, fails open, or does not match every generator kind", async () => {
        const variants = [
            guard((m) => (m.binding.spec.validationActions = ["Audit"])),
            guard((m) => (m.binding.spec.policyName = "other")),
            guard((m) => ((m.policy.spec as any).failurePolicy = "Ignore")),
            guard((m) => (m.policy.spec.matchConstraints.resourceRules[0].resources = ["vaultdynamicsecrets"])),
            guard((m) => (m.policy.spec.matchConstraints.resourceRules[0].operations = ["CREATE"])),
            guard().slice(0, 1),
        ];
        for (const extra of variants) {
            assert.strictEqual((await stackViolations(esoReleaseDisallowUnguardedGenerators, compliantStack({ extra }))).length, 1);
        }
    });

    for (const key of ["aggregateToEdit", "aggregateToAdmin"]) {
        it(`reports rbac.${key} left on (the chart default) or true, even with the guard`, async () => {
            for (const value of [undefined, true]) {
                const values = hardened();
                const rbac = { ...(values.rbac as object) } as Record<string, unknown>;
                if (value === undefined) delete rbac[key];
                else rbac[key] = value;
                const found = await stackViolations(esoReleaseDisallowUnguardedGenerators, compliantStack({ helmValues: { ...values, rbac }, extra: guard() }));
                assert.strictEqual(found.length, 1, String(value));
                assert.match(found[0], new RegExp(`rbac\\.${key} is not false`));
            }
        });
    }

    it("does not apply to a stack whose stores send no session tags", async () => {
        const stack = compliantStack({ store: { apiVersion: "external-secrets.io/v1", kind: "ClusterSecretStore", metadata: { name: "plain" }, spec: { provider: { aws: { service: "SecretsManager", region: "eu-west-1" } } } }, helmValues: { installCRDs: true } });
        assert.deepStrictEqual(await stackViolations(esoReleaseDisallowUnguardedGenerators, stack), []);
    });

    it("leaves an unknown guard undecided instead of reporting it", async () => {
        const extra = guard((m) => ((m.policy as any).spec = UNKNOWN));
        assert.deepStrictEqual(await stackViolations(esoReleaseDisallowUnguardedGenerators, compliantStack({ extra })), ["undecided: string value at .eso.generator guard can't be known during preview"]);
    });
});
