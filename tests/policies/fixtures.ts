/**
 * A compliant stack, as the analyzer sees it, built from the same builders
 * as the components; each test changes one field of it.
 */
import type { PolicyResource } from "@pulumi/policy";
import {
    abacPermissionPolicy,
    abacTrustPolicy,
    clusterSecretStoreManifest,
    controllerPermissionPolicy,
    controllerTrustPolicy,
    esoHelmValues,
    PolicyDocument,
    renderPolicy,
} from "../../components";
import { stackResource } from "../helpers";

export const ctx = { partition: "aws", accountId: "111122223333", region: "eu-west-1" };
export const CONTROLLER_ARN = "arn:aws:iam::111122223333:role/prod-eu-eso-controller";
export const ABAC_ARN = "arn:aws:iam::111122223333:role/shared-abac";

export const docs = {
    controllerTrust: controllerTrustPolicy({
        ...ctx,
        clusterArn: "arn:aws:eks:eu-west-1:111122223333:cluster/prod-eu",
        esoNamespace: "external-secrets",
        esoServiceAccount: "external-secrets",
    }),
    controllerPermissions: controllerPermissionPolicy(ABAC_ARN),
    abacTrust: abacTrustPolicy({ ...ctx, controllerRoleArns: [CONTROLLER_ARN], clusterArns: ["arn:aws:eks:eu-west-1:111122223333:cluster/prod-eu"] }),
    abacPermissions: abacPermissionPolicy(ctx),
};

export interface StackParts {
    controllerTrust?: PolicyDocument | string;
    controllerPermissions?: PolicyDocument;
    abacTrust?: PolicyDocument | string;
    abacPermissions?: PolicyDocument;
    store?: Record<string, any>;
    helmValues?: Record<string, unknown>;
    extra?: PolicyResource[];
}

/** The stack the components deploy; every part replaceable. */
export function compliantStack(parts: StackParts = {}): PolicyResource[] {
    const controller = stackResource("aws:iam/role:Role", "controller", {
        name: "prod-eu-eso-controller",
        arn: CONTROLLER_ARN,
        assumeRolePolicy: asString(parts.controllerTrust ?? docs.controllerTrust),
    });
    const abac = stackResource("aws:iam/role:Role", "shared-abac", {
        name: "shared-abac",
        arn: ABAC_ARN,
        assumeRolePolicy: asString(parts.abacTrust ?? docs.abacTrust),
    });
    const controllerPolicy = stackResource(
        "aws:iam/rolePolicy:RolePolicy",
        "controller-assume-abac",
        { role: "prod-eu-eso-controller", policy: renderPolicy(parts.controllerPermissions ?? docs.controllerPermissions) },
        { role: [controller] },
    );
    const abacPolicy = stackResource(
        "aws:iam/rolePolicy:RolePolicy",
        "shared-abac-read",
        { role: "shared-abac", policy: renderPolicy(parts.abacPermissions ?? docs.abacPermissions) },
        { role: [abac] },
    );
    const store = stackResource(
        "kubernetes:external-secrets.io/v1:ClusterSecretStore",
        "store",
        parts.store ?? clusterSecretStoreManifest({ name: "team-secrets", region: ctx.region, abacRoleArn: ABAC_ARN }),
        { spec: [abac, abacPolicy] },
    );
    const release = stackResource("kubernetes:helm.sh/v3:Release", "eso", {
        chart: "external-secrets",
        version: "2.9.0",
        values: parts.helmValues ?? esoHelmValues({ serviceAccountName: "external-secrets", allowNamespacedSecretStores: false }),
    });
    return [controller, abac, controllerPolicy, abacPolicy, store, release, ...(parts.extra ?? [])];
}

function asString(doc: PolicyDocument | string): string {
    return typeof doc === "string" ? doc : renderPolicy(doc);
}

/** A deep copy of a document with `change` applied to its first statement. */
export function changeFirstStatement(doc: PolicyDocument, change: (s: Record<string, any>) => void): PolicyDocument {
    const copy = JSON.parse(JSON.stringify(doc));
    change(copy.Statement[0]);
    return copy;
}
