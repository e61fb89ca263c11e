/**
 * The whole system over generated configurations (fast-check): teams with
 * namespace names of every valid length (and names that prefix each other),
 * secrets and parameters, ESO and CSI, one cluster or many across accounts
 * with a key account, IRSA, organisation guardrails, namespaced stores,
 * generators, the egress policy, Helm values and component names. Each
 * stack is rendered by the offline cloud and must:
 *  a. pass its own admission policies, its CRD schemas and Kubernetes and
 *     Helm name rules (tests/systemKube.ts);
 *  b. keep every IAM, KMS and Organizations document within AWS's default
 *     quotas (tests/systemIam.ts `QUOTAS`, each cited), or be refused
 *     before deploy naming the entry and the quota;
 *  c. let each team read each own value through ESO and through CSI with
 *     the SCP and RCP applied, and no neighbour, other cluster's
 *     controller, other account or tenant pod;
 *  d. be judged OK by the policy pack and the checker;
 *  e. on failure, shrink and print the seed (fast-check's report).
 * `npm test` runs EKS_SECRETS_ABAC_PROPERTY_RUNS stacks (default 200) from a
 * fixed seed; `npm run test:deep` runs many more with a random seed.
 */
import * as assert from "assert";
import fc from "fast-check";
import {
    ASSOCIATION_ANNOTATION,
    clusterControllerRoleNames,
    ConfigValidationError,
    domainControllerRoleName,
    controllerRoleName,
    CrossAccountSecretsAbac,
    CrossAccountSecretsAbacArgs,
    csiRoleName,
    DEFAULT_SHARED_ROLE_NAME,
    EksSecretsAbac,
    EksSecretsAbacArgs,
    esoHelmValues,
    guardrailResourceControlPolicy,
    guardrailServiceControlPolicy,
    GuardrailDocumentArgs,
    PolicyDocument,
    sharedAbacRoleName,
    sharedRoleGroups,
    TeamSpec,
} from "../components";
import { judgeStack, planFromInput } from "../cli/src/checker";
import { chartCrds } from "./crdObjects";
import { OFFLINE, RecordedResource, runOffline } from "./helpers";
import { OrgPolicies } from "./orgPolicies";
import { chainsInto, podIdentityAssumes, podTags, quotaProblems, reads, StackIam, stackIam } from "./systemIam";
import { judgeKube, Kinds, kindsWith } from "./systemKube";

const RUNS = Number(process.env.EKS_SECRETS_ABAC_PROPERTY_RUNS ?? 200);
const SEED = process.env.EKS_SECRETS_ABAC_PROPERTY_SEED !== undefined ? Number(process.env.EKS_SECRETS_ABAC_PROPERTY_SEED) : RUNS > 200 ? Date.now() % 2 ** 31 : 28;
/** Clusters of a cross-account stack: mostly 1 to 3, sometimes up to this many (several shared roles past 13). */
const MAX_CLUSTERS = Number(process.env.EKS_SECRETS_ABAC_PROPERTY_CLUSTERS ?? 50);
/** The checker judges stacks of at most this many clusters (it takes about 8 s per cluster on 2 cores). */
const CHECKER_MAX_CLUSTERS = Number(process.env.EKS_SECRETS_ABAC_PROPERTY_CHECKER_CLUSTERS ?? (RUNS > 200 ? 14 : 3));
/** The checker (pack + access matrix + principals) on every stack; in `npm test` on every CHECKER_EVERY-th. */
const CHECKER_EVERY = Number(process.env.EKS_SECRETS_ABAC_PROPERTY_CHECKER_EVERY ?? (RUNS > 200 ? 1 : 10));

const ESO = "external-secrets";
const ACCOUNTS = ["111122223333", "222233334444", "333344445555"];
const ADMIN: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["secretsmanager:*", "ssm:*", "sts:*"], Resource: "*" }] };
const RESERVED = new Set(["default", "kube-system", "kube-public", "kube-node-lease", ESO]);

// ---- generators -----------------------------------------------------------

const alnum = "abcdefghijklmnopqrstuvwxyz0123456789".split("");
const lowerChars = fc.constantFrom(...alnum);
const labelChars = fc.constantFrom(...alnum, "-");
/** A DNS-1123 label of exactly `length` characters. */
const labelOf = (length: number) =>
    length === 1 ? lowerChars : fc.tuple(lowerChars, fc.array(labelChars, { minLength: length - 2, maxLength: length - 2 }), lowerChars).map(([a, mid, b]) => a + mid.join("") + b);
