/**
 * npm run plan -- [options]     (npm run plan -- --help lists them)
 *
 * The command's `plan` (cli/src/main.ts, the one definition) on this
 * repository's program with its example stack: `eks-secrets-abac plan .
 * --config Pulumi.example.yaml`. A stack file of another project (examples/*)
 * is planned with that project's program; one outside any project with this
 * repository's index.ts. Exit 0 OK, 1 blocked, not decided or a configuration
 * problem, 2 wrong usage.
 */
import * as fs from "fs";
import * as path from "path";
import { runCommand } from "../cli/src/checker";
import { main, PLAN_COMMAND } from "../cli/src/main";

export { PLAN_COMMAND };

const ROOT = path.join(__dirname, "..");

/** The command's argv for an npm script: the repository's program and example stack unless told otherwise. */
export function withRepositoryDefaults(command: string, argv: string[], extra: string[] = []): string[] {
    const at = argv.indexOf("--config");
    const config = at >= 0 ? argv[at + 1] : argv.find((a) => a.startsWith("--config="))?.slice("--config=".length);
    const options = config === undefined ? ["--config", path.relative(process.cwd(), path.join(ROOT, "Pulumi.example.yaml")) || "Pulumi.example.yaml"] : [];
    const wantsHelp = argv.includes("--help") || argv.includes("-h");
    if (wantsHelp) return [command, ...argv];
    // A stack file of a project folder goes with that project's program; any other with this repository's.
    const own = config !== undefined && ["Pulumi.yaml", "Pulumi.yml"].some((f) => fs.existsSync(path.join(path.dirname(config), f)));
    const input = own ? path.dirname(config!) : path.relative(process.cwd(), ROOT) || ".";
    return [command, input, ...options, ...extra, ...argv];
}

if (require.main === module) runCommand(() => main(withRepositoryDefaults("plan", process.argv.slice(2))));
