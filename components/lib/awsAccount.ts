/**
 * An AWS account as plain data, so that a component reaching several
 * accounts works from every Pulumi language: a Python or YAML program can
 * give a component only one provider per package (`providers={"aws": p}`),
 * and a provider object in the arguments makes the schema unbindable
 * (its reference names no resource). The component builds the provider.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Problem } from "./validate";

export interface AwsAccount {
    /** The 12-digit account ID. The provider refuses to act in any other account (`allowedAccountIds`). */
    readonly accountId: string;
    /**
     * Role of that account to assume, e.g. `arn:aws:iam::444455556666:role/OrganizationAccountAccessRole`.
     * @default none: the program's own credentials, which must then belong to the account
     */
    readonly roleArn?: string;
    /** Region of the account's resources, e.g. `eu-west-1`. */
    readonly region: string;
}

const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const ROLE_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/[\w+=,.@\/-]{1,512}$/;

function quote(v: unknown): string {
    return "`" + String(v) + "`";
}

/** Every problem of one account entry; `at` is its path in the arguments (`secretsAccount`). */
export function validateAwsAccount(at: string, account: AwsAccount | undefined): Problem[] {
    if (account === undefined || account === null || typeof account !== "object") {
        return [{ path: at, message: `is ${quote(account)}: give the account as { accountId: "444455556666", region: "eu-west-1", roleArn: "arn:aws:iam::444455556666:role/<deploy role>" }` }];
    }
    const problems: Problem[] = [];
    if (typeof account.accountId !== "string" || !ACCOUNT_ID.test(account.accountId)) {
        problems.push({ path: `${at}.accountId`, message: `is ${quote(account.accountId)}: give the 12-digit account ID as a string (quote it in YAML, or a leading 0 is lost)` });
    }
    if (typeof account.region !== "string" || !REGION.test(account.region)) {
        problems.push({ path: `${at}.region`, message: `is ${quote(account.region)}: give an AWS Region such as eu-west-1` });
    }
    if (account.roleArn !== undefined) {
        const m = typeof account.roleArn === "string" ? ROLE_ARN.exec(account.roleArn) : null;
        if (m === null) {
            problems.push({ path: `${at}.roleArn`, message: `is ${quote(account.roleArn)}: give an IAM role ARN such as arn:aws:iam::${ACCOUNT_ID.test(String(account.accountId)) ? account.accountId : "444455556666"}:role/OrganizationAccountAccessRole` });
        } else if (m[2] !== account.accountId) {
            // The provider acts as the assumed role, hence in the role's account: allowedAccountIds would refuse every call.
            problems.push({ path: `${at}.roleArn`, message: `is a role of account ${m[2]}, not of ${quote(account.accountId)}: a provider acts in the account of the role it assumes; give a role of ${account.accountId} or fix accountId` });
        }
    }
    return problems;
}

/**
 * The AWS provider of one account: pinned to it, assuming its role when one
 * is given. A child of `parent`, so it is deleted with the component.
 */
export function accountProvider(name: string, account: AwsAccount, parent: pulumi.Resource): aws.Provider {
    return new aws.Provider(
        name,
        {
            region: account.region as aws.Region,
            allowedAccountIds: [account.accountId],
            assumeRoles: account.roleArn !== undefined ? [{ roleArn: account.roleArn }] : undefined,
        },
        { parent },
    );
}
