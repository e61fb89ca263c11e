/**
 * Secrets as files (teams[].csi) against the real things: the stack run in
 * the offline cloud; the released ASCP 3.1.1 chart (with the driver 1.6.0
 * it embeds) rendered by a real `helm` with exactly the values the release
 * records; each SecretProviderClass against the driver's CRD; and the CSI
 * role's rendered documents under an IAM policy evaluator.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import Ajv from "ajv";
import * as YAML from "yaml";
import { CSI_DRIVER_CHART, CSI_PROVIDER_CHART, EksSecretsAbac, EksSecretsAbacArgs, PolicyDocument, TeamSpec } from "../components";
import { decide, IamRequest, unrecognisedContextKeys } from "../cli/src/checker";
import { closeSchema } from "./esoSchemas";
import { aggregatedWrites, helmTemplate, rulesBoundTo } from "./helm";
import { buildPlan, judgePlan, renderPlan, renderVerdict } from "../cli/src/checker";
import { readStackFile } from "../cli/src/checker";
import { abacRoleOf } from "../cli/src/checker";
import { artefactDir, OFFLINE, offlineClusterArn, OfflineRun, runOffline, team, twoTeamArgs } from "./helpers";

const CSI = artefactDir("secrets-store-csi");
const ASCP_TGZ = path.join(CSI, "secrets-store-csi-driver-provider-aws-3.1.1.tgz");
const { accountId, region, partition } = OFFLINE;

/** payments mounts a JSON secret key by key, a whole secret and a parameter; search mounts one secret; billing stays on ESO. */
function csiTeams(): TeamSpec[] {
    const payments: TeamSpec = {
        ...team("payments"),
        parameters: [{ name: "flags" }],
        csi: {
            serviceAccounts: ["app", "worker"],
            secretProviderClasses: [
                {
                    name: "app-secrets",
                    objects: [
                        { secret: "db-password", jmesPath: [{ path: "username", objectAlias: "db-user" }, { path: "password", objectAlias: "db-pass" }] },
                        { secret: "api-key", objectAlias: "api-key" },
                        { parameter: "flags" },
                    ],
                },
            ],
        },
    };
    const search: TeamSpec = { ...team("search"), csi: { serviceAccounts: ["api"], secretProviderClasses: [{ name: "search-secrets", objects: [{ secret: "api-key" }] }] } };
    return [payments, search, team("billing")];
}

function csiArgs(overrides: Partial<EksSecretsAbacArgs> = {}): EksSecretsAbacArgs {
    return { clusterName: "prod-eu", installPodIdentityAgent: true, teams: csiTeams(), ...overrides };
}

function csiRelease(run: OfflineRun<unknown>) {
    return run.ofType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.chart === CSI_PROVIDER_CHART.name);
}

describe("CSI delivery mode: the component graph", () => {
    let run: OfflineRun<EksSecretsAbac>;
    before(async () => {
        run = await runOffline(() => new EksSecretsAbac("prod", csiArgs()));
    });

    it("declares nothing of CSI for a stack without csi teams", async () => {
        const plain = await runOffline(() => new EksSecretsAbac("prod", twoTeamArgs()));
        assert.strictEqual(csiRelease(plain), undefined);
        assert.strictEqual(plain.ofType("kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClass").length, 0);
        assert.strictEqual(plain.ofType("aws:iam/role:Role").length, 2, "the controller role and the shared role only");
        assert.strictEqual(plain.ofType("aws:eks/podIdentityAssociation:PodIdentityAssociation").length, 1);
    });

    it("installs one pinned ASCP release in kube-system, and one CSI role beside ESO's two", () => {
        const release = csiRelease(run)!;
        assert.ok(release);
        assert.deepStrictEqual([release.inputs.version, release.inputs.namespace, release.inputs.repositoryOpts.repo], ["3.1.1", "kube-system", "https://aws.github.io/secrets-store-csi-driver-provider-aws"]);
        assert.strictEqual(run.ofType("kubernetes:helm.sh/v3:Release").length, 2);
        assert.strictEqual(run.ofType("aws:iam/role:Role").length, 3);
    });

    it("associates each team service account with the CSI role, session tags on, and ESO's controller with its own role", () => {
        const associations = run.ofType("aws:eks/podIdentityAssociation:PodIdentityAssociation");
        const csiRoleArn = `arn:${partition}:iam::${accountId}:role/`;
        const csiRole = run.ofType("aws:iam/role:Role").find((r) => r.name === "prod-csi-role")!;
        const byTarget = associations.map((a) => [a.inputs.namespace, a.inputs.serviceAccount, a.inputs.roleArn === csiRole.state.arn, a.inputs.disableSessionTags]).sort();
        assert.ok(String(csiRole.state.arn).startsWith(csiRoleArn));
        assert.deepStrictEqual(byTarget, [
            ["external-secrets", "external-secrets", false, false],
            ["payments", "app", true, false],
            ["payments", "worker", true, false],
            ["search", "api", true, false],
        ]);
    });

    it("refuses csi teams when the secrets live in another account, before anything is declared", () => {
        const placement = { provider: {} as never };
        const args = csiArgs({ sharedRole: { arn: "arn:aws:iam::222222222222:role/shared" } });
        assert.throws(() => new EksSecretsAbac("prod", args, undefined, placement), /teams\[0\]\.csi: is set, but the secrets live in another account/);
    });
});

