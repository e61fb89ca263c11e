/**
 * The CSI delivery mode's policies: SecretProviderClasses that would leave
 * Pod Identity, associations of the CSI role without session tags, a CSI
 * role keyed on anything but the pod's own tags, and ESO using the CSI role.
 * The compliant CSI stack is built from the components' own documents
 * (components/lib/csiIam.ts); the SecretProviderClass is written from ASCP's
 * documented shape (README "SecretProviderClass options", server.go `Mount`).
 */
import * as assert from "assert";
import type { PolicyResource } from "@pulumi/policy";
import { renderPolicy } from "../../components";
import { csiPermissionPolicy, csiTrustPolicy } from "../../components/lib/csiIam";
import { abacPermissionPolicy } from "../../components/lib/iam";
import {
    abacPolicyKeysOnSessionNamespace,
    csiRoleAssociationKeepsSessionTags,
    csiRoleDisallowEsoUse,
    csiRolePolicyKeysOnPodTags,
    csiSecretProviderClassRequiresPodIdentity,
} from "../../policypack/policies/csi";
import { abacPolicyDisallowLiteralNamespace, abacPolicyRequiresExactTagMatch, abacPolicyRequiresTagMismatchDeny, policies } from "../../policypack/policies";
import { runPolicies, stackResource, stackViolations, violations } from "../helpers";
import { UNKNOWN } from "../analyzer";
import { changeFirstStatement, compliantStack, ctx } from "./fixtures";

const SPC = "kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClass";
const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation";
const CSI_ARN = "arn:aws:iam::111122223333:role/prod-eu-csi";
const CLUSTER_ARN = "arn:aws:eks:eu-west-1:111122223333:cluster/prod-eu";

export const csiDocs = {
    trust: csiTrustPolicy({ ...ctx, clusterArn: CLUSTER_ARN, refusedNamespaces: ["external-secrets", "kube-system"] }),
    permissions: csiPermissionPolicy({ ...ctx, parameters: true }),
};

/** A SecretProviderClass as ASCP documents it for Pod Identity. */
export function spc(parameters: Record<string, unknown> = { usePodIdentity: "true" }, provider: unknown = "aws"): Record<string, any> {
    return {
        apiVersion: "secrets-store.csi.x-k8s.io/v1",
        kind: "SecretProviderClass",
        metadata: { name: "payments-db", namespace: "payments" },
        spec: { provider, parameters: { region: "eu-west-1", objects: '- objectName: "payments/db"\n  objectType: "secretsmanager"\n', ...parameters } },
    };
}

interface CsiParts {
    permissions?: object;
    trust?: object;
    association?: Record<string, unknown>;
    extra?: (roles: { csi: PolicyResource; csiPolicy: PolicyResource }) => PolicyResource[];
    /** Joins by dependency only, ARNs unknown: a first preview. */
    firstPreview?: boolean;
}

/** ESO's compliant stack plus the CSI mode: the CSI role, its policy, one team association, one SecretProviderClass. */
export function csiStack(parts: CsiParts = {}): PolicyResource[] {
    const arn = parts.firstPreview ? UNKNOWN : CSI_ARN;
    const csi = stackResource(ROLE, "csi", { name: parts.firstPreview ? UNKNOWN : "prod-eu-csi", arn, assumeRolePolicy: typeof parts.trust === "string" ? parts.trust : renderPolicy((parts.trust ?? csiDocs.trust) as any) });
    const csiPolicy = stackResource(ROLE_POLICY, "csi-read", { role: parts.firstPreview ? UNKNOWN : "prod-eu-csi", policy: renderPolicy((parts.permissions ?? csiDocs.permissions) as any) }, { role: [csi] });
    const association = stackResource(
        ASSOCIATION,
        "payments-app",
        { clusterName: "prod-eu", namespace: "payments", serviceAccount: "app", roleArn: arn, ...parts.association },
        parts.firstPreview ? { roleArn: [csi] } : {},
    );
    const eso = compliantStack().map((r) => (r.type === "kubernetes:helm.sh/v3:Release" ? stackResource(r.type, r.name, { ...r.props, namespace: "external-secrets" }) : r));
    return [...eso, csi, csiPolicy, association, stackResource(SPC, "payments-db", spc()), ...(parts.extra?.({ csi, csiPolicy }) ?? [])];
}

