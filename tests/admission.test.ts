/**
 * The Kubernetes side of isolation. In ESO 2.9.0 no Helm value keeps a
 * namespaced SecretStore from being created, and a Ready one is used; the
 * ValidatingAdmissionPolicy is what refuses the stores that could speak for
 * another namespace. Its CEL rules are evaluated here on allowed and refused
 * objects, the attacker's spellings included.
 */
import * as assert from "assert";
import { evaluate } from "@marcbachmann/cel-js";
import { clusterSecretStoreManifest, EksSecretsAbac, storeGuardManifests, storeGuardValidations, Validation } from "../components";
import { runOffline, twoTeamArgs } from "./helpers";

const ACCOUNT = "111122223333";
const ABAC = `arn:aws:iam::${ACCOUNT}:role/prod-shared-abac-role`;
const OWN_ROLE = `arn:aws:iam::${ACCOUNT}:role/search-own`;
const STORE = "team-secrets";

const strict = storeGuardValidations({ abacRoleArn: ABAC, clusterStoreName: STORE, allowNamespacedSecretStores: false });
const kept = storeGuardValidations({ abacRoleArn: ABAC, clusterStoreName: STORE, allowNamespacedSecretStores: true });

type Operation = "CREATE" | "UPDATE";

/** The team's own AWS keys: without them an AWS SecretStore would use the controller's credentials (tests/storeProviders.test.ts). */
const TEAM_KEYS = { secretRef: { accessKeyIDSecretRef: { name: "aws", key: "id" }, secretAccessKeySecretRef: { name: "aws", key: "secret" } } };

function secretStore(aws: Record<string, unknown> | undefined, name = "mine") {
    const vault = { server: "https://vault", auth: { tokenSecretRef: { name: "vault-token", key: "token" } } };
    return {
        apiVersion: "external-secrets.io/v1",
        kind: "SecretStore",
        metadata: { name, namespace: "search" },
        spec: { provider: aws === undefined ? { vault } : { aws: { service: "SecretsManager", region: "eu-west-1", auth: TEAM_KEYS, ...aws } } },
    };
}

function clusterStore(name: string, aws: Record<string, unknown>) {
    return {
        apiVersion: "external-secrets.io/v1",
        kind: "ClusterSecretStore",
        metadata: { name },
        spec: { provider: { aws: { service: "SecretsManager", region: "eu-west-1", ...aws } } },
    };
}

/** The admission request as the API server describes it to the policy. */
function request(object: { kind: string }, operation: Operation) {
    const resource = object.kind === "SecretStore" ? "secretstores" : "clustersecretstores";
    return { operation, resource: { group: "external-secrets.io", version: "v1", resource }, kind: { group: "external-secrets.io", version: "v1", kind: object.kind } };
}

/** Messages of the rules an object breaks; empty when admitted. */
function refusals(rules: Validation[], object: { kind: string }, operation: Operation = "CREATE", oldObject: unknown = null): string[] {
    const context = { object, oldObject, request: request(object, operation) };
    return rules.filter((r) => evaluate(r.expression, context) !== true).map((r) => r.message);
}

const ROLE_SPELLINGS = [
    ["the exact ARN", ABAC],
    ["upper case", ABAC.toUpperCase()],
    ["surrounding spaces", `  ${ABAC}\t`],
    ["a path", `arn:aws:iam::${ACCOUNT}:role/teams/search/prod-shared-abac-role`],
    ["another partition spelling", `arn:aws-cn:iam::${ACCOUNT}:role/prod-shared-abac-role`],
] as const;

describe("store guard: default mode refuses every namespaced SecretStore", () => {
    for (const operation of ["CREATE", "UPDATE"] as const) {
        it(`refuses on ${operation} a SecretStore of any provider, with or without a role`, () => {
            for (const store of [secretStore({ role: OWN_ROLE }), secretStore(undefined), secretStore({})]) {
                assert.deepStrictEqual(refusals(strict, store, operation, operation === "UPDATE" ? store : null), [strict[0].message]);
            }
        });
    }

    it("admits our ClusterSecretStore as the component renders it", () => {
        const ours = clusterSecretStoreManifest({ name: STORE, region: "eu-west-1", abacRoleArn: ABAC });
        assert.deepStrictEqual(refusals(strict, ours), []);
        assert.deepStrictEqual(refusals(strict, ours, "UPDATE", ours), []);
    });
});

