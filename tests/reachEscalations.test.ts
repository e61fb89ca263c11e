/**
 * One step from a read (cli/src/checker/checks/reach/escalations.ts, ESCALATIONS). For
 * each: the evaluator first decides the step itself and the read it opens
 * (requests written here from the API references the table cites), then the
 * check must name the principal with the step.
 */
import * as assert from "assert";
import * as aws from "@pulumi/aws";
import { decide, IamRequest } from "../cli/src/checker";
import { ESCALATIONS } from "../cli/src/checker";
import { ACCOUNT, doc, judged, reached, SERVICE_TRUST, TEAM_TAGS, withPath } from "./reachHelpers";

const ALL_SECRETS = ["payments/api-key", "payments/db-password", "search/api-key", "search/db-password"];
const role = (name: string, ...statements: object[]) => new aws.iam.Role(name, { name, assumeRolePolicy: SERVICE_TRUST, inlinePolicies: [{ name: "p", policy: doc(...statements) }] });
const secretArn = (name: string) => `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:${name}-AbCdEf`;
const request = (principal: string, action: string, resource: string, extra: Partial<IamRequest> = {}): IamRequest => ({
    principal: `arn:aws:sts::${ACCOUNT}:assumed-role/${principal}/s`,
    action,
    resource,
    resourceAccount: ACCOUNT,
    context: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role/${principal}` },
    ...extra,
});
const policy = (...Statement: object[]) => ({ Version: "2012-10-17", Statement }) as any;

describe("one step from a read (reach/escalations.ts)", function () {
    this.timeout(60_000);

    it("the table names, for each step, what it must apply to and the AWS API reference", () => {
        assert.deepStrictEqual(
            ESCALATIONS.map((e) => e.action).sort(),
            [
                "iam:AddUserToGroup",
                "iam:AttachGroupPolicy",
                "iam:AttachRolePolicy",
                "iam:AttachUserPolicy",
                "iam:CreatePolicyVersion",
                "iam:PutGroupPolicy",
                "iam:PutRolePolicy",
                "iam:PutUserPolicy",
                "iam:SetDefaultPolicyVersion",
                "iam:UpdateAssumeRolePolicy",
                "kms:CreateGrant",
                "kms:PutKeyPolicy",
                "secretsmanager:PutResourcePolicy",
            ],
        );
        for (const e of ESCALATIONS) assert.match(e.reference, new RegExp(`^https://docs\\.aws\\.amazon\\.com/.*API_${e.action.split(":")[1]}\\.html$`));
    });

    it("LEAK: secretsmanager:PutResourcePolicy on *: the evaluator allows the write, and a same-account policy naming the role then grants the read; BLOCKED with the step", async () => {
        assert.strictEqual(decide(request("ops", "secretsmanager:PutResourcePolicy", secretArn("payments/db-password"), { identityPolicies: [policy({ Effect: "Allow", Action: "secretsmanager:PutResourcePolicy", Resource: "*" })] })), "Allowed");
        const written = policy({ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/ops` }, Action: "secretsmanager:GetSecretValue", Resource: "*" });
        assert.strictEqual(decide(request("ops", "secretsmanager:GetSecretValue", secretArn("payments/db-password"), { identityPolicies: [], resourcePolicy: written })), "Allowed");
        const r = await judged(() => role("ops", { Effect: "Allow", Action: "secretsmanager:PutResourcePolicy", Resource: "*" }));
        assert.deepStrictEqual(reached(r), ALL_SECRETS.map((s) => `ops -> ${s}`));
        assert.match(withPath(r)[0].statement, /^path: role ops -> secretsmanager:PutResourcePolicy on secret \S+ \(allowed by 'ops' inlinePolicies\[0\] Statement\[0\]\) -> a resource policy that names itself/);
        assert.strictEqual(r.ok, false);
    });

    it("NEAR MISS: PutResourcePolicy only on secrets outside the teams' names reads nothing", async () => {
        const r = await judged(() => role("ops", { Effect: "Allow", Action: "secretsmanager:PutResourcePolicy", Resource: `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:ops/*` }));
        assert.deepStrictEqual(reached(r), []);
        assert.strictEqual(r.ok, true);
    });

    it("LEAK: kms:CreateGrant on the team key lets a role that is refused only by the key decrypt; NEAR MISS: without it the key keeps the value", async () => {
        const keyPolicy = policy(
            { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: ["kms:CreateGrant", "kms:PutKeyPolicy", "kms:DescribeKey"], Resource: "*" },
            { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/prod-shared-abac-role` }, Action: "kms:Decrypt", Resource: "*" },
        );
        const keyArn = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/team-key`;
        const ci = policy({ Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "kms:Decrypt", "kms:CreateGrant"], Resource: "*" });
        assert.strictEqual(decide(request("ci", "kms:CreateGrant", keyArn, { identityPolicies: [ci], resourcePolicy: keyPolicy })), "Allowed");
        assert.strictEqual(decide(request("ci", "kms:Decrypt", keyArn, { identityPolicies: [ci], resourcePolicy: keyPolicy })), "ImplicitlyDenied");
        const stack = (actions: string[]) =>
            judged(() => {
                const key = new aws.kms.Key("team-key", { policy: JSON.stringify(keyPolicy) });
                new aws.secretsmanager.Secret("vault", { name: "payments/vault", kmsKeyId: key.arn, tags: TEAM_TAGS("payments") });
                role("ci", { Effect: "Allow", Action: actions, Resource: "*" });
            });
        const leak = await stack(["secretsmanager:GetSecretValue", "kms:Decrypt", "kms:CreateGrant"]);
        assert.ok(reached(leak).includes("ci -> payments/vault"), reached(leak).join("\n"));
        assert.match(withPath(leak).find((f) => f.target === "payments/vault")!.statement, /kms:CreateGrant on key \S+ .*-> a grant of kms:Decrypt to itself/);
        const kept = await stack(["secretsmanager:GetSecretValue", "kms:Decrypt"]);
        assert.ok(!kept.reads.some((f) => f.target === "payments/vault"));
    });

    it("LEAK: iam:PutRolePolicy on its own role reads every team value; NEAR MISS: on other roles only, or under a boundary that allows no read", async () => {
        assert.strictEqual(decide(request("ci", "iam:PutRolePolicy", `arn:aws:iam::${ACCOUNT}:role/ci`, { identityPolicies: [policy({ Effect: "Allow", Action: "iam:PutRolePolicy", Resource: `arn:aws:iam::${ACCOUNT}:role/ci` })] })), "Allowed");
        const leak = await judged(() => role("ci", { Effect: "Allow", Action: "iam:PutRolePolicy", Resource: `arn:aws:iam::${ACCOUNT}:role/ci` }));
        assert.deepStrictEqual(reached(leak), ALL_SECRETS.map((s) => `ci -> ${s}`));
        assert.match(withPath(leak)[0].statement, /^path: role ci -> iam:PutRolePolicy on role ci .* -> secretsmanager:GetSecretValue on secret/);
        const others = await judged(() => role("ci", { Effect: "Allow", Action: "iam:PutRolePolicy", Resource: `arn:aws:iam::${ACCOUNT}:role/build-*` }));
        assert.deepStrictEqual(reached(others), []);
        const bounded = await judged(() => {
            const boundary = new aws.iam.Policy("boundary", { name: "boundary", policy: doc({ Effect: "Allow", Action: "iam:*", Resource: "*" }) });
            new aws.iam.Role("ci", { name: "ci", assumeRolePolicy: SERVICE_TRUST, permissionsBoundary: boundary.arn, inlinePolicies: [{ name: "p", policy: doc({ Effect: "Allow", Action: "iam:PutRolePolicy", Resource: "*" }) }] });
        });
        assert.deepStrictEqual(reached(bounded), [], "a permissions boundary bounds what the role writes on itself");
    });

    it("LEAK: iam:UpdateAssumeRolePolicy on the shared role: it admits itself and picks esoNamespace (the evaluator allows payments' read with it)", async () => {
        assert.strictEqual(decide(request("ops", "iam:UpdateAssumeRolePolicy", `arn:aws:iam::${ACCOUNT}:role/prod-shared-abac-role`, { identityPolicies: [policy({ Effect: "Allow", Action: "iam:UpdateAssumeRolePolicy", Resource: "*" })] })), "Allowed");
        const r = await judged(() => role("ops", { Effect: "Allow", Action: "iam:UpdateAssumeRolePolicy", Resource: "*" }));
        assert.deepStrictEqual(reached(r), ALL_SECRETS.map((s) => `ops -> ${s}`));
        assert.match(withPath(r)[0].statement, /iam:UpdateAssumeRolePolicy on role prod-shared-abac-role .* -> sts:AssumeRole\+TagSession with tags of its choosing into role prod-shared-abac-role/);
    });

    it("LEAK: iam:AddUserToGroup on a group that reads: the user reads what the group reads", async () => {
        const r = await judged(() => {
            const dev = new aws.iam.User("dev", { name: "dev" });
            new aws.iam.UserPolicy("dev-join", { user: dev.name, policy: doc({ Effect: "Allow", Action: "iam:AddUserToGroup", Resource: "*" }) });
            const readers = new aws.iam.Group("readers", { name: "readers" });
            new aws.iam.GroupPolicy("readers-read", { group: readers.name, policy: doc({ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*" }) });
        });
        assert.deepStrictEqual(reached(r), ALL_SECRETS.map((s) => `dev -> ${s}`));
        assert.match(withPath(r)[0].statement, /iam:AddUserToGroup on group readers/);
    });
});
