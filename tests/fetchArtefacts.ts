/**
 * Fetches released artefacts from their official sources into the test
 * cache, for a machine without the team's vendor folder (tests/artefacts.js
 * runs it). Usage: `fetchArtefacts.ts <cache> <id>...`; prints a JSON object
 * of the ids that failed, with the reason. Nothing is written to the cache
 * unless it was checked (the chart's name and version) and is complete.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import * as YAML from "yaml";
import { helmBinary, runTool } from "./helm";

const run = promisify(execFile);
const TIMEOUT_MS = 60_000;

/** Helm with an empty home, so that no user configuration or repository counts. */
async function helm(args: string[], cwd: string): Promise<string> {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "artefact-helm-"));
    try {
        const env = { PATH: process.env.PATH ?? "", HOME: home, HELM_CACHE_HOME: path.join(home, "c"), HELM_CONFIG_HOME: path.join(home, "g"), HELM_DATA_HOME: path.join(home, "d") };
        const { stdout } = await runTool(await helmBinary(), args, { cwd, env, timeout: TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
        return stdout;
    } catch (err) {
        const stderr = (err as { stderr?: string }).stderr?.trim();
        throw new Error(`helm ${args[0]}: ${stderr ? stderr.split("\n").pop() : String(err)}`);
    } finally {
        fs.rmSync(home, { recursive: true, force: true });
    }
}

/** `helm pull <name> --repo <repo> --version <v>`, then the archive's Chart.yaml must say that name and version. */
async function pullChart(repo: string, name: string, version: string, dir: string): Promise<string> {
    await helm(["pull", name, "--repo", repo, "--version", version, "-d", dir], dir);
    const tgz = path.join(dir, `${name}-${version}.tgz`);
    await checkChart(tgz, name, version);
    return tgz;
}

export async function checkChart(tgz: string, name: string, version: string): Promise<void> {
    const chart = YAML.parse(await helm(["show", "chart", tgz], path.dirname(tgz))) as { name?: string; version?: string };
    if (chart.name !== name || chart.version !== version) {
        throw new Error(`${tgz} is chart ${chart.name} ${chart.version}, not ${name} ${version}`);
    }
}

/** One file of a chart archive, read with the system's tar. */
async function chartFile(tgz: string, entry: string): Promise<string> {
    const { stdout } = await run("tar", ["-xzOf", tgz, entry], { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
}

/** The `openAPIV3Schema` of one version of a CRD the chart renders with its defaults. */
function crdSchema(objects: any[], plural: string, version: string): unknown {
    const crd = objects.find((o) => o?.kind === "CustomResourceDefinition" && o.metadata?.name === `${plural}.external-secrets.io`);
    const served = crd?.spec.versions.find((v: any) => v.name === version);
    if (served === undefined) throw new Error(`the chart renders no ${plural}.external-secrets.io ${version}`);
    return served.schema.openAPIV3Schema;
}

/**
 * The ESO files the tests read, from the released chart alone: the archive,
 * its values and values schema, and the v1 schemas of ClusterSecretStore and
 * ExternalSecret as the chart's CRDs carry them.
 */
export async function deriveEsoArtefacts(tgz: string, outDir: string): Promise<void> {
    await checkChart(tgz, "external-secrets", "2.9.0");
    const rendered = await helm(["template", "eso", tgz, "-n", "external-secrets"], path.dirname(tgz));
    const objects = YAML.parseAllDocuments(rendered).map((d) => d.toJS({ maxAliasCount: -1 }));
    fs.mkdirSync(path.join(outDir, "chart"), { recursive: true });
    fs.copyFileSync(tgz, path.join(outDir, "chart", "external-secrets-2.9.0.tgz"));
    fs.writeFileSync(path.join(outDir, "values.yaml"), await chartFile(tgz, "external-secrets/values.yaml"));
    fs.writeFileSync(path.join(outDir, "values.schema.json"), await chartFile(tgz, "external-secrets/values.schema.json"));
    fs.writeFileSync(path.join(outDir, "Chart.yaml"), await chartFile(tgz, "external-secrets/Chart.yaml"));
    fs.writeFileSync(path.join(outDir, "clustersecretstore.v1.schema.json"), JSON.stringify(crdSchema(objects, "clustersecretstores", "v1"), null, 2));
    fs.writeFileSync(path.join(outDir, "externalsecret.v1.schema.json"), JSON.stringify(crdSchema(objects, "externalsecrets", "v1"), null, 2));
}

async function download(url: string, target: string): Promise<void> {
    const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) }).catch((err: Error & { cause?: { code?: string; message?: string } }) => {
        throw new Error(`GET ${url}: ${err.cause?.code ?? err.cause?.message ?? err.message}`);
    });
    if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, Buffer.from(await response.arrayBuffer()));
}

