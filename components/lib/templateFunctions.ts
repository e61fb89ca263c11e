/**
 * What an ExternalSecret template may call. ESO v2.9.0 runs every template
 * with Go's text/template in the controller, with no execution limit
 * (`runtime/template/v2/template.go` `execute`: `tpl.New(k).Funcs(tplFuncs)
 * .Parse(val)` then `t.Execute`), on the only ExternalSecret worker by default.
 * Its function map is ESO's own (`tplFuncs` in template.go) plus the vendored
 * sprig map (`runtime/template/v2/sprig/functions.go` `genericMap`); Go adds
 * its builtins and keywords (text/template `builtins()`, parse/lex.go).
 *
 * Every name below is classified; tests/templateBounds.test.ts holds the list
 * read from the v2.9.0 source and fails when a name is missing here.
 *
 * - `linear`: output and time grow with the size of the arguments only.
 * - `loop`: repeats work a number of times the template chooses
 *   (`range` over an integer since Go 1.24, golang/go#66107; ESO builds with
 *   Go 1.26, go.mod), or recurses (`template`, at most 100000 deep, twice per
 *   call is 2^100000).
 * - `rebind`: `with` and variables let a pipeline feed on its own output:
 *   `{{ $a := print .x .x }}{{ $b := print $a $a }}` doubles each step,
 *   so 40 short actions reach a terabyte.
 * - `size`: an integer argument sets the size of the output
 *   (`repeat 2000000000 "x"`, `randBytes`, `indent`).
 * - `multiply`: output is the product of two argument sizes
 *   (`replace "" big .x`, `join big (splitList "" .x)`, `wrapWith 1 big .x`).
 * - `quadratic`: time is the square of a list the data can make long.
 * - `crypto`: milliseconds to seconds per call (key generation, bcrypt,
 *   scrypt, PKCS#12 key derivation whose iteration count the PFX sets).
 * - `widthFormat`: `printf`, admitted when its format is a literal with no
 *   width or precision (Go's fmt caps a width at 10^6, `fmt/print.go`
 *   `tooLarge`: a megabyte per call).
 * - `smallInt`: `indent`/`nindent`, admitted with a literal of at most two digits.
 */

export type TemplateFunctionClass = "linear" | "loop" | "rebind" | "size" | "multiply" | "quadratic" | "crypto" | "widthFormat" | "smallInt";

const classes: Record<Exclude<TemplateFunctionClass, "linear">, string[]> = {
    loop: ["range", "template", "define", "block", "until", "untilStep", "seq"],
    rebind: ["with", "variables"],
    size: ["repeat", "randAlphaNum", "randAlpha", "randAscii", "randNumeric", "randBytes"],
    multiply: ["replace", "join", "wrapWith", "regexReplaceAll", "mustRegexReplaceAll", "regexReplaceAllLiteral", "mustRegexReplaceAllLiteral", "toPrettyJson", "mustToPrettyJson", "toYaml"],
    quadratic: ["uniq", "mustUniq", "without", "mustWithout"],
    crypto: [
        "genPrivateKey",
        "genCA",
        "genCAWithKey",
        "genSelfSignedCert",
        "genSelfSignedCertWithKey",
        "genSignedCert",
        "genSignedCertWithKey",
        "derivePassword",
        "bcrypt",
        "htpasswd",
        "rsaDecrypt",
        "pkcs12key",
        "pkcs12keyPass",
        "pkcs12cert",
        "pkcs12certPass",
        "pemToPkcs12",
        "pemToPkcs12Pass",
        "fullPemToPkcs12",
        "fullPemToPkcs12Pass",
        "pemTruststoreToPKCS12",
        "pemTruststoreToPKCS12Pass",
    ],
    widthFormat: ["printf"],
    smallInt: ["indent", "nindent"],
};

/** Why each class is refused, for the admission message. */
export const TEMPLATE_CLASS_COST: Readonly<Record<TemplateFunctionClass, string>> = {
    linear: "grows with its arguments only",
    loop: "repeats or recurses as often as the template says",
    rebind: "feeds a pipeline its own output, doubling it per action",
    size: "makes an output as large as an integer argument",
    multiply: "multiplies the sizes of two arguments",
    quadratic: "takes time quadratic in a list the data can make long",
    crypto: "costs milliseconds to seconds per call",
    widthFormat: "pads up to a megabyte per call when its format has a width",
    smallInt: "pads every line with as many spaces as its integer argument",
};

/** The names of every function and keyword of ESO v2.9.0 templates that is not `linear`. */
export const COSTLY_TEMPLATE_NAMES: ReadonlyArray<{ name: string; class: TemplateFunctionClass }> = Object.entries(classes).flatMap(([cls, names]) =>
    names.map((name) => ({ name, class: cls as TemplateFunctionClass })),
);

