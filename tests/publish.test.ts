/**
 * Every package the project publishes to npm passes `npm publish --dry-run`
 * with the files it needs and nothing else, under a licence it ships, and
 * runs no script when a user installs it. The packages: the components (the
 * root), the policy pack (policypack/), and the command (cli/) once it exists.
 */
import * as assert from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";
import { NPM, ROOT } from "./consumer";

const run = promisify(execFile);

interface DryRun {
    name: string;
    version: string;
    files: { path: string }[];
}

/** `npm publish --dry-run` of a folder; scripts off (npm test built lib/ just before). */
async function dryRun(folder: string): Promise<DryRun> {
    const { stdout } = await run(NPM, ["publish", "--dry-run", "--json", "--ignore-scripts"], { cwd: folder });
    const parsed = JSON.parse(stdout);
    // npm 11 keys the result by package name; npm 10 printed the result itself.
    return (parsed.name ? parsed : Object.values(parsed)[0]) as DryRun;
}

const PACKAGES = ["", "policypack", "cli"].map((d) => path.join(ROOT, d)).filter((d) => fs.existsSync(path.join(d, "package.json")));

/** Scripts npm runs in the consumer's project when the package is installed. */
const INSTALL_SCRIPTS = ["preinstall", "install", "postinstall", "prepare"];

describe("the published packages (npm publish --dry-run)", function () {
    this.timeout(120_000);
    const results = new Map<string, DryRun>();
    before(async () => {
        for (const dir of PACKAGES) results.set(dir, await dryRun(dir));
    });

    for (const dir of PACKAGES) {
        const label = path.relative(ROOT, dir) || "the components (root)";
        it(`${label}: publishable, with its licence file, metadata, and no install script`, () => {
            const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
            const result = results.get(dir)!;
            assert.strictEqual(result.name, manifest.name);
            assert.strictEqual(result.version, manifest.version);
            assert.strictEqual(manifest.private, undefined, "a private package cannot be published");
            assert.ok(result.files.some((f) => f.path === "LICENSE"), "ships LICENSE");
            assert.ok(manifest.license, "declares its licence");
            assert.match(manifest.engines?.node ?? "", />=\s*20/);
            for (const s of INSTALL_SCRIPTS) assert.strictEqual(manifest.scripts?.[s], undefined, `runs no ${s} script in the user's project`);
        });
    }

    it("the components ship README, LICENSE and CHANGELOG beside the compiled JavaScript (the rest: tests/package.test.ts)", () => {
        const files = results.get(PACKAGES[0])!.files.map((f) => f.path);
        for (const f of ["CHANGELOG.md", "README.md", "lib/components/index.js", "lib/components/index.d.ts"]) assert.ok(files.includes(f), f);
        const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
        assert.strictEqual(manifest.license, "Apache-2.0");
        assert.strictEqual(manifest.scripts.prepack, "npm run build", "the tarball is built when it is packed");
    });

    it("the policy pack ships what the Pulumi CLI runs from node_modules: compiled JavaScript, PulumiPolicy.yaml, no TypeScript to compile", () => {
        const dir = path.join(ROOT, "policypack");
        const files = results.get(dir)!.files.map((f) => f.path);
        for (const f of ["PulumiPolicy.yaml", "index.js", "dist/index.js", "README.md", "LICENSE"]) assert.ok(files.includes(f), f);
        assert.ok(files.some((f) => /^dist\/policies\/.+\.js$/.test(f)));
        // ts-node does not compile .ts under node_modules: the tarball holds no source to compile.
        assert.deepStrictEqual(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")), []);
        assert.deepStrictEqual(files.filter((f) => /(^|\/)(tests?|node_modules)\//.test(f) || f.endsWith(".test.js")), []);
        const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
        assert.strictEqual(manifest.license, "Apache-2.0");
    });
});
