/**
 * examples/org-guardrails: type-checked as Pulumi compiles it, run with its
 * sample stack config in the offline cloud, and the SCP and RCP it declares
 * decided for every (principal x move) of the guardrails' access matrix.
 * The expected matrix is docs/GUARDRAILS.md's table, written from what the
 * guardrails must do, not from their output.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { abacPermissionPolicy, PolicyDocument } from "../components";
import { readRequest } from "../cli/src/checker";
import type { IamRequest } from "../cli/src/checker";
import { readStackFile } from "../cli/src/checker";
import { OFFLINE, runOffline } from "./helpers";
import { decideUnder } from "./orgPolicies";

const DIR = path.join(__dirname, "..", "examples", "org-guardrails");
const { accountId, partition, region } = OFFLINE;
const SHARED = "platform-shared-abac-role";

const secret = (name: string) => `arn:${partition}:secretsmanager:${region}:${accountId}:secret:${name}-AbCdEf`;
const role = (name: string) => `arn:${partition}:iam::${accountId}:role/${name}`;
const ADMIN: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["secretsmanager:*", "ssm:*", "iam:*", "sts:*"], Resource: "*" }] };
const TEAM_A = { "kubernetes-namespace": "team-a", "eks-cluster-name": "prod-eu" };

interface Move {
    action: string;
    resource: string;
    context?: Record<string, string | string[]>;
    resourceTags?: Record<string, string>;
}

const tagged = (tags: Record<string, string>) => ({
    "aws:TagKeys": Object.keys(tags),
    ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:RequestTag/${k}`, v])),
});

/** The moves of docs/GUARDRAILS.md, in its column order. */
const MOVES: Record<string, Move> = {
    "read team A's secret": { action: "secretsmanager:GetSecretValue", resource: secret("team-a/db"), resourceTags: TEAM_A },
    "retag B's secret to A": { action: "secretsmanager:TagResource", resource: secret("team-b/db"), context: tagged({ "kubernetes-namespace": "team-a" }) },
    "same, key Kubernetes-Namespace": { action: "secretsmanager:TagResource", resource: secret("team-b/db"), context: tagged({ "Kubernetes-Namespace": "team-a" }) },
    "put a resource policy": { action: "secretsmanager:PutResourcePolicy", resource: secret("team-a/db") },
    "edit the shared role's trust": { action: "iam:UpdateAssumeRolePolicy", resource: role(SHARED) },
    "attach a policy to a controller role": { action: "iam:AttachRolePolicy", resource: role("prod-eu-eso-controller") },
    "tag itself esoNamespace=team-a": { action: "iam:TagRole", resource: role("team-b-ci"), context: tagged({ esoNamespace: "team-a" }) },
    "create a secret tagged for A": { action: "secretsmanager:CreateSecret", resource: secret("team-a/new"), context: tagged(TEAM_A) },
    "create an untagged secret": { action: "secretsmanager:CreateSecret", resource: secret("misc/new") },
};

const A = "Allowed";
const D = "Denied";
/** Rows: who; columns: MOVES in order. */
const EXPECTED: Record<string, string[]> = {
    "team B's CI role (secretsmanager:*, iam:*, ssm:*, sts:*)": [D, D, D, D, D, D, D, D, A],
    "platform-deployer (same permissions)": [A, A, A, A, A, A, A, A, D],
    "break-glass (same permissions)": [A, D, D, D, D, D, D, D, A],
    "shared role, session for team-a": [A, D, D, D, D, D, D, D, D],
    "shared role, session for team-b": [D, D, D, D, D, D, D, D, D],
};

function request(who: string, move: Move): IamRequest {
    const resourceTags = Object.fromEntries(Object.entries(move.resourceTags ?? {}).map(([k, v]) => [`secretsmanager:ResourceTag/${k}`, v]));
    const session = /session for (team-\w)/.exec(who);
    if (session) {
        const spec = { accountId, partition, region, abacRoleName: SHARED, permissionPolicy: abacPermissionPolicy({ accountId, partition, region }) };
        const base = readRequest(spec, { cluster: "prod-eu", esoNamespace: session[1] }, { name: "x", tags: move.resourceTags }, move.action);
        return { ...base, resource: move.resource, context: { ...base.context, "aws:PrincipalIsAWSService": "false", ...(move.context ?? {}) } };
    }
    const roleName = who.split(" ")[0] === "team" ? "team-b-ci" : who.split(" ")[0];
    return {
        principal: `arn:${partition}:sts::${accountId}:assumed-role/${roleName}/session`,
        action: move.action,
        resource: move.resource,
        resourceAccount: accountId,
        context: { "aws:PrincipalArn": role(roleName), "aws:PrincipalAccount": accountId, "aws:PrincipalIsAWSService": "false", ...resourceTags, ...(move.context ?? {}) },
        identityPolicies: [ADMIN],
    };
}

describe("examples/org-guardrails", function () {
    this.timeout(120_000);
    let scp: PolicyDocument;
    let rcp: PolicyDocument;

    before(async () => {
        const project = YAML.parse(fs.readFileSync(path.join(DIR, "Pulumi.yaml"), "utf8"));
        const { config, secretKeys } = readStackFile(path.join(DIR, "Pulumi.dev.yaml"));
        const program = path.join(DIR, project.main);
        const run = await runOffline(
            () => {
                delete require.cache[require.resolve(program)];
                return require(program);
            },
            config,
            secretKeys,
            project.name,
        );
        const content = (type: string) => JSON.parse(run.ofType("aws:organizations/policy:Policy").find((p) => p.inputs.type === type)!.inputs.content);
        scp = content("SERVICE_CONTROL_POLICY");
        rcp = content("RESOURCE_CONTROL_POLICY");
        assert.deepStrictEqual(run.ofType("aws:organizations/policyAttachment:PolicyAttachment").map((a) => a.inputs.targetId), ["ou-abcd-11111111", "ou-abcd-11111111", "ou-abcd-11111111"]);
    });

    // Type-checked with the other examples, as Pulumi compiles it (tests/examples.test.ts).

    it("the access matrix of docs/GUARDRAILS.md holds under the SCP and RCP it declares", () => {
        const moves = Object.values(MOVES);
        const actual = Object.fromEntries(
            Object.keys(EXPECTED).map((who) => [who, moves.map((m) => (decideUnder({ scp, rcp }, request(who, m)) === "Allowed" ? A : D))]),
        );
        assert.deepStrictEqual(actual, EXPECTED);
    });

    it("without them, team B's CI role could make every move", () => {
        const moves = Object.values(MOVES);
        assert.deepStrictEqual(moves.map((m) => decideUnder({}, request("team B's CI role", m))), moves.map(() => "Allowed"));
    });
});
