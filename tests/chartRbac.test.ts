/**
 * The RBAC the Helm releases install (cli/src/checker/checks/reach/chartRbac.ts):
 * the shipped table against a fresh `helm template` of every variant, the
 * values it keys on against the charts' own templates, every grant of the
 * rendered charts classified, and the Kubernetes readers it adds, decided
 * first by the RBAC rules written from the Kubernetes documentation
 * (kubernetes.io/docs/reference/access-authn-authz/rbac/: `aggregated`,
 * `secretReadVerbs`) and then by the principal check the command runs.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as k8s from "@pulumi/kubernetes";
import type { StackResource } from "../cli/src/checker";
import { aggregated, DEFAULT_CLUSTER_ROLES, judgePrincipals, planFromInput, secretReadVerbs, sharedRoleNames } from "../cli/src/checker";
import { ChartRbacEntry, chartRbac, RBAC_VALUE_PATHS, RbacObject } from "../cli/src/checker/checks/reach/chartRbac";
import { CHART_RBAC_TABLE } from "../cli/src/checker/checks/reach/chartRbacTable";
import { validateTrustedReaders } from "../components/lib/trustedReaders";
import * as YAML from "yaml";
import { ASCP_TGZ, renderChartRbacTable, rendersByTitle } from "./chartRbacRender";
import { ESO_CHART_TGZ } from "./helm";
import { team } from "./helpers";
import { command } from "./inProcessCommand";
import { judgedStack, reached, withPath } from "./reachHelpers";
import { previewDigest } from "./stackFiles";

type Resources = StackResource[];
const RELEASE = "kubernetes:helm.sh/v3:Release";
const TRUSTED = "eks-secrets-abac:trustedReaders";
const judge = (rs: Resources, config: Record<string, string> = {}) => {
    const plan = planFromInput({ kind: "program", source: "test", resources: rs, undecidable: [], notes: [], config });
    return judgePrincipals(plan.resources, { account: plan.account, sharedRoles: sharedRoleNames(plan), trustedReaders: plan.trustedReaders });
};
/** The release name Pulumi gives the ESO release in state (the mocks leave it out): the chart's roles are named from it. */
const ESO_RELEASE = "prod-eso-release-1a2b3c4d";
const named = (rs: Resources) => {
    const eso = rs.find((r) => r.type === RELEASE && /external-secrets$/.test(String(r.inputs.chart)))!;
    eso.state = { ...(eso.state ?? eso.inputs), name: ESO_RELEASE };
    return rs;
};
const binding = (name: string, namespace: string, clusterRole: string, subject: Record<string, string>) =>
    new k8s.rbac.v1.RoleBinding(name, { metadata: { name, namespace }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterRole }, subjects: [subject as any] });

/** Every grant of a rendered chart, classified from the charts' templates and the controllers' sources: none reaches a Secret's value except `/secrets` and token creation, asserted below per holder. */
const GRANTS: Record<string, string> = {
    "/secrets": "a Secret's value: only the expected controllers hold it (asserted below per variant)",
    "/serviceaccounts/token": "a token of any service account, so whatever it reads: only ESO's controller, only with the chart's default rbac.serviceAccountTokenCreate (the component turns it off)",
    "/configmaps": "configuration, no Secret value (leader election; genericTargets writes)",
    "/endpoints": "addresses of Services",
    "/events": "events",
    "/namespaces": "namespace objects and labels (ClusterExternalSecret selection)",
    "/nodes": "ASCP reads its node's labels for the Region",
    "/pods": "pod specs: the driver and ASCP read the mounting pod",
    "/serviceaccounts": "service account objects (ASCP reads the pod's role annotation); no token",
    "admissionregistration.k8s.io/validatingwebhookconfigurations": "the cert-controller writes the CA bundle of ESO's webhook",
    "apiextensions.k8s.io/customresourcedefinitions": "CRD objects: the cert-controller patches ESO's conversion CA, the driver's upgrade hooks apply its CRDs; no Secret value",
    "coordination.k8s.io/leases": "leader election",
    "discovery.k8s.io/endpointslices": "addresses of Services",
    "storage.k8s.io/csidrivers": "the driver's CSIDriver object",
    "secrets-store.csi.x-k8s.io/secretproviderclasses": "which objects a pod mounts; the value comes from AWS under the pod's own identity",
    "secrets-store.csi.x-k8s.io/secretproviderclasspodstatuses": "mount status (object versions), no value",
    "secrets-store.csi.x-k8s.io/secretproviderclasspodstatuses/status": "mount status",
};
/** ESO's own kinds: their specs and status carry references and versions, never a value (ESO v2.9.0 apis). Generators are judged in tests/tenantReach.test.ts. */
const isEsoKind = (k: string) => /^(external-secrets\.io|generators\.external-secrets\.io)\//.test(k);

