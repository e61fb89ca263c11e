/**
 * Reads a `Pulumi.<stack>.yaml` file into Pulumi's flat config map, the
 * form the stack program receives from the CLI.
 */
import * as fs from "fs";
import * as YAML from "yaml";
import { ConfigError } from "../commands/cli";

export interface StackFile {
    /** `project:key` to the value as Pulumi passes it: strings raw, the rest as JSON. */
    config: Record<string, string>;
    /** Keys whose values are encrypted in the file and so unknown offline. */
    secretKeys: string[];
}

export const OFFLINE_SECRET_PLACEHOLDER = "offline-placeholder-value";

/** Reads and parses a stack file; a missing file or bad YAML is a ConfigError that names the file. */
export function readStackFile(file: string): StackFile {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new ConfigError(`${file}: cannot read the stack file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); give one with --config <Pulumi.<stack>.yaml>`);
    }
    try {
        return stackFileFromText(text);
    } catch (e) {
        throw new ConfigError(`${file}: ${(e as Error).message}`);
    }
}

export function stackFileFromText(text: string): StackFile {
    // prettyErrors: the message carries the line and column and quotes the line.
    const doc = YAML.parse(text, { prettyErrors: true }) ?? {};
    if (typeof doc !== "object" || Array.isArray(doc)) throw new Error("is not a stack file: expected a mapping with a `config:` key");
    const raw: Record<string, unknown> = doc.config ?? {};
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(raw)) {
        if (value !== null && typeof value === "object" && "secure" in (value as object)) {
            config[key] = OFFLINE_SECRET_PLACEHOLDER;
            secretKeys.push(key);
        } else {
            config[key] = typeof value === "string" ? value : JSON.stringify(value);
        }
    }
    return { config, secretKeys };
}
