/**
 * What is deployed now: a `pulumi stack export` file or a file backend's
 * checkpoint.
 *
 * Shapes (pulumi/pulumi v3.259.0, `sdk/go/common/apitype/core.go`):
 * - `pulumi stack export` prints an `UntypedDeployment`: `{ version, features?, deployment }`
 *   whose `deployment` is a `DeploymentV3` (`manifest`, `secrets_providers`, `resources[]`);
 * - a file backend stores a `VersionedCheckpoint`: `{ version, features?, checkpoint }` whose
 *   `checkpoint` is a `CheckpointV3` (`stack`, `config`, `latest`: the `DeploymentV3`).
 * Schema versions 3 and 4 both decode into `DeploymentV3` (its comment; 4 only adds `features`).
 * Each resource is a `ResourceV3`.
 */
import { checkResourceV3, fromResourceV3, ResourceV3, InputError, nameOfUrn, SecretDecoder, stackOfUrn, StackInput, Undecidable } from "./resources";

/** Deployment schema versions read here (`DeploymentSchemaVersionCurrent` 3, `...Latest` 4). */
const VERSIONS = [3, 4];

/**
 * The `b64` secrets provider (pulumi/pulumi `pkg/secrets/b64/manager.go`, `config.Base64Crypter`)
 * only base64-encodes: its secrets are read. Every other provider (`passphrase`, `service`,
 * `awskms`, ...) needs a key this tool does not have and should not ask for.
 */
function decoderFor(provider: string | undefined): SecretDecoder {
    if (provider === "b64") return (ciphertext) => Buffer.from(ciphertext, "base64").toString("utf8");
    return () => undefined;
}

/** Is this parsed JSON a stack export or a checkpoint? */
export function isDeploymentFile(json: unknown): boolean {
    const o = json as Record<string, unknown>;
    return o !== null && typeof o === "object" && typeof o.version === "number" && (isObject(o.deployment) || isObject(o.checkpoint));
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

export function readDeployment(json: unknown, source: string): StackInput {
    const o = json as Record<string, any>;
    const kind = isObject(o.checkpoint) ? "checkpoint" : "stack export";
    if (!VERSIONS.includes(o.version)) {
        throw new InputError(`${source}: a ${kind} of deployment schema version ${o.version}: this tool reads versions ${VERSIONS.join(" and ")} (Pulumi 3.x writes 3); run \`pulumi stack export\` with a current Pulumi CLI`);
    }
    const deployment = kind === "checkpoint" ? o.checkpoint.latest : o.deployment;
    const notes: string[] = [];
    if (!isObject(deployment)) {
        // A stack that was created and never updated has a checkpoint without `latest`.
        return { kind: "state", source, stack: o.checkpoint?.stack || undefined, resources: [], undecidable: [], notes: [`${source}: the ${kind} holds no deployment (the stack was never updated)`] };
    }
    const d = deployment as Record<string, any>;
    const resources = d.resources ?? [];
    if (!Array.isArray(resources)) throw new InputError(`${source}: \`resources\` of the deployment is not a list`);
    const providerType: string | undefined = d.secrets_providers?.type;
    let decoded = 0;
    const decoder = decoderFor(providerType);
    const decode: SecretDecoder = (ciphertext) => {
        const plaintext = decoder(ciphertext);
        if (plaintext !== undefined) decoded++;
        return plaintext;
    };
    const undecidable: Undecidable[] = [];
    const checked = resources.map((r: unknown, i: number): ResourceV3 => {
        checkResourceV3(r, `${source}: resources[${i}]`);
        return r;
    });
    // Pending deletion (`delete: true`): replaced already, no longer what the stack declares, yet it still exists.
    const read = checked.filter((r) => r.delete !== true).map((r) => fromResourceV3(r, undecidable, decode));
    const pendingDeletion = checked.filter((r) => r.delete === true).map((r) => ({ ...fromResourceV3(r, undecidable, decode), pendingDeletion: true }));
    const pendingOperations = (Array.isArray(d.pending_operations) ? d.pending_operations : [])
        .filter((op: any) => op !== null && typeof op === "object" && typeof op.resource?.urn === "string")
        .map((op: any) => ({ type: String(op.resource.type ?? ""), name: nameOfUrn(op.resource.urn), operation: String(op.type ?? "unknown") }));
    if (decoded > 0) notes.push(`${decoded} secret value(s) read: the \`b64\` secrets provider only base64-encodes them`);
    if (undecidable.some((u) => u.reason === "secret")) {
        notes.push(`secret values are encrypted by the \`${providerType ?? "unknown"}\` secrets provider and were not decrypted: export with \`pulumi stack export --show-secrets\` to let the verdict see them`);
    }
    if (Array.isArray(d.pending_operations) && d.pending_operations.length > 0) {
        notes.push(`${d.pending_operations.length} operation(s) were pending when the state was written: the stack may hold resources the state does not list`);
    }
    const first = read.find((r) => r.urn)?.urn;
    // apitype OperationV2: { resource: ResourceV3, type: "creating" | "updating" | "deleting" | "reading" | ... }.
    const pending = (Array.isArray(d.pending_operations) ? d.pending_operations : []).map((o: { resource?: { urn?: unknown }; type?: unknown }) => ({ urn: String(o?.resource?.urn ?? "(no URN)"), type: String(o?.type ?? "unknown") }));
    return {
        kind: "state",
        source,
        ...(first ? stackOfUrn(first) : {}),
        resources: read,
        undecidable,
        notes,
        ...(pendingDeletion.length > 0 ? { pendingDeletion } : {}),
        ...(pendingOperations.length > 0 ? { pendingOperations } : {}),
        ...(pending.length > 0 ? { pending } : {}),
    };
}
