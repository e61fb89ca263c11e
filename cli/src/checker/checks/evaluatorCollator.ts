/**
 * The IAM evaluator's case-insensitive string comparison, made fast with the
 * same result.
 *
 * @cloud-copilot/iam-policy (utils.js) compares with
 * `first.localeCompare(second, undefined, { sensitivity: "accent" })`, on every
 * condition of every statement of every decision (`isIfExists`,
 * `baseOperator`). With options, V8 builds a new ICU collator on each call:
 * profiled, a third of the evaluator's time (77 s of 226 s in the CSI
 * mutation suite). ECMA-402 defines that call as
 * `new Intl.Collator(undefined, options).compare(first, second)` (sec.
 * String.prototype.localeCompare: "Let collator be ? Construct(%Collator%,
 * « locales, options »)"), so one collator built once compares exactly as
 * it does. The library reads both helpers from its module's exports at each
 * call (`(0, utils_js_1.caseInsensitiveEndsWith)(...)`), so replacing them
 * there reaches every caller. tests/evaluatorCollator.test.ts checks that the
 * helpers are replaced and agree with localeCompare, non-ASCII included; if a
 * release moves them, nothing is replaced and that test fails.
 */
import * as path from "path";

const collator = new Intl.Collator(undefined, { sensitivity: "accent" });
const equals = (first: string, second: string): boolean => collator.compare(first, second) === 0;
const endsWith = (value: string, suffix: string): boolean => equals(value.slice(suffix.length * -1), suffix);

interface Helpers {
    caseInsensitiveEquals?: (first: string, second: string) => boolean;
    caseInsensitiveEndsWith?: (value: string, suffix: string) => boolean;
}

/** The library's utils module as iam-simulate loads it (the same module instance), or undefined if the layout differs. */
function libraryHelpers(): Helpers | undefined {
    try {
        const simulate = require.resolve("@cloud-copilot/iam-simulate");
        const policyEntry = require.resolve("@cloud-copilot/iam-policy", { paths: [path.dirname(simulate)] });
        return require(path.join(path.dirname(policyEntry), "utils.js")) as Helpers;
    } catch {
        return undefined;
    }
}

/** Replaces the library's helpers; true when both were found and replaced. */
export function useSharedCollator(): boolean {
    const helpers = libraryHelpers();
    if (typeof helpers?.caseInsensitiveEquals !== "function" || typeof helpers.caseInsensitiveEndsWith !== "function") return false;
    helpers.caseInsensitiveEquals = equals;
    helpers.caseInsensitiveEndsWith = endsWith;
    return true;
}

export const SHARED_COLLATOR_IN_USE = useSharedCollator();
