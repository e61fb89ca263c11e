/**
 * The IRSA controller path: its trust, the shared role's trust for IRSA
 * controllers, the store's custom cluster tag against the ESO 2.9.0 CRD,
 * and the access matrix of an IRSA cluster beside a Pod Identity cluster
 * sharing one role, decided by the IAM evaluator.
 */
import * as assert from "assert";
import {
    abacPermissionPolicy,
    clusterSecretStoreManifest,
    ConfigValidationError,
    EksSecretsAbac,
    EksSecretsAbacArgs,
    eksClusterArn,
    parseStackConfig,
    SharedAbacRole,
    TeamSecretStore,
    validateArgs,
    controllerPermissionPolicy,
    controllerRoleName,
    esoHelmValues,
    getPath,
    irsaAbacTrustStatements,
    irsaControllerTrustPolicy,
    irsaHelmValues,
    oidcIssuer,
    PolicyDocument,
    roleArn,
    storeCustomSessionTags,
    transitiveTagCollisions,
    withCustomSessionTags,
} from "../components";
import { readRequest } from "../cli/src/checker";
import { decide, documentErrors, IamRequest, unrecognisedContextKeys } from "../cli/src/checker";
import { celFailures, chartDefaults, schemas, validateClusterSecretStore, validateHelmValuesSchema } from "./esoSchemas";
import { controllerDeployment, helmTemplate } from "./helm";
import { OFFLINE, runOffline, twoTeamArgs } from "./helpers";

const { accountId, partition, region } = OFFLINE;
const ctx = { accountId, partition };
const OIDC = (id: string) => `arn:aws:iam::${accountId}:oidc-provider/oidc.eks.${region}.amazonaws.com/id/${id}`;
const LEGACY_OIDC = OIDC("EXAMPLED539D4633E53DE1B71EXAMPLE");
const IRSA_CLUSTER = "legacy-eu";
const PI_CLUSTER = "prod-eu";
const SHARED = "platform-shared-abac-role";
const irsaRoleArn = roleArn(ctx, controllerRoleName(IRSA_CLUSTER));
const shared = (o: Partial<{ clusterName: string; roleArn: string }> = {}): PolicyDocument => ({
    Version: "2012-10-17",
    Statement: irsaAbacTrustStatements(ctx, [{ roleArn: irsaRoleArn, clusterName: IRSA_CLUSTER, ...o }]),
});

describe("IRSA: the controller role's trust", () => {
    const trust = irsaControllerTrustPolicy({ oidcProviderArn: LEGACY_OIDC, esoNamespace: "external-secrets", esoServiceAccount: "external-secrets" });
    const issuer = oidcIssuer(LEGACY_OIDC);
    const webIdentity = (context: Record<string, string>, provider = LEGACY_OIDC): IamRequest => ({
        principal: provider,
        action: "sts:AssumeRoleWithWebIdentity",
        resource: irsaRoleArn,
        resourceAccount: accountId,
        context: { [`${issuer}:sub`]: "system:serviceaccount:external-secrets:external-secrets", [`${issuer}:aud`]: "sts.amazonaws.com", ...context },
        resourcePolicy: trust,
    });

    it("is a valid trust policy keyed on the issuer's sub and aud, as AWS documents for IRSA", () => {
        assert.deepStrictEqual(documentErrors(trust, "trust"), []);
        assert.strictEqual(issuer, `oidc.eks.${region}.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE`);
        assert.deepStrictEqual(Object.keys(trust.Statement[0].Condition!.StringEquals).sort(), [`${issuer}:aud`, `${issuer}:sub`]);
    });

    it("admits ESO's service account with an STS audience token from this cluster's provider", () => {
        assert.strictEqual(decide(webIdentity({})), "Allowed");
    });

    it("denies another service account, another namespace, another audience, another cluster's provider", () => {
        assert.strictEqual(decide(webIdentity({ [`${issuer}:sub`]: "system:serviceaccount:payments:default" })), "ImplicitlyDenied");
        assert.strictEqual(decide(webIdentity({ [`${issuer}:sub`]: "system:serviceaccount:payments:external-secrets" })), "ImplicitlyDenied");
        assert.strictEqual(decide(webIdentity({ [`${issuer}:aud`]: "kubernetes.default.svc" })), "ImplicitlyDenied");
        assert.strictEqual(decide(webIdentity({}, OIDC("0THERC1USTER"))), "ImplicitlyDenied");
    });
});

