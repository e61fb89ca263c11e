/**
 * The installed command's `main`, or an npm script's, run in this process:
 * its exit code, what it wrote, and a thrown error's message and exit code as
 * `runCommand` prints them (the same `failureOf`). Loading the command, the
 * components and the AWS SDK once per test worker instead of once per
 * spawned process is most of the test suite's time saved; the tests that
 * prove a binary's or an npm script's own wiring spawn it instead.
 */
import { failureOf } from "../cli/src/checker";
import { main } from "../cli/src/main";

export interface CommandResult {
    code: number;
    stdout: string;
    stderr: string;
}

/** Runs `run` with stdout and stderr captured; an error ends it as it ends the binary. */
export async function inProcess(run: () => Promise<number>): Promise<CommandResult> {
    const out = { stdout: "", stderr: "" };
    const write = { stdout: process.stdout.write, stderr: process.stderr.write };
    process.stdout.write = ((s: string) => ((out.stdout += s), true)) as typeof process.stdout.write;
    process.stderr.write = ((s: string) => ((out.stderr += s), true)) as typeof process.stderr.write;
    try {
        return { code: await run(), ...out };
    } catch (e) {
        const { code, message } = failureOf(e);
        return { code, stdout: out.stdout, stderr: out.stderr + message };
    } finally {
        process.stdout.write = write.stdout;
        process.stderr.write = write.stderr;
    }
}

/** `eks-secrets-abac <argv>` in this process. */
export const command = (argv: string[]): Promise<CommandResult> => inProcess(() => main(argv));
