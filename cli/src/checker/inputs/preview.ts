/**
 * The real engine's view of the next deployment: the file `pulumi preview --json` writes.
 *
 * Shape (pulumi/pulumi v3.259.0): `pkg/display/json.go` `PreviewDigest`: `config`, `steps[]`
 * (`PreviewStep`: `op`, `urn`, `provider`, `oldState`, `newState` as `apitype.ResourceV3`),
 * `diagnostics`, `changeSummary`. `pkg/backend/display/json.go` `getPreviewMetadataStep`
 * serialises the states with `showSecrets` false after `stateForJSONOutput`, which replaces
 * every secret by the string `[secret]` (`MassageSecrets`); values the engine does not know yet
 * are `04da6b54-80e4-46f7-96ec-b56ff0331ba9` (`computedValuePlaceholder`).
 */
import { checkResourceV3, fromResourceV3, InputError, stackOfUrn, StackInput, StackResource, Undecidable } from "./resources";

/** What a preview prints for a secret (`pkg/backend/display/json.go` `MassageSecrets`). */
export const BLINDED_SECRET = "[secret]";

/** Steps after which the resource is not in the stack (pkg/resource/deploy/step.go, the `Op...` StepOp constants). */
const GONE = new Set(["delete", "delete-replaced", "discard", "discard-replaced", "remove-pending-replace"]);

export function isPreviewDigest(json: unknown): boolean {
    const o = json as Record<string, unknown>;
    return o !== null && typeof o === "object" && !Array.isArray(o) && (Array.isArray(o.steps) || (typeof o.changeSummary === "object" && o.changeSummary !== null)) && o.version === undefined;
}

export function readPreviewDigest(json: unknown, source: string): StackInput {
    const o = json as { steps?: unknown[]; config?: Record<string, string>; diagnostics?: { severity?: string; message?: string; urn?: string }[] };
    const undecidable: Undecidable[] = [];
    const byUrn = new Map<string, StackResource>();
    for (const [i, step] of (o.steps ?? []).entries()) {
        const s = step as { op?: string; urn?: string; newState?: unknown };
        if (typeof s?.op !== "string" || typeof s.urn !== "string") throw new InputError(`${source}: steps[${i}] has no \`op\` and \`urn\`: not a step of \`pulumi preview --json\``);
        if (GONE.has(s.op)) {
            byUrn.delete(s.urn);
            continue;
        }
        if (s.newState === undefined) continue;
        checkResourceV3(s.newState, `${source}: steps[${i}].newState`);
        // A replacement has several steps for one URN; the last one's new state is what will exist.
        const found: Undecidable[] = [];
        byUrn.set(s.urn, fromResourceV3(s.newState, found, () => undefined, BLINDED_SECRET));
        undecidable.splice(0, undecidable.length, ...undecidable.filter((u) => u.urn !== s.urn), ...found);
    }
    const resources = [...byUrn.values()];
    const notes: string[] = [];
    const errors = (o.diagnostics ?? []).filter((d) => d.severity === "error");
    if (errors.length > 0) notes.push(`the preview reported ${errors.length} error(s): it may not list every resource (${errors.map((d) => d.message?.trim()).filter(Boolean).slice(0, 3).join("; ")})`);
    if (undecidable.some((u) => u.reason === "secret")) notes.push(`a preview prints every secret as \`${BLINDED_SECRET}\`: checks that need those values were not decided`);
    if (undecidable.some((u) => u.reason === "unknown")) notes.push("values the engine computes during the deployment (new ARNs, generated names) are unknown in a preview: checks that need them were not decided");
    const first = resources.find((r) => r.urn)?.urn;
    return {
        kind: "preview",
        source,
        ...(first ? stackOfUrn(first) : {}),
        resources,
        undecidable,
        ...(o.config ? { config: o.config } : {}),
        notes,
    };
}