describe("IRSA: the shared role's trust for an IRSA controller", () => {
    const assume = (action: string, context: Record<string, string>, principalRole = controllerRoleName(IRSA_CLUSTER), trust = shared()): IamRequest => ({
        principal: `arn:${partition}:sts::${accountId}:assumed-role/${principalRole}/eso`,
        action,
        resource: roleArn(ctx, SHARED),
        resourceAccount: accountId,
        context: { "aws:PrincipalArn": roleArn(ctx, principalRole), "aws:PrincipalAccount": accountId, ...context },
        resourcePolicy: trust,
        identityPolicies: [controllerPermissionPolicy(roleArn(ctx, SHARED))],
    });

    it("admits the IRSA controller sending its own cluster's name (AssumeRole and TagSession)", async () => {
        for (const action of ["sts:AssumeRole", "sts:TagSession"]) {
            const request = assume(action, { "aws:RequestTag/eks-cluster-name": IRSA_CLUSTER, "aws:RequestTag/esoNamespace": "payments" });
            assert.deepStrictEqual(await unrecognisedContextKeys(request.action, request.resource, Object.keys(request.context)), []);
            assert.strictEqual(decide(request), "Allowed", action);
        }
    });

    it("refuses a store on the IRSA cluster that claims the other cluster's name, or sends none", () => {
        assert.strictEqual(decide(assume("sts:AssumeRole", { "aws:RequestTag/eks-cluster-name": PI_CLUSTER })), "ImplicitlyDenied");
        assert.strictEqual(decide(assume("sts:TagSession", { "aws:RequestTag/eks-cluster-name": PI_CLUSTER })), "ImplicitlyDenied");
        assert.strictEqual(decide(assume("sts:AssumeRole", { "aws:RequestTag/esoNamespace": "payments" })), "ImplicitlyDenied");
    });

    it("admits no other role through the IRSA statement, whatever cluster name it sends", () => {
        for (const other of [controllerRoleName(PI_CLUSTER), "team-search-ci"]) {
            assert.strictEqual(decide(assume("sts:AssumeRole", { "aws:RequestTag/eks-cluster-name": IRSA_CLUSTER }, other)), "ImplicitlyDenied", other);
        }
    });
});

describe("IRSA: the store sends the cluster name; a Pod Identity store never does", () => {
    const base = clusterSecretStoreManifest({ name: "team-secrets", region, abacRoleArn: roleArn(ctx, SHARED) });

    it("an IRSA store uses sessionTagsPolicy Custom with eks-cluster-name, valid against the ESO 2.9.0 CRD and its CEL rules", () => {
        const store = withCustomSessionTags(base, storeCustomSessionTags("irsa", IRSA_CLUSTER));
        const aws = store.spec.provider.aws as Record<string, unknown>;
        assert.deepStrictEqual([aws.sessionTagsPolicy, aws.customSessionTags], ["Custom", { "eks-cluster-name": IRSA_CLUSTER }]);
        assert.ok(validateClusterSecretStore(store), JSON.stringify(validateClusterSecretStore.errors));
        assert.deepStrictEqual(celFailures(schemas.store, store), []);
    });

    it("the CRD's own CEL rule refuses reserved eso* keys in customSessionTags, so the check is live", () => {
        const forged = withCustomSessionTags(base, { esoNamespace: "payments" });
        assert.strictEqual(celFailures(schemas.store, forged).length, 1);
    });

    it("a Pod Identity store stays Simple and sends no custom tag", () => {
        assert.strictEqual(storeCustomSessionTags("podIdentity", PI_CLUSTER), undefined);
        assert.deepStrictEqual(withCustomSessionTags(base, storeCustomSessionTags("podIdentity", PI_CLUSTER)), base);
    });

    it("names the tag keys a Pod Identity session already carries, in any case", () => {
        assert.deepStrictEqual(transitiveTagCollisions({ "EKS-Cluster-Name": "x", team: "y", "kubernetes-namespace": "z" }), ["EKS-Cluster-Name", "kubernetes-namespace"]);
    });

    it("annotates ESO's service account through the chart's serviceAccount.annotations, a path of its values.yaml", () => {
        const values = esoHelmValues({ serviceAccountName: "external-secrets", allowNamespacedSecretStores: false, userValues: irsaHelmValues(roleArn(ctx, controllerRoleName(IRSA_CLUSTER))) });
        assert.deepStrictEqual(getPath(chartDefaults, ["serviceAccount", "annotations"]), {});
        assert.deepStrictEqual(getPath(values, ["serviceAccount", "annotations"]), { "eks.amazonaws.com/role-arn": irsaRoleArn });
        assert.ok(validateHelmValuesSchema(values), JSON.stringify(validateHelmValuesSchema.errors));
    });
});

