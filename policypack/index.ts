import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

// The pack's entry point: `pulumi preview --policy-pack policypack` and
// `pulumi policy publish policypack` start it. To reuse the policies in your
// own pack, import `policies` (or single policies) from "./policies".
new PolicyPack("eks-secrets-abac", {
    description: "Stops deployments that break or open per-team Secrets Manager access through one shared ABAC role.",
    policies,
});
