/**
 * The vendored ESO 2.9.0 schemas as validators, closed the way the API
 * server behaves: a field the CRD does not declare is pruned on apply, so a
 * misspelled `sessionTagPolicy` would deploy and send no tags. Here it fails.
 */
import Ajv from "ajv";
import Ajv2020 from "ajv/dist/2020";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { evaluate } from "@marcbachmann/cel-js";
import { ESO_FIXTURES } from "./helpers";

type Schema = { [key: string]: any };

function load(file: string): Schema {
    return JSON.parse(fs.readFileSync(path.join(ESO_FIXTURES, file), "utf8"));
}

/** Every object schema without `x-kubernetes-preserve-unknown-fields` becomes closed. */
export function closeSchema(schema: Schema): Schema {
    if (schema === null || typeof schema !== "object") return schema;
    if (Array.isArray(schema)) return schema.map(closeSchema);
    const out: Schema = {};
    for (const [k, v] of Object.entries(schema)) out[k] = closeSchema(v);
    // Objects without declared properties (metadata, free-form maps) are left open, as the API server does.
    const isObject = schema.properties !== undefined;
    if (isObject && schema.additionalProperties === undefined && !schema["x-kubernetes-preserve-unknown-fields"]) {
        out.additionalProperties = false;
    }
    return out;
}

function crdAjv(): Ajv {
    const ajv = new Ajv({ allErrors: true, strict: false });
    for (const k of ["x-kubernetes-validations", "x-kubernetes-preserve-unknown-fields", "x-kubernetes-int-or-string", "x-kubernetes-list-type", "x-kubernetes-list-map-keys", "x-kubernetes-map-type"]) {
        ajv.addKeyword(k);
    }
    return ajv;
}

const crd = crdAjv();
const storeSchema = load("clustersecretstore.v1.schema.json");
const externalSecretSchema = load("externalsecret.v1.schema.json");
export const validateClusterSecretStore = crd.compile(closeSchema(storeSchema));
export const validateExternalSecret = crd.compile(closeSchema(externalSecretSchema));

const values = new Ajv2020({ allErrors: true, strict: false });
export const validateHelmValuesSchema = values.compile(load("values.schema.json"));

/** The chart's default values: the key paths that exist. */
export const chartDefaults: Schema = YAML.parse(fs.readFileSync(path.join(ESO_FIXTURES, "values.yaml"), "utf8"));

/** Leaf paths of a values object, as arrays of keys. */
export function leafPaths(obj: Schema, prefix: string[] = []): string[][] {
    return Object.entries(obj).flatMap(([k, v]) =>
        v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length > 0 ? leafPaths(v, [...prefix, k]) : [[...prefix, k]],
    );
}

export interface CelFailure {
    path: string;
    rule: string;
    message: string;
}

/** Evaluates every `x-kubernetes-validations` rule the object reaches (rules on oldSelf are skipped). */
export function celFailures(schema: Schema, value: unknown, at = ""): CelFailure[] {
    if (value === undefined || schema === undefined) return [];
    const failures: CelFailure[] = [];
    for (const rule of schema["x-kubernetes-validations"] ?? []) {
        if (String(rule.rule).includes("oldSelf")) continue;
        if (evaluate(rule.rule, { self: value }) !== true) failures.push({ path: at || ".", rule: rule.rule, message: rule.message });
    }
    if (Array.isArray(value) && schema.items) {
        value.forEach((item, i) => failures.push(...celFailures(schema.items, item, `${at}[${i}]`)));
    } else if (value !== null && typeof value === "object") {
        for (const [k, v] of Object.entries(value)) {
            const sub = schema.properties?.[k] ?? (typeof schema.additionalProperties === "object" ? schema.additionalProperties : undefined);
            failures.push(...celFailures(sub, v, `${at}.${k}`));
        }
    }
    return failures;
}

export const schemas = { store: storeSchema, externalSecret: externalSecretSchema };
