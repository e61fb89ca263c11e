/**
 * Secrets in another account, a key in a third, parameters beside secrets:
 * the cross-account example rendered in the offline cloud, its documents
 * decided by the IAM evaluator, with the requests AWS documents (the
 * encryption context Secrets Manager and Parameter Store send, the
 * transitive Pod Identity tags), and the attacker's moves.
 */
import * as assert from "assert";
import * as path from "path";
import { accountOfArn, CrossAccountSecretsAbac, EksSecretsAbac, parameterStoreManifest, PolicyDocument, secretsKeyPolicy, validateCrossAccountArgs } from "../components";
import {
    assumeRequest,
    computeCrossAccountMatrix,
    CrossAccountSpec,
    crossAccountSpecFromRun,
    decryptRequest,
    crossAccountReadRequest as readRequest,
    crossAccountSessionsOf as sessionsOf,
    StoredValue,
} from "../cli/src/checker";
import { decide, documentErrors, IamRequest, unrecognisedContextKeys } from "../cli/src/checker";
import { readStackFile } from "../cli/src/checker";
import { celFailures, schemas, validateClusterSecretStore, validateExternalSecret } from "./esoSchemas";
import { policies } from "../policypack/policies";
import { OfflineRun, runOffline, runPolicies, stackResource, valueOf } from "./helpers";

const EXAMPLE = path.join(__dirname, "..", "examples", "cross-account");
const [A, B, C, X] = ["111122223333", "444455556666", "777788889999", "999900001111"];

async function checked(request: IamRequest): Promise<string> {
    assert.deepStrictEqual(await unrecognisedContextKeys(request.action, request.resource, Object.keys(request.context)), [], "a context key would be ignored");
    return decide(request);
}

