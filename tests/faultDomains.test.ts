/**
 * Fault domains: several ESO controllers, each with its own release, store
 * and teams. The releases are rendered by the real helm from the released
 * chart; which controller serves which store and ExternalSecret is a port of
 * ESO v2.9.0's own rules, cited line by line; isolation through the one
 * shared role is decided by the IAM engine for each controller's sessions.
 */
import * as assert from "assert";
import { abacPermissionPolicy, abacTrustPolicy, controllerPermissionPolicy, PolicyDocument, roleArn } from "../components/lib/iam";
import { DEFAULT_CONTROLLER, faultDomainHelmValues, faultDomainProblems, faultDomains, FaultDomain, storeControllerField } from "../components/lib/faultDomains";
import { deepMerge, esoHelmValues } from "../components/lib/helm";
import { clusterSecretStoreManifest, storeLabels } from "../components/lib/manifests";
import { decide } from "../cli/src/checker";
import { controllerArgs, controllerDeployment, crdKinds, helmTemplate, RenderedChart } from "./helm";
import { OFFLINE } from "./helpers";
import { sharedRoleGroups, sharedTrustQuotaProblems } from "../components/crossAccountSecretsAbac";
import { evaluate } from "@marcbachmann/cel-js";
import { faultDomainExternalSecretValidations, faultDomainStoreValidations } from "../components/lib/faultDomainGuard";
import { STORE_LABEL_KEY } from "../components/lib/constants";
import type { Validation } from "../components/lib/manifests";

const { accountId, partition, region } = OFFLINE;
const TEAMS = [{ namespace: "payments" }, { namespace: "search" }, { namespace: "batch", controller: "noisy" }];
const domains = faultDomains({ controllers: [{ name: "noisy" }], teams: TEAMS, releaseName: "eso", storeName: "team-secrets" });

describe("fault domains: configuration", () => {
    it("puts every team on the default controller unless its entry names another", () => {
        assert.deepStrictEqual(
            domains.map((d) => [d.name, d.releaseName, d.namespace, d.storeName, d.teams]),
            [
                ["default", "eso", "external-secrets", "team-secrets", ["payments", "search"]],
                ["noisy", "eso-noisy", "external-secrets-noisy", "team-secrets-noisy", ["batch"]],
            ],
        );
        assert.strictEqual(faultDomains({ teams: TEAMS.slice(0, 2), releaseName: "eso", storeName: "team-secrets" }).length, 1);
    });

    it("refuses unknown controller names with the closest known one, and bad or duplicate names, every problem at once", () => {
        const problems = faultDomainProblems({
            controllers: [{ name: "noisy" }, { name: "noisy" }, { name: "Bad_Name" }, { name: DEFAULT_CONTROLLER }, { name: "x".repeat(21) }],
            teams: [{ namespace: "a", controller: "noisey" }, { namespace: "b", controller: "defualt" }, { namespace: "c", controller: "elsewhere" }, { namespace: "d", controller: "noisy" }],
        });
        assert.deepStrictEqual(
            problems.map((p) => p.path),
            ["esoControllers[1].name", "esoControllers[2].name", "esoControllers[3].name", "esoControllers[4].name", "teams[0].controller", "teams[1].controller", "teams[2].controller"],
        );
        assert.match(problems[4].message, /no such ESO controller; did you mean `noisy`\?/);
        assert.match(problems[5].message, /did you mean `default`\?/);
        assert.doesNotMatch(problems[6].message, /did you mean/);
        assert.match(problems[6].message, /known: `default`, `noisy`/);
        assert.deepStrictEqual(faultDomainProblems({ controllers: [{ name: "noisy" }], teams: TEAMS }), []);
    });
});

