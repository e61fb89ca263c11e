/**
 * AWS managed policies whose documents the principal check evaluates, each
 * as AWS publishes it in the AWS Managed Policy Reference Guide
 * (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/<Name>.html),
 * with the version and the page it was read from. A managed ARN that is not
 * here is "not evaluated": the report lists it as undecided, never as safe.
 *
 * `excerpt` marks a document of which only the statements that can grant
 * Secrets Manager, Parameter Store or KMS actions were taken; the statements
 * left out name other services only, so no decision of this tool changes.
 */
/** An IAM document as JSON: NotAction, NotResource and the other elements the components never write. */
export interface IamDocument {
    Version?: string;
    Statement: Record<string, any>[];
}

export interface ManagedPolicy {
    name: string;
    /** The default version when it was read. */
    version: string;
    source: string;
    /** What of the published document is kept, when not all of it. */
    excerpt?: string;
    document: IamDocument;
}

const SOURCE = (name: string) => `https://docs.aws.amazon.com/aws-managed-policy/latest/reference/${name}.html`;

export const MANAGED_POLICIES: ManagedPolicy[] = [
    {
        name: "SecretsManagerReadWrite",
        version: "v5 (edited 2024-02-22)",
        source: SOURCE("SecretsManagerReadWrite"),
        excerpt: "statement BasePermissions only; the others (LambdaPermissions and after) name lambda, serverlessrepo and similar actions on their own ARNs",
        document: {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "BasePermissions",
                    Effect: "Allow",
                    Action: [
                        "secretsmanager:*",
                        "cloudformation:CreateChangeSet",
                        "cloudformation:DescribeChangeSet",
                        "cloudformation:DescribeStackResource",
                        "cloudformation:DescribeStacks",
                        "cloudformation:ExecuteChangeSet",
                        "docdb-elastic:GetCluster",
                        "docdb-elastic:ListClusters",
                        "ec2:DescribeSecurityGroups",
                        "ec2:DescribeSubnets",
                        "ec2:DescribeVpcs",
                        "kms:DescribeKey",
                        "kms:ListAliases",
                        "kms:ListKeys",
                        "lambda:ListFunctions",
                        "rds:DescribeDBClusters",
                        "rds:DescribeDBInstances",
                        "redshift:DescribeClusters",
                        "redshift-serverless:ListWorkgroups",
                        "redshift-serverless:GetNamespace",
                        "tag:GetResources",
                    ],
                    Resource: "*",
                },
            ],
        },
    },
    {
        name: "PowerUserAccess",
        version: "v12 (edited 2026-02-12)",
        source: SOURCE("PowerUserAccess"),
        document: {
            Version: "2012-10-17",
            Statement: [
                { Effect: "Allow", NotAction: ["iam:*", "organizations:*", "account:*"], Resource: "*" },
                {
                    Effect: "Allow",
                    Action: [
                        "account:GetAccountInformation",
                        "account:GetGovCloudAccountInformation",
                        "account:GetPrimaryEmail",
                        "account:ListRegions",
                        "iam:CreateServiceLinkedRole",
                        "iam:DeleteServiceLinkedRole",
                        "iam:ListRoles",
                        "organizations:DescribeEffectivePolicy",
                        "organizations:DescribeOrganization",
                    ],
                    Resource: "*",
                },
            ],
        },
    },
    {
        name: "AWSSecretsManagerClientReadOnlyAccess",
        // The English page read v1; a translated page of the same guide already shows v3 (edited 2026-02-12).
        version: "v1 (created 2025-11-05)",
        source: SOURCE("AWSSecretsManagerClientReadOnlyAccess"),
        document: {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "SecretsManagerGetAndDescribeSecret",
                    Effect: "Allow",
                    Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                    Resource: "arn:aws:secretsmanager:*:*:secret:*",
                },
                {
                    Sid: "KMSDecryptKey",
                    Effect: "Allow",
                    Action: ["kms:Decrypt"],
                    Resource: "arn:aws:kms:*:*:key/*",
                    Condition: { StringLike: { "kms:EncryptionContext:SecretARN": "arn:aws:secretsmanager:*:*:secret:*", "kms:ViaService": "secretsmanager.*.amazonaws.com" } },
                },
            ],
        },
    },
    {
        name: "AmazonSSMReadOnlyAccess",
        version: "v1 (edited 2015-05-29)",
        source: SOURCE("AmazonSSMReadOnlyAccess"),
        document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["ssm:Describe*", "ssm:Get*", "ssm:List*"], Resource: "*" }] },
    },
];

const AWS_MANAGED = /^arn:aws[a-z-]*:iam::aws:policy\/(.+)$/;

/** The name of an AWS managed policy ARN (`arn:aws:iam::aws:policy/job-function/X` -> `job-function/X`), or undefined. */
export function awsManagedName(arn: string): string | undefined {
    return AWS_MANAGED.exec(arn)?.[1];
}

/** The recorded document of an AWS managed policy ARN; undefined when this tool has none (not evaluated). */
export function managedPolicy(arn: string): ManagedPolicy | undefined {
    const name = awsManagedName(arn);
    return name === undefined ? undefined : MANAGED_POLICIES.find((p) => p.name === name);
}
