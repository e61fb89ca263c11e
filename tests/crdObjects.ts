/**
 * Objects built from the CRD schemas the released chart installs: the
 * smallest valid object of a kind (every required field, nothing else), and
 * a validator closed the way the API server prunes, so that an object a test
 * hand-writes with a misspelt field fails instead of testing nothing.
 */
import Ajv from "ajv";
import { evaluate } from "@marcbachmann/cel-js";
import type { Validation } from "../components";
import { closeSchema } from "./esoSchemas";
import { helmTemplate } from "./helm";

type Schema = { [key: string]: any };

export interface CrdInfo {
    group: string;
    kind: string;
    plural: string;
    scope: "Namespaced" | "Cluster";
    version: string;
    schema: Schema;
}

/** Every CRD in rendered chart objects, by kind. */
export function crdsOf(objects: any[]): Map<string, CrdInfo> {
    const out = new Map<string, CrdInfo>();
    for (const o of objects.filter((x) => x.kind === "CustomResourceDefinition")) {
        const version = o.spec.versions.find((v: any) => v.storage) ?? o.spec.versions[0];
        out.set(o.spec.names.kind, { group: o.spec.group, kind: o.spec.names.kind, plural: o.spec.names.plural, scope: o.spec.scope, version: version.name, schema: version.schema.openAPIV3Schema });
    }
    return out;
}

/** The CRDs of the chart as the component installs it (installCRDs: true, PushSecret CRDs dropped). */
export async function chartCrds(values: unknown): Promise<Map<string, CrdInfo>> {
    return crdsOf((await helmTemplate("eso", "external-secrets", values)).objects);
}

/**
 * The smallest value a schema accepts: required properties only (and, where
 * an object needs `minProperties`, the first ones by name), the first enum
 * value, minimum lengths, one item where an array needs one.
 */
export function minimalValue(schema: Schema): unknown {
    if (schema === undefined) return {};
    if (schema.enum) return schema.enum[0];
    if (schema["x-kubernetes-int-or-string"]) return "1";
    switch (schema.type) {
        case "object": {
            const out: Record<string, unknown> = {};
            for (const key of schema.required ?? []) out[key] = minimalValue(schema.properties?.[key]);
            for (const key of Object.keys(schema.properties ?? {}).sort()) {
                if (Object.keys(out).length >= (schema.minProperties ?? 0)) break;
                out[key] ??= minimalValue(schema.properties[key]);
            }
            return out;
        }
        case "array":
            return Array.from({ length: schema.minItems ?? 0 }, () => minimalValue(schema.items));
        case "string":
            return schema.format === "uri" ? "https://example.test" : "x".repeat(Math.max(1, schema.minLength ?? 1));
        case "integer":
        case "number":
            return schema.minimum ?? 1;
        case "boolean":
            return false;
        default:
            return {};
    }
}

const ajv = new Ajv({ allErrors: true, strict: false, logger: false });
for (const k of ["x-kubernetes-validations", "x-kubernetes-preserve-unknown-fields", "x-kubernetes-int-or-string", "x-kubernetes-list-type", "x-kubernetes-list-map-keys", "x-kubernetes-map-type", "x-kubernetes-embedded-resource"]) {
    ajv.addKeyword(k);
}
const validators = new Map<Schema, ReturnType<typeof ajv.compile>>();

/** Schema errors of an object against its CRD (closed), as text; empty when valid. */
export function schemaErrors(crd: CrdInfo, object: unknown): string[] {
    let validate = validators.get(crd.schema);
    if (validate === undefined) {
        const schema = closeSchema(crd.schema);
        // metadata is the API server's, not the CRD's.
        schema.properties = { ...schema.properties, metadata: { type: "object" } };
        validate = ajv.compile(schema);
        validators.set(crd.schema, validate);
    }
    return validate(object) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

/** An object of `crd` in `namespace` with the minimal spec, `spec` merged over it. */
export function crdObject(crd: CrdInfo, namespace: string, spec: Record<string, unknown> = {}): Record<string, any> {
    const base = minimalValue(crd.schema.properties?.spec ?? { type: "object" }) as Record<string, unknown>;
    const metadata = crd.scope === "Namespaced" ? { name: "attempt", namespace } : { name: "attempt" };
    return { apiVersion: `${crd.group}/${crd.version}`, kind: crd.kind, metadata, spec: { ...base, ...spec } };
}

export type Operation = "CREATE" | "UPDATE";

/** Messages of the rules an object breaks, as the API server evaluates a ValidatingAdmissionPolicy; empty when admitted. */
export function refusedBy(rules: Validation[], crd: CrdInfo, object: unknown, username = "alice", operation: Operation = "CREATE"): string[] {
    const request = {
        operation,
        resource: { group: crd.group, version: crd.version, resource: crd.plural },
        kind: { group: crd.group, version: crd.version, kind: crd.kind },
        userInfo: { username, groups: ["system:authenticated"] },
    };
    const context = { object, oldObject: operation === "UPDATE" ? object : null, request };
    return rules.filter((r) => evaluate(r.expression, context) !== true).map((r) => r.message);
}
