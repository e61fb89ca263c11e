/**
 * The npm package as a user gets it: `npm pack`, the tarball installed into a
 * new Pulumi TypeScript project that has only @pulumi/pulumi, @pulumi/aws,
 * @pulumi/kubernetes and typescript, compiled by plain `tsc` under
 * moduleResolution node10 and nodenext, and run under Pulumi's mocks with the
 * project's own @pulumi/pulumi. `npm test` builds lib/ just before.
 */
import * as assert from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { NPM, PackResult, ROOT, packedComponents } from "./consumer";

const run = promisify(execFile);
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));

const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { EksSecretsAbac, SharedAbacRole, TeamSpec, controllerRoleName, roleArn } from "eks-secrets-abac";

const teams: TeamSpec[] = [
    { namespace: "payments", secrets: [{ name: "db-password" }], externalSecrets: [{ name: "db", data: [{ secretKey: "PASSWORD", secret: "db-password" }] }] },
    { namespace: "search", secrets: [{ name: "opensearch" }] },
];
const shared = new SharedAbacRole("shared", {
    controllerRoleArns: [roleArn({ accountId: "111122223333", partition: "aws" }, controllerRoleName("prod-eu"))],
    clusterArns: ["arn:aws:eks:eu-west-1:111122223333:cluster/prod-eu"],
});
const abac = new EksSecretsAbac("platform", {
    clusterName: "prod-eu",
    clusterArn: "arn:aws:eks:eu-west-1:111122223333:cluster/prod-eu",
    sharedRole: shared,
    teams,
});
export const abacRoleArn: pulumi.Output<string> = abac.abacRoleArn;
export const secretArns = abac.teamSecretArns;
`;

/** Pulumi's mocks from the consumer's own @pulumi/pulumi; prints the declared resources' types. */
const HARNESS = `const pulumi = require("@pulumi/pulumi");
const types = [];
pulumi.runtime.setMocks({
    newResource: (a) => { types.push(a.type); return { id: a.name + "-id", state: { ...a.inputs, arn: "arn:aws:iam::111122223333:role/" + a.name } }; },
    call: () => ({ accountId: "111122223333", partition: "aws", region: "eu-west-1", name: "eu-west-1", id: "x" }),
}, "consumer", "dev", false);
require(process.argv[2]);
require("@pulumi/pulumi/runtime/settings").waitForRPCs().then(() => console.log(JSON.stringify(types.sort())));
`;

describe("the npm package in a user's Pulumi project", function () {
    this.timeout(180_000);
    let dir: string;
    let packed: PackResult;

    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "eks-secrets-abac-consumer-"));
        packed = await packedComponents();
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("ships compiled JavaScript with declarations, and no tests, scripts, sources or policy pack, under 250 kB", () => {
        const files = packed.files.map((f) => f.path);
        assert.ok(packed.size < 250_000, `tarball is ${packed.size} bytes`);
        assert.deepStrictEqual(files.filter((f) => !/^(lib\/components\/.*\.(js|d\.ts)|lib\/policypack\/lib\/[^/]+\.(js|d\.ts)|package\.json|README\.md|LICENSE|CHANGELOG\.md)$/.test(f)), []);
        const sources = (d: string): string[] =>
            fs.readdirSync(path.join(ROOT, d), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(d, e.name)) : [path.join(d, e.name)]));
        for (const source of sources("components").filter((f) => f.endsWith(".ts"))) {
            const js = path.join("lib", source).replace(/\.ts$/, ".js").split(path.sep).join("/");
            assert.ok(files.includes(js), `${js} is missing: lib/ is stale, run npm run build`);
        }
    });

    it("declares the Pulumi SDKs as peer dependency ranges and nothing of the repository's tooling at run time", () => {
        assert.deepStrictEqual(Object.keys(pkg.peerDependencies).sort(), ["@pulumi/aws", "@pulumi/kubernetes", "@pulumi/pulumi"]);
        for (const range of Object.values(pkg.peerDependencies) as string[]) assert.match(range, /^\^\d/);
        assert.deepStrictEqual(Object.keys(pkg.dependencies), ["ajv"]);
    });

    it("installs, compiles with plain tsc under node10 and nodenext, and declares the expected resources", async () => {
        const peer = (name: string) => JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", name, "package.json"), "utf8")).version;
        const manifest = {
            name: "consumer",
            private: true,
            dependencies: {
                "@pulumi/aws": peer("@pulumi/aws"),
                "@pulumi/kubernetes": peer("@pulumi/kubernetes"),
                "@pulumi/pulumi": peer("@pulumi/pulumi"),
                typescript: peer("typescript"),
                "eks-secrets-abac": `file:${packed.tarball}`,
            },
        };
        fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify(manifest, null, 2));
        fs.writeFileSync(path.join(dir, "index.ts"), PROGRAM);
        fs.writeFileSync(path.join(dir, "harness.js"), HARNESS);
        // The cache that `npm ci` filled serves every package.
        await run(NPM, ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"], { cwd: dir });
        const base = { target: "ES2020", strict: true, outDir: "", declaration: false };
        const configs = {
            node10: { ...base, module: "commonjs", moduleResolution: "node10", outDir: "out-node10" },
            nodenext: { ...base, module: "nodenext", moduleResolution: "nodenext", outDir: "out-nodenext" },
        };
        await Promise.all(
            Object.entries(configs).map(async ([name, compilerOptions]) => {
                // skipLibCheck: checking every declaration of @pulumi/aws takes over a minute on 2 cores;
                // the program's use of our declarations is type-checked either way.
                fs.writeFileSync(path.join(dir, `tsconfig.${name}.json`), JSON.stringify({ compilerOptions: { ...compilerOptions, skipLibCheck: true }, files: ["index.ts"] }));
                const tsc = path.join(dir, "node_modules", "typescript", "bin", "tsc");
                await run(process.execPath, [tsc, "-p", `tsconfig.${name}.json`], { cwd: dir }).catch((e) => {
                    throw new Error(`tsc (${name}) failed:\n${e.stdout}${e.stderr}`);
                });
            }),
        );
        const declared = await Promise.all(
            Object.values(configs).map(async (c) => JSON.parse((await run(process.execPath, ["harness.js", `./${c.outDir}/index.js`], { cwd: dir })).stdout)),
        );
        const counts = (types: string[]) => types.reduce<Record<string, number>>((acc, t) => ({ ...acc, [t]: (acc[t] ?? 0) + 1 }), {});
        for (const types of declared) {
            assert.deepStrictEqual(counts(types), {
                "aws:eks/addon:Addon": 1,
                "aws:eks/podIdentityAssociation:PodIdentityAssociation": 1,
                "aws:iam/role:Role": 2,
                "aws:iam/rolePolicy:RolePolicy": 2,
                "aws:secretsmanager/secret:Secret": 2,
                "eks-secrets-abac:index:EksSecretsAbac": 1,
                "eks-secrets-abac:index:EsoControllerRole": 1,
                "eks-secrets-abac:index:EsoRelease": 1,
                "eks-secrets-abac:index:PodIdentityAgent": 1,
                "eks-secrets-abac:index:SharedAbacRole": 1,
                "eks-secrets-abac:index:Team": 2,
                "eks-secrets-abac:index:TeamSecretStore": 1,
                "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy": 2,
                "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding": 2,
                "kubernetes:core/v1:Namespace": 2,
                "kubernetes:external-secrets.io/v1:ClusterSecretStore": 1,
                "kubernetes:external-secrets.io/v1:ExternalSecret": 1,
                "kubernetes:helm.sh/v3:Release": 1,
                "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole": 1,
            });
        }
    });
});
