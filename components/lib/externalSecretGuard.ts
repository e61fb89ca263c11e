/**
 * The ExternalSecret guard: a ValidatingAdmissionPolicy that bounds what one
 * team can make the shared ESO controller do per ExternalSecret (and per
 * namespaced SecretStore, when they are allowed). ESO v2.9.0 runs one worker
 * by default (`--concurrent=1`, `cmd/controller/root.go`) with no reconcile
 * timeout, so one object's cost is every team's delay.
 *
 * - `refreshInterval`: the controller requeues a synced object after it
 *   (`pkg/controllers/externalsecret/externalsecret_controller.go`
 *   `getRequeueResult` -> `ctrl.Result{RequeueAfter: refreshInterval}`),
 *   which the rate limiter does not slow: a floor, `0` (never) admitted.
 * - `data` + `dataFrom` entries: each is one provider call or one generator
 *   run per reconcile (`externalsecret_controller_secret.go` `getProviderSecretData`).
 * - templates: text/template with no execution limit (templateFunctions.ts);
 *   a size cap and the costly functions refused unless allowed.
 * - `templateFrom.configMap`/`.secret`: a template this policy never sees
 *   (`externalsecret_controller_template.go` reads it at reconcile time).
 */
import { DomainStores, faultDomainExternalSecretValidations } from "./faultDomainGuard";
import { denyingAdmissionPolicy, Validation } from "./manifests";
import { ALLOWABLE_TEMPLATE_NAMES, refusedTemplatePatterns } from "./templateFunctions";

export interface TenantLimits {
    /**
     * Shortest `refreshInterval` a team's ExternalSecret may ask for (`0`,
     * never refresh, stays admitted), as `<n>h`, `<n>m` or `<n>s`; the same
     * floor in seconds applies to a namespaced SecretStore's `refreshInterval`.
     * @default "1m"
     */
    readonly minRefreshInterval?: string;
    /** Most `data` plus `dataFrom` entries of one ExternalSecret. @default 64 */
    readonly maxDataEntries?: number;
    /**
     * Most of those entries that name a generator (`sourceRef.generatorRef`):
     * each runs on every refresh, an RSA-4096 SSHKey for seconds
     * (scripts/bench/tenantCost.ts). @default 4
     */
    readonly maxGeneratorRefs?: number;
    /** Most characters of all templates of one ExternalSecret together. @default 16384 */
    readonly maxTemplateBytes?: number;
    /**
     * Template functions and keywords to admit although they loop, repeat,
     * multiply or generate keys (`COSTLY_TEMPLATE_NAMES`), e.g. `["range"]`;
     * `variables` admits `$x :=`. See docs/ESO_HARDENING.md for what each costs.
     * @default []
     */
    readonly allowedTemplateFunctions?: string[];
    /**
     * Admit `templateFrom.configMap` and `templateFrom.secret`: their
     * template is read at reconcile time, out of sight of this policy, so
     * none of the template bounds apply to it. @default false
     */
    readonly allowTemplateFrom?: boolean;
}

export const DEFAULT_TENANT_LIMITS = { minRefreshInterval: "1m", maxDataEntries: 64, maxGeneratorRefs: 4, maxTemplateBytes: 16384 } as const;

export interface ResolvedTenantLimits {
    minRefreshInterval: string;
    minRefreshSeconds: number;
    maxDataEntries: number;
    maxGeneratorRefs: number;
    maxTemplateBytes: number;
    allowedTemplateFunctions: string[];
    allowTemplateFrom: boolean;
}

// Go's time.ParseDuration accepts more (`1.5h`, `µs`); CEL's duration() and ours agree on this subset.
const DURATION = /^([0-9]+h)?([0-9]+m)?([0-9]+s)?$/;
const DURATION_CEL = "^([0-9]+h)?([0-9]+m)?([0-9]+s)?$";

/** Seconds of a `<n>h<n>m<n>s` duration; undefined when it is not one. */
export function durationSeconds(text: string): number | undefined {
    const m = DURATION.exec(text);
    if (m === null || text === "") return undefined;
    const n = (g: string | undefined) => (g === undefined ? 0 : parseInt(g, 10));
    return n(m[1]) * 3600 + n(m[2]) * 60 + n(m[3]);
}

export function resolveTenantLimits(limits: TenantLimits | undefined): ResolvedTenantLimits {
    const minRefreshInterval = limits?.minRefreshInterval ?? DEFAULT_TENANT_LIMITS.minRefreshInterval;
    return {
        minRefreshInterval,
        minRefreshSeconds: durationSeconds(minRefreshInterval) ?? 60,
        maxDataEntries: limits?.maxDataEntries ?? DEFAULT_TENANT_LIMITS.maxDataEntries,
        maxGeneratorRefs: limits?.maxGeneratorRefs ?? DEFAULT_TENANT_LIMITS.maxGeneratorRefs,
        maxTemplateBytes: limits?.maxTemplateBytes ?? DEFAULT_TENANT_LIMITS.maxTemplateBytes,
        allowedTemplateFunctions: [...(limits?.allowedTemplateFunctions ?? [])],
        allowTemplateFrom: limits?.allowTemplateFrom ?? false,
    };
}

