/**
 * A Pulumi project folder whose program is TypeScript or JavaScript, run in
 * the offline cloud as the Pulumi CLI's Node.js language host would start it
 * (`@pulumi/pulumi/cmd/run/run.js`): from the project folder, `Pulumi.yaml`'s
 * `main`, the stack's `Pulumi.<stack>.yaml`, and the program's own
 * `@pulumi/pulumi`, TypeScript, ts-node and `tsconfig.json`. The mocks must be
 * installed on the `@pulumi/pulumi` the program imports, so it is resolved
 * from the project folder, never from this tool.
 */
import * as fs from "fs";
import { createRequire } from "module";
import * as path from "path";
import * as YAML from "yaml";
import type { OfflineSdk } from "./offlineCloud";
import { closest } from "../model/regions";
import { readStackFile } from "./stackFile";
import { InputError, StackInput, StackResource } from "./resources";

export interface ProgramOptions {
    /** `Pulumi.<stack>.yaml` in the project folder. */
    stack?: string;
    /** A stack file elsewhere; its name gives the stack. */
    configFile?: string;
    onProgress?: (registered: number) => void;
}

export interface ProgramInput extends StackInput {
    kind: "program";
    stackFile: string;
    /** Problems the program reported by throwing a configuration error (it deployed nothing). */
    problems?: { path: string; message: string }[];
}

export interface Project {
    dir: string;
    file: string;
    name: string;
    runtime: string;
    main?: string;
    /** `config:` of Pulumi.yaml: keys with their default. */
    defaults: Record<string, unknown>;
}

export function projectFileIn(dir: string): string | undefined {
    return ["Pulumi.yaml", "Pulumi.yml"].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
}

export function readProject(dir: string): Project {
    const file = projectFileIn(dir);
    if (file === undefined) throw new InputError(`${dir}: no Pulumi.yaml here: give a Pulumi project folder, a \`pulumi preview --json\` file or a \`pulumi stack export\` file`);
    let doc: Record<string, any>;
    try {
        doc = YAML.parse(fs.readFileSync(file, "utf8"), { prettyErrors: true }) ?? {};
    } catch (e) {
        throw new InputError(`${file}: ${(e as Error).message}`);
    }
    const runtime = typeof doc.runtime === "string" ? doc.runtime : doc.runtime?.name;
    if (typeof doc.name !== "string" || typeof runtime !== "string") throw new InputError(`${file}: a project file needs \`name\` and \`runtime\``);
    const defaults: Record<string, unknown> = {};
    for (const [key, spec] of Object.entries<any>(doc.config ?? {})) {
        // Pulumi.yaml config: `key: value`, `key: { value }` or `key: { type, default }` (pulumi/pulumi pkg/workspace project config).
        const value = spec !== null && typeof spec === "object" && !Array.isArray(spec) ? (spec.value ?? spec.default) : spec;
        if (value !== undefined) defaults[key.includes(":") ? key : `${doc.name}:${key}`] = value;
    }
    return { dir, file, name: doc.name, runtime, main: doc.main, defaults };
}