function grantsOf(objects: RbacObject[]): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    for (const o of objects)
        for (const r of o.rules ?? [])
            for (const g of r.apiGroups ?? [])
                for (const res of r.resources ?? []) {
                    const k = `${g}/${res}`;
                    out.set(k, new Set([...(out.get(k) ?? []), ...(r.verbs ?? [])]));
                }
    return out;
}

/** Subjects (`namespace/name`) that a variant's bindings give a read of Secrets, by the documented RBAC rules. */
function secretReaders(objects: RbacObject[]): string[] {
    const rules = aggregated([...DEFAULT_CLUSTER_ROLES, ...objects.filter((o) => o.kind === "ClusterRole").map((o) => ({ name: o.metadata.name!, labels: o.metadata.labels ?? {}, rules: o.rules ?? [] }))]);
    const roles = new Map(objects.filter((o) => o.kind === "Role").map((o) => [o.metadata.name, o.rules ?? []]));
    const out = new Set<string>();
    for (const b of objects.filter((o) => o.kind.endsWith("Binding"))) {
        const granted = b.roleRef?.kind === "Role" ? roles.get(b.roleRef.name) : rules.get(String(b.roleRef?.name));
        if ((granted ?? []).some((r) => secretReadVerbs(r).length > 0)) for (const s of b.subjects ?? []) out.add(`${s.namespace}/${s.name}`);
    }
    return [...out].sort();
}

/** The chart's files, unpacked once per test run (one `tar` each, not one per file). */
const unpacked = new Map<string, string>();
function chartFiles(tgz: string): Map<string, string> {
    let dir = unpacked.get(tgz);
    if (dir === undefined) {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "chart-rbac-"));
        execFileSync("tar", ["-xzf", tgz, "-C", dir]);
        unpacked.set(tgz, dir);
    }
    const out = new Map<string, string>();
    const walk = (d: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
            const p = path.join(d, e.name);
            if (e.isDirectory()) walk(p);
            else out.set(path.relative(dir!, p), fs.readFileSync(p, "utf8"));
        }
    };
    walk(dir);
    return out;
}

