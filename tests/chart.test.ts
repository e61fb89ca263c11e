/**
 * The released external-secrets 2.9.0 chart, rendered by a real `helm
 * template` with exactly the values EsoRelease passes (read from the Release
 * the offline cloud recorded), and checked against what the Pod Identity
 * association and our docs say.
 */
import * as assert from "assert";
import { CONTROLLER_DEFAULTS, deepMerge, EksSecretsAbac, EksSecretsAbacArgs, esoHelmValues, getPath, HARDENED_VALUES, HelmValues, helmValuesProblems, validateArgs } from "../components";
import { chartDefaults, validateHelmValuesSchema } from "./esoSchemas";
import { allowsTokenCreate, controllerArgs, controllerDeployment, crdKinds, helmTemplate, HelmTemplateError, RenderedChart, rulesBoundTo } from "./helm";
import { runOffline, twoTeamArgs } from "./helpers";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildPlan, renderPlan } from "../cli/src/checker";

const RELEASE = "eso";
const NAMESPACE = "external-secrets";

/** CRDs every mode installs; the SecretStore CRD is not gated by any value in 2.9.0. */
const CRDS_KEPT = ["ClusterExternalSecret", "ClusterSecretStore", "ExternalSecret", "SecretStore"];
const CRDS_DROPPED = ["ClusterPushSecret", "PushSecret"];

interface Mode {
    title: string;
    args: EksSecretsAbacArgs;
    /** What README says about the SecretStore status reconciler in this mode. */
    secretStoreReconciler: boolean;
}

const MODES: Mode[] = [
    { title: "default (no namespaced SecretStores)", args: twoTeamArgs(), secretStoreReconciler: false },
    { title: "allowNamespacedSecretStores: true", args: twoTeamArgs({ allowNamespacedSecretStores: true }), secretStoreReconciler: true },
    {
        title: "user helmValues, own namespace and service account",
        args: twoTeamArgs({
            esoNamespace: "eso-system",
            esoServiceAccount: "eso-controller",
            helmValues: {
                replicaCount: 2,
                leaderElect: true,
                concurrent: 4,
                extraArgs: { "enable-extended-metric-labels": "true" },
                serviceAccount: { annotations: { owner: "platform" } },
                resources: { requests: { cpu: "100m", memory: "128Mi" } },
            },
        }),
        secretStoreReconciler: false,
    },
];

