/**
 * Run in a child process by engine.test.ts: the components' program under
 * Pulumi's mocks in preview mode (setMocks(..., preview = true)), where a
 * resource's outputs that the mock does not return stay unknown, as in a
 * first `pulumi preview` of a new stack. Prints every custom resource's
 * inputs with unknowns written as the engine marshals them for the analyzer
 * (the unknown-string marker) and secrets wrapped.
 */
import * as pulumi from "@pulumi/pulumi";
import { EksSecretsAbac } from "../../components";
import { twoTeamArgs } from "../helpers";
// eslint-disable-next-line @typescript-eslint/no-var-requires
const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const recorded: { type: string; name: string; props: unknown }[] = [];

function engineShape(v: any): any {
    if (pulumi.isUnknown(v)) return UNKNOWN;
    if (Array.isArray(v)) return v.map(engineShape);
    if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, engineShape(x)]));
    return v;
}

pulumi.runtime.setMocks(
    {
        // Only what the program passed in is known; every provider-computed output (ARNs, IDs) stays unknown.
        newResource(args) {
            if (args.custom !== false) recorded.push({ type: args.type, name: args.name, props: engineShape(args.inputs) });
            return { id: undefined as any, state: args.type === "aws:iam/role:Role" && args.inputs.name ? { name: args.inputs.name } : {} };
        },
        call(args) {
            // Invokes run in a preview too (getCallerIdentity, getPartition, getRegion, getCluster).
            switch (args.token) {
                case "aws:index/getCallerIdentity:getCallerIdentity":
                    return { accountId: "111122223333", arn: "arn:aws:iam::111122223333:user/x", userId: "x", id: "111122223333" };
                case "aws:index/getPartition:getPartition":
                    return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
                case "aws:index/getRegion:getRegion":
                    return { region: "eu-west-1", name: "eu-west-1", id: "eu-west-1" };
                case "aws:eks/getCluster:getCluster":
                    return { name: args.inputs.name, arn: `arn:aws:eks:eu-west-1:111122223333:cluster/${args.inputs.name}`, id: args.inputs.name };
                default:
                    throw new Error(`no answer for ${args.token}`);
            }
        },
    },
    "eks-secrets-abac",
    "first-preview",
    true,
);

(async () => {
    new EksSecretsAbac("abac", twoTeamArgs());
    await settings.waitForRPCs();
    process.stdout.write(JSON.stringify(recorded));
})().catch((e) => {
    console.error(e);
    process.exit(1);
});
