/**
 * The packages as users get them: `npm pack` of the components (the root
 * package) and of the command (cli/), installed into new projects outside the
 * repository. Packed once per test run and each project installed once
 * (memoised), so tests/package.test.ts and tests/cliCommand.test.ts share them.
 * `npm test` builds lib/ and cli/lib/ just before.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";

export const run = promisify(execFile);
export const ROOT = path.join(__dirname, "..");
export const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

export interface PackResult {
    filename: string;
    size: number;
    files: { path: string }[];
}

let tmp: string | undefined;
/** One folder for the tarballs and the projects of this run; removed when the process exits. */
export function runDir(): string {
    if (tmp === undefined) {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "eks-secrets-abac-consumers-"));
        const dir = tmp;
        process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
    }
    return tmp;
}

const memo = new Map<string, Promise<unknown>>();
function once<T>(key: string, make: () => Promise<T>): Promise<T> {
    if (!memo.has(key)) memo.set(key, make());
    return memo.get(key) as Promise<T>;
}

/** `npm pack` of the package in `folder` (the root: components; `cli`: the command), with the path of its tarball. */
export function packed(folder: "." | "cli"): Promise<PackResult & { tarball: string }> {
    return once(`pack ${folder}`, async () => {
        const built = folder === "." ? path.join(ROOT, "lib", "components", "index.js") : path.join(ROOT, "cli", "lib", "cli", "src", "main.js");
        if (!fs.existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` (npm test does)`);
        const { stdout } = await run(NPM, ["pack", "--json", "--ignore-scripts", "--pack-destination", runDir()], { cwd: path.join(ROOT, folder) });
        const result: PackResult = JSON.parse(stdout)[0];
        return { ...result, tarball: path.join(runDir(), result.filename) };
    });
}

/** The version of a package installed in the repository, to pin the consumer's copy to it. */
export const installedVersion = (name: string): string => JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", name, "package.json"), "utf8")).version;

/**
 * A new Pulumi TypeScript project outside the repository with @pulumi/pulumi,
 * @pulumi/aws, @pulumi/kubernetes, typescript and the packed components only,
 * installed with npm (the cache `npm ci` filled serves every package), and the
 * licences of its tree as they were then: before anything else is added.
 */
export function componentsConsumer(): Promise<{ dir: string; licences: { name: string; license: string }[] }> {
    return once("components consumer", async () => {
        const dir = path.join(runDir(), "consumer");
        fs.mkdirSync(dir);
        const components = await packed(".");
        const manifest = {
            name: "consumer",
            private: true,
            dependencies: {
                "@pulumi/aws": installedVersion("@pulumi/aws"),
                "@pulumi/kubernetes": installedVersion("@pulumi/kubernetes"),
                "@pulumi/pulumi": installedVersion("@pulumi/pulumi"),
                typescript: installedVersion("typescript"),
                "eks-secrets-abac": `file:${components.tarball}`,
            },
        };
        fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify(manifest, null, 2));
        await run(NPM, ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"], { cwd: dir });
        return { dir, licences: await installedLicences(dir) };
    });
}

/** The same project once the packed command is installed too (`npm install <tarball>`, as a user adds it). */
export function cliConsumer(): Promise<string> {
    return once("cli consumer", async () => {
        const [{ dir }, cli] = await Promise.all([componentsConsumer(), packed("cli")]);
        await run(NPM, ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", `file:${cli.tarball}`], { cwd: dir });
        return dir;
    });
}

/** A program with EksSecretsAbac as a user writes it, importing the packed components. */
export const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
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
    installPodIdentityAgent: true,
    sharedRole: shared,
    teams,
});
export const abacRoleArn: pulumi.Output<string> = abac.abacRoleArn;
export const secretArns = abac.teamSecretArns;
`;

/** Every package of an installed project's tree with its licence, as `npm ls --all --long --json` lists them. */
export async function installedLicences(dir: string): Promise<{ name: string; license: string }[]> {
    const { stdout } = await run(NPM, ["ls", "--all", "--json", "--long"], { cwd: dir, maxBuffer: 64 * 1024 * 1024 });
    const found: { name: string; license: string }[] = [];
    const walk = (deps: Record<string, { license?: unknown; dependencies?: Record<string, any> }> | undefined) => {
        for (const [name, d] of Object.entries(deps ?? {})) {
            found.push({ name, license: typeof d.license === "string" ? d.license : JSON.stringify(d.license ?? "") });
            walk(d.dependencies);
        }
    };
    walk(JSON.parse(stdout).dependencies);
    return found;
}

export const PLUGIN_SOURCE = path.join(ROOT, "provider");

/**
 * The plugin folder installed alone, the way the Pulumi CLI installs a
 * source-based component package that is no npm workspace: copied out of
 * the repository, `npm install` in the folder (pulumi/pulumi
 * sdk/nodejs/npm/npm.go `npm.Install`, from pkg/workspace/plugin.go
 * `InstallPluginAtPath`), here with `--omit=dev` and the components from the
 * packed tarball instead of the registry. Returns the installed folder.
 */
export function installedPlugin(): Promise<string> {
    return once("plugin", async () => {
        const { tarball } = await packed(".");
        const dir = path.join(runDir(), "provider");
        fs.mkdirSync(dir);
        for (const f of fs.readdirSync(PLUGIN_SOURCE)) {
            if (f !== "node_modules") fs.cpSync(path.join(PLUGIN_SOURCE, f), path.join(dir, f), { recursive: true });
        }
        const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
        manifest.dependencies["eks-secrets-abac"] = `file:${tarball}`;
        fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify(manifest, null, 2));
        await run(NPM, ["install", "--omit=dev", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"], { cwd: dir }).catch((e) => {
            throw new Error(`npm install in the plugin folder failed:\n${e.stdout}${e.stderr}`);
        });
        return dir;
    });
}
