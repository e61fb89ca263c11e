/**
 * The grant surface categories, each with a leak and a near miss.
 * For each, the IAM evaluator decides the truth first (the documents as AWS
 * holds them, evaluated by @cloud-copilot/iam-simulate), then the principal
 * check must agree. Resources are written as a stack export holds them
 * (type, inputs, outputs), beside the component's two-team stack.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { EksSecretsAbac } from "../components";
import type { PolicyDocument } from "../components/lib/iam";
import { secretResourcePolicyDisallowReads } from "../policypack/policies/secrets";
import { decide, Decision } from "../cli/src/checker";
import type { StackInput, StackResource } from "../cli/src/checker";
import { readDeployment } from "../cli/src/checker";
import { judgeStack, planFromInput, sharedRoleNames, StackPlan } from "../cli/src/checker";
import { judgePrincipals, PrincipalReport } from "../cli/src/checker";
import { runOffline, team, VENDOR, violations } from "./helpers";

const ACCOUNT = "111122223333";
const doc = (...Statement: object[]) => ({ Version: "2012-10-17", Statement }) as unknown as PolicyDocument;
const json = (...Statement: object[]) => JSON.stringify(doc(...Statement));
const READ_ALL = { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*" };
const S3_ONLY = { Effect: "Allow", Action: "s3:GetObject", Resource: "*" };
const TRUST = json({ Effect: "Allow", Principal: { Service: "codebuild.amazonaws.com" }, Action: "sts:AssumeRole" });
const SECRET_ARN = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:payments/db-AbCdEf`;
const TAGS = { "kubernetes-namespace": "payments", "eks-cluster-name": "prod-eu" };

/** One request as IAM sees it: a session of `role` reading the team secret. */
function truth(role: string, identity: PolicyDocument[], resourcePolicy?: PolicyDocument, action = "secretsmanager:GetSecretValue", resource = SECRET_ARN, context: Record<string, string> = {}): Decision {
    const roleArn = role.startsWith("arn:") ? role : `arn:aws:iam::${ACCOUNT}:role/${role}`;
    const [, , , , acct, rest] = roleArn.split(":");
    return decide({
        principal: `arn:aws:sts::${acct}:assumed-role/${rest.split("/").pop()}/s`,
        action,
        resource,
        resourceAccount: ACCOUNT,
        context: { "aws:PrincipalArn": roleArn, "aws:PrincipalAccount": acct, ...context },
        identityPolicies: identity,
        resourcePolicy,
    });
}

let base: StackResource[] = [];
let input: StackInput;

/** A resource as a stack export holds it. */
function res(type: string, name: string, props: Record<string, unknown>, extra: Partial<StackResource> = {}): StackResource {
    return { type, name, custom: true, inputs: props, state: props, urn: `urn:pulumi:prod::shop::${type}::${name}`, ...extra };
}

function judged(extra: StackResource[], more: Partial<StackInput> = {}): PrincipalReport {
    const plan: StackPlan = planFromInput({ ...input, resources: [...base, ...extra], ...more });
    return judgePrincipals(plan.resources, { account: plan.account, sharedRoles: sharedRoleNames(plan), pendingDeletion: more.pendingDeletion, pendingOperations: more.pendingOperations });
}

const readers = (r: PrincipalReport) => [...new Set(r.reads.map((f) => `${f.kind} ${f.principal}`))];
const undecidedOf = (r: PrincipalReport) => r.undecided.map((u) => `${u.principal} [${u.cause}]: ${u.reason}`);
const role = (name: string) => res("aws:iam/role:Role", name, { name, assumeRolePolicy: TRUST, arn: `arn:aws:iam::${ACCOUNT}:role/${name}` }, { id: name });
const policy = (name: string, statement: object) => res("aws:iam/policy:Policy", name, { name, path: "/", policy: json(statement), arn: `arn:aws:iam::${ACCOUNT}:policy/${name}` });

