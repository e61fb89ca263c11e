/**
 * A stack with fault domains, judged whole by the checker (the pack, the
 * access matrix and isolation proof, the reach of every principal): OK as
 * the component declares it, and refused for the mistakes fault domains
 * invite, each one changed field of that same stack.
 */
import * as assert from "assert";
import { EksSecretsAbac } from "../components";
import { judgeStack, planFromInput, RecordedResource } from "../cli/src/checker";
import { runOffline, team } from "./helpers";

const STORE = "kubernetes:external-secrets.io/v1:ClusterSecretStore";
let resources: RecordedResource[];

const judge = async (rs: RecordedResource[]) => judgeStack(planFromInput({ kind: "program", source: "fault-domains", resources: rs, undecidable: [], notes: [], config: {} }));
const edit = (match: (r: RecordedResource) => boolean, change: (inputs: any) => any) => resources.map((r) => (match(r) ? { ...r, inputs: change(r.inputs) } : r));
const policiesOf = (v: Awaited<ReturnType<typeof judge>>) => [...new Set(v.violations.map((x) => x.policy))];

describe("fault domains: the checker judges the whole stack", function () {
    this.timeout(300_000);

    before(async () => {
        const batch = { ...team("batch"), controller: "noisy", parameters: [{ name: "token" }], externalSecrets: [{ name: "app", data: [{ secretKey: "T", parameter: "token" }, { secretKey: "P", secret: "db-password" }] }] };
        const run = await runOffline(() => new EksSecretsAbac("prod", { clusterName: "prod-eu", installPodIdentityAgent: true, esoControllers: [{ name: "noisy" }], teams: [team("payments"), batch] }));
        resources = run.resources;
    });

    it("says OK for the stack as declared, with both controllers' releases, roles and associations", async () => {
        const releases = resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release").map((r) => [r.inputs.namespace, r.inputs.values.controllerClass, r.inputs.values.installCRDs]);
        assert.deepStrictEqual(releases, [["external-secrets", "default", true], ["external-secrets-noisy", "noisy", false]]);
        const associations = resources.filter((r) => r.type === "aws:eks/podIdentityAssociation:PodIdentityAssociation").map((r) => r.inputs.namespace);
        assert.deepStrictEqual(associations.sort(), ["external-secrets", "external-secrets-noisy"]);
        const trust = JSON.parse(resources.find((r) => r.type === "aws:iam/role:Role" && r.inputs.name === "prod-shared-abac-role")!.inputs.assumeRolePolicy);
        assert.match(JSON.stringify(trust), /prod-eu-eso-controller.*prod-eu-eso-noisy-controller/);
        const verdict = await judge(resources);
        assert.deepStrictEqual(verdict.violations.map((v) => `${v.policy}: ${v.message}`), []);
        assert.ok(verdict.ok);
    });

    it("refuses a store without spec.controller (every controller would serve it)", async () => {
        const mutant = edit((r) => r.type === STORE && r.inputs.metadata.name === "team-secrets-noisy", (i) => ({ ...i, spec: { ...i.spec, controller: undefined } }));
        const verdict = await judge(mutant);
        assert.ok(!verdict.ok);
        assert.deepStrictEqual(policiesOf(verdict), ["eso-stores-require-controller-class"]);
    });

    it("refuses a domain store whose conditions select another domain's namespaces", async () => {
        const mutant = edit(
            (r) => r.type === STORE && r.inputs.metadata.name === "team-parameters-noisy",
            (i) => ({ ...i, spec: { ...i.spec, conditions: [{ namespaceSelector: { matchLabels: { "eks-secrets-abac/store": "team-secrets" } } }] } }),
        );
        assert.deepStrictEqual(policiesOf(await judge(mutant)), ["eso-stores-require-controller-class"]);
    });

    it("refuses a team labelled for another domain's store than the one its ExternalSecrets use", async () => {
        const mutant = edit((r) => r.type === "kubernetes:core/v1:Namespace" && r.inputs.metadata.name === "batch", (i) => ({ ...i, metadata: { ...i.metadata, labels: { "eks-secrets-abac/store": "team-secrets" } } }));
        const verdict = await judge(mutant);
        assert.deepStrictEqual(policiesOf(verdict), ["eso-stores-require-controller-class"]);
        assert.match(verdict.violations[0].message, /ExternalSecret 'app' in namespace 'batch' uses store 'team-secrets-noisy'/);
    });

    it("knows the extra controller only through its ESO release: without it, that service account choosing esoNamespace is a leak", async () => {
        const verdict = await judge(resources.filter((r) => !(r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.namespace === "external-secrets-noisy")));
        assert.ok(!verdict.ok, "the checker should not trust an unknown origin that picks esoNamespace");
    });

    it("with a team mounting through CSI, the CSI role refuses pods of every controller's namespace (found by the property test)", async () => {
        const mounting = { ...team("files"), csi: { serviceAccounts: ["api"], secretProviderClasses: [{ name: "files", objects: [{ secret: "db-password" }] }] }, controller: "noisy" };
        const run = await runOffline(() => new EksSecretsAbac("prod", { clusterName: "prod-eu", installPodIdentityAgent: true, esoControllers: [{ name: "noisy" }], teams: [team("payments"), mounting] }));
        const verdict = await judge(run.resources);
        assert.deepStrictEqual(verdict.violations, []);
        assert.ok(verdict.ok);
    });
});
