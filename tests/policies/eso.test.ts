import * as assert from "assert";
import { clusterSecretStoreManifest, esoHelmValues, secretStoreGuardManifests } from "../../components";
import {
    chartMayBeOlder,
    esoChartSupportsSessionTags,
    esoReleaseDisallowUnguardedSecretStores,
    esoStoreAbacRoleRequiresSessionTagsPolicy,
    esoStoreSessionTagsMustReachAws,
    podIdentityAssociationKeepsSessionTags,
} from "../../policypack/policies/eso";
import { stackResource, stackViolations, violations } from "../helpers";
import { ABAC_ARN, compliantStack, ctx } from "./fixtures";

const STORE = "kubernetes:external-secrets.io/v1:ClusterSecretStore";
const store = clusterSecretStoreManifest({ name: "team-secrets", region: ctx.region, abacRoleArn: ABAC_ARN });
const withAws = (aws: Record<string, unknown>) => ({ ...store, spec: { ...store.spec, provider: { aws: { ...store.spec.provider.aws, ...aws } } } });

describe("eso-store-session-tags-must-reach-aws", () => {
    it("passes the component's ClusterSecretStore", async () => {
        assert.deepStrictEqual(await violations(esoStoreSessionTagsMustReachAws, STORE, store), []);
    });

    it("reports a {{ .namespace }} session tag, which ESO sends literally", async () => {
        const found = await violations(esoStoreSessionTagsMustReachAws, STORE, withAws({ sessionTagsPolicy: "None", sessionTags: [{ key: "namespace", value: "{{ .namespace }}" }] }));
        assert.strictEqual(found.length, 1);
        assert.match(found[0], /session tag 'namespace' holds a '\{\{ \}\}' template: ESO does not template session tags/);
    });

    it("reports sessionTagsPolicy without role, for SecretStores and v1beta1 too", async () => {
        for (const type of [STORE, "kubernetes:external-secrets.io/v1:SecretStore", "kubernetes:external-secrets.io/v1beta1:ClusterSecretStore"]) {
            const found = await violations(esoStoreSessionTagsMustReachAws, type, withAws({ role: undefined }));
            assert.strictEqual(found.length, 1, type);
            assert.match(found[0], /sets no `role`: ESO sends tags only when it assumes a role/);
        }
    });

    it("does not apply to other resources", async () => {
        assert.deepStrictEqual(await violations(esoStoreSessionTagsMustReachAws, "kubernetes:core/v1:Secret", {}), []);
    });
});

describe("eso-store-abac-role-requires-session-tags-policy", () => {
    it("passes a store with sessionTagsPolicy Simple", async () => {
        assert.deepStrictEqual(await stackViolations(esoStoreAbacRoleRequiresSessionTagsPolicy, compliantStack()), []);
    });

    it("reports a store that assumes the ABAC role with the policy absent or None", async () => {
        for (const policy of [undefined, "None"]) {
            const found = await stackViolations(esoStoreAbacRoleRequiresSessionTagsPolicy, compliantStack({ store: withAws({ sessionTagsPolicy: policy }) }));
            assert.deepStrictEqual(found, [
                "store: Store 'store' assumes ABAC role 'shared-abac' with sessionTagsPolicy None: no esoNamespace tag is sent. Set sessionTagsPolicy: Simple.",
            ]);
        }
    });
});