describe("IRSA: an IRSA cluster beside a Pod Identity cluster, sharing the role", () => {
    const spec = { accountId, partition, region, abacRoleName: SHARED, permissionPolicy: abacPermissionPolicy({ accountId, partition, region }) };
    const namespaces = ["payments", "search"];
    const clusters = [IRSA_CLUSTER, PI_CLUSTER];

    /** The shared role's session: an IRSA session holds only the store's tags, a Pod Identity one also the transitive ones. */
    function read(session: { cluster: string; namespace: string }, secret: { cluster: string; namespace: string }): IamRequest {
        const request = readRequest(spec, { cluster: session.cluster, esoNamespace: session.namespace }, { name: `${secret.cluster}/${secret.namespace}/db`, tags: { "kubernetes-namespace": secret.namespace, "eks-cluster-name": secret.cluster } }, "secretsmanager:GetSecretValue");
        if (session.cluster === IRSA_CLUSTER) {
            for (const key of ["aws:PrincipalTag/kubernetes-namespace", "aws:PrincipalTag/kubernetes-service-account"]) delete request.context[key];
        }
        return request;
    }

    it("allows exactly own namespace on own cluster: cross-team and cross-cluster denied both ways", async () => {
        const pairs = clusters.flatMap((cluster) => namespaces.map((namespace) => ({ cluster, namespace })));
        for (const session of pairs) {
            for (const secret of pairs) {
                const request = read(session, secret);
                assert.deepStrictEqual(await unrecognisedContextKeys(request.action, request.resource, Object.keys(request.context)), []);
                const own = session.cluster === secret.cluster && session.namespace === secret.namespace;
                // ExplicitlyDenied: the Deny statements on tags that differ; an IRSA session carries the cluster as a store tag, so they apply.
                assert.strictEqual(decide(request), own ? "Allowed" : "ExplicitlyDenied", `${session.cluster}/${session.namespace} -> ${secret.cluster}/${secret.namespace}`);
            }
        }
    });
});