const PULUMI_RAW = "https://raw.githubusercontent.com/pulumi/pulumi";

/** Each artefact id, fetched into a fresh folder. */
const FETCHERS: Record<string, (dir: string, work: string) => Promise<void>> = {
    "external-secrets-2.9.0": async (dir, work) =>
        deriveEsoArtefacts(await pullChart("https://charts.external-secrets.io", "external-secrets", "2.9.0", work), dir),
    "pulumi-3.248.0": (dir) => download(`${PULUMI_RAW}/v3.248.0/sdk/go/common/workspace/project.json`, path.join(dir, "project.schema.json")),
    "pulumi-3.259.0": async (dir) => {
        await download(`${PULUMI_RAW}/v3.259.0/pkg/codegen/schema/pulumi.json`, path.join(dir, "pulumi.json"));
        for (const file of ["checkpoint-v3.json", "checkpoint-secrets.json"]) {
            await download(`${PULUMI_RAW}/v3.259.0/pkg/resource/stack/testdata/${file}`, path.join(dir, file));
        }
    },
    "secrets-store-csi": async (dir, work) => {
        const driver = await pullChart("https://kubernetes-sigs.github.io/secrets-store-csi-driver/charts", "secrets-store-csi-driver", "1.6.0", work);
        const ascp = await pullChart("https://aws.github.io/secrets-store-csi-driver-provider-aws", "secrets-store-csi-driver-provider-aws", "3.1.1", work);
        fs.mkdirSync(dir, { recursive: true });
        fs.copyFileSync(driver, path.join(dir, path.basename(driver)));
        fs.copyFileSync(ascp, path.join(dir, path.basename(ascp)));
        const crd = await chartFile(driver, "secrets-store-csi-driver/crds/secrets-store.csi.x-k8s.io_secretproviderclasses.yaml");
        fs.writeFileSync(path.join(dir, "secretproviderclasses.crd.yaml"), crd);
    },
};

async function main(cache: string, ids: string[]): Promise<void> {
    const failed: Record<string, string> = {};
    for (const id of ids) {
        const fetcher = FETCHERS[id];
        if (fetcher === undefined) {
            failed[id] = "no official source is known for it";
            continue;
        }
        const work = fs.mkdtempSync(path.join(os.tmpdir(), `artefact-${id}-`));
        const staging = path.join(work, "out");
        try {
            await fetcher(staging, work);
            fs.mkdirSync(cache, { recursive: true });
            fs.rmSync(path.join(cache, id), { recursive: true, force: true });
            fs.cpSync(staging, path.join(cache, id), { recursive: true });
        } catch (err) {
            failed[id] = (err instanceof Error ? err.message : String(err)).split("\n")[0];
        } finally {
            fs.rmSync(work, { recursive: true, force: true });
        }
    }
    process.stdout.write(JSON.stringify(failed));
}

if (require.main === module) {
    const [cache, ...ids] = process.argv.slice(2);
    main(cache, ids).catch((err) => {
        process.stdout.write(JSON.stringify(Object.fromEntries(ids.map((id) => [id, String(err)]))));
    });
}