/** Label lengths biased to the edges (1, 2, 62, 63) and anything between. */
const labelLength = (max: number) => fc.oneof(fc.constantFrom(1, 2, max - 1, max), fc.integer({ min: 1, max }));
const label = (max: number) => labelLength(max).chain(labelOf);

/** Namespaces: a base and names it prefixes or that prefix it, all distinct and not reserved. */
const namespaces = fc
    .tuple(label(61), fc.array(fc.constantFrom("prefix", "extend", "fresh"), { minLength: 0, maxLength: 2 }), fc.array(label(63), { minLength: 2, maxLength: 2 }))
    .map(([base, kinds, fresh]) => {
        const out = [base];
        kinds.forEach((kind, i) => {
            const n = kind === "extend" ? `${base}-${i}`.slice(0, 63) : kind === "prefix" && base.length > 1 ? base.slice(0, Math.max(1, base.length - 1 - i)).replace(/-+$/, "") : fresh[i];
            out.push(n);
        });
        return [...new Set(out)].filter((n) => n.length > 0 && !RESERVED.has(n) && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(n));
    })
    .filter((n) => n.length > 0);

const teamOf = (namespace: string, o: { parameters: boolean; csi: boolean; secrets: number }): TeamSpec => ({
    namespace,
    secrets: Array.from({ length: o.secrets }, (_, i) => ({ name: `s${i}` })),
    ...(o.parameters ? { parameters: [{ name: "p0" }] } : {}),
    externalSecrets: [{ name: "app", data: [{ secretKey: "S0", secret: "s0" }, ...(o.parameters ? [{ secretKey: "P0", parameter: "p0" }] : [])] }],
    ...(o.csi ? { csi: { serviceAccounts: ["api"], secretProviderClasses: [{ name: "files", objects: [{ secret: "s0" }] }] } } : {}),
});

const teamOptions = fc.record({ parameters: fc.boolean(), csi: fc.boolean(), secrets: fc.integer({ min: 1, max: 2 }) });

/** An EKS cluster name: letters of any case, digits, '-' and '_', any valid length up to `max`. */
const clusterName = (max: number) =>
    fc.tuple(fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".split("")), fc.array(fc.constantFrom(..."abcXYZ019-_".split("")), { minLength: 0, maxLength: max - 1 })).map(([a, rest]) => a + rest.join(""));

const options = fc.record({
    allowNamespacedSecretStores: fc.boolean(),
    controllerEgressPolicy: fc.boolean(),
    allowedGenerators: fc.subarray(["ECRAuthorizationToken", "STSSessionToken", "Webhook"]),
    helmValues: fc.constantFrom(undefined, { replicaCount: 2 }, { resources: { limits: { memory: "512Mi" } } }),
    guardrails: fc.boolean(),
    // The Pod Identity agent choice; now and then left out, which Pod Identity refuses.
    installPodIdentityAgent: fc.oneof({ weight: 9, arbitrary: fc.boolean() }, { weight: 1, arbitrary: fc.constant(undefined) }),
});

/** A component name: valid of every length (1..32), or one Kubernetes or Helm would refuse. */
const componentName = fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 1, max: 32 }).chain(labelOf) }, { weight: 1, arbitrary: fc.constantFrom("Prod_EU", "x".repeat(33), "team-") });

const single = fc.record({
    kind: fc.constant("single" as const),
    name: componentName,
    cluster: clusterName(40),
    irsa: fc.boolean(),
    namespaces,
    teams: fc.array(teamOptions, { minLength: 3, maxLength: 3 }),
    options,
    // Extra ESO controllers (fault domains); every team but the first on one of them.
    domains: fc.constantFrom(0, 0, 1, 2),
});

/** Mostly names a cross-account component can carry (lower case), sometimes any EKS name (refused, naming the entry). */
const crossClusterName = fc.oneof({ weight: 19, arbitrary: fc.integer({ min: 1, max: 14 }).chain(labelOf) }, { weight: 1, arbitrary: clusterName(14) });