describe("the ESO 2.9.0 chart rendered by helm with the values EsoRelease passes", function () {
    this.timeout(120_000);

    for (const mode of MODES) {
        describe(mode.title, () => {
            let rendered: RenderedChart;
            let association: Record<string, any>;
            let release: Record<string, any>;

            before(async () => {
                const run = await runOffline(() => new EksSecretsAbac("prod", mode.args));
                release = run.one("kubernetes:helm.sh/v3:Release").inputs;
                association = run.one("aws:eks/podIdentityAssociation:PodIdentityAssociation").inputs;
                // helm exits non-zero on a schema violation or a chart `fail`: before() then fails.
                rendered = await helmTemplate(release.name ?? RELEASE, release.namespace, release.values);
            });

            it("renders: helm template exits 0", () => {
                assert.ok(rendered.objects.length > 0);
            });

            it("installs the SecretStore, ClusterSecretStore and ExternalSecret CRDs and no PushSecret CRD", () => {
                const kinds = crdKinds(rendered.objects);
                for (const kind of CRDS_DROPPED) assert.ok(!kinds.includes(kind), `${kind} CRD rendered`);
                const esoGroup = rendered.objects
                    .filter((o) => o.kind === "CustomResourceDefinition" && o.spec.group === "external-secrets.io")
                    .map((o) => o.spec.names.kind)
                    .sort();
                assert.deepStrictEqual(esoGroup, CRDS_KEPT);
            });

            it("runs the controller as the service account and in the namespace the Pod Identity association names", () => {
                const deployment = controllerDeployment(rendered.objects);
                assert.ok(deployment, "no controller Deployment");
                assert.strictEqual(deployment.metadata.namespace, association.namespace);
                assert.strictEqual(deployment.spec.template.spec.serviceAccountName, association.serviceAccount);
                const sa = rendered.objects.find((o) => o.kind === "ServiceAccount" && o.metadata.name === association.serviceAccount);
                assert.ok(sa, "the chart does not create the associated service account");
                assert.strictEqual(sa.metadata.namespace, association.namespace);
            });

            it("passes the reconciler flags the docs name and leaves the flood gate at ESO's default (on)", () => {
                const args = controllerArgs(rendered.objects);
                assert.ok(args.includes("--enable-push-secret-reconciler=false"), args.join(" "));
                assert.ok(args.includes("--enable-cluster-push-secret-reconciler=false"), args.join(" "));
                assert.strictEqual(args.includes("--enable-secret-store-reconciler=false"), !mode.secretStoreReconciler, args.join(" "));
                // ESO 2.9.0 cmd/controller/root.go: --enable-flood-gate defaults to true; no arg may name it.
                assert.deepStrictEqual(args.filter((a) => a.startsWith("--enable-flood-gate")), []);
                assert.deepStrictEqual(args.filter((a) => a.startsWith("--enable-cluster-store-reconciler")), []);
                assert.deepStrictEqual(args.filter((a) => a.startsWith("--namespace")), []);
            });

            it("grants the controller no create on serviceaccounts/token", () => {
                const rules = rulesBoundTo(rendered.objects, association.serviceAccount, association.namespace);
                assert.ok(rules.length > 0, "no RBAC rule bound to the controller at all");
                assert.deepStrictEqual(rules.filter((r) => allowsTokenCreate(r.rule)), []);
            });
        });
    }
});

function hardenedValues(): HelmValues {
    return esoHelmValues({ serviceAccountName: "external-secrets", allowNamespacedSecretStores: false });
}

function nest(path: string[], value: unknown): HelmValues {
    return path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) as HelmValues;
}

async function renderOrError(values: HelmValues): Promise<RenderedChart | HelmTemplateError> {
    try {
        return await helmTemplate(RELEASE, NAMESPACE, values);
    } catch (err) {
        if (err instanceof HelmTemplateError) return err;
        throw err;
    }
}

describe("each hardened Helm value changes what the 2.9.0 chart renders", function () {
    this.timeout(120_000);
    let baseline: RenderedChart;
    before(async () => {
        baseline = await helmTemplate(RELEASE, NAMESPACE, hardenedValues());
    });

    for (const hardened of HARDENED_VALUES) {
        const dotted = hardened.path.join(".");
        it(`${dotted}: ${hardened.value} (the chart default is ${getPath(chartDefaults, hardened.path)})`, async () => {
            const chartDefault = getPath(chartDefaults, hardened.path);
            assert.notStrictEqual(chartDefault, hardened.value, "a value equal to the chart default hardens nothing");
            const without = await renderOrError(deepMerge(hardenedValues(), nest(hardened.path, chartDefault)));
            if (without instanceof HelmTemplateError) {
                // Only the sanity check of _helpers.tpl may refuse the variant: the value is then required.
                assert.strictEqual(dotted, "processClusterPushSecret");
                assert.match(without.stderr, /disabled processing of PushSecrets but not ClusterPushSecrets/);
                return;
            }
            assert.notDeepStrictEqual(without.objects, baseline.objects, `${dotted} changes nothing`);
        });
    }

    it("crds.createSecretStore: false, which the chart ignores, changes nothing (so it is not claimed)", async () => {
        const ignored = await helmTemplate(RELEASE, NAMESPACE, deepMerge(hardenedValues(), { crds: { createSecretStore: false } }));
        assert.deepStrictEqual(ignored.objects, baseline.objects);
        assert.ok(crdKinds(ignored.objects).includes("SecretStore"));
    });

    it("the chart refuses processPushSecret: false alone, as the values before 2.9.0 had it", async () => {
        const old = await renderOrError({ processPushSecret: false, serviceAccount: { name: "external-secrets" } });
        assert.ok(old instanceof HelmTemplateError);
        assert.match(old.stderr, /disabled processing of PushSecrets but not ClusterPushSecrets/);
    });
});