describe("cross-account: clusters in A, secrets and parameters in B, their key in C", function () {
    this.timeout(120_000);
    let run: OfflineRun<unknown>;
    let spec: CrossAccountSpec;
    const value = (kind: StoredValue["kind"], cluster: string, namespace: string) => spec.values.find((v) => v.kind === kind && v.cluster === cluster && v.namespace === namespace)!;
    const session = (cluster: string, namespace: string) => sessionsOf(spec).find((s) => s.cluster === cluster && s.namespace === namespace)!;

    before(async () => {
        const { config, secretKeys } = readStackFile(path.join(EXAMPLE, "Pulumi.dev.yaml"));
        run = await runOffline(
            () => {
                delete require.cache[require.resolve(path.join(EXAMPLE, "index.ts"))];
                return require(path.join(EXAMPLE, "index.ts"));
            },
            config,
            secretKeys,
            "eks-secrets-abac-cross-account",
        );
        spec = crossAccountSpecFromRun(run.resources);
    });

    describe("where each resource is created", () => {
        const accountsOf = (type: string) => [...new Set(run.ofType(type).map((r) => accountOfArn(r.state.arn ?? r.state.associationArn)))];

        it("controller roles and Pod Identity in the cluster account; shared role, secrets, parameters in the secrets account; the key in the key account", () => {
            assert.deepStrictEqual(spec.clusterAccountIds, [A]);
            assert.deepStrictEqual(accountsOf("aws:eks/podIdentityAssociation:PodIdentityAssociation"), [A]);
            assert.strictEqual(accountOfArn(spec.sharedRoleArn), B);
            assert.deepStrictEqual(accountsOf("aws:secretsmanager/secret:Secret"), [B]);
            assert.deepStrictEqual(accountsOf("aws:ssm/parameter:Parameter"), [B]);
            assert.deepStrictEqual(accountsOf("aws:kms/key:Key"), [C]);
        });

        it("secrets and parameters carry the namespace and cluster tags and the key of the key account", () => {
            for (const type of ["aws:secretsmanager/secret:Secret", "aws:ssm/parameter:Parameter"]) {
                for (const r of run.ofType(type)) {
                    assert.ok(r.inputs.tags["kubernetes-namespace"] && r.inputs.tags["eks-cluster-name"], r.name);
                    assert.strictEqual(r.inputs.kmsKeyId ?? r.inputs.keyId, spec.keyArn, r.name);
                }
            }
            for (const p of run.ofType("aws:ssm/parameter:Parameter")) assert.strictEqual(p.inputs.type, "SecureString");
        });

        it("every store assumes the cross-account shared role; the Parameter Store store passes the closed ESO 2.9.0 schema and its CEL rules", () => {
            const stores = run.ofType("kubernetes:external-secrets.io/v1:ClusterSecretStore");
            assert.deepStrictEqual(new Set(stores.map((s) => s.inputs.spec.provider.aws.role)), new Set([spec.sharedRoleArn]));
            const parameterStores = stores.filter((s) => s.inputs.spec.provider.aws.service === "ParameterStore");
            assert.strictEqual(parameterStores.length, 2);
            for (const s of parameterStores) {
                const manifest = { apiVersion: s.inputs.apiVersion, kind: s.inputs.kind, metadata: s.inputs.metadata, spec: s.inputs.spec };
                assert.ok(validateClusterSecretStore(manifest), JSON.stringify(validateClusterSecretStore.errors));
                assert.deepStrictEqual(celFailures(schemas.store, manifest), []);
                assert.strictEqual(s.inputs.spec.provider.aws.sessionTagsPolicy, "Simple");
            }
        });

        it("a misspelled field in the Parameter Store store fails the closed schema", () => {
            const m = parameterStoreManifest({ name: "team-parameters", secretStoreName: "team-secrets", region: "eu-west-1", abacRoleArn: spec.sharedRoleArn });
            const typo = { ...m, spec: { ...m.spec, provider: { aws: { ...m.spec.provider.aws, sessionTagPolicy: "Simple" } } } };
            assert.strictEqual(validateClusterSecretStore(typo), false);
        });

        it("an ExternalSecret reads a parameter through the Parameter Store store (data[].sourceRef.storeRef), valid against ESO's schema", () => {
            const es = run.one("kubernetes:external-secrets.io/v1:ExternalSecret");
            const manifest = { apiVersion: es.inputs.apiVersion, kind: es.inputs.kind, metadata: es.inputs.metadata, spec: es.inputs.spec };
            assert.ok(validateExternalSecret(manifest), JSON.stringify(validateExternalSecret.errors));
            assert.deepStrictEqual(es.inputs.spec.data[1], {
                secretKey: "DB_URL",
                remoteRef: { key: "/prod-eu/payments/db-url" },
                sourceRef: { storeRef: { kind: "ClusterSecretStore", name: "team-parameters" } },
            });
            assert.strictEqual(es.inputs.spec.data[0].sourceRef, undefined);
        });

        it("the policy pack finds nothing to refuse in the three-account stack", async () => {
            const custom = run.resources.filter((r) => r.custom);
            assert.deepStrictEqual(await runPolicies(policies, custom.map((r) => stackResource(r.type, r.name, r.inputs))), []);
        });

        it("the documents are valid IAM policies", () => {
            assert.deepStrictEqual(documentErrors(spec.sharedPermissions, "identity"), []);
            assert.deepStrictEqual(documentErrors(spec.sharedTrust, "trust"), []);
            for (const c of spec.controllers) assert.deepStrictEqual(documentErrors(c.permissions, "identity"), []);
        });
    });

    describe("the shared role's trust and the key policy name accounts, not roles", () => {
        it("the trust's principal is the cluster account's root, narrowed to the controller roles and pinned to the clusters", () => {
            const statement = spec.sharedTrust.Statement[0];
            assert.deepStrictEqual(statement.Principal, { AWS: `arn:aws:iam::${A}:root` });
            assert.deepStrictEqual(statement.Condition!.ArnEquals["aws:PrincipalArn"], spec.controllers.map((c) => c.roleArn).sort());
            const clusters = Object.values(statement.Condition!).find((block) => "aws:PrincipalTag/eks-cluster-arn" in block)!;
            assert.deepStrictEqual(clusters["aws:PrincipalTag/eks-cluster-arn"], spec.controllers.map((c) => c.clusterArn).sort());
        });

        it("no key-policy statement names a role as principal: a replaced role keeps matching by ARN", () => {
            for (const s of spec.keyPolicy.Statement) {
                const principals = [(s.Principal as { AWS: string | string[] }).AWS].flat();
                assert.ok(principals.every((p) => p.endsWith(":root")), s.Sid);
            }
        });
    });

    describe("the access matrix of the three-account stack", () => {
        it("allows exactly each team's own secrets and parameters on its own cluster, with assume, read and decrypt all decided", () => {
            const matrix = computeCrossAccountMatrix(spec);
            assert.strictEqual(matrix.sessions.length, 4);
            assert.strictEqual(matrix.values.length, 6);
            matrix.sessions.forEach((s, i) =>
                matrix.values.forEach((v, j) => {
                    const own = s.namespace === v.namespace && s.cluster === v.cluster;
                    assert.strictEqual(matrix.allowed[i][j], own, `${s.cluster}/${s.namespace} -> ${v.kind} ${v.name}`);
                }),
            );
            assert.ok(matrix.steps.assume.every((d) => d === "Allowed"), "every onboarded cluster's controller may chain in");
            // Decryption alone never decides who reads: it is allowed for any of the account's values, through the service.
            assert.ok(matrix.steps.decrypt.flat().every((d) => d === "Allowed"));
            assert.strictEqual(matrix.unexpectedAllows.length, 0);
            assert.strictEqual(matrix.allowed.flat().filter(Boolean).length, 6);
        });

        it("every context key of every request is one IAM defines for it", async () => {
            const s = session("prod-eu", "payments");
            for (const kind of ["secret", "parameter"] as const) {
                const v = value(kind, "prod-eu", "payments");
                for (const request of [readRequest(spec, s, v), decryptRequest(spec, s, v)]) assert.strictEqual(await checked(request), "Allowed");
            }
            assert.strictEqual(await checked(assumeRequest(spec, s)), "Allowed");
        });
    });

    describe("KMS: decryption only through the service, only for the secrets account, only as it", () => {
        const decrypt = (kind: StoredValue["kind"], change: (context: Record<string, string | string[]>) => void) => {
            const request = decryptRequest(spec, session("prod-eu", "payments"), value(kind, "prod-eu", "payments"));
            change(request.context);
            return decide(request);
        };

        it("denies a direct kms:Decrypt outside Secrets Manager and Parameter Store", () => {
            for (const kind of ["secret", "parameter"] as const) assert.strictEqual(decrypt(kind, (c) => delete c["kms:ViaService"]), "ImplicitlyDenied");
            assert.strictEqual(decrypt("secret", (c) => (c["kms:ViaService"] = "s3.eu-west-1.amazonaws.com")), "ImplicitlyDenied");
            assert.strictEqual(decrypt("secret", (c) => (c["kms:ViaService"] = "secretsmanager.us-east-1.amazonaws.com")), "ImplicitlyDenied");
        });

        it("denies a secret ARN of another account in the encryption context, and a parameter ARN through Secrets Manager", () => {
            assert.strictEqual(decrypt("secret", (c) => (c["kms:EncryptionContext:SecretARN"] = `arn:aws:secretsmanager:eu-west-1:${X}:secret:x-AbCdEf`)), "ImplicitlyDenied");
            assert.strictEqual(decrypt("secret", (c) => delete c["kms:EncryptionContext:SecretARN"]), "ImplicitlyDenied");
            assert.strictEqual(decrypt("parameter", (c) => (c["kms:ViaService"] = "secretsmanager.eu-west-1.amazonaws.com")), "ImplicitlyDenied");
        });

        it("denies another caller account", () => {
            assert.strictEqual(decrypt("secret", (c) => (c["kms:CallerAccount"] = X)), "ImplicitlyDenied");
        });

        it("denies when only one side allows: the key policy without the identity policy, or the reverse", () => {
            const request = decryptRequest(spec, session("prod-eu", "payments"), value("secret", "prod-eu", "payments"));
            assert.strictEqual(decide({ ...request, identityPolicies: [] }), "ImplicitlyDenied");
            assert.strictEqual(decide({ ...request, resourcePolicy: undefined }), "ImplicitlyDenied");
        });

        it("attacker: a principal of the secrets account with secretsmanager:* and kms:* on * reads the ciphertext but cannot decrypt", () => {
            const admin = `arn:aws:iam::${B}:role/secrets-admin`;
            const everything = { Version: "2012-10-17" as const, Statement: [{ Effect: "Allow" as const, Action: ["secretsmanager:*", "ssm:*", "kms:*"], Resource: "*" }] };
            const asAdmin = (request: IamRequest): IamRequest => ({
                ...request,
                principal: `arn:aws:sts::${B}:assumed-role/secrets-admin/x`,
                context: { ...request.context, "aws:PrincipalArn": admin },
                identityPolicies: [everything],
            });
            const s = session("prod-eu", "payments");
            for (const kind of ["secret", "parameter"] as const) {
                const v = value(kind, "prod-eu", "payments");
                assert.strictEqual(decide(asAdmin(readRequest(spec, s, v))), "Allowed", `${kind}: IAM lets the admin ask`);
                assert.strictEqual(decide(asAdmin(decryptRequest(spec, s, v))), "ImplicitlyDenied", `${kind}: the key refuses`);
            }
        });

        it("attacker: the key account's own administrators may manage the key but not decrypt with it", () => {
            const request = decryptRequest(spec, session("prod-eu", "payments"), value("secret", "prod-eu", "payments"));
            const keyAdmin: IamRequest = {
                ...request,
                principal: `arn:aws:sts::${C}:assumed-role/key-admin/x`,
                context: { ...request.context, "aws:PrincipalArn": `arn:aws:iam::${C}:role/key-admin`, "aws:PrincipalAccount": C, "kms:CallerAccount": C },
                identityPolicies: [{ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "kms:*", Resource: "*" }] }],
            };
            assert.strictEqual(decide(keyAdmin), "ImplicitlyDenied");
            assert.strictEqual(decide({ ...keyAdmin, action: "kms:DescribeKey", context: { "aws:PrincipalArn": `arn:aws:iam::${C}:role/key-admin`, "aws:PrincipalAccount": C } }), "Allowed");
        });
    });

    describe("Parameter Store: tags decide, paths never", () => {
        it("denies path reads and listing, even for the team's own path", () => {
            const request = readRequest(spec, session("prod-eu", "payments"), value("parameter", "prod-eu", "payments"));
            assert.strictEqual(decide({ ...request, action: "ssm:GetParametersByPath", resource: `arn:aws:ssm:eu-west-1:${B}:parameter/prod-eu/payments` }), "ImplicitlyDenied");
            assert.strictEqual(decide({ ...request, action: "ssm:DescribeParameters", resource: "*" }), "ImplicitlyDenied");
        });

        it("grants ssm:GetParameters like GetParameter, and nothing that writes", () => {
            const request = readRequest(spec, session("prod-eu", "payments"), value("parameter", "prod-eu", "payments"));
            assert.strictEqual(decide({ ...request, action: "ssm:GetParameters" }), "Allowed");
            for (const action of ["ssm:PutParameter", "ssm:DeleteParameter", "ssm:AddTagsToResource"]) assert.strictEqual(decide({ ...request, action }), "ImplicitlyDenied", action);
        });

        it("denies a parameter without tags, with another namespace's tag, or with a wildcard tag", () => {
            const s = session("prod-eu", "payments");
            const v = value("parameter", "prod-eu", "payments");
            // Explicitly: the shared role's Deny on tags that differ (a missing tag differs too).
            assert.strictEqual(decide(readRequest(spec, s, v, {})), "ExplicitlyDenied");
            assert.strictEqual(decide(readRequest(spec, s, v, { "kubernetes-namespace": "search", "eks-cluster-name": "prod-eu" })), "ExplicitlyDenied");
            assert.strictEqual(decide(readRequest(spec, s, v, { "kubernetes-namespace": "*", "eks-cluster-name": "prod-eu" })), "ExplicitlyDenied");
        });
    });

    describe("the shared role's trust across accounts", () => {
        it("attacker: a cluster of another account with the same name, its controller role of the same name, reads nothing", () => {
            const own = assumeRequest(spec, session("prod-eu", "payments"));
            const foreign: IamRequest = {
                ...own,
                principal: `arn:aws:sts::${X}:assumed-role/prod-eu-eso-controller/eks-external-secrets`,
                context: {
                    ...own.context,
                    "aws:PrincipalArn": `arn:aws:iam::${X}:role/prod-eu-eso-controller`,
                    "aws:PrincipalAccount": X,
                    "aws:PrincipalTag/eks-cluster-arn": `arn:aws:eks:eu-west-1:${X}:cluster/prod-eu`,
                },
            };
            assert.strictEqual(decide(foreign), "ImplicitlyDenied");
            assert.strictEqual(decide({ ...foreign, action: "sts:TagSession" }), "ImplicitlyDenied");
        });

        it("attacker: the right controller role presenting another cluster's ARN, or another service account, is refused", () => {
            const own = assumeRequest(spec, session("prod-eu", "payments"));
            assert.strictEqual(decide({ ...own, context: { ...own.context, "aws:PrincipalTag/eks-cluster-arn": `arn:aws:eks:eu-west-1:${X}:cluster/prod-eu` } }), "ImplicitlyDenied");
            assert.strictEqual(decide({ ...own, context: { ...own.context, "aws:PrincipalTag/kubernetes-service-account": "default" } }), "ImplicitlyDenied");
        });

        it("attacker: another role of the cluster account with sts:* on * is refused", () => {
            const own = assumeRequest(spec, session("prod-eu", "payments"));
            const other = `arn:aws:iam::${A}:role/ci`;
            const request: IamRequest = {
                ...own,
                principal: `arn:aws:sts::${A}:assumed-role/ci/x`,
                context: { ...own.context, "aws:PrincipalArn": other },
                identityPolicies: [{ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:*", Resource: "*" }] }],
            };
            assert.strictEqual(decide(request), "ImplicitlyDenied");
        });

        it("the chain needs the controller's own permission as well: the trust alone does not let it in", () => {
            const own = assumeRequest(spec, session("prod-eu", "payments"));
            assert.strictEqual(decide({ ...own, identityPolicies: [] }), "ImplicitlyDenied");
        });
    });
});