const cross = fc.record({
    kind: fc.constant("cross" as const),
    name: fc.integer({ min: 1, max: 8 }).chain(labelOf),
    // Any count up to the maximum, not fast-check's small default sizes: a second shared role starts at 14.
    // Large stacks are rare (one of 50 clusters takes about 14 s to render) and large enough for several roles:
    // names of 1 to 14 characters put about 15 clusters in one trust.
    clusters: fc
        .oneof({ weight: 20, arbitrary: fc.integer({ min: 1, max: Math.min(3, MAX_CLUSTERS) }) }, { weight: 1, arbitrary: fc.integer({ min: Math.min(20, MAX_CLUSTERS), max: MAX_CLUSTERS }) })
        .chain((n) => fc.uniqueArray(fc.tuple(crossClusterName, fc.constantFrom(...ACCOUNTS.slice(1))), { minLength: n, maxLength: n, selector: ([name]) => name.toLowerCase() })),
    keyAccount: fc.boolean(),
    namespaces,
    teams: fc.array(teamOptions.map((t) => ({ ...t, csi: false })), { minLength: 3, maxLength: 3 }),
    options,
});

type Config = (typeof single extends fc.Arbitrary<infer S> ? S : never) | (typeof cross extends fc.Arbitrary<infer C> ? C : never);

// ---- the stack ------------------------------------------------------------

const account = (accountId: string) => ({ accountId, region: OFFLINE.region, roleArn: `arn:aws:iam::${accountId}:role/deployer` });
const domainsOf = (c: Config) => (c.kind === "single" ? c.domains : 0);
const teamsOf = (c: Config): TeamSpec[] =>
    c.namespaces.map((ns, i) => ({ ...teamOf(ns, c.teams[i % c.teams.length]), ...(domainsOf(c) > 0 && i > 0 ? { controller: `d${(i - 1) % domainsOf(c)}` } : {}) }));
const esoControllersOf = (c: Config) => Array.from({ length: domainsOf(c) }, (_, i) => ({ name: `d${i}` }));

function clusterArgs(c: Config, teams: TeamSpec[]): Omit<EksSecretsAbacArgs, "clusterName"> {
    const { guardrails: _, ...o } = c.options;
    return { teams, ...o, helmValues: o.helmValues, ...(domainsOf(c) > 0 ? { esoControllers: esoControllersOf(c) } : {}) };
}

function crossArgs(c: Extract<Config, { kind: "cross" }>): CrossAccountSecretsAbacArgs {
    return {
        secretsAccount: account(ACCOUNTS[0]),
        ...(c.keyAccount ? { keyAccount: account("444455556666") } : {}),
        clusters: c.clusters.map(([name, acct]) => ({ clusterName: name, account: account(acct), secretNamePrefix: `${name}/`, ...clusterArgs(c, teamsOf(c)) })),
    };
}

function program(c: Config): () => unknown {
    const teams = teamsOf(c);
    if (c.kind === "single") {
        const irsa = irsaOf(c);
        const args: EksSecretsAbacArgs = {
            clusterName: c.cluster,
            ...clusterArgs(c, teams),
            // An IRSA cluster has no agent to choose.
            ...(irsa ? { installPodIdentityAgent: undefined, identity: "irsa", oidcProviderArn: `arn:aws:iam::${OFFLINE.accountId}:oidc-provider/oidc.eks.${OFFLINE.region}.amazonaws.com/id/ABCDEF0123456789` } : {}),
        };
        return () => new EksSecretsAbac(c.name, args);
    }
    return () => new CrossAccountSecretsAbac(c.name, crossArgs(c));
}

/** What a user writes for the guardrails: names from the naming functions, never from a deployment. */
function guardrailsOf(c: Config): OrgPolicies {
    const csi = teamsOf(c).some((t) => t.csi !== undefined);
    const args: GuardrailDocumentArgs = {
        platformPrincipalArns: ["arn:aws:iam::*:role/platform-deployer"],
        sharedRoleName: c.kind === "single" ? sharedAbacRoleName(c.name) : DEFAULT_SHARED_ROLE_NAME,
        ...(c.kind === "cross" ? { sharedRoleNames: sharedRoleGroups(crossArgs(c)).roleNames.slice(1) } : {}),
        controllerRoleNames: c.kind === "single" ? clusterControllerRoleNames(c.cluster, esoControllersOf(c)) : ["*-eso-controller"],
        ...(csi && c.kind === "single" ? { csiRoleNames: [csiRoleName(c.name)] } : {}),
    };
    return { scp: guardrailServiceControlPolicy(args), rcp: guardrailResourceControlPolicy(args) };
}

