/**
 * Can team A read team B's secret? The IAM documents the components render,
 * captured from the offline graph, decided by an IAM policy evaluator: the
 * allowed cases and the attacker's moves.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { EksSecretsAbac, PolicyDocument, controllerRoleName } from "../components";
import { abacSessionContext, computeMatrix, readRequest, secretArn } from "../cli/src/checker";
import { decide, documentErrors, IamRequest, unrecognisedContextKeys } from "../cli/src/checker";
import { buildPlan } from "../cli/src/checker";
import { matrixSpecFromPlan } from "../cli/src/checker";
import { FIXTURES, OFFLINE, offlineClusterArn, runOffline, team, twoTeamArgs } from "./helpers";

const KEY_ARN = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

interface Rendered {
    controllerTrust: PolicyDocument;
    controllerPermissions: PolicyDocument;
    abacTrust: PolicyDocument;
    abacPermissions: PolicyDocument;
    abacRoleName: string;
    abacRoleArn: string;
    controllerRoleArn: string;
}

/** The four documents exactly as the two-team stack hands them to the AWS provider. */
async function rendered(): Promise<Rendered> {
    const run = await runOffline(() => new EksSecretsAbac("prod", twoTeamArgs({ kmsKeyArns: [KEY_ARN] })));
    const roles = run.ofType("aws:iam/role:Role");
    const policies = run.ofType("aws:iam/rolePolicy:RolePolicy");
    const controller = roles.find((r) => r.inputs.name === controllerRoleName("prod-eu"))!;
    const abac = roles.find((r) => r !== controller)!;
    const policyOf = (role: typeof abac) => JSON.parse(policies.find((p) => p.inputs.role === role.state.name)!.inputs.policy);
    return {
        controllerTrust: JSON.parse(controller.inputs.assumeRolePolicy),
        controllerPermissions: policyOf(controller),
        abacTrust: JSON.parse(abac.inputs.assumeRolePolicy),
        abacPermissions: policyOf(abac),
        abacRoleName: abac.state.name,
        abacRoleArn: abac.state.arn,
        controllerRoleArn: controller.state.arn,
    };
}

const { accountId, partition, region } = OFFLINE;
const tags = (namespace: string | undefined, cluster: string | undefined) =>
    Object.fromEntries(
        Object.entries({ "kubernetes-namespace": namespace, "eks-cluster-name": cluster }).filter(([, v]) => v !== undefined),
    ) as Record<string, string>;

/** Checks the evaluator knows every context key, then decides. */
async function decideChecked(request: IamRequest): Promise<string> {
    assert.deepStrictEqual(await unrecognisedContextKeys(request.action, request.resource, Object.keys(request.context)), [], "a context key would be ignored");
    return decide(request);
}