/** The stack file: `--config`, else `Pulumi.<stack>.yaml`, else the only stack file of the folder. */
export function stackFileOf(project: Project, options: ProgramOptions): { file: string; stack: string } {
    const stackOf = (file: string) => /^Pulumi\.(.+)\.ya?ml$/.exec(path.basename(file))?.[1] ?? path.basename(file);
    if (options.configFile !== undefined) return { file: options.configFile, stack: options.stack ?? stackOf(options.configFile) };
    const files = fs.readdirSync(project.dir).filter((f) => /^Pulumi\..+\.ya?ml$/.test(f));
    if (options.stack !== undefined) {
        const file = path.join(project.dir, `Pulumi.${options.stack}.yaml`);
        if (!fs.existsSync(file) && files.length > 0) {
            // A misspelt stack names the ones that exist, not ENOENT.
            const stacks = files.map(stackOf);
            const near = closest(options.stack, stacks);
            throw new InputError(`${project.dir}: no stack ${options.stack} (no ${path.basename(file)})${near ? `; did you mean \`--stack ${near}\`?` : ""} The stacks here: ${stacks.join(", ")}`);
        }
        return { file, stack: options.stack };
    }
    if (files.length === 1) return { file: path.join(project.dir, files[0]), stack: stackOf(files[0]) };
    throw new InputError(
        `${project.dir}: ${files.length === 0 ? "no stack file (Pulumi.<stack>.yaml)" : `several stack files (${files.join(", ")})`}: choose one with --stack <name> or --config <file>`,
    );
}

/** The program's own Pulumi SDK, from the project folder. */
function projectSdk(project: Project, stack: string): { sdk: OfflineSdk; requireFromProject: NodeRequire } {
    const requireFromProject = createRequire(path.join(path.resolve(project.dir), "package.json"));
    let sdkPath: string;
    try {
        sdkPath = requireFromProject.resolve("@pulumi/pulumi");
    } catch {
        throw new InputError(`${project.dir}: the program's dependencies are not installed (no @pulumi/pulumi): run \`npm install\` there first`);
    }
    const pulumi = require(sdkPath);
    const settings = require(path.join(path.dirname(sdkPath), "runtime", "settings"));
    return { sdk: { pulumi, settings, stack }, requireFromProject };
}

/**
 * ts-node for a TypeScript program, set up as the language host does (run.js: the project's
 * `tsconfig.json` when there is one, the program's typescript and ts-node, else the SDK's
 * vendored ones), except that types are not checked unless PULUMI_NODEJS_TRANSPILE_ONLY=false:
 * checking is `tsc`'s job in CI, and it would cost minutes on @pulumi/aws.
 * Skipped when this process compiles TypeScript already (run through ts-node).
 */
function registerTypeScript(project: Project, sdkPath: string): void {
    if (require.extensions[".ts"] !== undefined) return;
    const tsutils = require(path.join(path.dirname(sdkPath), "tsutils"));
    const tsConfigPath = path.join(project.dir, process.env.PULUMI_NODEJS_TSCONFIG_PATH ?? "tsconfig.json");
    const skipProject = !fs.existsSync(tsConfigPath);
    const compilerOptions = skipProject ? {} : tsutils.loadTypeScriptCompilerOptions(tsConfigPath);
    const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
    // Resolved as the SDK resolves them (tsutils looked them up from its own folder).
    createRequire(sdkPath)(tsnodeRequire).register({
        compiler: typescriptRequire,
        transpileOnly: process.env.PULUMI_NODEJS_TRANSPILE_ONLY !== "false",
        project: tsConfigPath,
        skipProject,
        compilerOptions: { target: "ES2020", module: "commonjs", moduleResolution: "node", sourceMap: "true", ...compilerOptions },
    });
}

export async function readProgram(dir: string, options: ProgramOptions = {}): Promise<ProgramInput> {
    const project = readProject(dir);
    if (project.runtime !== "nodejs") {
        throw new InputError(
            `${project.file}: runtime \`${project.runtime}\`: only TypeScript and JavaScript programs run here; for any language, give the file \`pulumi preview --json > preview.json\` writes`,
        );
    }
    const pkgFile = path.join(dir, "package.json");
    if (fs.existsSync(pkgFile) && JSON.parse(fs.readFileSync(pkgFile, "utf8")).type === "module") {
        throw new InputError(`${pkgFile}: an ES module program ("type": "module") cannot be run here yet: give the file \`pulumi preview --json\` writes instead`);
    }
    const { file: stackFile, stack } = stackFileOf(project, options);
    const { config: stackConfig, secretKeys } = readStackFile(stackFile);
    const config: Record<string, string> = {};
    for (const [k, v] of Object.entries(project.defaults)) config[k] = typeof v === "string" ? v : JSON.stringify(v);
    Object.assign(config, stackConfig);
    const { sdk, requireFromProject } = projectSdk(project, stack);
    const entry = (() => {
        try {
            return requireFromProject.resolve(path.resolve(dir, project.main ?? "."));
        } catch {
            return undefined;
        }
    })();
    const tsEntry = entry ?? [path.resolve(dir, project.main ?? ".", "index.ts"), path.resolve(dir, project.main ?? "")].find((f) => f.endsWith(".ts") && fs.existsSync(f));
    if (tsEntry === undefined) throw new InputError(`${project.file}: the program \`${project.main ?? "."}\` is not found in ${dir}`);
    if (tsEntry.endsWith(".ts")) registerTypeScript(project, requireFromProject.resolve("@pulumi/pulumi"));
    const cwd = process.cwd();
    // Loaded here: reading a preview or state file needs no Pulumi SDK.
    const { runOffline } = await import("./offlineCloud");
    let run;
    try {
        process.chdir(dir);
        run = await runOffline(
            () => {
                delete require.cache[tsEntry];
                return require(tsEntry);
            },
            config,
            secretKeys,
            project.name,
            options.onProgress,
            sdk,
        );
    } catch (e) {
        const problems = (e as { problems?: unknown }).problems;
        if (Array.isArray(problems)) {
            return { kind: "program", source: dir, project: project.name, stack, stackFile, resources: [], undecidable: [], config, notes: [], problems };
        }
        throw new InputError(`${stackFile}: the program ${path.relative(cwd, tsEntry) || tsEntry} failed offline: ${(e as Error).message ?? e}`);
    } finally {
        process.chdir(cwd);
    }
    const resources: StackResource[] = run.resources.map((r) => ({ ...r, urn: `urn:pulumi:${stack}::${project.name}::${r.type}::${r.name}` }));
    return {
        kind: "program",
        source: dir,
        project: project.name,
        stack,
        stackFile,
        resources,
        undecidable: [],
        config,
        notes: secretKeys.length > 0 ? [`secret config (${secretKeys.join(", ")}) is not decrypted offline: the program saw a placeholder value`] : [],
    };
}
