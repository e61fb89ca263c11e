// @ts-check
/**
 * Released artefacts of other projects that the tests read (the ESO chart
 * and its schemas, Pulumi's schemas and state files, the CSI charts). The
 * project never holds copies of them. Each is taken, in this order, from:
 *
 *   1. the team's vendor folder, `../shared/vendor/<id>` (or the folder in
 *      `EKS_SECRETS_ABAC_VENDOR`);
 *   2. a cache filled from the official source, `node_modules/.cache/
 *      eks-secrets-abac/vendor/<id>` (`tests/fetchArtefacts.ts`: `helm pull`
 *      from the chart's repository, checked by chart name and version; the
 *      Pulumi files from the tagged release on GitHub);
 *   3. nowhere: the test files that read it are left out of the run and
 *      reported as pending with the reason, unless
 *      `EKS_SECRETS_ABAC_REQUIRE_ARTEFACTS=1` (set by `.ci/run`), which
 *      makes a missing artefact fail the run before any test.
 *
 * Plain JavaScript: `.mocharc.js` reads it before ts-node is registered.
 */
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");
const TESTS = __dirname;
const VENDOR = path.resolve(process.env.EKS_SECRETS_ABAC_VENDOR || path.join(ROOT, "..", "shared", "vendor"));
const CACHE = path.resolve(process.env.EKS_SECRETS_ABAC_ARTEFACT_CACHE || path.join(ROOT, "node_modules", ".cache", "eks-secrets-abac", "vendor"));
const STATE_VAR = "EKS_SECRETS_ABAC_ARTEFACT_STATE";

/**
 * @typedef {{ id: string, files: string[], markers: string[], source: string }} Artefact
 * `markers`: names whose use in a test module means it reads the artefact.
 */

/** @type {Artefact[]} */
const ARTEFACTS = [
    {
        id: "external-secrets-2.9.0",
        files: ["chart/external-secrets-2.9.0.tgz", "values.yaml", "values.schema.json", "clustersecretstore.v1.schema.json", "externalsecret.v1.schema.json"],
        markers: ["external-secrets-2.9.0", "ESO_FIXTURES", "ESO_CHART_TGZ"],
        source: "helm pull external-secrets --version 2.9.0 --repo https://charts.external-secrets.io",
    },
    {
        id: "pulumi-3.248.0",
        files: ["project.schema.json"],
        markers: ["pulumi-3.248.0"],
        source: "https://raw.githubusercontent.com/pulumi/pulumi/v3.248.0/sdk/go/common/workspace/project.json",
    },
    {
        id: "pulumi-3.259.0",
        files: ["pulumi.json", "checkpoint-v3.json", "checkpoint-secrets.json"],
        markers: ["pulumi-3.259.0"],
        source: "https://raw.githubusercontent.com/pulumi/pulumi/v3.259.0/ (pkg/codegen/schema/pulumi.json, pkg/resource/stack/testdata/)",
    },
    {
        id: "secrets-store-csi",
        files: ["secrets-store-csi-driver-1.6.0.tgz", "secrets-store-csi-driver-provider-aws-3.1.1.tgz", "secretproviderclasses.crd.yaml"],
        markers: ["secrets-store-csi"],
        source: "helm pull from https://kubernetes-sigs.github.io/secrets-store-csi-driver/charts and https://aws.github.io/secrets-store-csi-driver-provider-aws",
    },
];

/** @param {string} dir @param {Artefact} a */
function complete(dir, a) {
    return a.files.every((f) => fs.existsSync(path.join(dir, a.id, f)));
}

/**
 * Where each artefact is, fetching the missing ones once per run (in a
 * child process, so that the mocha config can stay synchronous).
 * @returns {Record<string, { dir?: string, reason?: string }>}
 */
function resolveArtefacts() {
    const kept = process.env[STATE_VAR];
    if (kept) return JSON.parse(kept);
    const missing = ARTEFACTS.filter((a) => !complete(VENDOR, a) && !complete(CACHE, a));
    /** @type {Record<string, string>} */
    let reasons = {};
    if (missing.length > 0 && process.env.EKS_SECRETS_ABAC_OFFLINE !== "1") {
        const child = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(TESTS, "fetchArtefacts.ts"), CACHE, ...missing.map((a) => a.id)], {
            cwd: ROOT,
            // The child imports the test helpers, which resolve artefacts too: it must not fetch again.
            env: { ...process.env, EKS_SECRETS_ABAC_OFFLINE: "1" },
            encoding: "utf8",
            timeout: 180_000,
        });
        try {
            reasons = JSON.parse(child.stdout || "{}");
        } catch {
            reasons = Object.fromEntries(missing.map((a) => [a.id, `the fetch failed: ${(child.stderr || String(child.error)).trim().split("\n")[0]}`]));
        }
    }
    /** @type {Record<string, { dir?: string, reason?: string }>} */
    const state = {};
    for (const a of ARTEFACTS) {
        if (complete(VENDOR, a)) state[a.id] = { dir: path.join(VENDOR, a.id) };
        else if (complete(CACHE, a)) state[a.id] = { dir: path.join(CACHE, a.id) };
        else {
            const why = process.env.EKS_SECRETS_ABAC_OFFLINE === "1" ? "fetching is off (EKS_SECRETS_ABAC_OFFLINE=1)" : reasons[a.id] || "the fetch gave nothing";
            state[a.id] = { reason: `${a.id} is not in ${path.join(VENDOR, a.id)}, and ${a.source} failed: ${why}` };
        }
    }
    process.env[STATE_VAR] = JSON.stringify(state);
    return state;
}

