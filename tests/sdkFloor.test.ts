/**
 * The benchmark's SDK floor (scripts/bench/sdkFloor.js) is only fair while it
 * registers what the program registers: the same custom resources, type by
 * type. A resource added to the components without one in the floor fails here.
 */
import { strict as assert } from "assert";
import { EksSecretsAbac } from "../components";
import { benchTeams } from "../scripts/bench/teams";
import { runOffline } from "./helpers";

// eslint-disable-next-line @typescript-eslint/no-var-requires
const floor = require("../scripts/bench/sdkFloor") as {
    floorProgram(teams: number, teamComponents?: boolean): void;
    benchTeams(count: number): unknown[];
};

describe("the benchmark's SDK floor", () => {
    it("runs the program with the benchmark's teams", () => {
        assert.deepEqual(floor.benchTeams(3), benchTeams(3));
    });

    it("registers the program's custom resources, type by type, with no component", async () => {
        const program = await runOffline(() => new EksSecretsAbac("prod", { clusterName: "prod-eu", installPodIdentityAgent: true, teams: benchTeams(3) }));
        const sdk = await runOffline(() => floor.floorProgram(3));
        assert.deepEqual(sdk.countsByType(), program.countsByType());
        assert.equal(sdk.resources.filter((r) => !r.custom).length, 0);
    });

    it("with team components, parents each team's resources by one component, as the program's Team does", async () => {
        const program = await runOffline(() => new EksSecretsAbac("prod", { clusterName: "prod-eu", installPodIdentityAgent: true, teams: benchTeams(3) }));
        const sdk = await runOffline(() => floor.floorProgram(3, true));
        const teams = (run: { resources: { custom: boolean; type: string }[] }) => run.resources.filter((r) => !r.custom && r.type.endsWith(":Team")).length;
        assert.equal(teams(sdk), teams(program));
        assert.deepEqual(sdk.countsByType(), program.countsByType());
    });
});