// ---- the properties -------------------------------------------------------

function assertReads(c: Config, iam: StackIam, org: OrgPolicies, resources: RecordedResource[]): void {
    const shared = iam.storeRoles;
    // One shared role per group of clusters, named from the arguments alone (the guardrails name them so).
    const groups = c.kind === "cross" ? sharedRoleGroups(crossArgs(c)) : undefined;
    assert.strictEqual(shared.length, groups?.roleNames.length ?? 1, `the stores name ${shared.length} shared roles`);
    const storeOf = (cluster: string) => resources.find((r) => r.type === "kubernetes:external-secrets.io/v1:ClusterSecretStore" && r.name === `${c.kind === "cross" ? `${c.name}-${cluster}` : c.name}-store-store`);
    const namespaces = c.namespaces;
    const irsa = c.kind === "single" && c.irsa && !teamsOf(c).some((t) => t.csi !== undefined);
    // The first secret and parameter of each team, on each cluster.
    const seen = new Set<string>();
    for (const object of iam.secrets) {
        const ns = object.tags["kubernetes-namespace"];
        const cluster = object.tags["eks-cluster-name"];
        const key = `${cluster}/${ns}/${object.kind}`;
        if (seen.has(key)) continue;
        seen.add(key);
        // The team's own controller: the default one, or its fault domain's.
        const domain = teamsOf(c).find((t) => t.namespace === ns)?.controller;
        const esoNs = domain === undefined ? ESO : `${ESO}-${domain}`;
        const controllerAssoc = iam.associations.find((a) => a.cluster === cluster && a.namespace === esoNs);
        const role = iam.byArn.get(storeOf(cluster)?.inputs.spec.provider.aws.role)!;
        assert.ok(role !== undefined, `${cluster}: no store names a shared role`);
        if (groups !== undefined && c.kind === "cross") assert.strictEqual(role.physical, groups.roleNames[groups.groupOf[c.clusters.findIndex(([n]) => n === cluster)]], `${cluster}: its store assumes another group's role`);
        const store = `${object.kind === "secret" ? "team-secrets" : "team-parameters"}${domain === undefined ? "" : `-${domain}`}`;
        const eso = (namespace: string) => ({ esoNamespace: namespace, esoStoreName: store, esoStoreKind: "ClusterSecretStore", ...(irsa ? { "eks-cluster-name": cluster } : {}) });
        let controller: { role: { arn: string; account: string; physical: string }; tags: Record<string, string>; identity: PolicyDocument[] };
        if (irsa) {
            const r = iam.roles.find((x) => x.physical === (domain === undefined ? controllerRoleName(cluster) : domainControllerRoleName(cluster, { name: domain, primary: false })))!;
            controller = { role: r, tags: {}, identity: r.inline };
        } else {
            assert.ok(controllerAssoc, `no Pod Identity association for ESO on ${cluster}`);
            const tags = podTags(iam.partition, iam.region, controllerAssoc.account, cluster, esoNs, ESO);
            assert.ok(podIdentityAssumes(controllerAssoc.role, tags), `Pod Identity cannot assume ${controllerAssoc.role.physical}`);
            controller = { role: controllerAssoc.role, tags, identity: controllerAssoc.role.inline };
        }
        const sessionOf = (namespace: string) => ({ role, tags: { ...controller.tags, ...eso(namespace) }, identity: role.inline });
        // Own read through ESO, with every guardrail.
        assert.ok(chainsInto(org, controller, role, eso(ns)), `${key}: the controller cannot chain into the shared role`);
        assert.strictEqual(reads(org, sessionOf(ns), object), "Allowed", `${key}: ESO cannot read the team's own ${object.kind}`);
        // Neighbours, names that prefix or extend it, and the empty namespace.
        const others = [...namespaces.filter((n) => n !== ns), `${ns}x`.slice(-63), ns.length > 1 ? ns.slice(0, -1) : "x0", ""];
        for (const other of others.filter((n) => n !== ns)) {
            assert.notStrictEqual(reads(org, sessionOf(other), object), "Allowed", `${key}: ESO session of '${other}' reads it`);
        }
        assert.notStrictEqual(reads(org, controller, object), "Allowed", `${key}: the controller reads it directly`);
        if (!irsa && controllerAssoc) {
            const acct = controllerAssoc.account;
            const fake = (a: string, name: string) => ({ arn: `arn:aws:iam::${a}:role/${name}`, account: a, physical: name });
            // Another cluster's controller (same account), a same-named role of another account, a tenant pod with its own role.
            const moves = [
                { role: fake(acct, controllerRoleName("zz-other")), tags: podTags(iam.partition, iam.region, acct, "zz-other", ESO, ESO) },
                { role: fake("999988887777", controllerRoleName(cluster)), tags: podTags(iam.partition, iam.region, "999988887777", cluster, ESO, ESO) },
                { role: fake(acct, `${ns}-app`.slice(0, 64)), tags: podTags(iam.partition, iam.region, acct, cluster, ns, "app") },
            ];
            for (const move of moves) assert.ok(!chainsInto(org, { ...move, identity: [ADMIN] }, role, eso(ns)), `${key}: ${move.role.arn} chains into the shared role`);
            // Another group's shared role: the controller's own permission allows it, its trust does not name this cluster.
            for (const other of shared.filter((r) => r !== role)) assert.ok(!chainsInto(org, { ...controller, identity: [ADMIN] }, other, eso(ns)), `${key}: chains into ${other.physical}`);
        }
        // CSI: the team's pods read it (secrets), other namespaces' pods do not.
        const csiAssoc = iam.associations.find((a) => a.cluster === cluster && a.namespace === ns && a.serviceAccount === "api");
        if (csiAssoc !== undefined && object.kind === "secret") {
            const pod = (namespace: string) => ({ role: csiAssoc.role, tags: podTags(iam.partition, iam.region, csiAssoc.account, cluster, namespace, "api"), identity: csiAssoc.role.inline });
            assert.ok(podIdentityAssumes(csiAssoc.role, pod(ns).tags), `${key}: Pod Identity cannot assume the CSI role`);
            assert.strictEqual(reads(org, pod(ns), object), "Allowed", `${key}: the team's CSI pod cannot read its own secret`);
            for (const other of others.filter((n) => n !== ns && n !== "")) {
                assert.notStrictEqual(reads(org, pod(other), object), "Allowed", `${key}: CSI pod of '${other}' reads it`);
            }
        }
    }
    assert.ok(seen.size > 0, "the stack has no value to read");
}

