/**
 * What a team can create, derived from the real chart: the released ESO
 * 2.9.0 chart rendered by helm with exactly the values the component passes,
 * plus the ClusterRoles the component declares. Every resource that a
 * ClusterRole aggregated to `edit` or `admin` grants create/update/patch on,
 * and every CRD the chart installs, must be classified below; each refused
 * one is shown refused by the shipped admission policies (CEL evaluated on
 * an object built from the chart's CRD schema). A chart that adds a kind
 * fails here until someone classifies it.
 */
import * as assert from "assert";
import { EksSecretsAbac, EksSecretsAbacArgs, esoHelmValues, helmValuesProblems, preexistingObjectsAudit, storeGuardValidations, Validation } from "../components";
import { CrdInfo, crdObject, crdsOf, refusedBy, schemaErrors } from "./crdObjects";
import { aggregatedWrites, helmTemplate } from "./helm";
import { runOffline, twoTeamArgs } from "./helpers";

const ES = "external-secrets.io";
const GEN = "generators.external-secrets.io";

type Verdict =
    /** Admitted: why it cannot reach the controller's identity (ESO v2.9.0 source). */
    | { admitted: string }
    /** Refused by the shipped admission policies; `rule` names the rule. */
    | { refused: string }
    /** Namespaced SecretStores when they are allowed: the store guard decides per object (`storeGuardValidations`). */
    | { guarded: string }
    /** Cluster-scoped: no RoleBinding in a team namespace can grant it; an administrator's object. */
    | { clusterScoped: string };

/** The classification, written from the source, not from the code under test. */
function tenantReach(allowStores: boolean): Record<string, Verdict> {
    return {
        [`${ES}/externalsecrets`]: {
            admitted:
                "reads through a store or a generator only: esoNamespace is always its own metadata.namespace (externalsecret_controller_secret.go -> providers/v1/aws buildSessionTags); generatorRef resolves in its own namespace (resolvers/generator.go getGenerator), where the generator guard decides",
        },
        [`${ES}/secretstores`]: allowStores
            ? { guarded: "store guard (storeGuardValidations): refuses stores that name the shared role, chain to it, send eso* tags or use auth.jwt" }
            : { refused: "store guard: namespaced SecretStores are turned off" },
        [`${ES}/clustersecretstores`]: { clusterScoped: "store guard also refuses any other ClusterSecretStore naming the shared role" },
        [`${ES}/clusterexternalsecrets`]: { clusterScoped: "creates ExternalSecrets in the namespaces it selects: an administrator's object" },
        [`${GEN}/passwords`]: { admitted: "generators/v1/password Generate: random characters, no client, no network" },
        [`${GEN}/sshkeys`]: { admitted: "generators/v1/sshkey Generate: a key made in memory" },
        [`${GEN}/uuids`]: { admitted: "generators/v1/uuid Generate: a random UUID" },
        [`${GEN}/fakes`]: { admitted: "generators/v1/fake Generate: returns spec.data" },
        [`${GEN}/mfas`]: { admitted: "generators/v1/mfa Generate: a TOTP from a Secret of the ExternalSecret's namespace (spec.secret.namespace ignored)" },
        [`${GEN}/ecrauthorizationtokens`]: { refused: "generator guard: kind not in allowedGenerators (falls back to the controller's AWS credentials)" },
        [`${GEN}/stssessiontokens`]: { refused: "generator guard: kind not in allowedGenerators (falls back to the controller's AWS credentials)" },
        [`${GEN}/gcraccesstokens`]: { refused: "generator guard: kind not in allowedGenerators (default Google credentials, credential_source.file)" },
        [`${GEN}/acraccesstokens`]: { refused: "generator guard: kind not in allowedGenerators (managed identity, controller's federated token)" },
        [`${GEN}/vaultdynamicsecrets`]: { refused: "generator guard: kind not in allowedGenerators (getJwtString sends the controller's token)" },
        [`${GEN}/webhooks`]: { refused: "generator guard: network kind not in allowedGenerators" },
        [`${GEN}/githubaccesstokens`]: { refused: "generator guard: network kind not in allowedGenerators" },
        [`${GEN}/gitlabdeploytokens`]: { refused: "generator guard: network kind not in allowedGenerators" },
        [`${GEN}/quayaccesstokens`]: { refused: "generator guard: network kind not in allowedGenerators" },
        [`${GEN}/cloudsmithaccesstokens`]: { refused: "generator guard: network kind not in allowedGenerators" },
        [`${GEN}/grafanas`]: { refused: "generator guard: network kind not in allowedGenerators" },
        [`${GEN}/beyondtrustworkloadcredentialsdynamicsecrets`]: { refused: "generator guard: network kind not in allowedGenerators" },
        [`${GEN}/generatorstates`]: { refused: "generator guard: only the ESO controller's service account writes them (generatorstate_controller.go runs the Cleanup of the spec inside)" },
        [`${GEN}/clustergenerators`]: { clusterScoped: "every namespace may reference one (clusterGeneratorToVirtual): an administrator's object" },
    };
}