describe("the grant surface categories, the IAM evaluator first", function () {
    this.timeout(120_000);

    before(async () => {
        const run = await runOffline(() => new EksSecretsAbac("prod", { clusterName: "prod-eu", installPodIdentityAgent: true, teams: [team("payments"), team("search")] }));
        base = run.resources;
        input = { kind: "state", source: "test", resources: base, undecidable: [], notes: [] };
        assert.ok(planFromInput(input).account.accountId === ACCOUNT, "the offline account is the one these requests name");
    });

    describe("IAM Identity Center permission sets declared in the stack", () => {
        const PS = `arn:aws:sso:::permissionSet/ssoins-1/ps-ops`;
        const set = res("aws:ssoadmin/permissionSet:PermissionSet", "ops", { name: "ops", instanceArn: "arn:aws:sso:::instance/ssoins-1", arn: PS }, { id: `${PS},arn:aws:sso:::instance/ssoins-1` });
        const ssoRole = "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_ops_0123456789abcdef";

        it("an inline policy with GetSecretValue reads every team (IAM: Allowed); one with s3 only reads none (IAM: denied)", () => {
            assert.strictEqual(truth(ssoRole, [doc(READ_ALL)]), "Allowed");
            assert.strictEqual(truth(ssoRole, [doc(S3_ONLY)]), "ImplicitlyDenied");
            const leak = judged([set, res("aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy", "ops-inline", { permissionSetArn: PS, inlinePolicy: json(READ_ALL) })]);
            assert.deepStrictEqual(readers(leak), ["permission set ops"]);
            assert.strictEqual(leak.reads[0].statement, "PermissionSetInlinePolicy 'ops-inline' Statement[0]");
            assert.strictEqual(leak.ok, false);
            const near = judged([set, res("aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy", "ops-inline", { permissionSetArn: PS, inlinePolicy: json(S3_ONLY) })]);
            assert.deepStrictEqual([near.reads, near.undecided, near.ok], [[], [], true]);
        });

        it("an AWS managed attachment (SecretsManagerReadWrite) and a customer managed one naming the stack's Policy read; a customer managed name the stack does not declare is not decided", () => {
            const managed = judged([set, res("aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment", "ops-m", { permissionSetArn: PS, managedPolicyArn: "arn:aws:iam::aws:policy/SecretsManagerReadWrite" })]);
            assert.deepStrictEqual(readers(managed), ["permission set ops"]);
            const customer = judged([set, policy("read-all", READ_ALL), res("aws:ssoadmin/customerManagedPolicyAttachment:CustomerManagedPolicyAttachment", "ops-c", { permissionSetArn: PS, customerManagedPolicyReference: { name: "read-all", path: "/" } })]);
            assert.deepStrictEqual(readers(customer), ["permission set ops"]);
            const elsewhere = judged([set, res("aws:ssoadmin/customerManagedPolicyAttachment:CustomerManagedPolicyAttachment", "ops-c", { permissionSetArn: PS, customerManagedPolicyReference: { name: "in-each-account" } })]);
            assert.deepStrictEqual(elsewhere.reads, []);
            assert.match(undecidedOf(elsewhere).join("\n"), /ops \[not evaluated\]: CustomerManagedPolicyAttachment 'ops-c': customer managed policy \/in-each-account is not declared in this stack/);
            assert.strictEqual(elsewhere.ok, false);
        });

        it("a permissions boundary attachment without Secrets Manager keeps the inline reader from reading (IAM: denied)", () => {
            assert.strictEqual(decide({ principal: `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_ops_0123456789abcdef/s`, action: "secretsmanager:GetSecretValue", resource: SECRET_ARN, resourceAccount: ACCOUNT, context: {}, identityPolicies: [doc(READ_ALL)], permissionBoundaries: [doc(S3_ONLY)] }), "ImplicitlyDenied");
            const bounded = judged([
                set,
                policy("s3-only", S3_ONLY),
                res("aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy", "ops-inline", { permissionSetArn: PS, inlinePolicy: json(READ_ALL) }),
                res("aws:ssoadmin/permissionsBoundaryAttachment:PermissionsBoundaryAttachment", "ops-b", { permissionSetArn: PS, permissionsBoundary: { customerManagedPolicyReference: { name: "s3-only" } } }),
            ]);
            assert.deepStrictEqual([bounded.reads, bounded.ok], [[], true]);
        });
    });

    describe("*PolicyAttachmentsExclusive and *PoliciesExclusive (terraform-provider-aws: the attachments resource attaches every ARN it lists)", () => {
        it("RolePolicyAttachmentsExclusive attaching a reader reads (IAM: Allowed); attaching an s3 policy does not", () => {
            assert.strictEqual(truth("ci", [doc(READ_ALL)]), "Allowed");
            const leak = judged([role("ci"), policy("read-all", READ_ALL), res("aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive", "ci-only", { roleName: "ci", policyArns: [`arn:aws:iam::${ACCOUNT}:policy/read-all`] })]);
            assert.deepStrictEqual(readers(leak), ["role ci"]);
            assert.strictEqual(leak.reads[0].statement, "RolePolicyAttachmentsExclusive 'ci-only' policyArns[0] -> Policy 'read-all' Statement[0]");
            const near = judged([role("ci"), policy("s3", S3_ONLY), res("aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive", "ci-only", { roleName: "ci", policyArns: [`arn:aws:iam::${ACCOUNT}:policy/s3`] })]);
            assert.deepStrictEqual([near.reads, near.ok], [[], true]);
        });

        it("the user and group forms attach alike: the user, and the group as a member, read", () => {
            const r = judged([
                res("aws:iam/user:User", "dev", { name: "dev" }, { id: "dev" }),
                res("aws:iam/group:Group", "admins", { name: "admins" }, { id: "admins" }),
                res("aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive", "dev-only", { userName: "dev", policyArns: ["arn:aws:iam::aws:policy/SecretsManagerReadWrite"] }),
                res("aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive", "admins-only", { groupName: "admins", policyArns: ["arn:aws:iam::aws:policy/SecretsManagerReadWrite"] }),
            ]);
            assert.deepStrictEqual(readers(r).sort(), ["group admins", "user dev"]);
        });

        it("RolePoliciesExclusive keeping an inline policy the stack declares is decided; keeping one it does not declare is not (its document is outside the stack)", () => {
            const declared = judged([role("ci"), res("aws:iam/rolePolicy:RolePolicy", "ci-s3", { role: "ci", name: "s3", policy: json(S3_ONLY) }), res("aws:iam/rolePoliciesExclusive:RolePoliciesExclusive", "ci-inline", { roleName: "ci", policyNames: ["s3"] })]);
            assert.deepStrictEqual([declared.reads, declared.undecided, declared.ok], [[], [], true]);
            const outside = judged([role("ci"), res("aws:iam/rolePoliciesExclusive:RolePoliciesExclusive", "ci-inline", { roleName: "ci", policyNames: ["legacy"] })]);
            assert.deepStrictEqual(undecidedOf(outside), ["ci [not evaluated]: RolePoliciesExclusive 'ci-inline' keeps inline policy 'legacy', which the stack does not declare: its document is outside the stack, so it is not evaluated"]);
            assert.strictEqual(outside.ok, false);
        });
    });

    describe("KMS grants on a team key", () => {
        const keyArn = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/team-key-id`;
        const onlyShared = json({ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/prod-shared-abac-role` }, Action: "kms:Decrypt", Resource: "*" });
        const stack = (operations: string[]) => [
            res("aws:kms/key:Key", "team-key", { policy: onlyShared, arn: keyArn, keyId: "team-key-id" }, { id: "team-key-id" }),
            res("aws:secretsmanager/secret:Secret", "vault", { name: "payments/vault", kmsKeyId: keyArn, tags: TAGS, arn: SECRET_ARN }),
            res("aws:iam/role:Role", "ci", { name: "ci", assumeRolePolicy: TRUST, arn: `arn:aws:iam::${ACCOUNT}:role/ci`, inlinePolicies: [{ name: "r", policy: json(READ_ALL, { Effect: "Allow", Action: "kms:Decrypt", Resource: "*" }) }] }),
            res("aws:kms/grant:Grant", "ci-decrypt", { keyId: "team-key-id", granteePrincipal: `arn:aws:iam::${ACCOUNT}:role/ci`, operations }),
        ];

        it("a grant of Decrypt to a role lets it decrypt the team key whose policy names only the shared role (IAM: Allowed); a grant of Encrypt does not", () => {
            const grantStatement = { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/ci` }, Action: "kms:Decrypt", Resource: "*" };
            const keyDecision = (keyPolicy: PolicyDocument) => truth("ci", [doc({ Effect: "Allow", Action: "kms:Decrypt", Resource: "*" })], keyPolicy, "kms:Decrypt", keyArn);
            assert.strictEqual(keyDecision(doc(JSON.parse(onlyShared).Statement[0])), "ImplicitlyDenied");
            assert.strictEqual(keyDecision(doc(JSON.parse(onlyShared).Statement[0], grantStatement)), "Allowed");
            const leak = judged(stack(["Decrypt"]));
            assert.ok(leak.reads.some((f) => f.principal === "ci" && f.target === "payments/vault" && /kms:Decrypt on .*team-key-id allowed/.test(f.note ?? "")), JSON.stringify(leak.reads));
            const near = judged(stack(["Encrypt", "GenerateDataKey"]));
            assert.ok(!near.reads.some((f) => f.target === "payments/vault"));
        });

        it("a grant to a principal outside the stack is not decided (whether its own policies read is not here)", () => {
            const [key, secret, , ] = stack([]);
            const r = judged([key, secret, res("aws:kms/grant:Grant", "partner", { keyId: "team-key-id", granteePrincipal: "arn:aws:iam::444455556666:role/partner", operations: ["Decrypt"] })]);
            assert.deepStrictEqual(r.undecided.map((u) => [u.principal, u.cause]), [["arn:aws:iam::444455556666:role/partner", "not evaluated"]]);
        });
    });

    describe("a policy attached to a role the stack does not declare", () => {
        it("a RolePolicy on an outside role reading every team reports that role (IAM: Allowed); an s3 policy does not", () => {
            assert.strictEqual(truth("legacy-ci", [doc(READ_ALL)]), "Allowed");
            const leak = judged([res("aws:iam/rolePolicy:RolePolicy", "legacy-read", { role: "legacy-ci", policy: json(READ_ALL) }, { id: "legacy-ci:legacy-read" })]);
            assert.deepStrictEqual(readers(leak), ["role outside the stack legacy-ci"]);
            assert.match(leak.reads[0].note ?? "", /outside the stack/);
            assert.strictEqual(leak.ok, false);
            const attached = judged([policy("read-all", READ_ALL), res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "a", { role: `arn:aws:iam::${ACCOUNT}:role/team/legacy`, policyArn: `arn:aws:iam::${ACCOUNT}:policy/read-all` })]);
            assert.deepStrictEqual(readers(attached), ["role outside the stack legacy"]);
            const near = judged([res("aws:iam/rolePolicy:RolePolicy", "legacy-s3", { role: "legacy-ci", policy: json(S3_ONLY) })]);
            assert.deepStrictEqual([near.reads, near.undecided, near.ok], [[], [], true]);
        });
    });

    describe("a reader marked for deletion in the state (delete: true)", () => {
        const real = () => JSON.parse(fs.readFileSync(path.join(VENDOR, "pulumi-3.259.0", "checkpoint-v3.json"), "utf8"));
        const urn = (type: string, name: string) => `urn:pulumi:prod::users-stack::${type}::${name}`;
        const checkpoint = (statement: object, extra: object = {}) => {
            const cp = real();
            const tags = TAGS;
            cp.checkpoint.latest.resources = [
                ...cp.checkpoint.latest.resources,
                { urn: urn("aws:secretsmanager/secret:Secret", "db"), custom: true, id: SECRET_ARN, type: "aws:secretsmanager/secret:Secret", inputs: { name: "payments/db", tags }, outputs: { arn: SECRET_ARN, name: "payments/db", tags } },
                { urn: urn("aws:iam/role:Role", "ci"), custom: true, delete: true, id: "ci-0ld", type: "aws:iam/role:Role", inputs: { name: "ci-0ld", assumeRolePolicy: TRUST }, outputs: { name: "ci-0ld", arn: "arn:aws:iam::153052954103:role/ci-0ld", inlinePolicies: [{ name: "r", policy: json(statement) }] } },
            ];
            Object.assign(cp.checkpoint.latest, extra);
            return readDeployment(cp, "checkpoint-v3.json");
        };

        it("still exists and reads (the state keeps it apart, the principal check judges it); one without a read does not", async () => {
            const read = checkpoint(READ_ALL);
            assert.deepStrictEqual(read.pendingDeletion?.map((r) => r.name), ["ci"]);
            const plan = planFromInput(read);
            const verdict = await judgeStack(plan);
            assert.deepStrictEqual(verdict.principals.reads.map((f) => [f.principal, f.target]), [["ci-0ld", "payments/db"]]);
            assert.match(verdict.principals.reads[0].note ?? "", /marked for deletion in the state/);
            assert.strictEqual(verdict.ok, false);
            const near = planFromInput(checkpoint(S3_ONLY));
            assert.deepStrictEqual(judgePrincipals(near.resources, { account: near.account, sharedRoles: [], pendingDeletion: near.input.pendingDeletion }).reads, []);
        });

        it("a policy encrypted by a secrets provider this tool cannot open (passphrase) leaves its role not known; the same state in b64 is read and the role reads", () => {
            const withPolicy = (provider: string) => {
                const cp = real();
                cp.checkpoint.latest.secrets_providers = { type: provider, state: {} };
                const secret = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: Buffer.from(JSON.stringify(json(READ_ALL))).toString("base64") };
                cp.checkpoint.latest.resources = [
                    ...cp.checkpoint.latest.resources,
                    { urn: urn("aws:secretsmanager/secret:Secret", "db"), custom: true, id: SECRET_ARN, type: "aws:secretsmanager/secret:Secret", inputs: { name: "payments/db", tags: TAGS }, outputs: { arn: SECRET_ARN, name: "payments/db", tags: TAGS } },
                    { urn: urn("aws:iam/role:Role", "ci"), custom: true, id: "ci", type: "aws:iam/role:Role", inputs: { name: "ci", assumeRolePolicy: TRUST }, outputs: { name: "ci", arn: "arn:aws:iam::153052954103:role/ci" } },
                    { urn: urn("aws:iam/rolePolicy:RolePolicy", "ci-read"), custom: true, id: "ci:ci-read", type: "aws:iam/rolePolicy:RolePolicy", inputs: { role: "ci", policy: secret }, outputs: { role: "ci", policy: secret } },
                ];
                const plan = planFromInput(readDeployment(cp, "checkpoint-v3.json"));
                return judgePrincipals(plan.resources, { account: plan.account, sharedRoles: [] });
            };
            const hidden = withPolicy("passphrase");
            assert.deepStrictEqual(hidden.reads, []);
            assert.deepStrictEqual(hidden.undecided.filter((u) => u.principal === "ci").map((u) => u.cause), ["not known"]);
            assert.deepStrictEqual(withPolicy("b64").reads.map((f) => f.principal), ["ci"]);
        });

        it("a pending operation on a grant-surface type leaves it not known", () => {
            const pending = checkpoint(S3_ONLY, { pending_operations: [{ type: "creating", resource: { urn: urn("aws:iam/rolePolicy:RolePolicy", "late"), custom: true, type: "aws:iam/rolePolicy:RolePolicy" } }] });
            const plan = planFromInput(pending);
            const r = judgePrincipals(plan.resources, { account: plan.account, sharedRoles: [], pendingOperations: plan.input.pendingOperations });
            // The real checkpoint's own roles attach AWS managed policies whose text is not recorded: not evaluated, apart.
            assert.deepStrictEqual(undecidedOf(r).filter((u) => u.includes("[not known]")), ["RolePolicy 'late' [not known]: an operation (creating) was pending when the state was written: what it holds is not known yet"]);
        });
    });

    describe("a user added to a group", () => {
        it("a group outside the stack leaves the member not decided (IAM: its unknown policies may allow or not); a declared group without a read decides it", () => {
            assert.strictEqual(truth(`arn:aws:iam::${ACCOUNT}:user/dev`, [doc(READ_ALL)]), "Allowed");
            assert.strictEqual(truth(`arn:aws:iam::${ACCOUNT}:user/dev`, []), "ImplicitlyDenied");
            const outside = judged([res("aws:iam/user:User", "dev", { name: "dev" }, { id: "dev" }), res("aws:iam/userGroupMembership:UserGroupMembership", "dev-groups", { user: "dev", groups: ["admins-elsewhere"] })]);
            assert.deepStrictEqual(undecidedOf(outside), ["dev [not evaluated]: UserGroupMembership 'dev-groups' makes it a member of group 'admins-elsewhere', which the stack does not declare: that group's policies are not in the stack, so they are not evaluated"]);
            assert.strictEqual(outside.ok, false);
            const declared = judged([
                res("aws:iam/user:User", "dev", { name: "dev" }, { id: "dev" }),
                res("aws:iam/group:Group", "devs", { name: "devs" }, { id: "devs" }),
                res("aws:iam/groupPolicy:GroupPolicy", "devs-s3", { group: "devs", policy: json(S3_ONLY) }),
                res("aws:iam/groupMembership:GroupMembership", "devs-members", { group: "devs", users: ["dev"] }),
            ]);
            assert.deepStrictEqual([declared.reads, declared.undecided, declared.ok], [[], [], true]);
        });
    });

    describe("a type the check does not evaluate, and Kubernetes RBAC", () => {
        it("an EKS access entry or a binding to cluster-admin is not decided; the component's own tenant ClusterRole is", () => {
            const r = judged([
                res("aws:eks/accessEntry:AccessEntry", "ops", { clusterName: "prod-eu", principalArn: `arn:aws:iam::${ACCOUNT}:role/ops` }),
                res("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "ops-admin", { metadata: { name: "ops-admin" }, roleRef: { kind: "ClusterRole", name: "cluster-admin" }, subjects: [] }),
            ]);
            assert.deepStrictEqual(r.undecided.map((u) => `${u.principal} [${u.cause}]`), ["AccessEntry 'ops' [not evaluated]", "ClusterRoleBinding 'ops-admin' [not evaluated]"]);
            assert.strictEqual(r.ok, false);
            assert.deepStrictEqual(judged([]).undecided, []);
        });

        it("a SecretPolicy or a secret Tag whose secret is not known yet is not known", () => {
            const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
            const r = judged([res("aws:secretsmanager/secretPolicy:SecretPolicy", "p", { secretArn: UNKNOWN, policy: json({ ...READ_ALL, Principal: "*" }) })]);
            assert.deepStrictEqual(r.undecided.map((u) => `${u.principal} [${u.cause}]`), ["SecretPolicy 'p' [not known]"]);
        });

        it("a secretsmanager Tag that moves a secret into a team makes it a team value", () => {
            const untagged = res("aws:secretsmanager/secret:Secret", "loose", { name: "loose", arn: SECRET_ARN, tags: {} });
            const reader = res("aws:iam/role:Role", "ci", { name: "ci", assumeRolePolicy: TRUST, arn: `arn:aws:iam::${ACCOUNT}:role/ci`, inlinePolicies: [{ name: "r", policy: json({ ...READ_ALL, Resource: SECRET_ARN }) }] });
            assert.deepStrictEqual(judged([untagged, reader]).reads, []);
            const tagged = judged([untagged, reader, res("aws:secretsmanager/tag:Tag", "t", { secretId: SECRET_ARN, key: "kubernetes-namespace", value: "payments" })]);
            assert.deepStrictEqual(tagged.reads.map((f) => [f.principal, f.target, f.namespace]), [["ci", "loose", "payments"]]);
        });
    });
});

describe("the false alarm: a secret resource policy naming this account's root (the IAM evaluator as judge)", () => {
    const rootPolicy = (principal: unknown) => doc({ Effect: "Allow", Principal: principal, Action: "secretsmanager:GetSecretValue", Resource: "*" });
    const sp = (principal: unknown, secretArn: string = SECRET_ARN) => ({ secretArn, policy: JSON.stringify(rootPolicy(principal)) });

    it("IAM: a role of the account with no identity policy cannot read through the account root; through '*' it can, and another account's role with its own Allow can", () => {
        for (const own of [`arn:aws:iam::${ACCOUNT}:root`, ACCOUNT]) assert.strictEqual(truth("nobody", [], rootPolicy({ AWS: own })), "ImplicitlyDenied", own);
        assert.strictEqual(truth("nobody", [doc(READ_ALL)], rootPolicy({ AWS: `arn:aws:iam::${ACCOUNT}:root` })), "Allowed", "its own identity policy decides");
        assert.strictEqual(truth("nobody", [], rootPolicy("*")), "Allowed");
        assert.strictEqual(truth("arn:aws:iam::444455556666:role/partner", [doc(READ_ALL)], rootPolicy({ AWS: "arn:aws:iam::444455556666:root" })), "Allowed");
        assert.strictEqual(truth("arn:aws:iam::444455556666:role/partner", [doc(READ_ALL)], undefined), "ImplicitlyDenied", "across accounts only the resource policy lets it in");
    });

    it("the pack: naming the secret's own account (root ARN or ID) is no violation; '*' or another account is blocked; an own-looking root with the secret's account unknown is undecided", async () => {
        const type = "aws:secretsmanager/secretPolicy:SecretPolicy";
        assert.deepStrictEqual(await violations(secretResourcePolicyDisallowReads, type, sp({ AWS: `arn:aws:iam::${ACCOUNT}:root` })), []);
        assert.deepStrictEqual(await violations(secretResourcePolicyDisallowReads, type, sp({ AWS: ACCOUNT })), []);
        assert.strictEqual((await violations(secretResourcePolicyDisallowReads, type, sp("*"))).length, 1);
        assert.strictEqual((await violations(secretResourcePolicyDisallowReads, type, sp({ AWS: "arn:aws:iam::444455556666:root" }))).length, 1);
        assert.strictEqual((await violations(secretResourcePolicyDisallowReads, type, sp({ AWS: [`arn:aws:iam::${ACCOUNT}:root`, "444455556666"] }))).length, 1);
        const unknown = await violations(secretResourcePolicyDisallowReads, type, sp({ AWS: `arn:aws:iam::${ACCOUNT}:root` }, "04da6b54-80e4-46f7-96ec-b56ff0331ba9"));
        assert.deepStrictEqual(unknown.map((m) => m.replace(/:.*/s, "")), ["undecided"]);
    });

    it("the principal check agrees: the own root names no reader, another account's root is one", () => {
        const secret = (principal: unknown) => [res("aws:secretsmanager/secret:Secret", "db", { name: "payments/db", tags: TAGS, arn: SECRET_ARN }), res("aws:secretsmanager/secretPolicy:SecretPolicy", "p", sp(principal))];
        const own = judged(secret({ AWS: `arn:aws:iam::${ACCOUNT}:root` }));
        assert.deepStrictEqual([own.reads, own.ok], [[], true]);
        const other = judged(secret({ AWS: "arn:aws:iam::444455556666:root" }));
        assert.deepStrictEqual(readers(other), ["named by a resource policy arn:aws:iam::444455556666:root"]);
    });
});
