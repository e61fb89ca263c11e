/**
 * What one team can make the shared controller do per object, bounded by the
 * shipped admission policies: each bound refuses the attack read in the ESO
 * v2.9.0 source (cited per case) and admits a near miss. Objects are built
 * from the CRDs of the released chart and validated against them (closed);
 * the policies are the ones the component declares, evaluated with the CEL
 * engine as the API server selects them.
 */
import * as assert from "assert";
import {
    COSTLY_TEMPLATE_NAMES,
    EksSecretsAbac,
    EksSecretsAbacArgs,
    externalSecretGuardValidations,
    LINEAR_TEMPLATE_NAMES,
    matchesCost,
    refusedTemplatePatterns,
    resolveTenantLimits,
    tenantLimitsProblems,
    validateArgs,
    Validation,
} from "../components";
import { CrdInfo, crdObject, crdsOf, refusedBy, schemaErrors } from "./crdObjects";
import { helmTemplate } from "./helm";
import { runOffline, twoTeamArgs } from "./helpers";

/**
 * Names of the v2.9.0 template function map, read from the source (not from
 * the code under test): `tplFuncs` in runtime/template/v2/template.go, the
 * keys of `genericMap` in runtime/template/v2/sprig/functions.go, Go's
 * text/template builtins (funcs.go `builtins`) and keywords (parse/lex.go `key`).
 */
const ESO_TPL_FUNCS = "pkcs12key pkcs12keyPass pkcs12cert pkcs12certPass pemToPkcs12 pemToPkcs12Pass fullPemToPkcs12 fullPemToPkcs12Pass pemTruststoreToPKCS12 pemTruststoreToPKCS12Pass filterPEM filterCertChain certSANs jwkPublicKeyPem jwkPrivateKeyPem toYaml fromYaml rsaDecrypt";
const SPRIG_GENERIC_MAP =
    "hello ago date date_in_zone date_modify dateInZone dateModify duration durationRound htmlDate htmlDateInZone must_date_modify mustDateModify mustToDate now toDate unixEpoch abbrev abbrevboth trunc trim upper lower title untitle substr repeat trimall trimAll trimSuffix trimPrefix nospace initials randAlphaNum randAlpha randAscii randNumeric swapcase shuffle snakecase camelcase kebabcase wrap wrapWith contains hasPrefix hasSuffix quote squote cat indent nindent replace plural sha1sum sha256sum sha512sum adler32sum toString atoi int64 int float64 seq toDecimal split splitList splitn toStrings until untilStep add1 add sub div mod mul randInt add1f addf subf divf mulf biggest max min maxf minf ceil floor round join sortAlpha default empty coalesce all any compact mustCompact fromJson toJson toPrettyJson toRawJson mustFromJson mustToJson mustToPrettyJson mustToRawJson ternary deepCopy mustDeepCopy typeOf typeIs typeIsLike kindOf kindIs deepEqual base dir clean ext isAbs osBase osClean osDir osExt osIsAbs b64enc b64dec b32enc b32dec hexdec tuple list dict get set unset hasKey pluck keys pick omit merge mergeOverwrite mustMerge mustMergeOverwrite values append push mustAppend mustPush prepend mustPrepend first mustFirst rest mustRest last mustLast initial mustInitial reverse mustReverse uniq mustUniq without mustWithout has mustHas slice mustSlice concat dig chunk mustChunk bcrypt htpasswd genPrivateKey derivePassword buildCustomCert genCA genCAWithKey genSelfSignedCert genSelfSignedCertWithKey genSignedCert genSignedCertWithKey encryptAES decryptAES randBytes uuidv4 semver semverCompare fail regexMatch mustRegexMatch regexFindAll mustRegexFindAll regexFind mustRegexFind regexReplaceAll mustRegexReplaceAll regexReplaceAllLiteral mustRegexReplaceAllLiteral regexSplit mustRegexSplit regexQuoteMeta urlParse urlJoin";
const GO_BUILTINS = "and call html index slice js len not or print printf println urlquery eq ge gt le lt ne";
const GO_KEYWORDS = "block break continue define else end if range nil template with";

const words = (s: string) => s.split(/\s+/).filter((w) => w !== "");