describe("store guard: any mode refuses another ClusterSecretStore that names the shared role", () => {
    for (const [mode, rules] of [["default", strict], ["allowNamespacedSecretStores", kept]] as const) {
        for (const [spelling, role] of ROLE_SPELLINGS) {
            it(`${mode}: refuses one with ${spelling} in role, and in additionalRoles`, () => {
                const rule = rules[rules.length - 1].message;
                assert.deepStrictEqual(refusals(rules, clusterStore("shadow", { role, sessionTagsPolicy: "None" })), [rule]);
                assert.deepStrictEqual(refusals(rules, clusterStore("shadow", { role: OWN_ROLE, additionalRoles: [OWN_ROLE, role] })), [rule]);
            });
        }

        it(`${mode}: admits other ClusterSecretStores with other roles, a same-named role of another account, a longer name`, () => {
            for (const role of [OWN_ROLE, "arn:aws:iam::444455556666:role/prod-shared-abac-role", `${ABAC}-2`, `arn:aws:iam::${ACCOUNT}:role/xprod-shared-abac-role`]) {
                assert.deepStrictEqual(refusals(rules, clusterStore("vault-mirror", { role })), [], role);
            }
        });

        it(`${mode}: refuses an UPDATE that points an existing ClusterSecretStore at the shared role`, () => {
            const before = clusterStore("shadow", { role: OWN_ROLE });
            assert.deepStrictEqual(refusals(rules, before), []);
            assert.strictEqual(refusals(rules, clusterStore("shadow", { role: ABAC }), "UPDATE", before).length, 1);
        });
    }
});

describe("store guard: with allowNamespacedSecretStores, SecretStores that could forge a namespace are refused", () => {
    const [roleRule, chainRule, tagRule, customTagRule, jwtRule] = kept.map((r) => r.message);
    const secretRefRule = kept.find((r) => r.message.includes("needs spec.provider.aws.auth.secretRef"))!.message;

    it("admits a team's store with its own role, with or without sessionTagsPolicy", () => {
        assert.deepStrictEqual(refusals(kept, secretStore({ role: OWN_ROLE })), []);
        assert.deepStrictEqual(refusals(kept, secretStore({ role: OWN_ROLE, sessionTagsPolicy: "Simple" })), []);
        assert.deepStrictEqual(refusals(kept, secretStore({ role: OWN_ROLE, auth: { secretRef: { accessKeyIDSecretRef: { name: "aws", key: "id" } } } })), []);
    });

    it("admits a Vault store with the team's token and AWS stores without a role", () => {
        assert.deepStrictEqual(refusals(kept, secretStore(undefined)), []);
        assert.deepStrictEqual(refusals(kept, secretStore({})), []);
    });

    for (const [spelling, role] of ROLE_SPELLINGS) {
        it(`refuses the shared role with ${spelling}, in role and in additionalRoles`, () => {
            assert.deepStrictEqual(refusals(kept, secretStore({ role })), [roleRule]);
            assert.deepStrictEqual(refusals(kept, secretStore({ role: OWN_ROLE, additionalRoles: [role] })), [chainRule]);
        });
    }

    it("refuses eso* keys in sessionTags, whatever their case or spaces", () => {
        for (const key of ["esoNamespace", "ESONAMESPACE", " esoNamespace", "esoStoreName", "EsoAnything"]) {
            assert.deepStrictEqual(refusals(kept, secretStore({ role: OWN_ROLE, sessionTags: [{ key: "team", value: "x" }, { key, value: "payments" }] })), [tagRule], key);
        }
    });

    it("refuses eso* keys in the customSessionTags map, whatever their case", () => {
        for (const key of ["esoNamespace", "ESONamespace", "esostorekind"]) {
            const store = secretStore({ role: OWN_ROLE, sessionTagsPolicy: "Custom", customSessionTags: { team: "search", [key]: "payments" } });
            assert.deepStrictEqual(refusals(kept, store), [customTagRule], key);
        }
    });

    it("admits other session tags, as a list and as a map", () => {
        assert.deepStrictEqual(refusals(kept, secretStore({ role: OWN_ROLE, sessionTags: [{ key: "team", value: "search" }] })), []);
        assert.deepStrictEqual(refusals(kept, secretStore({ role: OWN_ROLE, sessionTagsPolicy: "Custom", customSessionTags: { team: "search" } })), []);
    });

    it("refuses auth.jwt, with or without the team's keys beside it", () => {
        assert.deepStrictEqual(refusals(kept, secretStore({ role: OWN_ROLE, auth: { ...TEAM_KEYS, jwt: { serviceAccountRef: { name: "app" } } } })), [jwtRule]);
        assert.deepStrictEqual(refusals(kept, secretStore({ role: OWN_ROLE, auth: { jwt: { serviceAccountRef: { name: "app" } } } })), [jwtRule, secretRefRule]);
    });

    it("refuses an UPDATE that adds a forged tag to an admitted store", () => {
        const before = secretStore({ role: OWN_ROLE });
        const after = secretStore({ role: OWN_ROLE, sessionTags: [{ key: "esoNamespace", value: "payments" }] });
        assert.deepStrictEqual(refusals(kept, after, "UPDATE", before), [tagRule]);
    });

    it("lists every broken rule of a store at once", () => {
        const store = secretStore({ role: ABAC, additionalRoles: [ABAC], sessionTags: [{ key: "esoNamespace", value: "p" }], customSessionTags: { esoNamespace: "p" }, auth: { jwt: {} } });
        assert.deepStrictEqual(refusals(kept, store), [roleRule, chainRule, tagRule, customTagRule, jwtRule, secretRefRule]);
    });
});

