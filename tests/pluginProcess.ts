/**
 * Starts a Pulumi plugin process the way the CLI does: `node <runner> <args>`
 * in a working folder, then reads the port it prints on stdout. Both the
 * policy pack (run-policy-pack) and the component package (run-plugin)
 * announce themselves this way.
 */
import { ChildProcess, spawn } from "child_process";

/** Every plugin started and not yet exited: a hook that times out before it learns the child still gets it stopped. */
const running = new Set<ChildProcess>();
process.on("exit", () => {
    for (const child of running) child.kill();
});

/** `env`: variables set for the plugin on top of this process's environment (the CLI passes its own environment on). */
export async function startPluginProcess(runner: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; port: number }> {
    const child = spawn(process.execPath, [runner, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
    running.add(child);
    child.on("exit", () => running.delete(child));
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    const port = await new Promise<number>((resolve, reject) => {
        let out = "";
        child.stdout!.on("data", (d) => {
            out += d;
            const m = /^(\d+)\s*$/m.exec(out);
            if (m) resolve(Number(m[1]));
        });
        child.on("exit", (code) => reject(new Error(`${runner} exited with ${code} before printing a port:\n${out}\n${stderr}`)));
    });
    return { child, port };
}