const K8S_NAME = (n: string) => n.length <= 32 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(n);

/** The refusal a configuration must get, written from the Kubernetes and Helm name rules, or undefined when it is valid. */
/** Whether the stack runs on IRSA (no Pod Identity agent to choose). */
const irsaOf = (c: Config) => c.kind === "single" && c.irsa && !teamsOf(c).some((t) => t.csi !== undefined);

function expectedRefusal(c: Config): RegExp | undefined {
    if (c.options.installPodIdentityAgent === undefined && !irsaOf(c)) return c.kind === "single" ? /^installPodIdentityAgent: is missing/ : /^clusters\[0\]\.installPodIdentityAgent: is missing/;
    if (c.kind === "single") {
        if (!K8S_NAME(c.name)) return /^name: makes the component's name/;
        // An extra controller's release is auto-named `<name>-eso-<controller>-release-<8>`: Helm allows 53.
        return c.domains > 0 && `${c.name}-eso-d0-release-`.length + 8 > 53 ? /^esoControllers\[0\]\.name: is `d0`: its Helm release/ : undefined;
    }
    const bad = c.clusters.findIndex(([n]) => !K8S_NAME(`${c.name}-${n}`));
    return bad < 0 ? undefined : new RegExp(`^clusters\\[${bad}\\]\\.clusterName: makes the cluster's component name`);
}

let kinds: Kinds;
let checked = 0;
let stacks = 0;
/** Cross-account stacks rendered with several shared roles, and the most clusters in one. */
let grouped = 0;
let mostClusters = 0;