describe("isolation: the rendered IAM documents under an IAM policy evaluator", () => {
    let docs: Rendered;
    let spec: Parameters<typeof readRequest>[0];
    const read = (esoNamespace: string, secretTags: Record<string, string> | undefined, o: { cluster?: string; policy?: PolicyDocument; action?: string } = {}) =>
        decideChecked(
            readRequest(
                { ...spec, permissionPolicy: o.policy ?? spec.permissionPolicy },
                { cluster: o.cluster ?? "prod-eu", esoNamespace },
                { name: "payments/db-password", tags: secretTags },
                o.action ?? "secretsmanager:GetSecretValue",
            ),
        );

    before(async () => {
        docs = await rendered();
        spec = { accountId, partition, region, abacRoleName: docs.abacRoleName, permissionPolicy: docs.abacPermissions };
    });

    it("the documents are valid IAM policies", () => {
        assert.deepStrictEqual(documentErrors(docs.controllerPermissions, "identity"), []);
        assert.deepStrictEqual(documentErrors(docs.abacPermissions, "identity"), []);
        assert.deepStrictEqual(documentErrors(docs.controllerTrust, "trust"), []);
        assert.deepStrictEqual(documentErrors(docs.abacTrust, "trust"), []);
    });

    describe("reading secrets through the shared role", () => {
        it("allows a team its own secret on its own cluster, GetSecretValue and DescribeSecret", async () => {
            assert.strictEqual(await read("payments", tags("payments", "prod-eu")), "Allowed");
            assert.strictEqual(await read("payments", tags("payments", "prod-eu"), { action: "secretsmanager:DescribeSecret" }), "Allowed");
        });

        // ExplicitlyDenied: the Deny statements on tags that differ (tagDeny.ts) answer before any Allow is looked for.
        it("denies another team's namespace", async () => {
            assert.strictEqual(await read("search", tags("payments", "prod-eu")), "ExplicitlyDenied");
        });

        it("denies another cluster's secret in the same account, and the same namespace on another cluster", async () => {
            assert.strictEqual(await read("payments", tags("payments", "staging-eu")), "ExplicitlyDenied");
            assert.strictEqual(await read("payments", tags("payments", "prod-eu"), { cluster: "staging-eu" }), "ExplicitlyDenied");
        });

        it("denies a secret without tags, or with only one of them", async () => {
            assert.strictEqual(await read("payments", undefined), "ExplicitlyDenied");
            assert.strictEqual(await read("payments", tags("payments", undefined)), "ExplicitlyDenied");
            assert.strictEqual(await read("payments", tags(undefined, "prod-eu")), "ExplicitlyDenied");
        });

        it("denies the store-validation session (esoNamespace=\"\") a secret with an empty namespace tag", async () => {
            assert.strictEqual(await read("", tags("", "prod-eu")), "ExplicitlyDenied");
            assert.strictEqual(await read("", tags("payments", "prod-eu")), "ExplicitlyDenied");
        });

        it("the evaluator itself never matches an empty tag with an empty tag, so the non-empty check is a belt it cannot prove", async () => {
            // The Allow statements alone: the rendered Deny statements would deny the empty session by themselves.
            const withoutCheck = JSON.parse(JSON.stringify(docs.abacPermissions));
            withoutCheck.Statement = withoutCheck.Statement.filter((s: { Effect: string }) => s.Effect === "Allow");
            delete withoutCheck.Statement[0].Condition.StringLike;
            assert.strictEqual(await read("", tags("", "prod-eu"), { policy: withoutCheck }), "ImplicitlyDenied");
            assert.strictEqual(await read("payments", tags("payments", "prod-eu"), { policy: withoutCheck }), "Allowed");
        });

        it("denies a wildcard or differently-cased namespace tag: StringEquals compares exactly", async () => {
            assert.strictEqual(await read("payments", tags("*", "prod-eu")), "ExplicitlyDenied");
            assert.strictEqual(await read("payments", tags("pay*", "prod-eu")), "ExplicitlyDenied");
            assert.strictEqual(await read("Payments", tags("payments", "prod-eu")), "ExplicitlyDenied");
        });

        it("grants no ListSecrets, so dataFrom.find cannot list other teams' secret names", async () => {
            const request = readRequest(spec, { cluster: "prod-eu", esoNamespace: "payments" }, { name: "payments/db-password", tags: tags("payments", "prod-eu") }, "secretsmanager:ListSecrets");
            assert.strictEqual(decide({ ...request, resource: "*" }), "ImplicitlyDenied");
        });

        it("a StringLike variant lets team a read a-admin; the rendered policy does not", async () => {
            const stringLike = JSON.parse(fs.readFileSync(path.join(FIXTURES, "stringlike-permission-policy.json"), "utf8"));
            assert.strictEqual(await read("a", tags("a-admin", "prod-eu"), { policy: stringLike }), "Allowed");
            assert.strictEqual(await read("a", tags("a-admin", "prod-eu")), "ExplicitlyDenied");
        });

        it("a forged esoNamespace is allowed by IAM: it cannot tell who sent the tag, so Kubernetes must (see the admission tests)", async () => {
            // A namespaced SecretStore in `search` sending sessionTags esoNamespace=payments through the same
            // controller role produces the very request the ClusterSecretStore makes for `payments`.
            const secret = { name: "payments/db-password", tags: tags("payments", "prod-eu") };
            const genuine = readRequest(spec, { cluster: "prod-eu", esoNamespace: "payments" }, secret, "secretsmanager:GetSecretValue");
            const forgedFromSearch = readRequest(spec, { cluster: "prod-eu", esoNamespace: "payments", storeName: "team-secrets" }, secret, "secretsmanager:GetSecretValue");
            assert.deepStrictEqual(forgedFromSearch, genuine);
            assert.ok(!JSON.stringify(forgedFromSearch).includes("search"), "nothing in the request names the real namespace");
            assert.strictEqual(await decideChecked(forgedFromSearch), "Allowed");
        });
    });

    describe("the controller role", () => {
        /** The controller's session as Pod Identity tags it (pod-id-abac.html: six transitive tags). */
        const controllerSession = (tags: Record<string, string> = {}) => ({
            principal: `arn:${partition}:sts::${accountId}:assumed-role/${controllerRoleName("prod-eu")}/eks-pod`,
            resourceAccount: accountId,
            context: {
                "aws:PrincipalArn": docs.controllerRoleArn,
                "aws:PrincipalAccount": accountId,
                "aws:PrincipalTag/eks-cluster-arn": offlineClusterArn("prod-eu"),
                "aws:PrincipalTag/eks-cluster-name": "prod-eu",
                "aws:PrincipalTag/kubernetes-namespace": "external-secrets",
                "aws:PrincipalTag/kubernetes-service-account": "external-secrets",
                "aws:PrincipalTag/kubernetes-pod-name": "external-secrets-7d9f8c6b5-x2x4z",
                "aws:PrincipalTag/kubernetes-pod-uid": "0b5c7a7e-5c1e-4f5e-9a53-8c1f0d9e2b11",
                ...tags,
            },
            identityPolicies: [docs.controllerPermissions],
        });
        const chain = (tags: Record<string, string> = {}) => ({
            ...controllerSession(tags),
            action: "sts:AssumeRole",
            resource: docs.abacRoleArn,
            resourcePolicy: docs.abacTrust,
        });

        it("cannot read any secret directly, nor list them", async () => {
            for (const action of ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "secretsmanager:ListSecrets"]) {
                const request = { ...controllerSession(), action, resource: action.endsWith("ListSecrets") ? "*" : secretArn(spec, "payments/db-password") };
                assert.strictEqual(decide(request), "ImplicitlyDenied", action);
            }
        });

        it("may assume the shared role with session tags (AssumeRole and TagSession both allowed)", async () => {
            for (const action of ["sts:AssumeRole", "sts:TagSession"]) {
                const request = { ...controllerSession(), action, resource: docs.abacRoleArn, resourcePolicy: docs.abacTrust };
                assert.strictEqual(await decideChecked({ ...request, context: { ...request.context, "aws:RequestTag/esoNamespace": "payments" } }), "Allowed", action);
            }
        });

        it("the shared role refuses a controller-role session that does not carry this cluster's Pod Identity tags", async () => {
            assert.strictEqual(await decideChecked(chain()), "Allowed");
            const attacks: Record<string, string>[] = [
                { "aws:PrincipalTag/eks-cluster-arn": offlineClusterArn("staging-eu") },
                { "aws:PrincipalTag/eks-cluster-arn": "arn:aws:eks:eu-west-1:999999999999:cluster/prod-eu" },
                { "aws:PrincipalTag/kubernetes-service-account": "default" },
            ];
            for (const attack of attacks) assert.strictEqual(await decideChecked(chain(attack)), "ImplicitlyDenied", JSON.stringify(attack));
            // A session without Pod Identity's tags (the role assumed some other way, or disableSessionTags).
            const untagged = chain();
            const context: Record<string, string> = { ...untagged.context };
            delete context["aws:PrincipalTag/eks-cluster-arn"];
            delete context["aws:PrincipalTag/kubernetes-service-account"];
            assert.strictEqual(await decideChecked({ ...untagged, context }), "ImplicitlyDenied");
        });

        it("cannot tag the session when the shared role's trust lacks sts:TagSession, so every read fails", async () => {
            const trust = JSON.parse(JSON.stringify(docs.abacTrust));
            trust.Statement[0].Action = ["sts:AssumeRole"];
            const request = { ...controllerSession(), action: "sts:TagSession", resource: docs.abacRoleArn, resourcePolicy: trust };
            assert.strictEqual(decide(request), "ImplicitlyDenied");
        });

        it("no other principal of the account may assume the shared role, even with sts:* on *", async () => {
            const admin: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:*", Resource: "*" }] };
            const other = `arn:${partition}:iam::${accountId}:role/team-search-ci`;
            const request = {
                principal: `arn:${partition}:sts::${accountId}:assumed-role/team-search-ci/x`,
                action: "sts:AssumeRole",
                resource: docs.abacRoleArn,
                resourceAccount: accountId,
                context: { "aws:PrincipalArn": other, "aws:PrincipalAccount": accountId },
                identityPolicies: [admin],
                resourcePolicy: docs.abacTrust,
            };
            assert.strictEqual(decide(request), "ImplicitlyDenied");
        });
    });

    describe("the controller role's trust (EKS Pod Identity)", () => {
        /**
         * Pod Identity's AssumeRole as AWS documents it: aws:SourceAccount and
         * the request tags of pod-id-abac.html / pod-id-role.html.
         */
        const podIdentity = (context: Record<string, string>, drop: string[] = []) => {
            const full: Record<string, string> = {
                "aws:SourceAccount": accountId,
                "aws:RequestTag/eks-cluster-arn": offlineClusterArn("prod-eu"),
                "aws:RequestTag/eks-cluster-name": "prod-eu",
                "aws:RequestTag/kubernetes-namespace": "external-secrets",
                "aws:RequestTag/kubernetes-service-account": "external-secrets",
                "aws:RequestTag/kubernetes-pod-name": "external-secrets-7d9f8c6b5-x2x4z",
                "aws:RequestTag/kubernetes-pod-uid": "0b5c7a7e-5c1e-4f5e-9a53-8c1f0d9e2b11",
                ...context,
            };
            for (const key of drop) delete full[key];
            return { principal: "pods.eks.amazonaws.com", action: "sts:AssumeRole", resource: docs.controllerRoleArn, resourceAccount: accountId, context: full, resourcePolicy: docs.controllerTrust };
        };

        it("uses no aws:SourceArn, whose Pod Identity value AWS does not document", () => {
            assert.ok(!JSON.stringify(docs.controllerTrust).includes("aws:SourceArn"));
            assert.ok(!JSON.stringify(docs.abacTrust).includes("aws:SourceArn"));
        });

        it("admits ESO's service account on this cluster, whatever aws:SourceArn the request carries", async () => {
            assert.strictEqual(await decideChecked(podIdentity({})), "Allowed");
            assert.strictEqual(decide({ ...podIdentity({}), action: "sts:TagSession" }), "Allowed");
            const association = `arn:${partition}:eks:${region}:${accountId}:podidentityassociation/prod-eu/a-0123456789abcdef`;
            assert.strictEqual(await decideChecked(podIdentity({ "aws:SourceArn": association })), "Allowed");
        });

        it("denies Pod Identity from another account, another cluster, another namespace or service account", async () => {
            const attacks: Record<string, string>[] = [
                { "aws:SourceAccount": "999999999999" },
                { "aws:RequestTag/eks-cluster-arn": offlineClusterArn("staging-eu") },
                // The same cluster name in another account: the ARN differs, so does the decision.
                { "aws:SourceAccount": "999999999999", "aws:RequestTag/eks-cluster-arn": "arn:aws:eks:eu-west-1:999999999999:cluster/prod-eu" },
                { "aws:RequestTag/eks-cluster-arn": `${offlineClusterArn("prod-eu")}-2`, "aws:RequestTag/eks-cluster-name": "prod-eu-2" },
                { "aws:RequestTag/kubernetes-namespace": "payments" },
                { "aws:RequestTag/kubernetes-service-account": "default" },
            ];
            for (const attack of attacks) assert.strictEqual(await decideChecked(podIdentity(attack)), "ImplicitlyDenied", JSON.stringify(attack));
        });

        it("denies a request without the cluster tag (an association with disableSessionTags)", async () => {
            assert.strictEqual(await decideChecked(podIdentity({}, ["aws:RequestTag/eks-cluster-arn"])), "ImplicitlyDenied");
            assert.strictEqual(await decideChecked(podIdentity({}, ["aws:SourceAccount"])), "ImplicitlyDenied");
        });
    });

    describe("KMS", () => {
        // The key policy AWS gives a new key: the account's IAM policies decide.
        const defaultKeyPolicy: PolicyDocument = {
            Version: "2012-10-17",
            Statement: [{ Sid: "EnableIamPolicies", Effect: "Allow", Principal: { AWS: `arn:${partition}:iam::${accountId}:root` }, Action: "kms:*", Resource: "*" }],
        };
        const decrypt = (viaService: string | undefined) => {
            const request = readRequest(spec, { cluster: "prod-eu", esoNamespace: "payments" }, { name: "x" }, "kms:Decrypt");
            // What Secrets Manager sends on the caller's behalf: the caller account and the secret's ARN as encryption context.
            const context: Record<string, string> = {
                ...abacSessionContext(spec, { cluster: "prod-eu", esoNamespace: "payments" }),
                "kms:CallerAccount": accountId,
                "kms:EncryptionContext:SecretARN": secretArn(spec, "payments/db-password"),
            };
            if (viaService) context["kms:ViaService"] = viaService;
            return decideChecked({ ...request, resource: KEY_ARN, context, resourcePolicy: defaultKeyPolicy });
        };

        it("allows decrypting the customer-managed key only through Secrets Manager in the region", async () => {
            assert.strictEqual(await decrypt(`secretsmanager.${region}.amazonaws.com`), "Allowed");
            assert.strictEqual(await decrypt(undefined), "ImplicitlyDenied");
            assert.strictEqual(await decrypt(`s3.${region}.amazonaws.com`), "ImplicitlyDenied");
            assert.strictEqual(await decrypt("secretsmanager.us-east-1.amazonaws.com"), "ImplicitlyDenied");
        });
    });
});