/** Problems of the `tenantLimits` entry, each naming the field, the value and the fix. */
export function tenantLimitsProblems(value: unknown, at = "tenantLimits"): { path: string; message: string }[] {
    if (value === undefined) return [];
    if (value === null || typeof value !== "object" || Array.isArray(value)) return [{ path: at, message: "must be a map, e.g. `{minRefreshInterval: 5m}`" }];
    const v = value as Record<string, unknown>;
    const problems: { path: string; message: string }[] = [];
    const known = ["minRefreshInterval", "maxDataEntries", "maxGeneratorRefs", "maxTemplateBytes", "allowedTemplateFunctions", "allowTemplateFrom"];
    for (const key of Object.keys(v).filter((k) => !known.includes(k))) problems.push({ path: `${at}.${key}`, message: `is not a tenant limit; valid: ${known.join(", ")}` });
    const floor = v.minRefreshInterval;
    if (floor !== undefined && (typeof floor !== "string" || (durationSeconds(floor) ?? 0) < 1)) {
        problems.push({ path: `${at}.minRefreshInterval`, message: `is \`${String(floor)}\`: give a duration of at least one second as <n>h<n>m<n>s, e.g. \`5m\`` });
    }
    // Bounds that keep the policy's own CEL under the API server's per-call cost limit (see templateCelCost).
    const ints: [string, number, number][] = [
        ["maxDataEntries", 1, 1000],
        ["maxGeneratorRefs", 0, 1000],
        ["maxTemplateBytes", 1, 32768],
    ];
    for (const [key, min, max] of ints) {
        const n = v[key];
        if (n !== undefined && (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max)) {
            problems.push({ path: `${at}.${key}`, message: `is \`${String(n)}\`: give an integer from ${min} to ${max}` });
        }
    }
    const fns = v.allowedTemplateFunctions;
    if (fns !== undefined && !Array.isArray(fns)) problems.push({ path: `${at}.allowedTemplateFunctions`, message: "must be a list of template function names, e.g. `[range]`" });
    if (Array.isArray(fns)) {
        fns.forEach((fn: unknown, i) => {
            if (typeof fn !== "string" || !ALLOWABLE_TEMPLATE_NAMES.includes(fn)) {
                problems.push({ path: `${at}.allowedTemplateFunctions[${i}]`, message: `is \`${String(fn)}\`, which no bound refuses; valid: ${ALLOWABLE_TEMPLATE_NAMES.join(", ")}` });
            }
        });
    }
    if (v.allowTemplateFrom !== undefined && typeof v.allowTemplateFrom !== "boolean") problems.push({ path: `${at}.allowTemplateFrom`, message: "must be true or false" });
    return problems;
}

/** A CEL single-quoted string literal. */
const lit = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

const S = "object.spec";
const T = `${S}.target.template`;
const HAS_T = `has(${S}.target) && has(${T})`;
const GEN_REF = "has(d.sourceRef) && has(d.sourceRef.generatorRef)";
const isResource = (plural: string) => `request.resource.resource == '${plural}'`;

/**
 * Every template string of an ExternalSecret as one CEL list: `template.data`
 * values, `templateFrom[].literal`, template labels and annotations, and the
 * `dataFrom[].rewrite[].transform.template`s (joined per dataFrom entry:
 * Kubernetes 1.30 CEL has no `flatten`).
 */
export const TEMPLATES_CEL =
    `(${HAS_T} && has(${T}.data) ? ${T}.data.map(k, ${T}.data[k]) : []) + ` +
    `(${HAS_T} && has(${T}.templateFrom) ? ${T}.templateFrom.filter(f, has(f.literal)).map(f, f.literal) : []) + ` +
    `(${HAS_T} && has(${T}.metadata) && has(${T}.metadata.labels) ? ${T}.metadata.labels.map(k, ${T}.metadata.labels[k]) : []) + ` +
    `(${HAS_T} && has(${T}.metadata) && has(${T}.metadata.annotations) ? ${T}.metadata.annotations.map(k, ${T}.metadata.annotations[k]) : []) + ` +
    `(has(${S}.dataFrom) ? ${S}.dataFrom.map(d, has(d.rewrite) ? d.rewrite.filter(r, has(r.transform) && has(r.transform.template)).map(r, r.transform.template).join('\\n') : '') : [])`;
const JOINED = `(${TEMPLATES_CEL}).join('\\n')`;

