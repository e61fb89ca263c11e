/**
 * The three inputs of `plan` and `access-matrix`, told apart by content:
 * a Pulumi project folder (or its Pulumi.yaml), a `pulumi preview --json`
 * file, a `pulumi stack export` file or a file backend's checkpoint.
 */
import * as fs from "fs";
import * as path from "path";
import { isPreviewDigest, readPreviewDigest } from "./preview";
import { ProgramOptions, readProgram } from "./program";
import { InputError, StackInput } from "./resources";
import { isDeploymentFile, readDeployment } from "./state";

export { InputError } from "./resources";
export type { ProgramInput } from "./program";
export type { StackInput, StackResource, Undecidable } from "./resources";

/** Reads a JSON file as one of the two state shapes; names the file and what it is not. */
export function readStateFile(file: string, text: string): StackInput {
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch (e) {
        throw new InputError(`${file}: is none of the inputs: not a Pulumi project folder, and not JSON as \`pulumi preview --json\` or \`pulumi stack export\` write it (${(e as Error).message})`);
    }
    if (isDeploymentFile(json)) return readDeployment(json, file);
    if (isPreviewDigest(json)) return readPreviewDigest(json, file);
    const keys = json !== null && typeof json === "object" ? Object.keys(json as object).slice(0, 5).join(", ") : typeof json;
    throw new InputError(
        `${file}: is none of the inputs: JSON, but neither a \`pulumi preview --json\` digest (\`steps\`) nor a \`pulumi stack export\` (\`version\`, \`deployment\`) nor a checkpoint (\`version\`, \`checkpoint\`); it has ${keys || "nothing"}`,
    );
}

export async function readInput(input: string, options: ProgramOptions = {}): Promise<StackInput> {
    let stat: fs.Stats;
    try {
        stat = fs.statSync(input);
    } catch (e) {
        throw new InputError(`${input}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): give a Pulumi project folder, a \`pulumi preview --json\` file or a \`pulumi stack export\` file`);
    }
    if (stat.isDirectory()) return readProgram(input, options);
    if (/^Pulumi\.ya?ml$/.test(path.basename(input))) return readProgram(path.dirname(input), options);
    if (options.stack !== undefined || options.configFile !== undefined) {
        throw new InputError(`${input}: --stack and --config choose the stack of a program; a preview or state file holds one stack already`);
    }
    return readStateFile(input, fs.readFileSync(input, "utf8"));
}
