/**
 * Bounds on the generators a team may create without an administrator's
 * allow. They need no credentials and no network, but each runs in the
 * shared controller on every refresh of every ExternalSecret that names it,
 * and some cost grows without limit in a field of their spec (ESO v2.9.0):
 *
 * - Password: go-password v0.3.1 `Generator.Generate` builds the string with
 *   `randomInsert` (`s[0:i] + val + s[i:]`, password/generate.go), a copy per
 *   character: quadratic in `length`; `chars = length - digits - symbols`, so
 *   a negative `digits` lengthens it; with `allowRepeat: false` a character
 *   already present is drawn again (`i--`), so `symbolCharacters` with a
 *   repeated or letter/digit character never finishes; ESO generates one
 *   password per `secretKeys` entry (generators/v1/password/password.go
 *   `generatePasswords`). The CRD sets no maximum.
 * - SSHKey: `rsa.GenerateKey(rand.Reader, keySize)` (generators/v1/sshkey
 *   `generateRSAKey`); the CRD admits 256 to 8192 bits, and RSA key
 *   generation time grows with about the fourth power of the size.
 * - MFA: `fmt.Sprintf("%0<length>d")` (generators/v1/mfa/otp.go
 *   `generateCode`): a string of `length` characters, up to fmt's 10^6.
 * - Fake: returns `spec.data` as the generated values (generators/v1/fake),
 *   which then feed the templates: capped at what one Secrets Manager value
 *   may hold (65,536 bytes).
 * - UUID: reads no field of its spec (generators/v1/uuid `generate`): constant.
 */
import { Validation } from "./manifests";

export const PASSWORD_MAX_LENGTH = 1024;
export const PASSWORD_MAX_KEYS = 16;
/** go-password's default symbols (password/generate.go `Symbols`), the only ones admitted in `symbolCharacters`. */
export const PASSWORD_SYMBOLS = "~!@#$%^&*()_+`-={}|[]\\:\"<>?,./";
export const SSH_RSA_KEY_SIZES = [2048, 3072, 4096];
export const SSH_MAX_COMMENT = 1024;
export const MFA_MAX_LENGTH = 10;
export const FAKE_MAX_ENTRIES = 64;
export const FAKE_MAX_VALUE = 65536;

/** A character class holding `c` alone, written the same for RE2 and JavaScript. */
const cls = (c: string) => `[${"\\]^-".includes(c) ? "\\" + c : c}]`;
const lit = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

const isResource = (plural: string) => `request.resource.resource == '${plural}'`;
const rule = (plural: string, expression: string, message: string): Validation => ({ expression: `!(${isResource(plural)}) || (${expression})`, message });
const S = "object.spec";
const optional = (field: string, check: string) => `!has(${S}.${field}) || (${check})`;

/** CEL rules bounding the generators every team may create; each is true when the object is admitted. */
export function generatorBoundValidations(): Validation[] {
    const inClass = [...PASSWORD_SYMBOLS].map((c) => ("\\]^-".includes(c) ? "\\" + c : c)).join("");
    const symbolSet = `^[${inClass}]{0,${PASSWORD_SYMBOLS.length}}$`;
    const repeated = [...PASSWORD_SYMBOLS].map((c) => `${cls(c)}.*${cls(c)}`).join("|");
    const all = (...checks: string[]) => checks.map((c) => `(${c})`).join(" && ");
    return [
        rule(
            "passwords",
            all(
                optional("length", `${S}.length <= ${PASSWORD_MAX_LENGTH}`),
                optional("digits", `${S}.digits >= 0 && ${S}.digits <= ${PASSWORD_MAX_LENGTH}`),
                optional("symbols", `${S}.symbols >= 0 && ${S}.symbols <= ${PASSWORD_MAX_LENGTH}`),
                optional("secretKeys", `size(${S}.secretKeys) <= ${PASSWORD_MAX_KEYS}`),
            ),
            `A Password may have length up to ${PASSWORD_MAX_LENGTH}, digits and symbols from 0 to ${PASSWORD_MAX_LENGTH}, and at most ${PASSWORD_MAX_KEYS} secretKeys: ` +
                "go-password v0.3.1 copies the whole string for each character it inserts (randomInsert), so the shared controller's time grows with the square of the length.",
        ),
        rule(
            "passwords",
            optional(
                "symbolCharacters",
                `${S}.symbolCharacters.matches(${lit(symbolSet)}) && ((has(${S}.allowRepeat) && ${S}.allowRepeat) || !${S}.symbolCharacters.matches(${lit(repeated)}))`,
            ),
            `A Password's symbolCharacters may hold only go-password's symbols (${PASSWORD_SYMBOLS}), each once unless allowRepeat is true: ` +
                "with allowRepeat false, go-password draws again while the character is already in the password, and a repeated symbol or a letter never lets it finish.",
        ),
        rule(
            "sshkeys",
            `!has(${S}.keySize) || (has(${S}.keyType) && ${S}.keyType != 'rsa') || ${S}.keySize in [${SSH_RSA_KEY_SIZES.join(", ")}]`,
            `An RSA SSHKey's keySize must be one of ${SSH_RSA_KEY_SIZES.join(", ")}: the CRD admits up to 8192, and generating an RSA key takes the shared controller about 16 times longer each time the size doubles.`,
        ),
        rule("sshkeys", optional("comment", `size(${S}.comment) <= ${SSH_MAX_COMMENT}`), `An SSHKey's comment may have at most ${SSH_MAX_COMMENT} characters.`),
        rule(
            "mfas",
            optional("length", `${S}.length <= ${MFA_MAX_LENGTH}`),
            `An MFA's length may be at most ${MFA_MAX_LENGTH}: ESO pads the code to that many digits (otp.go generateCode), up to a megabyte per refresh.`,
        ),
        rule(
            "fakes",
            optional("data", `size(${S}.data) <= ${FAKE_MAX_ENTRIES} && ${S}.data.all(k, size(${S}.data[k]) <= ${FAKE_MAX_VALUE})`),
            `A Fake may hold at most ${FAKE_MAX_ENTRIES} values of at most ${FAKE_MAX_VALUE} characters, as much as a Secrets Manager value: its data feeds the templates of every ExternalSecret that names it.`,
        ),
    ];
}