interface Reopener {
    values: HelmValues;
    /** The helmValues path validation must name. */
    path: string;
    /** What the chart renders when the value gets through: the proof that it undoes something. */
    undoes: (rendered: RenderedChart) => boolean;
}

const lastFlag = (r: RenderedChart, flag: string) =>
    controllerArgs(r.objects)
        .filter((a) => a === `--${flag}` || a.startsWith(`--${flag}=`))
        .pop();

const REOPENERS: Reopener[] = [
    {
        values: { extraArgs: { "enable-secret-store-reconciler": "true" } },
        path: "extraArgs.enable-secret-store-reconciler",
        undoes: (r) => lastFlag(r, "enable-secret-store-reconciler") === "--enable-secret-store-reconciler=true",
    },
    {
        values: { extraArgs: { "enable-flood-gate": "false" } },
        path: "extraArgs.enable-flood-gate",
        undoes: (r) => lastFlag(r, "enable-flood-gate") === "--enable-flood-gate=false",
    },
    {
        // The whole flag as a key with an empty value renders `--<key>` verbatim.
        values: { extraArgs: { "enable-flood-gate=false": "" } },
        path: "extraArgs.enable-flood-gate=false",
        undoes: (r) => lastFlag(r, "enable-flood-gate") === "--enable-flood-gate=false",
    },
    {
        values: { extraArgs: { " Enable-Push-Secret-Reconciler ": "true" } },
        path: "extraArgs. Enable-Push-Secret-Reconciler ",
        undoes: (r) => controllerArgs(r.objects).some((a) => a.includes("Enable-Push-Secret-Reconciler")),
    },
    {
        values: { extraArgs: { "enable-cluster-push-secret-reconciler": "true" } },
        path: "extraArgs.enable-cluster-push-secret-reconciler",
        undoes: (r) => lastFlag(r, "enable-cluster-push-secret-reconciler") === "--enable-cluster-push-secret-reconciler=true",
    },
    {
        values: { extraArgs: { "enable-cluster-store-reconciler": "false" } },
        path: "extraArgs.enable-cluster-store-reconciler",
        undoes: (r) => lastFlag(r, "enable-cluster-store-reconciler") === "--enable-cluster-store-reconciler=false",
    },
    {
        values: { extraArgs: { namespace: "payments" } },
        path: "extraArgs.namespace",
        undoes: (r) => controllerArgs(r.objects).includes("--namespace=payments"),
    },
    {
        values: { processSecretStore: true },
        path: "processSecretStore",
        undoes: (r) => !controllerArgs(r.objects).includes("--enable-secret-store-reconciler=false"),
    },
    {
        values: { processPushSecret: true, processClusterPushSecret: true },
        path: "processPushSecret",
        undoes: (r) => !controllerArgs(r.objects).some((a) => a.includes("push-secret-reconciler=false")),
    },
    {
        values: { crds: { createPushSecret: true } },
        path: "crds.createPushSecret",
        undoes: (r) => crdKinds(r.objects).includes("PushSecret"),
    },
    {
        values: { rbac: { serviceAccountTokenCreate: true } },
        path: "rbac.serviceAccountTokenCreate",
        undoes: (r) => rulesBoundTo(r.objects, "external-secrets", NAMESPACE).some((x) => allowsTokenCreate(x.rule)),
    },
    {
        values: { rbac: { aggregateToEdit: true } },
        path: "rbac.aggregateToEdit",
        undoes: (r) => r.objects.some((o) => o.kind === "ClusterRole" && o.metadata.labels?.["rbac.authorization.k8s.io/aggregate-to-edit"] === "true" && JSON.stringify(o.rules).includes("vaultdynamicsecrets") && JSON.stringify(o.rules).includes("create")),
    },
    {
        values: { rbac: { aggregateToAdmin: true } },
        path: "rbac.aggregateToAdmin",
        undoes: (r) => r.objects.some((o) => o.kind === "ClusterRole" && o.metadata.labels?.["rbac.authorization.k8s.io/aggregate-to-admin"] === "true" && JSON.stringify(o.rules).includes("vaultdynamicsecrets") && JSON.stringify(o.rules).includes("create")),
    },
    {
        values: {
            extraObjects: [
                {
                    apiVersion: "rbac.authorization.k8s.io/v1",
                    kind: "ClusterRole",
                    metadata: { name: "generators", labels: { "rbac.authorization.k8s.io/aggregate-to-edit": "true" } },
                    rules: [{ apiGroups: ["generators.external-secrets.io"], resources: ["*"], verbs: ["create"] }],
                },
            ],
        },
        path: "extraObjects[0]",
        undoes: (r) => r.objects.some((o) => o.kind === "ClusterRole" && o.metadata.name === "generators" && o.metadata.labels?.["rbac.authorization.k8s.io/aggregate-to-edit"] === "true"),
    },
    {
        values: { extraObjects: ["apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: generators-text\n  labels:\n    rbac.authorization.k8s.io/aggregate-to-admin: \"true\"\nrules: []\n"] },
        path: "extraObjects[0]",
        undoes: (r) => r.objects.some((o) => o.kind === "ClusterRole" && o.metadata.name === "generators-text" && o.metadata.labels?.["rbac.authorization.k8s.io/aggregate-to-admin"] === "true"),
    },
    {
        values: { serviceAccount: { name: "other" } },
        path: "serviceAccount.name",
        undoes: (r) => controllerDeployment(r.objects).spec.template.spec.serviceAccountName === "other",
    },
    {
        values: { namespaceOverride: "elsewhere" },
        path: "namespaceOverride",
        undoes: (r) => controllerDeployment(r.objects).metadata.namespace === "elsewhere",
    },
    {
        values: { installCRDs: false },
        path: "installCRDs",
        undoes: (r) => crdKinds(r.objects).length === 0,
    },
    {
        values: { createOperator: false },
        path: "createOperator",
        undoes: (r) => controllerDeployment(r.objects) === undefined,
    },
    {
        values: { processClusterStore: false },
        path: "processClusterStore",
        undoes: (r) => controllerArgs(r.objects).includes("--enable-cluster-store-reconciler=false"),
    },
    {
        values: { crds: { createClusterSecretStore: false } },
        path: "crds.createClusterSecretStore",
        undoes: (r) => !crdKinds(r.objects).includes("ClusterSecretStore"),
    },
    {
        values: { scopedRBAC: true },
        path: "scopedRBAC",
        undoes: (r) => controllerArgs(r.objects).includes("--enable-cluster-store-reconciler=false"),
    },
    {
        values: { scopedNamespace: "payments" },
        path: "scopedNamespace",
        undoes: (r) => controllerArgs(r.objects).includes("--namespace=payments"),
    },
    {
        values: { genericTargets: { enabled: true } },
        path: "genericTargets.enabled",
        undoes: (r) =>
            controllerArgs(r.objects).includes("--unsafe-allow-generic-targets=true") &&
            r.objects.some((o) => o.kind === "ClusterRole" && (o.rules ?? []).some((x: any) => x.resources?.includes("configmaps") && x.verbs?.includes("create"))),
    },
    {
        values: { extraArgs: { "unsafe-allow-generic-targets": "true" } },
        path: "extraArgs.unsafe-allow-generic-targets",
        undoes: (r) => lastFlag(r, "unsafe-allow-generic-targets") === "--unsafe-allow-generic-targets=true",
    },
    {
        // ESO reads its delimiters from these flags (runtime/template/v2/template.go init); the template guard looks for {{.
        values: { extraArgs: { "template-left-delimiter": "[[" } },
        path: "extraArgs.template-left-delimiter",
        undoes: (r) => lastFlag(r, "template-left-delimiter") === "--template-left-delimiter=[[",
    },
];

