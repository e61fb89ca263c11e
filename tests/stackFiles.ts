/**
 * A stack's resources as the files Pulumi writes: what `pulumi stack export`
 * and `pulumi preview --json` print. Shared by the input tests and the
 * agreement test, which make them from a program run offline.
 */
import type { StackResource } from "../cli/src/checker";

/** The secret marker of pulumi/pulumi (`sdk/go/common/resource/properties.go` SecretSig) and its value. */
export const SIG = "4dabf18193072939515e22adb298388d";
export const SECRET = "1b47061264138c4ac30d75fd1eb44270";

/** A `ResourceV3` of a stack resource (apitype/core.go: urn, custom, id, type, inputs, outputs, parent, provider). */
export function resourceV3(r: StackResource) {
    return {
        urn: r.urn,
        custom: r.custom,
        ...(r.custom ? { id: r.id ?? `${r.name}-id` } : {}),
        type: r.type,
        inputs: r.inputs,
        outputs: r.state ?? {},
        ...(r.parent ? { parent: r.parent } : {}),
        ...(r.provider ? { provider: r.provider } : {}),
    };
}

/** What `pulumi stack export` prints for these resources. */
export function stackExport(resources: StackResource[], secretsProvider = "passphrase", map: (r: ReturnType<typeof resourceV3>) => unknown = (r) => r) {
    return {
        version: 3,
        deployment: {
            manifest: { time: "2026-12-02T12:00:00Z", magic: "", version: "v3.259.0" },
            secrets_providers: { type: secretsProvider, state: {} },
            resources: resources.map(resourceV3).map(map),
        },
    };
}

/** What `pulumi preview --json` prints for a stack deployed already and unchanged: every step `same`, its new state the current one. */
export function previewDigest(resources: StackResource[], config: Record<string, string> = { "aws:region": "eu-west-1" }) {
    return {
        config,
        steps: resources.map((r) => ({ op: "same", urn: r.urn, ...(r.provider ? { provider: r.provider } : {}), oldState: resourceV3(r), newState: resourceV3(r), detailedDiff: null })),
        changeSummary: { same: resources.length },
    };
}
