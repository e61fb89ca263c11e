/**
 * Every Pulumi.yaml of the repository loads in the Pulumi CLI 3.248: first
 * the CLI's JSON Schema (../shared/vendor/pulumi-3.248.0/project.schema.json,
 * draft 2020-12), then the rules of pulumi/pulumi v3.248.0
 * sdk/go/common/workspace/loaders.go `LoadProjectBytes`:
 * `ValidateProject` (project.go:552), `RewriteShorthandConfigValues`
 * (project.go:469), `Project.Validate` (project.go:820), and for the sample
 * stack files `validateStackConfigValue` (config.go:123) with
 * `ValidateConfigValue` (project.go:754). Ported rule by rule below.
 */
import Ajv2020 from "ajv/dist/2020";
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { parseStackConfig } from "../components/lib/stackConfig";
import { artefactDir } from "./helpers";

const ROOT = path.join(__dirname, "..");
const schema = JSON.parse(fs.readFileSync(path.join(artefactDir("pulumi-3.248.0"), "project.schema.json"), "utf8"));
const validateSchema = new Ajv2020({ allErrors: true, strict: false }).compile(schema);

interface ConfigItems {
    type: string;
    items?: ConfigItems;
}
interface ConfigType {
    type?: string;
    items?: ConfigItems;
    default?: unknown;
    value?: unknown;
    secret?: boolean;
    description?: string;
}

const isPrimitive = (v: unknown): v is string | number | boolean | null => v === null || ["string", "number", "boolean"].includes(typeof v);
const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** project.go:816 */
function namespacedByProject(project: string, key: string): boolean {
    return !key.includes(":") || key.startsWith(`${project}:`);
}

/** project.go:754 `ValidateConfigValue`, for values decoded from YAML or JSON. */
function validConfigValue(type: string, items: ConfigItems | undefined, value: unknown): boolean {
    switch (type) {
        case "string":
            return typeof value === "string";
        case "integer":
            return (typeof value === "number" && Number.isInteger(value)) || (typeof value === "string" && /^[+-]?\d+$/.test(value));
        case "boolean":
            return typeof value === "boolean" || value === "true" || value === "false";
        case "object":
            return isMap(value);
        default:
            return Array.isArray(value) && items !== undefined && value.every((v) => validConfigValue(items.type, items.items, v));
    }
}

/** Every error the CLI would stop at (it stops at the first; we list them all). */
export function projectErrors(raw: unknown): string[] {
    if (!isMap(raw) || typeof raw.name !== "string" || raw.name === "") {
        return ["project is missing a non-empty string 'name' attribute"];
    }
    if (!validateSchema(raw)) {
        return (validateSchema.errors ?? []).map((e) => `${e.instancePath || "/"}: ${e.message}`);
    }
    const project = raw.name;
    const errors: string[] = [];
    const config = isMap(raw.config) ? raw.config : {};
    for (const [key, declared] of Object.entries(config)) {
        // RewriteShorthandConfigValues: a bare value is a default (project keys) or a value (others).
        const c: ConfigType =
            isPrimitive(declared) || Array.isArray(declared)
                ? namespacedByProject(project, key)
                    ? { default: declared }
                    : { value: declared }
                : (declared as ConfigType);
        if (c.default !== undefined && c.value !== undefined) {
            errors.push(`project config '${key}' cannot have both a 'default' and 'value' attribute`);
        }
        if (namespacedByProject(project, key)) {
            if (c.type === "array" && c.items === undefined) {
                errors.push(`The configuration key '${key}' declares an array but does not specify the underlying type via the 'items' attribute`);
            }
            if (c.type !== undefined && c.default !== undefined && !validConfigValue(c.type, c.items, c.default)) {
                errors.push(`The default value specified for configuration key '${key}' is not of the expected type`);
            }
        } else {
            if (c.type !== undefined) errors.push(`Configuration key '${key}' is not namespaced by the project and should not define a type`);
            if (c.default !== undefined) errors.push(`Configuration key '${key}' is not namespaced by the project and should not define a default value`);
            if (c.value === undefined) errors.push(`Configuration key '${key}' is namespaced and must provide an attribute 'value'`);
        }
    }
    return errors;
}

/** config.go:123 `validateStackConfigValue` for each typed project key the stack file sets. */
function stackFileErrors(projectRaw: Record<string, any>, stackRaw: Record<string, any>): string[] {
    const project = projectRaw.name as string;
    const errors: string[] = [];
    for (const [key, raw] of Object.entries((projectRaw.config ?? {}) as Record<string, unknown>)) {
        if (!isMap(raw) || raw.type === undefined) continue;
        const declared = raw as unknown as ConfigType & { type: string };
        const full = key.includes(":") ? key : `${project}:${key}`;
        const value = stackRaw.config?.[full];
        if (value === undefined) {
            if (declared.default === undefined && declared.value === undefined) errors.push(`${full} is required by Pulumi.yaml but missing`);
            continue;
        }
        if (isMap(value) && "secure" in value) {
            continue;
        }
        if (declared.secret) errors.push(`${full} must be encrypted as it's secret`);
        // Scalars reach the check as the text the stack file holds; lists and maps as JSON.
        const content = isPrimitive(value) ? String(value) : value;
        if (!validConfigValue(declared.type, declared.items, content)) errors.push(`${full} must be of type '${declared.type}'`);
    }
    return errors;
}

