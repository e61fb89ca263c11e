/**
 * Every principal of the stack against every team secret: programs run in
 * the offline cloud as the engine records them (and one stack as a file
 * backend's checkpoint stores it), decided by the IAM evaluator. Expected
 * outcomes follow IAM's documented evaluation logic
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
 * an Allow in an identity policy or in a same-account resource policy grants,
 * a permissions boundary bounds identity policies, an explicit Deny wins.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as aws from "@pulumi/aws";
import { EksSecretsAbac } from "../components";
import { parseStackConfig } from "../components/lib/stackConfig";
import { validateTrustedReaders } from "../components/lib/trustedReaders";
import { buildPlan, buildPlanFrom, judgePlan, renderVerdict } from "../cli/src/checker";
import { readStackFile } from "../cli/src/checker";
import { readDeployment } from "../cli/src/checker";
import { InputError, StackInput } from "../cli/src/checker";
import { MANAGED_POLICIES } from "../cli/src/checker";
import { readPreviewDigest } from "../cli/src/checker";
import { judgeStack, planFromInput, sharedRoleNames } from "../cli/src/checker";
import { toSarif } from "../cli/src/checker";
import { judgePrincipals, PrincipalReport } from "../cli/src/checker";
import { trustedReadersFromConfig } from "../cli/src/checker";
import { runOffline, team, VENDOR } from "./helpers";

const TRUST = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "codebuild.amazonaws.com" }, Action: "sts:AssumeRole" }] });
const doc = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const READ_ALL = { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*" };
/** Two teams, two secrets each: the four values every broad reader reaches. */
const TEAM_SECRETS = 4;

function inputOf(resources: StackInput["resources"], config: Record<string, string> = {}): StackInput {
    return { kind: "program", source: "test", resources, undecidable: [], notes: [], config };
}

/** The component's two-team stack plus `extra` declared beside it, judged as `plan` judges a program. */
async function judged(extra: () => void, options: { config?: Record<string, string>; teams?: ReturnType<typeof team>[] } = {}): Promise<PrincipalReport> {
    const run = await runOffline(() => {
        new EksSecretsAbac("prod", { clusterName: "prod-eu", installPodIdentityAgent: true, teams: options.teams ?? [team("payments"), team("search")] });
        extra();
    });
    const plan = planFromInput(inputOf(run.resources, options.config));
    return judgePrincipals(plan.resources, { account: plan.account, sharedRoles: sharedRoleNames(plan), trustedReaders: plan.trustedReaders });
}

const readers = (r: PrincipalReport) => [...new Set(r.reads.map((f) => f.principal))];

