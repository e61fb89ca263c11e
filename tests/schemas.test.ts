import * as assert from "assert";
import { clusterSecretStoreManifest, esoHelmValues, externalSecretManifest, getPath, HARDENED_VALUES } from "../components";
import {
    celFailures,
    chartDefaults,
    leafPaths,
    schemas,
    validateClusterSecretStore,
    validateExternalSecret,
    validateHelmValuesSchema,
} from "./esoSchemas";

const store = clusterSecretStoreManifest({
    name: "team-secrets",
    region: "eu-west-1",
    abacRoleArn: "arn:aws:iam::111122223333:role/shared",
});

function errorsOf(validate: { (d: unknown): boolean; errors?: unknown }, doc: unknown): string {
    validate(doc);
    return JSON.stringify(validate.errors);
}

describe("rendered objects against the ESO 2.9.0 schemas", () => {
    it("the ClusterSecretStore is valid, CEL rules included", () => {
        assert.ok(validateClusterSecretStore(store), errorsOf(validateClusterSecretStore, store));
        assert.deepStrictEqual(celFailures(schemas.store, store), []);
    });

    it("a misspelled sessionTagsPolicy fails validation instead of being pruned silently", () => {
        const aws: Record<string, unknown> = { ...store.spec.provider.aws };
        delete aws.sessionTagsPolicy;
        aws.sessionTagPolicy = "Simple";
        const typo = { ...store, spec: { ...store.spec, provider: { aws } } };
        assert.strictEqual(validateClusterSecretStore(typo), false);
        assert.match(errorsOf(validateClusterSecretStore, typo), /sessionTagPolicy/);
    });

    it("a sessionTagsPolicy outside None, Simple, Custom fails", () => {
        const bad = { ...store, spec: { ...store.spec, provider: { aws: { ...store.spec.provider.aws, sessionTagsPolicy: "Namespace" } } } };
        assert.strictEqual(validateClusterSecretStore(bad), false);
    });

    it("the CRD's CEL rule rejects customSessionTags that claim esoNamespace", () => {
        const forged = {
            ...store,
            spec: {
                ...store.spec,
                provider: { aws: { ...store.spec.provider.aws, sessionTagsPolicy: "Custom", customSessionTags: { esoNamespace: "payments" } } },
            },
        };
        assert.deepStrictEqual(
            celFailures(schemas.store, forged).map((f) => f.path),
            [".spec.provider.aws.customSessionTags"],
        );
    });

    it("an ExternalSecret with data and extract is valid", () => {
        const es = externalSecretManifest({
            name: "app",
            namespace: "payments",
            storeName: "team-secrets",
            refreshInterval: "1h",
            data: [
                { secretKey: "A", remoteKey: "payments/a" },
                { secretKey: "B", remoteKey: "payments/b", property: "password" },
            ],
            extract: ["payments/c"],
        });
        assert.ok(validateExternalSecret(es), errorsOf(validateExternalSecret, es));
        assert.deepStrictEqual(celFailures(schemas.externalSecret, es), []);
    });
});

describe("ESO Helm values", () => {
    const rendered = esoHelmValues({ serviceAccountName: "external-secrets", allowNamespacedSecretStores: false });

    it("validate against the chart's values.schema.json", () => {
        assert.ok(validateHelmValuesSchema(rendered), errorsOf(validateHelmValuesSchema, rendered));
    });

    it("use only key paths that exist in the chart's values.yaml (or lie under a map it leaves empty, such as resources: {})", () => {
        for (const p of leafPaths(rendered)) {
            // A map the chart declares empty (`resources: {}`) takes any key: the schema test above still checks its shape.
            const underEmptyMap = p.some((_, i) => {
                const v = getPath(chartDefaults, p.slice(0, i + 1));
                return v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0;
            });
            assert.ok(getPath(chartDefaults, p) !== undefined || underEmptyMap, `values.yaml has no ${p.join(".")}`);
        }
    });

    it("turn off namespaced SecretStores, PushSecrets and token minting by default, and name the service account", () => {
        for (const h of HARDENED_VALUES) {
            assert.strictEqual(getPath(chartDefaults, h.path), true, `the chart's default for ${h.path.join(".")} is on`);
            assert.strictEqual(getPath(rendered, h.path), false, h.path.join("."));
        }
        assert.deepStrictEqual(rendered.serviceAccount, { create: true, name: "external-secrets" });
    });

    it("merge the user's values but keep the hardening and the service account name", () => {
        const merged = esoHelmValues({
            serviceAccountName: "external-secrets",
            allowNamespacedSecretStores: false,
            userValues: { replicaCount: 2, processSecretStore: true, serviceAccount: { name: "other", annotations: { a: "b" } } },
        });
        assert.strictEqual(merged.replicaCount, 2);
        assert.strictEqual(merged.processSecretStore, false);
        assert.deepStrictEqual(merged.serviceAccount, { create: true, name: "external-secrets", annotations: { a: "b" } });
    });

    it("keep namespaced SecretStores only when allowed, PushSecrets still off", () => {
        const allowed = esoHelmValues({ serviceAccountName: "external-secrets", allowNamespacedSecretStores: true });
        assert.strictEqual(getPath(allowed, ["processSecretStore"]), undefined);
        assert.strictEqual(getPath(allowed, ["crds", "createSecretStore"]), undefined);
        assert.strictEqual(getPath(allowed, ["processPushSecret"]), false);
        assert.strictEqual(getPath(allowed, ["rbac", "serviceAccountTokenCreate"]), false);
    });
});