const read = (file: string) => YAML.parse(fs.readFileSync(file, "utf8"));

function projectFiles(): string[] {
    const out = [path.join(ROOT, "Pulumi.yaml")];
    for (const e of fs.readdirSync(path.join(ROOT, "examples"), { withFileTypes: true })) {
        const file = path.join(ROOT, "examples", e.name, "Pulumi.yaml");
        if (e.isDirectory() && fs.existsSync(file)) out.push(file);
    }
    return out;
}

describe("Pulumi.yaml files as the Pulumi CLI 3.248 loads them", () => {
    it("finds the root project and every example", () => {
        assert.deepStrictEqual(projectFiles().map((f) => path.relative(ROOT, f)).sort(), [
            "Pulumi.yaml",
            "examples/cross-account/Pulumi.yaml",
            "examples/csi/Pulumi.yaml",
            "examples/existing-cluster/Pulumi.yaml",
            "examples/fault-domains/Pulumi.yaml",
            "examples/multi-cluster/Pulumi.yaml",
            "examples/new-cluster/Pulumi.yaml",
            "examples/org-guardrails/Pulumi.yaml",
            "examples/yaml/Pulumi.yaml",
        ]);
    });

    for (const file of projectFiles()) {
        const rel = path.relative(ROOT, file);
        it(`${rel} passes the schema and Project.Validate`, () => {
            assert.deepStrictEqual(projectErrors(read(file)), []);
        });
        it(`${rel} describes each config key it declares`, () => {
            for (const [key, c] of Object.entries((read(file).config ?? {}) as Record<string, ConfigType>)) {
                if (key.includes(":")) continue;
                assert.ok(isMap(c) && c.type && String(c.description ?? "").length > 20, `${rel}: ${key} needs a type and a description`);
            }
        });
    }

    for (const [project, stack] of [
        ["Pulumi.yaml", "Pulumi.example.yaml"],
        ...["csi", "existing-cluster", "multi-cluster", "new-cluster", "org-guardrails", "yaml"].map((e) => [`examples/${e}/Pulumi.yaml`, `examples/${e}/Pulumi.dev.yaml`]),
    ]) {
        it(`${stack} holds a value of the declared type for every key ${project} types`, () => {
            assert.deepStrictEqual(stackFileErrors(read(path.join(ROOT, project)), read(path.join(ROOT, stack))), []);
        });
    }

    describe("the rules, on the CLI's own failure cases", () => {
        const withConfig = (config: Record<string, unknown>) => ({ name: "p", runtime: "nodejs", config });
        it("refuses an array without items, as the examples had it", () => {
            assert.match(projectErrors(withConfig({ teams: { type: "array" } })).join(), /declares an array but does not specify the underlying type/);
        });
        it("refuses a default of the wrong type, item by item", () => {
            assert.match(projectErrors(withConfig({ names: { type: "array", items: { type: "string" }, default: ["a", 1] } })).join(), /default value/);
            assert.deepStrictEqual(projectErrors(withConfig({ names: { type: "array", items: { type: "string" }, default: ["a"] } })), []);
        });
        it("refuses a type or default on another namespace's key, and accepts its bare value", () => {
            assert.match(projectErrors(withConfig({ "aws:region": { type: "string", value: "eu-west-1" } })).join(), /should not define a type/);
            assert.match(projectErrors(withConfig({ "aws:region": { default: "eu-west-1" } })).join(), /should not define a default/);
            assert.deepStrictEqual(projectErrors(withConfig({ "aws:region": "eu-west-1" })), []);
        });
        it("refuses default and value together, and what the schema refuses", () => {
            assert.match(projectErrors(withConfig({ x: { default: "a", value: "b" } })).join(), /both a 'default' and 'value'/);
            assert.notDeepStrictEqual(projectErrors(withConfig({ x: { type: "list" } })), []);
            assert.notDeepStrictEqual(projectErrors({ name: "p", runtime: "nodejs", packages: { x: 1 } }), []);
            assert.notDeepStrictEqual(projectErrors({ runtime: "nodejs" }), [], "name is required");
        });
    });

    it("the stack program says to add --type string when `pulumi config set --path` stored a number", () => {
        // pulumi config set --path 'teams[0].secrets[0].name' 2024 stores the number 2024 (DESIGN.md, Packaging).
        const parsed = parseStackConfig({ clusterName: "dev", installPodIdentityAgent: true, teams: [{ namespace: "payments", secrets: [{ name: 2024 }] }] });
        assert.deepStrictEqual(parsed.problems.map((p) => p.path), ["teams[0].secrets[0].name"]);
        assert.match(parsed.problems[0].message, /is 2024, a number, but must be a string: .*--type string 'teams\[0\]\.secrets\[0\]\.name' 2024/);
    });
});
