/**
 * Defence in depth: the explicit Deny statements of the shared role's and
 * the CSI role's permission policies (components/lib/tagDeny.ts) against
 * every resource-policy grant an attacker or a careless owner can put on a
 * secret or a parameter of the same account.
 *
 * The truth is the IAM engine on requests built here by hand, never the
 * checker's code. What each grant does comes from the IAM User Guide
 * ("Policy evaluation logic", same-account requests: an Allow in the
 * identity policy or in the resource policy suffices, an explicit Deny in
 * either wins; "AWS JSON policy elements: Principal": a resource policy that
 * names the account root delegates to the account's IAM policies and grants
 * nothing by itself). A session's tags are those Pod Identity and ESO set
 * (docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html; ESO v2.9.0
 * `sessionTagsPolicy: Simple`): esoNamespace for the shared role, the pod's
 * own kubernetes-namespace for the CSI role.
 */
import * as assert from "assert";
import { csiPermissionPolicy } from "../components/lib/csiIam";
import { abacPermissionPolicy, PolicyDocument, PolicyStatement, renderPolicy } from "../components/lib/iam";
import { TAG_DENY_SIDS } from "../components/lib/tagDeny";
import { MatrixSpec } from "../cli/src/checker";
import { Decision, decide, documentErrors, unrecognisedContextKeys } from "../cli/src/checker";
import { proveIsolation } from "../cli/src/checker";
import { runMatrix } from "../cli/src/checker";
import { OFFLINE } from "./helpers";

const { accountId, partition, region } = OFFLINE;
const ORG = "o-a1b2c3d4e5";
const ESO_ROLE = "prod-eu-shared-abac-role";
const CSI_ROLE = "prod-eu-csi-role";
const roleArn = (role: string) => `arn:${partition}:iam::${accountId}:role/${role}`;
const sessionArn = (role: string) => `arn:${partition}:sts::${accountId}:assumed-role/${role}/session`;

type Tags = { namespace?: string; cluster?: string };

interface Role {
    words: string;
    role: string;
    doc: PolicyDocument;
    /** The session of a reader: `namespace` undefined leaves the namespace tag out. */
    context(namespace: string | undefined, cluster: string | undefined): Record<string, string>;
    /** The reader's own call for a parameter (ESO GetParameter, ASCP GetParameters). */
    parameterRead: string;
}

const podIdentityTags = (cluster: string | undefined) => ({
    "aws:PrincipalTag/eks-cluster-arn": `arn:${partition}:eks:${region}:${accountId}:cluster/${cluster ?? "prod-eu"}`,
    ...(cluster !== undefined ? { "aws:PrincipalTag/eks-cluster-name": cluster } : {}),
});

const ROLES: Role[] = [
    {
        words: "the ESO shared role",
        role: ESO_ROLE,
        doc: abacPermissionPolicy({ ...OFFLINE, parameters: true }),
        context: (namespace, cluster) => ({
            "aws:PrincipalArn": roleArn(ESO_ROLE),
            "aws:PrincipalAccount": accountId,
            "aws:PrincipalOrgID": ORG,
            ...podIdentityTags(cluster),
            "aws:PrincipalTag/kubernetes-namespace": "external-secrets",
            "aws:PrincipalTag/kubernetes-service-account": "external-secrets",
            "aws:PrincipalTag/kubernetes-pod-name": "external-secrets-7d9f8c6b5-x2x4z",
            "aws:PrincipalTag/kubernetes-pod-uid": "0b5c7a7e-5c1e-4f5e-9a53-8c1f0d9e2b11",
            "aws:PrincipalTag/esoStoreName": "team-secrets",
            "aws:PrincipalTag/esoStoreKind": "ClusterSecretStore",
            ...(namespace !== undefined ? { "aws:PrincipalTag/esoNamespace": namespace } : {}),
        }),
        parameterRead: "ssm:GetParameter",
    },
    {
        words: "the CSI role",
        role: CSI_ROLE,
        doc: csiPermissionPolicy({ ...OFFLINE, parameters: true }),
        context: (namespace, cluster) => ({
            "aws:PrincipalArn": roleArn(CSI_ROLE),
            "aws:PrincipalAccount": accountId,
            "aws:PrincipalOrgID": ORG,
            ...podIdentityTags(cluster),
            "aws:PrincipalTag/kubernetes-service-account": "app",
            "aws:PrincipalTag/kubernetes-pod-name": "app-6f9c8d7b5-q2w3e",
            "aws:PrincipalTag/kubernetes-pod-uid": "5d1c7a2e-3b4f-4c8e-9a10-2f6e8b7c9d01",
            ...(namespace !== undefined ? { "aws:PrincipalTag/kubernetes-namespace": namespace } : {}),
        }),
        parameterRead: "ssm:GetParameters",
    },
];

