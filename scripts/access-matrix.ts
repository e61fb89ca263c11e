/**
 * npm run access-matrix -- [options]     (--help lists them)
 *
 * The command's `access-matrix` (cli/src/main.ts, the one definition) on this
 * repository's program with its example stack, writing access-matrix.md,
 * .svg and .html into git-ignored .plan/ unless --report-dir says otherwise.
 * The same verdict and exit code as npm run plan: they differ only in what
 * they print.
 */
import * as path from "path";
import { runCommand } from "../cli/src/checker";
import { ACCESS_MATRIX_COMMAND, main } from "../cli/src/main";
import { withRepositoryDefaults } from "./plan";

export { ACCESS_MATRIX_COMMAND };

const rel = (p: string) => path.relative(process.cwd(), p) || ".";

/** The command's argv for `npm run access-matrix -- <argv>`: the repository's program, and reports in .plan/ (docs/ with --update-docs, which regenerates the committed picture on purpose). */
export function accessMatrixArgv(argv: string[]): string[] {
    const docs = argv.includes("--update-docs");
    const rest = argv.filter((a) => a !== "--update-docs");
    const reports = rest.some((a) => a === "--report-dir" || a.startsWith("--report-dir=")) ? [] : ["--report-dir", rel(path.join(__dirname, "..", docs ? "docs" : ".plan"))];
    return withRepositoryDefaults("access-matrix", rest, reports);
}

if (require.main === module) runCommand(() => main(accessMatrixArgv(process.argv.slice(2))));