/** Names of the linear functions and keywords: admitted in every template. */
export const LINEAR_TEMPLATE_NAMES: ReadonlyArray<string> = [
    // Go text/template builtins (funcs.go builtins) and keywords (parse/lex.go), `printf` aside.
    "and", "call", "html", "index", "slice", "js", "len", "not", "or", "print", "println", "urlquery", "eq", "ge", "gt", "le", "lt", "ne",
    "if", "else", "end", "nil", "break", "continue",
    // ESO's tplFuncs (runtime/template/v2/template.go) not listed as costly.
    "filterPEM", "filterCertChain", "certSANs", "jwkPublicKeyPem", "jwkPrivateKeyPem", "fromYaml",
    // sprig genericMap (runtime/template/v2/sprig/functions.go) not listed as costly.
    "hello", "ago", "date", "date_in_zone", "date_modify", "dateInZone", "dateModify", "duration", "durationRound", "htmlDate", "htmlDateInZone",
    "must_date_modify", "mustDateModify", "mustToDate", "now", "toDate", "unixEpoch", "abbrev", "abbrevboth", "trunc", "trim", "upper", "lower",
    "title", "untitle", "substr", "trimall", "trimAll", "trimSuffix", "trimPrefix", "nospace", "initials", "swapcase", "shuffle", "snakecase",
    "camelcase", "kebabcase", "wrap", "contains", "hasPrefix", "hasSuffix", "quote", "squote", "cat", "plural", "sha1sum", "sha256sum",
    "sha512sum", "adler32sum", "toString", "atoi", "int64", "int", "float64", "toDecimal", "split", "splitList", "splitn", "toStrings", "add1",
    "add", "sub", "div", "mod", "mul", "randInt", "add1f", "addf", "subf", "divf", "mulf", "biggest", "max", "min", "maxf", "minf", "ceil",
    "floor", "round", "sortAlpha", "default", "empty", "coalesce", "all", "any", "compact", "mustCompact", "fromJson", "toJson", "toRawJson",
    "mustFromJson", "mustToJson", "mustToRawJson", "ternary", "deepCopy", "mustDeepCopy", "typeOf", "typeIs", "typeIsLike", "kindOf", "kindIs",
    "deepEqual", "base", "dir", "clean", "ext", "isAbs", "osBase", "osClean", "osDir", "osExt", "osIsAbs", "b64enc", "b64dec", "b32enc",
    "b32dec", "hexdec", "tuple", "list", "dict", "get", "set", "unset", "hasKey", "pluck", "keys", "pick", "omit", "merge", "mergeOverwrite",
    "mustMerge", "mustMergeOverwrite", "values", "append", "push", "mustAppend", "mustPush", "prepend", "mustPrepend", "first", "mustFirst",
    "rest", "mustRest", "last", "mustLast", "initial", "mustInitial", "reverse", "mustReverse", "has", "mustHas", "mustSlice", "concat", "dig",
    "chunk", "mustChunk", "buildCustomCert", "encryptAES", "decryptAES", "uuidv4", "semver", "semverCompare", "fail", "regexMatch",
    "mustRegexMatch", "regexFindAll", "mustRegexFindAll", "regexFind", "mustRegexFind", "regexSplit", "mustRegexSplit", "regexQuoteMeta",
    "urlParse", "urlJoin",
];

/** Every name an `allowedTemplateFunctions` entry may give. */
export const ALLOWABLE_TEMPLATE_NAMES: ReadonlyArray<string> = COSTLY_TEMPLATE_NAMES.map((n) => n.name);

const word = (names: string[]) => `\\b(${names.join("|")})\\b`;

/**
 * RE2 patterns (also valid JavaScript) that find a refused use in one
 * template, anywhere after its first `{{` (ESO's default delimiter; the
 * delimiter flags are refused in `extraArgs`). Text before the first `{{`
 * is never an action. A name inside a string literal is refused too: a
 * false refusal, never a false admission.
 */
export function refusedTemplatePatterns(allowed: ReadonlyArray<string>): string[] {
    const refused = (cls: TemplateFunctionClass) => classes[cls as Exclude<TemplateFunctionClass, "linear">].filter((n) => !allowed.includes(n) && n !== "variables");
    const plain = [...refused("loop"), ...refused("rebind"), ...refused("size"), ...refused("multiply"), ...refused("quadratic"), ...refused("crypto")];
    const open = "\\{\\{[\\s\\S]*";
    const patterns: string[] = [];
    if (plain.length > 0) patterns.push(open + word(plain));
    // `$x :=` or `$x =`: a variable declared or assigned.
    if (!allowed.includes("variables")) patterns.push(open + "\\$[A-Za-z0-9_]*\\s*:?=");
    // printf whose format is not a double-quoted literal, or whose literal has a width, precision, `*` or an argument index.
    if (!allowed.includes("printf")) {
        patterns.push(open + '\\bprintf\\b\\s*([^\\s"]|$|"([^"\\\\%]|\\\\.|%[-+# 0]*[a-zA-Z%])*%[-+# 0]*[0-9*.\\[])');
    }
    // indent/nindent not followed by a literal of one or two digits.
    const ints = ["indent", "nindent"].filter((n) => !allowed.includes(n));
    if (ints.length > 0) patterns.push(open + `\\b(${ints.join("|")})\\b\\s*([^\\s0-9]|$|[0-9]{3})`);
    return patterns;
}