/** CEL rules of the ExternalSecret guard; each is true when the object is admitted. */
export function externalSecretGuardValidations(limits: ResolvedTenantLimits): Validation[] {
    const es = (expression: string, message: string): Validation => ({ expression: `!(${isResource("externalsecrets")}) || (${expression})`, message });
    const rules: Validation[] = [
        es(
            `!has(${S}.refreshInterval) || ${S}.refreshInterval == '0' || (${S}.refreshInterval.matches('${DURATION_CEL}') && ${S}.refreshInterval != '' && ` +
                `duration(${S}.refreshInterval) >= duration('${limits.minRefreshSeconds}s'))`,
            `spec.refreshInterval must be 0 (never refresh) or at least ${limits.minRefreshInterval}, written as <n>h<n>m<n>s: the controller requeues the object after it, ` +
                "on the worker every team shares (externalsecret_controller.go getRequeueResult). An administrator may lower the floor with tenantLimits.minRefreshInterval.",
        ),
        es(
            `(has(${S}.data) ? size(${S}.data) : 0) + (has(${S}.dataFrom) ? size(${S}.dataFrom) : 0) <= ${limits.maxDataEntries}`,
            `spec.data and spec.dataFrom may have at most ${limits.maxDataEntries} entries together: each is a provider call or a generator run on every refresh. ` +
                "Split the ExternalSecret, or ask an administrator to raise tenantLimits.maxDataEntries.",
        ),
        es(
            `(has(${S}.data) ? size(${S}.data.filter(d, ${GEN_REF})) : 0) + (has(${S}.dataFrom) ? size(${S}.dataFrom.filter(d, ${GEN_REF})) : 0) <= ${limits.maxGeneratorRefs}`,
            `spec.data and spec.dataFrom may name at most ${limits.maxGeneratorRefs} generators together: each runs on the shared controller on every refresh ` +
                "(an RSA-4096 SSHKey for seconds). Ask an administrator to raise tenantLimits.maxGeneratorRefs.",
        ),
        es(
            `size(${JOINED}) <= ${limits.maxTemplateBytes}`,
            `The templates of one ExternalSecret may have at most ${limits.maxTemplateBytes} characters together: ESO runs them with no execution limit. ` +
                "Ask an administrator to raise tenantLimits.maxTemplateBytes.",
        ),
    ];
    const patterns = refusedTemplatePatterns(limits.allowedTemplateFunctions);
    if (patterns.length > 0) {
        // Guarded by the size: the match's cost is the joined size times the pattern's (see templateCelCost).
        const match = patterns.map((p) => `${JOINED}.matches(${lit(p)})`).join(" || ");
        rules.push(
            es(
                `size(${JOINED}) > ${limits.maxTemplateBytes} || !(${match})`,
                "A template uses a function or keyword that loops, recurses, rebinds a variable, repeats, multiplies its arguments or generates keys " +
                    "(range, with, define, template, until, repeat, replace, join, genPrivateKey, bcrypt, ..., $x :=, printf with a width, indent beyond 99): " +
                    "ESO runs templates on the controller every team shares, with no execution limit. " +
                    "Write the value without it, or ask an administrator to list it in tenantLimits.allowedTemplateFunctions.",
            ),
        );
    }
    if (!limits.allowTemplateFrom) {
        rules.push(
            es(
                `!(${HAS_T}) || !has(${T}.templateFrom) || ${T}.templateFrom.all(f, !has(f.configMap) && !has(f.secret))`,
                "spec.target.template.templateFrom may not read a ConfigMap or Secret: that template is read at reconcile time, out of sight of every admission rule. " +
                    "Inline it as templateFrom[].literal or template.data, or ask an administrator to set tenantLimits.allowTemplateFrom.",
            ),
        );
    }
    rules.push({
        expression: `!(${isResource("secretstores")}) || !has(${S}.refreshInterval) || ${S}.refreshInterval == 0 || ${S}.refreshInterval >= ${limits.minRefreshSeconds}`,
        message: `A SecretStore's spec.refreshInterval must be 0 (the controller's default) or at least ${limits.minRefreshSeconds} seconds: each refresh validates the store against its provider on the shared controller.`,
    });
    return rules;
}

/**
 * The guard (admissionregistration.k8s.io/v1) over ExternalSecrets and
 * SecretStores of every version, on CREATE and UPDATE. Objects that predate
 * it are judged only when next updated.
 */
export function externalSecretGuardManifests(policyName: string, limits: ResolvedTenantLimits, domains: DomainStores[] = []) {
    return denyingAdmissionPolicy(
        policyName,
        { apiGroups: ["external-secrets.io"], resources: ["externalsecrets", "secretstores"] },
        [...externalSecretGuardValidations(limits), ...faultDomainExternalSecretValidations(domains)],
    );
}

/**
 * The API server's runtime cost of `s.matches(re)` (cel-go
 * `interpreter/runtimecost.go`: ceil((1 + size(s)) * 0.1) * ceil(size(re) * 0.25)),
 * against the 1,000,000 per-call limit of a ValidatingAdmissionPolicy expression.
 */
export function matchesCost(stringSize: number, regexSize: number): number {
    return Math.ceil((1 + stringSize) * 0.1) * Math.ceil(regexSize * 0.25);
}
