/**
 * The offline cloud answers as the engine and the AWS provider do. Expected
 * values come from the real stack checkpoints of pulumi/pulumi
 * (../shared/vendor/pulumi-3.259.0/checkpoint-v3.json: a Role, its
 * RolePolicyAttachments) and, for types those checkpoints do not hold, from
 * the provider source cited in cli/src/checker/inputs/offlineProvider.ts, never from
 * the offline cloud's own output.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { PolicyDocument } from "../components/lib/iam";
import { decide } from "../cli/src/checker";
import { readInput } from "../cli/src/checker";
import { judgeStack, planFromInput } from "../cli/src/checker";
import { OFFLINE, RecordedResource, runOffline, valueOf, VENDOR } from "./helpers";

const CHECKPOINT = path.join(VENDOR, "pulumi-3.259.0", "checkpoint-v3.json");
interface V3 {
    urn: string;
    type: string;
    id: string;
    inputs: Record<string, any>;
    outputs: Record<string, any>;
}
const real: V3[] = JSON.parse(fs.readFileSync(CHECKPOINT, "utf8")).checkpoint.latest.resources;
const realOf = (type: string) => real.filter((r) => r.type === type);
const logicalOf = (urn: string) => urn.split("::").pop()!;
const TRUST = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "codebuild.amazonaws.com" }, Action: "sts:AssumeRole" }] });

/** The rule a real resource follows, applied to an offline one: the same shape, whatever the random part. */
function autoNamed(name: string, logical: string, randomLength: number): boolean {
    return new RegExp(`^${logical.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-[0-9a-f]{${randomLength}}$`).test(name);
}