describe("the compliant CSI stack", () => {
    it("adds no finding of any policy of the pack to ESO's compliant stack", async () => {
        // ESO's fixture alone lacks the generator guard (eso-release-disallow-unguarded-generators): the CSI parts must add nothing to it.
        const eso = csiStack().filter((r) => !["csi", "csi-read", "payments-app", "payments-db"].includes(r.name));
        assert.deepStrictEqual(await runPolicies(policies, csiStack()), await runPolicies(policies, eso));
        assert.strictEqual((await runPolicies(policies, eso)).length, 1);
    });
});

describe("csi-secret-provider-class-requires-pod-identity", () => {
    it('passes usePodIdentity "true" and the other strings ASCP\'s strconv.ParseBool reads as true', async () => {
        for (const value of ["true", "True", "TRUE", "1", "t"]) {
            assert.deepStrictEqual(await violations(csiSecretProviderClassRequiresPodIdentity, SPC, spc({ usePodIdentity: value })), [], value);
        }
    });

    it("reports an aws SecretProviderClass without usePodIdentity: ASCP falls back to IRSA", async () => {
        const found = await violations(csiSecretProviderClassRequiresPodIdentity, SPC, spc({}));
        assert.strictEqual(found.length, 1);
        assert.match(found[0], /SecretProviderClass 'subject' does not set usePodIdentity: ASCP falls back to IRSA/);
    });

    it('reports "false", "yes" (ParseBool refuses it: the mount fails) and a boolean true (the CRD holds strings only)', async () => {
        assert.match((await violations(csiSecretProviderClassRequiresPodIdentity, SPC, spc({ usePodIdentity: "false" })))[0], /sets usePodIdentity: "false"/);
        assert.match((await violations(csiSecretProviderClassRequiresPodIdentity, SPC, spc({ usePodIdentity: "yes" })))[0], /sets usePodIdentity: "yes"/);
        assert.match((await violations(csiSecretProviderClassRequiresPodIdentity, SPC, spc({ usePodIdentity: true })))[0], /to a boolean, which the CRD \(map of strings\) refuses/);
    });

    it("judges v1alpha1 and the SSA patch type too, and leaves other providers alone (near miss)", async () => {
        assert.strictEqual((await violations(csiSecretProviderClassRequiresPodIdentity, "kubernetes:secrets-store.csi.x-k8s.io/v1alpha1:SecretProviderClass", spc({}))).length, 1);
        assert.strictEqual((await violations(csiSecretProviderClassRequiresPodIdentity, "kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClassPatch", spc({}))).length, 1);
        assert.deepStrictEqual(await violations(csiSecretProviderClassRequiresPodIdentity, SPC, spc({}, "azure")), []);
    });

    it("leaves an unknown usePodIdentity undecided, and excludeFor exempts an IRSA cluster's class", async () => {
        const open = await violations(csiSecretProviderClassRequiresPodIdentity, SPC, spc({ usePodIdentity: UNKNOWN }));
        assert.strictEqual(open.length, 1);
        assert.match(open[0], /^undecided: .*spec\.parameters\.usePodIdentity/);
        assert.deepStrictEqual(await violations(csiSecretProviderClassRequiresPodIdentity, SPC, spc({}), { config: { excludeFor: ["legacy-*"] }, name: "legacy-db" }), ["not applicable: excluded by excludeFor"]);
    });
});