describe("CSI delivery mode: both charts rendered by a real helm with the release's values", () => {
    let objects: any[];
    let synced: any[];
    let values: any;
    let namespace: string;
    before(async () => {
        const run = await runOffline(() => new EksSecretsAbac("prod", csiArgs()));
        const release = csiRelease(run)!;
        values = release.inputs.values;
        namespace = release.inputs.namespace;
        objects = (await helmTemplate(release.inputs.name, namespace, values, ASCP_TGZ)).objects;
        const syncRun = await runOffline(() => new EksSecretsAbac("prod", csiArgs({ csiSyncSecrets: true })));
        const syncRelease = csiRelease(syncRun)!;
        synced = (await helmTemplate(syncRelease.inputs.name, syncRelease.inputs.namespace, syncRelease.inputs.values, ASCP_TGZ)).objects;
    });

    it("lets a namespace editor write only what is classified: SecretProviderClasses, which mount with the pod's own identity", () => {
        // Every write grant the rendered charts aggregate to edit or admin; a kind nobody classified fails here,
        // so a chart upgrade that hands tenants something new is looked at.
        const classified: Record<string, string> = {
            "secrets-store.csi.x-k8s.io/secretproviderclasses":
                "admitted: the driver resolves the class in the pod's namespace and ASCP mounts with the pod's own service account's Pod Identity session (driver nodeserver.go, ASCP server.go), so naming another team's secret is denied by the CSI role (tests/csiIsolation.test.ts); a class without usePodIdentity is refused by csi-secret-provider-class-requires-pod-identity",
        };
        for (const rendered of [objects, synced]) {
            const writes = aggregatedWrites(rendered.filter((o) => o.kind === "ClusterRole"));
            assert.ok(writes.size > 0, "the driver chart aggregates its SecretProviderClass role");
            assert.deepStrictEqual([...writes.keys()].filter((k) => classified[k] === undefined), [], "an unclassified kind a namespace editor may write");
        }
    });

    it("embeds the driver chart 1.6.0, locked, which needs Kubernetes >= 1.30", () => {
        const lock = YAML.parse(tarEntry(ASCP_TGZ, "secrets-store-csi-driver-provider-aws/Chart.lock"));
        assert.deepStrictEqual(lock.dependencies.map((d: any) => [d.name, d.version]), [[CSI_DRIVER_CHART.name, CSI_DRIVER_CHART.version]]);
        const embedded = YAML.parse(tarEntry(ASCP_TGZ, "secrets-store-csi-driver-provider-aws/charts/secrets-store-csi-driver/Chart.yaml"));
        assert.deepStrictEqual([embedded.version, embedded.kubeVersion], ["1.6.0", ">=1.30.0-0"]);
    });

    it("renders the driver's and ASCP's DaemonSets in the release namespace, with their own service accounts, off Fargate", () => {
        const daemonSets = objects.filter((o) => o.kind === "DaemonSet");
        assert.deepStrictEqual(
            daemonSets.map((d) => [d.metadata.name, d.metadata.namespace, d.spec.template.spec.serviceAccountName]).sort(),
            [
                ["secrets-store-csi-driver", "kube-system", "secrets-store-csi-driver"],
                ["secrets-store-csi-driver-provider-aws", "kube-system", "secrets-store-csi-driver-provider-aws"],
            ],
        );
        for (const ds of daemonSets) {
            const terms = ds.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
            assert.ok(
                terms.every((t: any) => t.matchExpressions.some((e: any) => e.key === "eks.amazonaws.com/compute-type" && e.operator === "NotIn" && e.values.includes("fargate"))),
                `${ds.metadata.name} may be scheduled on Fargate`,
            );
        }
        const serviceAccounts = objects.filter((o) => o.kind === "ServiceAccount" && !o.metadata.annotations?.["helm.sh/hook"]).map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
        assert.deepStrictEqual(serviceAccounts.sort(), ["kube-system/secrets-store-csi-driver", "kube-system/secrets-store-csi-driver-provider-aws"]);
    });

    it("lists the driver's and ASCP's RBAC: no rule on Secrets with syncing off", () => {
        const driver = rulesBoundTo(objects, "secrets-store-csi-driver", namespace).map(({ role, rule }) => `${role} ${rule.apiGroups.join(",") || "core"}/${rule.resources.join(",")}: ${rule.verbs.join(",")}`);
        assert.deepStrictEqual(driver, [
            "ClusterRole/secretproviderclasses-role core/events: create,patch",
            "ClusterRole/secretproviderclasses-role core/pods: get,list,watch",
            "ClusterRole/secretproviderclasses-role secrets-store.csi.x-k8s.io/secretproviderclasses: get,list,watch",
            "ClusterRole/secretproviderclasses-role secrets-store.csi.x-k8s.io/secretproviderclasspodstatuses: create,delete,get,list,patch,update,watch",
            "ClusterRole/secretproviderclasses-role secrets-store.csi.x-k8s.io/secretproviderclasspodstatuses/status: get,patch,update",
            "ClusterRole/secretproviderclasses-role storage.k8s.io/csidrivers: get,list,watch",
        ]);
        const ascp = rulesBoundTo(objects, "secrets-store-csi-driver-provider-aws", namespace).map(({ rule }) => `${rule.resources.join(",")}: ${rule.verbs.join(",")}`);
        assert.deepStrictEqual(ascp, ["serviceaccounts: get", "pods: get", "nodes: get"]);
        const touchesSecrets = (o: any[]) => o.filter((x) => x.kind === "ClusterRole" || x.kind === "Role").filter((r) => (r.rules ?? []).some((rule: any) => (rule.resources ?? []).includes("secrets")));
        assert.deepStrictEqual(touchesSecrets(objects).map((r) => r.metadata.name), []);
    });

    it("with csiSyncSecrets, renders exactly the secret-writing role and its binding for the driver: what syncSecret.enabled changes", () => {
        const names = (o: any[]) => new Set(o.map((x) => `${x.kind}/${x.metadata.name}`));
        const before = names(objects);
        const added = [...names(synced)].filter((n) => !before.has(n)).sort();
        assert.deepStrictEqual(added, ["ClusterRole/secretprovidersyncing-role", "ClusterRoleBinding/secretprovidersyncing-rolebinding"]);
        const rules = rulesBoundTo(synced, "secrets-store-csi-driver", namespace).filter(({ rule }) => rule.resources.includes("secrets"));
        assert.deepStrictEqual(rules.map(({ rule }) => rule.verbs), [["create", "delete", "get", "list", "patch", "update", "watch"]]);
    });

    it("keeps rotation off and ASCP's driverWritesSecrets off, and requests the Pod Identity token audience", () => {
        const csiDriver = objects.find((o) => o.kind === "CSIDriver");
        assert.strictEqual(csiDriver.spec.requiresRepublish, false, "enableSecretRotation: false");
        assert.deepStrictEqual(csiDriver.spec.tokenRequests.map((t: any) => t.audience).sort(), ["pods.eks.amazonaws.com", "sts.amazonaws.com"]);
        const driver = objects.find((o) => o.kind === "DaemonSet" && o.metadata.name === "secrets-store-csi-driver");
        assert.ok(!JSON.stringify(driver.spec.template.spec.containers).includes("--enable-secret-rotation"));
        const ascp = objects.find((o) => o.kind === "DaemonSet" && o.metadata.name === "secrets-store-csi-driver-provider-aws");
        assert.ok(!ascp.spec.template.spec.containers[0].args.some((a: string) => a.startsWith("--driver-writes-secrets")));
    });
});