describe("helmValues that would undo the hardening are refused, and rendering shows why", function () {
    this.timeout(120_000);
    const ctx = { allowNamespacedSecretStores: false, esoNamespace: NAMESPACE, esoServiceAccount: "external-secrets" };

    for (const reopener of REOPENERS) {
        it(`refuses ${JSON.stringify(reopener.values)}`, async () => {
            const paths = helmValuesProblems(reopener.values, ctx).map((p) => p.path);
            assert.ok(paths.includes(reopener.path), `${reopener.path} not refused; problems: ${paths.join(", ")}`);
            // What the chart would render had the value been merged over the hardening.
            const rendered = await helmTemplate(RELEASE, NAMESPACE, deepMerge(hardenedValues(), reopener.values));
            assert.ok(reopener.undoes(rendered), "the chart renders nothing that undoes the hardening: the refusal is not needed");
        });
    }

    it("accepts the ordinary values of the user mode, and the hardened values themselves", () => {
        assert.deepStrictEqual(helmValuesProblems(MODES[2].args.helmValues ?? {}, { ...ctx, esoNamespace: "eso-system", esoServiceAccount: "eso-controller" }), []);
        assert.deepStrictEqual(helmValuesProblems(hardenedValues(), ctx), []);
    });

    it("accepts extraObjects without an aggregation label (near miss of the aggregated-role refusal)", () => {
        const role = { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "x", labels: { "rbac.authorization.k8s.io/aggregate-to-view": "true" } }, rules: [] };
        assert.deepStrictEqual(helmValuesProblems({ extraObjects: [role, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"] }, ctx), []);
    });

    it("keeps processSecretStore: true acceptable once namespaced SecretStores are allowed", () => {
        assert.deepStrictEqual(helmValuesProblems({ processSecretStore: true }, { ...ctx, allowNamespacedSecretStores: true }), []);
    });
});

/**
 * The controller's egress policy, as the chart renders it from our values.
 * The expected rules are written here from their sources, not read from
 * CONTROLLER_EGRESS: the Pod Identity agent's addresses and port from
 * docs.aws.amazon.com/eks/latest/userguide/pod-id-agent-setup.html, DNS from
 * EKS's CoreDNS labels, and one TCP 443 rule for the API server and the AWS
 * endpoints, whose addresses change.
 */
describe("controllerEgressPolicy renders the chart's NetworkPolicy for the controller", function () {
    this.timeout(120_000);
    const EXPECTED_EGRESS = [
        {
            to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
            ports: [
                { protocol: "UDP", port: 53 },
                { protocol: "TCP", port: 53 },
            ],
        },
        { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }, { ipBlock: { cidr: "::/0" } }], ports: [{ protocol: "TCP", port: 443 }] },
        { to: [{ ipBlock: { cidr: "169.254.170.23/32" } }, { ipBlock: { cidr: "fd00:ec2::23/128" } }], ports: [{ protocol: "TCP", port: 80 }] },
    ];
    const policies = (objects: any[]) => objects.filter((o) => o.kind === "NetworkPolicy");
    const podTemplates = (objects: any[]) => objects.filter((o) => o.kind === "Deployment").map((d) => ({ name: d.metadata.name, labels: d.spec.template.metadata.labels }));
    const selects = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels?.[k] === v);

    for (const allow of [false, true]) {
        it(`on (allowNamespacedSecretStores: ${allow}): one NetworkPolicy, selecting only the controller's pods, with exactly the expected egress`, async () => {
            const run = await runOffline(() => new EksSecretsAbac("prod", twoTeamArgs({ controllerEgressPolicy: true, allowNamespacedSecretStores: allow })));
            const release = run.one("kubernetes:helm.sh/v3:Release").inputs;
            const rendered = await helmTemplate(release.name ?? RELEASE, release.namespace, release.values);
            const [policy, ...others] = policies(rendered.objects);
            assert.ok(policy, "a NetworkPolicy is rendered");
            assert.deepStrictEqual(others, []);
            assert.strictEqual(policy.metadata.namespace, release.namespace);
            assert.deepStrictEqual([...policy.spec.policyTypes].sort(), ["Egress", "Ingress"]);
            assert.deepStrictEqual(policy.spec.egress, EXPECTED_EGRESS);
            // The chart's default ingress: the metrics and health ports (values.yaml networkPolicy.ingress).
            assert.deepStrictEqual(policy.spec.ingress, [{ ports: [{ protocol: "TCP", port: 8080 }, { protocol: "TCP", port: 8082 }] }]);
            const selected = podTemplates(rendered.objects).filter((t) => selects(policy.spec.podSelector.matchLabels, t.labels));
            const controller = controllerDeployment(rendered.objects);
            assert.deepStrictEqual(selected.map((t) => t.name), [controller.metadata.name], "the controller's pods, not the webhook's or the cert controller's");
            assert.strictEqual(controller.spec.template.spec.serviceAccountName, run.one("aws:eks/podIdentityAssociation:PodIdentityAssociation").inputs.serviceAccount);
        });
    }

    it("on: the rendered egress admits DNS, 443 and the Pod Identity agent, and drops instance metadata, plain http, other ports and outside DNS", async () => {
        const run = await runOffline(() => new EksSecretsAbac("prod", twoTeamArgs({ controllerEgressPolicy: true })));
        const release = run.one("kubernetes:helm.sh/v3:Release").inputs;
        const [policy] = policies((await helmTemplate(release.name ?? RELEASE, release.namespace, release.values)).objects);
        const coreDns = { ip: "10.0.5.10", namespaceLabels: { "kubernetes.io/metadata.name": "kube-system" }, podLabels: { "k8s-app": "kube-dns" } };
        const outside = (ip: string) => ({ ip });
        const cases: Array<[string, Destination, string, number, boolean]> = [
            ["CoreDNS over UDP", coreDns, "UDP", 53, true],
            ["CoreDNS over TCP", coreDns, "TCP", 53, true],
            ["the API server's ENI", outside("10.0.1.20"), "TCP", 443, true],
            ["STS or Secrets Manager (public address)", outside("52.94.236.248"), "TCP", 443, true],
            ["the Pod Identity agent", outside("169.254.170.23"), "TCP", 80, true],
            ["the instance metadata service (node role credentials)", outside("169.254.169.254"), "TCP", 80, false],
            ["a resolver outside the cluster", outside("8.8.8.8"), "UDP", 53, false],
            ["a Vault on 8200", outside("10.0.9.9"), "TCP", 8200, false],
            ["plain http anywhere", outside("203.0.113.7"), "TCP", 80, false],
            ["another pod of kube-system on 53", { ...coreDns, podLabels: { "k8s-app": "metrics-server" } }, "UDP", 53, false],
        ];
        for (const [what, to, protocol, port, allowed] of cases) {
            assert.strictEqual(egressAllows(policy.spec.egress, to, protocol, port), allowed, what);
        }
    });

    it("off (the default): the chart renders no NetworkPolicy", async () => {
        const run = await runOffline(() => new EksSecretsAbac("prod", twoTeamArgs()));
        const release = run.one("kubernetes:helm.sh/v3:Release").inputs;
        assert.strictEqual(getPath(release.values, ["networkPolicy"]), undefined);
        const rendered = await helmTemplate(release.name ?? RELEASE, release.namespace, release.values);
        assert.deepStrictEqual(policies(rendered.objects), []);
    });

    it("refuses helmValues that would replace or disable the rendered policy, and keeps them when the policy is off", () => {
        const ctx = { allowNamespacedSecretStores: false, esoNamespace: NAMESPACE, esoServiceAccount: "external-secrets" };
        const open = { networkPolicy: { enabled: false, egress: [{}] } };
        assert.deepStrictEqual(helmValuesProblems(open, { ...ctx, controllerEgressPolicy: true }).map((p) => p.path), ["networkPolicy.enabled", "networkPolicy.egress"]);
        assert.deepStrictEqual(helmValuesProblems(open, ctx), []);
        const ours = esoHelmValues({ serviceAccountName: "external-secrets", allowNamespacedSecretStores: false, controllerEgressPolicy: true });
        assert.deepStrictEqual(helmValuesProblems(ours, { ...ctx, controllerEgressPolicy: true }), [], "our own values pass");
    });
});