type Kind = "secret" | "parameter";

/** The object's ARN; `otherRegion` puts it in another Region of the same account. */
function arnOf(kind: Kind, name: string, otherRegion = false): string {
    const r = otherRegion ? "us-east-1" : region;
    return kind === "secret" ? `arn:${partition}:secretsmanager:${r}:${accountId}:secret:${name}-AbCdEf` : `arn:${partition}:ssm:${r}:${accountId}:parameter/${name}`;
}

/** The object's tags as its service's requests carry them (Service Authorization Reference). */
function tagContext(kind: Kind, tags: Tags | undefined): Record<string, string> {
    const prefixes = kind === "secret" ? ["secretsmanager:ResourceTag/", "aws:ResourceTag/"] : ["aws:ResourceTag/", "ssm:resourceTag/"];
    const c: Record<string, string> = {};
    for (const p of prefixes) {
        if (tags?.namespace !== undefined) c[`${p}kubernetes-namespace`] = tags.namespace;
        if (tags?.cluster !== undefined) c[`${p}eks-cluster-name`] = tags.cluster;
    }
    return c;
}

const VALUE_READS: Record<Kind, string[]> = {
    secret: ["secretsmanager:GetSecretValue"],
    parameter: ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParameterHistory"],
};

/** Resource policies of the object: what its owner or an attacker with PutResourcePolicy can write. */
function grants(role: string, kind: Kind, resource: string): { words: string; policy?: PolicyDocument; grantsAlone: boolean }[] {
    const actions = kind === "secret" ? ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"] : ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParameterHistory"];
    const allow = (Principal: PolicyStatement["Principal"], Condition?: PolicyStatement["Condition"]): PolicyDocument => ({
        Version: "2012-10-17",
        Statement: [{ Sid: "Share", Effect: "Allow", Principal, Action: actions, Resource: resource, ...(Condition ? { Condition } : {}) }],
    });
    return [
        { words: "no resource policy", grantsAlone: false },
        { words: 'shared with the organisation (Principal "*", aws:PrincipalOrgID)', policy: allow("*", { StringEquals: { "aws:PrincipalOrgID": ORG } }), grantsAlone: true },
        { words: 'shared with everyone (Principal "*")', policy: allow("*"), grantsAlone: true },
        { words: "shared with the account root (delegates to IAM)", policy: allow({ AWS: `arn:${partition}:iam::${accountId}:root` }), grantsAlone: false },
        { words: "shared with the role by name", policy: allow({ AWS: roleArn(role) }), grantsAlone: true },
        { words: "shared with the role's session", policy: allow({ AWS: sessionArn(role) }), grantsAlone: true },
    ];
}

interface Move {
    words: string;
    session: [string | undefined, string | undefined];
    tags?: Tags;
    otherRegion?: boolean;
}