describe("fault domains: each release rendered by the real helm", function () {
    this.timeout(180_000);
    const rendered = new Map<string, RenderedChart>();
    const valuesOf = (d: FaultDomain) =>
        deepMerge(esoHelmValues({ serviceAccountName: d.serviceAccount, allowNamespacedSecretStores: false }), faultDomainHelmValues(d, domains.length > 1));

    before(async () => {
        for (const d of domains) rendered.set(d.name, await helmTemplate(d.releaseName, d.namespace, valuesOf(d)));
    });

    it("each controller runs with its own --controller-class and service account, in its own namespace", () => {
        for (const d of domains) {
            const objects = rendered.get(d.name)!.objects;
            assert.ok(controllerArgs(objects).includes(`--controller-class=${d.name}`), `${d.name}: ${controllerArgs(objects).join(" ")}`);
            const deployment = controllerDeployment(objects);
            assert.strictEqual(deployment.metadata.namespace, d.namespace);
            assert.strictEqual(deployment.spec.template.spec.serviceAccountName, d.serviceAccount);
        }
    });

    it("only the default release installs the CRDs, the webhook and the cert controller", () => {
        const primary = rendered.get(DEFAULT_CONTROLLER)!.objects;
        const extra = rendered.get("noisy")!.objects;
        assert.ok(crdKinds(primary).includes("ClusterSecretStore"));
        assert.deepStrictEqual(crdKinds(extra), []);
        const kinds = (objects: any[]) => objects.map((o) => o.kind);
        assert.ok(kinds(primary).includes("ValidatingWebhookConfiguration"));
        assert.ok(!kinds(extra).includes("ValidatingWebhookConfiguration"));
        assert.strictEqual(extra.filter((o) => o.kind === "Deployment").length, 1, extra.filter((o) => o.kind === "Deployment").map((o) => o.metadata.name).join(", "));
    });

    it("no cluster-scoped object of one release has the name of another's: both install side by side", () => {
        const clusterScoped = (objects: any[]) => objects.filter((o) => o.metadata?.namespace === undefined).map((o) => `${o.kind}/${o.metadata.name}`);
        const a = new Set(clusterScoped(rendered.get(DEFAULT_CONTROLLER)!.objects));
        const clash = clusterScoped(rendered.get("noisy")!.objects).filter((n) => a.has(n));
        assert.deepStrictEqual(clash, []);
    });

    it("a one-controller stack renders as before: no controllerClass, the CRDs installed", async () => {
        const [only] = faultDomains({ teams: TEAMS.slice(0, 2), releaseName: "eso", storeName: "team-secrets" });
        const values = faultDomainHelmValues(only, false);
        assert.deepStrictEqual(values, { serviceAccount: { name: "external-secrets" } });
        assert.deepStrictEqual(storeControllerField(only, false), {});
    });
});

/**
 * ESO v2.9.0's rules, ported: `ShouldProcessStore`
 * (pkg/controllers/secretstore/common.go: an empty `spec.controller` or the
 * controller's class) and `shouldSkipUnmanagedStore`
 * (pkg/controllers/externalsecret/externalsecret_controller.go: skipped when a
 * referenced store names another non-empty class).
 */
const processesStore = (storeClass: string | undefined, controllerClass: string) => storeClass === undefined || storeClass === "" || storeClass === controllerClass;
const reconcilesExternalSecret = (storeClasses: (string | undefined)[], controllerClass: string) => !storeClasses.some((c) => c !== undefined && c !== "" && c !== controllerClass);