describe("the offline cloud answers as the engine and the AWS provider (cli/src/checker/inputs/offlineCloud.ts, offlineProvider.ts)", function () {
    this.timeout(120_000);

    describe("against the real checkpoint's Roles and RolePolicyAttachments", () => {
        let run: Awaited<ReturnType<typeof runOffline<void>>>;
        before(async () => {
            run = await runOffline(() => {
                const role = new aws.iam.Role("heartbeat-iamrole", { assumeRolePolicy: TRUST });
                new aws.iam.RolePolicyAttachment("heartbeat-iampolicy-0", { role: role.id, policyArn: "arn:aws:iam::aws:policy/AWSLambdaFullAccess" });
                new aws.iam.RolePolicyAttachment("heartbeat-iampolicy-1", { role: role.name, policyArn: "arn:aws:iam::aws:policy/AmazonEC2ContainerServiceFullAccess" });
            });
        });
        const offline = (type: string) => run.resources.filter((r) => r.custom && r.type === type);

        it("the checkpoint's roles: id = name = logical name, '-', random hex (16 then); the offline role the same with 7 hex (the bridge's AutoName today)", () => {
            const roles = realOf("aws:iam/role:Role");
            assert.strictEqual(roles.length, 3);
            for (const r of roles) {
                assert.strictEqual(r.id, r.outputs.name);
                assert.ok(autoNamed(r.outputs.name, logicalOf(r.urn), 16), r.outputs.name);
                assert.strictEqual(r.inputs.name, undefined, "auto-named: the program gave no name");
                assert.strictEqual(r.outputs.arn, `arn:aws:iam::${r.outputs.arn.split(":")[4]}:role/${r.outputs.name}`);
            }
            const [role] = offline("aws:iam/role:Role");
            assert.strictEqual(role.id, role.state.name);
            assert.ok(autoNamed(role.state.name, "heartbeat-iamrole", 7), role.state.name);
            assert.strictEqual(role.state.arn, `arn:aws:iam::${OFFLINE.accountId}:role/${role.state.name}`);
        });

        it("the checkpoint's attachments: id = role name, '-', 26 characters (UTC time to 1/10000 s, then an 8-hex counter); the offline ones the same, for role.id and role.name alike", () => {
            const shape = (id: string, role: string) => id.startsWith(`${role}-`) && /^\d{18}[0-9a-f]{8}$/.test(id.slice(role.length + 1));
            const attachments = realOf("aws:iam/rolePolicyAttachment:RolePolicyAttachment");
            assert.strictEqual(attachments.length, 5);
            for (const a of attachments) assert.ok(shape(a.id, a.outputs.role), a.id);
            const [role] = offline("aws:iam/role:Role");
            const mine = offline("aws:iam/rolePolicyAttachment:RolePolicyAttachment");
            assert.strictEqual(mine.length, 2);
            for (const a of mine) {
                assert.strictEqual(a.inputs.role, role.state.name, "role.id is the role's name");
                assert.ok(shape(a.id!, role.state.name), a.id);
            }
            assert.notStrictEqual(mine[0].id, mine[1].id, "the counter keeps them apart");
        });
    });

    describe("rules of the provider for types the checkpoints do not hold (each cited in offlineProvider.ts)", () => {
        it("an explicit name is kept; namePrefix gets 26 unique characters; a role auto-name over 64 characters fails as the provider fails", async () => {
            const run = await runOffline(() => {
                new aws.iam.Role("named", { name: "ci-reader", assumeRolePolicy: TRUST });
                new aws.iam.Role("prefixed", { namePrefix: "ci-", assumeRolePolicy: TRUST });
            });
            const [named, prefixed] = run.ofType("aws:iam/role:Role");
            assert.deepStrictEqual([named.id, named.state.name], ["ci-reader", "ci-reader"]);
            assert.match(prefixed.state.name, /^ci-\d{18}[0-9a-f]{8}$/);
            const long = "r".repeat(57);
            await assert.rejects(
                runOffline(() => new aws.iam.Role(long, { assumeRolePolicy: TRUST })),
                /name 'r{57}-' plus 7 random chars is longer than maximum length 64/,
            );
            // 56 + "-" + 7 = 64: the longest logical name a role may have unnamed.
            await runOffline(() => new aws.iam.Role("r".repeat(56), { assumeRolePolicy: TRUST }));
        });

        it("ids: Policy and Secret the ARN, RolePolicy role:name, Parameter and User and Group the name, UserPolicyAttachment <user>-<unique>", async () => {
            const run = await runOffline(() => {
                const user = new aws.iam.User("dev", {});
                new aws.iam.Group("devs", {});
                const policy = new aws.iam.Policy("read", { policy: TRUST });
                const role = new aws.iam.Role("ci", { assumeRolePolicy: TRUST });
                new aws.iam.RolePolicy("inline", { role: role.id, policy: TRUST });
                new aws.iam.UserPolicyAttachment("dev-read", { user: user.name, policyArn: policy.id });
                new aws.secretsmanager.Secret("db", { name: "payments/db" });
                new aws.ssm.Parameter("url", { name: "/payments/url", type: "String", value: "x" });
            });
            const one = (t: string) => run.one(t);
            const policy = one("aws:iam/policy:Policy");
            assert.strictEqual(policy.id, policy.state.arn);
            assert.ok(autoNamed(policy.state.name, "read", 7));
            assert.strictEqual(policy.state.arn, `arn:aws:iam::${OFFLINE.accountId}:policy/${policy.state.name}`);
            const role = one("aws:iam/role:Role");
            const inline = one("aws:iam/rolePolicy:RolePolicy");
            assert.strictEqual(inline.id, `${role.state.name}:${inline.state.name}`);
            assert.ok(autoNamed(inline.state.name, "inline", 7));
            const user = one("aws:iam/user:User");
            assert.deepStrictEqual([user.id, user.state.arn], [user.state.name, `arn:aws:iam::${OFFLINE.accountId}:user/${user.state.name}`]);
            assert.strictEqual(one("aws:iam/group:Group").id, one("aws:iam/group:Group").state.name);
            const attachment = one("aws:iam/userPolicyAttachment:UserPolicyAttachment");
            assert.strictEqual(attachment.inputs.policyArn, policy.state.arn, "policy.id is the ARN");
            assert.match(attachment.id!, new RegExp(`^${user.state.name}-\\d{18}[0-9a-f]{8}$`));
            const secret = one("aws:secretsmanager/secret:Secret");
            assert.strictEqual(secret.id, secret.state.arn);
            // Secrets Manager appends "-" and six random characters to the name in the ARN.
            assert.match(secret.state.arn, new RegExp(`^arn:aws:secretsmanager:${OFFLINE.region}:${OFFLINE.accountId}:secret:payments/db-[0-9a-zA-Z]{6}$`));
            const parameter = one("aws:ssm/parameter:Parameter");
            assert.deepStrictEqual([parameter.id, parameter.state.arn], ["/payments/url", `arn:aws:ssm:${OFFLINE.region}:${OFFLINE.accountId}:parameter/payments/url`]);
        });

        it("the same seed gives the same names; another seed (EKS_SECRETS_ABAC_OFFLINE_SEED) others", async () => {
            const names = async () => (await runOffline(() => new aws.iam.Role("ci", { assumeRolePolicy: TRUST }))).one("aws:iam/role:Role").state.name;
            const first = await names();
            assert.strictEqual(await names(), first);
            process.env.EKS_SECRETS_ABAC_OFFLINE_SEED = "another";
            try {
                assert.notStrictEqual(await names(), first);
            } finally {
                delete process.env.EKS_SECRETS_ABAC_OFFLINE_SEED;
            }
        });

        it("tagsAll is the provider's defaultTags with the resource's tags over them: aws:defaultTags for the default provider, defaultTags of an explicit one", async () => {
            const run = await runOffline(
                () => {
                    new aws.iam.Role("plain", { assumeRolePolicy: TRUST, tags: { team: "ci", owner: "me" } });
                    const tagged = new aws.Provider("tagged", { region: "eu-west-1", defaultTags: { tags: { owner: "platform", cost: "42" } } });
                    new aws.iam.Role("other", { assumeRolePolicy: TRUST, tags: { team: "ci" } }, { provider: tagged });
                },
                { "aws:defaultTags": JSON.stringify({ tags: { owner: "org", env: "prod" } }) },
            );
            const [plain, other] = run.ofType("aws:iam/role:Role");
            assert.deepStrictEqual(plain.state.tagsAll, { owner: "me", env: "prod", team: "ci" });
            assert.deepStrictEqual(other.state.tagsAll, { owner: "platform", cost: "42", team: "ci" });
        });

        it("an explicit provider's Region and account (assumeRoles, allowedAccountIds) place its ARNs and answer getRegion and getCallerIdentity", async () => {
            const run = await runOffline(
                () => {
                    const us = new aws.Provider("us", { region: "us-east-1", assumeRoles: [{ roleArn: "arn:aws:iam::444455556666:role/deploy" }] });
                    const secret = new aws.secretsmanager.Secret("db", { name: "payments/db" }, { provider: us });
                    const here = new aws.secretsmanager.Secret("here", { name: "payments/here" });
                    return {
                        secret: secret.arn,
                        here: here.arn,
                        region: aws.getRegionOutput({}, { provider: us }).region,
                        account: aws.getCallerIdentityOutput({}, { provider: us }).accountId,
                        ownAccount: aws.getCallerIdentityOutput({}).accountId,
                        ownRegion: aws.getRegionOutput({}).region,
                    };
                },
                { "aws:region": "eu-central-1" },
            );
            const out = await valueOf(pulumi.output(run.result));
            assert.match(out.secret, /^arn:aws:secretsmanager:us-east-1:444455556666:secret:payments\/db-/);
            assert.match(out.here, new RegExp(`^arn:aws:secretsmanager:eu-central-1:${OFFLINE.accountId}:secret:payments/here-`));
            assert.deepStrictEqual([out.region, out.account, out.ownAccount, out.ownRegion], ["us-east-1", "444455556666", OFFLINE.accountId, "eu-central-1"]);
        });
    });
});