/**
 * Folder of an artefact for the tests. When it is missing the path still
 * points into the vendor folder: the files that read it are not loaded.
 * @param {string} id
 */
function artefactDir(id) {
    return resolveArtefacts()[id]?.dir ?? path.join(VENDOR, id);
}

/**
 * Test modules (every .ts file under tests/, helpers.ts aside: every test
 * imports it and it only names the folders), by path relative to tests/,
 * and the artefacts each reads, directly or through a module of tests/ it
 * imports.
 * @returns {Map<string, Set<string>>}
 */
function artefactsByModule() {
    /** @param {string} dir @returns {string[]} */
    const walk = (dir) =>
        fs.readdirSync(path.join(TESTS, dir), { withFileTypes: true }).flatMap((e) => {
            const rel = dir ? `${dir}/${e.name}` : e.name;
            if (e.isDirectory()) return e.name === "fixtures" ? [] : walk(rel);
            return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") && rel !== "helpers.ts" ? [rel] : [];
        });
    const modules = new Set(walk(""));
    /** @type {Map<string, { direct: Set<string>, imports: string[] }>} */
    const graph = new Map();
    for (const file of modules) {
        const text = fs.readFileSync(path.join(TESTS, file), "utf8");
        const direct = new Set(ARTEFACTS.filter((a) => a.markers.some((m) => text.includes(m))).map((a) => a.id));
        const imports = [...text.matchAll(/from\s+"(\.{1,2}\/[^"]+)"/g)]
            .map((m) => path.posix.join(path.posix.dirname(file), m[1]) + ".ts")
            .filter((f) => modules.has(f));
        graph.set(file, { direct, imports });
    }
    /** @type {Map<string, Set<string>>} */
    const closed = new Map();
    /** @param {string} file @param {Set<string>} seen @returns {Set<string>} */
    const needs = (file, seen) => {
        const known = closed.get(file);
        if (known) return known;
        const node = graph.get(file);
        const out = new Set(node ? node.direct : []);
        for (const dep of node ? node.imports : []) {
            if (seen.has(dep)) continue;
            for (const id of needs(dep, new Set([...seen, dep]))) out.add(id);
        }
        closed.set(file, out);
        return out;
    };
    for (const file of modules) needs(file, new Set([file]));
    return closed;
}

/**
 * The test files to run, and the ones left out with the reason. Throws when
 * an artefact is missing and the run requires them all.
 * @returns {{ run: string[], skipped: { file: string, reason: string }[] }}
 */
function planTestFiles() {
    const state = resolveArtefacts();
    const missing = Object.entries(state).filter(([, s]) => s.reason !== undefined);
    if (missing.length > 0 && process.env.EKS_SECRETS_ABAC_REQUIRE_ARTEFACTS === "1") {
        throw new Error(
            "EKS_SECRETS_ABAC_REQUIRE_ARTEFACTS=1 and released artefacts are missing, so tests would be skipped:\n" +
                missing.map(([, s]) => `  - ${s.reason}`).join("\n") +
                `\nPut them in ${VENDOR} (or point EKS_SECRETS_ABAC_VENDOR at a copy), or give this machine network access to their sources.`,
        );
    }
    const needs = artefactsByModule();
    /** @type {string[]} */
    const run = [];
    /** @type {{ file: string, reason: string }[]} */
    const skipped = [];
    for (const [file, ids] of [...needs.entries()].sort(([a], [b]) => a.localeCompare(b))) {
        if (!file.endsWith(".test.ts")) continue;
        const absent = [...ids].filter((id) => state[id]?.reason !== undefined);
        if (absent.length === 0) run.push(path.join("tests", file));
        else skipped.push({ file: path.join("tests", file), reason: absent.map((id) => state[id].reason).join("; ") });
    }
    return { run, skipped };
}

module.exports = { ARTEFACTS, VENDOR, CACHE, artefactDir, artefactsByModule, planTestFiles, resolveArtefacts };