describe("every principal of the stack (cli/src/checker/checks/stackPrincipals.ts)", function () {
    this.timeout(120_000);

    it("the example stack alone: no principal but the shared role's sessions reads a team secret, and the scope is said", async () => {
        const r = await judged(() => undefined);
        assert.deepStrictEqual(r.reads, []);
        assert.deepStrictEqual(r.undecided, []);
        assert.strictEqual(r.ok, true);
        // No roleName: the engine's auto-name (logical name, "-", 7 hex).
        assert.deepStrictEqual(r.expected.map((n) => n.replace(/-[0-9a-f]{7}$/, "-<auto>")), ["prod-shared-abac-role"]);
        // The controller role is evaluated too: it may only assume the shared role.
        assert.ok(r.evaluated.some((p) => p.name === "prod-eu-eso-controller"));
        assert.match(r.scope, /outside this stack .* out of scope/);
    });

    it("a role of the user's own with GetSecretValue on * inline reads every team's secrets: named with the statement and an example", async () => {
        const r = await judged(() => new aws.iam.Role("ci", { name: "ci", assumeRolePolicy: TRUST, inlinePolicies: [{ name: "read", policy: doc(READ_ALL) }] }));
        assert.deepStrictEqual(readers(r), ["ci"]);
        assert.strictEqual(r.reads.length, TEAM_SECRETS);
        assert.strictEqual(r.reads[0].statement, "'ci' inlinePolicies[0] Statement[0]");
        assert.strictEqual(r.reads[0].action, "secretsmanager:GetSecretValue");
        assert.strictEqual(r.ok, false);
    });

    it("the same as a RolePolicy, and as a Policy with a RolePolicyAttachment", async () => {
        const rolePolicy = await judged(() => {
            const ci = new aws.iam.Role("ci", { name: "ci", assumeRolePolicy: TRUST });
            new aws.iam.RolePolicy("ci-read", { role: ci.name, policy: doc(READ_ALL) });
        });
        assert.deepStrictEqual(readers(rolePolicy), ["ci"]);
        assert.strictEqual(rolePolicy.reads[0].statement, "RolePolicy 'ci-read' Statement[0]");
        const attached = await judged(() => {
            const ci = new aws.iam.Role("ci", { name: "ci", assumeRolePolicy: TRUST });
            const policy = new aws.iam.Policy("read-all", { name: "read-all", policy: doc(READ_ALL) });
            new aws.iam.RolePolicyAttachment("ci-read", { role: ci.name, policyArn: policy.arn });
        });
        assert.deepStrictEqual(readers(attached), ["ci"]);
        assert.strictEqual(attached.reads[0].statement, "RolePolicyAttachment 'ci-read' -> Policy 'read-all' Statement[0]");
    });

    it("a reader attached by the role's id (RolePolicy, RolePolicyAttachment; Pulumi's own RolePolicy example) or to an auto-named role is never 'no other principal can read'", async () => {
        for (const attach of [
            (ci: aws.iam.Role) => new aws.iam.RolePolicy("ci-read", { role: ci.id, policy: doc(READ_ALL) }),
            (ci: aws.iam.Role) => new aws.iam.RolePolicyAttachment("ci-read", { role: ci.id, policyArn: new aws.iam.Policy("read-all", { policy: doc(READ_ALL) }).arn }),
        ]) {
            for (const name of ["ci", undefined]) {
                const r = await judged(() => attach(new aws.iam.Role("ci", { ...(name ? { name } : {}), assumeRolePolicy: TRUST })));
                assert.strictEqual(r.reads.length, TEAM_SECRETS, `${attach.toString().slice(0, 60)} name=${name}`);
                assert.strictEqual(r.ok, false);
            }
        }
    });

    it("managedPolicyArns with SecretsManagerReadWrite reads (its published BasePermissions: secretsmanager:* on *); an AWS managed ARN without a recorded text is not evaluated and fails", async () => {
        const r = await judged(() => new aws.iam.Role("ci", { name: "ci", assumeRolePolicy: TRUST, managedPolicyArns: ["arn:aws:iam::aws:policy/SecretsManagerReadWrite"] }));
        assert.deepStrictEqual(readers(r), ["ci"]);
        assert.match(r.reads[0].statement, /AWS managed SecretsManagerReadWrite v5 .*\(BasePermissions\)/);
        const admin = await judged(() => new aws.iam.Role("admin", { name: "admin", assumeRolePolicy: TRUST, managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] }));
        assert.deepStrictEqual(admin.reads, []);
        assert.match(admin.undecided.map((u) => `${u.principal}: ${u.reason}`).join("\n"), /admin: .*AdministratorAccess is not evaluated/);
        assert.strictEqual(admin.ok, false, "not evaluated is never safe");
    });

    it("AmazonSSMReadOnlyAccess (ssm:Get* on *) reads the teams' parameters, not their secrets", async () => {
        const r = await judged(() => new aws.iam.Role("ops", { name: "ops", assumeRolePolicy: TRUST, managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess"] }), {
            teams: [{ ...team("payments"), parameters: [{ name: "db-url" }] }, team("search")],
        });
        assert.deepStrictEqual([...new Set(r.reads.map((f) => `${f.principal} ${f.targetKind} ${f.target}`))], ["ops parameter /payments/db-url"]);
        assert.strictEqual(r.reads[0].action, "ssm:GetParameter");
        // GetParameterHistory alone returns the values too.
        const history = await judged(
            () => new aws.iam.Role("ops", { name: "ops", assumeRolePolicy: TRUST, inlinePolicies: [{ name: "h", policy: doc({ Effect: "Allow", Action: "ssm:GetParameterHistory", Resource: "*" }) }] }),
            { teams: [{ ...team("payments"), parameters: [{ name: "db-url" }] }, team("search")] },
        );
        assert.deepStrictEqual(history.reads.map((f) => [f.target, f.action]), [["/payments/db-url", "ssm:GetParameterHistory"]]);
    });

    it("a user with a UserPolicy, and a group's policy through membership, read; the group itself is reported too", async () => {
        const r = await judged(() => {
            const dev = new aws.iam.User("dev", { name: "dev" });
            new aws.iam.UserPolicy("dev-read", { user: dev.name, policy: doc(READ_ALL) });
            const ops = new aws.iam.User("ops", { name: "ops" });
            const admins = new aws.iam.Group("admins", { name: "admins" });
            new aws.iam.GroupPolicy("admins-read", { group: admins.name, policy: doc(READ_ALL) });
            new aws.iam.UserGroupMembership("ops-admins", { user: ops.name, groups: [admins.name] });
        });
        assert.deepStrictEqual(readers(r).sort(), ["admins", "dev", "ops"]);
        assert.strictEqual(r.reads.find((f) => f.principal === "ops")!.statement, "group 'admins': GroupPolicy 'admins-read' Statement[0]");
    });

    it("a permissions boundary that allows no Secrets Manager action keeps the role from reading (isolated); one that allows it does not", async () => {
        const withBoundary = (actions: string) =>
            judged(() => {
                const boundary = new aws.iam.Policy("boundary", { name: "boundary", policy: doc({ Effect: "Allow", Action: actions, Resource: "*" }) });
                new aws.iam.Role("ci", { name: "ci", assumeRolePolicy: TRUST, permissionsBoundary: boundary.arn, inlinePolicies: [{ name: "read", policy: doc(READ_ALL) }] });
            });
        const blocked = await withBoundary("s3:*");
        assert.deepStrictEqual(blocked.reads, []);
        assert.strictEqual(blocked.ok, true);
        assert.ok(blocked.evaluated.find((p) => p.name === "ci")!.documents.some((d) => d.startsWith("boundary ")));
        const open = await withBoundary("secretsmanager:*");
        assert.deepStrictEqual(readers(open), ["ci"]);
    });

    it("a secret resource policy that grants another principal of the account: that principal reads it, though the stack does not declare it", async () => {
        const r = await judged(() => {
            const secret = new aws.secretsmanager.Secret("shared", { name: "payments/shared", tags: { "kubernetes-namespace": "payments", "eks-cluster-name": "prod-eu" } });
            new aws.secretsmanager.SecretPolicy("shared-policy", {
                secretArn: secret.arn,
                policy: doc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:role/analytics" }, Action: "secretsmanager:GetSecretValue", Resource: "*" }),
            });
        });
        assert.deepStrictEqual(readers(r), ["arn:aws:iam::111122223333:role/analytics"]);
        assert.deepStrictEqual(
            r.reads.map((f) => [f.kind, f.target, f.statement]),
            [["named by a resource policy", "payments/shared", "SecretPolicy 'shared-policy' Statement[0]"]],
        );
    });

    it("a trusted reader with a reason passes and is listed with it; the same role without the entry fails", async () => {
        const breakGlass = () => new aws.iam.Role("break-glass", { name: "break-glass", assumeRolePolicy: TRUST, inlinePolicies: [{ name: "read", policy: doc(READ_ALL) }] });
        const config = { "eks-secrets-abac:trustedReaders": JSON.stringify([{ principal: "break-glass", reason: "break-glass, used by on-call SRE" }]) };
        const trusted = await judged(breakGlass, { config });
        assert.deepStrictEqual(trusted.reads, []);
        assert.strictEqual(trusted.trusted.length, TEAM_SECRETS);
        assert.strictEqual(trusted.trusted[0].trustedReason, "break-glass, used by on-call SRE");
        assert.strictEqual(trusted.ok, true);
        assert.strictEqual((await judged(breakGlass)).ok, false);
    });

    it("the stack file's trustedReaders reach npm run plan's check; one the stack does not hold is reported", async () => {
        const stack = readStackFile(path.join(__dirname, "..", "Pulumi.example.yaml"));
        stack.config["eks-secrets-abac:trustedReaders"] = JSON.stringify([{ principal: "break-glass", reason: "on-call SRE" }]);
        const result = await buildPlanFrom("Pulumi.example.yaml", stack);
        assert.ok(result.ok);
        const verdict = await judgePlan(result.plan);
        assert.deepStrictEqual(verdict.principals.unmatchedTrustedReaders, [{ principal: "break-glass", reason: "on-call SRE" }]);
        assert.match(renderVerdict(verdict), /trusted reader break-glass is not a principal of this stack/);
    });

    it("DescribeSecret alone is a metadata finding, not a read", async () => {
        const r = await judged(() => new aws.iam.Role("ci", { name: "ci", assumeRolePolicy: TRUST, inlinePolicies: [{ name: "describe", policy: doc({ Effect: "Allow", Action: "secretsmanager:DescribeSecret", Resource: "*" }) }] }));
        assert.deepStrictEqual(r.reads, []);
        assert.strictEqual(r.metadata.length, TEAM_SECRETS);
        assert.strictEqual(r.metadata[0].action, "secretsmanager:DescribeSecret");
        assert.strictEqual(r.ok, true);
    });

    it("an explicit Deny on the team's secrets beside the Allow keeps them from the role", async () => {
        const r = await judged(() =>
            new aws.iam.Role("ci", {
                name: "ci",
                assumeRolePolicy: TRUST,
                inlinePolicies: [{ name: "read", policy: doc(READ_ALL, { Effect: "Deny", Action: "secretsmanager:*", Resource: "*", Condition: { StringEquals: { "secretsmanager:ResourceTag/kubernetes-namespace": "payments" } } }) }],
            }),
        );
        assert.deepStrictEqual([...new Set(r.reads.map((f) => f.namespace))], ["search"]);
    });

    it("a condition the stack does not fix is taken at its worst: an Allow's source-IP condition as met, a Deny fenced by one as not applying", async () => {
        const ip = await judged(() =>
            new aws.iam.Role("ci", { name: "ci", assumeRolePolicy: TRUST, inlinePolicies: [{ name: "read", policy: doc({ ...READ_ALL, Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } }) }] }),
        );
        assert.strictEqual(ip.reads.length, TEAM_SECRETS);
        assert.match(ip.reads[0].statement, /Statement\[0\] \(when aws:SourceIp hold, which the stack does not fix\)/);
        const fenced = await judged(() =>
            new aws.iam.Role("ci", {
                name: "ci",
                assumeRolePolicy: TRUST,
                inlinePolicies: [{ name: "read", policy: doc(READ_ALL, { Effect: "Deny", Action: "*", Resource: "*", Condition: { StringNotEquals: { "aws:SourceVpc": "vpc-1" } } }) }],
            }),
        );
        assert.strictEqual(fenced.reads.length, TEAM_SECRETS, "from vpc-1 the Deny does not apply");
        // A condition on the secret's own tags is fixed by the stack: team secrets carry no owner=ci tag.
        const tagged = await judged(() =>
            new aws.iam.Role("ci", { name: "ci", assumeRolePolicy: TRUST, inlinePolicies: [{ name: "read", policy: doc({ ...READ_ALL, Condition: { StringEquals: { "secretsmanager:ResourceTag/owner": "ci" } } }) }] }),
        );
        assert.deepStrictEqual(tagged.reads, []);
    });

    it("a second ABAC-style role: keyed on its IAM tag it reads that team only; when its trust allows sts:TagSession the caller picks the tag and reads every team", async () => {
        const policy = doc({ ...READ_ALL, Condition: { StringEquals: { "secretsmanager:ResourceTag/kubernetes-namespace": "${aws:PrincipalTag/team}" } } });
        const fixed = await judged(() => new aws.iam.Role("ci", { name: "ci", assumeRolePolicy: TRUST, tags: { team: "payments" }, inlinePolicies: [{ name: "read", policy }] }));
        assert.deepStrictEqual([...new Set(fixed.reads.map((f) => f.namespace))], ["payments"]);
        const tagging = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: ["sts:AssumeRole", "sts:TagSession"] }] });
        const open = await judged(() => new aws.iam.Role("ci", { name: "ci", assumeRolePolicy: tagging, tags: { team: "payments" }, inlinePolicies: [{ name: "read", policy }] }));
        assert.deepStrictEqual([...new Set(open.reads.map((f) => f.namespace))].sort(), ["payments", "search"]);
    });

    it("a customer key in the stack whose policy names only the shared role stops GetSecretValue on * from decrypting", async () => {
        const secretsOf = (keyPolicy?: string) =>
            judged(() => {
                const key = new aws.kms.Key("team-key", keyPolicy ? { policy: keyPolicy } : {});
                new aws.secretsmanager.Secret("vault", { name: "payments/vault", kmsKeyId: key.arn, tags: { "kubernetes-namespace": "payments", "eks-cluster-name": "prod-eu" } });
                new aws.iam.Role("ci", { name: "ci", assumeRolePolicy: TRUST, inlinePolicies: [{ name: "read", policy: doc(READ_ALL, { Effect: "Allow", Action: "kms:Decrypt", Resource: "*" }) }] });
            });
        const locked = await secretsOf(doc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:role/prod-eu-shared-abac-role" }, Action: "kms:Decrypt", Resource: "*" }));
        assert.ok(!locked.reads.some((f) => f.target === "payments/vault"));
        // Without a policy KMS applies its default key policy (the account root: IAM policies decide), so the role decrypts.
        const open = await secretsOf();
        assert.ok(open.reads.some((f) => f.target === "payments/vault" && /kms:Decrypt/.test(f.note ?? "")));
        // SecretsManagerReadWrite grants no kms:Decrypt (its published BasePermissions): under that key it reads the other secrets only.
        const managed = await judged(() => {
            const key = new aws.kms.Key("team-key", {});
            new aws.secretsmanager.Secret("vault", { name: "payments/vault", kmsKeyId: key.arn, tags: { "kubernetes-namespace": "payments", "eks-cluster-name": "prod-eu" } });
            new aws.iam.Role("ci", { name: "ci", assumeRolePolicy: TRUST, managedPolicyArns: ["arn:aws:iam::aws:policy/SecretsManagerReadWrite"] });
        });
        assert.strictEqual(managed.reads.length, TEAM_SECRETS);
        assert.ok(!managed.reads.some((f) => f.target === "payments/vault"));
        // A key outside the stack: its policy is not here, so decryption is assumed allowed and the finding says so.
        const outside = await judged(() => {
            new aws.secretsmanager.Secret("vault", { name: "payments/vault", kmsKeyId: "arn:aws:kms:eu-west-1:111122223333:key/elsewhere", tags: { "kubernetes-namespace": "payments", "eks-cluster-name": "prod-eu" } });
            new aws.iam.Role("ci", { name: "ci", assumeRolePolicy: TRUST, managedPolicyArns: ["arn:aws:iam::aws:policy/SecretsManagerReadWrite"] });
        });
        assert.match(outside.reads.find((f) => f.target === "payments/vault")?.note ?? "", /KMS key is not in this stack: decryption is assumed to be allowed/);
    });

    it("a stack read from a file backend's checkpoint (the shape of ../shared/vendor/pulumi-3.259.0/checkpoint-v3.json) is judged alike", () => {
        const real = JSON.parse(fs.readFileSync(path.join(VENDOR, "pulumi-3.259.0", "checkpoint-v3.json"), "utf8"));
        const urn = (type: string, name: string) => `urn:pulumi:prod::users-stack::${type}::${name}`;
        const role = { urn: urn("aws:iam/role:Role", "ci"), custom: true, id: "ci", type: "aws:iam/role:Role", inputs: { name: "ci", assumeRolePolicy: TRUST }, outputs: { name: "ci", arn: "arn:aws:iam::153052954103:role/ci", assumeRolePolicy: TRUST } };
        const policy = { urn: urn("aws:iam/rolePolicy:RolePolicy", "ci-read"), custom: true, id: "ci:ci-read", type: "aws:iam/rolePolicy:RolePolicy", inputs: { role: "ci", policy: doc(READ_ALL) }, outputs: { role: "ci", policy: doc(READ_ALL) } };
        const tags = { "kubernetes-namespace": "payments", "eks-cluster-name": "prod-eu" };
        const secretArn = "arn:aws:secretsmanager:us-east-2:153052954103:secret:payments/db-AbCdEf";
        const secret = { urn: urn("aws:secretsmanager/secret:Secret", "db"), custom: true, id: secretArn, type: "aws:secretsmanager/secret:Secret", inputs: { name: "payments/db", tags }, outputs: { arn: secretArn, name: "payments/db", tags } };
        real.checkpoint.latest.resources = [...real.checkpoint.latest.resources, role, policy, secret];
        const input = readDeployment(real, "checkpoint-v3.json");
        const plan = planFromInput(input);
        const r = judgePrincipals(plan.resources, { account: plan.account, sharedRoles: sharedRoleNames(plan) });
        assert.deepStrictEqual(r.reads.map((f) => [f.principal, f.arn, f.target, f.statement]), [["ci", "arn:aws:iam::153052954103:role/ci", "payments/db", "RolePolicy 'ci-read' Statement[0]"]]);
    });

    it("judgeStack (program, preview or state input) fails the verdict on such a role and keeps the shared role's matrix apart", async () => {
        const run = await runOffline(() => {
            new EksSecretsAbac("prod", { clusterName: "prod-eu", installPodIdentityAgent: true, teams: [team("payments"), team("search")] });
            const ci = new aws.iam.Role("ci", { name: "ci", assumeRolePolicy: TRUST });
            new aws.iam.RolePolicy("ci-read", { role: ci.name, policy: doc(READ_ALL) });
        });
        const plan = planFromInput(inputOf(run.resources));
        const verdict = await judgeStack(plan);
        assert.ok(verdict.isolation.every((i) => i.run?.ok), "the shared role alone is isolated");
        assert.deepStrictEqual(readers(verdict.principals), ["ci"]);
        assert.strictEqual(verdict.ok, false);
        // Code scanning gets one error for the principal, naming the statement and an example.
        const results = toSarif(plan, verdict, { artifact: "Pulumi.yaml" }).runs[0].results!.filter((x) => x.ruleId === "principal-reads-team-secret");
        assert.strictEqual(results.length, 1);
        assert.strictEqual(results[0].level, "error");
        assert.match(results[0].message.text ?? "", /^role ci can secretsmanager:GetSecretValue 4 team value\(s\), e\.g\. secret \S+ of team \S+, granted by RolePolicy 'ci-read' Statement\[0\]/);
    });

    it("a first preview whose policy is not known yet leaves the role undecided (listed, not failed, as every unknown of a preview)", () => {
        const urn = (type: string, name: string) => `urn:pulumi:dev::shop::${type}::${name}`;
        const tags = { "kubernetes-namespace": "payments", "eks-cluster-name": "prod-eu" };
        const state = (type: string, name: string, inputs: Record<string, unknown>) => ({ urn: urn(type, name), custom: true, type, inputs, outputs: inputs });
        const digest = {
            steps: [
                { op: "create", urn: urn("aws:iam/role:Role", "ci"), newState: state("aws:iam/role:Role", "ci", { name: "ci", assumeRolePolicy: TRUST }) },
                { op: "create", urn: urn("aws:iam/rolePolicy:RolePolicy", "ci-read"), newState: state("aws:iam/rolePolicy:RolePolicy", "ci-read", { role: "ci", policy: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" }) },
                { op: "create", urn: urn("aws:secretsmanager/secret:Secret", "db"), newState: state("aws:secretsmanager/secret:Secret", "db", { name: "payments/db", tags }) },
            ],
        };
        const plan = planFromInput(readPreviewDigest(digest, "preview.json"));
        const r = judgePrincipals(plan.resources, { account: plan.account, sharedRoles: [] });
        assert.deepStrictEqual(r.reads, []);
        assert.deepStrictEqual(r.undecided.map((u) => u.principal), ["ci"]);
        assert.match(r.undecided[0].reason, /RolePolicy 'ci-read' is not known yet/);
        assert.strictEqual(r.undecided[0].cause, "not known", "the verdict, not this report, decides what a value not known yet means");
        assert.strictEqual(r.ok, true);
    });

    it("npm run plan's verdict fails on such a role and prints the principal, the statement and one secret", async () => {
        const result = await buildPlan(path.join(__dirname, "..", "Pulumi.example.yaml"));
        assert.ok(result.ok);
        const verdict = await judgePlan(result.plan);
        assert.strictEqual(verdict.ok, true);
        assert.match(renderVerdict(verdict), /no other principal can read a team's secret/);
        result.plan.resources.push(
            { type: "aws:iam/role:Role", name: "ci", custom: true, inputs: { name: "ci", assumeRolePolicy: TRUST }, state: { name: "ci", arn: "arn:aws:iam::111122223333:role/ci" } },
            { type: "aws:iam/rolePolicy:RolePolicy", name: "ci-read", custom: true, inputs: { role: "ci", policy: doc(READ_ALL) }, state: {} },
        );
        const failed = await judgePlan(result.plan);
        assert.strictEqual(failed.ok, false);
        assert.match(renderVerdict(failed), /role ci: secretsmanager:GetSecretValue on 4 team value\(s\) of 3 team\(s\), e\.g\. secret [a-z-]+\/[a-z-]+ of team [a-z-]+; granted by RolePolicy 'ci-read' Statement\[0\]/);
    });
});

describe("trustedReaders in the stack config (components/lib/trustedReaders.ts)", () => {
    it("accepts a name or an IAM ARN with a reason", () => {
        assert.deepStrictEqual(validateTrustedReaders([{ principal: "break-glass", reason: "break-glass" }, { principal: "arn:aws:iam::111122223333:role/sre", reason: "on-call" }]), []);
    });

    it("names every bad entry at once: no reason, a wildcard, a duplicate, a malformed ARN", () => {
        const problems = validateTrustedReaders([{ principal: "ci" }, { principal: "ci-*", reason: "all CI" }, { principal: "arn:aws:iam::1:role/x", reason: "a reason" }, { principal: "ci", reason: "again" }]);
        assert.deepStrictEqual(
            problems.map((p) => p.path),
            ["trustedReaders[0].reason", "trustedReaders[1].principal", "trustedReaders[2].principal", "trustedReaders[3].principal"],
        );
        assert.match(problems[1].message, /wildcards would trust every matching role/);
    });

    it("the stack config refuses unknown fields and bad entries before anything deploys", () => {
        const parsed = parseStackConfig({ clusterName: "prod-eu", installPodIdentityAgent: true, teams: [{ namespace: "payments" }], trustedReaders: [{ principal: "sre", reason: "", why: "x" }] });
        assert.deepStrictEqual(parsed.problems.map((p) => p.path).sort(), ["trustedReaders[0].reason", "trustedReaders[0].why"]);
    });

    it("a preview's or program's config with a bad entry stops the check with the key named", () => {
        assert.throws(() => trustedReadersFromConfig({ "shop:trustedReaders": JSON.stringify([{ principal: "*", reason: "all" }]) }, "shop"), (e: Error) => e instanceof InputError && /shop:trustedReaders/.test(e.message) && /trustedReaders\[0\]\.principal/.test(e.message));
    });
});

describe("AWS managed policy documents (cli/src/checker/checks/managedPolicies.ts)", () => {
    it("record a version and the AWS Managed Policy Reference page of each", () => {
        for (const p of MANAGED_POLICIES) {
            assert.match(p.source, new RegExp(`^https://docs\\.aws\\.amazon\\.com/aws-managed-policy/latest/reference/${p.name}\\.html$`));
            assert.match(p.version, /^v\d+/);
        }
    });
});
