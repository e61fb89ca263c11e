/**
 * With `allowNamespacedSecretStores: true`, the store guard admits a
 * namespaced SecretStore only for providers and auth shapes that cannot act
 * with the controller's own identity. Every object here is checked against
 * the SecretStore CRD that the released chart installs (rendered by a real
 * `helm template`, closed so that a misspelt field fails), then judged by
 * the shipped CEL with the same evaluator as tests/admission.test.ts.
 */
import * as assert from "assert";
import { evaluate } from "@marcbachmann/cel-js";
import { storeGuardValidations, Validation } from "../components";
import { ALLOWED_PROVIDERS, REFUSED_PROVIDERS } from "../components/lib/storeProviders";
import { celFailures, closeSchema, schemas } from "./esoSchemas";
import { helmTemplate } from "./helm";
import { minimalValue } from "./crdObjects";
import Ajv from "ajv";

const ABAC = "arn:aws:iam::111122223333:role/prod-shared-abac-role";
const OWN_ROLE = "arn:aws:iam::111122223333:role/search-own";
const kept = storeGuardValidations({ abacRoleArn: ABAC, clusterStoreName: "team-secrets", allowNamespacedSecretStores: true });
const strict = storeGuardValidations({ abacRoleArn: ABAC, clusterStoreName: "team-secrets", allowNamespacedSecretStores: false });

/**
 * Every provider key of the ESO 2.9.0 SecretStore schema, written out here
 * (not read from the table under test): a chart that adds a provider fails
 * the first test below until someone classifies it.
 */
const PROVIDER_KEYS_2_9_0 = [
    "akeyless", "aws", "azurekv", "barbican", "beyondtrust", "beyondtrustworkloadcredentials", "bitwardensecretsmanager", "chef",
    "cloudrusm", "conjur", "crd", "delinea", "doppler", "dvls", "fake", "fortanix", "gcpsm", "github", "gitlab", "ibm", "infisical",
    "keepersecurity", "kubernetes", "nebiusmysterybox", "ngrok", "onboardbase", "onepassword", "onepasswordSDK", "openBao", "oracle",
    "ovh", "passbolt", "passworddepot", "previder", "pulumi", "scaleway", "secretserver", "senhasegura", "vault", "volcengine",
    "webhook", "yandexcertificatemanager", "yandexlockbox",
];

const ref = (name: string, key = "value") => ({ name, key });