describe("fault domains: which controller serves which store and team (ESO v2.9.0 rules)", () => {
    const stores = domains.map((d) => ({ domain: d, manifest: { ...clusterSecretStoreManifest({ name: d.storeName, region, abacRoleArn: "arn" }), spec: { ...clusterSecretStoreManifest({ name: d.storeName, region, abacRoleArn: "arn" }).spec, ...storeControllerField(d, true) } } }));

    it("each store is served by its own controller only", () => {
        for (const s of stores) {
            for (const d of domains) assert.strictEqual(processesStore(s.manifest.spec.controller, d.name), s.domain === d, `${s.domain.name}'s store by ${d.name}`);
        }
    });

    it("a team's ExternalSecret is reconciled only by its domain's controller, and its namespace label admits it to that store only", () => {
        for (const d of domains) {
            for (const team of d.teams) {
                const labels = storeLabels(d.storeName);
                for (const s of stores) {
                    const selector = s.manifest.spec.conditions[0].namespaceSelector.matchLabels;
                    const admitted = Object.entries(selector).every(([k, v]) => labels[k] === v);
                    assert.strictEqual(admitted, s.domain === d, `${team} on ${s.domain.name}'s store`);
                }
                for (const other of domains) assert.strictEqual(reconcilesExternalSecret([d.name], other.name), other === d, `${team}'s ExternalSecret by ${other.name}`);
            }
        }
    });

    it("a store without spec.controller would be served by every controller: with several, each store must name one", () => {
        for (const d of domains) assert.ok(processesStore(undefined, d.name));
        assert.ok(domains.every((d) => storeControllerField(d, true).controller === d.name));
    });

    it("an ExternalSecret that references no store (generators without a class) is reconciled by every controller: fault domains do not contain it", () => {
        for (const d of domains) assert.ok(reconcilesExternalSecret([], d.name));
    });
});

describe("fault domains: one shared role, every controller's sessions isolated", () => {
    const controllerRole = (d: FaultDomain) => roleArn(OFFLINE, `prod-eu-eso-${d.name}`);
    const trust = abacTrustPolicy({
        ...OFFLINE,
        controllerRoleArns: domains.map(controllerRole),
        clusterArns: [`arn:${partition}:eks:${region}:${accountId}:cluster/prod-eu`],
        esoServiceAccounts: [...new Set(domains.map((d) => d.serviceAccount))],
    });
    const permissions = abacPermissionPolicy({ ...OFFLINE, parameters: true });
    const podTags = (d: FaultDomain) => ({
        "aws:PrincipalTag/eks-cluster-arn": `arn:${partition}:eks:${region}:${accountId}:cluster/prod-eu`,
        "aws:PrincipalTag/eks-cluster-name": "prod-eu",
        "aws:PrincipalTag/kubernetes-namespace": d.namespace,
        "aws:PrincipalTag/kubernetes-service-account": d.serviceAccount,
        "aws:PrincipalTag/kubernetes-pod-name": `${d.releaseName}-7d9f8c6b5-x2x4z`,
        "aws:PrincipalTag/kubernetes-pod-uid": "0b5c7a7e-5c1e-4f5e-9a53-8c1f0d9e2b11",
    });

    it("the shared role's trust admits each controller's role, and no other role", () => {
        for (const d of [...domains, { ...domains[1], name: "unlisted" }]) {
            const decision = decide({
                principal: `arn:${partition}:sts::${accountId}:assumed-role/prod-eu-eso-${d.name}/eks-prod-eu-x`,
                action: "sts:AssumeRole",
                resource: roleArn(OFFLINE, "prod-eu-shared-abac-role"),
                resourceAccount: accountId,
                context: { ...podTags(d), "aws:PrincipalArn": controllerRole(d), "aws:PrincipalAccount": accountId, "aws:RequestTag/esoNamespace": "payments" },
                // The trust names the account root: the controller role's own policy must allow the call too.
                identityPolicies: [controllerPermissionPolicy(roleArn(OFFLINE, "prod-eu-shared-abac-role"))],
                resourcePolicy: trust,
            });
            assert.strictEqual(decision, d.name === "unlisted" ? "ImplicitlyDenied" : "Allowed", d.name);
        }
    });

    it("through either controller each team reads its own secret, no other team's, even shared with every principal", () => {
        const grant = (resource: string): PolicyDocument => ({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "secretsmanager:GetSecretValue", Resource: resource }] });
        for (const d of domains) {
            for (const reader of TEAMS.map((t) => t.namespace)) {
                for (const owner of TEAMS.map((t) => t.namespace)) {
                    const resource = `arn:${partition}:secretsmanager:${region}:${accountId}:secret:${owner}/db-AbCdEf`;
                    for (const shared of [false, true]) {
                        const decision = decide({
                            principal: `arn:${partition}:sts::${accountId}:assumed-role/prod-eu-shared-abac-role/external-secrets`,
                            action: "secretsmanager:GetSecretValue",
                            resource,
                            resourceAccount: accountId,
                            context: {
                                ...podTags(d),
                                "aws:PrincipalArn": roleArn(OFFLINE, "prod-eu-shared-abac-role"),
                                "aws:PrincipalAccount": accountId,
                                "aws:PrincipalTag/esoNamespace": reader,
                                "aws:PrincipalTag/esoStoreName": d.storeName,
                                "aws:PrincipalTag/esoStoreKind": "ClusterSecretStore",
                                "secretsmanager:ResourceTag/kubernetes-namespace": owner,
                                "secretsmanager:ResourceTag/eks-cluster-name": "prod-eu",
                            },
                            identityPolicies: [permissions],
                            ...(shared ? { resourcePolicy: grant(resource) } : {}),
                        });
                        assert.strictEqual(decision === "Allowed", reader === owner, `${d.name}: ${reader} reads ${owner}'s${shared ? " (shared)" : ""}: ${decision}`);
                    }
                }
            }
        }
    });
});