describe("template functions: every name ESO v2.9.0 templates can call is classified", () => {
    it("classifies each function and keyword of the function map exactly once (an unclassified one fails here)", () => {
        const costly = COSTLY_TEMPLATE_NAMES.map((n) => n.name);
        const all = new Set([...words(ESO_TPL_FUNCS), ...words(SPRIG_GENERIC_MAP), ...words(GO_BUILTINS), ...words(GO_KEYWORDS)]);
        const unclassified = [...all].filter((n) => !costly.includes(n) && !LINEAR_TEMPLATE_NAMES.includes(n));
        assert.deepStrictEqual(unclassified, []);
        assert.deepStrictEqual(costly.filter((n) => LINEAR_TEMPLATE_NAMES.includes(n)), []);
        // Only the pseudo-name for `$x :=` is not a name of the map.
        assert.deepStrictEqual([...costly, ...LINEAR_TEMPLATE_NAMES].filter((n) => !all.has(n)), ["variables"]);
    });

    it("keeps the policy under the API server's per-call CEL cost (1,000,000) at the largest template size validation admits", () => {
        const regexes = refusedTemplatePatterns([]);
        const problems = (n: number) => tenantLimitsProblems({ maxTemplateBytes: n });
        let largest = 1;
        while (problems(largest * 2).length === 0) largest *= 2;
        assert.deepStrictEqual(problems(largest), []);
        const cost = regexes.reduce((sum, re) => sum + matchesCost(largest, re.length), 0);
        assert.ok(cost < 1_000_000, `matches() alone costs ${cost} at ${largest} characters`);
    });
});




interface Policy {
    rules: { apiGroups: string[]; resources: string[]; operations: string[] }[];
    validations: Validation[];
}

async function shipped(args: EksSecretsAbacArgs) {
    const run = await runOffline(() => new EksSecretsAbac("prod", args));
    const release = run.one("kubernetes:helm.sh/v3:Release").inputs;
    const crds = crdsOf((await helmTemplate(release.name ?? "eso", release.namespace, release.values)).objects);
    const policies: Policy[] = run.ofType("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy").map((p) => ({
        rules: p.inputs.spec.matchConstraints.resourceRules,
        validations: p.inputs.spec.validations,
    }));
    const declared = run.ofType("kubernetes:external-secrets.io/v1:ExternalSecret").map((r) => r.inputs);
    return { crds, policies, declared };
}

/** Refusal messages of the shipped policies for a schema-valid object of `kind`. */
function judge(world: { crds: Map<string, CrdInfo>; policies: Policy[] }, kind: string, spec: Record<string, unknown>): string[] {
    const crd = world.crds.get(kind);
    assert.ok(crd, `the chart installs no ${kind}`);
    const object = crdObject(crd, "search", spec);
    assert.deepStrictEqual(schemaErrors(crd, object), [], `${kind} ${JSON.stringify(spec).slice(0, 200)} is not valid against the CRD`);
    const rules = world.policies
        .filter((p) => p.rules.some((r) => r.apiGroups.includes(crd.group) && (r.resources.includes(crd.plural) || r.resources.includes("*"))))
        .flatMap((p) => p.validations);
    return refusedBy(rules, crd, object);
}

const tpl = (data: Record<string, string>) => ({ target: { template: { data } } });

describe("the ExternalSecret guard's CEL", () => {
    it("uses only functions of the API server's CEL environment (Kubernetes >= 1.30)", () => {
        // Core CEL: has, size, duration, matches and the macros all/map/filter; join: ext strings v2 in the base environment since 1.29 (k8s.io/apiserver/pkg/cel/environment/base.go).
        const allowed = new Set(["has", "size", "duration", "matches", "all", "map", "filter", "join"]);
        const rules = externalSecretGuardValidations(resolveTenantLimits(undefined));
        for (const rule of rules) {
            const code = rule.expression.replace(/'(\\.|[^'\\])*'/g, "''");
            for (const [, fn] of code.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\(/g)) assert.ok(allowed.has(fn), `${fn}() in ${rule.expression.slice(0, 200)}`);
        }
    });
});