const OWN: Move[] = [{ words: "payments on prod-eu reads its own", session: ["payments", "prod-eu"], tags: { namespace: "payments", cluster: "prod-eu" } }];
const ATTACKS: Move[] = [
    { words: "search reads payments'", session: ["search", "prod-eu"], tags: { namespace: "payments", cluster: "prod-eu" } },
    { words: "pay reads payments' (a prefix)", session: ["pay", "prod-eu"], tags: { namespace: "payments", cluster: "prod-eu" } },
    { words: "payments on prod-us reads prod-eu's", session: ["payments", "prod-us"], tags: { namespace: "payments", cluster: "prod-eu" } },
    { words: "payments reads an untagged one", session: ["payments", "prod-eu"], tags: undefined },
    { words: "payments reads one with its namespace tag only", session: ["payments", "prod-eu"], tags: { namespace: "payments" } },
    { words: "payments reads one with its cluster tag only", session: ["payments", "prod-eu"], tags: { cluster: "prod-eu" } },
    { words: "payments reads one tagged PAYMENTS", session: ["payments", "prod-eu"], tags: { namespace: "PAYMENTS", cluster: "prod-eu" } },
    { words: "payments reads search's in another Region of the account", session: ["payments", "prod-eu"], tags: { namespace: "search", cluster: "prod-eu" }, otherRegion: true },
    { words: "an empty session namespace (ESO's store validation) reads payments'", session: ["", "prod-eu"], tags: { namespace: "payments", cluster: "prod-eu" } },
    { words: "an empty session namespace reads one with an empty namespace tag", session: ["", "prod-eu"], tags: { namespace: "", cluster: "prod-eu" } },
    { words: "a session without the namespace tag reads payments'", session: [undefined, "prod-eu"], tags: { namespace: "payments", cluster: "prod-eu" } },
    { words: "a session without the namespace tag reads an untagged one", session: [undefined, "prod-eu"], tags: undefined },
    { words: "a session without the cluster tag reads payments'", session: ["payments", undefined], tags: { namespace: "payments", cluster: "prod-eu" } },
];

function decideMove(role: Role, doc: PolicyDocument, move: Move, kind: Kind, action: string, policy?: PolicyDocument): Decision {
    const name = kind === "secret" ? "payments/db" : "payments/db-url";
    const resource = arnOf(kind, name, move.otherRegion);
    return decide({
        principal: sessionArn(role.role),
        action,
        resource,
        resourceAccount: accountId,
        context: { ...role.context(...move.session), ...tagContext(kind, move.tags) },
        identityPolicies: [doc],
        ...(policy ? { resourcePolicy: policy } : {}),
    });
}

const allowOnly = (doc: PolicyDocument): PolicyDocument => ({ ...doc, Statement: doc.Statement.filter((s) => s.Effect === "Allow") });

for (const role of ROLES) {
    describe(`explicit Deny on tags that differ: ${role.words}`, function () {
        this.timeout(60_000);

        it("every context key of the requests is one IAM defines for the action", async () => {
            for (const kind of ["secret", "parameter"] as const) {
                const keys = Object.keys({ ...role.context("payments", "prod-eu"), ...tagContext(kind, { namespace: "payments", cluster: "prod-eu" }) });
                for (const action of VALUE_READS[kind]) assert.deepStrictEqual(await unrecognisedContextKeys(action, arnOf(kind, "payments/db"), keys), [], action);
            }
        });

        it("is a valid identity policy within the 10,240-character inline quota, with room for ten KMS keys", () => {
            assert.deepStrictEqual(documentErrors(role.doc, "identity"), []);
            const keys = Array.from({ length: 10 }, (_, i) => `arn:aws-us-gov:kms:us-gov-west-1:${accountId}:key/1234abcd-12ab-34cd-56ef-12345678900${i}`);
            const build = role.role === ESO_ROLE ? abacPermissionPolicy : csiPermissionPolicy;
            const largest = renderPolicy(build({ partition: "aws-us-gov", accountId, region: "us-gov-west-1", parameters: true, kmsKeyArns: keys }));
            // IAM counts the policy without whitespace; JSON.stringify writes none. Measured: 5,128 (shared role), 5,192 (CSI role).
            assert.ok(largest.length < 6_000, `${largest.length} characters`);
        });

        it("keeps every own read allowed, whatever the resource policy", () => {
            for (const kind of ["secret", "parameter"] as const) {
                const action = kind === "secret" ? "secretsmanager:GetSecretValue" : role.parameterRead;
                for (const g of grants(role.role, kind, arnOf(kind, "payments/db"))) {
                    for (const move of OWN) assert.strictEqual(decideMove(role, role.doc, move, kind, action, g.policy), "Allowed", `${kind}: ${move.words}, ${g.words}`);
                }
            }
        });

        it("denies every attacker move under every resource policy; a grant that would allow it alone is ExplicitlyDenied", () => {
            const failures: string[] = [];
            for (const kind of ["secret", "parameter"] as const) {
                for (const move of ATTACKS) {
                    const resource = arnOf(kind, kind === "secret" ? "payments/db" : "payments/db-url", move.otherRegion);
                    for (const g of grants(role.role, kind, resource)) {
                        for (const action of VALUE_READS[kind]) {
                            const d = decideMove(role, role.doc, move, kind, action, g.policy);
                            if (d === "Allowed" || (g.grantsAlone && d !== "ExplicitlyDenied")) failures.push(`${kind} ${action}: ${move.words}, ${g.words}: ${d}`);
                        }
                    }
                }
            }
            assert.deepStrictEqual(failures, []);
        });

        it("the truth can fail: without the Deny statements every grant but the root's lets every attacker move read", () => {
            const open = allowOnly(role.doc);
            for (const kind of ["secret", "parameter"] as const) {
                for (const move of ATTACKS) {
                    const resource = arnOf(kind, kind === "secret" ? "payments/db" : "payments/db-url", move.otherRegion);
                    for (const g of grants(role.role, kind, resource)) {
                        const d = decideMove(role, open, move, kind, VALUE_READS[kind][0], g.policy);
                        assert.strictEqual(d === "Allowed", g.grantsAlone, `${kind}: ${move.words}, ${g.words}: ${d}`);
                    }
                }
            }
        });

        it("needs each Deny statement: without any one of them some attacker move reads through a grant to everyone", () => {
            // The empty-namespace guard is a belt the evaluator cannot prove: it never matches an empty tag with an empty
            // tag (tests/isolation.test.ts), so it decides the empty session's read of an empty-tagged secret as denied anyway.
            for (const sid of Object.values(TAG_DENY_SIDS).filter((s) => s !== TAG_DENY_SIDS.sessionWithEmptyNamespace)) {
                const without = { ...role.doc, Statement: role.doc.Statement.filter((s) => s.Sid !== sid) };
                assert.strictEqual(without.Statement.length, role.doc.Statement.length - 1, sid);
                const kind: Kind = sid.includes("Parameters") ? "parameter" : "secret";
                const opened = ATTACKS.filter((move) => {
                    const resource = arnOf(kind, kind === "secret" ? "payments/db" : "payments/db-url", move.otherRegion);
                    const everyone = grants(role.role, kind, resource)[2].policy;
                    return decideMove(role, without, move, kind, VALUE_READS[kind][0], everyone) === "Allowed";
                });
                assert.ok(opened.length > 0, `${sid} is redundant`);
            }
        });
    });
}