const STORE_AUTH = { secretRef: { accessKeyIDSecretRef: { name: "search-aws", key: "id" }, secretAccessKeySecretRef: { name: "search-aws", key: "secret" } } };
const ownStore = (refreshInterval: number) => ({ refreshInterval, provider: { aws: { service: "SecretsManager", region: "eu-west-1", role: "arn:aws:iam::111122223333:role/search-own", auth: STORE_AUTH } } });

/**
 * Per kind a team may write: the spec that makes one object cost the shared
 * controller without bound (ESO v2.9.0 source in `why`), and the near miss.
 * tests/templateBounds.test.ts covers each bound in depth.
 */
const COST_ATTACKS: Record<string, { why: string; attack: Record<string, unknown>; nearMiss: Record<string, unknown> } | { constant: string }> = {
    [`${ES}/externalsecrets`]: { why: "getRequeueResult: RequeueAfter refreshInterval", attack: { refreshInterval: "1s" }, nearMiss: { refreshInterval: "1m" } },
    [`${ES}/secretstores`]: { why: "store refreshInterval (seconds) requeues the store's validation", attack: ownStore(1), nearMiss: ownStore(60) },
    [`${GEN}/passwords`]: { why: "go-password v0.3.1 randomInsert, quadratic in length", attack: { length: 100_000_000, allowRepeat: true }, nearMiss: { length: 1024, allowRepeat: true } },
    [`${GEN}/sshkeys`]: { why: "rsa.GenerateKey(keySize), CRD maximum 8192", attack: { keyType: "rsa", keySize: 8192 }, nearMiss: { keyType: "rsa", keySize: 4096 } },
    [`${GEN}/mfas`]: { why: "otp.go generateCode Sprintf %0<length>d", attack: { length: 1_000_000 }, nearMiss: { length: 10 } },
    [`${GEN}/fakes`]: { why: "fake.go returns spec.data into every template", attack: { data: { v: "x".repeat(65537) } }, nearMiss: { data: { v: "x".repeat(65536) } } },
    [`${GEN}/uuids`]: { constant: "uuid.go generate reads no field of its spec" },
};

interface Policy {
    rules: { apiGroups: string[]; resources: string[]; operations: string[] }[];
    validations: Validation[];
}

/** The validations of every policy that matches the request, as the API server selects them. */
function matching(policies: Policy[], group: string, plural: string, operation: string): Validation[] {
    return policies
        .filter((p) => p.rules.some((r) => (r.apiGroups.includes(group) || r.apiGroups.includes("*")) && (r.resources.includes(plural) || r.resources.includes("*")) && r.operations.includes(operation)))
        .flatMap((p) => p.validations);
}

interface Mode {
    title: string;
    args: EksSecretsAbacArgs;
    allowStores: boolean;
}

const MODES: Mode[] = [
    { title: "default mode", args: twoTeamArgs(), allowStores: false },
    { title: "allowNamespacedSecretStores: true", args: twoTeamArgs({ allowNamespacedSecretStores: true }), allowStores: true },
];