describe("bounds of the shipped policies, default tenant limits", function () {
    this.timeout(120_000);
    let world: Awaited<ReturnType<typeof shipped>>;
    const refused = (kind: string, spec: Record<string, unknown>) => assert.ok(judge(world, kind, spec).length > 0, `${kind} ${JSON.stringify(spec).slice(0, 200)} was admitted`);
    const admitted = (kind: string, spec: Record<string, unknown>) => assert.deepStrictEqual(judge(world, kind, spec), [], `${kind} ${JSON.stringify(spec).slice(0, 200)}`);

    before(async () => {
        world = await shipped(twoTeamArgs());
    });

    it("admits every ExternalSecret the stack itself declares", () => {
        assert.ok(world.declared.length > 0);
        for (const es of world.declared) admitted("ExternalSecret", es.spec);
    });

    it("refreshInterval: refuses 1s and 59s (a RequeueAfter the rate limiter does not slow, getRequeueResult), admits 1m, 1h0m0s and 0 (never)", () => {
        for (const r of ["1s", "59s", "500ms", "0.5h", "-1h", ""]) refused("ExternalSecret", { refreshInterval: r });
        for (const r of ["1m", "60s", "1h0m0s", "0"]) admitted("ExternalSecret", { refreshInterval: r });
    });

    it("data + dataFrom: refuses 65 entries (one provider call or generator run each per refresh), admits 64", () => {
        const data = (n: number) => Array.from({ length: n }, (_, i) => ({ secretKey: `k${i}`, remoteRef: { key: `search/s${i}` } }));
        refused("ExternalSecret", { data: data(65) });
        admitted("ExternalSecret", { data: data(64) });
        refused("ExternalSecret", { data: data(60), dataFrom: Array.from({ length: 5 }, () => ({ extract: { key: "search/all" } })) });
    });

    it("generatorRef entries: refuses 5 (each generator runs on every refresh, generators/v1/*), admits 4", () => {
        const gen = (n: number) => Array.from({ length: n }, () => ({ sourceRef: { generatorRef: { apiVersion: "generators.external-secrets.io/v1alpha1", kind: "SSHKey", name: "key" } } }));
        refused("ExternalSecret", { dataFrom: gen(5) });
        refused("ExternalSecret", { dataFrom: gen(3), data: [1, 2].map((i) => ({ secretKey: `k${i}`, sourceRef: { generatorRef: { kind: "Password", name: "p" } }, remoteRef: { key: "x" } })) });
        admitted("ExternalSecret", { dataFrom: gen(4), data: [{ secretKey: "k", remoteRef: { key: "search/s" } }] });
    });

    it("templates: refuses the issue's loops, repeats and key generation (text/template, no execution limit), admits plain pipelines", () => {
        refused("ExternalSecret", tpl({ k: '{{ range until 100000 }}{{ genPrivateKey "rsa" }}{{ end }}' }));
        refused("ExternalSecret", tpl({ k: '{{ repeat 2000000000 "x" }}' }));
        refused("ExternalSecret", tpl({ k: "{{ range 1000000000 }}x{{ end }}" })); // range over an int, Go >= 1.24
        refused("ExternalSecret", tpl({ k: '{{ define "a" }}{{ template "a" . }}{{ template "a" . }}{{ end }}{{ template "a" . }}' }));
        refused("ExternalSecret", tpl({ k: "{{ $a := print .x .x }}{{ $b := print $a $a }}{{ $b }}" }));
        refused("ExternalSecret", tpl({ k: "{{ with print .x .x }}{{ print . . }}{{ end }}" }));
        refused("ExternalSecret", tpl({ k: '{{ replace "" .big .x }}' }));
        refused("ExternalSecret", tpl({ k: '{{- "}}" -}}{{ bcrypt .x }}' }));
        admitted("ExternalSecret", tpl({ k: "{{ .password }}", u: "{{ .user | upper }}:{{ .config | fromJson | toJson | b64enc }}" }));
        // Near miss: the same words outside any action, before the first {{.
        admitted("ExternalSecret", tpl({ k: "repeat until range with {{ .password }}" }));
    });

    it("templates: printf only with a literal format without width or precision; indent with at most two digits", () => {
        admitted("ExternalSecret", tpl({ k: '{{ printf "%s:%s" .user .password }}', j: '{{ .x | printf "%q" }}' }));
        for (const f of ['{{ printf "%0999999d" 1 }}', '{{ printf "%*d" 999999 1 }}', '{{ printf "%.999999f" 1.0 }}', "{{ printf .format 1 }}", '{{ printf "%[1]*d" 9 1 }}']) {
            refused("ExternalSecret", tpl({ k: f }));
        }
        admitted("ExternalSecret", tpl({ k: "{{ .cert | nindent 4 }}", j: "{{ indent 12 .key }}" }));
        for (const f of ["{{ .cert | nindent 100 }}", "{{ indent .n .key }}", "{{ nindent 1000000000 .x }}"]) refused("ExternalSecret", tpl({ k: f }));
    });

    it("templates: the same rules for templateFrom literals, template labels and annotations, and dataFrom rewrite templates", () => {
        refused("ExternalSecret", { target: { template: { templateFrom: [{ literal: '{{ repeat 9 "x" }}' }] } } });
        admitted("ExternalSecret", { target: { template: { templateFrom: [{ literal: "password: {{ .password }}" }] } } });
        refused("ExternalSecret", { target: { template: { metadata: { annotations: { a: "{{ until 9 }}" } } } } });
        refused("ExternalSecret", { dataFrom: [{ extract: { key: "search/all" }, rewrite: [{ transform: { template: "{{ seq 100000000 }}" } }] }] });
        admitted("ExternalSecret", { dataFrom: [{ extract: { key: "search/all" }, rewrite: [{ transform: { template: "app-{{ .value }}" } }] }] });
    });

    it("templates: refuses more than 16384 characters in all, admits exactly 16384", () => {
        refused("ExternalSecret", tpl({ a: "x".repeat(10000), b: "y".repeat(6384) }));
        admitted("ExternalSecret", tpl({ a: "x".repeat(10000), b: "y".repeat(6383) }));
    });

    it("templateFrom: refuses a ConfigMap or Secret (read at reconcile time, out of sight of admission)", () => {
        refused("ExternalSecret", { target: { template: { templateFrom: [{ configMap: { name: "tpl", items: [{ key: "t" }] } }] } } });
        refused("ExternalSecret", { target: { template: { templateFrom: [{ secret: { name: "tpl", items: [{ key: "t" }] } }] } } });
    });

    it("Password: refuses length 10^8 with allowRepeat (randomInsert, quadratic), negative digits, 17 secretKeys; admits length 1024 and 16 keys", () => {
        refused(`Password`, { length: 100_000_000, allowRepeat: true });
        refused("Password", { length: 1025, allowRepeat: true });
        refused("Password", { length: 24, digits: -100_000_000, allowRepeat: true });
        refused("Password", { length: 24, symbols: -1 });
        refused("Password", { length: 24, secretKeys: Array.from({ length: 17 }, (_, i) => `k${i}`) });
        admitted("Password", { length: 1024, allowRepeat: true });
        admitted("Password", { length: 24, digits: 4, symbols: 4, secretKeys: Array.from({ length: 16 }, (_, i) => `k${i}`) });
    });

    it("Password: refuses symbolCharacters that never let a no-repeat password finish (a repeated symbol, a letter), admits a subset of the symbols", () => {
        refused("Password", { length: 24, symbols: 2, symbolCharacters: "!!" });
        refused("Password", { length: 53, digits: 0, symbols: 1, symbolCharacters: "a" });
        refused("Password", { length: 24, symbolCharacters: "é" });
        admitted("Password", { length: 24, symbols: 2, symbolCharacters: "!!", allowRepeat: true });
        admitted("Password", { length: 24, symbols: 2, symbolCharacters: "-_" });
        admitted("Password", { length: 24, symbols: 4, symbolCharacters: "\\]^-" });
    });

    it("SSHKey: refuses RSA 8192 and 1024, admits RSA 2048/3072/4096 and any ECDSA or ed25519 size (the generator falls back to P-256)", () => {
        refused("SSHKey", { keyType: "rsa", keySize: 8192 });
        refused("SSHKey", { keyType: "rsa", keySize: 1024 });
        for (const keySize of [2048, 3072, 4096]) admitted("SSHKey", { keyType: "rsa", keySize });
        admitted("SSHKey", { keyType: "ecdsa", keySize: 8192 });
        admitted("SSHKey", { keyType: "ed25519", keySize: 8192 });
    });

    it("MFA: refuses length 11 and 10^6 (zero-padded by Sprintf), admits 10; Fake: refuses a value over 65536, admits 65536", () => {
        refused("MFA", { length: 1_000_000 });
        refused("MFA", { length: 11 });
        admitted("MFA", { length: 10 });
        refused("Fake", { data: { big: "x".repeat(65537) } });
        admitted("Fake", { data: { big: "x".repeat(65536) } });
        refused("Fake", { data: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, "v"])) });
    });

    it("UUID reads no field of its spec, so it needs no bound: its CRD spec declares none", () => {
        assert.deepStrictEqual(Object.keys(world.crds.get("UUID")!.schema.properties?.spec?.properties ?? {}), []);
    });
});