describe("cross-account: keys the organisation brings, or none", function () {
    this.timeout(60_000);
    const accounts = {
        cluster: { accountId: A, region: "eu-west-1" },
        secrets: { accountId: B, region: "eu-west-1" },
    };
    const teams = [{ namespace: "payments", secrets: [{ name: "db-password" }], parameters: [{ name: "db-url" }] }];

    it("with the organisation's own key: no key is created, the shared role may decrypt it, and keyPolicyStatements says what its policy must carry", async () => {
        const key = `arn:aws:kms:eu-west-1:${C}:key/5678`;
        const run = await runOffline(
            () => new CrossAccountSecretsAbac("org", { secretsAccount: accounts.secrets, kmsKeyArn: key, clusters: [{ clusterName: "prod-eu", installPodIdentityAgent: true, account: accounts.cluster, teams }] }),
        );
        assert.strictEqual(run.ofType("aws:kms/key:Key").length, 0);
        assert.strictEqual(run.one("aws:secretsmanager/secret:Secret").inputs.kmsKeyId, key);
        assert.strictEqual(run.one("aws:ssm/parameter:Parameter").inputs.keyId, key);
        const statements = JSON.parse(await valueOf((run.result as CrossAccountSecretsAbac).keyPolicyStatements!));
        assert.deepStrictEqual(statements.map((s: { Sid: string }) => s.Sid), ["SharedRoleDecryptsThroughSecretsManager", "SharedRoleDecryptsThroughParameterStore"]);
        assert.deepStrictEqual(statements[0].Principal, { AWS: `arn:aws:iam::${B}:root` });
        assert.strictEqual(statements[0].Condition.ArnEquals["aws:PrincipalArn"], `arn:aws:iam::${B}:role/eks-secrets-abac-shared`);
    });

    it("without a key: the secrets account's AWS-managed keys, which its own shared role can use, and no KMS statement at all", async () => {
        const run = await runOffline(() => new CrossAccountSecretsAbac("org", { secretsAccount: accounts.secrets, clusters: [{ clusterName: "prod-eu", installPodIdentityAgent: true, account: accounts.cluster, teams }] }));
        assert.strictEqual(run.one("aws:secretsmanager/secret:Secret").inputs.kmsKeyId, undefined);
        assert.ok(!run.ofType("aws:iam/rolePolicy:RolePolicy").some((p) => p.inputs.policy.includes("kms:")));
        assert.strictEqual((run.result as CrossAccountSecretsAbac).keyPolicyStatements, undefined);
    });

    it("a key in the secrets account itself: its other principals with kms:* still cannot decrypt (KMS asks the key policy first)", () => {
        const region = "eu-west-1";
        const shared = `arn:aws:iam::${B}:role/eks-secrets-abac-shared`;
        const key = `arn:aws:kms:${region}:${B}:key/1`;
        const policy = secretsKeyPolicy({ partition: "aws", region, accountId: B, keyAccountId: B, sharedRoleArn: shared });
        const request = (principalArn: string, identity: PolicyDocument): IamRequest => ({
            principal: `arn:aws:sts::${B}:assumed-role/${principalArn.split("/").pop()}/x`,
            action: "kms:Decrypt",
            resource: key,
            resourceAccount: B,
            context: {
                "aws:PrincipalArn": principalArn,
                "aws:PrincipalAccount": B,
                "kms:ViaService": `secretsmanager.${region}.amazonaws.com`,
                "kms:CallerAccount": B,
                "kms:EncryptionContext:SecretARN": `arn:aws:secretsmanager:${region}:${B}:secret:payments/db-AbCdEf`,
            },
            identityPolicies: [identity],
            resourcePolicy: policy,
        });
        const everything: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "kms:*", Resource: "*" }] };
        assert.strictEqual(decide(request(`arn:aws:iam::${B}:role/secrets-admin`, everything)), "ImplicitlyDenied");
        assert.strictEqual(decide(request(shared, everything)), "Allowed");
    });
});