const READ_ALL = { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*" };
/** A near miss: the same shape, reading only the CI's own secrets, none of the teams'. */
const READ_OWN = { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: `arn:aws:secretsmanager:*:${OFFLINE.accountId}:secret:ci/*` };
const docOf = (statement: object): PolicyDocument => ({ Version: "2012-10-17", Statement: [statement] }) as PolicyDocument;

/** A user's program beside the component: how the reader is attached is the only difference between the cases. */
const PROGRAMS: Record<string, (statement: string) => string> = {
    "RolePolicy({ role: ciRole.id }) on an auto-named role (Pulumi's own RolePolicy example)": (s) => `
const ciRole = new aws.iam.Role("ci", { assumeRolePolicy: TRUST });
new aws.iam.RolePolicy("ci", { role: ciRole.id, policy: JSON.stringify({ Version: "2012-10-17", Statement: [${s}] }) });`,
    "RolePolicyAttachment({ role: r.id }) on a named role": (s) => `
const r = new aws.iam.Role("ci", { name: "ci-builder", assumeRolePolicy: TRUST });
const p = new aws.iam.Policy("ci-read", { policy: JSON.stringify({ Version: "2012-10-17", Statement: [${s}] }) });
new aws.iam.RolePolicyAttachment("ci-read", { role: r.id, policyArn: p.arn });`,
    "a Policy attached by its id (its ARN) to an auto-named role": (s) => `
const r = new aws.iam.Role("ci", { assumeRolePolicy: TRUST });
const p = new aws.iam.Policy("ci-read", { policy: JSON.stringify({ Version: "2012-10-17", Statement: [${s}] }) });
new aws.iam.RolePolicyAttachment("ci-read", { role: r.name, policyArn: p.id });`,
};

describe("a reader attached by id, or to an auto-named role, is blocked; its near miss is not (IAM evaluator first, then the command on the program)", function () {
    this.timeout(300_000);
    const root = path.join(__dirname, "..");
    let dir: string;
    before(() => {
        // Inside the repository, so the program resolves the repository's @pulumi/pulumi as a user's program resolves its own.
        dir = fs.mkdtempSync(path.join(root, ".offline-cloud-programs-"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    const verdictOf = async (name: string, body: string) => {
        const project = path.join(dir, name);
        fs.mkdirSync(project);
        fs.writeFileSync(path.join(project, "Pulumi.yaml"), `name: ci-${name}\nruntime: nodejs\n`);
        fs.writeFileSync(path.join(project, "Pulumi.dev.yaml"), "config:\n  aws:region: eu-west-1\n");
        fs.writeFileSync(
            path.join(project, "index.ts"),
            `import * as aws from "@pulumi/aws";
import { EksSecretsAbac } from ${JSON.stringify(path.join(root, "components"))};
const TRUST = ${JSON.stringify(TRUST)};
new EksSecretsAbac("prod", { clusterName: "prod-eu", installPodIdentityAgent: true, teams: [{ namespace: "payments", secrets: [{ name: "db" }] }, { namespace: "search", secrets: [{ name: "db" }] }] });
${body}
`,
        );
        const input = await readInput(project, { stack: "dev" });
        const plan = planFromInput(input);
        return { plan, verdict: await judgeStack(plan) };
    };

    for (const [i, [title, program]] of Object.entries(PROGRAMS).entries()) {
        it(`${title}: the evaluator allows GetSecretValue on a team secret and the command blocks it; reading only ci/* is refused by both`, async () => {
            const leak = await verdictOf(`leak-${i}`, program(JSON.stringify(READ_ALL)));
            const teamSecret = leak.plan.resources.find((r: RecordedResource) => r.type === "aws:secretsmanager/secret:Secret")!;
            const ci = leak.plan.resources.find((r) => r.type === "aws:iam/role:Role" && r.name === "ci")!;
            const request = (statement: object) => ({
                principal: `arn:aws:sts::${OFFLINE.accountId}:assumed-role/${ci.state.name}/build`,
                action: "secretsmanager:GetSecretValue",
                resource: teamSecret.state.arn,
                resourceAccount: OFFLINE.accountId,
                context: { "aws:PrincipalArn": ci.state.arn },
                identityPolicies: [docOf(statement)],
            });
            assert.strictEqual(decide(request(READ_ALL)), "Allowed");
            assert.strictEqual(decide(request(READ_OWN)), "ImplicitlyDenied");

            assert.strictEqual(leak.verdict.ok, false);
            assert.deepStrictEqual([...new Set(leak.verdict.principals.reads.map((f) => f.principal))], [ci.state.name]);
            assert.strictEqual(leak.verdict.principals.reads.length, 2, "both teams' secrets");

            const nearMiss = await verdictOf(`near-${i}`, program(JSON.stringify(READ_OWN)));
            assert.deepStrictEqual(nearMiss.verdict.principals.reads, []);
            assert.ok(nearMiss.verdict.principals.evaluated.some((p) => p.name === ci.state.name && p.documents.length === 1), "the near miss is evaluated with its document, not skipped");
            assert.strictEqual(nearMiss.verdict.ok, true);
        });
    }
});