describe("the isolation proof and the probes decide the resource-policy grant", function () {
    this.timeout(120_000);
    const spec = (doc: PolicyDocument, pod: boolean): MatrixSpec => ({
        ...(pod ? { sessionKind: "pod" as const } : {}),
        accountId,
        partition,
        region,
        abacRoleName: pod ? CSI_ROLE : ESO_ROLE,
        permissionPolicy: doc,
        clusters: ["prod-eu", "prod-us"],
        namespaces: ["pay", "payments", "search"],
        secrets: ["pay", "payments", "search"].map((ns) => ({ name: `${ns}/db`, namespace: ns })),
        parameters: ["pay", "payments", "search"].map((ns) => ({ name: `/${ns}/db-url`, namespace: ns })),
    });

    for (const role of ROLES) {
        const pod = role.role === CSI_ROLE;
        it(`${role.words}: proven with the Deny statements; an Allow-only policy is disproven through the grant and failed by the probes`, async () => {
            const proven = await runMatrix(spec(role.doc, pod), { fullMatrix: true, workers: 0 });
            assert.ok(proven.ok && proven.proof.proven, JSON.stringify(proven.proof.classes.filter((c) => !c.ok).map((c) => c.description)));
            assert.ok(proven.probes!.some((p) => p.grant), "the probes include grants");
            const open = await runMatrix(spec(allowOnly(role.doc), pod), { fullMatrix: true, workers: 0 });
            assert.ok(!open.ok);
            assert.strictEqual(open.crossTeamAllows, 0, "no pair of the stack reads without a grant");
            assert.ok(open.proof.crossTeamAllows.length > 0 && open.proof.crossTeamAllows.every((c) => c.throughResourcePolicy), "only the grant opens a class");
            assert.ok(open.probeFailures.length > 0 && open.probeFailures.every((p) => p.grant));
            // Judged on the identity policy alone, the same document is isolated: the grant is what the Deny is for.
            assert.ok(proveIsolation({ ...spec(allowOnly(role.doc), pod), resourcePolicyGrants: false }).proven);
        });
    }
});
