/**
 * Reads a `Pulumi.<stack>.yaml` file into Pulumi's flat config map, the
 * form the stack program receives from the CLI.
 */
import * as fs from "fs";
import * as YAML from "yaml";

export interface StackFile {
    /** `project:key` to the value as Pulumi passes it: strings raw, the rest as JSON. */
    config: Record<string, string>;
    /** Keys whose values are encrypted in the file and so unknown offline. */
    secretKeys: string[];
}

export const OFFLINE_SECRET_PLACEHOLDER = "offline-placeholder-value";

export function readStackFile(file: string): StackFile {
    return stackFileFromText(fs.readFileSync(file, "utf8"));
}

export function stackFileFromText(text: string): StackFile {
    const doc = YAML.parse(text) ?? {};
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
