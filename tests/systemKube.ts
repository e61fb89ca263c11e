/**
 * Every Kubernetes object a stack declares, judged as the API server would
 * judge it on the first `pulumi up`: by the stack's own
 * ValidatingAdmissionPolicies (the shipped CEL, evaluated by the same
 * engine as tests/admission.test.ts), by its CRD's schema (closed, as the
 * API server prunes), and by the name rules of its kind. Helm release
 * names are judged as Helm does. A kind this module does not know fails:
 * an unclassified object must not pass unseen.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { evaluate } from "@marcbachmann/cel-js";
import type { RecordedResource } from "../cli/src/checker";
import { CrdInfo, schemaErrors } from "./crdObjects";
import { artefactDir } from "./helpers";

export interface KubeObject {
    apiVersion: string;
    kind: string;
    metadata: { name?: string; namespace?: string; [key: string]: unknown };
    [key: string]: unknown;
}

/** Built-in kinds the stack may declare: group and plural (kubernetes.io/docs/reference/kubernetes-api/). */
const BUILT_IN: Record<string, { plural: string; namespaced: boolean }> = {
    "rbac.authorization.k8s.io/ClusterRole": { plural: "clusterroles", namespaced: false },
    "rbac.authorization.k8s.io/ClusterRoleBinding": { plural: "clusterrolebindings", namespaced: false },
    "rbac.authorization.k8s.io/Role": { plural: "roles", namespaced: true },
    "rbac.authorization.k8s.io/RoleBinding": { plural: "rolebindings", namespaced: true },
    "admissionregistration.k8s.io/ValidatingAdmissionPolicy": { plural: "validatingadmissionpolicies", namespaced: false },
    "admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding": { plural: "validatingadmissionpolicybindings", namespaced: false },
    "/Namespace": { plural: "namespaces", namespaced: false },
    "/ServiceAccount": { plural: "serviceaccounts", namespaced: true },
    "/ConfigMap": { plural: "configmaps", namespaced: true },
    "networking.k8s.io/NetworkPolicy": { plural: "networkpolicies", namespaced: true },
};

/** Who applies the stack's objects: the deployer, a cluster administrator. */
const DEPLOYER = { username: "pulumi-deployer", groups: ["system:authenticated", "system:masters"] };

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** helm/pkg/chartutil/validate_name.go (Helm 3): a release name is a DNS-1123 subdomain of at most 53 characters. */
const HELM_RELEASE_MAX = 53;
/** pulumi-kubernetes autonames a Release without `name` as `<resource name>-<8 random lower-case letters and digits>`. */
const RELEASE_AUTONAME_SUFFIX = 9;

