import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("eks-secrets-abac", {
    description: "Stops deployments that break or open per-team Secrets Manager access through one shared ABAC role.",
    policies,
});
