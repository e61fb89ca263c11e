/**
 * Is the stack's Region one of its partition's? The list is the AWS
 * provider's own `Region` enum (`@pulumi/aws/types/enums`, kept by the
 * provider's maintainers from the AWS SDK's endpoints), taken from the
 * program's own @pulumi/aws when it has one.
 */
import { createRequire } from "module";
import * as path from "path";

/** The partition a Region belongs to, from its prefix (AWS General Reference, "AWS partitions"). */
export function partitionOfRegion(region: string): string {
    if (region.startsWith("cn-")) return "aws-cn";
    if (region.startsWith("us-gov-")) return "aws-us-gov";
    if (region.startsWith("us-isob-")) return "aws-iso-b";
    // aws-iso-e and aws-iso-f: the AWS SDKs' partitions.json (us-isof- before the us-iso- prefix it shares).
    if (region.startsWith("eu-isoe-")) return "aws-iso-e";
    if (region.startsWith("us-isof-")) return "aws-iso-f";
    if (region.startsWith("us-iso-")) return "aws-iso";
    if (region.startsWith("eusc-")) return "aws-eusc";
    return "aws";
}

/** The provider's Regions, or undefined when no @pulumi/aws can be found. */
export function knownRegions(fromDir?: string): string[] | undefined {
    const requirers = [...(fromDir ? [createRequire(path.join(path.resolve(fromDir), "package.json"))] : []), require];
    for (const r of requirers) {
        try {
            // Values, once each: an enum may name one Region twice.
            return [...new Set(Object.values(r("@pulumi/aws/types/enums").Region as Record<string, string>))];
        } catch {
            // not installed there
        }
    }
    return undefined;
}

function distance(a: string, b: string): number {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    return d[a.length][b.length];
}

/** The closest of `candidates` to `word`, when it is close enough to be a typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const c of candidates) {
        const dist = distance(word, c);
        if (dist < bestDistance) [best, bestDistance] = [c, dist];
    }
    return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/**
 * A problem with the Region as the message of the entry `aws:region` (so it
 * does not repeat the key): `is \`x\` (<where>): ...`, with the fix;
 * undefined when it is fine or cannot be checked. `where` says where it came
 * from: `set in Pulumi.prod-eu.yaml`.
 */
export function regionProblem(region: string, where: string, partition: string, fromDir?: string): string | undefined {
    const regions = knownRegions(fromDir);
    if (regions === undefined) return undefined;
    if (!regions.includes(region)) {
        const near = closest(region, regions);
        // The count is of the Regions listed: the partition's own.
        const listed = regions.filter((r) => partitionOfRegion(r) === partition);
        return `is \`${region}\` (${where}): not an AWS Region${near ? `; did you mean \`${near}\`?` : ""} (the AWS provider's ${listed.length} Regions of the \`${partition}\` partition: ${listed.join(", ")})`;
    }
    if (partitionOfRegion(region) !== partition) {
        return `is \`${region}\` (${where}), a Region of the \`${partitionOfRegion(region)}\` partition, but the stack's ARNs are in \`${partition}\`: use a Region of \`${partition}\``;
    }
    return undefined;
}
