/**
 * The generator guard's CEL, evaluated on objects that the CRDs of the
 * released chart accept (each object is checked against its CRD schema,
 * closed, so a misspelt field cannot make a refusal pass by accident).
 * Which shapes fall back to the controller's identity was read in the ESO
 * v2.9.0 source, cited at each case.
 */
import * as assert from "assert";
import { EksSecretsAbac, EsoRelease, esoHelmValues, generatorGuardManifests, generatorGuardValidations, Validation } from "../components";
import { chartCrds, CrdInfo, crdObject, refusedBy, schemaErrors } from "./crdObjects";
import { runOffline, twoTeamArgs } from "./helpers";

const ABAC = "arn:aws:iam::111122223333:role/prod-shared-abac-role";
const CONTROLLER = "system:serviceaccount:external-secrets:external-secrets";
const guardArgs = (allowedGenerators: string[]) => ({ allowedGenerators, abacRoleArn: ABAC, esoNamespace: "external-secrets", esoServiceAccount: "external-secrets" });
const strict = generatorGuardValidations(guardArgs([]));
const EXPLICIT = ["ECRAuthorizationToken", "STSSessionToken", "GCRAccessToken", "ACRAccessToken", "VaultDynamicSecret"];
const opened = generatorGuardValidations(guardArgs([...EXPLICIT, "Webhook"]));

const ref = (name: string, key = "k") => ({ name, key });
const AWS_KEYS = { accessKeyIDSecretRef: ref("aws", "id"), secretAccessKeySecretRef: ref("aws", "secret") };

let crds: Map<string, CrdInfo>;

/** A schema-valid object of `kind` with `spec` over the minimal one; fails the test when the CRD would reject it. */
function build(kind: string, spec: Record<string, unknown> = {}) {
    const crd = crds.get(kind);
    assert.ok(crd, `the chart installs no ${kind} CRD`);
    const object = crdObject(crd, "search", spec);
    assert.deepStrictEqual(schemaErrors(crd, object), [], `${kind} ${JSON.stringify(spec)} is not a valid ${kind}`);
    return { crd, object };
}

function verdict(rules: Validation[], kind: string, spec: Record<string, unknown> = {}, user = "alice"): string[] {
    const { crd, object } = build(kind, spec);
    return refusedBy(rules, crd, object, user);
}

before(async function () {
    this.timeout(120_000);
    crds = await chartCrds(esoHelmValues({ serviceAccountName: "external-secrets", allowNamespacedSecretStores: false }));
});

describe("generator guard, default: only kinds without credentials or network", () => {
    const kindRule = strict[0].message;

    for (const kind of ["Password", "SSHKey", "UUID", "Fake", "MFA"]) {
        it(`admits ${kind} on CREATE and UPDATE (near miss: an admitted generator stays admitted)`, () => {
            const { crd, object } = build(kind);
            assert.deepStrictEqual(refusedBy(strict, crd, object), []);
            assert.deepStrictEqual(refusedBy(strict, crd, object, "alice", "UPDATE"), []);
        });
    }

    for (const kind of [...EXPLICIT, "Webhook", "GithubAccessToken", "GitlabDeployToken", "QuayAccessToken", "CloudsmithAccessToken", "Grafana", "BeyondtrustWorkloadCredentialsDynamicSecret"]) {
        it(`refuses ${kind}, whoever asks, even with explicit credentials`, () => {
            assert.deepStrictEqual(verdict(strict, kind), [kindRule]);
            assert.deepStrictEqual(verdict(strict, kind, {}, CONTROLLER), [kindRule]);
        });
    }

    it("refuses a kind it does not know, as a later chart might add", () => {
        const future: CrdInfo = { group: "generators.external-secrets.io", kind: "FutureToken", plural: "futuretokens", scope: "Namespaced", version: "v1alpha1", schema: { type: "object" } };
        assert.deepStrictEqual(refusedBy(strict, future, { apiVersion: "generators.external-secrets.io/v1alpha1", kind: "FutureToken", metadata: { name: "x", namespace: "search" }, spec: {} }), [kindRule]);
    });

    it("lets only the ESO controller's service account write GeneratorStates", () => {
        const stateRule = strict[1].message;
        assert.deepStrictEqual(verdict(strict, "GeneratorState", {}, CONTROLLER), []);
        for (const user of ["alice", "system:serviceaccount:search:external-secrets", "system:serviceaccount:external-secrets:other", `${CONTROLLER}x`]) {
            assert.deepStrictEqual(verdict(strict, "GeneratorState", {}, user), [stateRule], user);
        }
    });

    it("leaves ClusterGenerators to the administrators who alone can create them", () => {
        assert.deepStrictEqual(verdict(strict, "ClusterGenerator", { kind: "Password", generator: { passwordSpec: { length: 8, allowRepeat: false, noUpper: false } } }), []);
    });
});

