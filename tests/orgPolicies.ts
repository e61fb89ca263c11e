/**
 * IAM decisions under organisation policies: the repo's evaluator
 * (`scripts/lib/iamEvaluator.ts`) leaves SCPs and RCPs empty, so this runs
 * @cloud-copilot/iam-simulate with them. Its unsafe entry point adds neither
 * AWS's default `FullAWSAccess` SCP nor `RCPFullAWSAccess`, which AWS
 * attaches to every root, OU and account; both are added here as AWS
 * documents them, or every request would be implicitly denied.
 */
import { createValidatedPolicy, validateResourcePolicy } from "@cloud-copilot/iam-policy";
import { runUnsafeSimulation } from "@cloud-copilot/iam-simulate";
import type { PolicyDocument } from "../components";
import type { Decision, IamRequest } from "../scripts/lib/iamEvaluator";

/** https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html (FullAWSAccess) */
export const FULL_AWS_ACCESS: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };
/** https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html (RCPFullAWSAccess) */
export const RCP_FULL_AWS_ACCESS: PolicyDocument = {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: "*", Action: "*", Resource: "*" }],
};

export interface OrgPolicies {
    scp?: PolicyDocument;
    rcp?: PolicyDocument;
}

/** IAM's decision for one request with the SCP and RCP attached to the account's OU. */
export function decideUnder(org: OrgPolicies, request: IamRequest): Decision {
    const scps = [{ name: "FullAWSAccess", policy: FULL_AWS_ACCESS }, ...(org.scp ? [{ name: "guardrail-scp", policy: org.scp }] : [])];
    const rcps = [{ name: "RCPFullAWSAccess", policy: RCP_FULL_AWS_ACCESS }, ...(org.rcp ? [{ name: "guardrail-rcp", policy: org.rcp }] : [])];
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
            serviceControlPolicies: [{ orgIdentifier: "ou-abcd-11111111", policies: scps }],
            resourceControlPolicies: [{ orgIdentifier: "ou-abcd-11111111", policies: rcps }],
        },
        {},
    ) as Decision;
}
