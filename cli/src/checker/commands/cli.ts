/**
 * What every command shares: options parsed by node's `util.parseArgs`, a
 * `--help` that lists every option, the same exit codes, progress on stderr
 * that a CI log also sees, and JSON written alone to stdout or to a file.
 *
 * Exit codes, in every command: 0 ok; 1 the verdict failed or the
 * configuration has a problem (the message names the file and the entry);
 * 2 the command was called wrongly (unknown option, missing value).
 */
import * as fs from "fs";
import { parseArgs, ParseArgsConfig } from "util";
import { closest } from "../model/regions";

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** A problem with how the command was called: exit 2. */
export class UsageError extends Error {}

/** A problem with the user's files or configuration: exit 1, message only. */
export class ConfigError extends Error {}

export interface OptionSpec {
    type: "string" | "boolean";
    multiple?: boolean;
    short?: string;
    default?: string | boolean | readonly string[];
    /** Placeholder of the value in the help, e.g. `<file>`. */
    value?: string;
    description: string;
}

export interface CommandSpec<O extends Record<string, OptionSpec>> {
    /** e.g. `npm run plan --` */
    usage: string;
    summary: string;
    options: O;
    /** Extra paragraphs after the options. */
    notes?: readonly string[];
    /** Operands after the options, e.g. `[<input>]`; none when absent. */
    positionals?: { name: string; description: string; max: number };
}

type Values<O extends Record<string, OptionSpec>> = {
    [K in keyof O]: O[K]["type"] extends "boolean" ? boolean : O[K]["multiple"] extends true ? string[] : O[K]["default"] extends string ? string : string | undefined;
};

export function helpText<O extends Record<string, OptionSpec>>(spec: CommandSpec<O>): string {
    const rows = Object.entries({ ...spec.options, help: { type: "boolean", short: "h", description: "Show this help and exit." } as OptionSpec }).map(([name, o]) => {
        const flag = `${o.short ? `-${o.short}, ` : "    "}--${name}${o.type === "string" ? ` ${o.value ?? "<value>"}` : ""}`;
        const d = o.default;
        const dflt = d !== undefined && d !== false && !(typeof d === "object" && d.length === 0) ? ` (default: ${typeof d === "object" ? d.join(", ") : d})` : "";
        const many = o.multiple ? " Repeat for more than one." : "";
        return [flag, `${o.description}${many}${dflt}`];
    });
    const width = Math.max(...rows.map(([f]) => f.length)) + 2;
    return [
        `Usage: ${spec.usage}${spec.positionals ? ` [${spec.positionals.name}]` : ""} [options]`,
        "",
        spec.summary,
        "",
        ...(spec.positionals ? [`  ${spec.positionals.name}  ${spec.positionals.description}`, ""] : []),
        "Options:",
        ...rows.map(([f, d]) => `  ${f.padEnd(width)}${d}`),
        "",
        "Exit codes: 0 ok; 1 the verdict failed or the configuration has a problem; 2 wrong usage.",
        ...(spec.notes ?? []).flatMap((n) => ["", n]),
        "",
    ].join("\n");
}

/** An option `util.parseArgs` did not know, with the closest known one when it looks like a typo. */
function usageMessage(message: string, names: string[]): string {
    const unknown = /Unknown option '(-{1,2})([^']+)'/.exec(message);
    if (unknown === null) return message;
    const near = closest(unknown[2], names);
    return `unknown option ${unknown[1]}${unknown[2]}${near ? `: did you mean --${near}?` : ""}`;
}

/** Parses argv; `undefined` when `--help` was asked (already printed). Throws UsageError. */
export function parseCommand<O extends Record<string, OptionSpec>>(spec: CommandSpec<O>, argv = process.argv.slice(2)): Values<O> | undefined {
    return parseCommandWithOperands(spec, argv)?.values;
}

/** As parseCommand, with the operands (`spec.positionals`) too. */
export function parseCommandWithOperands<O extends Record<string, OptionSpec>>(spec: CommandSpec<O>, argv = process.argv.slice(2)): { values: Values<O>; operands: string[] } | undefined {
    const options: ParseArgsConfig["options"] = { help: { type: "boolean", short: "h" } };
    for (const [name, o] of Object.entries(spec.options)) {
        options[name] = { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}), ...(o.default !== undefined ? { default: o.default as never } : {}) };
    }
    let values: Record<string, unknown>;
    let operands: string[];
    try {
        ({ values, positionals: operands } = parseArgs({ args: argv, options, strict: true, allowPositionals: spec.positionals !== undefined }));
    } catch (e) {
        const message = (e as Error).message;
        throw new UsageError(`${usageMessage(message, Object.keys(options))}\nRun with --help for the options.`);
    }
    if (values.help) {
        process.stdout.write(helpText(spec));
        return undefined;
    }
    if (spec.positionals && operands.length > spec.positionals.max) {
        throw new UsageError(`too many operands (${operands.join(" ")}): give at most ${spec.positionals.max} ${spec.positionals.name}\nRun with --help for the options.`);
    }
    return { values: values as Values<O>, operands };
}

/** A positive integer option, or a UsageError naming it. */
export function intOption(name: string, value: string | undefined): number | undefined {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} is \`${value}\`: give a whole number`);
    return n;
}

/**
 * Progress on stderr. On a terminal one line rewritten in place; elsewhere
 * (CI logs, pipes) a line every `everyMs`, and the last count of each stage.
 */
export function progressReporter(enabled: boolean, everyMs = 3000, stream: NodeJS.WriteStream = process.stderr) {
    let lastStage = "";
    let lastAt = 0;
    let open = false;
    const tty = stream.isTTY === true;
    return (stage: string, done: number, total: number) => {
        if (!enabled) return;
        const now = Date.now();
        const finished = total > 0 && done >= total;
        const text = total === 0 ? `${stage}: ${done.toLocaleString("en-US")}` : `${stage}: ${done.toLocaleString("en-US")}/${total.toLocaleString("en-US")}`;
        if (tty) {
            if (stage !== lastStage && open) stream.write("\n");
            stream.write(`\r${text}   ${finished ? "\n" : ""}`);
            open = !finished;
        } else if (stage !== lastStage || finished || now - lastAt >= everyMs) {
            stream.write(`${text}\n`);
            lastAt = now;
        }
        lastStage = finished ? "" : stage;
    };
}

/** Writes JSON alone: to `file` when given, else to stdout. */
export function writeJson(value: unknown, file?: string): void {
    const text = JSON.stringify(value, null, 2) + "\n";
    if (file !== undefined) fs.writeFileSync(file, text);
    else process.stdout.write(text);
}

/** What a command prints for an error that ends it, and its exit code: usage errors 2, everything else 1. */
export function failureOf(err: unknown): { code: number; message: string } {
    if (err instanceof UsageError) return { code: EXIT.usage, message: `${err.message}\n` };
    return { code: EXIT.failed, message: `${err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n` };
}

/** Runs a command's main and exits with its code; errors map to the shared exit codes. */
export function runCommand(main: () => Promise<number>): void {
    main().then(
        (code) => process.exit(code),
        (err) => {
            const { code, message } = failureOf(err);
            process.stderr.write(message);
            process.exit(code);
        },
    );
}
