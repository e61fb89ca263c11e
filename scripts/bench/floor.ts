/**
 * The SDK floor as a process of its own: `floorProgram` (the shared role
 * design's custom resources, constant inputs, no components) in the offline
 * cloud, and nothing else.
 *
 *   node -r ts-node/register/transpile-only scripts/bench/floor.ts <teams>
 */
import { runOffline } from "../../cli/src/checker";
import { floorProgram } from "./program";

const teams = Number(process.argv[2] ?? "2000");
runOffline(() => floorProgram(teams))
    .then((run) => console.log(JSON.stringify({ teams, resources: run.resources.filter((r) => r.custom).length })))
    .catch((e) => {
        console.error(e);
        process.exit(1);
    });
