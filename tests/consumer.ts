/**
 * The packages as a user gets them, made once per test run: `npm pack` of the
 * components package (lib/ is built by `npm test` just before), and the
 * plugin folder installed alone, the way the Pulumi CLI installs a
 * source-based component package that is no npm workspace: `npm install` in
 * the folder (pulumi/pulumi sdk/nodejs/npm/workspaces.go; pkg/workspace
 * plugins), here with `--omit=dev` and the components from the packed
 * tarball instead of the registry.
 */
import * as assert from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";

const run = promisify(execFile);
export const ROOT = path.join(__dirname, "..");
export const NPM = process.platform === "win32" ? "npm.cmd" : "npm";
export const PLUGIN_SOURCE = path.join(ROOT, "provider");

export interface PackResult {
    /** Absolute path of the tarball. */
    tarball: string;
    filename: string;
    size: number;
    files: { path: string }[];
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), "eks-secrets-abac-packages-"));
process.on("exit", () => fs.rmSync(work, { recursive: true, force: true }));

let packed: Promise<PackResult> | undefined;

/** `npm pack` of a package folder (default: the components at the root), without its scripts. */
export async function npmPack(folder = ROOT): Promise<PackResult> {
    const dest = fs.mkdtempSync(path.join(work, "pack-"));
    const { stdout } = await run(NPM, ["pack", "--json", "--ignore-scripts", "--pack-destination", dest], { cwd: folder });
    const result = JSON.parse(stdout)[0] as Omit<PackResult, "tarball">;
    return { ...result, tarball: path.join(dest, result.filename) };
}

/** The components package, packed once. */
export function packedComponents(): Promise<PackResult> {
    packed ??= (async () => {
        assert.ok(fs.existsSync(path.join(ROOT, "lib", "components", "index.js")), "lib/ is missing: run `npm run build` (npm test does)");
        return npmPack(ROOT);
    })();
    return packed;
}

let plugin: Promise<string> | undefined;

/**
 * The plugin folder copied out of the repository and installed alone:
 * its own package.json, `npm install --omit=dev`, the components from the
 * packed tarball. Returns the installed folder.
 */
export function installedPlugin(): Promise<string> {
    plugin ??= (async () => {
        const { tarball } = await packedComponents();
        const dir = path.join(work, "provider");
        fs.mkdirSync(dir);
        for (const f of fs.readdirSync(PLUGIN_SOURCE)) {
            if (f !== "node_modules") fs.cpSync(path.join(PLUGIN_SOURCE, f), path.join(dir, f), { recursive: true });
        }
        const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
        manifest.dependencies["eks-secrets-abac"] = `file:${tarball}`;
        fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify(manifest, null, 2));
        // The cache that `npm ci` filled serves every package.
        await run(NPM, ["install", "--omit=dev", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"], { cwd: dir }).catch((e) => {
            throw new Error(`npm install in the plugin folder failed:\n${e.stdout}${e.stderr}`);
        });
        return dir;
    })();
    return plugin;
}