describe("IRSA: the component", () => {
    const irsaArgs = () => twoTeamArgs({ clusterName: IRSA_CLUSTER, identity: "irsa", oidcProviderArn: LEGACY_OIDC });

    it("declares an OIDC-trusting controller role, no Pod Identity agent or association, an annotated service account and a Custom store", async () => {
        const run = await runOffline(() => new EksSecretsAbac("legacy", irsaArgs()));
        assert.strictEqual(run.ofType("aws:eks/podIdentityAssociation:PodIdentityAssociation").length, 0);
        assert.strictEqual(run.ofType("aws:eks/addon:Addon").length, 0);
        const controller = run.ofType("aws:iam/role:Role").find((r) => r.state.name === controllerRoleName(IRSA_CLUSTER))!;
        assert.deepStrictEqual(JSON.parse(controller.inputs.assumeRolePolicy).Statement[0].Principal, { Federated: LEGACY_OIDC });
        const release = run.one("kubernetes:helm.sh/v3:Release");
        assert.deepStrictEqual(release.inputs.values.serviceAccount.annotations, { "eks.amazonaws.com/role-arn": controller.state.arn });
        const store = run.one("kubernetes:external-secrets.io/v1:ClusterSecretStore");
        assert.deepStrictEqual([store.inputs.spec.provider.aws.sessionTagsPolicy, store.inputs.spec.provider.aws.customSessionTags], ["Custom", { "eks-cluster-name": IRSA_CLUSTER }]);
        const sharedRole = run.ofType("aws:iam/role:Role").find((r) => r !== controller)!;
        const trust = JSON.parse(sharedRole.inputs.assumeRolePolicy);
        assert.deepStrictEqual(trust.Statement.map((s: { Condition: unknown }) => s.Condition), [
            { ArnEquals: { "aws:PrincipalArn": controller.state.arn }, StringEquals: { "aws:RequestTag/eks-cluster-name": IRSA_CLUSTER } },
        ]);
    });

    it("a Pod Identity cluster's store stays Simple with no custom tag", async () => {
        const run = await runOffline(() => new EksSecretsAbac("prod", twoTeamArgs()));
        const aws = run.one("kubernetes:external-secrets.io/v1:ClusterSecretStore").inputs.spec.provider.aws;
        assert.deepStrictEqual([aws.sessionTagsPolicy, aws.customSessionTags], ["Simple", undefined]);
    });

    it("an IRSA cluster and a Pod Identity cluster share one role: each controller is admitted, the IRSA one only with its own name", async () => {
        const run = await runOffline(() => {
            const sharedRole = new SharedAbacRole("shared", {
                roleName: SHARED,
                controllerRoleArns: [roleArn(ctx, controllerRoleName(PI_CLUSTER))],
                clusterArns: [eksClusterArn({ ...ctx, region }, PI_CLUSTER)],
                irsaControllers: [{ roleArn: irsaRoleArn, clusterName: IRSA_CLUSTER }],
            });
            new EksSecretsAbac("prod", twoTeamArgs({ sharedRole }));
            new EksSecretsAbac("legacy", { ...irsaArgs(), sharedRole });
        });
        const trust: PolicyDocument = JSON.parse(run.ofType("aws:iam/role:Role").find((r) => r.state.name === SHARED)!.inputs.assumeRolePolicy);
        const controllerPermissions = controllerPermissionPolicy(roleArn(ctx, SHARED));
        const assume = (controller: string, requestTags: Record<string, string>, principalTags: Record<string, string> = {}) =>
            decide({
                principal: `arn:${partition}:sts::${accountId}:assumed-role/${controller}/eso`,
                action: "sts:AssumeRole",
                resource: roleArn(ctx, SHARED),
                resourceAccount: accountId,
                context: {
                    "aws:PrincipalArn": roleArn(ctx, controller),
                    "aws:PrincipalAccount": accountId,
                    ...Object.fromEntries(Object.entries(requestTags).map(([k, v]) => [`aws:RequestTag/${k}`, v])),
                    ...Object.fromEntries(Object.entries(principalTags).map(([k, v]) => [`aws:PrincipalTag/${k}`, v])),
                },
                identityPolicies: [controllerPermissions],
                resourcePolicy: trust,
            });
        const podIdentityTags = { "eks-cluster-arn": `arn:aws:eks:${region}:${accountId}:cluster/${PI_CLUSTER}`, "eks-cluster-name": PI_CLUSTER, "kubernetes-namespace": "external-secrets", "kubernetes-service-account": "external-secrets" };
        assert.strictEqual(assume(controllerRoleName(IRSA_CLUSTER), { esoNamespace: "payments", "eks-cluster-name": IRSA_CLUSTER }), "Allowed");
        assert.strictEqual(assume(controllerRoleName(IRSA_CLUSTER), { esoNamespace: "payments", "eks-cluster-name": PI_CLUSTER }), "ImplicitlyDenied");
        assert.strictEqual(assume(controllerRoleName(PI_CLUSTER), { esoNamespace: "payments" }, podIdentityTags), "Allowed");
        const stores = run.ofType("kubernetes:external-secrets.io/v1:ClusterSecretStore").map((s) => s.inputs.spec.provider.aws.customSessionTags ?? null);
        assert.deepStrictEqual(stores.sort(), [{ "eks-cluster-name": IRSA_CLUSTER }, null]);
    });
});

