/**
 * Admission rules that keep each team's objects on its own fault domain's
 * controller, once a stack runs more than one (faultDomains.ts). Without
 * them a team moved to its own controller could still cost the others
 * worker time, because in ESO v2.9.0:
 *
 * - A store without `spec.controller` is served by every controller
 *   (`pkg/controllers/secretstore/common.go` `ShouldProcessStore`).
 * - An ExternalSecret is skipped by a controller only when a store or
 *   generator it names carries another class
 *   (`externalsecret_controller.go` `shouldSkipUnmanagedStore`); a store it
 *   names that does not exist is skipped over ("skip non-existent stores"),
 *   and Password, SSHKey, UUID and MFA generators have no `spec.controller`
 *   at all (only Fake, Vault and BeyondTrust generators do:
 *   `apis/generators/v1alpha1/types_*.go`). An ExternalSecret that names no
 *   existing classed store is therefore reconciled by EVERY controller, and
 *   its generators run first (`GetProviderSecretData`, before any store is read).
 *
 * So with several controllers: every store names its controller, the
 * stack's stores the one of their domain; an ExternalSecret must name a
 * store; in a team's namespace (labelled for its domain's store) every store
 * it names must be one of its domain's ClusterSecretStores, which exist and
 * carry the domain's class. Outside team namespaces a reference to a store
 * that does not exist still reaches every controller (docs/ESO_HARDENING.md).
 */
import { STORE_LABEL_KEY } from "./constants";
import type { Validation } from "./manifests";

/** One domain's controller class and its ClusterSecretStores, the Secrets Manager one (its label value) first. */
export interface DomainStores {
    controller: string;
    stores: string[];
}

const q = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
const list = (xs: string[]) => `[${xs.map(q).join(", ")}]`;
const map = (entries: [string, string][]) => `{${entries.map(([k, v]) => `${q(k)}: ${v}`).join(", ")}}`;

/** The store label of the request's namespace, '' when it has none. */
const NS_LABEL = `(has(namespaceObject.metadata.labels) && ${q(STORE_LABEL_KEY)} in namespaceObject.metadata.labels ? namespaceObject.metadata.labels[${q(STORE_LABEL_KEY)}] : '')`;

const S = "object.spec";
const REF = (r: string) => `has(${r}.sourceRef) && has(${r}.sourceRef.storeRef)`;
/** Every store reference of an ExternalSecret: the spec's, each data entry's and each dataFrom entry's. */
export const STORE_REFS_CEL =
    `(has(${S}.secretStoreRef) && has(${S}.secretStoreRef.name) && ${S}.secretStoreRef.name != '' ? [${S}.secretStoreRef] : []) + ` +
    `(has(${S}.data) ? ${S}.data.filter(d, ${REF("d")}).map(d, d.sourceRef.storeRef) : []) + ` +
    `(has(${S}.dataFrom) ? ${S}.dataFrom.filter(d, ${REF("d")}).map(d, d.sourceRef.storeRef) : [])`;

const several = (domains: DomainStores[]) => domains.length > 1;

/** Rules for the store guard (SecretStores and ClusterSecretStores); none with one controller. */
export function faultDomainStoreValidations(domains: DomainStores[]): Validation[] {
    if (!several(domains)) return [];
    const isStore = "request.resource.resource == 'secretstores'";
    const isClusterStore = "request.resource.resource == 'clustersecretstores'";
    const owner = map(domains.flatMap((d) => d.stores.map((s) => [s, q(d.controller)] as [string, string])));
    const byLabel = map(domains.map((d) => [d.stores[0], q(d.controller)]));
    const classes = domains.map((d) => d.controller).join(", ");
    return [
        {
            expression: `!(${isStore} || ${isClusterStore}) || (has(${S}.controller) && ${S}.controller != '')`,
            message:
                `This cluster runs several ESO controllers (${classes}): a store must set spec.controller to one of them, ` +
                "or every controller serves it and one team's load reaches them all (ESO ShouldProcessStore).",
        },
        {
            expression: `!(${isClusterStore}) || !(object.metadata.name in ${owner}) || (has(${S}.controller) && ${S}.controller == ${owner}[object.metadata.name])`,
            message: "This ClusterSecretStore belongs to a fault domain: its spec.controller must name that domain's controller (the stack's esoControllers and teams[].controller).",
        },
        {
            expression: `!(${isStore}) || !(${NS_LABEL} in ${byLabel}) || (has(${S}.controller) && ${S}.controller == ${byLabel}[${NS_LABEL}])`,
            message: "A SecretStore in a team's namespace must set spec.controller to its team's controller (teams[].controller), so it does not run on another team's.",
        },
    ];
}

/** Rules for the ExternalSecret guard; none with one controller. */
export function faultDomainExternalSecretValidations(domains: DomainStores[]): Validation[] {
    if (!several(domains)) return [];
    const es = (expression: string, message: string): Validation => ({ expression: `request.resource.resource != 'externalsecrets' || (${expression})`, message });
    const storesByLabel = map(domains.map((d) => [d.stores[0], list(d.stores)]));
    return [
        es(
            `size((${STORE_REFS_CEL}).filter(r, has(r.name) && r.name != '')) > 0`,
            "This cluster runs several ESO controllers: an ExternalSecret must name a store (spec.secretStoreRef), so that only that store's controller runs it. " +
                "An ExternalSecret of generators alone is run by every controller (ESO shouldSkipUnmanagedStore): add your team's ClusterSecretStore as spec.secretStoreRef.",
        ),
        es(
            `!(${NS_LABEL} in ${storesByLabel}) || (${STORE_REFS_CEL}).all(r, has(r.kind) && r.kind == 'ClusterSecretStore' && has(r.name) && r.name in ${storesByLabel}[${NS_LABEL}])`,
            "In a team's namespace every store an ExternalSecret names must be a ClusterSecretStore of the team's own controller (the one its namespace is labelled for, " +
                `${STORE_LABEL_KEY}): another store, or one that does not exist, lets another team's controller run it.`,
        ),
    ];
}