describe("bounds an administrator loosened", function () {
    this.timeout(120_000);
    let world: Awaited<ReturnType<typeof shipped>>;
    before(async () => {
        world = await shipped(
            twoTeamArgs({
                allowNamespacedSecretStores: true,
                tenantLimits: { minRefreshInterval: "10s", allowedTemplateFunctions: ["range", "variables"], allowTemplateFrom: true, maxDataEntries: 2 },
            }),
        );
    });

    it("admits what was allowed and nothing more", () => {
        assert.deepStrictEqual(judge(world, "ExternalSecret", { refreshInterval: "10s" }), []);
        assert.ok(judge(world, "ExternalSecret", { refreshInterval: "9s" }).length > 0);
        assert.deepStrictEqual(judge(world, "ExternalSecret", tpl({ k: "{{ range $k, $v := . }}{{ $k }}={{ $v }}\n{{ end }}" })), []);
        assert.ok(judge(world, "ExternalSecret", tpl({ k: "{{ range until 9 }}x{{ end }}" })).length > 0);
        assert.deepStrictEqual(judge(world, "ExternalSecret", { target: { template: { templateFrom: [{ configMap: { name: "tpl", items: [{ key: "t" }] } }] } } }), []);
        assert.ok(judge(world, "ExternalSecret", { data: [1, 2, 3].map((i) => ({ secretKey: `k${i}`, remoteRef: { key: "k" } })) }).length > 0);
    });

    it("a namespaced SecretStore's refreshInterval has the same floor, in seconds; 0 (the controller's default) stays admitted", () => {
        const auth = { secretRef: { accessKeyIDSecretRef: { name: "aws", key: "id" }, secretAccessKeySecretRef: { name: "aws", key: "secret" } } };
        const store = (refreshInterval: number) => ({ refreshInterval, provider: { aws: { service: "SecretsManager", region: "eu-west-1", role: "arn:aws:iam::111122223333:role/search-own", auth } } });
        assert.ok(judge(world, "SecretStore", store(1)).length > 0);
        assert.deepStrictEqual(judge(world, "SecretStore", store(10)), []);
        assert.deepStrictEqual(judge(world, "SecretStore", store(0)), []);
    });
});

describe("tenantLimits validation", () => {
    it("names every wrong field with the fix, all at once", () => {
        const problems = tenantLimitsProblems({ minRefreshInterval: "1.5m", maxTemplateBytes: 10_000_000, allowedTemplateFunctions: ["range", "upper"], color: 1 });
        assert.deepStrictEqual(
            problems.map((p) => p.path),
            ["tenantLimits.color", "tenantLimits.minRefreshInterval", "tenantLimits.maxTemplateBytes", "tenantLimits.allowedTemplateFunctions[1]"],
        );
    });

    it("is part of the stack's validation before anything deploys", () => {
        assert.ok(validateArgs(twoTeamArgs({ tenantLimits: { minRefreshInterval: "0s" } })).some((p) => p.path === "tenantLimits.minRefreshInterval"));
        assert.deepStrictEqual(validateArgs(twoTeamArgs({ tenantLimits: { minRefreshInterval: "5m" } })).filter((p) => p.path.startsWith("tenantLimits")), []);
    });

    it("puts the floor into the rule as seconds", () => {
        const rule = externalSecretGuardValidations(resolveTenantLimits({ minRefreshInterval: "1h30m" }))[0];
        assert.match(rule.expression, /duration\('5400s'\)/);
    });
});


