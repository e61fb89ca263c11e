/**
 * The whole repository type-checks: `tsc -p tsconfig.json` over the
 * components, the policy pack, the command, the multi-language plugin, the
 * examples, the scripts and these tests, with the strict options users'
 * projects compile the components under. `npm test` builds the three
 * packages first (their own `tsc` projects, which must pass too) and runs
 * this check beside the other tests, so that it fills a worker's idle time
 * instead of holding every test back.
 */
import * as assert from "assert";
import { execFile } from "child_process";
import * as path from "path";

const ROOT = path.join(__dirname, "..");

describe("the repository type-checks", function () {
    this.timeout(300_000);

    it("tsc -p tsconfig.json reports nothing", async () => {
        const tsc = require.resolve("typescript/bin/tsc");
        const { code, output } = await new Promise<{ code: number; output: string }>((resolve) =>
            execFile(process.execPath, [tsc, "-p", "tsconfig.json", "--pretty", "false"], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
                resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` }),
            ),
        );
        assert.strictEqual(output, "", output);
        assert.strictEqual(code, 0);
    });
});