describe("eso-release-disallow-unguarded-secret-stores", () => {
    it("passes the hardened release", async () => {
        assert.deepStrictEqual(await stackViolations(esoReleaseDisallowUnguardedSecretStores, compliantStack()), []);
    });

    it("reports a release that serves namespaced SecretStores beside a tagging store", async () => {
        const helmValues = esoHelmValues({ serviceAccountName: "external-secrets", allowNamespacedSecretStores: true });
        const found = await stackViolations(esoReleaseDisallowUnguardedSecretStores, compliantStack({ helmValues }));
        assert.strictEqual(found.length, 1);
        assert.match(found[0], /^eso: ESO release 'eso' processes namespaced SecretStores/);
    });

    it("passes namespaced SecretStores guarded by the admission policy", async () => {
        const helmValues = esoHelmValues({ serviceAccountName: "external-secrets", allowNamespacedSecretStores: true });
        const { policy } = secretStoreGuardManifests("guard", ABAC_ARN);
        const guard = stackResource("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy", "guard", policy);
        assert.deepStrictEqual(await stackViolations(esoReleaseDisallowUnguardedSecretStores, compliantStack({ helmValues, extra: [guard] })), []);
    });
});

describe("eso-chart-version-supports-session-tags", () => {
    const release = "kubernetes:helm.sh/v3:Release";
    it("is advisory and passes 2.9.0", async () => {
        assert.strictEqual(esoChartSupportsSessionTags.enforcementLevel, "advisory");
        assert.deepStrictEqual(await violations(esoChartSupportsSessionTags, release, { chart: "external-secrets", version: "2.9.0" }), []);
    });

    it("reports a chart older than 2.5.0, also by OCI reference", async () => {
        for (const chart of ["external-secrets", "oci://ghcr.io/external-secrets/charts/external-secrets"]) {
            const found = await violations(esoChartSupportsSessionTags, release, { chart, version: "0.10.7" });
            assert.deepStrictEqual(found, ["ESO release 'subject' pins a chart version or range that may resolve below 2.5.0: pin 2.9.0."]);
        }
    });

    it("takes the minimum version from config", async () => {
        const found = await violations(esoChartSupportsSessionTags, release, { chart: "external-secrets", version: "2.6.0" }, { config: { minimumVersion: "2.9.0" } });
        assert.strictEqual(found.length, 1);
    });

    it("does not apply to other charts", async () => {
        assert.deepStrictEqual(await violations(esoChartSupportsSessionTags, release, { chart: "cert-manager", version: "1.0.0" }), []);
    });
});

describe("pod-identity-association-keeps-session-tags", () => {
    const type = "aws:eks/podIdentityAssociation:PodIdentityAssociation";
    it("passes an association with session tags", async () => {
        assert.deepStrictEqual(await violations(podIdentityAssociationKeepsSessionTags, type, { disableSessionTags: false }), []);
    });
    it("reports disableSessionTags", async () => {
        assert.strictEqual((await violations(podIdentityAssociationKeepsSessionTags, type, { disableSessionTags: true })).length, 1);
    });
});

describe("stack policies with unknowns and exemptions (in process)", () => {
    const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

    it("an unknown sessionTagsPolicy on a store that assumes the ABAC role is undecided, named, and not a violation", async () => {
        const found = await stackViolations(esoStoreAbacRoleRequiresSessionTagsPolicy, compliantStack({ store: withAws({ sessionTagsPolicy: UNKNOWN }) }));
        assert.deepStrictEqual(found.length, 1);
        assert.match(found[0], /^undecided: .*store\.spec\.provider\.aws\.sessionTagsPolicy/);
    });

    it("excludeFor leaves the named store alone", async () => {
        const found = await stackViolations(esoStoreAbacRoleRequiresSessionTagsPolicy, compliantStack({ store: withAws({ sessionTagsPolicy: "None" }) }), { config: { excludeFor: ["st*"] } });
        assert.deepStrictEqual(found, []);
    });

    it("judges Helm ranges with semver", () => {
        assert.strictEqual(chartMayBeOlder("^2.0", "2.5.0"), true);
        assert.strictEqual(chartMayBeOlder("2.x", "2.5.0"), true);
        assert.strictEqual(chartMayBeOlder(">=2.5.0", "2.5.0"), false);
        assert.strictEqual(chartMayBeOlder("v2.9.0", "2.5.0"), false);
        assert.strictEqual(chartMayBeOlder("latest", "2.5.0"), undefined);
    });
});