describe("iam-abac-policy-keys-on-session-namespace", () => {
    const policy = (doc: object) => ({ role: "prod-eu-csi", policy: renderPolicy(doc as any) });
    /** The CSI document with every namespace condition keyed on `tag`. */
    const keyedOn = (tag: string) => JSON.parse(JSON.stringify(csiDocs.permissions).split("aws:PrincipalTag/kubernetes-namespace}").join(`aws:PrincipalTag/${tag}}`));

    it("passes the CSI role's document (pod's kubernetes-namespace) and ESO's shared role's (esoNamespace)", async () => {
        assert.deepStrictEqual(await violations(abacPolicyKeysOnSessionNamespace, ROLE_POLICY, policy(csiDocs.permissions)), []);
        assert.deepStrictEqual(await violations(abacPolicyKeysOnSessionNamespace, ROLE_POLICY, policy(keyedOn("esoNamespace"))), []);
    });

    it("reports the namespace keyed on tags a tenant names freely: kubernetes-service-account, kubernetes-pod-name", async () => {
        for (const tag of ["kubernetes-service-account", "kubernetes-pod-name"]) {
            const found = await violations(abacPolicyKeysOnSessionNamespace, ROLE_POLICY, policy(keyedOn(tag)));
            assert.strictEqual(found.length, 1, tag);
            assert.match(found[0], new RegExp(`Statement\\[0\\] compares secretsmanager:ResourceTag/kubernetes-namespace with aws:PrincipalTag/${tag}, which the pod's owner chooses`));
            assert.match(found[0], new RegExp(`Statement\\[1\\] compares aws:ResourceTag/kubernetes-namespace with aws:PrincipalTag/${tag}`), "parameters too");
        }
    });

    it("reports the cluster keyed on another tag, and one document keyed on both namespace tags", async () => {
        const cluster = changeFirstStatement(csiDocs.permissions, (s) => (s.Condition.StringEquals["secretsmanager:ResourceTag/eks-cluster-name"] = "${aws:PrincipalTag/kubernetes-namespace}"));
        assert.match((await violations(abacPolicyKeysOnSessionNamespace, ROLE_POLICY, policy(cluster)))[0], /compares secretsmanager:ResourceTag\/eks-cluster-name with aws:PrincipalTag\/kubernetes-namespace/);
        const both = JSON.parse(JSON.stringify(csiDocs.permissions));
        both.Statement[1].Condition.StringEquals["aws:ResourceTag/kubernetes-namespace"] = "${aws:PrincipalTag/esoNamespace}";
        assert.match((await violations(abacPolicyKeysOnSessionNamespace, ROLE_POLICY, policy(both)))[0], /keys the kubernetes-namespace tag on both aws:PrincipalTag\/kubernetes-namespace and aws:PrincipalTag\/esoNamespace/);
    });

    it("leans on the existing checks for StringLike and a literal namespace in the CSI role's document", async () => {
        const like = changeFirstStatement(csiDocs.permissions, (s) => {
            s.Condition.StringLike = { ...s.Condition.StringLike, "secretsmanager:ResourceTag/kubernetes-namespace": s.Condition.StringEquals["secretsmanager:ResourceTag/kubernetes-namespace"] };
            delete s.Condition.StringEquals["secretsmanager:ResourceTag/kubernetes-namespace"];
        });
        assert.match((await violations(abacPolicyRequiresExactTagMatch, ROLE_POLICY, policy(like)))[0], /compares tags inexactly/);
        const literal = changeFirstStatement(csiDocs.permissions, (s) => (s.Condition.StringEquals["secretsmanager:ResourceTag/kubernetes-namespace"] = "payments"));
        assert.match((await violations(abacPolicyDisallowLiteralNamespace, ROLE_POLICY, policy(literal)))[0], /compares the kubernetes-namespace tag with a literal namespace \(Statement\[0\]\)/);
    });
});