/** Admitted shapes of each allowed provider: the near misses of the refused shapes below. */
const NEAR_MISSES: Record<string, Array<[string, Record<string, unknown>]>> = {
    aws: [
        ["the team's keys in auth.secretRef", { service: "SecretsManager", region: "eu-west-1", auth: { secretRef: { accessKeyIDSecretRef: ref("aws", "id"), secretAccessKeySecretRef: ref("aws", "secret") } } }],
        ["the team's keys and its own role", { service: "ParameterStore", region: "eu-west-1", role: OWN_ROLE, auth: { secretRef: { accessKeyIDSecretRef: ref("aws", "id"), secretAccessKeySecretRef: ref("aws", "secret"), sessionTokenSecretRef: ref("aws", "token") } } }],
    ],
    vault: [
        ["tokenSecretRef", { server: "https://vault.example", auth: { tokenSecretRef: ref("vault-token") } }],
        ["appRole", { server: "https://vault.example", auth: { appRole: { path: "approle", roleId: "r", secretRef: ref("approle") } } }],
        ["kubernetes with serviceAccountRef", { server: "https://vault.example", auth: { kubernetes: { mountPath: "kubernetes", role: "search", serviceAccountRef: { name: "app" } } } }],
        ["kubernetes with secretRef", { server: "https://vault.example", auth: { kubernetes: { mountPath: "kubernetes", role: "search", secretRef: ref("sa-token", "token") } } }],
        ["ldap", { server: "https://vault.example", auth: { ldap: { path: "ldap", username: "search", secretRef: ref("ldap") } } }],
        ["userPass", { server: "https://vault.example", auth: { userPass: { path: "userpass", username: "search", secretRef: ref("pw") } } }],
        ["jwt with secretRef", { server: "https://vault.example", auth: { jwt: { path: "jwt", role: "search", secretRef: ref("jwt") } } }],
        ["jwt with kubernetesServiceAccountToken", { server: "https://vault.example", auth: { jwt: { path: "jwt", role: "search", kubernetesServiceAccountToken: { serviceAccountRef: { name: "app" } } } } }],
        ["cert", { server: "https://vault.example", auth: { cert: { clientCert: ref("tls", "tls.crt"), secretRef: ref("tls", "tls.key") } } }],
    ],
    openBao: [
        ["tokenSecretRef", { server: "https://bao.example", auth: { tokenSecretRef: ref("bao-token") } }],
        ["userPass", { server: "https://bao.example", auth: { userPass: { path: "userpass", username: "search", secretRef: ref("pw") } } }],
        ["appRole", { server: "https://bao.example", auth: { appRole: { path: "approle", roleId: "r", secretRef: ref("approle") } } }],
    ],
    kubernetes: [
        ["auth.token", { server: { url: "https://kubernetes.default" }, auth: { token: { bearerToken: ref("k8s", "token") } } }],
        ["auth.cert", { server: { url: "https://kubernetes.default" }, auth: { cert: { clientCert: ref("k8s", "tls.crt"), clientKey: ref("k8s", "tls.key") } } }],
        ["auth.serviceAccount", { server: { url: "https://kubernetes.default" }, auth: { serviceAccount: { name: "reader" } } }],
    ],
    webhook: [
        ["a URL and a secret of the namespace", { url: "https://api.example/{{ .remoteRef.key }}", result: { jsonPath: "$.value" }, secrets: [{ name: "creds", secretRef: { name: "api" } }] }],
        ["NTLM from secrets", { url: "https://api.example/x", auth: { ntlm: { usernameSecret: ref("ntlm", "user"), passwordSecret: ref("ntlm", "password") } } }],
    ],
    fake: [["static data", { data: [{ key: "k", value: "v" }] }]],
    gitlab: [["a token of the namespace", { projectID: "42", auth: { SecretRef: { accessToken: ref("gitlab", "token") } } }]],
    github: [["an App key of the namespace", { appID: 1, installationID: 2, organization: "acme", auth: { privateKey: ref("github-app", "key.pem") } }]],
    onepassword: [["a Connect token of the namespace", { connectHost: "https://connect.example", vaults: { team: 1 }, auth: { secretRef: { connectTokenSecretRef: ref("op", "token") } } }]],
    doppler: [
        ["a token of the namespace", { auth: { secretRef: { dopplerToken: ref("doppler", "token") } } }],
        ["OIDC with a service account of the namespace", { auth: { oidcConfig: { identity: "id", serviceAccountRef: { name: "app" } } } }],
    ],
    bitwardensecretsmanager: [["a token of the namespace", { organizationID: "o", projectID: "p", bitwardenServerSDKURL: "https://bitwarden-sdk-server.eso.svc:9998", auth: { secretRef: { credentials: ref("bw", "token") } } }]],
    keepersecurity: [["a config Secret of the namespace", { folderID: "f", authRef: ref("keeper", "config") }]],
    chef: [["a key of the namespace", { serverUrl: "https://chef.example/organizations/acme/", username: "search", auth: { secretRef: { privateKeySecretRef: ref("chef", "key.pem") } } }]],
    pulumi: [
        ["an access token of the namespace", { organization: "acme", project: "p", environment: "e", auth: { accessToken: { secretRef: ref("pulumi", "token") } } }],
        ["OIDC with a service account of the namespace", { organization: "acme", project: "p", environment: "e", auth: { oidcConfig: { organization: "acme", serviceAccountRef: { name: "app" } } } }],
    ],
};

const rule = (fragment: string) => {
    const hit = kept.filter((r) => r.message.includes(fragment));
    assert.strictEqual(hit.length, 1, `one rule says "${fragment}"`);
    return hit[0].message;
};