describe("generator guard, allowedGenerators: explicit credentials only", () => {
    const refusedOnly = (kind: string, spec: Record<string, unknown>) => verdict(opened, kind, spec);

    it("ECRAuthorizationToken: refuses the controller's credentials (no auth, a role alone, jwt without serviceAccountRef); NewGeneratorSession", () => {
        assert.strictEqual(refusedOnly("ECRAuthorizationToken", {}).length, 1);
        assert.strictEqual(refusedOnly("ECRAuthorizationToken", { role: "arn:aws:iam::111122223333:role/registry-reader" }).length, 1);
        assert.strictEqual(refusedOnly("ECRAuthorizationToken", { auth: { jwt: {} } }).length, 1);
        assert.deepStrictEqual(refusedOnly("ECRAuthorizationToken", { auth: { secretRef: AWS_KEYS } }), []);
        assert.deepStrictEqual(refusedOnly("ECRAuthorizationToken", { auth: { jwt: { serviceAccountRef: { name: "app" } } }, role: "arn:aws:iam::111122223333:role/registry-reader" }), []);
    });

    it("ECRAuthorizationToken and STSSessionToken: refuse the shared ABAC role in any spelling, which they would assume without session tags", () => {
        for (const role of [ABAC, ABAC.toUpperCase(), ` ${ABAC} `, "arn:aws:iam::111122223333:role/teams/prod-shared-abac-role"]) {
            assert.strictEqual(refusedOnly("ECRAuthorizationToken", { auth: { secretRef: AWS_KEYS }, role }).length, 1, role);
            assert.strictEqual(refusedOnly("STSSessionToken", { auth: { secretRef: AWS_KEYS }, role }).length, 1, role);
        }
    });

    it("STSSessionToken: requires auth.secretRef", () => {
        assert.strictEqual(refusedOnly("STSSessionToken", {}).length, 1);
        assert.strictEqual(refusedOnly("STSSessionToken", { auth: { jwt: { serviceAccountRef: { name: "app" } } } }).length, 1);
        assert.deepStrictEqual(refusedOnly("STSSessionToken", { auth: { secretRef: AWS_KEYS } }), []);
    });

    it("GCRAccessToken: refuses no auth (google.DefaultTokenSource) and any credConfig (credential_source.file)", () => {
        assert.strictEqual(refusedOnly("GCRAccessToken", { auth: {} }).length, 1);
        const credConfig = { credConfig: { name: "wif", key: "config.json" } };
        assert.strictEqual(refusedOnly("GCRAccessToken", { auth: { workloadIdentityFederation: { ...credConfig, audience: "x" } } }).length, 2);
        assert.strictEqual(refusedOnly("GCRAccessToken", { auth: { secretRef: { secretAccessKeySecretRef: ref("gcp") }, workloadIdentityFederation: credConfig } }).length, 1);
        assert.deepStrictEqual(refusedOnly("GCRAccessToken", { auth: { secretRef: { secretAccessKeySecretRef: ref("gcp") } } }), []);
        assert.deepStrictEqual(refusedOnly("GCRAccessToken", { auth: { workloadIdentity: { serviceAccountRef: { name: "app" }, clusterLocation: "eu", clusterName: "c", clusterProjectID: "p" } } }), []);
        assert.deepStrictEqual(refusedOnly("GCRAccessToken", { auth: { workloadIdentityFederation: { serviceAccountRef: { name: "app" }, audience: "x" } } }), []);
        assert.deepStrictEqual(refusedOnly("GCRAccessToken", { auth: { workloadIdentityFederation: { awsSecurityCredentials: { awsCredentialsSecretRef: { name: "aws" }, region: "eu-west-1" }, audience: "x" } } }), []);
    });

    it("ACRAccessToken: refuses managedIdentity and workloadIdentity without serviceAccountRef (AZURE_FEDERATED_TOKEN_FILE)", () => {
        const sp = { servicePrincipal: { secretRef: { clientId: ref("az", "id"), clientSecret: ref("az", "secret") } } };
        assert.strictEqual(refusedOnly("ACRAccessToken", { auth: {} }).length, 1);
        assert.strictEqual(refusedOnly("ACRAccessToken", { auth: { managedIdentity: { identityId: "x" } } }).length, 1);
        assert.strictEqual(refusedOnly("ACRAccessToken", { auth: { ...sp, managedIdentity: {} } }).length, 1);
        assert.strictEqual(refusedOnly("ACRAccessToken", { auth: { workloadIdentity: {} } }).length, 1);
        assert.deepStrictEqual(refusedOnly("ACRAccessToken", { auth: sp }), []);
        assert.deepStrictEqual(refusedOnly("ACRAccessToken", { auth: { workloadIdentity: { serviceAccountRef: { name: "app" } } } }), []);
    });

    it("VaultDynamicSecret: refuses kubernetes auth without serviceAccountRef or secretRef (getJwtString reads the controller's token), iam and gcp", () => {
        const vault = (auth: Record<string, unknown>) => ({ path: "db/creds/app", provider: { server: "http://attacker.example:8200", auth } });
        const k8s = { mountPath: "kubernetes", role: "app" };
        assert.strictEqual(refusedOnly("VaultDynamicSecret", vault({ kubernetes: k8s })).length, 1);
        assert.strictEqual(refusedOnly("VaultDynamicSecret", vault({ iam: { secretRef: AWS_KEYS, vaultRole: "r" } })).length, 1);
        assert.strictEqual(refusedOnly("VaultDynamicSecret", vault({ iam: { vaultRole: "r" } })).length, 1);
        assert.strictEqual(refusedOnly("VaultDynamicSecret", vault({ gcp: { role: "r" } })).length, 1);
        assert.strictEqual(refusedOnly("VaultDynamicSecret", vault({ tokenSecretRef: ref("vault"), kubernetes: k8s })).length, 1);
        assert.deepStrictEqual(refusedOnly("VaultDynamicSecret", vault({ kubernetes: { ...k8s, serviceAccountRef: { name: "app" } } })), []);
        assert.deepStrictEqual(refusedOnly("VaultDynamicSecret", vault({ kubernetes: { ...k8s, secretRef: ref("vault-jwt") } })), []);
        assert.deepStrictEqual(refusedOnly("VaultDynamicSecret", vault({ tokenSecretRef: ref("vault") })), []);
    });

    it("admits an allowed network kind as it is, and still refuses the ones not listed", () => {
        assert.deepStrictEqual(verdict(opened, "Webhook"), []);
        assert.deepStrictEqual(verdict(opened, "GithubAccessToken"), [opened[0].message]);
        assert.deepStrictEqual(verdict(opened, "Password"), []);
    });
});

