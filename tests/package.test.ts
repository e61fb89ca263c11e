/**
 * The npm package as a user gets it: `npm pack`, the tarball installed into a
 * new Pulumi TypeScript project that has only @pulumi/pulumi, @pulumi/aws,
 * @pulumi/kubernetes and typescript, compiled by plain `tsc` under
 * moduleResolution node10 and nodenext, and run under Pulumi's mocks with the
 * project's own @pulumi/pulumi. `npm test` builds lib/ just before.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { componentsConsumer, PackResult, packed, PROGRAM, ROOT, run } from "./consumer";

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));

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
    let pack: PackResult;
    let licences: { name: string; license: string }[];

    // The consumer installs the components package only (tests/consumer.ts).
    before(async () => {
        pack = await packed(".");
        ({ dir, licences } = await componentsConsumer());
    });

    it("ships compiled JavaScript with declarations, and no tests, scripts, sources or policy pack, under 250 kB", () => {
        const files = pack.files.map((f) => f.path);
        assert.ok(pack.size < 250_000, `tarball is ${pack.size} bytes`);
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
        fs.writeFileSync(path.join(dir, "index.ts"), PROGRAM);
        fs.writeFileSync(path.join(dir, "harness.js"), HARNESS);
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
                "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy": 3,
                "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding": 3,
                "kubernetes:core/v1:Namespace": 2,
                "kubernetes:external-secrets.io/v1:ClusterSecretStore": 1,
                "kubernetes:external-secrets.io/v1:ExternalSecret": 1,
                "kubernetes:helm.sh/v3:Release": 1,
                "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole": 1,
            });
        }
    });

    it("installs no AGPL package: the IAM evaluator (@cloud-copilot/iam-simulate, AGPL-3.0-or-later) comes only with the command (docs/LICENSING.md)", () => {
        // The tree as it was with the components only (tests/cliCommand.test.ts may add the command later).
        const found = licences;
        assert.ok(found.some((p) => p.name === "eks-secrets-abac" && p.license === "Apache-2.0"), "the components package is in the tree");
        assert.ok(found.length > 50, `npm ls listed ${found.length} packages: the tree was read`);
        assert.deepStrictEqual(found.filter((p) => /AGPL/i.test(p.license) || p.name.startsWith("@cloud-copilot/")), []);
        // The control: the command's own manifest names the evaluator, under the AGPL (and tests/cliCommand.test.ts finds it in the command's tree).
        const cli = JSON.parse(fs.readFileSync(path.join(ROOT, "cli", "package.json"), "utf8"));
        assert.strictEqual(cli.license, "AGPL-3.0-or-later");
        assert.ok(cli.dependencies["@cloud-copilot/iam-simulate"]);
        assert.ok(!pkg.dependencies["@cloud-copilot/iam-simulate"] && !(pkg.peerDependencies ?? {})["@cloud-copilot/iam-simulate"]);
        // Neither the components' nor the pack's sources import it, nor does the pack's manifest name it.
        const sources = (d: string): string[] =>
            fs.readdirSync(path.join(ROOT, d), { withFileTypes: true }).flatMap((e) => (e.name === "node_modules" ? [] : e.isDirectory() ? sources(path.join(d, e.name)) : e.name.endsWith(".ts") ? [path.join(d, e.name)] : []));
        const importers = [...sources("components"), ...sources("policypack")].filter((f) => /@cloud-copilot\//.test(fs.readFileSync(path.join(ROOT, f), "utf8")));
        assert.deepStrictEqual(importers, []);
        assert.ok(!JSON.stringify(JSON.parse(fs.readFileSync(path.join(ROOT, "policypack", "package.json"), "utf8")).dependencies).includes("@cloud-copilot"));
    });
});