async function property(c: Config): Promise<void> {
    stacks++;
    let resources: RecordedResource[];
    try {
        resources = (await runOffline(program(c))).resources;
    } catch (e) {
        if (!(e instanceof ConfigValidationError)) throw e;
        const problems = e.problems.map((p) => `${p.path}: ${p.message}`);
        const expected = expectedRefusal(c);
        // A refusal must be expected, or name a quota it measured (b).
        const quota = problems.filter((p) => /quota/.test(p));
        assert.ok(expected !== undefined ? problems.some((p) => expected.test(p)) : quota.length > 0, `refused unexpectedly:\n${problems.join("\n")}`);
        return;
    }
    assert.strictEqual(expectedRefusal(c), undefined, "an invalid configuration was not refused");
    // a. Kubernetes and Helm; ESO's pods start after the Pod Identity association took effect (and restart with it).
    assert.deepStrictEqual(judgeKube(resources, kinds).problems, []);
    const associations = resources.filter((r) => r.type === "aws:eks/podIdentityAssociation:PodIdentityAssociation" && String(r.inputs.namespace).startsWith(ESO));
    for (const release of resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === "external-secrets")) {
        const annotation = release.inputs.values?.podAnnotations?.[ASSOCIATION_ANNOTATION];
        if (associations.length > 0) assert.ok(associations.some((a) => a.state.associationId === annotation), `${release.name} starts without waiting for the Pod Identity association`);
    }
    // The agent add-on exactly where the stack chose it, once per cluster.
    const addons = resources.filter((r) => r.type === "aws:eks/addon:Addon").map((r) => `${r.inputs.clusterName}/${r.inputs.addonName}`);
    const clusterNames = c.kind === "single" ? [c.cluster] : c.clusters.map(([n]) => n);
    assert.deepStrictEqual(addons.sort(), c.options.installPodIdentityAgent === true && !irsaOf(c) ? clusterNames.map((n) => `${n}/eks-pod-identity-agent`).sort() : []);
    // b. Quotas.
    assert.deepStrictEqual(quotaProblems(resources), []);
    // c. Reads, with the guardrails when the stack has them.
    const iam = stackIam(resources);
    if (c.kind === "cross") {
        mostClusters = Math.max(mostClusters, c.clusters.length);
        if (iam.storeRoles.length > 1) grouped++;
    }
    const org = c.options.guardrails ? guardrailsOf(c) : {};
    if (c.options.guardrails) {
        const protectedArns = [org.scp!.Statement.find((s) => s.Sid === "DenyWritesToAbacRoles")!.Resource].flat() as string[];
        for (const role of iam.roles) {
            assert.ok(protectedArns.some((p) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`).test(role.arn)), `the SCP protects no role named ${role.physical}`);
        }
    }
    assertReads(c, iam, org, resources);
    // d. The pack and the checker.
    if (stacks % CHECKER_EVERY === 0 && (c.kind === "single" || c.clusters.length <= CHECKER_MAX_CLUSTERS)) {
        checked++;
        const verdict = await judgeStack(planFromInput({ kind: "program", source: "property", resources, undecidable: [], notes: [], config: {} }));
        assert.deepStrictEqual(verdict.violations.map((v) => `${v.policy}: ${v.message}`), []);
        const isolation = verdict.isolation.filter((i) => i.run !== undefined && !i.run.ok).map((i) => `${i.role}: probes ${JSON.stringify(i.run!.probeFailures.map((p) => p.description))}, classes ${JSON.stringify(i.run!.proof?.classes.filter((x) => !x.ok).map((x) => x.description))}`);
        assert.ok(verdict.ok, `the checker did not say OK: ${isolation.join("; ")} principals ${JSON.stringify(verdict.principals.reads)}`);
    }
}

describe("system: generated stacks across the option space (fast-check)", function () {
    this.timeout(Math.max(600_000, RUNS * 3_000));

    before(async function () {
        kinds = kindsWith(await chartCrds(esoHelmValues({ serviceAccountName: ESO, allowNamespacedSecretStores: true })));
    });

    it(`${RUNS} generated stacks (seed ${SEED}): admitted, within quotas or refused, isolated under the guardrails, judged OK`, async () => {
        const started = Date.now();
        await fc.assert(fc.asyncProperty(fc.oneof({ weight: 3, arbitrary: single }, { weight: 1, arbitrary: cross }), property), { seed: SEED, numRuns: RUNS, endOnFailure: false });
        const seconds = (Date.now() - started) / 1000;
        console.log(`      ${stacks} stacks (with shrinking), checker on ${checked}, ${grouped} with several shared roles (up to ${mostClusters} clusters), ${seconds.toFixed(1)} s, seed ${SEED}`);
    });
});
