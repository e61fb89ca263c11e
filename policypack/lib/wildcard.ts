/**
 * IAM's wildcard match: `*` any run of characters, `?` exactly one,
 * case-insensitive (as IAM compares action names). The classic two-pointer
 * glob matcher with one backtrack point: O(pattern x value) in the worst case
 * and linear for the inputs IAM allows, where a regular expression built from
 * the pattern (`.*.*.*...X`) backtracks exponentially.
 */
export function wildcardMatch(pattern: string, value: string): boolean {
    const p = pattern.toLowerCase();
    const v = value.toLowerCase();
    let pi = 0;
    let vi = 0;
    let star = -1;
    let mark = 0;
    while (vi < v.length) {
        if (pi < p.length && (p[pi] === "?" || (p[pi] === v[vi] && p[pi] !== "*"))) {
            pi++;
            vi++;
        } else if (pi < p.length && p[pi] === "*") {
            star = pi++;
            mark = vi;
        } else if (star >= 0) {
            pi = star + 1;
            vi = ++mark;
        } else {
            return false;
        }
    }
    while (pi < p.length && p[pi] === "*") pi++;
    return pi === p.length;
}
