/**
 * IAM decisions offline: the rendered documents evaluated by
 * @cloud-copilot/iam-simulate (AGPL-3.0, a devDependency: tests and tools
 * only, never the components or the policy pack).
 *
 * Its validated entry point rejects `secretsmanager:ResourceTag/<key>`, so
 * requests go through `runUnsafeSimulation`; `unrecognisedContextKeys` then
 * checks that every context key is one IAM knows for the request, so that a
 * misspelled key cannot be ignored silently.
 */
import { createValidatedPolicy, validateIdentityPolicy, validateResourcePolicy, validateTrustPolicy } from "@cloud-copilot/iam-policy";
import { allowedContextKeysForRequest, runUnsafeSimulation } from "@cloud-copilot/iam-simulate";
import type { PolicyDocument } from "../../../../components/lib/iam";
// Before any decision: one collator for the library's case-insensitive comparisons (same result, a third of its time).
import "./evaluatorCollator";

export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

export interface IamRequest {
    /** ARN of the caller (an assumed-role session) or a service principal. */
    principal: string;
    action: string;
    resource: string;
    /** Account that owns the resource. */
    resourceAccount: string;
    context: Record<string, string | string[]>;
    /** Policies attached to the caller. */
    identityPolicies?: PolicyDocument[];
    /** The resource's own policy, e.g. a role's trust policy. */
    resourcePolicy?: PolicyDocument;
    /** The caller's permissions boundary: it bounds the identity policies (never grants). */
    permissionBoundaries?: PolicyDocument[];
}

/** Service and resource control policies in force over the account, as one OU of the organisation. */
export interface OrgPolicySet {
    orgIdentifier: string;
    serviceControlPolicies: { name: string; policy: PolicyDocument }[];
    resourceControlPolicies: { name: string; policy: PolicyDocument }[];
}

/** IAM's decision for one request; with `org`, the organisation's SCPs and RCPs bound it too. */
export function decide(request: IamRequest, org?: OrgPolicySet): Decision {
    return runUnsafeSimulation(
        {
            request: {
                principal: request.principal,
                action: request.action,
                resource: { resource: request.resource, accountId: request.resourceAccount },
                contextVariables: request.context,
            },
            identityPolicies: (request.identityPolicies ?? []).map((policy, i) => ({ name: `identity-${i}`, policy })),
            resourcePolicy: request.resourcePolicy && createValidatedPolicy(request.resourcePolicy, validateResourcePolicy, { name: "resource" }),
            ...(request.permissionBoundaries ? { permissionBoundaryPolicies: request.permissionBoundaries.map((policy, i) => ({ name: `boundary-${i}`, policy })) } : {}),
            serviceControlPolicies: org ? [{ orgIdentifier: org.orgIdentifier, policies: org.serviceControlPolicies }] : [],
            resourceControlPolicies: org ? [{ orgIdentifier: org.orgIdentifier, policies: org.resourceControlPolicies }] : [],
        },
        {},
    ) as Decision;
}

/** Problems iam-policy finds in an identity or trust document; empty when valid. */
export function documentErrors(doc: PolicyDocument, kind: "identity" | "trust"): string[] {
    const errors = kind === "identity" ? validateIdentityPolicy(doc) : validateTrustPolicy(doc);
    return errors.map((e) => `${e.path}: ${e.message}`);
}

/** A key pattern of the service data (`secretsmanager:resourcetag/tag-key`, `kms:encryptioncontext:${encryptioncontextkey}`) as a regular expression. */
function keyPattern(pattern: string): RegExp {
    const escaped = pattern.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    // Any `${...}` placeholder (`${tagkey}`, `${encryptioncontextkey}`) stands for one key segment.
    return new RegExp("^" + escaped.replace(/\\\$\\\{[a-z]+\\\}|tag-key/g, "[^/]+") + "$");
}

const allowedCache = new Map<string, RegExp[]>();

/** Context keys of a request that IAM does not define for that action and resource. */
export async function unrecognisedContextKeys(action: string, resource: string, keys: string[]): Promise<string[]> {
    const [service, name] = action.split(":");
    const cacheKey = `${action} ${resource}`;
    let patterns = allowedCache.get(cacheKey);
    if (patterns === undefined) {
        patterns = (await allowedContextKeysForRequest(service, name, resource, false, undefined)).map(keyPattern);
        allowedCache.set(cacheKey, patterns);
    }
    return keys.filter((k) => !patterns!.some((p) => p.test(k.toLowerCase())));
}
