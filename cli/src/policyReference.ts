/**
 * The reference of the policy pack's policies and their options, generated
 * from the pack itself (each policy's name, level and `configSchema`):
 * `eks-secrets-abac policies` prints it, docs/POLICIES.md is it
 * (`eks-secrets-abac policies --markdown`), and a test keeps the two equal.
 */
export interface PolicyLike {
    name: string;
    description: string;
    enforcementLevel?: string;
    configSchema?: { properties?: { [option: string]: unknown } };
}

export interface PolicyOption {
    name: string;
    type: string;
    default?: unknown;
    description?: string;
}

/** A JSON schema's type in words: `string[]`, `"a" | "b"`, `object`. */
function typeOf(schema: Record<string, unknown>): string {
    if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
    if (schema.type === "array") return `${typeOf((schema.items as Record<string, unknown>) ?? {})}[]`;
    if (Array.isArray(schema.type)) return schema.type.join(" | ");
    return typeof schema.type === "string" ? schema.type : "any";
}

export function optionsOf(policy: PolicyLike): PolicyOption[] {
    return Object.entries((policy.configSchema?.properties ?? {}) as Record<string, Record<string, unknown>>).map(([name, schema]) => ({
        name,
        type: typeOf(schema),
        ...(schema.default !== undefined ? { default: schema.default } : {}),
        ...(typeof schema.description === "string" ? { description: schema.description } : {}),
    }));
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function policyReferenceMarkdown(policies: readonly PolicyLike[]): string {
    const out = [
        "# Policy reference",
        "",
        "<!-- Generated from the policy pack by `npm run eks-secrets-abac -- policies --markdown > docs/POLICIES.md`; tests/policyReference.test.ts keeps it up to date. -->",
        "",
        `The pack's ${policies.length} policies, their default enforcement level and their options. Set levels and options in a`,
        "policy configuration file, the JSON that `pulumi preview --policy-pack <dir> --policy-pack-config <file>` takes:",
        "per policy, a level (`\"mandatory\"`, `\"advisory\"`, `\"disabled\"`), or an object with `enforcementLevel` and options",
        "(policypack/policy-config.example.json).",
        "",
    ];
    for (const p of policies) {
        out.push(`## ${p.name}`, "", `Default level: ${p.enforcementLevel ?? "advisory"}.`, "", p.description, "");
        const options = optionsOf(p);
        if (options.length === 0) {
            out.push("No options.", "");
            continue;
        }
        out.push("| option | type | default | description |", "| --- | --- | --- | --- |");
        for (const o of options) out.push(`| \`${o.name}\` | ${cell(o.type)} | ${o.default === undefined ? "" : `\`${cell(JSON.stringify(o.default))}\``} | ${cell(o.description ?? "")} |`);
        out.push("");
    }
    return out.join("\n");
}