/** Refused shapes of allowed providers: the attacker's moves, and the rule each must meet. */
const REFUSED_SHAPES: Array<[string, string, Record<string, unknown>, string[]]> = [
    ["aws without auth: the controller's Pod Identity credentials", "aws", { service: "SecretsManager", region: "eu-west-1", role: OWN_ROLE }, ["aws.auth.secretRef"]],
    ["aws with an empty auth", "aws", { service: "SecretsManager", region: "eu-west-1", auth: {} }, ["aws.auth.secretRef"]],
    ["aws with auth.jwt only", "aws", { service: "SecretsManager", region: "eu-west-1", auth: { jwt: { serviceAccountRef: { name: "app" } } } }, ["may not use auth.jwt", "aws.auth.secretRef"]],
    ["vault without auth", "vault", { server: "https://vault.example" }, ["needs spec.provider.vault.auth"]],
    ["vault kubernetes auth without serviceAccountRef or secretRef: the controller's token", "vault", { server: "http://attacker.example", auth: { kubernetes: { mountPath: "kubernetes", role: "x" } } }, ["auth.kubernetes must name"]],
    [
        "the same with a tokenSecretRef beside it (ESO would try the token first; the shape is still refused)",
        "vault",
        { server: "http://attacker.example", auth: { tokenSecretRef: ref("t"), kubernetes: { mountPath: "kubernetes", role: "x" } } },
        ["auth.kubernetes must name"],
    ],
    ["vault iam with the team's keys (os.Setenv process-wide)", "vault", { server: "https://vault.example", auth: { iam: { vaultRole: "r", secretRef: { accessKeyIDSecretRef: ref("a"), secretAccessKeySecretRef: ref("b") } } } }, ["auth.iam"]],
    ["vault iam with jwt", "vault", { server: "https://vault.example", auth: { iam: { vaultRole: "r", jwt: { serviceAccountRef: { name: "app" } } } } }, ["auth.iam"]],
    ["vault iam with nothing: ambient credentials", "vault", { server: "https://vault.example", auth: { iam: { vaultRole: "r" } } }, ["auth.iam"]],
    ["vault gcp with a key", "vault", { server: "https://vault.example", auth: { gcp: { role: "r", secretRef: { secretAccessKeySecretRef: ref("gcp") } } } }, ["auth.gcp"]],
    ["vault gcp with nothing: default credentials", "vault", { server: "https://vault.example", auth: { gcp: { role: "r" } } }, ["auth.gcp"]],
    ["openBao without auth", "openBao", { server: "https://bao.example" }, ["openBao needs"]],
    ["kubernetes with a kubeconfig in authRef", "kubernetes", { authRef: ref("kubeconfig", "config") }, ["authRef"]],
];

let storeSchema: any;
let validateStore: (o: unknown) => boolean;
let schemaErrors: () => unknown;

function secretStore(provider: Record<string, unknown>) {
    return { apiVersion: "external-secrets.io/v1", kind: "SecretStore", metadata: { name: "mine", namespace: "search" }, spec: { provider } };
}

/** Fails the test unless the object is a valid SecretStore of the chart's CRD (closed schema, CEL rules of the CRD). */
function assertValid(object: ReturnType<typeof secretStore>, what: string) {
    assert.ok(validateStore(object), `${what}: ${JSON.stringify(schemaErrors())}`);
    assert.deepStrictEqual(celFailures(storeSchema, object), [], `${what}: the CRD's own CEL rules`);
}

function refusals(rules: Validation[], object: { kind: string }): string[] {
    const resource = object.kind === "SecretStore" ? "secretstores" : "clustersecretstores";
    const context = { object, oldObject: null, request: { operation: "CREATE", resource: { group: "external-secrets.io", version: "v1", resource } } };
    return rules.filter((r) => evaluate(r.expression, context) !== true).map((r) => r.message);
}

/**
 * Fields the smallest shape must also carry to pass the CRD's own CEL rules
 * ("exactly one of auth or authRef", ...), which a JSON-schema walk cannot see.
 */
const CEL_REQUIRED: Record<string, string[][]> = {
    crd: [["authRef"]],
    doppler: [["auth", "secretRef"]],
    nebiusmysterybox: [["auth", "tokenSecretRef"]],
    secretserver: [["token", "value"]],
};

/** `minimalValue(schema)` with the fields of `paths` filled in as well. */
function minimalWith(schema: any, paths: string[][]): unknown {
    const out = minimalValue(schema) as Record<string, any>;
    for (const path of paths) {
        let node = out;
        let sub = schema;
        for (const key of path) {
            sub = sub.properties[key];
            node[key] ??= minimalValue(sub);
            node = node[key];
        }
    }
    return out;
}

