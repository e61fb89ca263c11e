/**
 * Released artefacts are read from the vendor folder or their official
 * source, never from the project; when neither has them the tests that read
 * them are reported as pending with the reason, and a run that requires them
 * (CI) fails instead. The mechanism is tests/artefacts.js.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ARTEFACTS, artefactsByModule, planTestFiles } from "./artefacts";

const ROOT = path.resolve(__dirname, "..");

/** planTestFiles() in a fresh process, with a vendor folder and a cache that are both empty. */
function planWithoutArtefacts(extraEnv: Record<string, string> = {}) {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "no-vendor-"));
    try {
        const child = spawnSync(process.execPath, ["-e", "process.stdout.write(JSON.stringify(require('./tests/artefacts').planTestFiles()))"], {
            cwd: ROOT,
            encoding: "utf8",
            env: {
                PATH: process.env.PATH ?? "",
                EKS_SECRETS_ABAC_VENDOR: path.join(empty, "vendor"),
                EKS_SECRETS_ABAC_ARTEFACT_CACHE: path.join(empty, "cache"),
                EKS_SECRETS_ABAC_OFFLINE: "1",
                ...extraEnv,
            },
        });
        return child;
    } finally {
        fs.rmSync(empty, { recursive: true, force: true });
    }
}

describe("released artefacts: the vendor folder, else the official source, else skipped with the reason", () => {
    const { skipped } = planTestFiles();
    for (const { file, reason } of skipped) {
        it.skip(`${file} is left out: ${reason}`, () => undefined);
    }

    it("on a machine with neither, the tests that read an artefact are left out with the reason, and the others run", () => {
        const child = planWithoutArtefacts();
        assert.strictEqual(child.status, 0, child.stderr);
        const plan = JSON.parse(child.stdout) as ReturnType<typeof planTestFiles>;
        const chart = plan.skipped.find((s) => s.file === path.join("tests", "chart.test.ts"));
        assert.ok(chart, "the chart tests read the released chart through tests/helm.ts");
        assert.match(chart.reason, /external-secrets-2\.9\.0 is not in .*vendor.*helm pull external-secrets --version 2\.9\.0 --repo https:\/\/charts\.external-secrets\.io failed: fetching is off/);
        const projects = plan.skipped.find((s) => s.file === path.join("tests", "projects.test.ts"));
        assert.match(projects?.reason ?? "", /pulumi-3\.248\.0 is not in/);
        assert.ok(plan.run.includes(path.join("tests", "iam.test.ts")), "a test that reads no artefact still runs");
        assert.ok(!plan.run.includes(path.join("tests", "chart.test.ts")));
    });

    it("a run that requires the artefacts (EKS_SECRETS_ABAC_REQUIRE_ARTEFACTS=1, as .ci/run sets) fails before any test, naming each missing one", () => {
        const child = planWithoutArtefacts({ EKS_SECRETS_ABAC_REQUIRE_ARTEFACTS: "1" });
        assert.notStrictEqual(child.status, 0);
        for (const a of ARTEFACTS) assert.ok(child.stderr.includes(`${a.id} is not in`), `${a.id} is named`);
        assert.match(fs.readFileSync(path.join(ROOT, ".ci", "run"), "utf8"), /^export EKS_SECRETS_ABAC_REQUIRE_ARTEFACTS=1$/m);
    });

    it("a test module reads an artefact through the helper modules it imports, so a new chart test is covered without a list", () => {
        const needs = artefactsByModule();
        const eso = ARTEFACTS[0].id;
        assert.ok(needs.get("helm.ts")?.has(eso));
        assert.ok(needs.get("chart.test.ts")?.has(eso), "chart.test.ts imports ./helm");
        assert.ok(!needs.get("iam.test.ts")?.has(eso));
    });
});
