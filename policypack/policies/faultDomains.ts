/**
 * Several ESO controllers (fault domains, `controllerClass`) in one stack.
 * ESO v2.9.0 serves a store without `spec.controller` with EVERY controller
 * (`pkg/controllers/secretstore/common.go` `ShouldProcessStore`), so a noisy
 * team's load is not contained; and a store whose namespace conditions
 * select the namespaces labelled for another controller's store serves that
 * domain's teams from the wrong controller. A release without
 * `controllerClass` runs as class "default" (`cmd/controller/root.go`).
 */
import { isRecord, isUnknown, plain, Props } from "../lib/values";
import { stackPolicy } from "./define";
import { isEsoChart } from "./eso";
import { stackModel } from "./stackModel";

/** The label a team's namespace carries for the store that serves it (components/lib/constants.ts STORE_LABEL_KEY). */
const STORE_LABEL_KEY = "eks-secrets-abac/store";

interface StoreView {
    name: string;
    controller: unknown;
    /** Values of STORE_LABEL_KEY its conditions select. */
    selects: unknown[];
}

function storeView(props: Props): StoreView | "unknown" {
    if (isUnknown(props.metadata) || isUnknown(props.spec)) return "unknown";
    const spec = isRecord(props.spec) ? props.spec : {};
    const conditions = Array.isArray(spec.conditions) ? spec.conditions : [];
    const selects = conditions.map((c: Props) => (isRecord(c?.namespaceSelector?.matchLabels) ? c.namespaceSelector.matchLabels[STORE_LABEL_KEY] : undefined)).filter((v: unknown) => v !== undefined);
    return { name: String(props.metadata?.name ?? ""), controller: spec.controller, selects };
}

export const esoStoresRequireControllerClass = stackPolicy({
    name: "eso-stores-require-controller-class",
    displayName: "With several ESO controllers, every store names its controller",
    description:
        "A stack runs several ESO controllers (fault domains: a release sets controllerClass) but a store has no spec.controller (every controller serves it) or names no release's controllerClass, or its namespace conditions select the namespaces labelled for a store of another controller: one team's load or objects reach another domain's controller.",
    enforcementLevel: "mandatory",
    severity: "high",
    url: "https://external-secrets.io/latest/provider/aws-secrets-manager/",
    remediationSteps:
        "Set spec.controller on every store to the controllerClass of the release that should serve it (EksSecretsAbac does this with esoControllers), and select only that domain's namespaces in spec.conditions.",
    validate: ({ resources, report, undecided }) => {
        // Fault domains are on when a release sets controllerClass (EksSecretsAbac sets it on every release
        // of a cluster with esoControllers, and on none otherwise): several clusters' releases without it are not domains.
        const classes = new Set<string>();
        let domains = false;
        for (const r of resources.filter((x) => isEsoChart(x.type, plain(x.props)))) {
            const values = plain(r.props).values;
            const cls = isRecord(values) ? values.controllerClass : values;
            if (isUnknown(cls)) return undecided(r, "values.controllerClass");
            if (typeof cls === "string" && cls !== "") domains = true;
            classes.add(typeof cls === "string" && cls !== "" ? cls : "default");
        }
        if (!domains) return;
        const views = stackModel(resources).stores.map((s) => ({ resource: s.resource, view: storeView(plain(s.resource.props)) }));
        const controllerOf = new Map<string, unknown>();
        for (const { view } of views) if (view !== "unknown") controllerOf.set(view.name, view.controller);
        for (const { resource, view } of views) {
            if (view === "unknown") {
                undecided(resource, "spec");
                continue;
            }
            if (isUnknown(view.controller)) {
                undecided(resource, "spec.controller");
                continue;
            }
            if (typeof view.controller !== "string" || view.controller === "") {
                report(resource, `Store '${view.name}' has no spec.controller while ESO controllers of several classes run (${[...classes].join(", ")}): every one serves it. Set spec.controller to the class of the controller that should.`);
                continue;
            }
            if (!classes.has(view.controller)) {
                report(resource, `Store '${view.name}' names controller '${view.controller}', which no ESO release of the stack runs (${[...classes].join(", ")}): no controller serves it. Name one of them.`);
                continue;
            }
            for (const label of view.selects) {
                const other = typeof label === "string" ? controllerOf.get(label) : undefined;
                if (typeof label === "string" && controllerOf.has(label) && other !== view.controller) {
                    report(
                        resource,
                        `Store '${view.name}' (controller '${view.controller}') selects the namespaces labelled for store '${label}' (controller '${String(other)}'): those teams would be served by another domain's controller. Select only namespaces of its own domain.`,
                    );
                }
            }
        }
        // A team's namespace is labelled for one store; its ExternalSecrets must use stores of that store's controller.
        const labelOf = new Map<string, unknown>();
        for (const r of resources.filter((x) => x.type === "kubernetes:core/v1:Namespace" || x.type === "kubernetes:core/v1:NamespacePatch")) {
            const m = plain(r.props).metadata;
            if (isRecord(m) && typeof m.name === "string") labelOf.set(m.name, isRecord(m.labels) ? m.labels[STORE_LABEL_KEY] : isUnknown(m.labels) ? m.labels : undefined);
        }
        for (const r of resources.filter((x) => /^kubernetes:external-secrets\.io\/v1(beta1)?:ExternalSecret$/.test(x.type))) {
            const props = plain(r.props);
            const ns = props.metadata?.namespace;
            const label = typeof ns === "string" ? labelOf.get(ns) : undefined;
            if (isUnknown(label) || isUnknown(props.spec)) {
                undecided(r, "metadata.namespace labels or spec");
                continue;
            }
            if (typeof label !== "string" || !controllerOf.has(label)) continue;
            const spec = isRecord(props.spec) ? props.spec : {};
            const refs = [spec.secretStoreRef, ...[...(Array.isArray(spec.data) ? spec.data : []), ...(Array.isArray(spec.dataFrom) ? spec.dataFrom : [])].map((d: Props) => d?.sourceRef?.storeRef)];
            for (const ref of refs.filter((x) => isRecord(x) && typeof x.name === "string" && controllerOf.has(x.name))) {
                if (controllerOf.get(ref.name) !== controllerOf.get(label)) {
                    report(
                        r,
                        `ExternalSecret '${String(props.metadata?.name)}' in namespace '${ns}' uses store '${ref.name}' (controller '${String(controllerOf.get(ref.name))}'), but its namespace is labelled for store '${label}' (controller '${String(controllerOf.get(label))}'): the admission policy refuses it, and the store's conditions would not serve it. Label the namespace for its own domain's store (teams[].controller).`,
                    );
                }
            }
        }
    },
});
