/**
 * Delivery is the team's choice: a team that chose files (CSI only) is not
 * served by the ClusterSecretStores, so it cannot copy its values into a
 * Kubernetes Secret through an ExternalSecret; a team that asks for both is.
 */
import * as assert from "assert";
import { EksSecretsAbac, TeamSpec } from "../components";
import { runOffline } from "./helpers";

type Selector = { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };
type Condition = { namespaceSelector?: Selector; namespaces?: string[]; namespaceRegexes?: string[] };

/**
 * Kubernetes label selector semantics (apimachinery metav1.LabelSelectorAsSelector):
 * matchLabels and matchExpressions ANDed; an operator this does not know fails the test.
 */
function selects(selector: Selector, labels: Record<string, string>): boolean {
    const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
    const byExpressions = (selector.matchExpressions ?? []).every((e) => {
        switch (e.operator) {
            case "In":
                return e.key in labels && (e.values ?? []).includes(labels[e.key]);
            case "NotIn":
                return !(e.key in labels) || !(e.values ?? []).includes(labels[e.key]);
            case "Exists":
                return e.key in labels;
            case "DoesNotExist":
                return !(e.key in labels);
        }
        throw new Error(`unknown selector operator ${e.operator}`);
    });
    return byLabels && byExpressions;
}

/**
 * ESO's ClusterSecretStore `spec.conditions`: no conditions serves every
 * namespace; otherwise a namespace is served when one condition matches it by
 * selector, by name or by regex (external-secrets apis/externalsecrets/v1
 * ClusterSecretStoreCondition). A field of a condition this does not know fails the test.
 */
function served(conditions: Condition[] | undefined, namespace: string, labels: Record<string, string>): boolean {
    if (conditions === undefined || conditions.length === 0) return true;
    return conditions.some((c) => {
        const unknown = Object.keys(c).filter((k) => !["namespaceSelector", "namespaces", "namespaceRegexes"].includes(k));
        assert.deepStrictEqual(unknown, [], "a store condition this test does not evaluate");
        return (
            (c.namespaceSelector !== undefined && selects(c.namespaceSelector, labels)) ||
            (c.namespaces ?? []).includes(namespace) ||
            (c.namespaceRegexes ?? []).some((r) => new RegExp(r).test(namespace))
        );
    });
}

const files: TeamSpec = { namespace: "ml", secrets: [{ name: "model-key" }], parameters: [{ name: "flags" }], csi: { serviceAccounts: ["trainer"], secretProviderClasses: [{ name: "model", objects: [{ secret: "model-key" }] }] } };
const both: TeamSpec = { ...files, namespace: "search", externalSecrets: [{ name: "model", data: [{ secretKey: "KEY", secret: "model-key" }] }] };
const eso: TeamSpec = { namespace: "payments", secrets: [{ name: "db-password" }] };
const existing: TeamSpec = { ...files, namespace: "legacy", createNamespace: false };

describe("delivery mode is the team's choice", () => {
    let servedBy: Map<string, string[]>;
    before(async () => {
        const run = await runOffline(() => new EksSecretsAbac("prod", { clusterName: "prod-eu", installPodIdentityAgent: true, teams: [files, both, eso, existing] }));
        const stores = run.resources.filter((r) => r.type === "kubernetes:external-secrets.io/v1:ClusterSecretStore");
        assert.deepStrictEqual(stores.map((s) => s.inputs.metadata.name).sort(), ["team-parameters", "team-secrets"]);
        const namespaces = run.resources.filter((r) => r.type === "kubernetes:core/v1:Namespace" || r.type === "kubernetes:core/v1:NamespacePatch");
        servedBy = new Map(
            namespaces.map((n) => [n.inputs.metadata.name as string, stores.filter((s) => served(s.inputs.spec.conditions, n.inputs.metadata.name, n.inputs.metadata.labels ?? {})).map((s) => s.inputs.metadata.name as string).sort()]),
        );
    });

    it("a CSI-only team's namespace is selected by neither ClusterSecretStore (created or only labelled)", () => {
        assert.deepStrictEqual(servedBy.get("ml"), []);
        assert.deepStrictEqual(servedBy.get("legacy"), []);
    });

    it("a team that asks for both (csi and externalSecrets) is served by both stores", () => {
        assert.deepStrictEqual(servedBy.get("search"), ["team-parameters", "team-secrets"]);
    });

    it("a team without csi keeps ESO, the default delivery", () => {
        assert.deepStrictEqual(servedBy.get("payments"), ["team-parameters", "team-secrets"]);
    });
});