function tarEntry(tgz: string, entry: string): string {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { execFileSync } = require("child_process") as typeof import("child_process");
    return execFileSync("tar", ["-xzOf", tgz, entry], { encoding: "utf8" });
}

describe("CSI delivery mode: SecretProviderClasses against the driver's CRD and ASCP's format", () => {
    const crd = YAML.parse(fs.readFileSync(path.join(CSI, "secretproviderclasses.crd.yaml"), "utf8"));
    const schema = crd.spec.versions.find((v: any) => v.name === "v1").schema.openAPIV3Schema;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(closeSchema(schema));
    let classes: any[];
    let secretNames: Set<string>;
    let parameterNames: Set<string>;
    before(async () => {
        const run = await runOffline(() => new EksSecretsAbac("prod", csiArgs()));
        classes = run.ofType("kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClass").map((r) => r.inputs);
        secretNames = new Set(run.ofType("aws:secretsmanager/secret:Secret").map((r) => r.inputs.name));
        parameterNames = new Set(run.ofType("aws:ssm/parameter:Parameter").map((r) => r.inputs.name));
    });

    it("renders one SecretProviderClass per entry, each valid against the closed CRD schema", () => {
        assert.deepStrictEqual(classes.map((c) => `${c.metadata.namespace}/${c.metadata.name}`).sort(), ["payments/app-secrets", "search/search-secrets"]);
        for (const c of classes) assert.ok(validate(c), JSON.stringify(validate.errors));
        assert.ok(!validate({ ...classes[0], spec: { ...classes[0].spec, parameters: { objects: [] } } }), "the schema refuses a parameter that is not a string");
        assert.ok(!validate({ ...classes[0], spec: { ...classes[0].spec, providr: "aws" } }), "the closed schema refuses an unknown field");
    });

    it("asks ASCP for Pod Identity in the stack's region, and names only the team's own secrets and parameters", () => {
        for (const c of classes) {
            assert.strictEqual(c.spec.provider, "aws");
            assert.strictEqual(c.spec.parameters.usePodIdentity, "true");
            assert.strictEqual(c.spec.parameters.region, region);
            // ASCP reads `objects` with sigs.k8s.io/yaml into []SecretDescriptor (secret_descriptor.go).
            const objects = YAML.parse(c.spec.parameters.objects);
            for (const o of objects) {
                assert.ok(["secretsmanager", "ssmparameter"].includes(o.objectType));
                const own = o.objectType === "secretsmanager" ? secretNames : parameterNames;
                assert.ok(own.has(o.objectName), `${o.objectName} is no ${o.objectType} of the stack`);
                assert.ok(o.objectName.replace(/^\//, "").startsWith(`${c.metadata.namespace}/`), `${c.metadata.namespace} mounts ${o.objectName}`);
            }
        }
        const payments = YAML.parse(classes.find((c) => c.metadata.namespace === "payments").spec.parameters.objects);
        assert.deepStrictEqual(payments, [
            { objectName: "payments/db-password", objectType: "secretsmanager", jmesPath: [{ path: "username", objectAlias: "db-user" }, { path: "password", objectAlias: "db-pass" }] },
            { objectName: "payments/api-key", objectType: "secretsmanager", objectAlias: "api-key" },
            { objectName: "/payments/flags", objectType: "ssmparameter" },
        ]);
    });
});

/** The session Pod Identity gives a pod (pod-id-abac.html): its own namespace, service account and cluster as principal tags. */
const podSession = (namespace: string, serviceAccount: string, cluster = "prod-eu") => ({
    "aws:PrincipalTag/eks-cluster-arn": offlineClusterArn(cluster),
    "aws:PrincipalTag/eks-cluster-name": cluster,
    "aws:PrincipalTag/kubernetes-namespace": namespace,
    "aws:PrincipalTag/kubernetes-service-account": serviceAccount,
    "aws:PrincipalTag/kubernetes-pod-name": `${serviceAccount}-5f7d8c9b4-abcde`,
    "aws:PrincipalTag/kubernetes-pod-uid": "0b5c7a7e-5c1e-4f5e-9a53-8c1f0d9e2b11",
});
async function readAs(policy: PolicyDocument, session: Record<string, string>, resource: string, tags: Record<string, string>, action: string): Promise<string> {
    // Secrets Manager has its own resource-tag key; SSM authorizes with the global aws:ResourceTag.
    const tagPrefix = action.startsWith("secretsmanager:") ? "secretsmanager:ResourceTag" : "aws:ResourceTag";
    const context: Record<string, string> = { ...session };
    for (const [k, v] of Object.entries(tags)) context[`${tagPrefix}/${k}`] = v;
    const request: IamRequest = {
        principal: `arn:${partition}:sts::${accountId}:assumed-role/prod-csi-role/eks-prod-eu-pod`,
        action,
        resource,
        resourceAccount: accountId,
        context,
        identityPolicies: [policy],
    };
    assert.deepStrictEqual(await unrecognisedContextKeys(action, resource, Object.keys(context)), [], "a context key would be ignored");
    return decide(request);
}

describe("CSI delivery mode: names under secretNamePrefix", () => {
    it("names the prefixed Secrets Manager secret and Parameter Store parameter the stack creates", async () => {
        const run = await runOffline(() => new EksSecretsAbac("prod", csiArgs({ secretNamePrefix: "prod-eu/" })));
        const objects = run
            .ofType("kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClass")
            .flatMap((c) => YAML.parse(c.inputs.spec.parameters.objects).map((o: any) => o.objectName));
        const created = new Set([...run.ofType("aws:secretsmanager/secret:Secret"), ...run.ofType("aws:ssm/parameter:Parameter")].map((r) => r.inputs.name));
        assert.deepStrictEqual(objects.sort(), ["/prod-eu/payments/flags", "prod-eu/payments/api-key", "prod-eu/payments/db-password", "prod-eu/search/api-key"]);
        for (const name of objects) assert.ok(created.has(name), `${name} is not created by the stack`);
    });
});

describe("CSI delivery mode: the CSI role's rendered documents under an IAM policy evaluator", () => {
    let permission: PolicyDocument;
    let trust: PolicyDocument;
    let esoPermission: PolicyDocument;
    let roleArn: string;
    let secretArn: (name: string) => string;
    let parameterArn: (name: string) => string;
    before(async () => {
        const run = await runOffline(() => new EksSecretsAbac("prod", csiArgs()));
        const role = run.ofType("aws:iam/role:Role").find((r) => r.name === "prod-csi-role")!;
        roleArn = role.state.arn;
        trust = JSON.parse(role.inputs.assumeRolePolicy);
        permission = JSON.parse(run.ofType("aws:iam/rolePolicy:RolePolicy").find((r) => r.name === "prod-csi-read-tagged-secrets")!.inputs.policy);
        esoPermission = JSON.parse(run.ofType("aws:iam/rolePolicy:RolePolicy").find((r) => r.name === "prod-shared-abac-read-tagged-secrets")!.inputs.policy);
        const secrets = new Map(run.ofType("aws:secretsmanager/secret:Secret").map((r) => [r.inputs.name, r]));
        const parameters = new Map(run.ofType("aws:ssm/parameter:Parameter").map((r) => [r.inputs.name, r]));
        secretArn = (n) => secrets.get(n)!.state.arn;
        parameterArn = (n) => parameters.get(n)!.state.arn;
        assert.deepStrictEqual(secrets.get("payments/db-password")!.inputs.tags, { "kubernetes-namespace": "payments", "eks-cluster-name": "prod-eu" });
    });

    const read = (session: Record<string, string>, resource: string, tags: Record<string, string>, action: string, policy = permission) => readAs(policy, session, resource, tags, action);
    const tagsOf = (ns: string, cluster = "prod-eu") => ({ "kubernetes-namespace": ns, "eks-cluster-name": cluster });

    // ExplicitlyDenied: the Deny statements on tags that differ (tagDeny.ts) answer before any Allow is looked for.
    it("lets a pod of payments read payments' secret and parameter, and not search's", async () => {
        assert.strictEqual(await read(podSession("payments", "app"), secretArn("payments/db-password"), tagsOf("payments"), "secretsmanager:GetSecretValue"), "Allowed");
        assert.strictEqual(await read(podSession("payments", "app"), parameterArn("/payments/flags"), tagsOf("payments"), "ssm:GetParameter"), "Allowed");
        assert.strictEqual(await read(podSession("payments", "app"), secretArn("search/api-key"), tagsOf("search"), "secretsmanager:GetSecretValue"), "ExplicitlyDenied");
        assert.strictEqual(await read(podSession("search", "api"), secretArn("search/api-key"), tagsOf("search"), "secretsmanager:GetSecretValue"), "Allowed");
        assert.strictEqual(await read(podSession("search", "api"), secretArn("payments/api-key"), tagsOf("payments"), "secretsmanager:GetSecretValue"), "ExplicitlyDenied");
        assert.strictEqual(await read(podSession("search", "api"), parameterArn("/payments/flags"), tagsOf("payments"), "ssm:GetParameter"), "ExplicitlyDenied");
    });

    it("denies a pod of another cluster, a namespace that prefixes another, and a session without a namespace tag", async () => {
        const target = secretArn("payments/db-password");
        assert.strictEqual(await read(podSession("payments", "app", "staging-eu"), target, tagsOf("payments"), "secretsmanager:GetSecretValue"), "ExplicitlyDenied");
        assert.strictEqual(await read(podSession("pay", "app"), target, tagsOf("payments"), "secretsmanager:GetSecretValue"), "ExplicitlyDenied");
        assert.strictEqual(await read(podSession("payments-admin", "app"), target, tagsOf("payments"), "secretsmanager:GetSecretValue"), "ExplicitlyDenied");
        const untagged: Record<string, string> = podSession("payments", "app");
        delete untagged["aws:PrincipalTag/kubernetes-namespace"];
        assert.strictEqual(await read(untagged, target, { "kubernetes-namespace": "", "eks-cluster-name": "prod-eu" }, "secretsmanager:GetSecretValue"), "ExplicitlyDenied");
    });

    it("keys on the pod's own namespace tag, where ESO's shared role keys on esoNamespace: the same pod session reads nothing through ESO's document", async () => {
        assert.strictEqual(await read(podSession("payments", "app"), secretArn("payments/db-password"), tagsOf("payments"), "secretsmanager:GetSecretValue", esoPermission), "ExplicitlyDenied");
        assert.notDeepStrictEqual(permission, esoPermission);
    });

    /** Pod Identity's AssumeRole for a pod (pod-id-abac.html, pod-id-role.html). */
    const assume = (namespace: string, serviceAccount: string, extra: Record<string, string> = {}): IamRequest => ({
        principal: "pods.eks.amazonaws.com",
        action: "sts:AssumeRole",
        resource: roleArn,
        resourceAccount: accountId,
        resourcePolicy: trust,
        context: {
            "aws:SourceAccount": accountId,
            "aws:RequestTag/eks-cluster-arn": offlineClusterArn("prod-eu"),
            "aws:RequestTag/eks-cluster-name": "prod-eu",
            "aws:RequestTag/kubernetes-namespace": namespace,
            "aws:RequestTag/kubernetes-service-account": serviceAccount,
            ...extra,
        },
    });

    it("trusts Pod Identity for team pods of this cluster and account, never for ESO's or the driver's namespace", () => {
        assert.strictEqual(decide(assume("payments", "app")), "Allowed");
        assert.strictEqual(decide({ ...assume("payments", "app"), action: "sts:TagSession" }), "Allowed");
        assert.strictEqual(decide(assume("external-secrets", "external-secrets")), "ImplicitlyDenied", "an ESO session would read secrets tagged with ESO's namespace");
        assert.strictEqual(decide(assume("kube-system", "secrets-store-csi-driver-provider-aws")), "ImplicitlyDenied");
        assert.strictEqual(decide(assume("payments", "app", { "aws:RequestTag/eks-cluster-arn": offlineClusterArn("staging-eu") })), "ImplicitlyDenied");
        assert.strictEqual(decide(assume("payments", "app", { "aws:SourceAccount": "999999999999" })), "ImplicitlyDenied");
    });
});

describe("examples/csi under the offline cloud", function () {
    this.timeout(120_000);
    const dir = path.join(__dirname, "..", "examples", "csi");
    let run: OfflineRun<unknown>;
    before(async () => {
        const { config, secretKeys } = readStackFile(path.join(dir, "Pulumi.dev.yaml"));
        const program = path.join(dir, "index.ts");
        run = await runOffline(
            () => {
                delete require.cache[require.resolve(program)];
                return require(program);
            },
            config,
            secretKeys,
            "eks-secrets-abac-csi",
        );
    });

    it("declares the driver once, the CSI role, one association per CSI service account and a SecretProviderClass per entry", () => {
        assert.ok(csiRelease(run));
        // Roles without an explicit name carry the engine's auto-name (logical name, "-", 7 hex).
        assert.deepStrictEqual(run.ofType("aws:iam/role:Role").map((r) => String(r.state.name).replace(/-[0-9a-f]{7}$/, "-<auto>")).sort(), ["platform-csi-role", "platform-shared-abac-role", "prod-eu-eso-controller"]);
        const associations = run.ofType("aws:eks/podIdentityAssociation:PodIdentityAssociation").map((a) => `${a.inputs.namespace}/${a.inputs.serviceAccount}`);
        assert.deepStrictEqual(associations.sort(), ["external-secrets/external-secrets", "payments/app", "search/api"]);
        assert.deepStrictEqual(run.ofType("kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClass").map((c) => `${c.inputs.metadata.namespace}/${c.inputs.metadata.name}`).sort(), ["payments/app-secrets", "search/opensearch"]);
        assert.strictEqual(run.ofType("kubernetes:external-secrets.io/v1:ExternalSecret").length, 2, "search and billing keep ESO");
    });

    it("renders both charts with the example's values", async () => {
        const release = csiRelease(run)!;
        const { objects } = await helmTemplate(release.inputs.name, release.inputs.namespace, release.inputs.values, ASCP_TGZ);
        assert.deepStrictEqual(objects.filter((o) => o.kind === "DaemonSet").map((d) => d.metadata.name).sort(), ["secrets-store-csi-driver", "secrets-store-csi-driver-provider-aws"]);
    });

    it("lets every CSI team's pods read exactly their own secrets and parameters, and nothing of another team", async () => {
        const policy = JSON.parse(run.ofType("aws:iam/rolePolicy:RolePolicy").find((r) => r.name === "platform-csi-read-tagged-secrets")!.inputs.policy);
        const associations = run.ofType("aws:eks/podIdentityAssociation:PodIdentityAssociation").filter((a) => a.inputs.namespace !== "external-secrets");
        const targets = [
            ...run.ofType("aws:secretsmanager/secret:Secret").map((r) => ({ arn: r.state.arn, tags: r.inputs.tags, action: "secretsmanager:GetSecretValue" })),
            ...run.ofType("aws:ssm/parameter:Parameter").map((r) => ({ arn: r.state.arn, tags: r.inputs.tags, action: "ssm:GetParameter" })),
        ];
        assert.strictEqual(targets.length, 4);
        const matrix: string[] = [];
        for (const a of associations) {
            for (const t of targets) {
                const decision = await readAs(policy, podSession(a.inputs.namespace, a.inputs.serviceAccount, a.inputs.clusterName), t.arn, t.tags, t.action);
                // A secret's ARN ends in "-" and six random characters that Secrets Manager picks.
                if (decision === "Allowed") matrix.push(`${a.inputs.namespace}/${a.inputs.serviceAccount} -> ${t.arn.split(":").slice(5).join(":").replace(/^(secret:.*)-[0-9a-zA-Z]{6}$/, "$1-??????")}`);
            }
        }
        assert.deepStrictEqual(matrix.sort(), [
            "payments/app -> parameter/payments/feature-flags",
            "payments/app -> secret:payments/db-??????",
            "search/api -> secret:search/opensearch-??????",
        ]);
    });
});

describe("the plan's output for CSI teams", () => {
    it("names the driver release and its syncSecret value, each CSI team's service accounts and what each SecretProviderClass mounts", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "eks-secrets-abac-csi-"));
        const file = path.join(dir, "Pulumi.csi.yaml");
        fs.writeFileSync(
            file,
            YAML.stringify({ config: { "eks-secrets-abac:clusterName": "prod-eu", "eks-secrets-abac:installPodIdentityAgent": true, "eks-secrets-abac:teams": csiTeams() } }),
        );
        const result = await buildPlan(file);
        assert.ok(result.ok, JSON.stringify(result));
        const text = renderPlan(result.plan);
        assert.match(text, /^Secrets Store CSI Driver with ASCP: chart secrets-store-csi-driver-provider-aws 3\.1\.1 \(driver 1\.6\.0 as its dependency\), namespace kube-system$/m);
        assert.match(text, /^ {2}hardened {2}secrets-store-csi-driver\.syncSecret\.enabled = false/m);
        assert.match(text, /^ {4}files \(CSI, Pod Identity with the CSI role\): service accounts app, worker$/m);
        assert.match(text, /^ {4}SecretProviderClass app-secrets <- payments\/db-password, payments\/api-key, \/payments\/flags$/m);
        assert.match(text, /^ {4}SecretProviderClass search-secrets <- search\/api-key$/m);
        assert.strictEqual(result.plan.teams.find((t) => t.namespace === "billing")!.csi, undefined);
    });
});