describe("csi-role-policy-keys-on-pod-tags", () => {
    const esoKeyed = JSON.parse(JSON.stringify(csiDocs.permissions).split("aws:PrincipalTag/kubernetes-namespace}").join("aws:PrincipalTag/esoNamespace}"));

    it("passes the CSI role, and ESO's shared role keyed on esoNamespace, which pods do not take (near miss)", async () => {
        assert.deepStrictEqual(await stackViolations(csiRolePolicyKeysOnPodTags, csiStack()), []);
    });

    it("reports a role that pods take through Pod Identity whose RolePolicy keys on esoNamespace", async () => {
        const found = await stackViolations(csiRolePolicyKeysOnPodTags, csiStack({ permissions: esoKeyed }));
        assert.strictEqual(found.length, 1);
        assert.match(found[0], /Role 'csi' is taken by pods through EKS Pod Identity, but 'csi-read' policy keys the namespace on aws:PrincipalTag\/esoNamespace \(Statement\[0\], Statement\[1\], Statement\[2\], Statement\[4\]\)/);
    });

    it("leaves a role's own inline documents to the resource policy, which judges them before the role exists", async () => {
        const inline = { name: "inline-csi", assumeRolePolicy: renderPolicy(csiDocs.trust), inlinePolicies: [{ name: "read", policy: renderPolicy(esoKeyed) }] };
        assert.deepStrictEqual(await stackViolations(csiRolePolicyKeysOnPodTags, csiStack({ extra: () => [stackResource(ROLE, "inline-csi", inline)] })), []);
        const found = await violations(abacPolicyKeysOnSessionNamespace, ROLE, inline);
        assert.strictEqual(found.length, 1);
        assert.match(found[0], /inlinePolicies\[0\]: the role is taken by pods through EKS Pod Identity, but Statement\[0\], Statement\[1\], Statement\[2\], Statement\[4\] key the namespace on aws:PrincipalTag\/esoNamespace/);
        // Near miss: the same inline document on a role that ESO's controller role assumes (no Pod Identity principal) is ESO's shared role.
        const esoRole = { ...inline, assumeRolePolicy: renderPolicy({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:role/prod-eu-eso-controller" }, Action: ["sts:AssumeRole", "sts:TagSession"] }] } as any) };
        assert.deepStrictEqual(await violations(abacPolicyKeysOnSessionNamespace, ROLE, esoRole), []);
    });

    it("leaves the verdict open while the trust of an esoNamespace-keyed role is unknown", async () => {
        const found = await stackViolations(csiRolePolicyKeysOnPodTags, csiStack({ permissions: esoKeyed, trust: UNKNOWN as any }));
        assert.strictEqual(found.length, 1);
        assert.match(found[0], /^undecided: .*csi\.assumeRolePolicy/);
    });
});

describe("csi-role-association-keeps-session-tags", () => {
    it("passes the team association, and disableSessionTags on a role not keyed on the pod's namespace (near miss)", async () => {
        assert.deepStrictEqual(await stackViolations(csiRoleAssociationKeepsSessionTags, csiStack()), []);
        const other = stackResource(ROLE, "app", { name: "app", arn: "arn:aws:iam::111122223333:role/app", assumeRolePolicy: renderPolicy(csiDocs.trust) });
        const untagged = stackResource(ASSOCIATION, "app", { clusterName: "prod-eu", namespace: "payments", serviceAccount: "other", roleArn: "arn:aws:iam::111122223333:role/app", disableSessionTags: true });
        assert.deepStrictEqual(await stackViolations(csiRoleAssociationKeepsSessionTags, csiStack({ extra: () => [other, untagged] })), []);
    });

    it("reports an association of the CSI role with disableSessionTags, joined by ARN or, in a first preview, by dependency", async () => {
        for (const firstPreview of [false, true]) {
            const found = await stackViolations(csiRoleAssociationKeepsSessionTags, csiStack({ association: { disableSessionTags: true }, firstPreview }));
            assert.strictEqual(found.length, 1, String(firstPreview));
            assert.match(found[0], /association 'payments-app' gives CSI role 'csi' \(keyed on aws:PrincipalTag\/kubernetes-namespace\) with disableSessionTags/);
        }
    });

    it("reports it through targetRoleArn (cross-account) as well", async () => {
        const found = await stackViolations(csiRoleAssociationKeepsSessionTags, csiStack({ association: { roleArn: "arn:aws:iam::111122223333:role/hop", targetRoleArn: CSI_ARN, disableSessionTags: true } }));
        assert.strictEqual(found.length, 1);
    });

    it("leaves an unknown disableSessionTags undecided", async () => {
        const found = await stackViolations(csiRoleAssociationKeepsSessionTags, csiStack({ association: { disableSessionTags: UNKNOWN } }));
        assert.strictEqual(found.length, 1);
        assert.match(found[0], /^undecided: .*payments-app\.disableSessionTags/);
    });
});

describe("csi-role-disallow-eso-use", () => {
    const esoAssociation = (namespace: string) => stackResource(ASSOCIATION, "eso-csi", { clusterName: "prod-eu", namespace, serviceAccount: "external-secrets", roleArn: CSI_ARN });

    it("passes team associations of the CSI role and ESO's store on ESO's shared role (near miss)", async () => {
        assert.deepStrictEqual(await stackViolations(csiRoleDisallowEsoUse, csiStack()), []);
    });

    it("reports the CSI role associated with a service account of ESO's namespace: the release's namespace or the configured one", async () => {
        const found = await stackViolations(csiRoleDisallowEsoUse, csiStack({ extra: () => [esoAssociation("external-secrets")] }));
        assert.strictEqual(found.length, 1);
        assert.match(found[0], /association 'eso-csi' gives CSI role 'csi' to a service account of ESO's namespace 'external-secrets'/);
        const stack = csiStack({ extra: () => [esoAssociation("eso-system")] });
        assert.deepStrictEqual(await stackViolations(csiRoleDisallowEsoUse, stack), []);
        assert.strictEqual((await stackViolations(csiRoleDisallowEsoUse, stack, { config: { esoNamespaces: ["eso-system"] } })).length, 1);
    });

    it("reports an ESO store whose role is the CSI role", async () => {
        const store = (csi: PolicyResource) =>
            stackResource(
                "kubernetes:external-secrets.io/v1:ClusterSecretStore",
                "csi-store",
                { spec: { provider: { aws: { service: "SecretsManager", region: "eu-west-1", role: CSI_ARN, sessionTagsPolicy: "Simple" } } } },
                { spec: [csi] },
            );
        const found = await stackViolations(csiRoleDisallowEsoUse, csiStack({ extra: ({ csi }) => [store(csi)] }));
        assert.strictEqual(found.length, 1);
        assert.match(found[0], /Store 'csi-store' assumes CSI role 'csi'/);
    });
});

describe("iam-abac-policy-requires-tag-mismatch-deny on the CSI role", () => {
    const check = (doc: object) => violations(abacPolicyRequiresTagMismatchDeny, ROLE_POLICY, { policy: JSON.stringify(doc) }, { name: "csi-read" });

    it("passes the CSI role's rendered document, whose Deny statements key on the pod's kubernetes-namespace", async () => {
        assert.deepStrictEqual(await check(csiDocs.permissions), []);
    });

    it("reports the CSI document without its Deny statements, and with ESO's (keyed on esoNamespace, a tag no pod session carries)", async () => {
        const allowOnly = { ...csiDocs.permissions, Statement: csiDocs.permissions.Statement.filter((s) => s.Effect === "Allow") };
        const found = await check(allowOnly);
        assert.strictEqual(found.length, 1);
        assert.match(found[0], /secrets: Deny secretsmanager:GetSecretValue when StringNotEquals secretsmanager:ResourceTag\/kubernetes-namespace = \$\{aws:PrincipalTag\/kubernetes-namespace\}/);
        const esoDenies = abacPermissionPolicy({ ...ctx, parameters: true }).Statement.filter((s) => s.Effect === "Deny");
        const wrongTag = await check({ ...allowOnly, Statement: [...allowOnly.Statement, ...esoDenies] });
        assert.strictEqual(wrongTag.length, 1);
        assert.match(wrongTag[0], /aws:PrincipalTag\/kubernetes-namespace/);
        assert.doesNotMatch(wrongTag[0], /PrincipalTag\/eks-cluster-name/, "the cluster fences and guards are the same for both roles");
    });
});