describe("fault domains: the admission rules keep a team's ExternalSecrets on its own controller (CEL engine)", () => {
    const stores = [
        { controller: "default", stores: ["team-secrets", "team-parameters"] },
        { controller: "noisy", stores: ["team-secrets-noisy"] },
    ];
    const esRules = faultDomainExternalSecretValidations(stores);
    const storeRules = faultDomainStoreValidations(stores);
    const nsOf = (label?: string) => ({ metadata: { name: "x", labels: label === undefined ? {} : { [STORE_LABEL_KEY]: label } } });
    const refused = (rules: Validation[], resource: string, object: object, label?: string) =>
        rules.filter((r) => {
            try {
                return evaluate(r.expression, { object, request: { resource: { resource } }, namespaceObject: resource === "clustersecretstores" ? null : nsOf(label) }) !== true;
            } catch {
                return true; // failurePolicy: Fail
            }
        }).length;
    const password = { sourceRef: { generatorRef: { apiVersion: "generators.external-secrets.io/v1alpha1", kind: "Password", name: "pw" } } };
    const es = (spec: object) => ({ apiVersion: "external-secrets.io/v1", kind: "ExternalSecret", metadata: { name: "app", namespace: "batch" }, spec });

    it("refuses a generator-only ExternalSecret (every controller would run it), and admits the same with its domain's store named", () => {
        assert.strictEqual(refused(esRules, "externalsecrets", es({ dataFrom: [password] }), "team-secrets-noisy"), 1);
        assert.strictEqual(refused(esRules, "externalsecrets", es({ dataFrom: [password] }), undefined), 1, "outside team namespaces too");
        assert.strictEqual(refused(esRules, "externalsecrets", es({ secretStoreRef: { kind: "ClusterSecretStore", name: "team-secrets-noisy" }, dataFrom: [password] }), "team-secrets-noisy"), 0);
    });

    it("refuses a team's reference to another domain's store, a namespaced store or a missing one; admits its own, parameters store included", () => {
        const ref = (kind: string, name: string) => es({ secretStoreRef: { kind, name }, data: [{ secretKey: "k", remoteRef: { key: "batch/db" } }] });
        assert.strictEqual(refused(esRules, "externalsecrets", ref("ClusterSecretStore", "team-secrets"), "team-secrets-noisy"), 1);
        assert.strictEqual(refused(esRules, "externalsecrets", ref("SecretStore", "team-secrets-noisy"), "team-secrets-noisy"), 1);
        assert.strictEqual(refused(esRules, "externalsecrets", ref("ClusterSecretStore", "nothing-here"), "team-secrets-noisy"), 1);
        const viaData = es({ secretStoreRef: { kind: "ClusterSecretStore", name: "team-secrets" }, data: [{ secretKey: "k", remoteRef: { key: "x" }, sourceRef: { storeRef: { kind: "ClusterSecretStore", name: "team-secrets-noisy" } } }] });
        assert.strictEqual(refused(esRules, "externalsecrets", viaData, "team-secrets"), 1, "a data entry's store of another domain");
        assert.strictEqual(refused(esRules, "externalsecrets", ref("ClusterSecretStore", "team-secrets-noisy"), "team-secrets-noisy"), 0);
        const withParameters = es({ secretStoreRef: { kind: "ClusterSecretStore", name: "team-secrets" }, data: [{ secretKey: "k", remoteRef: { key: "x" }, sourceRef: { storeRef: { kind: "ClusterSecretStore", name: "team-parameters" } } }] });
        assert.strictEqual(refused(esRules, "externalsecrets", withParameters, "team-secrets"), 0);
    });

    it("refuses a store without spec.controller and a domain store naming another controller; admits each named right", () => {
        const css = (name: string, controller?: string) => ({ apiVersion: "external-secrets.io/v1", kind: "ClusterSecretStore", metadata: { name }, spec: controller === undefined ? {} : { controller } });
        assert.strictEqual(refused(storeRules, "clustersecretstores", css("team-secrets-noisy")), 2, "no class, and not its domain's");
        assert.strictEqual(refused(storeRules, "clustersecretstores", css("vault")), 1);
        assert.strictEqual(refused(storeRules, "clustersecretstores", css("team-secrets-noisy", "default")), 1);
        assert.strictEqual(refused(storeRules, "clustersecretstores", css("team-secrets-noisy", "noisy")), 0);
        assert.strictEqual(refused(storeRules, "clustersecretstores", css("vault", "default")), 0);
        const ss = (controller: string) => ({ apiVersion: "external-secrets.io/v1", kind: "SecretStore", metadata: { name: "own", namespace: "batch" }, spec: { controller } });
        assert.strictEqual(refused(storeRules, "secretstores", ss("default"), "team-secrets-noisy"), 1);
        assert.strictEqual(refused(storeRules, "secretstores", ss("noisy"), "team-secrets-noisy"), 0);
    });

    it("adds no rule to a one-controller stack", () => {
        assert.deepStrictEqual([...faultDomainExternalSecretValidations(stores.slice(0, 1)), ...faultDomainStoreValidations(stores.slice(0, 1))], []);
    });
});