describe("cross-account arguments", () => {
    const provider = {} as never;
    const account = { accountId: "111122223333", region: "eu-west-1" };
    const secretsAccount = { accountId: "444455556666", region: "eu-west-1" };
    const cluster = (clusterName: string, secretNamePrefix?: string) => ({
        clusterName,
        installPodIdentityAgent: true,
        secretNamePrefix,
        account,
        teams: [{ namespace: "payments", secrets: [{ name: "db-password" }], parameters: [{ name: "db-url" }] }],
    });

    it("refuses two clusters of one name, even when each lives in its own account", () => {
        const problems = validateCrossAccountArgs({ secretsAccount, clusters: [cluster("prod-eu", "a/"), cluster("prod-eu", "b/")] });
        assert.ok(problems.some((p) => p.path === "clusters[1].clusterName" && /unique across accounts/.test(p.message)), JSON.stringify(problems));
    });

    it("refuses secret and parameter names that two clusters would both create in the secrets account, naming the fix", () => {
        const problems = validateCrossAccountArgs({ secretsAccount, clusters: [cluster("prod-eu"), cluster("staging-eu")] });
        assert.deepStrictEqual(
            problems.map((p) => p.path),
            ["clusters[1].teams[0].secrets[0].name", "clusters[1].teams[0].parameters[0].name"],
        );
        assert.match(problems[0].message, /secretNamePrefix, e\.g\. `staging-eu\/`/);
        assert.deepStrictEqual(validateCrossAccountArgs({ secretsAccount, clusters: [cluster("prod-eu", "prod-eu/"), cluster("staging-eu", "staging-eu/")] }), []);
    });

    it("refuses a key that is both created and given, and reports each cluster's own problems with its path", () => {
        const problems = validateCrossAccountArgs({
            secretsAccount,
            keyAccount: { accountId: "777788889999", region: "eu-west-1" },
            kmsKeyArn: "arn:aws:kms:eu-west-1:777788889999:key/x",
            clusters: [{ ...cluster("prod-eu"), teams: [{ namespace: "Bad_NS" }] }],
        });
        assert.deepStrictEqual(problems.map((p) => p.path), ["kmsKeyArn", "clusters[0].teams[0].namespace"]);
    });

    it("throws before declaring anything", () => {
        assert.throws(() => new CrossAccountSecretsAbac("x", { secretsAccount, clusters: [] }), /clusters: is empty/);
    });

    it("a cluster component placed in a secrets account needs the shared role of that account", () => {
        const args = { clusterName: "prod-eu", installPodIdentityAgent: true, teams: [{ namespace: "payments" }] };
        assert.throws(() => new EksSecretsAbac("x", args, undefined, { provider }), /sharedRole: is missing: secrets in another account/);
    });
});
