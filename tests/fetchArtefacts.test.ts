/**
 * What tests/fetchArtefacts.ts would put in the cache from the official ESO
 * chart is what the vendor folder holds: the schemas taken from the chart's
 * CRDs equal the ones taken from the source tree at v2.9.0
 * (../shared/vendor/external-secrets-2.9.0/README.md), so a machine that
 * fetches the chart tests the same thing.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { checkChart, deriveEsoArtefacts } from "./fetchArtefacts";
import { ESO_CHART_TGZ } from "./helm";
import { ESO_FIXTURES, artefactDir } from "./helpers";

describe("artefacts from the official ESO chart (what a machine without the vendor folder fetches)", () => {
    let out: string;
    before(async () => {
        out = fs.mkdtempSync(path.join(os.tmpdir(), "eso-derived-"));
        await deriveEsoArtefacts(ESO_CHART_TGZ, out);
    });
    after(() => fs.rmSync(out, { recursive: true, force: true }));

    for (const file of ["clustersecretstore.v1.schema.json", "externalsecret.v1.schema.json"]) {
        it(`${file} from the chart's CRD equals the one from the source tree`, () => {
            const read = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
            assert.deepStrictEqual(read(out), read(ESO_FIXTURES));
        });
    }

    for (const file of ["values.yaml", "values.schema.json"]) {
        it(`${file} is the chart's own`, () => {
            assert.strictEqual(fs.readFileSync(path.join(out, file), "utf8"), fs.readFileSync(path.join(ESO_FIXTURES, file), "utf8"));
        });
    }

    it("a chart of another name or version is refused before it reaches the cache", async () => {
        const other = path.join(artefactDir("secrets-store-csi"), "secrets-store-csi-driver-1.6.0.tgz");
        await assert.rejects(checkChart(other, "external-secrets", "2.9.0"), /is chart secrets-store-csi-driver 1\.6\.0, not external-secrets 2\.9\.0/);
    });
});