describe("generator guard: the policy objects", () => {
    it("matches every resource and version of the generators group on CREATE and UPDATE, and binds with Deny", () => {
        const { policy, binding } = generatorGuardManifests("g", guardArgs([]));
        assert.deepStrictEqual(policy.spec.matchConstraints.resourceRules, [
            { apiGroups: ["generators.external-secrets.io"], apiVersions: ["*"], operations: ["CREATE", "UPDATE"], resources: ["*"] },
        ]);
        assert.strictEqual(policy.spec.failurePolicy, "Fail");
        assert.deepStrictEqual(binding.spec, { policyName: "g", validationActions: ["Deny"] });
    });

    it("uses only functions of the API server's CEL environment", () => {
        // size() and the all() macro are core CEL (the generator bounds use them).
        const allowed = new Set(["has", "matches", "trim", "lowerAscii", "size", "all"]);
        for (const rule of opened) {
            for (const [, fn] of rule.expression.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\(/g)) assert.ok(allowed.has(fn), `${fn}() in ${rule.expression}`);
        }
    });

    it("EsoRelease on its own refuses an unknown allowedGenerators kind before declaring anything", async () => {
        await assert.rejects(
            runOffline(() => new EsoRelease("eso", { namespace: "external-secrets", serviceAccountName: "external-secrets", abacRoleArn: ABAC, allowedGenerators: ["Webhooks"] })),
            /allowedGenerators\[0\]: is `Webhooks`, which is not an ESO 2\.9\.0 generator kind/,
        );
    });

    for (const allow of [false, true]) {
        it(`is deployed with allowNamespacedSecretStores: ${allow}, naming the controller the stack runs`, async () => {
            const run = await runOffline(() => new EksSecretsAbac("prod", twoTeamArgs({ allowNamespacedSecretStores: allow, esoNamespace: "eso", esoServiceAccount: "eso-sa", allowedGenerators: ["Webhook"] })));
            const policies = run.ofType("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy");
            const guard = policies.find((p) => p.inputs.spec.matchConstraints.resourceRules[0].apiGroups.includes("generators.external-secrets.io"));
            assert.ok(guard, "no generator guard");
            const bindings = run.ofType("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding");
            assert.ok(bindings.some((b) => b.inputs.spec.policyName === guard.inputs.metadata.name && b.inputs.spec.validationActions.includes("Deny")));
            const rules: Validation[] = guard.inputs.spec.validations;
            assert.deepStrictEqual(verdict(rules, "GeneratorState", {}, "system:serviceaccount:eso:eso-sa"), []);
            assert.strictEqual(verdict(rules, "GeneratorState", {}, CONTROLLER).length, 1);
            assert.deepStrictEqual(verdict(rules, "Webhook"), []);
            assert.strictEqual(verdict(rules, "VaultDynamicSecret").length, 1);
        });
    }
});