describe("IRSA: validation", () => {
    const paths = (args: Partial<EksSecretsAbacArgs>) => validateArgs(twoTeamArgs(args)).map((p) => p.path);

    it("requires a well-formed OIDC provider ARN with identity irsa", () => {
        assert.deepStrictEqual(paths({ identity: "irsa" }), ["oidcProviderArn"]);
        assert.deepStrictEqual(paths({ identity: "irsa", oidcProviderArn: "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com" }), ["oidcProviderArn"]);
        assert.deepStrictEqual(paths({ identity: "irsa", oidcProviderArn: LEGACY_OIDC }), []);
    });

    it("refuses Pod Identity settings on an IRSA cluster and IRSA settings on a Pod Identity cluster", () => {
        assert.deepStrictEqual(paths({ identity: "irsa", oidcProviderArn: LEGACY_OIDC, installPodIdentityAgent: true, podIdentityAgentVersion: "v1" }), ["installPodIdentityAgent", "podIdentityAgentVersion"]);
        assert.deepStrictEqual(paths({ oidcProviderArn: LEGACY_OIDC }), ["oidcProviderArn"]);
        const annotated = { serviceAccount: { annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/x" } } };
        assert.deepStrictEqual(paths({ helmValues: annotated }), ["helmValues.serviceAccount.annotations.eks.amazonaws.com/role-arn"]);
        assert.deepStrictEqual(paths({ identity: "irsa", oidcProviderArn: LEGACY_OIDC, helmValues: annotated }), ["helmValues.serviceAccount.annotations.eks.amazonaws.com/role-arn"]);
        assert.deepStrictEqual(paths({ identity: "bogus" }), ["identity"]);
    });

    it("never lets a Pod Identity store send a custom eks-cluster-name, in any case: refused before the store exists", async () => {
        const run = await runOffline(() => {
            for (const key of ["eks-cluster-name", "EKS-Cluster-Name", "kubernetes-namespace"]) {
                assert.throws(
                    () => new TeamSecretStore("store", { storeName: "team-secrets", region, abacRoleArn: roleArn(ctx, SHARED), customSessionTags: { [key]: PI_CLUSTER } }),
                    (e: unknown) => e instanceof ConfigValidationError && e.problems[0].path === `customSessionTags.${key}`,
                );
            }
            new TeamSecretStore("irsa-store", { storeName: "team-secrets", region, abacRoleArn: roleArn(ctx, SHARED), clusterIdentity: "irsa", customSessionTags: { "eks-cluster-name": IRSA_CLUSTER } });
        });
        assert.strictEqual(run.ofType("kubernetes:external-secrets.io/v1:ClusterSecretStore").length, 1);
    });

    it("the stack config accepts identity and oidcProviderArn, and names a wrong identity", () => {
        assert.deepStrictEqual(parseStackConfig({ clusterName: IRSA_CLUSTER, identity: "irsa", oidcProviderArn: LEGACY_OIDC, teams: [] }).problems, []);
        assert.deepStrictEqual(parseStackConfig({ clusterName: IRSA_CLUSTER, identity: "IRSA", installPodIdentityAgent: false, teams: [] }).problems.map((p) => p.path), ["identity"]);
    });
});

describe("IRSA: the ESO 2.9.0 chart rendered by a real helm with the values of an IRSA cluster", function () {
    this.timeout(120_000);

    it("renders ESO's service account with the controller role's annotation, and the controller runs as it", async () => {
        const run = await runOffline(() => new EksSecretsAbac("legacy", twoTeamArgs({ clusterName: IRSA_CLUSTER, identity: "irsa", oidcProviderArn: LEGACY_OIDC })));
        const release = run.one("kubernetes:helm.sh/v3:Release").inputs;
        const rendered = await helmTemplate(release.name ?? "external-secrets", release.namespace, release.values);
        const accounts = rendered.objects.filter((o) => o.kind === "ServiceAccount" && o.metadata?.name === "external-secrets");
        assert.strictEqual(accounts.length, 1);
        assert.strictEqual(accounts[0].metadata.annotations?.["eks.amazonaws.com/role-arn"], irsaRoleArn);
        assert.strictEqual(controllerDeployment(rendered.objects).spec.template.spec.serviceAccountName, "external-secrets");
    });
});
