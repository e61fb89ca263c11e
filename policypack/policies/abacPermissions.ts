import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { POD_IDENTITY_SERVICE_PRINCIPAL } from "../../components/lib/constants";
import {
    coversAction,
    isAbacDocument,
    parseDocument,
    resourceTagConditions,
    Statement,
    usesPrincipalTag,
} from "./iamDocuments";
import { buildStackModel, RoleModel } from "./stackModel";
import { usesEsoSessionTags, TYPES } from "./types";

/** The permission documents a resource carries itself. */
export function documentsOf(type: string, props: Record<string, any>): { where: string; doc: unknown }[] {
    switch (type) {
        case TYPES.rolePolicy:
        case TYPES.policy:
            return [{ where: "policy", doc: props.policy }];
        case TYPES.role:
            return (props.inlinePolicies ?? []).map((p: { name?: string; policy?: unknown }, i: number) => ({
                where: `inlinePolicies[${i}]${p?.name ? ` (${p.name})` : ""}`,
                doc: p?.policy,
            }));
        default:
            return [];
    }
}

/** Conditions that compare a resource tag with a principal tag by wildcard. */
export function wildcardTagMatches(statements: Statement[]): string[] {
    return statements.flatMap((s) =>
        resourceTagConditions(s)
            .filter((c) => c.baseOperator === "StringLike" && usesPrincipalTag(c))
            .map((c) => `${c.operator} ${c.key} = ${c.values.join(", ")}`),
    );
}

export const abacPolicyDisallowWildcardTagMatch: ResourceValidationPolicy = {
    name: "iam-abac-policy-disallow-wildcard-tag-match",
    description:
        "An ABAC permission policy compares a resource tag with ${aws:PrincipalTag/...} through StringLike: '*' and '?' in a tag then match other namespaces (team 'a' reads 'a-admin'); use StringEquals.",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps: "Replace StringLike with StringEquals in every condition that compares secretsmanager:ResourceTag/... or aws:ResourceTag/... with a principal tag.",
    validateResource: (args, reportViolation) => {
        const docs = documentsOf(args.type, args.props);
        if (docs.length === 0) args.notApplicable("carries no IAM permission document");
        for (const { where, doc } of docs) {
            const statements = parseDocument(doc);
            if (statements === undefined) continue;
            for (const match of wildcardTagMatches(statements)) {
                reportViolation(`'${args.name}' ${where} compares tags by wildcard (${match}): use StringEquals.`);
            }
        }
    },
};

const SECRET_READ = "secretsmanager:GetSecretValue";

/** Allow statements that read secrets with no resource-tag condition at all. */
export function untaggedSecretReads(statements: Statement[]): Statement[] {
    return statements.filter((s) => s.effect === "Allow" && coversAction(s, SECRET_READ) && resourceTagConditions(s).length === 0);
}

/** Roles meant for ABAC: a permission document keys on principal tags, or a tagging store assumes them. */
export function abacRoles(resources: Parameters<typeof buildStackModel>[0]): RoleModel[] {
    const model = buildStackModel(resources);
    const storeRoles = new Set(model.stores.filter((s) => usesEsoSessionTags(s.props.spec?.provider?.aws)).flatMap((s) => model.storeRoles(s).map((r) => r.resource.urn)));
    return model.roles.filter((r) => storeRoles.has(r.resource.urn) || r.permissions.some(isAbacDocument));
}

export const abacRoleDisallowUntaggedSecretRead: StackValidationPolicy = {
    name: "abac-role-disallow-untagged-secret-read",
    description:
        "A role meant for ABAC (its policy keys on principal tags, or an ESO store assumes it with session tags) also grants secretsmanager:GetSecretValue without a tag condition, so every team reads every secret.",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps: "Remove the statement, or add the StringEquals conditions on secretsmanager:ResourceTag/kubernetes-namespace and eks-cluster-name that the ABAC statement has.",
    validateStack: (args, reportViolation) => {
        for (const role of abacRoles(args.resources)) {
            const open = role.permissions.flatMap(untaggedSecretReads);
            if (open.length > 0) {
                const sids = open.map((s) => String(s.raw.Sid ?? "(no Sid)")).join(", ");
                reportViolation(
                    `ABAC role '${role.resource.name}' grants ${SECRET_READ} without a resource-tag condition (statements: ${sids}): every namespace reads every secret. Remove it or add the tag conditions.`,
                    role.resource.urn,
                );
            }
        }
    },
};

const POD_IDENTITY = `Service:${POD_IDENTITY_SERVICE_PRINCIPAL}`;

export const podIdentityChainingRoleDisallowSecretRead: StackValidationPolicy = {
    name: "pod-identity-chaining-role-disallow-secret-read",
    description:
        "A Pod Identity role that chains into another role (as ESO's controller role does) also reads Secrets Manager itself, so any store without `role` reads those secrets with no namespace check.",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps: "Give the controller role only sts:AssumeRole and sts:TagSession on the shared ABAC role; move secret reads to that role.",
    validateStack: (args, reportViolation) => {
        for (const role of buildStackModel(args.resources).roles) {
            const podIdentity = (role.trust ?? []).some((s) => s.effect === "Allow" && s.principals.includes(POD_IDENTITY));
            if (!podIdentity) continue;
            const statements = role.permissions.flat().filter((s) => s.effect === "Allow");
            const chains = statements.some((s) => coversAction(s, "sts:AssumeRole"));
            const reads = statements.some((s) => coversAction(s, SECRET_READ));
            if (chains && reads) {
                reportViolation(
                    `Pod Identity role '${role.resource.name}' assumes other roles and also grants ${SECRET_READ}: a store without \`role\` reads secrets with no namespace check. Remove the Secrets Manager permission.`,
                    role.resource.urn,
                );
            }
        }
    },
};
