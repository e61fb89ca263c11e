/**
 * What every input (a program run offline, a `pulumi preview --json` file,
 * a `pulumi stack export` file or a file backend's checkpoint) becomes: the
 * same list of resources the offline cloud records, with the URN, provider
 * and parent kept, and the values nobody can know offline marked.
 */
import type { RecordedResource } from "./offlineCloud";

/**
 * The string Pulumi serialises in place of a value that is not known yet
 * (pulumi/pulumi `pkg/resource/stack/deployment.go` `computedValuePlaceholder`,
 * `sdk/go/common/resource/plugin/rpc.go` `UnknownStringValue`). The policy SDK
 * treats the same string as unknown (`@pulumi/policy` `proxy.js`
 * `unknownStringValue`): a policy that reads it is undecided.
 */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** The key of a special value, and the signatures after it (pulumi/pulumi `sdk/go/common/resource/sig/sig.go`). */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export interface StackResource extends RecordedResource {
    urn?: string;
    id?: string;
    /** Provider reference, `<provider urn>::<provider id>`. */
    provider?: string;
    parent?: string;
    /** `delete: true` in the state: replaced, and still existing until the next update deletes it. */
    pendingDeletion?: boolean;
}

/** A value the verdict could not see, and why. */
export interface Undecidable {
    urn: string;
    /** Where in the resource: `inputs.assumeRolePolicy`. */
    path: string;
    reason: "secret" | "unknown";
}

export type InputKind = "program" | "preview" | "state";

export interface StackInput {
    kind: InputKind;
    /** The file or folder read, as given. */
    source: string;
    project?: string;
    stack?: string;
    resources: StackResource[];
    /** Values replaced by UNKNOWN: secrets that cannot be decrypted, values the engine did not know yet. */
    undecidable: Undecidable[];
    /** The stack's config (programs: the stack file; previews: the digest's, secrets blinded). */
    config?: Record<string, string>;
    /** What the reader noticed and the verdict should say. */
    notes: string[];
    /**
     * Resources the state marks `delete: true` (pulumi/pulumi `sdk/go/common/apitype/core.go`
     * ResourceV3.Delete: "the resource should be deleted during the next update"): they still
     * exist, so what they grant still holds. Kept apart from `resources`, which is what the stack declares.
     */
    pendingDeletion?: StackResource[];
    /** Operations the state records as begun and not finished (DeploymentV3 `pending_operations`): what they hold is not in the state. */
    pendingOperations?: { type: string; name: string; operation: string }[];
    /** Operations the state says were pending (`pending_operations`): what they touch is not decided. */
    pending?: { urn: string; type: string }[];
}

/** A file of none of the three kinds, or one of them that cannot be read: exit 1 with the message. */
export class InputError extends Error {}

/** The last component of a URN: `urn:pulumi:<stack>::<project>::<type>::<name>` (pulumi/pulumi `sdk/go/common/resource/urn.go`). */
export function nameOfUrn(urn: string): string {
    const parts = urn.split("::");
    return parts.slice(3).join("::") || urn;
}

/** The stack and project a URN names. */
export function stackOfUrn(urn: string): { stack?: string; project?: string } {
    const m = /^urn:pulumi:([^:]*)::([^:]*)::/.exec(urn);
    return m ? { stack: m[1], project: m[2] } : {};
}

export interface SecretDecoder {
    /** The plaintext of a ciphertext, or undefined when it cannot be decrypted here. */
    (ciphertext: string): string | undefined;
}

/**
 * Walks a serialised property value (pulumi/pulumi `pkg/resource/stack/deployment.go`
 * `SerializePropertyValue`): a secret is `{SIG_KEY: SECRET_SIG, plaintext}` (the
 * plaintext is the JSON of the value, as `--show-secrets` writes it) or
 * `{SIG_KEY: SECRET_SIG, ciphertext}`; an unknown is UNKNOWN. Secrets are
 * opened when `decode` can, else replaced by UNKNOWN and recorded; so are the
 * string `blinded` stands for (a preview prints `[secret]`).
 */
export function openValue(value: unknown, at: string, urn: string, found: Undecidable[], decode: SecretDecoder, blinded?: string): unknown {
    if (value === UNKNOWN) {
        found.push({ urn, path: at, reason: "unknown" });
        return UNKNOWN;
    }
    if (blinded !== undefined && value === blinded) {
        found.push({ urn, path: at, reason: "secret" });
        return UNKNOWN;
    }
    if (Array.isArray(value)) return value.map((v, i) => openValue(v, `${at}[${i}]`, urn, found, decode, blinded));
    if (value === null || typeof value !== "object") return value;
    const o = value as Record<string, unknown>;
    if (o[SIG_KEY] === SECRET_SIG) {
        const plaintext = typeof o.plaintext === "string" ? o.plaintext : typeof o.ciphertext === "string" ? decode(o.ciphertext) : undefined;
        if (plaintext === undefined) {
            found.push({ urn, path: at, reason: "secret" });
            return UNKNOWN;
        }
        try {
            return openValue(JSON.parse(plaintext), at, urn, found, decode, blinded);
        } catch {
            found.push({ urn, path: at, reason: "secret" });
            return UNKNOWN;
        }
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, openValue(v, `${at}.${k}`, urn, found, decode, blinded)]));
}

/** The fields of a `ResourceV3` (pulumi/pulumi `sdk/go/common/apitype/core.go`) this tool reads. */
export interface ResourceV3 {
    urn: string;
    custom: boolean;
    delete?: boolean;
    id?: string;
    type: string;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
    parent?: string;
    provider?: string;
}

/** One `ResourceV3` as a stack resource: `inputs` from its inputs, `state` from its outputs (inputs where it has none). */
export function fromResourceV3(r: ResourceV3, found: Undecidable[], decode: SecretDecoder, blinded?: string): StackResource {
    const inputs = openValue(r.inputs ?? {}, "inputs", r.urn, found, decode, blinded) as Record<string, any>;
    const outputs = r.outputs === undefined ? undefined : (openValue(r.outputs, "outputs", r.urn, found, decode, blinded) as Record<string, any>);
    return {
        type: r.type,
        name: nameOfUrn(r.urn),
        inputs,
        custom: r.custom === true,
        state: outputs ?? inputs,
        urn: r.urn,
        ...(r.id !== undefined && r.id !== "" ? { id: r.id } : {}),
        ...(r.provider ? { provider: r.provider } : {}),
        ...(r.parent ? { parent: r.parent } : {}),
    };
}

/** Checks the fields every `ResourceV3` has; names the first bad entry. */
export function checkResourceV3(r: unknown, at: string): asserts r is ResourceV3 {
    const o = r as Record<string, unknown>;
    if (o === null || typeof o !== "object") throw new InputError(`${at} is not a resource object`);
    if (typeof o.urn !== "string" || !o.urn.startsWith("urn:pulumi:")) throw new InputError(`${at}.urn is ${JSON.stringify(o.urn)}: not a Pulumi URN`);
    if (typeof o.type !== "string") throw new InputError(`${at}.type is missing`);
}