/**
 * Functions of the Kubernetes CEL environment the rules may call: the CEL
 * standard macros and functions, and the strings extension
 * (kubernetes.io/docs/reference/using-api/cel/, "Kubernetes CEL libraries":
 * charAt, indexOf, lastIndexOf, lowerAscii, upperAscii, replace, split,
 * substring, trim, join; `matches` and `startsWith` are CEL standard).
 */
const KUBERNETES_CEL_FUNCTIONS = new Set(["has", "exists", "all", "size", "matches", "startsWith", "endsWith", "contains", "trim", "lowerAscii", "split", "indexOf"]);

describe("store guard: the policy objects", () => {
    it("uses only functions the API server's CEL environment has, and only RE2-safe patterns", () => {
        for (const rule of [...strict, ...kept]) {
            for (const [, fn] of rule.expression.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\(/g)) {
                assert.ok(KUBERNETES_CEL_FUNCTIONS.has(fn), `${fn}() in ${rule.expression}`);
            }
            for (const [, pattern] of rule.expression.matchAll(/matches\('([^']*)'\)/g)) {
                assert.doesNotMatch(pattern, /\\|\(\?[=!<]/, "no escapes or look-arounds: the same text must mean the same in RE2 and ECMAScript");
            }
        }
    });

    it("binds with Deny for CREATE and UPDATE of SecretStores and ClusterSecretStores in every version", () => {
        const { policy, binding } = storeGuardManifests("guard", { abacRoleArn: ABAC, clusterStoreName: STORE, allowNamespacedSecretStores: false });
        assert.strictEqual(policy.apiVersion, "admissionregistration.k8s.io/v1");
        assert.deepStrictEqual(policy.spec.matchConstraints.resourceRules, [
            { apiGroups: ["external-secrets.io"], apiVersions: ["*"], operations: ["CREATE", "UPDATE"], resources: ["secretstores", "clustersecretstores"] },
        ]);
        assert.strictEqual(policy.spec.failurePolicy, "Fail");
        assert.deepStrictEqual(binding.spec, { policyName: "guard", validationActions: ["Deny"] });
    });

    for (const allow of [false, true]) {
        it(`is deployed with allowNamespacedSecretStores: ${allow}, for the shared role and store the stack declares`, async () => {
            const run = await runOffline(() => new EksSecretsAbac("prod", twoTeamArgs({ allowNamespacedSecretStores: allow, storeName: "shared-secrets" })));
            // The generator guard and the ExternalSecret guard are the other policies (tests/generatorGuard.test.ts, tests/templateBounds.test.ts).
            // The ExternalSecret guard also matches secretstores (its refreshInterval floor, tests/templateBounds.test.ts); only the store guard matches clustersecretstores.
            const isStoreGuard = (r: { inputs: any }) => r.inputs.spec.matchConstraints?.resourceRules?.[0]?.resources?.includes("clustersecretstores");
            const [policy] = run.ofType("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy").filter(isStoreGuard);
            const [binding] = run.ofType("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding").filter((b) => b.inputs.spec.policyName === policy.inputs.metadata.name);
            assert.strictEqual(binding.inputs.spec.policyName, policy.inputs.metadata.name);
            assert.strictEqual(policy.inputs.spec.validations.length, allow ? kept.length : strict.length);
            const store = run.one("kubernetes:external-secrets.io/v1:ClusterSecretStore");
            const rules: Validation[] = policy.inputs.spec.validations;
            assert.deepStrictEqual(refusals(rules, { kind: "ClusterSecretStore", ...store.inputs }), [], "our own store is admitted");
            assert.strictEqual(refusals(rules, clusterStore("shadow", { role: store.inputs.spec.provider.aws.role })).length, 1);
            assert.strictEqual(refusals(rules, secretStore({ role: OWN_ROLE })).length, allow ? 0 : 1);
            const values = run.one("kubernetes:helm.sh/v3:Release").inputs.values;
            assert.strictEqual(values.processSecretStore, allow ? undefined : false);
            assert.strictEqual(values.processPushSecret, false);
        });
    }
});
