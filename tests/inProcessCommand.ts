/**
 * The installed command's `main`, run in this process: its exit code, what it
 * wrote, and a thrown error's message as the command prints it. Faster than
 * spawning it; tests that prove the binary's own wiring spawn it instead.
 */
import { main } from "../cli/src/main";

export async function command(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const out = { stdout: "", stderr: "" };
    const write = { stdout: process.stdout.write, stderr: process.stderr.write };
    process.stdout.write = ((s: string) => ((out.stdout += s), true)) as typeof process.stdout.write;
    process.stderr.write = ((s: string) => ((out.stderr += s), true)) as typeof process.stderr.write;
    try {
        return { code: await main(argv), ...out };
    } catch (e) {
        return { code: 1, stdout: out.stdout, stderr: out.stderr + (e as Error).message };
    } finally {
        process.stdout.write = write.stdout;
        process.stderr.write = write.stderr;
    }
}
