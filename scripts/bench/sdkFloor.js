/**
 * The user's program beside the SDK floor, each a process of its own under
 * Pulumi's mocks (`pulumi.runtime.setMocks`), nothing else loaded:
 *
 *   node scripts/bench/sdkFloor.js program <teams>      the compiled package (npm run build): one EksSecretsAbac
 *   node scripts/bench/sdkFloor.js floor <teams>        the same custom resources, constant inputs, no component
 *   node scripts/bench/sdkFloor.js floor-teams <teams>  the floor with one component per team as their parent
 *                                                       (what the Team component alone costs)
 *
 * Plain JavaScript so that neither pays ts-node; stack traces are Node's
 * default, as a real `pulumi up` runs the program (add
 * `--stack-trace-limit=0` to node to see them off). The mocks echo the
 * inputs and answer the four invokes the program makes, the same for both.
 * At exit prints one JSON line: custom resources by type and the number of
 * components, so a run shows that both registered the same resources
 * (tests/sdkFloor.test.ts holds the floor to the program's set).
 */
"use strict";
const path = require("path");
const pulumi = require("@pulumi/pulumi");

const ACCOUNT = "111122223333";
const INVOKES = {
    "aws:index/getCallerIdentity:getCallerIdentity": { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/bench`, userId: "bench", id: ACCOUNT },
    "aws:index/getPartition:getPartition": { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" },
    "aws:index/getRegion:getRegion": { region: "eu-west-1", name: "eu-west-1", id: "eu-west-1" },
    "aws:eks/getCluster:getCluster": { arn: `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/prod-eu`, name: "prod-eu", id: "prod-eu" },
};

/** The benchmark's teams (as scripts/bench/teams.ts): two secrets and one ExternalSecret each. */
function benchTeams(count) {
    return Array.from({ length: count }, (_, i) => ({
        namespace: `team-${String(i).padStart(4, "0")}`,
        secrets: [{ name: "db-password" }, { name: "api-key" }],
        externalSecrets: [{ name: "app", data: [{ secretKey: "DB_PASSWORD", secret: "db-password" }, { secretKey: "API_KEY", secret: "api-key" }] }],
    }));
}

/**
 * The program's custom resources at `teams` teams, constant inputs, through
 * the same SDK classes; with `teamComponents`, each team's four under a
 * component of its own, as the Team component parents them.
 */
function floorProgram(teams, teamComponents = false) {
    const aws = require("@pulumi/aws");
    const k8s = require("@pulumi/kubernetes");
    const doc = JSON.stringify({ Version: "2012-10-17", Statement: [] });
    for (let i = 0; i < 3; i++) {
        new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(`floor-admission-policy-${i}`, { metadata: { name: `guard-${i}` }, spec: {} });
        new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(`floor-admission-binding-${i}`, { metadata: { name: `guard-${i}` }, spec: { policyName: `guard-${i}`, validationActions: ["Deny"] } });
    }
    new k8s.rbac.v1.ClusterRole("floor-cluster-role", { metadata: { name: "eso-read" }, rules: [] });
    new aws.eks.PodIdentityAssociation("floor-association", { clusterName: "prod-eu", namespace: "external-secrets", serviceAccount: "external-secrets", roleArn: "arn:aws:iam::111122223333:role/a" });
    new aws.eks.Addon("floor-addon", { clusterName: "prod-eu", addonName: "eks-pod-identity-agent" });
    new aws.iam.Role("floor-role-a", { assumeRolePolicy: doc });
    new aws.iam.Role("floor-role-b", { assumeRolePolicy: doc });
    new aws.iam.RolePolicy("floor-policy-a", { role: "a", policy: doc });
    new aws.iam.RolePolicy("floor-policy-b", { role: "b", policy: doc });
    new k8s.helm.v3.Release("floor-release", { chart: "external-secrets", version: "2.9.0" });
    new k8s.apiextensions.CustomResource("floor-store", { apiVersion: "external-secrets.io/v1", kind: "ClusterSecretStore", metadata: { name: "store" }, spec: {} });
    for (let i = 0; i < teams; i++) {
        const team = teamComponents ? new pulumi.ComponentResource("bench:index:Team", `floor-team-${i}`) : undefined;
        const opts = { parent: team };
        new k8s.core.v1.Namespace(`floor-namespace-${i}`, { metadata: { name: "ns" } }, opts);
        new aws.secretsmanager.Secret(`floor-secret-a-${i}`, { name: "a" }, opts);
        new aws.secretsmanager.Secret(`floor-secret-b-${i}`, { name: "b" }, opts);
        new k8s.apiextensions.CustomResource(`floor-external-secret-${i}`, { apiVersion: "external-secrets.io/v1", kind: "ExternalSecret", metadata: { name: "app" }, spec: {} }, opts);
        team?.registerOutputs({});
    }
}

function main() {
    const [mode, countText] = process.argv.slice(2);
    const teams = Number(countText ?? "1000");
    if (!["program", "floor", "floor-teams"].includes(mode) || !(teams >= 0)) {
        console.error("usage: node scripts/bench/sdkFloor.js <program|floor|floor-teams> <teams>");
        process.exit(2);
    }
    const byType = {};
    let components = 0;
    pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                // The mocks see components too (args.custom false).
                if (args.custom) byType[args.type] = (byType[args.type] ?? 0) + 1;
                else components++;
                return { id: `${args.name}-id`, state: { ...args.inputs, arn: `arn:aws:bench:::${args.name}` } };
            },
            call: (args) => INVOKES[args.token] ?? {},
        },
        "bench",
        "bench",
        // A preview: an update would also sleep out the Pod Identity association's propagation (esoControllerRole.ts).
        true,
    );
    const started = process.hrtime.bigint();
    process.on("exit", () => {
        const custom = Object.values(byType).reduce((a, b) => a + b, 0);
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        console.log(JSON.stringify({ mode, teams, ms: Math.round(ms), custom, components, byType: Object.fromEntries(Object.entries(byType).sort()) }));
    });
    if (mode === "program") {
        const { EksSecretsAbac } = require(path.join(__dirname, "..", "..", "lib", "components"));
        new EksSecretsAbac("prod", { clusterName: "prod-eu", teams: benchTeams(teams) });
    } else {
        floorProgram(teams, mode === "floor-teams");
    }
}

module.exports = { floorProgram, benchTeams };
if (require.main === module) main();