describe("fault domains: the shared role's trust quota counts every controller", () => {
    const account = (accountId: string) => ({ accountId, region, roleArn: `arn:aws:iam::${accountId}:role/deployer` });
    const clusters = (count: number, controllers: number) => ({
        secretsAccount: account("111122223333"),
        clusters: Array.from({ length: count }, (_, i) => ({
            clusterName: `cluster-${String(i).padStart(6, "0")}`,
            installPodIdentityAgent: true,
            account: account("222233334444"),
            esoControllers: Array.from({ length: controllers }, (_, j) => ({ name: `d${j}` })),
            teams: [],
        })),
    });

    it("spreads over more shared roles the clusters whose extra controllers make one trust too long, and refuses a cluster whose controllers alone are over the quota", () => {
        // Measured by sharedRoleGroups itself; the point is the change the extra controllers make.
        const one = sharedRoleGroups(clusters(8, 0));
        const three = sharedRoleGroups(clusters(8, 2));
        assert.strictEqual(one.roleNames.length, 1, "8 clusters with their default controller fit one trust");
        assert.ok(three.roleNames.length > 1, `8 clusters of 3 controllers each: ${three.trustSizes.join(", ")}`);
        assert.ok(three.trustSizes.every((n) => n <= 2048), three.trustSizes.join(", "));
        assert.deepStrictEqual(sharedTrustQuotaProblems(clusters(8, 2)), []);
        const crowded = sharedTrustQuotaProblems(clusters(1, 40));
        assert.strictEqual(crowded.length, 1);
        assert.strictEqual(crowded[0].path, "clusters[0]");
        assert.match(crowded[0].message, /over the secrets account's trust policy quota of 2048.*fewer esoControllers/);
    });
});