/** The CSI role of the root program: no explicit name, so the engine's auto-name. */
const CSI_ROLE = /^prod-eu-csi-role$/;

describe("the access matrix of a stack with a CSI role", () => {
    it("evaluates the ESO shared role the ClusterSecretStore names, not the CSI role whose policy also keys on principal tags", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "eks-secrets-abac-csi-"));
        const file = path.join(dir, "Pulumi.csi.yaml");
        fs.writeFileSync(file, YAML.stringify({ config: { "eks-secrets-abac:clusterName": "prod-eu", "eks-secrets-abac:installPodIdentityAgent": true, "eks-secrets-abac:teams": csiTeams() } }));
        const result = await buildPlan(file);
        assert.ok(result.ok);
        // The CSI and shared roles have no explicit name: the engine auto-names them (logical name, "-", 7 hex).
        assert.deepStrictEqual(result.plan.roles.map((r) => r.name.replace(/-[0-9a-f]{7}$/, "-<auto>")).sort(), ["prod-eu-csi-role", "prod-eu-eso-controller", "prod-eu-shared-abac-role"]);
        assert.match(abacRoleOf(result.plan).name, /^prod-eu-shared-abac-role$/);
    });
});

describe("the verdict of a stack with a CSI role: its per-pod sessions are the expected readers, and judged", function () {
    this.timeout(120_000);
    const stackFile = () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "eks-secrets-abac-csi-"));
        const file = path.join(dir, "Pulumi.csi.yaml");
        fs.writeFileSync(file, YAML.stringify({ config: { "eks-secrets-abac:clusterName": "prod-eu", "eks-secrets-abac:installPodIdentityAgent": true, "eks-secrets-abac:teams": csiTeams() } }));
        return file;
    };

    it("proves the CSI role isolated with one session per associated service account, and the principal check does not count it as another reader", async () => {
        const result = await buildPlan(stackFile());
        assert.ok(result.ok);
        const verdict = await judgePlan(result.plan);
        // One verdict (judge()): the pod role's matrix and trust are its entry of kind "pod" beside ESO's shared role.
        const podRoles = verdict.isolation.filter((i) => i.kind === "pod");
        assert.strictEqual(podRoles.length, 1);
        const pods = podRoles[0].run!;
        const csiRole = pods.spec.abacRoleName;
        assert.match(csiRole, CSI_ROLE);
        assert.strictEqual(pods.spec.sessionKind, "pod");
        // The sessions are exactly the service accounts the config gives each CSI team.
        const configured = Object.fromEntries(csiTeams().flatMap((t) => (t.csi ? [[t.namespace, [...t.csi.serviceAccounts].sort()]] : [])));
        assert.deepStrictEqual(pods.spec.serviceAccounts, configured);
        assert.ok(pods.proof.proven && pods.ok);
        assert.deepStrictEqual(verdict.principals.reads, []);
        assert.ok(verdict.principals.expected.includes(csiRole));
        assert.deepStrictEqual(podRoles.map((t) => [t.role, t.trust!.teamsRefused, t.trust!.admittedAttackers]), [[csiRole, [], []]]);
        assert.ok(verdict.ok);
    });

    it("blocks a CSI role whose trust lost its namespace refusal: a pod of ESO's namespace (or the driver's) could take it", async () => {
        const result = await buildPlan(stackFile());
        assert.ok(result.ok);
        const role = result.plan.roles.find((r) => CSI_ROLE.test(r.name))!;
        const trust = structuredClone(role.trustPolicy) as PolicyDocument;
        delete trust.Statement[0].Condition!.StringNotEquals;
        role.trustPolicy = trust;
        const verdict = await judgePlan(result.plan);
        const admitted = verdict.isolation.find((i) => i.kind === "pod")!.trust!.admittedAttackers;
        assert.ok(admitted.some((a) => /refused namespace external-secrets/.test(a)), admitted.join("; "));
        assert.ok(admitted.some((a) => /refused namespace kube-system/.test(a)), admitted.join("; "));
        assert.ok(!verdict.ok);
        assert.match(renderVerdict(verdict), /trust of prod-eu-csi-role .*ADMITS a pod of the refused namespace external-secrets/);
    });

    it("blocks a CSI role whose namespace condition is dropped: search's pods would read payments' secret", async () => {
        const result = await buildPlan(stackFile());
        assert.ok(result.ok);
        const role = result.plan.roles.find((r) => CSI_ROLE.test(r.name))!;
        const doc = role.permissionPolicies[0] as PolicyDocument;
        const loosened = structuredClone(doc);
        delete (loosened.Statement[0].Condition!.StringEquals as Record<string, unknown>)["secretsmanager:ResourceTag/kubernetes-namespace"];
        // The Deny statements go too: with them the loosened Allow would still read nothing of another team's.
        loosened.Statement = loosened.Statement.filter((s) => s.Effect === "Allow");
        // Still keyed on the pod's tag elsewhere (the parameter statement), so it is judged as the CSI role.
        role.permissionPolicies = [loosened];
        const verdict = await judgePlan(result.plan);
        const pods = verdict.isolation.find((i) => i.kind === "pod")!.run!;
        assert.ok(!pods.ok, "the pod matrix finds the cross-team read");
        assert.ok(pods.crossTeamAllows > 0);
        // The truth, straight from the evaluator: a search pod asks for payments' secret.
        const request = {
            principal: "arn:aws:sts::111122223333:assumed-role/prod-eu-csi-role/eks-prod-eu-app",
            action: "secretsmanager:GetSecretValue",
            resource: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:payments/db-password-AbCdEf",
            resourceAccount: "111122223333",
            identityPolicies: [loosened],
            context: {
                "aws:PrincipalTag/kubernetes-namespace": "search",
                "aws:PrincipalTag/eks-cluster-name": "prod-eu",
                "secretsmanager:ResourceTag/kubernetes-namespace": "payments",
                "secretsmanager:ResourceTag/eks-cluster-name": "prod-eu",
                "aws:ResourceTag/kubernetes-namespace": "payments",
                "aws:ResourceTag/eks-cluster-name": "prod-eu",
            },
        };
        assert.strictEqual(decide(request), "Allowed");
        assert.ok(!verdict.ok);
    });
});