describe("a team's reach, derived from the rendered chart and the shipped admission policies", function () {
    this.timeout(120_000);

    for (const mode of MODES) {
        describe(mode.title, () => {
            const table = tenantReach(mode.allowStores);
            let crds: Map<string, CrdInfo>;
            let writes: Map<string, string[]>;
            let policies: Policy[];
            let teamExternalSecret: any;
            let abacRole: string;

            before(async () => {
                const run = await runOffline(() => new EksSecretsAbac("prod", mode.args));
                const release = run.one("kubernetes:helm.sh/v3:Release").inputs;
                const rendered = await helmTemplate(release.name ?? "eso", release.namespace, release.values);
                crds = crdsOf(rendered.objects);
                const ours = run.ofType("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole").map((r) => ({ kind: "ClusterRole", ...r.inputs }));
                writes = aggregatedWrites([...rendered.objects.filter((o) => o.kind === "ClusterRole"), ...ours]);
                policies = run.ofType("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy").map((p) => ({
                    rules: p.inputs.spec.matchConstraints.resourceRules,
                    validations: p.inputs.spec.validations,
                }));
                const bound = new Set(run.ofType("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding").filter((b) => b.inputs.spec.validationActions.includes("Deny")).map((b) => b.inputs.spec.policyName));
                assert.strictEqual(bound.size, policies.length, "every policy is bound with Deny");
                teamExternalSecret = run.ofType("kubernetes:external-secrets.io/v1:ExternalSecret")[0].inputs;
                abacRole = run.one("kubernetes:external-secrets.io/v1:ClusterSecretStore").inputs.spec.provider.aws.role;
            });

            it("classifies every resource the aggregated edit/admin roles let a team write", () => {
                assert.ok(writes.size > 0, "no aggregated role grants anything: teams could not even create ExternalSecrets");
                const unclassified = [...writes.keys()].filter((k) => table[k] === undefined);
                assert.deepStrictEqual(unclassified, [], `classify these in tenantReach(): ${unclassified.join(", ")}`);
            });

            it("classifies every CRD the chart installs (a chart that adds a kind fails here)", () => {
                const unclassified = [...crds.values()].map((c) => `${c.group}/${c.plural}`).filter((k) => table[k] === undefined);
                assert.deepStrictEqual(unclassified, [], `classify these in tenantReach(): ${unclassified.join(", ")}`);
            });

            it("audits every generator kind the chart installs and the SecretStores, since admission sees only creates and updates", () => {
                const listed = new Set(/^kubectl get (\S+) -A$/.exec(preexistingObjectsAudit())![1].split(","));
                const wanted = [...crds.values()].filter((c) => c.group === GEN || c.kind === "SecretStore").map((c) => `${c.plural}.${c.group}`);
                assert.deepStrictEqual(wanted.filter((w) => !listed.has(w)), []);
            });

            it("lets no aggregated role grant what is refused or cluster-scoped", () => {
                const bad = [...writes.entries()].filter(([k]) => !("admitted" in table[k]) && !("guarded" in table[k])).map(([k, roles]) => `${k} (by ${roles.join(", ")})`);
                assert.deepStrictEqual(bad, []);
            });

            for (const operation of ["CREATE", "UPDATE"] as const) {
                it(`refuses, on ${operation}, an object of each refused kind built from the chart's CRD schema`, () => {
                    for (const [key, verdict] of Object.entries(table)) {
                        if (!("refused" in verdict)) continue;
                        const [group, plural] = key.split("/");
                        const crd = [...crds.values()].find((c) => c.group === group && c.plural === plural);
                        assert.ok(crd, `${key} is classified but the chart installs no such CRD: drop it from the table`);
                        const object = crdObject(crd, "search", crd.kind === "SecretStore" ? { provider: { aws: { service: "SecretsManager", region: "eu-west-1" } } } : {});
                        assert.deepStrictEqual(schemaErrors(crd, object), [], key);
                        const refusals = refusedBy(matching(policies, group, plural, operation), crd, object, "alice", operation);
                        assert.ok(refusals.length > 0, `${key} is admitted by the shipped policies, but the table says: ${verdict.refused}`);
                    }
                });
            }

            it("admits a minimal object of each admitted kind (near miss)", () => {
                for (const [key, verdict] of Object.entries(table)) {
                    if (!("admitted" in verdict)) continue;
                    const [group, plural] = key.split("/");
                    const crd = [...crds.values()].find((c) => c.group === group && c.plural === plural)!;
                    const object = crdObject(crd, "search");
                    assert.deepStrictEqual(refusedBy(matching(policies, group, plural, "CREATE"), crd, object), [], key);
                }
            });

            it("keeps the team's ExternalSecret through the team store valid and admitted by the shipped policies (near miss)", () => {
                const crd = crds.get("ExternalSecret")!;
                const object = { apiVersion: "external-secrets.io/v1", kind: "ExternalSecret", ...teamExternalSecret };
                assert.deepStrictEqual(schemaErrors(crd, object), []);
                assert.deepStrictEqual(refusedBy(matching(policies, ES, "externalsecrets", "CREATE"), crd, object), []);
                assert.strictEqual(teamExternalSecret.spec.secretStoreRef.kind, "ClusterSecretStore");
            });

            it("bounds the cost of every kind a team may write: each cost attack refused, its near miss admitted (an unbounded kind fails here)", () => {
                const unbounded = [...writes.keys()].filter((k) => ("admitted" in table[k] || "guarded" in table[k]) && COST_ATTACKS[k] === undefined);
                assert.deepStrictEqual(unbounded, [], `add a cost attack for: ${unbounded.join(", ")}`);
                for (const key of writes.keys()) {
                    const attack = COST_ATTACKS[key];
                    if (attack === undefined) continue;
                    const [group, plural] = key.split("/");
                    const crd = [...crds.values()].find((c) => c.group === group && c.plural === plural)!;
                    if ("constant" in attack) {
                        assert.deepStrictEqual(Object.keys(crd.schema.properties?.spec?.properties ?? {}), [], `${key}: ${attack.constant}, but its spec now has fields`);
                        continue;
                    }
                    for (const [spec, expectRefused] of [[attack.attack, true], [attack.nearMiss, false]] as const) {
                        const object = crdObject(crd, "search", spec);
                        assert.deepStrictEqual(schemaErrors(crd, object), [], key);
                        const refusals = refusedBy(matching(policies, group, plural, "CREATE"), crd, object);
                        assert.strictEqual(refusals.length > 0, expectRefused, `${key} ${expectRefused ? "attack" : "near miss"} (${attack.why}): ${refusals.join("; ")}`);
                    }
                }
            });

            it("classifies ClusterGenerator and the other cluster-scoped kinds correctly", () => {
                for (const [key, verdict] of Object.entries(table)) {
                    if (!("clusterScoped" in verdict)) continue;
                    const crd = [...crds.values()].find((c) => `${c.group}/${c.plural}` === key)!;
                    assert.strictEqual(crd.scope, "Cluster", key);
                }
            });

            if (mode.allowStores) {
                it("lets a team write SecretStores, which the store guard judges: the shared role refused, the team's own admitted", () => {
                    assert.ok(writes.has(`${ES}/secretstores`));
                    const crd = crds.get("SecretStore")!;
                    const rules = matching(policies, ES, "secretstores", "CREATE");
                    // The team's own credentials in a Secret of its namespace: without auth.secretRef ESO would use the controller's.
                    const auth = { secretRef: { accessKeyIDSecretRef: { name: "search-aws", key: "id" }, secretAccessKeySecretRef: { name: "search-aws", key: "secret" } } };
                    const store = (role: string) => crdObject(crd, "search", { provider: { aws: { service: "SecretsManager", region: "eu-west-1", role, auth } } });
                    assert.deepStrictEqual(schemaErrors(crd, store(abacRole)), []);
                    assert.ok(refusedBy(rules, crd, store(abacRole)).length > 0);
                    assert.deepStrictEqual(refusedBy(rules, crd, store("arn:aws:iam::111122223333:role/search-own")), []);
                    // The rules deployed are those of storeGuardValidations, which the other guard's tests cover in depth.
                    const expected = storeGuardValidations({ abacRoleArn: abacRole, clusterStoreName: "team-secrets", allowNamespacedSecretStores: true }).map((v) => v.expression);
                    // Beside them, only the ExternalSecret guard's refreshInterval floor (templateBounds.test.ts) judges SecretStores.
                    assert.deepStrictEqual(rules.map((r) => r.expression).filter((e) => expected.includes(e)), expected);
                    assert.deepStrictEqual(rules.filter((r) => !expected.includes(r.expression) && !r.expression.startsWith("!(request.resource.resource == 'externalsecrets')")).map((r) => r.message.split(":")[0]), ["A SecretStore's spec.refreshInterval must be 0 (the controller's default) or at least 60 seconds"]);
                });
            } else {
                it("grants no SecretStore write at all", () => {
                    assert.ok(!writes.has(`${ES}/secretstores`));
                });
            }
        });
    }
});

