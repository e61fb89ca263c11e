import * as assert from "assert";
import { ConfigValidationError, EksSecretsAbac, EksSecretsAbacArgs, validateArgs, versionAtLeast } from "../components";
import { parseStackConfig } from "../components/lib/stackConfig";
import { runOffline, team, twoTeamArgs } from "./helpers";

/** The problems of a two-team stack changed by `change`, as "path: message". */
function problemsOf(change: (args: EksSecretsAbacArgs) => EksSecretsAbacArgs): string[] {
    return validateArgs(change(twoTeamArgs())).map((p) => `${p.path}: ${p.message}`);
}

function withTeam0(patch: object) {
    return (a: EksSecretsAbacArgs): EksSecretsAbacArgs => ({ ...a, teams: [{ ...a.teams[0], ...patch }, a.teams[1]] });
}

describe("validation of the arguments", () => {
    it("accepts the compliant two-team stack", () => {
        assert.deepStrictEqual(problemsOf((a) => a), []);
    });

    const cases: [string, (a: EksSecretsAbacArgs) => EksSecretsAbacArgs, RegExp][] = [
        ["a namespace that is not DNS-1123", withTeam0({ namespace: "Payments_Team" }), /^teams\[0\]\.namespace: is `Payments_Team`: use lowercase/],
        ["a namespace over 63 characters", withTeam0({ namespace: "a".repeat(64) }), /^teams\[0\]\.namespace: is `a+`: has 64 characters; the limit is 63/],
        ["a duplicate namespace", (a) => ({ ...a, teams: [...a.teams, team("payments")] }), /^teams\[2\]\.namespace: `payments` is already onboarded by teams\[0\]/],
        ["kube-system", withTeam0({ namespace: "kube-system" }), /^teams\[0\]\.namespace: is `kube-system`, which is reserved/],
        ["default", withTeam0({ namespace: "default" }), /^teams\[0\]\.namespace: is `default`, which is reserved/],
        ["ESO's own namespace", withTeam0({ namespace: "external-secrets" }), /^teams\[0\]\.namespace: is `external-secrets`, which is reserved/],
        ["ESO's namespace when moved", (a) => ({ ...withTeam0({ namespace: "eso" })(a), esoNamespace: "eso" }), /^teams\[0\]\.namespace: is `eso`, which is reserved/],
        ["a missing cluster name", (a) => ({ ...a, clusterName: "" }), /^clusterName: is missing/],
        ["a cluster name with a dot", (a) => ({ ...a, clusterName: "prod.eu" }), /^clusterName: is `prod.eu`: an EKS cluster name/],
        ["a secret name with a space", withTeam0({ secrets: [{ name: "db password" }] }), /^teams\[0\]\.secrets\[0\]\.name: is `db password`: Secrets Manager names allow/],
        ["a secret name that looks like an ARN suffix", withTeam0({ secrets: [{ name: "db-a1B2c3" }] }), /mistaken for an ARN suffix/],
        ["a secret name too long for Secrets Manager", withTeam0({ secrets: [{ name: "x".repeat(510) }] }), /makes the Secrets Manager name 519 characters long; the limit is 512/],
        ["a duplicate secret", withTeam0({ secrets: [{ name: "a" }, { name: "a" }] }), /^teams\[0\]\.secrets\[1\]\.name: `a` appears twice/],
        ["a recovery window of 3 days", withTeam0({ secrets: [{ name: "a", recoveryWindowInDays: 3 }] }), /recoveryWindowInDays: is `3`: use 0/],
        [
            "an ExternalSecret reading a secret the team does not have",
            withTeam0({ secrets: [{ name: "a" }], externalSecrets: [{ name: "x", data: [{ secretKey: "K", secret: "b" }] }] }),
            /^teams\[0\]\.externalSecrets\[0\]\.data\[0\]\.secret: is `b`, which is not one of the team's secrets/,
        ],
        [
            "an ExternalSecret entry with both secret and remoteKey",
            withTeam0({ secrets: [{ name: "a" }], externalSecrets: [{ name: "x", data: [{ secretKey: "K", secret: "a", remoteKey: "a" }] }] }),
            /^teams\[0\]\.externalSecrets\[0\]\.data\[0\]: give exactly one of/,
        ],
        ["an ExternalSecret that reads nothing", withTeam0({ externalSecrets: [{ name: "x" }] }), /^teams\[0\]\.externalSecrets\[0\]: reads nothing/],
        ["a bad refresh interval", withTeam0({ externalSecrets: [{ name: "x", extract: ["db-password"], refreshInterval: "1 hour" }] }), /refreshInterval: is `1 hour`/],
        ["an uppercase ExternalSecret name", withTeam0({ externalSecrets: [{ name: "App", extract: ["db-password"] }] }), /^teams\[0\]\.externalSecrets\[0\]\.name: is `App`/],
        ["a chart older than 2.5.0", (a) => ({ ...a, chartVersion: "0.10.7" }), /^chartVersion: is `0.10.7`: ESO before 2.5.0 has no sessionTagsPolicy/],
        ["a KMS alias instead of a key ARN", (a) => ({ ...a, kmsKeyArns: ["alias/secrets"] }), /^kmsKeyArns\[0\]: is `alias\/secrets`: give a KMS key ARN/],
        ["a user tag that overwrites the namespace tag", (a) => ({ ...a, tags: { "kubernetes-namespace": "x" } }), /^tags\.kubernetes-namespace: would overwrite the tag that decides who reads a secret/],
        ["a user tag with the aws: prefix", (a) => ({ ...a, tags: { "aws:owner": "x" } }), /^tags\.aws:owner: uses the prefix `aws:`/],
        ["a tag value over 256 characters", (a) => ({ ...a, tags: { owner: "x".repeat(257) } }), /^tags\.owner: value must be a string of at most 256 characters/],
        ["Helm values that re-enable namespaced SecretStores", (a) => ({ ...a, helmValues: { processSecretStore: true } }), /^helmValues\.processSecretStore: is `true`; the hardened value renders --enable-secret-store-reconciler=false.*: remove it, or set allowNamespacedSecretStores/],
        ["Helm values that turn the flood gate off", (a) => ({ ...a, helmValues: { extraArgs: { "enable-flood-gate": "false" } } }), /^helmValues\.extraArgs\.enable-flood-gate: sets the controller flag --enable-flood-gate/],
        ["Helm values that leave the CRDs to someone else", (a) => ({ ...a, helmValues: { installCRDs: false } }), /^helmValues\.installCRDs: is false/],
        ["a store name over 63 characters", (a) => ({ ...a, storeName: "s".repeat(64) }), /^storeName: is `s+`: use at most 63/],
        ["a cluster ARN that is not an EKS cluster ARN", (a) => ({ ...a, clusterArn: "arn:aws:iam::111122223333:role/prod-eu" }), /^clusterArn: is `arn:aws:iam::111122223333:role\/prod-eu`: give the EKS cluster's ARN/],
        ["a cluster ARN of another cluster", (a) => ({ ...a, clusterArn: "arn:aws:eks:eu-west-1:111122223333:cluster/staging-eu" }), /^clusterArn: .*names the cluster `staging-eu`, but clusterName is `prod-eu`/],
        ["Helm values that re-enable token minting", (a) => ({ ...a, helmValues: { rbac: { serviceAccountTokenCreate: true } } }), /^helmValues\.rbac\.serviceAccountTokenCreate: is `true`/],
        ["Helm values that rename ESO's service account", (a) => ({ ...a, helmValues: { serviceAccount: { name: "eso" } } }), /^helmValues\.serviceAccount\.name: is `eso`, which the Pod Identity association would not match: set esoServiceAccount/],
        ["Helm values that move ESO to another namespace", (a) => ({ ...a, helmValues: { namespaceOverride: "eso" } }), /^helmValues\.namespaceOverride: is `eso`.*set esoNamespace instead/],
        ["a store name with uppercase", (a) => ({ ...a, storeName: "Team" }), /^storeName: is `Team`/],
    ];
    for (const [what, change, expected] of cases) {
        it(`rejects ${what}`, () => {
            const problems = problemsOf(change);
            assert.ok(problems.some((p) => expected.test(p)), `expected ${expected} among:\n${problems.join("\n")}`);
        });
    }

    it("rejects a cluster ARN in another account than the stack's, when the account is known", () => {
        const arn = "arn:aws:eks:eu-west-1:444455556666:cluster/prod-eu";
        const problems = validateArgs(twoTeamArgs({ clusterArn: arn }), { accountId: "111122223333" });
        assert.deepStrictEqual(problems.map((p) => p.path), ["clusterArn"]);
        assert.match(problems[0].message, /is in account 444455556666, but the stack deploys to account 111122223333/);
        assert.deepStrictEqual(validateArgs(twoTeamArgs({ clusterArn: arn.replace("444455556666", "111122223333") }), { accountId: "111122223333" }), []);
    });

    it("allows namespaced SecretStore values when allowNamespacedSecretStores is set, but never token minting", () => {
        const problems = problemsOf((a) => ({
            ...a,
            allowNamespacedSecretStores: true,
            helmValues: { processSecretStore: true, rbac: { serviceAccountTokenCreate: true } },
        }));
        assert.deepStrictEqual(problems.map((p) => p.split(":")[0]), ["helmValues.rbac.serviceAccountTokenCreate"]);
    });

    it("lists every problem of a bad config at once, and the component declares nothing", async () => {
        const bad: EksSecretsAbacArgs = {
            clusterName: "prod-eu",
            installPodIdentityAgent: true,
            teams: [team("Payments_Team"), team("search"), team("search"), team("kube-system")],
        };
        const run = await runOffline(() => {
            try {
                new EksSecretsAbac("prod", bad);
                return undefined;
            } catch (e) {
                return e;
            }
        });
        assert.ok(run.result instanceof ConfigValidationError);
        assert.deepStrictEqual(
            run.result.problems.map((p) => p.path),
            ["teams[0].namespace", "teams[2].namespace", "teams[3].namespace"],
        );
        assert.match(run.result.message, /3 configuration problems; nothing was deployed/);
        assert.deepStrictEqual(run.resources, []);
    });

    it("lists every Helm value that would reopen the hole at once, each with its key", () => {
        const problems = problemsOf((a) => ({
            ...a,
            helmValues: {
                extraArgs: { "enable-secret-store-reconciler": "true", "enable-flood-gate": "false", concurrent: "2" },
                processClusterPushSecret: true,
                installCRDs: false,
            },
        }));
        assert.deepStrictEqual(problems.map((p) => p.split(":")[0]).sort(), [
            "helmValues.extraArgs.enable-flood-gate",
            "helmValues.extraArgs.enable-secret-store-reconciler",
            "helmValues.installCRDs",
            "helmValues.processClusterPushSecret",
        ]);
    });

    it("warns, without failing, when teams is empty: a store nobody can use", async () => {
        const warnings: string[] = [];
        const original = console.warn;
        console.warn = (msg: string) => warnings.push(msg);
        try {
            const run = await runOffline(() => new EksSecretsAbac("prod", { clusterName: "prod-eu", installPodIdentityAgent: true, teams: [] }));
            assert.ok(run.ofType("kubernetes:helm.sh/v3:Release").length === 1);
        } finally {
            console.warn = original;
        }
        assert.ok(warnings.some((w) => /teams is empty/.test(w)), warnings.join("\n"));
        assert.deepStrictEqual(validateArgs({ clusterName: "prod-eu", installPodIdentityAgent: true, teams: [] }), []);
    });

    it("compares chart versions numerically", () => {
        assert.ok(versionAtLeast("2.10.0", "2.5.0"));
        assert.ok(versionAtLeast("v2.5.0", "2.5.0"));
        assert.ok(!versionAtLeast("2.4.9", "2.5.0"));
    });
});

describe("stack config shape", () => {
    it("names an unknown field and lists the allowed ones", () => {
        const { problems } = parseStackConfig({ clusterName: "prod-eu", installPodIdentityAgent: true, teams: [{ namespce: "payments" }] });
        assert.deepStrictEqual(problems, [
            { path: "teams[0].namespace", message: "is required but missing" },
            { path: "teams[0].namespce", message: "is not a known field (a typo?); allowed here: namespace, createNamespace, secrets, parameters, externalSecrets, csi, controller" },
        ]);
    });

    it("names a wrong type and a missing teams list", () => {
        const { problems } = parseStackConfig({ clusterName: "prod-eu", installPodIdentityAgent: "yes" });
        assert.deepStrictEqual(problems.map((p) => `${p.path}: ${p.message}`).sort(), [
            "installPodIdentityAgent: must be of type boolean",
            "teams: is required but missing",
        ]);
    });

    it("takes controllerEgressPolicy as a boolean, and with it refuses helmValues that replace the controller's NetworkPolicy", () => {
        const base = { clusterName: "prod-eu", installPodIdentityAgent: true, teams: [{ namespace: "payments" }] };
        assert.deepStrictEqual(parseStackConfig({ ...base, controllerEgressPolicy: true }).problems, []);
        assert.deepStrictEqual(parseStackConfig({ ...base, controllerEgressPolicy: "true" }).problems, [{ path: "controllerEgressPolicy", message: "must be of type boolean" }]);
        const replaced = parseStackConfig({ ...base, controllerEgressPolicy: true, helmValues: { networkPolicy: { egress: [{}] } } }).problems;
        assert.deepStrictEqual(replaced.map((p) => p.path), ["helmValues.networkPolicy.egress"]);
        assert.match(replaced[0].message, /controllerEgressPolicy: false/);
        assert.deepStrictEqual(parseStackConfig({ ...base, helmValues: { networkPolicy: { enabled: true, egress: [{}] } } }).problems, [], "off: the user's own policy is theirs");
    });

    it("passes a valid config through unchanged", () => {
        const raw = { clusterName: "prod-eu", installPodIdentityAgent: true, teams: [{ namespace: "payments", secrets: [{ name: "db", valueFromConfig: "dbPassword" }] }] };
        assert.deepStrictEqual(parseStackConfig(raw), { config: raw, problems: [] });
    });
});

describe("validation of allowedGenerators", () => {
    it("accepts generator kinds that may be admitted, and the always-admitted ones", () => {
        assert.deepStrictEqual(problemsOf((a) => ({ ...a, allowedGenerators: ["Webhook", "VaultDynamicSecret", "Password"] })), []);
        assert.deepStrictEqual(parseStackConfig({ clusterName: "prod-eu", installPodIdentityAgent: true, teams: [], allowedGenerators: ["ECRAuthorizationToken"] }).problems, []);
    });

    it("refuses an unknown kind, naming the valid ones and the kind meant", () => {
        const found = problemsOf((a) => ({ ...a, allowedGenerators: ["Webhook", "vaultdynamicsecrets", "Jenkins"] }));
        assert.strictEqual(found.length, 2);
        assert.match(found[0], /^allowedGenerators\[1\]: is `vaultdynamicsecrets`, which is not an ESO 2\.9\.0 generator kind \(did you mean VaultDynamicSecret\?\); valid: ECRAuthorizationToken, .*Webhook/);
        assert.match(found[1], /^allowedGenerators\[2\]: is `Jenkins`, which is not an ESO 2\.9\.0 generator kind; valid: /);
    });

    it("refuses GeneratorState and ClusterGenerator, which no team may write", () => {
        const found = problemsOf((a) => ({ ...a, allowedGenerators: ["GeneratorState", "ClusterGenerator"] }));
        assert.match(found[0], /^allowedGenerators\[0\]: is `GeneratorState`: only the ESO controller writes GeneratorStates/);
        assert.match(found[1], /^allowedGenerators\[1\]: is `ClusterGenerator`: ClusterGenerators are cluster-scoped objects of an administrator/);
    });

    it("refuses a value that is not a list, in the stack config", () => {
        assert.deepStrictEqual(parseStackConfig({ clusterName: "prod-eu", installPodIdentityAgent: true, teams: [], allowedGenerators: "Webhook" }).problems.map((p) => p.path), ["allowedGenerators"]);
    });
});

describe("validation of the CSI delivery mode (teams[].csi)", () => {
    /** payments mounts its two secrets and a parameter; search stays on ESO. */
    function csiArgs(overrides: Partial<EksSecretsAbacArgs> = {}, csi: object = {}): EksSecretsAbacArgs {
        const base = twoTeamArgs(overrides);
        const payments = {
            ...base.teams[0],
            parameters: [{ name: "flags" }],
            csi: {
                serviceAccounts: ["app"],
                secretProviderClasses: [{ name: "app-secrets", objects: [{ secret: "db-password", jmesPath: [{ path: "username", objectAlias: "db-user" }] }, { secret: "api-key" }, { parameter: "flags" }] }],
                ...csi,
            },
        };
        return { ...base, teams: [payments, base.teams[1]] };
    }
    const csiProblems = (args: EksSecretsAbacArgs) => validateArgs(args).map((p) => `${p.path}: ${p.message}`);

    it("accepts a team that mounts its own secrets and parameter, beside a team on ESO", () => {
        assert.deepStrictEqual(csiProblems(csiArgs()), []);
        assert.deepStrictEqual(parseStackConfig(csiArgs()).problems, [], "the stack config schema knows every csi field");
    });

    it("refuses an object naming another team's secret, or a parameter the team lacks, naming the entry", () => {
        const problems = csiProblems(csiArgs({}, { secretProviderClasses: [{ name: "x", objects: [{ secret: "search/db-password" }, { parameter: "nope" }] }] }));
        assert.deepStrictEqual(problems.map((p) => p.split(":")[0]), ["teams[0].csi.secretProviderClasses[0].objects[0].secret", "teams[0].csi.secretProviderClasses[0].objects[1].parameter"]);
        assert.match(problems[0], /not one of the team's secrets: a team mounts only its own/);
    });

    it("refuses an object with both or neither of secret and parameter", () => {
        const problems = csiProblems(csiArgs({}, { secretProviderClasses: [{ name: "x", objects: [{ secret: "api-key", parameter: "flags" }, { objectAlias: "f" }] }] }));
        assert.deepStrictEqual(problems.map((p) => p.split(":")[0]), ["teams[0].csi.secretProviderClasses[0].objects[0]", "teams[0].csi.secretProviderClasses[0].objects[1]"]);
    });

    it("refuses no service accounts, a bad one, and a duplicate", () => {
        assert.match(csiProblems(csiArgs({}, { serviceAccounts: [] })).join("\n"), /^teams\[0\]\.csi\.serviceAccounts: is empty/);
        assert.deepStrictEqual(csiProblems(csiArgs({}, { serviceAccounts: ["App_1", "app", "app"] })).map((p) => p.split(":")[0]), ["teams[0].csi.serviceAccounts[0]", "teams[0].csi.serviceAccounts[2]"]);
    });

    it("refuses two objects writing the same file, and aliases that leave the mount", () => {
        const problems = csiProblems(
            csiArgs({}, { secretProviderClasses: [{ name: "x", objects: [{ secret: "api-key", objectAlias: "k" }, { secret: "db-password", objectAlias: "k" }, { parameter: "flags", objectAlias: "../etc" }, { secret: "api-key", jmesPath: [{ path: "a", objectAlias: ".." }] }, { secret: "api-key" }] }] }),
        );
        assert.deepStrictEqual(problems.map((p) => p.split(":")[0]), [
            "teams[0].csi.secretProviderClasses[0].objects[1]",
            "teams[0].csi.secretProviderClasses[0].objects[2].objectAlias",
            "teams[0].csi.secretProviderClasses[0].objects[3].jmesPath[0].objectAlias",
            "teams[0].csi.secretProviderClasses[0].objects[4]",
        ]);
        assert.match(problems[0], /writes the file `k`, as teams\[0\]\.csi\.secretProviderClasses\[0\]\.objects\[0\] does/);
        assert.match(problems[3], /writes the file `payments_api-key`/, "no alias: the full name with '/' as '_', as ASCP's GetFileName does");
    });

    it("refuses a Fargate-only cluster, and an IRSA cluster, once any team uses csi", () => {
        const irsaArn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC";
        assert.match(csiProblems(csiArgs({ fargateOnly: true })).join("\n"), /^teams\[0\]\.csi: is set, and fargateOnly is true: .*DaemonSets, which Fargate does not run/m);
        assert.deepStrictEqual(csiProblems(twoTeamArgs({ fargateOnly: true, identity: "irsa", oidcProviderArn: irsaArn })), [], "without csi, on IRSA, fargateOnly changes nothing");
        assert.deepStrictEqual(csiProblems({ ...twoTeamArgs(), fargateOnly: true }).map((p) => p.split(":")[0]), ["fargateOnly"], "Pod Identity does not serve ESO on Fargate either");
        const irsa = csiProblems(csiArgs({ identity: "irsa", oidcProviderArn: irsaArn }));
        assert.deepStrictEqual(irsa.map((p) => p.split(":")[0]), ["teams[0].csi"]);
    });

    it("refuses a team in the driver's namespace, and the driver in ESO's namespace", () => {
        const args = csiArgs({ csiNamespace: "secrets-store" });
        const problems = csiProblems({ ...args, teams: [...args.teams, team("secrets-store")] });
        assert.deepStrictEqual(problems.map((p) => p.split(":")[0]), ["teams[2].namespace"]);
        assert.deepStrictEqual(csiProblems(csiArgs({ csiNamespace: "external-secrets" })).map((p) => p.split(":")[0]), ["csiNamespace"]);
        assert.deepStrictEqual(csiProblems({ ...twoTeamArgs(), teams: [...twoTeamArgs().teams, team("secrets-store")], csiNamespace: "secrets-store" }), [], "no team with csi: no driver, nothing to refuse");
    });

    it("lists every csi problem at once, and the config shape refuses unknown csi fields", () => {
        assert.strictEqual(csiProblems(csiArgs({ fargateOnly: true }, { serviceAccounts: [], secretProviderClasses: [{ name: "X", objects: [] }] })).length, 5);
        const shape = parseStackConfig({ clusterName: "prod-eu", installPodIdentityAgent: true, teams: [{ namespace: "payments", csi: { serviceAccounts: ["app"], secretProviderClass: [] } }] }).problems;
        assert.deepStrictEqual(shape.map((p) => p.path), ["teams[0].csi.secretProviderClass"]);
    });
});
