/**
 * The real cfn-guard binary, for the AWS Config Guard rule. AWS publishes
 * no npm package of cfn-guard alone; @cdklabs/cdk-validator-cfnguard
 * (Apache-2.0) ships the released binaries, and installing it as a
 * dependency would pull its peer aws-cdk-lib. So the tarball is fetched
 * with `npm pack` once into node_modules/.cache and only the binary is
 * kept. `CFN_GUARD` names a binary of your own instead.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const PACKAGE = "@cdklabs/cdk-validator-cfnguard@0.0.62";
/** The cfn-guard release that package carries (its guard-version.json). */
export const CFN_GUARD_VERSION = "3.1.1";
const CACHE = path.join(__dirname, "..", "node_modules", ".cache", `cfn-guard-${CFN_GUARD_VERSION}`);

/** Path of a cfn-guard binary, or undefined when none can be had (no registry, not linux-x64). */
export function cfnGuard(): string | undefined {
    if (process.env.CFN_GUARD) return process.env.CFN_GUARD;
    const binary = path.join(CACHE, "cfn-guard");
    if (fs.existsSync(binary)) return binary;
    if (process.platform !== "linux" || process.arch !== "x64") return undefined;
    try {
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cfn-guard-"));
        const tarball = execFileSync("npm", ["pack", PACKAGE, "--silent"], { cwd: tmp, encoding: "utf8", timeout: 120_000 }).trim().split("\n").pop()!;
        execFileSync("tar", ["xzf", tarball, "package/bin/ubuntu/x86_64/cfn-guard"], { cwd: tmp });
        fs.mkdirSync(CACHE, { recursive: true });
        fs.copyFileSync(path.join(tmp, "package/bin/ubuntu/x86_64/cfn-guard"), binary);
        fs.chmodSync(binary, 0o755);
        fs.rmSync(tmp, { recursive: true, force: true });
        const version = execFileSync(binary, ["--version"], { encoding: "utf8" });
        if (!version.includes(CFN_GUARD_VERSION)) throw new Error(`unexpected ${version}`);
        return binary;
    } catch {
        return undefined;
    }
}