function splitApiVersion(apiVersion: string): { group: string; version: string } {
    const i = apiVersion.lastIndexOf("/");
    return i < 0 ? { group: "", version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** The objects of a run: every custom Kubernetes resource except Helm releases (judged by name) and providers. */
export function kubeObjectsOf(resources: RecordedResource[]): KubeObject[] {
    return resources
        .filter((r) => r.custom && r.type.startsWith("kubernetes:") && r.type !== "kubernetes:helm.sh/v3:Release")
        .map((r) => {
            const [, apiVersion, kind] = /^kubernetes:(.+):([^:]+)$/.exec(r.type) ?? [];
            return { ...r.inputs, apiVersion: r.inputs.apiVersion ?? (apiVersion.startsWith("core/") ? apiVersion.slice(5) : apiVersion), kind: r.inputs.kind ?? kind, metadata: r.inputs.metadata ?? {} } as KubeObject;
        });
}

export interface KubeVerdict {
    /** `<kind>/<name>: <message>` for every refusal, schema error and bad name; empty when the API server and Helm accept all. */
    problems: string[];
    /** How many (object, policy) pairs were evaluated, so a test can tell that something was judged. */
    evaluated: number;
}

export interface Kinds {
    /** CRDs by kind (the ESO chart's, the CSI driver's). */
    crds: Map<string, CrdInfo>;
}

let csiCrd: CrdInfo | undefined;

/** The SecretProviderClass CRD the driver chart installs (vendored beside it). */
export function secretProviderClassCrd(): CrdInfo {
    if (csiCrd === undefined) {
        const crd = YAML.parse(fs.readFileSync(path.join(artefactDir("secrets-store-csi"), "secretproviderclasses.crd.yaml"), "utf8"));
        const v = crd.spec.versions.find((x: any) => x.name === "v1");
        csiCrd = { group: crd.spec.group, kind: crd.spec.names.kind, plural: crd.spec.names.plural, scope: crd.spec.scope, version: "v1", schema: v.schema.openAPIV3Schema };
    }
    return csiCrd;
}

function kindInfo(kinds: Kinds, object: KubeObject): { group: string; version: string; plural: string; crd?: CrdInfo } {
    const { group, version } = splitApiVersion(object.apiVersion);
    const crd = kinds.crds.get(object.kind);
    if (crd !== undefined && crd.group === group) return { group, version, plural: crd.plural, crd };
    const builtIn = BUILT_IN[`${group}/${object.kind}`];
    if (builtIn === undefined) throw new Error(`systemKube: ${object.apiVersion} ${object.kind} is not classified; add its plural and schema`);
    return { group, version, plural: builtIn.plural };
}

interface BoundPolicy {
    name: string;
    spec: any;
}

/** The policies a Deny binding enforces; a policy without a binding enforces nothing. */
function boundPolicies(objects: KubeObject[]): BoundPolicy[] {
    const bound = new Set(
        objects
            .filter((o) => o.kind === "ValidatingAdmissionPolicyBinding")
            .filter((o) => ((o as any).spec?.validationActions ?? []).includes("Deny"))
            .map((o) => (o as any).spec.policyName as string),
    );
    return objects.filter((o) => o.kind === "ValidatingAdmissionPolicy" && bound.has(o.metadata.name as string)).map((o) => ({ name: o.metadata.name as string, spec: (o as any).spec }));
}

const matchesList = (list: string[] | undefined, value: string) => (list ?? []).some((x) => x === "*" || x === value);

function matches(spec: any, group: string, version: string, plural: string, operation: string): boolean {
    const constraints = spec.matchConstraints ?? {};
    for (const unsupported of ["namespaceSelector", "objectSelector", "excludeResourceRules"]) {
        if (constraints[unsupported] !== undefined && Object.keys(constraints[unsupported]).length > 0) {
            throw new Error(`systemKube: matchConstraints.${unsupported} is not evaluated here; teach this module before relying on it`);
        }
    }
    return (constraints.resourceRules ?? []).some(
        (r: any) => matchesList(r.apiGroups, group) && matchesList(r.apiVersions, version) && matchesList(r.operations, operation) && matchesList(r.resources, plural),
    );
}

/** Evaluates one expression; an error denies, as `failurePolicy: Fail` does. */
function holds(expression: string, context: Record<string, unknown>): boolean {
    try {
        return evaluate(expression, context) === true;
    } catch {
        return false;
    }
}

/** Messages of the stack's own policies that refuse `object` on CREATE. */
export function admissionRefusals(policies: BoundPolicy[], kinds: Kinds, object: KubeObject, counter: { n: number }, namespaces: Map<string, Record<string, string>> = new Map()): string[] {
    const { group, version, plural } = kindInfo(kinds, object);
    const request = {
        operation: "CREATE",
        resource: { group, version, resource: plural },
        kind: { group, version, kind: object.kind },
        name: object.metadata.name,
        namespace: object.metadata.namespace ?? "",
        userInfo: DEPLOYER,
    };
    const out: string[] = [];
    for (const policy of policies) {
        if (!matches(policy.spec, group, version, plural, "CREATE")) continue;
        // The API server passes the request's Namespace (null for cluster-scoped objects); an undeclared one exists without labels.
        const ns = object.metadata.namespace;
        const namespaceObject = ns === undefined ? null : { apiVersion: "v1", kind: "Namespace", metadata: { name: ns, labels: namespaces.get(ns) ?? {} } };
        const context: Record<string, unknown> = { object, oldObject: null, request, params: null, namespaceObject };
        if ((policy.spec.matchConditions ?? []).some((c: any) => !holds(c.expression, context))) continue;
        const variables: Record<string, unknown> = {};
        for (const v of policy.spec.variables ?? []) {
            try {
                variables[v.name] = evaluate(v.expression, { ...context, variables });
            } catch {
                variables[v.name] = undefined;
            }
        }
        for (const rule of policy.spec.validations ?? []) {
            counter.n++;
            if (!holds(rule.expression, { ...context, variables })) out.push(`${policy.name}: ${rule.message ?? rule.expression}`);
        }
    }
    return out;
}

const BUILT_IN_NAME_LABEL = new Set(["Namespace"]);

/** Judges every Kubernetes object and every Helm release name of a run. */
export function judgeKube(resources: RecordedResource[], kinds: Kinds): KubeVerdict {
    const objects = kubeObjectsOf(resources);
    const policies = boundPolicies(objects);
    // Labels of each Namespace as the stack leaves it (created, or patched by server-side apply).
    const namespaces = new Map<string, Record<string, string>>();
    for (const o of objects.filter((x) => x.kind === "Namespace" || x.kind === "NamespacePatch")) {
        namespaces.set(o.metadata.name as string, { ...(namespaces.get(o.metadata.name as string) ?? {}), ...((o.metadata.labels as Record<string, string> | undefined) ?? {}) });
    }
    const problems: string[] = [];
    const counter = { n: 0 };
    for (const object of objects) {
        const at = `${object.kind}/${object.metadata.namespace ? `${object.metadata.namespace}/` : ""}${object.metadata.name}`;
        const name = object.metadata.name;
        const rule = BUILT_IN_NAME_LABEL.has(object.kind) ? DNS1123_LABEL : DNS1123_SUBDOMAIN;
        const max = BUILT_IN_NAME_LABEL.has(object.kind) ? 63 : 253;
        if (typeof name !== "string" || name.length > max || !rule.test(name)) problems.push(`${at}: metadata.name is not a valid DNS-1123 name of at most ${max} characters`);
        const ns = object.metadata.namespace;
        if (ns !== undefined && (ns.length > 63 || !DNS1123_LABEL.test(ns))) problems.push(`${at}: metadata.namespace is not a DNS-1123 label`);
        for (const refusal of admissionRefusals(policies, kinds, object, counter, namespaces)) problems.push(`${at}: refused by ${refusal}`);
        const { crd } = kindInfo(kinds, object);
        if (crd !== undefined) {
            const body = { ...object, metadata: object.metadata };
            for (const e of schemaErrors(crd, body)) problems.push(`${at}: schema ${e}`);
        }
    }
    for (const r of resources.filter((x) => x.custom && x.type === "kubernetes:helm.sh/v3:Release")) {
        const explicit = r.inputs.name as string | undefined;
        const length = explicit !== undefined ? explicit.length : r.name.length + RELEASE_AUTONAME_SUFFIX;
        const shape = explicit ?? `${r.name}-abcd1234`;
        if (length > HELM_RELEASE_MAX || !DNS1123_SUBDOMAIN.test(shape)) {
            problems.push(`Release ${r.name}: the Helm release name (${explicit === undefined ? "auto-named " : ""}${length} characters) is not a DNS-1123 name of at most ${HELM_RELEASE_MAX}`);
        }
    }
    return { problems, evaluated: counter.n };
}

/** CRDs the stack's objects may be: the ESO chart's and the SecretProviderClass. */
export function kindsWith(esoCrds: Map<string, CrdInfo>): Kinds {
    const crds = new Map(esoCrds);
    const spc = secretProviderClassCrd();
    crds.set(spc.kind, spc);
    return { crds };
}