describe("the access matrix of a 20-team stack", function () {
    this.timeout(120_000);

    it("allows exactly the own-team, own-cluster pairs of 20 teams x 40 secrets x 2 clusters", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "matrix-"));
        const file = path.join(dir, "Pulumi.twenty.yaml");
        const teams = Array.from({ length: 20 }, (_, i) => ({ namespace: `team-${String(i).padStart(2, "0")}`, secrets: team("x").secrets!.map((s) => ({ name: s.name })) }));
        fs.writeFileSync(file, YAML.stringify({ config: { "eks-secrets-abac:clusterName": "prod-eu", "eks-secrets-abac:installPodIdentityAgent": true, "eks-secrets-abac:teams": teams } }));
        const result = await buildPlan(file);
        assert.ok(result.ok);
        const spec = matrixSpecFromPlan(result.plan, { otherClusters: ["prod-us"] });
        assert.strictEqual(spec.secrets.length, 40);
        const matrix = await computeMatrix(spec, { workers: 2 });
        assert.strictEqual(matrix.decisions, 40 * 80 * 2);
        assert.strictEqual(matrix.workers, 2);
        matrix.sessions.forEach((session, i) =>
            matrix.secrets.forEach((secret, j) => {
                const own = session.namespace === secret.namespace && session.cluster === secret.cluster;
                assert.strictEqual(matrix.allowed![i][j], own, `${session.cluster}/${session.namespace} -> ${secret.cluster}:${secret.name}`);
            }),
        );
        assert.strictEqual(matrix.unexpectedAllows.length, 0);
        assert.strictEqual(matrix.partial, 0);
        assert.strictEqual(matrix.allowed!.flat().filter(Boolean).length, 80);
    });
});