/** `.Values` paths that a chart's RBAC templates read, with those of the helpers they include (transitively). */
function rbacTemplateValues(tgz: string, root: string, prefix: string): string[] {
    const text = new Map([...chartFiles(tgz)].filter(([f]) => new RegExp(`^${root}/templates/[^/]+\\.(yaml|tpl)$`).test(f)));
    const defines = new Map<string, string>();
    for (const [f, t] of text) {
        if (!f.endsWith(".tpl")) continue;
        const parts = t.split(/\{\{-?\s*define\s+"/);
        for (const p of parts.slice(1)) defines.set(p.slice(0, p.indexOf('"')), p);
    }
    const refs = new Set<string>();
    const seen = new Set<string>();
    const visit = (body: string) => {
        for (const m of body.matchAll(/\.Values((?:\.[A-Za-z0-9_-]+)+)/g)) refs.add(prefix + m[1].slice(1));
        for (const m of body.matchAll(/(?:include|template)\s+"([^"]+)"/g)) {
            if (seen.has(m[1]) || !defines.has(m[1])) continue;
            seen.add(m[1]);
            visit(defines.get(m[1])!);
        }
    };
    // Per YAML document: a Job beside a ClusterRole in one file reads values (nodeSelector, image) that do not change RBAC.
    // Each RBAC document is read with the file's opening action and the template-only lines that close the document before it (an `if` just above its `---`).
    for (const [f, t] of text) {
        if (f.endsWith(".tpl")) continue;
        const docs = t.split(/^---\s*$/m);
        docs.forEach((d, i) => {
            if (!/^kind:\s*(Cluster)?Role(Binding)?\s*$/m.test(d)) return;
            const before = i === 0 ? [] : docs[i - 1].trimEnd().split("\n");
            const trailing: string[] = [];
            while (before.length > 0 && /^\s*\{\{.*\}\}\s*$/.test(before[before.length - 1])) trailing.unshift(before.pop()!);
            visit([t.split("\n")[0], ...trailing, d].join("\n"));
        });
    }
    return [...refs].sort();
}

describe("the RBAC the charts install (reach/chartRbac.ts)", function () {
    this.timeout(120_000);
    let fresh: ChartRbacEntry[];
    before(async () => {
        fresh = await renderChartRbacTable();
    });
    after(() => {
        for (const dir of unpacked.values()) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("the shipped table is what helm renders from the pinned charts today (when this fails: npx ts-node scripts/chart-rbac.ts)", () => {
        assert.deepStrictEqual(CHART_RBAC_TABLE, fresh);
    });

    it("the table keys on every value the charts' RBAC templates and their helpers read (a chart that reads another value fails here)", () => {
        const listed = (chart: string) => (ref: string) => RBAC_VALUE_PATHS[chart].some((p) => ref === p || ref.startsWith(`${p}.`));
        const eso = rbacTemplateValues(ESO_CHART_TGZ, "external-secrets", "");
        const ascp = rbacTemplateValues(ASCP_TGZ, "secrets-store-csi-driver-provider-aws", "");
        const driver = rbacTemplateValues(ASCP_TGZ, "secrets-store-csi-driver-provider-aws/charts/secrets-store-csi-driver", "secrets-store-csi-driver.");
        assert.ok(eso.includes("rbac.serviceAccountTokenCreate") && driver.includes("secrets-store-csi-driver.syncSecret.enabled"), "the template scan finds the values it must");
        assert.deepStrictEqual(eso.filter((r) => !listed("external-secrets")(r)), []);
        assert.deepStrictEqual([...ascp, ...driver].filter((r) => !listed("secrets-store-csi-driver-provider-aws")(r)), []);
    });

    it("the table's defaults are the charts' values.yaml on every RBAC path (the subchart's beneath the parent's), and helm renders the defaults set explicitly as the variants without them", () => {
        const yamlAt = (tgz: string, file: string) => YAML.parse(chartFiles(tgz).get(file)!);
        const at = (values: any, p: string) => p.split(".").reduce((n, k) => (n !== null && typeof n === "object" ? n[k] : undefined), values);
        const eso = yamlAt(ESO_CHART_TGZ, "external-secrets/values.yaml");
        const ascp = yamlAt(ASCP_TGZ, "secrets-store-csi-driver-provider-aws/values.yaml");
        const driver = yamlAt(ASCP_TGZ, "secrets-store-csi-driver-provider-aws/charts/secrets-store-csi-driver/values.yaml");
        const expected = (chart: string, read: (p: string) => unknown) => Object.fromEntries(RBAC_VALUE_PATHS[chart].map((p) => [p, read(p)]).filter(([, v]) => v !== undefined));
        const sub = "secrets-store-csi-driver.";
        assert.deepStrictEqual(CHART_RBAC_TABLE.map((e) => e.defaults), [
            expected("external-secrets", (p) => at(eso, p)),
            expected("secrets-store-csi-driver-provider-aws", (p) => at(ascp, p) ?? (p.startsWith(sub) ? at(driver, p.slice(sub.length)) : undefined)),
        ]);
        assert.strictEqual(CHART_RBAC_TABLE[0].defaults["rbac.create"], true);
        assert.strictEqual(CHART_RBAC_TABLE[1].defaults["secrets-store-csi-driver.fullnameOverride"], "secrets-store-csi-driver", "the parent's values.yaml overrides the subchart's");
        // renderChartRbacTable throws unless these renders equal the variants they share a key with.
        assert.ok(rendersByTitle.has("the chart's defaults set explicitly, with a named service account") && rendersByTitle.has("the component's values, syncing off, over the chart's defaults set explicitly"));
        assert.ok(fresh.every((e) => e.variants.every((v) => !/set explicitly/.test(v.title))), "each explicit-defaults render keyed as its variant without them");
    });

    it("classifies every group/resource the rendered charts grant, in every variant, with no wildcard", () => {
        const all = fresh.flatMap((e) => e.variants.flatMap((v) => [...grantsOf(v.objects).keys()]));
        assert.ok(all.includes("/secrets"));
        assert.deepStrictEqual([...new Set(all.filter((k) => GRANTS[k] === undefined && !isEsoKind(k)))], [], "classify these in GRANTS");
        assert.ok(!all.some((k) => k.startsWith("*/") || k.endsWith("/*")), "a wildcard grant");
    });

    it("Secrets are read only by the expected controllers: ESO's controller and cert-controller (an extra controller of fault domains: its controller only), the CSI driver only with syncSecret; tokens only by ESO's controller at the chart's defaults; no aggregated role reads Secrets", () => {
        const readers = Object.fromEntries(fresh.flatMap((e) => e.variants.map((v) => [v.title, secretReaders(v.objects)])));
        const eso = ["zznamespace/external-secrets-cert-controller", "zznamespace/zzsa"];
        assert.deepStrictEqual(readers, {
            "the component's hardened values": eso,
            "the component's hardened values with genericTargets.enabled (allowGenericTargets)": eso,
            "the chart's defaults with a named service account": eso,
            // No cert controller of its own: the default release's serves the cluster's webhook.
            "an extra controller of fault domains": ["zznamespace/zzsa"],
            "the component's values, syncing off": [],
            "the component's values, syncSecrets on": ["zznamespace/secrets-store-csi-driver"],
        });
        const tokenHolders = fresh.flatMap((e) => e.variants.filter((v) => v.objects.some((o) => (o.rules ?? []).some((r) => (r.resources ?? []).includes("serviceaccounts/token")))).map((v) => v.title));
        assert.deepStrictEqual(tokenHolders, ["the chart's defaults with a named service account"]);
        const aggregatedRoles = fresh.flatMap((e) => e.variants.flatMap((v) => v.objects.filter((o) => Object.keys(o.metadata.labels ?? {}).some((l) => l.startsWith("rbac.authorization.k8s.io/aggregate-to-")))));
        assert.ok(aggregatedRoles.length > 0, "the ESO chart labels its -view role aggregate-to-view");
        assert.deepStrictEqual(aggregatedRoles.filter((o) => (o.rules ?? []).some((r) => secretReadVerbs(r).length > 0)).map((o) => o.metadata.name), []);
    });
});

describe("Kubernetes readers through the charts' RBAC, decided by the check", function () {
    this.timeout(120_000);
    const controllerRole = `${ESO_RELEASE}-external-secrets-controller`;

    it("the component's stacks (ESO; CSI with syncing) are decided from the table and OK: the chart's controllers are the expected readers", async () => {
        const eso = judge(named((await judgedStack(() => undefined)).resources as Resources));
        assert.deepStrictEqual(eso.undecided, []);
        assert.strictEqual(eso.ok, true);
        const csiTeam = { ...team("payments"), csi: { serviceAccounts: ["app"], secretProviderClasses: [{ name: "app-secrets", objects: [{ secret: "db-password" }] }] } };
        const csi = judge(named((await judgedStack(() => undefined, { teams: [csiTeam, team("search")], args: { csiSyncSecrets: true } })).resources as Resources));
        assert.deepStrictEqual(csi.undecided, []);
        assert.deepStrictEqual(reached(csi), []);
        assert.strictEqual(csi.ok, true);
    });

    it("LEAK: a RoleBinding in payments of the ESO chart's controller ClusterRole to search's service account: the documented rules say it reads Secrets, and the check BLOCKS naming the chart; NEAR MISS: the chart's -view role reads no Secret", async () => {
        const rendered = CHART_RBAC_TABLE[0].variants[0].objects;
        const rules = aggregated([...DEFAULT_CLUSTER_ROLES, ...rendered.filter((o) => o.kind === "ClusterRole").map((o) => ({ name: o.metadata.name!, labels: o.metadata.labels ?? {}, rules: o.rules ?? [] }))]);
        assert.ok(rules.get("zzrelease-external-secrets-controller")!.some((r) => secretReadVerbs(r).length > 0));
        assert.ok(!rules.get("zzrelease-external-secrets-view")!.some((r) => secretReadVerbs(r).length > 0));
        const leak = judge(named((await judgedStack(() => binding("search-uses-eso", "payments", controllerRole, { kind: "ServiceAccount", name: "app", namespace: "search" }))).resources as Resources));
        assert.deepStrictEqual(reached(leak), ["ServiceAccount search/app -> Secrets of namespace payments"]);
        assert.match(withPath(leak)[0].statement, new RegExp(`RoleBinding 'search-uses-eso' in payments binds ClusterRole ${controllerRole} -> get/list/watch on secrets`));
        assert.strictEqual(leak.ok, false);
        assert.ok(leak.undecided.every((u) => u.principal === "RoleBinding 'search-uses-eso'"), "only the leaking binding itself is also not decided (its role reads Secrets)");
        const view = judge(named((await judgedStack(() => binding("search-views-eso", "payments", `${ESO_RELEASE}-external-secrets-view`, { kind: "ServiceAccount", name: "app", namespace: "search" }))).resources as Resources));
        assert.deepStrictEqual(reached(view), []);
        // The grant surface check (grantSurface.ts rbacUndecided) takes the roles of a decided release as declared: the -view role reads only ESO kinds.
        assert.deepStrictEqual(view.undecided, []);
        assert.strictEqual(view.ok, true);
    });

    it("LEAK: helmValues.extraObjects bind secret read to a backup operator's service account; trusting system:serviceaccount:velero:velero accepts it; NEAR MISS: another service account of velero is still BLOCKED", async () => {
        const extraObjects = (sa: string) => [
            { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "backup-secrets" }, rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list"] }] },
            { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", metadata: { name: "backup-secrets" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "backup-secrets" }, subjects: [{ kind: "ServiceAccount", name: sa, namespace: "velero" }] },
        ];
        const trust = { [TRUSTED]: JSON.stringify([{ principal: "system:serviceaccount:velero:velero", reason: "Velero backs up every namespace's Secrets" }]) };
        const stack = async (sa: string) => named((await judgedStack(() => undefined, { args: { helmValues: { extraObjects: extraObjects(sa) } } })).resources as Resources);
        const untrusted = judge(await stack("velero"));
        assert.deepStrictEqual(reached(untrusted), ["ServiceAccount velero/velero -> Secrets of namespace payments", "ServiceAccount velero/velero -> Secrets of namespace search"]);
        assert.match(withPath(untrusted)[0].statement, /ClusterRoleBinding 'backup-secrets' of Helm release 'prod-eso-release'/);
        assert.strictEqual(untrusted.ok, false);
        const trusted = judge(await stack("velero"), trust);
        assert.deepStrictEqual(trusted.reads.filter((f) => f.path !== undefined), []);
        assert.deepStrictEqual(trusted.trusted.map((f) => `${f.principal} -> ${f.target}: ${f.trustedReason}`).sort(), [
            "ServiceAccount velero/velero -> Secrets of namespace payments: Velero backs up every namespace's Secrets",
            "ServiceAccount velero/velero -> Secrets of namespace search: Velero backs up every namespace's Secrets",
        ]);
        assert.deepStrictEqual(trusted.unmatchedTrustedReaders, []);
        assert.strictEqual(trusted.ok, true);
        const nearMiss = judge(await stack("restic"), trust);
        assert.deepStrictEqual(reached(nearMiss), ["ServiceAccount velero/restic -> Secrets of namespace payments", "ServiceAccount velero/restic -> Secrets of namespace search"]);
        assert.strictEqual(nearMiss.ok, false);
    });

    it("LEAK: extraObjects bind secret read to the Kubernetes group ops; trustedReaders `ops` (an IAM name) does not trust it, `kubernetes:group:ops` does; NEAR MISS: the user ops stays BLOCKED under the group's entry", async () => {
        const extraObjects = (subject: { kind: string; name: string }) => [
            { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "ops-secrets" }, rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }] },
            { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", metadata: { name: "ops-secrets" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "ops-secrets" }, subjects: [{ apiGroup: "rbac.authorization.k8s.io", ...subject }] },
        ];
        const stack = async (subject: { kind: string; name: string }) => named((await judgedStack(() => undefined, { args: { helmValues: { extraObjects: extraObjects(subject) } } })).resources as Resources);
        const trusting = (principal: string) => ({ [TRUSTED]: JSON.stringify([{ principal, reason: "the ops team's break-glass" }]) });
        const group = await stack({ kind: "Group", name: "ops" });
        // RBAC ("Referring to subjects"): a Group subject is every user the authenticator puts in that group, not an IAM role named ops.
        const bare = judge(group, trusting("ops"));
        assert.deepStrictEqual(reached(bare), ["Group ops -> Secrets of namespace payments", "Group ops -> Secrets of namespace search"]);
        assert.strictEqual(bare.ok, false);
        assert.deepStrictEqual(bare.unmatchedTrustedReaders.map((r) => r.principal), ["ops"]);
        const named_ = judge(group, trusting("kubernetes:group:ops"));
        assert.deepStrictEqual(reached(named_), []);
        assert.deepStrictEqual(named_.trusted.map((f) => f.principal), ["Group ops", "Group ops"]);
        assert.deepStrictEqual(named_.unmatchedTrustedReaders, []);
        assert.strictEqual(named_.ok, true);
        const user = judge(await stack({ kind: "User", name: "ops" }), trusting("kubernetes:group:ops"));
        assert.deepStrictEqual(reached(user), ["User ops -> Secrets of namespace payments", "User ops -> Secrets of namespace search"]);
        assert.strictEqual(user.ok, false);
        assert.strictEqual(judge(await stack({ kind: "User", name: "ops" }), trusting("kubernetes:user:ops")).ok, true);
    });

    it("NOT DECIDED: a value that changes the chart's RBAC outside the table (commonLabels, rbac.create: false), a chart version not in it, a templated extraObject, a binding of a role nobody declares; a value equal to the chart's default is the default (OK)", async () => {
        const base = named((await judgedStack(() => undefined)).resources as Resources);
        const eso = base.find((r) => r.type === RELEASE && /external-secrets$/.test(String(r.inputs.chart)))!;
        const withValues = (values: object, version = "2.9.0"): StackResource => ({ ...eso, state: { ...eso.state, values, version } });
        assert.match((chartRbac(withValues({ ...eso.inputs.values, commonLabels: { "rbac.authorization.k8s.io/aggregate-to-view": "true" } })) as { undecided: string }).undecided, /values commonLabels = .* give RBAC that no rendered variant of external-secrets 2\.9\.0 covers/);
        assert.match((chartRbac(withValues(eso.inputs.values, "2.10.0")) as { undecided: string }).undecided, /external-secrets version 2\.10\.0 is not in the chart RBAC table \(2\.9\.0\)/);
        assert.match((chartRbac(withValues({ ...eso.inputs.values, extraObjects: ["kind: ClusterRoleBinding\nmetadata: {name: '{{ .Release.Name }}'}"] })) as { undecided: string }).undecided, /extraObjects\[0\] is a template/);
        const labelled = judge(base.map((r) => (r === eso ? withValues({ ...eso.inputs.values, commonLabels: { team: "platform" } }) : r)));
        assert.strictEqual(labelled.ok, false);
        assert.ok(labelled.undecided.some((u) => /commonLabels/.test(u.reason)));
        const explicitDefaults = judge(base.map((r) => (r === eso ? withValues({ ...eso.inputs.values, rbac: { ...eso.inputs.values.rbac, create: true }, commonLabels: {}, serviceMonitor: { renderMode: "skipIfMissing" } }) : r)));
        assert.deepStrictEqual(explicitDefaults.undecided, [], "rbac.create: true, commonLabels: {} and serviceMonitor.renderMode: skipIfMissing are the chart's defaults");
        assert.strictEqual(explicitDefaults.ok, true);
        const noRbac = judge(base.map((r) => (r === eso ? withValues({ ...eso.inputs.values, rbac: { ...eso.inputs.values.rbac, create: false } }) : r)));
        assert.ok(noRbac.undecided.some((u) => /values rbac\.create = false give RBAC that no rendered variant/.test(u.reason)));
        assert.strictEqual(noRbac.ok, false);
        const unknownRole = judge(named((await judgedStack(() => binding("search-mystery", "payments", "mystery-role", { kind: "ServiceAccount", name: "app", namespace: "search" }))).resources as Resources));
        assert.ok(unknownRole.undecided.some((u) => /binds ClusterRole mystery-role, which neither the stack, its Helm releases nor Kubernetes' default roles declare/.test(u.reason)));
        assert.strictEqual(unknownRole.ok, false);
    });
});

describe("the command on the charts' roles bound by the stack and on chart defaults set explicitly (plan of a preview)", function () {
    this.timeout(120_000);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "chart-rbac-plan-"));
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));
    /** `eks-secrets-abac plan` of the stack as `pulumi preview --json` prints it, unchanged since deployed. */
    const plan = async (name: string, extra: () => void, esoValues: (v: Record<string, any>) => Record<string, any> = (v) => v) => {
        const rs = named((await judgedStack(extra)).resources as Resources);
        const eso = rs.find((r) => r.type === RELEASE && /external-secrets$/.test(String(r.inputs.chart)))!;
        eso.state = { ...eso.state, values: esoValues((eso.state ?? eso.inputs).values) };
        for (const r of rs) r.urn = r.urn ?? `urn:pulumi:dev::consumer::${r.type}::${r.name}`;
        const file = path.join(tmp, `${name}.json`);
        fs.writeFileSync(file, JSON.stringify(previewDigest(rs)));
        const r = await command(["plan", file]);
        return { code: r.code, verdict: /^Verdict: (OK|BLOCKED|NOT DECIDED)/m.exec(r.stdout)?.[0], out: r.stdout + r.stderr };
    };
    const search = { kind: "ServiceAccount", name: "app", namespace: "search" };

    it("OK, exit 0: search bound to the ESO chart's -view role in payments, with rbac.create: true and commonLabels: {} set as the chart's defaults; BLOCKED, exit 1: bound to its -controller role; NOT DECIDED, exit 1: an unknown role, rbac.create: false", async () => {
        // The truth first, by the RBAC rules written from the Kubernetes documentation on the rendered roles.
        const rendered = CHART_RBAC_TABLE[0].variants[0].objects.filter((o) => o.kind === "ClusterRole");
        const rules = aggregated([...DEFAULT_CLUSTER_ROLES, ...rendered.map((o) => ({ name: o.metadata.name!, labels: o.metadata.labels ?? {}, rules: o.rules ?? [] }))]);
        assert.ok(!rules.get("zzrelease-external-secrets-view")!.some((r) => secretReadVerbs(r).length > 0));
        assert.ok(rules.get("zzrelease-external-secrets-controller")!.some((r) => secretReadVerbs(r).length > 0));
        assert.strictEqual(CHART_RBAC_TABLE[0].defaults["rbac.create"], true);
        const view = await plan("view", () => binding("search-views-eso", "payments", `${ESO_RELEASE}-external-secrets-view`, search), (v) => ({ ...v, rbac: { ...v.rbac, create: true }, commonLabels: {} }));
        assert.deepStrictEqual([view.code, view.verdict], [0, "Verdict: OK"], view.out);
        const controller = await plan("controller", () => binding("search-uses-eso", "payments", `${ESO_RELEASE}-external-secrets-controller`, search));
        assert.deepStrictEqual([controller.code, controller.verdict], [1, "Verdict: BLOCKED"], controller.out);
        assert.match(controller.out, /ServiceAccount search\/app/);
        const unknown = await plan("unknown", () => binding("search-mystery", "payments", "mystery-role", search), (v) => ({ ...v, rbac: { ...v.rbac, create: false } }));
        assert.deepStrictEqual([unknown.code, unknown.verdict], [1, "Verdict: NOT DECIDED"], unknown.out);
        assert.match(unknown.out, /mystery-role/);
        assert.match(unknown.out, /rbac\.create = false/);
    });
});

describe("trustedReaders naming a Kubernetes service account (components/lib/trustedReaders.ts)", () => {
    it("accepts system:serviceaccount:<namespace>:<name>; refuses a malformed one, a group of service accounts and a wildcard, each with the fix", () => {
        assert.deepStrictEqual(validateTrustedReaders([{ principal: "system:serviceaccount:velero:velero", reason: "backups" }]), []);
        const problems = validateTrustedReaders([
            { principal: "system:serviceaccount:velero", reason: "backups" },
            { principal: "system:serviceaccount:Velero:velero", reason: "backups" },
            { principal: "system:serviceaccount:velero:Velero_SA", reason: "backups" },
            { principal: "system:serviceaccounts:velero", reason: "backups" },
            { principal: "system:serviceaccount:velero:*", reason: "backups" },
        ]).map((p) => `${p.path}: ${p.message}`);
        assert.strictEqual(problems.length, 5);
        assert.match(problems[0], /trustedReaders\[0\]\.principal: .*namespace and name, separated by one ':'/);
        assert.match(problems[1], /trustedReaders\[1\]\.principal: .*namespace `Velero`, which is not a Kubernetes namespace name/);
        assert.match(problems[2], /trustedReaders\[2\]\.principal: .*service account name `Velero_SA`/);
        assert.match(problems[3], /trustedReaders\[3\]\.principal: .*a group of service accounts would trust every account in it/);
        assert.match(problems[4], /trustedReaders\[4\]\.principal: .*wildcards/);
    });

    it("accepts kubernetes:user:<name> and kubernetes:group:<name>; refuses an empty name and the groups of everyone, each with the fix", () => {
        assert.deepStrictEqual(validateTrustedReaders([{ principal: "kubernetes:user:alice@example.com", reason: "on-call" }, { principal: "kubernetes:group:ops", reason: "on-call" }]), []);
        const problems = validateTrustedReaders([
            { principal: "kubernetes:group:", reason: "x-y" },
            { principal: "kubernetes:group:system:authenticated", reason: "x-y" },
            { principal: "kubernetes:group:system:serviceaccounts:velero", reason: "x-y" },
            { principal: "kubernetes:user:ops", reason: "x-y" },
            { principal: "kubernetes:user:ops", reason: "x-y" },
        ]).map((p) => `${p.path}: ${p.message}`);
        assert.strictEqual(problems.length, 4, problems.join("\n"));
        assert.match(problems[0], /trustedReaders\[0\]\.principal: .*name the Kubernetes group after the prefix/);
        assert.match(problems[1], /trustedReaders\[1\]\.principal: .*every authenticated caller or every service account/);
        assert.match(problems[2], /trustedReaders\[2\]\.principal: .*every authenticated caller or every service account/);
        assert.match(problems[3], /trustedReaders\[4\]\.principal: .*again \(also trustedReaders\[3\]\)/);
    });
});