interface Destination {
    ip: string;
    namespaceLabels?: Record<string, string>;
    podLabels?: Record<string, string>;
}

/**
 * NetworkPolicy egress semantics (kubernetes.io/docs/concepts/services-networking/network-policies/):
 * a connection is allowed when one rule matches both a peer and a port; a
 * peer with namespaceSelector and podSelector matches pods with both sets of
 * labels; an ipBlock matches addresses in its CIDR (IPv4 here).
 */
function egressAllows(rules: any[], to: Destination, protocol: string, port: number): boolean {
    const labelsMatch = (selector: any, labels?: Record<string, string>) =>
        labels !== undefined && Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
    const ipv4 = (ip: string) => ip.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
    const inCidr = (ip: string, cidr: string) => {
        const [base, bits] = cidr.split("/");
        if (base.includes(":") || ip.includes(":")) return false;
        const size = 2 ** (32 - Number(bits));
        return Math.floor(ipv4(ip) / size) === Math.floor(ipv4(base) / size);
    };
    const peerMatches = (peer: any) =>
        peer.ipBlock !== undefined
            ? inCidr(to.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((c: string) => inCidr(to.ip, c))
            : labelsMatch(peer.namespaceSelector, to.namespaceLabels) && labelsMatch(peer.podSelector, to.podLabels);
    const portMatches = (p: any) => (p.protocol ?? "TCP") === protocol && (p.port === undefined || p.port === port);
    return rules.some((rule) => (rule.to === undefined || rule.to.some(peerMatches)) && (rule.ports === undefined || rule.ports.some(portMatches)));
}

/** A Kubernetes memory quantity in bytes (binary suffixes only, as used here). */
function bytesOf(q: string): number {
    const m = /^([0-9]+)(Ki|Mi|Gi)?(B)?$/.exec(q.replace("MiB", "Mi"))!;
    return parseInt(m[1], 10) * { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, "": 1 }[m[2] ?? ""]!;
}

describe("controller defaults that survive a noisy team, rendered by the 2.9.0 chart", function () {
    this.timeout(120_000);
    let rendered: RenderedChart;
    let values: HelmValues;

    before(async () => {
        const run = await runOffline(() => new EksSecretsAbac("prod", twoTeamArgs()));
        values = run.one("kubernetes:helm.sh/v3:Release").inputs.values;
        rendered = await helmTemplate(RELEASE, NAMESPACE, values);
    });

    it("passes the chart's values.schema.json", () => {
        assert.ok(validateHelmValuesSchema(values), JSON.stringify(validateHelmValuesSchema.errors));
    });

    it("runs more than one worker (the chart default is --concurrent=1, cmd/controller/root.go)", () => {
        assert.strictEqual(getPath(chartDefaults, ["concurrent"]), 1);
        const flag = lastFlag(rendered, "concurrent");
        assert.ok(flag !== undefined && parseInt(flag.split("=")[1], 10) > 1, flag);
    });

    it("gives the controller container CPU and memory requests and limits (the chart default is none), and GOMEMLIMIT below the memory limit", () => {
        assert.deepStrictEqual(getPath(chartDefaults, ["resources"]), {});
        const container = controllerDeployment(rendered.objects).spec.template.spec.containers[0];
        for (const kind of ["requests", "limits"]) for (const r of ["cpu", "memory"]) assert.ok(container.resources?.[kind]?.[r], `${kind}.${r}`);
        const limit = bytesOf(container.resources.limits.memory);
        const gomem = container.env.find((e: any) => e.name === "GOMEMLIMIT");
        assert.ok(gomem, "no GOMEMLIMIT");
        const soft = bytesOf(gomem.value);
        assert.ok(soft < limit && soft > limit * 0.8, `GOMEMLIMIT ${gomem.value} vs limit ${container.resources.limits.memory}`);
    });

    it("lets the user's helmValues change each default (they are defaults, not hardening)", async () => {
        const own = await runOffline(() => new EksSecretsAbac("prod", twoTeamArgs({ helmValues: { concurrent: 8, resources: { limits: { memory: "2Gi" } } } })));
        const v = own.one("kubernetes:helm.sh/v3:Release").inputs.values;
        assert.strictEqual(v.concurrent, 8);
        assert.strictEqual(v.resources.limits.memory, "2Gi");
        assert.strictEqual(v.resources.requests.cpu, (CONTROLLER_DEFAULTS.resources as any).requests.cpu);
        assert.deepStrictEqual(helmValuesProblems({ concurrent: 8 }, { allowNamespacedSecretStores: false, esoNamespace: NAMESPACE, esoServiceAccount: "external-secrets" }), []);
    });
});

describe("genericTargets: only with allowGenericTargets", () => {
    it("refuses genericTargets.enabled without the allow, naming what it opens, and accepts it with the allow", () => {
        const refused = validateArgs(twoTeamArgs({ helmValues: { genericTargets: { enabled: true } } })).find((p) => p.path === "helmValues.genericTargets.enabled");
        assert.ok(refused);
        assert.match(refused.message, /ConfigMaps/);
        assert.match(refused.message, /metadata\.namespace/);
        assert.deepStrictEqual(validateArgs(twoTeamArgs({ allowGenericTargets: true, helmValues: { genericTargets: { enabled: true } } })).filter((p) => p.path.includes("genericTargets")), []);
        assert.deepStrictEqual(validateArgs(twoTeamArgs({ helmValues: { genericTargets: { enabled: false } } })).filter((p) => p.path.includes("genericTargets")), []);
    });
});

describe("genericTargets in the offline plan", function () {
    this.timeout(120_000);
    const plan = async (extra: string) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "eks-secrets-abac-"));
        const file = path.join(dir, "Pulumi.test.yaml");
        fs.writeFileSync(file, `config:\n  eks-secrets-abac:clusterName: dev\n  eks-secrets-abac:installPodIdentityAgent: true\n  eks-secrets-abac:teams:\n    - namespace: payments\n${extra}`);
        return buildPlan(file);
    };

    it("refuses the stack without allowGenericTargets, and warns with what it opens when allowed", async () => {
        const values = "  eks-secrets-abac:helmValues:\n    genericTargets:\n      enabled: true\n";
        const refused = await plan(values);
        assert.ok(!refused.ok && refused.problems.some((p) => p.path === "helmValues.genericTargets.enabled"));
        const allowed = await plan(values + "  eks-secrets-abac:allowGenericTargets: true\n");
        assert.ok(allowed.ok, JSON.stringify(allowed));
        const text = renderPlan(allowed.plan);
        assert.match(text, /WARNING genericTargets\.enabled = true: it gives the ESO controller cluster-wide create\/update\/delete on ConfigMaps/);
        assert.match(text, /metadata\.namespace/);
        const plain = await plan("");
        assert.ok(plain.ok && !renderPlan(plain.plan).includes("genericTargets"));
    });
});