describe("store guard with allowNamespacedSecretStores: providers and auth shapes", function () {
    this.timeout(120_000);

    before(async () => {
        const { objects } = await helmTemplate("eso", "external-secrets", { installCRDs: true });
        const crd = objects.find((o) => o.kind === "CustomResourceDefinition" && o.spec.names.kind === "SecretStore");
        storeSchema = crd.spec.versions.find((v: any) => v.name === "v1").schema.openAPIV3Schema;
        const ajv = new Ajv({ allErrors: true, strict: false });
        for (const k of ["x-kubernetes-validations", "x-kubernetes-preserve-unknown-fields", "x-kubernetes-int-or-string", "x-kubernetes-list-type", "x-kubernetes-list-map-keys", "x-kubernetes-map-type"]) ajv.addKeyword(k);
        const validate = ajv.compile(closeSchema(storeSchema));
        validateStore = (o) => validate(o) as boolean;
        schemaErrors = () => validate.errors;
    });

    it("classifies every provider key of the chart's SecretStore CRD, and the ClusterSecretStore schema has the same keys", () => {
        const provider = storeSchema.properties.spec.properties.provider;
        assert.deepStrictEqual(Object.keys(provider.properties).sort(), [...PROVIDER_KEYS_2_9_0].sort(), "the chart's SecretStore providers");
        assert.deepStrictEqual(Object.keys(schemas.store.properties.spec.properties.provider.properties).sort(), [...PROVIDER_KEYS_2_9_0].sort());
        assert.strictEqual(provider.minProperties, 1, "the catch-all rule relies on exactly one provider key");
        assert.strictEqual(provider.maxProperties, 1);
        const allowed = ALLOWED_PROVIDERS.map((p) => p.key);
        const refused = REFUSED_PROVIDERS.map((p) => p.key);
        assert.deepStrictEqual(allowed.filter((k) => refused.includes(k)), [], "no provider is both");
        assert.deepStrictEqual([...allowed, ...refused].sort(), [...PROVIDER_KEYS_2_9_0].sort());
        assert.deepStrictEqual(Object.keys(NEAR_MISSES).sort(), [...allowed].sort(), "every allowed provider has admitted shapes in this test");
    });

    for (const [key, shapes] of Object.entries(NEAR_MISSES)) {
        for (const [what, block] of shapes) {
            it(`admits ${key} with ${what}`, () => {
                const store = secretStore({ [key]: block });
                assertValid(store, `${key} ${what}`);
                assert.deepStrictEqual(refusals(kept, store), []);
                assert.deepStrictEqual(refusals(strict, store).length, 1, "default mode still refuses every SecretStore");
            });
        }
    }

    for (const [what, key, block, fragments] of REFUSED_SHAPES) {
        it(`refuses ${what}`, () => {
            const store = secretStore({ [key]: block });
            assertValid(store, what);
            const messages = refusals(kept, store);
            assert.deepStrictEqual(messages, fragments.map(rule));
            for (const m of messages.filter((m) => !m.includes("auth.jwt"))) assert.ok(m.includes(`provider ${key}`) && m.includes(`spec.provider.${key}`), m);
        });
    }

    for (const key of PROVIDER_KEYS_2_9_0.filter((k) => !(k in NEAR_MISSES))) {
        it(`refuses provider ${key} in its smallest schema-valid shape, naming it and its field`, () => {
            const store = secretStore({ [key]: minimalWith(storeSchema.properties.spec.properties.provider.properties[key], CEL_REQUIRED[key] ?? []) });
            assertValid(store, key);
            const messages = refusals(kept, store);
            assert.strictEqual(messages.length, 1, messages.join("\n"));
            assert.ok(messages[0].startsWith(`A SecretStore may not use provider ${key} (spec.provider.${key}):`), messages[0]);
        });
    }

    it("refuses an UPDATE that turns an admitted Vault store into one that sends the controller's token", () => {
        const before = secretStore({ vault: { server: "https://vault.example", auth: { kubernetes: { mountPath: "kubernetes", role: "search", serviceAccountRef: { name: "app" } } } } });
        const after = secretStore({ vault: { server: "http://attacker.example", auth: { kubernetes: { mountPath: "kubernetes", role: "search" } } } });
        assertValid(after, "the updated store");
        const context = { object: after, oldObject: before, request: { operation: "UPDATE", resource: { group: "external-secrets.io", version: "v1", resource: "secretstores" } } };
        assert.deepStrictEqual(kept.filter((r) => evaluate(r.expression, context) !== true).map((r) => r.message), [rule("auth.kubernetes must name")]);
    });

    it("refuses a provider key ESO 2.9.0 does not declare (a newer CRD) with the catch-all rule", () => {
        const messages = refusals(kept, secretStore({ someNewVault: { server: "https://x" } }));
        assert.strictEqual(messages.length, 1);
        assert.match(messages[0], /does not declare/);
    });

    it("leaves ClusterSecretStores, the platform team's objects, to the other rules", () => {
        const gcp = { apiVersion: "external-secrets.io/v1", kind: "ClusterSecretStore", metadata: { name: "gcp" }, spec: { provider: { gcpsm: { projectID: "p" } } } };
        assert.deepStrictEqual(refusals(kept, gcp), []);
    });

    it("cites a source file for every decision", () => {
        for (const p of [...ALLOWED_PROVIDERS, ...REFUSED_PROVIDERS]) assert.ok(p.why.length > 40, p.key);
        for (const p of [...ALLOWED_PROVIDERS, ...REFUSED_PROVIDERS].filter((p) => !p.why.includes("was not read"))) {
            assert.match(p.why, /[a-z_/]+\.go/, `${p.key} names the file it was read in`);
        }
    });
});
