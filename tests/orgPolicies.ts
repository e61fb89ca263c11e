/**
 * IAM decisions under organisation policies, with the repo's evaluator
 * (`cli/src/checker/checks/iamEvaluator.ts`). iam-simulate's unsafe entry point adds neither
 * AWS's default `FullAWSAccess` SCP nor `RCPFullAWSAccess`, which AWS
 * attaches to every root, OU and account; both are added here as AWS
 * documents them, or every request would be implicitly denied.
 */
import type { PolicyDocument } from "../components";
import { decide, Decision, IamRequest } from "../cli/src/checker";

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
    return decide(request, { orgIdentifier: "ou-abcd-11111111", serviceControlPolicies: scps, resourceControlPolicies: rcps });
}
