/**
 * The real cfn-guard binary, for the AWS Config Guard rule. AWS publishes
 * no npm package of cfn-guard alone; @cdklabs/cdk-validator-cfnguard
 * (Apache-2.0, a pinned devDependency) ships the released binaries.
 * `CFN_GUARD` names a binary of your own instead.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

/** The cfn-guard release that package carries (its guard-version.json). */
export const CFN_GUARD_VERSION = "3.1.1";

/** Path of the cfn-guard binary; throws with the reason when there is none for this platform. */
export function cfnGuard(): string {
    if (process.env.CFN_GUARD) return process.env.CFN_GUARD;
    if (process.platform !== "linux" || process.arch !== "x64") {
        throw new Error(`cfn-guard: the package ships binaries for linux-x64 here; set CFN_GUARD on ${process.platform}-${process.arch}`);
    }
    const pkg = path.dirname(require.resolve("@cdklabs/cdk-validator-cfnguard/package.json"));
    const binary = path.join(pkg, "bin", "ubuntu", "x86_64", "cfn-guard");
    // npm may unpack without the execute bit.
    if ((fs.statSync(binary).mode & 0o111) === 0) fs.chmodSync(binary, 0o755);
    const version = execFileSync(binary, ["--version"], { encoding: "utf8" });
    if (!version.includes(CFN_GUARD_VERSION)) throw new Error(`cfn-guard: expected ${CFN_GUARD_VERSION}, found ${version.trim()}`);
    return binary;
}
