/**
 * `trustedReaders` from a stack's flat config (`<project>:trustedReaders`,
 * JSON text as Pulumi hands structured values over), validated: a bad entry
 * stops the check with every problem named, before anything is judged.
 */
import { TrustedReader, validateTrustedReaders } from "../../../../components/lib/trustedReaders";
import { formatProblems } from "../../../../components/lib/validate";
import { OFFLINE } from "./defaults";
import { InputError } from "../inputs/resources";

export function trustedReadersFromConfig(config: Record<string, string>, project: string = OFFLINE.project, source = "config"): TrustedReader[] {
    const key = [`${project}:trustedReaders`, `${OFFLINE.project}:trustedReaders`].find((k) => config[k] !== undefined);
    if (key === undefined) return [];
    let value: unknown;
    try {
        value = JSON.parse(config[key]);
    } catch {
        value = config[key];
    }
    const problems = validateTrustedReaders(value);
    if (problems.length > 0) throw new InputError(`${source}: ${key}: ${formatProblems(problems)}`);
    return value as TrustedReader[];
}
