/**
 * npx ts-node scripts/chart-rbac.ts
 *
 * Writes cli/src/checker/checks/reach/chartRbacTable.ts: the RBAC of each
 * pinned chart per variant of values, rendered by the tests' real helm
 * (tests/chartRbacRender.ts). Run it after changing a pinned chart, the
 * values the components pass, or CHART_VARIANTS; tests/chartRbac.test.ts
 * fails until the table is current.
 */
import * as fs from "fs";
import * as path from "path";
import { renderChartRbacTable, tableSource } from "../tests/chartRbacRender";

export const TABLE_FILE = path.join(__dirname, "..", "cli", "src", "checker", "checks", "reach", "chartRbacTable.ts");

if (require.main === module) {
    renderChartRbacTable().then(
        (entries) => {
            fs.writeFileSync(TABLE_FILE, tableSource(entries));
            process.stdout.write(`${TABLE_FILE}: ${entries.map((e) => `${e.chart} ${e.version} (${e.variants.length} variants)`).join(", ")}\n`);
        },
        (err) => {
            process.stderr.write(`${(err as Error).message}\n`);
            process.exitCode = 1;
        },
    );
}
