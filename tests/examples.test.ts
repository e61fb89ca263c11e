import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import * as YAML from "yaml";
import { readStackFile } from "../cli/src/checker";
import { OFFLINE, offlineClusterArn, OfflineRun, runOffline } from "./helpers";

const EXAMPLES = path.join(__dirname, "..", "examples");

interface Example {
    dir: string;
    project: string;
    program: string;
}

function example(name: string): Example {
    const dir = path.join(EXAMPLES, name);
    const project = YAML.parse(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8"));
    return { dir, project: project.name, program: path.join(dir, project.main ?? "index.ts") };
}

/**
 * Type errors as Pulumi's own TypeScript run reports them: no tsconfig in the
 * project, so nodenext. One program for every example (each file a module of
 * its own) parses @pulumi/aws's declarations once instead of once an example.
 */
function typeErrorsByProgram(programs: string[]): Map<string, string[]> {
    const options: ts.CompilerOptions = {
        target: ts.ScriptTarget.ES2020,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        strict: true,
        skipLibCheck: true,
        noEmit: true,
    };
    const compiled = ts.createProgram(programs, options);
    const errors = new Map(programs.map((p) => [path.resolve(p), [] as string[]]));
    for (const d of ts.getPreEmitDiagnostics(compiled)) {
        const message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
        const file = d.file ? path.resolve(d.file.fileName) : undefined;
        // An error in a shared file (or none) counts against every example.
        for (const [program, list] of errors) if (file === undefined || file === program || !programs.some((p) => path.resolve(p) === file)) list.push(message);
    }
    return errors;
}

/** Runs the example's program with its sample stack config in the offline cloud. */
async function runExample(e: Example): Promise<OfflineRun<unknown>> {
    const { config, secretKeys } = readStackFile(path.join(e.dir, "Pulumi.dev.yaml"));
    return runOffline(
        () => {
            delete require.cache[require.resolve(e.program)];
            return require(e.program);
        },
        config,
        secretKeys,
        e.project,
    );
}

/** Physical role names; an engine auto-name (no explicit `name`: logical name, "-", 7 hex) shows as `<logical>-<auto>`. */
const roleNames = (run: OfflineRun<unknown>) => run.ofType("aws:iam/role:Role").map((r) => String(r.state.name).replace(new RegExp(`^(${r.name})-[0-9a-f]{7}$`), "$1-<auto>")).sort();

describe("examples", function () {
    this.timeout(120_000);

    const typeChecked = ["csi", "existing-cluster", "new-cluster", "multi-cluster", "cross-account", "org-guardrails", "fault-domains"];
    let errors: Map<string, string[]>;
    for (const name of typeChecked) {
        it(`${name} type-checks as Pulumi compiles it`, () => {
            errors ??= typeErrorsByProgram(typeChecked.map((n) => example(n).program));
            assert.deepStrictEqual(errors.get(path.resolve(example(name).program)), []);
        });
    }

    it("existing-cluster declares the two roles and the teams of its sample config", async () => {
        const run = await runExample(example("existing-cluster"));
        assert.deepStrictEqual(roleNames(run), ["platform-shared-abac-role", "prod-eu-eso-controller"]);
        assert.deepStrictEqual(run.ofType("kubernetes:core/v1:Namespace").map((n) => n.inputs.metadata.name).sort(), ["payments", "search"]);
        assert.strictEqual(run.ofType("kubernetes:external-secrets.io/v1:ExternalSecret").length, 1);
    });

    it("new-cluster creates the cluster and scopes the controller role to its ARN", async () => {
        const run = await runExample(example("new-cluster"));
        const cluster = run.resources.filter((r) => r.type === "eks:index:Cluster");
        assert.deepStrictEqual(cluster.map((c) => c.inputs.name), ["dev-eu"]);
        const controller = run.ofType("aws:iam/role:Role").find((r) => r.state.name === "dev-eu-eso-controller")!;
        const trust = JSON.parse(controller.inputs.assumeRolePolicy);
        assert.strictEqual(trust.Statement[0].Condition.StringEquals["aws:RequestTag/eks-cluster-arn"], offlineClusterArn("dev-eu"));
        assert.ok(!controller.inputs.assumeRolePolicy.includes("aws:SourceArn"));
        assert.strictEqual(run.one("aws:eks/addon:Addon").inputs.clusterName, "dev-eu");
    });

    it("multi-cluster shares one ABAC role that trusts both controller roles; the cluster tag keeps secrets apart", async () => {
        const run = await runExample(example("multi-cluster"));
        assert.deepStrictEqual(roleNames(run), ["prod-eu-eso-controller", "shared-role", "staging-eu-eso-controller"]);
        const shared = run.ofType("aws:iam/role:Role").find((r) => r.name === "shared-role")!;
        const trusted = JSON.parse(shared.inputs.assumeRolePolicy).Statement[0].Condition.ArnEquals["aws:PrincipalArn"];
        assert.deepStrictEqual(trusted, ["prod-eu-eso-controller", "staging-eu-eso-controller"].map((n) => `arn:aws:iam::${OFFLINE.accountId}:role/${n}`));
        const clusters = JSON.parse(shared.inputs.assumeRolePolicy).Statement[0].Condition.StringEquals["aws:PrincipalTag/eks-cluster-arn"];
        assert.deepStrictEqual(clusters, ["prod-eu", "staging-eu"].map(offlineClusterArn));
        const stores = run.ofType("kubernetes:external-secrets.io/v1:ClusterSecretStore");
        assert.deepStrictEqual(new Set(stores.map((s) => s.inputs.spec.provider.aws.role)), new Set([shared.state.arn]));
        const secrets = run.ofType("aws:secretsmanager/secret:Secret").map((s) => [s.inputs.name, s.inputs.tags["eks-cluster-name"]]).sort();
        assert.deepStrictEqual(secrets, [
            ["prod-eu/payments/db-password", "prod-eu"],
            ["staging-eu/payments/db-password", "staging-eu"],
        ]);
        assert.strictEqual(run.ofType("aws:eks/podIdentityAssociation:PodIdentityAssociation").length, 2);
    });

    it("multi-cluster at 50 clusters spreads them over 4 shared roles, each trust within IAM's 2,048, each store on its group's role", async () => {
        const e = example("multi-cluster");
        const { config, secretKeys } = readStackFile(path.join(e.dir, "Pulumi.dev.yaml"));
        const names = Array.from({ length: 50 }, (_, i) => `cluster-${String(i).padStart(6, "0")}`);
        const clusters = names.map((name) => ({ name, kubeconfigContext: name, secretNamePrefix: `${name}/`, installPodIdentityAgent: true, teams: [{ namespace: "payments", secrets: [{ name: "db-password" }] }] }));
        const run = await runOffline(
            () => {
                delete require.cache[require.resolve(e.program)];
                return require(e.program);
            },
            { ...config, [`${e.project}:clusters`]: JSON.stringify(clusters) },
            secretKeys,
            e.project,
        );
        const shared = run.ofType("aws:iam/role:Role").filter((r) => /^shared-role(-g\d)?$/.test(r.state.name));
        assert.deepStrictEqual(shared.map((r) => r.state.name).sort(), ["shared-role", "shared-role-g2", "shared-role-g3", "shared-role-g4"]);
        // IAM quotas, "Role trust policy length": 2,048 characters without white space.
        for (const r of shared) assert.ok(String(r.inputs.assumeRolePolicy).replace(/\s/g, "").length <= 2048, `${r.state.name}: trust over 2,048`);
        const roleOfStore = new Map(run.ofType("kubernetes:external-secrets.io/v1:ClusterSecretStore").map((s) => [s.name, s.inputs.spec.provider.aws.role]));
        const trusted = (arn: string) => JSON.parse(shared.find((r) => r.state.arn === arn)!.inputs.assumeRolePolicy).Statement[0].Condition.StringEquals["aws:PrincipalTag/eks-cluster-arn"];
        for (const name of names) assert.ok([trusted(roleOfStore.get(`${name}-store-store`))].flat().includes(offlineClusterArn(name)), `${name}'s store assumes a role that does not trust it`);
    });

    it("cross-account puts controller roles in the cluster account, the shared role, secrets and parameters in the secrets account, the key in the key account", async () => {
        const run = await runExample(example("cross-account"));
        const accountsOf = (type: string) => [...new Set(run.ofType(type).map((r) => String(r.state.arn).split(":")[4]))].sort();
        assert.deepStrictEqual(roleNames(run), ["eks-secrets-abac-shared", "prod-eu-eso-controller", "staging-eu-eso-controller"]);
        assert.deepStrictEqual(accountsOf("aws:iam/role:Role"), ["111122223333", "444455556666"]);
        assert.deepStrictEqual(accountsOf("aws:secretsmanager/secret:Secret"), ["444455556666"]);
        assert.deepStrictEqual(accountsOf("aws:ssm/parameter:Parameter"), ["444455556666"]);
        assert.deepStrictEqual(accountsOf("aws:kms/key:Key"), ["777788889999"]);
        assert.strictEqual(run.ofType("kubernetes:external-secrets.io/v1:ClusterSecretStore").length, 4);
    });
});
