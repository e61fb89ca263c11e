/** The stack program with N teams of config, in the offline cloud: for host.js. */
import * as path from "path";
import { OFFLINE, runOffline } from "../../cli/src/checker";
import { benchTeams } from "./program";

const STACK_PROGRAM = path.join(__dirname, "..", "..", "index.ts");

export async function runStackProgram(teams: number): Promise<{ teams: number; resources: number; programMs: number }> {
    const config = {
        "aws:region": "eu-west-1",
        [`${OFFLINE.project}:clusterName`]: "prod-eu",
        [`${OFFLINE.project}:teams`]: JSON.stringify(benchTeams(teams)),
    };
    const started = process.hrtime.bigint();
    const run = await runOffline(() => require(STACK_PROGRAM), config);
    return { teams, resources: run.resources.filter((r) => r.custom).length, programMs: Number(process.hrtime.bigint() - started) / 1e6 };
}
