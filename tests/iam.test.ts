import * as assert from "assert";
import {
    abacPermissionPolicy,
    abacTrustPolicy,
    controllerPermissionPolicy,
    controllerRoleName,
    controllerTrustPolicy,
    renderPolicy,
    roleArn,
} from "../components";

const ctx = { partition: "aws", accountId: "111122223333" };
const clusterArn = "arn:aws:eks:eu-west-1:111122223333:cluster/prod-eu";

describe("IAM documents", () => {
    // The keys come from the AWS pages cited in docs/CONDITION_KEYS.md: Pod Identity's request tags and aws:SourceAccount.
    it("controller trust admits only Pod Identity for this account, cluster and ESO service account, with TagSession, on documented keys", () => {
        assert.deepStrictEqual(
            controllerTrustPolicy({ ...ctx, clusterArn, esoNamespace: "external-secrets", esoServiceAccount: "external-secrets" }),
            {
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "EksPodIdentityForEsoController",
                        Effect: "Allow",
                        Principal: { Service: "pods.eks.amazonaws.com" },
                        Action: ["sts:AssumeRole", "sts:TagSession"],
                        Condition: {
                            StringEquals: {
                                "aws:SourceAccount": "111122223333",
                                "aws:RequestTag/eks-cluster-arn": clusterArn,
                                "aws:RequestTag/kubernetes-namespace": "external-secrets",
                                "aws:RequestTag/kubernetes-service-account": "external-secrets",
                            },
                        },
                    },
                ],
            },
        );
    });

    it("controller permissions are only AssumeRole and TagSession on the shared role, no Secrets Manager action", () => {
        const doc = controllerPermissionPolicy("arn:aws:iam::111122223333:role/shared");
        assert.deepStrictEqual(doc.Statement, [
            {
                Sid: "AssumeSharedAbacRoleWithTags",
                Effect: "Allow",
                Action: ["sts:AssumeRole", "sts:TagSession"],
                Resource: "arn:aws:iam::111122223333:role/shared",
            },
        ]);
        assert.ok(!renderPolicy(doc).includes("secretsmanager"));
    });

    it("shared role trust names the controller roles by aws:PrincipalArn, pins the chained session's cluster and service account, and allows TagSession", () => {
        const other = "arn:aws:eks:eu-west-1:111122223333:cluster/prod-eu-2";
        const doc = abacTrustPolicy({
            ...ctx,
            controllerRoleArns: ["arn:aws:iam::111122223333:role/b", "arn:aws:iam::111122223333:role/a"],
            clusterArns: [other, clusterArn],
        });
        assert.deepStrictEqual(doc.Statement, [
            {
                Sid: "EsoControllerAssumesWithSessionTags",
                Effect: "Allow",
                Principal: { AWS: "arn:aws:iam::111122223333:root" },
                Action: ["sts:AssumeRole", "sts:TagSession"],
                Condition: {
                    ArnEquals: { "aws:PrincipalArn": ["arn:aws:iam::111122223333:role/a", "arn:aws:iam::111122223333:role/b"] },
                    StringEquals: {
                        "aws:PrincipalTag/eks-cluster-arn": [clusterArn, other],
                        "aws:PrincipalTag/kubernetes-service-account": "external-secrets",
                    },
                },
            },
        ]);
    });

    it("shared role trust refuses to render without a controller role or a cluster", () => {
        assert.throws(() => abacTrustPolicy({ ...ctx, controllerRoleArns: [], clusterArns: [clusterArn] }), /at least one controller role/);
        assert.throws(() => abacTrustPolicy({ ...ctx, controllerRoleArns: ["arn:aws:iam::111122223333:role/a"], clusterArns: [] }), /at least one cluster/);
    });

    it("shared role permissions compare both tags with StringEquals and require a non-empty esoNamespace", () => {
        const doc = abacPermissionPolicy({ ...ctx, region: "eu-west-1" });
        // The Allow; the Deny statements that follow are tests/tagDeny.test.ts's.
        assert.strictEqual(
            renderPolicy({ ...doc, Statement: doc.Statement.filter((s) => s.Effect === "Allow") }),
            '{"Version":"2012-10-17","Statement":[{"Sid":"ReadSecretsOfTheCallersNamespaceAndCluster","Effect":"Allow",' +
                '"Action":["secretsmanager:GetSecretValue","secretsmanager:DescribeSecret"],' +
                '"Resource":"arn:aws:secretsmanager:eu-west-1:111122223333:secret:*",' +
                '"Condition":{"StringEquals":{"secretsmanager:ResourceTag/kubernetes-namespace":"${aws:PrincipalTag/esoNamespace}",' +
                '"secretsmanager:ResourceTag/eks-cluster-name":"${aws:PrincipalTag/eks-cluster-name}"},' +
                '"StringLike":{"aws:PrincipalTag/esoNamespace":"?*"}}}]}',
        );
    });

    it("KMS decryption is added only for given keys, only through Secrets Manager in the region, for this account's secrets, as this account", () => {
        const key = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        const doc = abacPermissionPolicy({ ...ctx, region: "eu-west-1", kmsKeyArns: [key] });
        assert.deepStrictEqual(doc.Statement[1], {
            Sid: "DecryptOnlyThroughSecretsManager",
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: key,
            // Secrets Manager's encryption context names the secret's ARN (security-encryption.html).
            Condition: {
                StringEquals: { "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com", "kms:CallerAccount": "111122223333" },
                StringLike: { "kms:EncryptionContext:SecretARN": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:*" },
            },
        });
        assert.strictEqual(abacPermissionPolicy({ ...ctx, region: "eu-west-1", kmsKeyArns: [] }).Statement.filter((s) => s.Action === "kms:Decrypt").length, 0);
    });

    it("controller role names stay within IAM's 64 characters and distinct for long cluster names", () => {
        assert.strictEqual(controllerRoleName("prod-eu"), "prod-eu-eso-controller");
        const a = controllerRoleName("a".repeat(90) + "1");
        const b = controllerRoleName("a".repeat(90) + "2");
        assert.ok(a.length <= 64 && b.length <= 64, `${a.length} ${b.length}`);
        assert.notStrictEqual(a, b);
        assert.strictEqual(roleArn(ctx, "x"), "arn:aws:iam::111122223333:role/x");
    });
});
