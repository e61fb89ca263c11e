/**
 * What the tenant bounds leave: the controller time one team's object may
 * still cost, measured on this machine.
 *
 * - Password: a faithful port of go-password v0.3.1 `Generator.Generate` with
 *   `allowRepeat: true` (sethvargo/go-password, password/generate.go): for each
 *   character, `randomElement` (crypto/rand `rand.Int`) then `randomInsert`,
 *   which returns `s[0:i] + val + s[i:]`: Go allocates a new string of
 *   len(s)+1 bytes and copies both halves (runtime concatstrings). A JavaScript
 *   `+` would build a rope and hide the copy, so the port allocates and copies
 *   a Uint8Array exactly as Go does.
 * - SSHKey: RSA key generation at the admitted sizes, with Node's OpenSSL
 *   (ESO uses Go's crypto/rsa, generators/v1/sshkey `generateRSAKey`; Go's is
 *   not faster, so these are lower bounds).
 *
 * Run: npx ts-node --transpile-only scripts/bench/tenantCost.ts [--quick]
 */
import * as crypto from "crypto";
import { FAKE_MAX_ENTRIES, PASSWORD_MAX_KEYS, PASSWORD_MAX_LENGTH, SSH_RSA_KEY_SIZES } from "../../components/lib/generatorBounds";
import { DEFAULT_TENANT_LIMITS } from "../../components/lib/externalSecretGuard";

const LOWER = "abcdefghijklmnopqrstuvwxyz";
const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS = "0123456789";
const SYMBOLS = "~!@#$%^&*()_+`-={}|[]\\:\"<>?,./";

/** go-password randomInsert: a new buffer of len(s)+1, both halves copied. */
function randomInsert(s: Uint8Array, val: number): Uint8Array {
    if (s.length === 0) return Uint8Array.of(val);
    const i = crypto.randomInt(s.length + 1);
    const out = new Uint8Array(s.length + 1);
    out.set(s.subarray(0, i), 0);
    out[i] = val;
    out.set(s.subarray(i), i + 1);
    return out;
}

/** go-password Generate(length, numDigits, numSymbols, noUpper=false, allowRepeat=true). */
export function generatePassword(length: number, numDigits: number, numSymbols: number): Uint8Array {
    const letters = LOWER + UPPER;
    let result: Uint8Array = new Uint8Array(0);
    const draw = (set: string, n: number) => {
        for (let i = 0; i < n; i++) result = randomInsert(result, set.charCodeAt(crypto.randomInt(set.length)));
    };
    draw(letters, length - numDigits - numSymbols);
    draw(DIGITS, numDigits);
    draw(SYMBOLS, numSymbols);
    return result;
}

function seconds(f: () => void, runs = 1): number {
    const start = process.hrtime.bigint();
    for (let i = 0; i < runs; i++) f();
    return Number(process.hrtime.bigint() - start) / 1e9 / runs;
}

function main() {
    const quick = process.argv.includes("--quick");
    const lines: string[] = [];
    // ESO's defaults: digits and symbols 25% each of the length (password.go extractPasswordConfig).
    const password = (n: number) => generatePassword(n, Math.floor(n * 0.25), Math.floor(n * 0.25));
    lines.push("Password (go-password v0.3.1 port, allowRepeat: true)");
    const sizes = quick ? [1024, 16384, 65536] : [1024, 16384, 65536, 131072, 262144];
    let fit = 0;
    for (const n of sizes) {
        const runs = n <= 1024 ? 200 : 1;
        const t = seconds(() => password(n), runs);
        fit = t / (n * n);
        lines.push(`  length ${String(n).padStart(7)}: ${(t * 1000).toFixed(3)} ms`);
    }
    for (const n of [1e6, 1e7, 1e8]) lines.push(`  length ${n.toExponential(0).padStart(7)}: ~${(fit * n * n).toFixed(0)} s (quadratic fit of the largest measured)`);
    const atBound = seconds(() => password(PASSWORD_MAX_LENGTH), 200);
    const perObject = atBound * PASSWORD_MAX_KEYS;
    lines.push(`  admitted maximum: length ${PASSWORD_MAX_LENGTH} x ${PASSWORD_MAX_KEYS} secretKeys = ${(perObject * 1000).toFixed(1)} ms per generator run`);

    lines.push("SSHKey (RSA, OpenSSL through Node; Go's crypto/rsa is not faster)");
    const rsa: Record<number, number> = {};
    for (const bits of [...SSH_RSA_KEY_SIZES, ...(quick ? [] : [8192])]) {
        const runs = bits >= 8192 ? 1 : quick ? 2 : 5;
        rsa[bits] = seconds(() => crypto.generateKeyPairSync("rsa", { modulusLength: bits }), runs);
        lines.push(`  ${bits} bits: ${(rsa[bits] * 1000).toFixed(0)} ms (mean of ${runs})${SSH_RSA_KEY_SIZES.includes(bits) ? "" : "  (refused)"}`);
    }

    const entries = DEFAULT_TENANT_LIMITS.maxGeneratorRefs;
    const floor = 60;
    const worst = Math.max(perObject, rsa[4096]);
    lines.push(`One ExternalSecret at the default bounds: ${entries} generatorRefs (maxGeneratorRefs), refreshInterval ${DEFAULT_TENANT_LIMITS.minRefreshInterval}`);
    lines.push(`  ${entries} x RSA-4096 SSHKeys: ${(entries * rsa[4096]).toFixed(1)} s of one worker per refresh, ${((entries * rsa[4096]) / floor * 100).toFixed(0)}% of a worker at the ${floor}s floor`);
    lines.push(`  ${entries} x maximal Passwords: ${(entries * perObject).toFixed(2)} s per refresh`);
    lines.push(`  objects of one team that fill one worker at the floor: ${Math.max(1, Math.ceil(floor / (entries * worst)))}`);
    lines.push(`Fake: at most ${FAKE_MAX_ENTRIES} x 65536 bytes into each template per generator.`);
    console.log(lines.join("\n"));
}

if (require.main === module) main();