describe("chart values around ClusterGenerators and aggregation, rendered", function () {
    this.timeout(120_000);
    const hardened = () => esoHelmValues({ serviceAccountName: "external-secrets", allowNamespacedSecretStores: false });
    const ctx = { allowNamespacedSecretStores: false, esoNamespace: "external-secrets", esoServiceAccount: "external-secrets" };
    const writesOf = async (values: Record<string, unknown>) => aggregatedWrites((await helmTemplate("eso", "external-secrets", values)).objects.filter((o) => o.kind === "ClusterRole"));

    it("the hardened values aggregate none of the chart's write grants to edit or admin", async () => {
        assert.deepStrictEqual([...(await writesOf(hardened())).keys()], []);
    });

    for (const key of ["aggregateToEdit", "aggregateToAdmin"]) {
        it(`rbac.${key}: true is refused, and would aggregate create on vaultdynamicsecrets and secretstores`, async () => {
            const values = { ...hardened(), rbac: { ...(hardened().rbac as object), [key]: true } };
            const writes = await writesOf(values);
            assert.ok(writes.has(`${GEN}/vaultdynamicsecrets`) && writes.has(`${ES}/secretstores`));
            assert.ok(helmValuesProblems({ rbac: { [key]: true } }, ctx).some((p) => p.path === `rbac.${key}`));
        });
    }

    it("crds.createClusterGenerator and processClusterGenerator change no aggregated grant once aggregation is off, so they are not refused", async () => {
        const base = [...(await writesOf(hardened())).keys()];
        for (const values of [{ processClusterGenerator: false, crds: { ...(hardened().crds as object), createClusterGenerator: false } }, { processClusterGenerator: true }]) {
            assert.deepStrictEqual([...(await writesOf({ ...hardened(), ...values })).keys()], base);
            assert.deepStrictEqual(helmValuesProblems(values, ctx), []);
        }
    });
});
