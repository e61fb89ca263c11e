/**
 * Who can become whom (cli/src/checker/checks/reach/sessions.ts). Each chain is first
 * decided hop by hop by the IAM evaluator on requests written here from the
 * AWS documentation (Pod Identity's AssumeRole with its six session tags,
 * docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html; a chained
 * AssumeRole whose caller carries them as principal tags), then by the check.
 */
import * as assert from "assert";
import { decide, IamRequest } from "../cli/src/checker";
import type { StackResource } from "../cli/src/checker";
import { planFromInput, sharedRoleNames } from "../cli/src/checker";
import { judgePrincipals, PrincipalReport, renderPrincipals } from "../cli/src/checker";
import { ACCOUNT, chainRequest, CLUSTER_ARN, CONTROLLER, judgedStack, podRequest, reached, SHARED, withPath, setTrust, trustOf } from "./reachHelpers";

const ROLE = "aws:iam/role:Role";
const ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation";

type Resources = StackResource[];
const clone = (rs: Resources): Resources => JSON.parse(JSON.stringify(rs));
/** The controller's trust without its namespace and service-account conditions (the widening). */
export function widened(trust: any) {
    const t = JSON.parse(JSON.stringify(trust));
    for (const s of t.Statement) {
        delete s.Condition.StringEquals["aws:RequestTag/kubernetes-namespace"];
        delete s.Condition.StringEquals["aws:RequestTag/kubernetes-service-account"];
    }
    return t;
}
const association = (name: string, inputs: Record<string, unknown>): StackResource => ({ type: ASSOCIATION, name, custom: true, inputs: { clusterName: "prod-eu", disableSessionTags: false, ...inputs }, state: {} }) as StackResource;
const judge = (rs: Resources): PrincipalReport => {
    const plan = planFromInput({ kind: "program", source: "test", resources: rs, undecidable: [], notes: [], config: {} });
    return judgePrincipals(plan.resources, { account: plan.account, sharedRoles: sharedRoleNames(plan), trustedReaders: plan.trustedReaders });
};

describe("who can become whom (reach/sessions.ts)", function () {
    this.timeout(60_000);
    let base: Resources;
    before(async () => {
        base = (await judgedStack(() => undefined)).resources as Resources;
    });
    const controllerPolicy = (rs: Resources) => JSON.parse(rs.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && JSON.stringify(r.inputs.policy).includes("sts:AssumeRole"))!.inputs.policy);

    it("the example stack: ESO's own association is the controller that picks esoNamespace; nothing else reaches a session", () => {
        const r = judge(clone(base));
        assert.deepStrictEqual(reached(r), []);
        assert.strictEqual(r.ok, true);
    });

    it("LEAK (the issue's): a widened controller trust and a search pod associated with it: the evaluator allows every hop, and the check BLOCKS with the whole path", () => {
        const rs = clone(base);
        const trust = widened(trustOf(rs, CONTROLLER));
        // Truth, hop by hop, from the evaluator.
        assert.strictEqual(decide(podRequest(trust, "search", "external-secrets", "sts:AssumeRole")), "Allowed");
        assert.strictEqual(decide(podRequest(trust, "search", "external-secrets", "sts:TagSession")), "Allowed");
        for (const action of ["sts:AssumeRole", "sts:TagSession"]) assert.strictEqual(decide(chainRequest(trustOf(rs, SHARED), controllerPolicy(rs), "search", "external-secrets", action)), "Allowed", action);
        setTrust(rs, CONTROLLER, trust);
        rs.push(association("search-eso", { namespace: "search", serviceAccount: "external-secrets", roleArn: `arn:aws:iam::${ACCOUNT}:role/${CONTROLLER}` }));
        const r = judge(rs);
        assert.ok(reached(r).every((x) => /^prod-eu\/search\/external-secrets -> .*payments/.test(x)), reached(r).join("\n"));
        assert.strictEqual(reached(r).length, 2);
        const f = withPath(r)[0];
        assert.strictEqual(f.kind, "pod service account");
        assert.deepStrictEqual(f.path!.map((s) => s.replace(/ \(.*$/, "").replace(/ with .*$/, "")), [
            "pod service account search/external-secrets on prod-eu",
            "Pod Identity association 'search-eso'",
            `role ${CONTROLLER}`,
            "sts:AssumeRole+TagSession",
            `role ${SHARED}`,
            f.path![5].replace(/ \(.*$/, ""),
        ]);
        assert.match(f.path![4], /with esoNamespace=payments/);
        assert.strictEqual(r.ok, false);
        // The text report and the JSON name the whole path.
        assert.match(renderPrincipals(r), /pod service account prod-eu\/search\/external-secrets: secretsmanager:GetSecretValue on 2 team value\(s\) .* granted by path: pod service account search\/external-secrets on prod-eu -> Pod Identity association 'search-eso'/);
        assert.strictEqual(JSON.parse(JSON.stringify(r)).reads.find((x: { path?: string[] }) => x.path)!.path.length, 6);
    });

    it("NEAR MISS: a tenant association to the intact controller role: Pod Identity is refused (evaluator), and the check stays OK", () => {
        const rs = clone(base);
        assert.strictEqual(decide(podRequest(trustOf(rs, CONTROLLER), "search", "external-secrets", "sts:AssumeRole")), "ImplicitlyDenied");
        rs.push(association("search-eso", { namespace: "search", serviceAccount: "external-secrets", roleArn: `arn:aws:iam::${ACCOUNT}:role/${CONTROLLER}` }));
        const r = judge(rs);
        assert.deepStrictEqual(reached(r), []);
        assert.strictEqual(r.ok, true);
    });

    it("NEAR MISS: the widened trust with a tenant service account of another name: the shared role's trust pins ESO's service account (evaluator), so OK", () => {
        const rs = clone(base);
        assert.strictEqual(decide(chainRequest(trustOf(rs, SHARED), controllerPolicy(rs), "search", "app", "sts:AssumeRole")), "ImplicitlyDenied");
        setTrust(rs, CONTROLLER, widened(trustOf(rs, CONTROLLER)));
        rs.push(association("search-app", { namespace: "search", serviceAccount: "app", roleArn: `arn:aws:iam::${ACCOUNT}:role/${CONTROLLER}` }));
        assert.deepStrictEqual(reached(judge(rs)), []);
    });
});

describe("who can become whom: target roles, IRSA and roles of the stack (reach/sessions.ts)", function () {
    this.timeout(60_000);
    let base: Resources;
    before(async () => {
        base = (await judgedStack(() => undefined)).resources as Resources;
    });
    const HOP = "search-hop";
    const hopArn = `arn:aws:iam::${ACCOUNT}:role/${HOP}`;
    /** A tenant's Pod Identity role (admits the search pod) whose only right is to chain into the controller role. */
    const addHop = (rs: Resources) => {
        const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"], Condition: { StringEquals: { "aws:RequestTag/kubernetes-namespace": "search" } } }] };
        const policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["sts:AssumeRole", "sts:TagSession"], Resource: `arn:aws:iam::${ACCOUNT}:role/${CONTROLLER}` }] };
        rs.push({ type: ROLE, name: HOP, custom: true, inputs: { name: HOP, assumeRolePolicy: JSON.stringify(trust) }, state: { name: HOP, arn: hopArn, assumeRolePolicy: JSON.stringify(trust) } } as StackResource);
        rs.push({ type: "aws:iam/rolePolicy:RolePolicy", name: `${HOP}-chain`, custom: true, inputs: { role: HOP, policy: JSON.stringify(policy) }, state: {} } as StackResource);
        rs.push(association("search-target", { namespace: "search", serviceAccount: "external-secrets", roleArn: hopArn, targetRoleArn: `arn:aws:iam::${ACCOUNT}:role/${CONTROLLER}` }));
    };
    /** The controller's trust also admits the tenant's hop role, keeping (or not) the namespace conditions on the chained session's tags. */
    const admitHop = (rs: Resources, keepNamespace: boolean) => {
        const trust = trustOf(rs, CONTROLLER);
        trust.Statement.push({
            Effect: "Allow",
            Principal: { AWS: hopArn },
            Action: ["sts:AssumeRole", "sts:TagSession"],
            ...(keepNamespace ? { Condition: { StringEquals: { "aws:PrincipalTag/kubernetes-namespace": "external-secrets", "aws:PrincipalTag/kubernetes-service-account": "external-secrets" } } } : {}),
        });
        setTrust(rs, CONTROLLER, trust);
        return trust;
    };
    const hopRequest = (trust: object): IamRequest => ({
        principal: `arn:aws:sts::${ACCOUNT}:assumed-role/${HOP}/pod`,
        action: "sts:AssumeRole",
        resource: `arn:aws:iam::${ACCOUNT}:role/${CONTROLLER}`,
        resourceAccount: ACCOUNT,
        context: { "aws:PrincipalArn": hopArn, "aws:PrincipalTag/kubernetes-namespace": "search", "aws:PrincipalTag/kubernetes-service-account": "external-secrets", "aws:PrincipalTag/eks-cluster-arn": CLUSTER_ARN },
        identityPolicies: [{ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["sts:AssumeRole", "sts:TagSession"], Resource: `arn:aws:iam::${ACCOUNT}:role/${CONTROLLER}` }] }],
        resourcePolicy: trust as any,
    });

    it("LEAK: a target-role association whose controller trust admits the tenant's role without namespace conditions: BLOCKED through the target role", () => {
        const rs = clone(base);
        addHop(rs);
        const trust = admitHop(rs, false);
        assert.strictEqual(decide(hopRequest(trust)), "Allowed");
        const r = judge(rs);
        assert.strictEqual(reached(r).filter((x) => x.startsWith("prod-eu/search/external-secrets -> payments/")).length, 2, reached(r).join("\n"));
        const f = withPath(r).find((x) => x.namespace === "payments")!;
        assert.match(f.statement, /Pod Identity association 'search-target'.* -> role search-hop -> target role: sts:AssumeRole\+TagSession .* -> role prod-eu-eso-controller -> sts:AssumeRole\+TagSession .* -> role prod-shared-abac-role with esoNamespace=payments/);
        assert.strictEqual(r.ok, false);
    });

    it("NEAR MISS: the same target-role chain keeping the namespace conditions: refused by the evaluator, OK", () => {
        const rs = clone(base);
        addHop(rs);
        const trust = admitHop(rs, true);
        assert.strictEqual(decide(hopRequest(trust)), "ImplicitlyDenied");
        const r = judge(rs);
        assert.deepStrictEqual(reached(r), []);
        assert.strictEqual(r.ok, true);
    });

    it("LEAK: a role of the stack allowed to assume the shared role with tags of its choosing (trust widened to the account): BLOCKED; NEAR MISS: the intact trust refuses it", () => {
        const ci = (rs: Resources) => {
            const policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["sts:AssumeRole", "sts:TagSession"], Resource: "*" }] };
            rs.push({ type: ROLE, name: "ci", custom: true, inputs: { name: "ci", assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "codebuild.amazonaws.com" }, Action: "sts:AssumeRole" }] }) }, state: { name: "ci", arn: `arn:aws:iam::${ACCOUNT}:role/ci` } } as StackResource);
            rs.push({ type: "aws:iam/rolePolicy:RolePolicy", name: "ci-assume", custom: true, inputs: { role: "ci", policy: JSON.stringify(policy) }, state: {} } as StackResource);
        };
        const intact = clone(base);
        ci(intact);
        assert.deepStrictEqual(reached(judge(intact)), []);
        const open = clone(base);
        ci(open);
        setTrust(open, SHARED, { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: ["sts:AssumeRole", "sts:TagSession"] }] });
        const r = judge(open);
        assert.deepStrictEqual(reached(r), ["ci -> payments/api-key", "ci -> payments/db-password", "ci -> search/api-key", "ci -> search/db-password"]);
        assert.match(withPath(r)[0].statement, /^path: role ci -> sts:AssumeRole\+TagSession .* -> role prod-shared-abac-role with esoNamespace=\w+, eks-cluster-name=prod-eu -> /);
    });

    it("a trust that binds the tag a caller sends (StringEquals aws:RequestTag/esoNamespace: search) admits that value only: the evaluator refuses TagSession with payments, and the check reports search's values alone, not payments' (no false alarm); without the binding every team's", () => {
        const policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["sts:AssumeRole", "sts:TagSession"], Resource: "*" }] };
        const bound = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: ["sts:AssumeRole", "sts:TagSession"], Condition: { StringEquals: { "aws:RequestTag/esoNamespace": "search" } } }] };
        const tagSession = (value: string) =>
            decide({ principal: `arn:aws:sts::${ACCOUNT}:assumed-role/ci/s`, action: "sts:TagSession", resource: `arn:aws:iam::${ACCOUNT}:role/${SHARED}`, resourceAccount: ACCOUNT, context: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role/ci`, "aws:RequestTag/esoNamespace": value, "aws:TagKeys": ["esoNamespace"] }, identityPolicies: [policy as any], resourcePolicy: bound as any });
        assert.strictEqual(tagSession("search"), "Allowed");
        assert.strictEqual(tagSession("payments"), "ImplicitlyDenied");
        const stack = (trust: object) => {
            const rs = clone(base);
            rs.push({ type: ROLE, name: "ci", custom: true, inputs: { name: "ci", assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "codebuild.amazonaws.com" }, Action: "sts:AssumeRole" }] }) }, state: { name: "ci", arn: `arn:aws:iam::${ACCOUNT}:role/ci` } } as StackResource);
            rs.push({ type: "aws:iam/rolePolicy:RolePolicy", name: "ci-assume", custom: true, inputs: { role: "ci", policy: JSON.stringify(policy) }, state: {} } as StackResource);
            setTrust(rs, SHARED, trust);
            return judge(rs);
        };
        assert.deepStrictEqual(reached(stack(bound)), ["ci -> search/api-key", "ci -> search/db-password"]);
        const { Condition: _unbound, ...open } = bound.Statement[0];
        assert.deepStrictEqual(reached(stack({ ...bound, Statement: [open] })), ["ci -> payments/api-key", "ci -> payments/db-password", "ci -> search/api-key", "ci -> search/db-password"]);
    });

    it("LEAK: an IRSA trust on the cluster's provider with a wildcard namespace admits a tenant's service account into the controller role: BLOCKED; NEAR MISS: ESO's exact subject is the controller", () => {
        const provider = `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE`;
        const issuer = provider.split(":oidc-provider/")[1];
        const irsa = (sub: string, op: string) => {
            const rs = clone(base);
            const trust = trustOf(rs, CONTROLLER);
            trust.Statement = [{ Effect: "Allow", Principal: { Federated: provider }, Action: "sts:AssumeRoleWithWebIdentity", Condition: { [op]: { [`${issuer}:sub`]: sub, [`${issuer}:aud`]: "sts.amazonaws.com" } } }];
            setTrust(rs, CONTROLLER, trust);
            // IRSA sessions carry no Pod Identity tags: the shared trust must admit the controller without them for the chain to hold.
            setTrust(rs, SHARED, { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: ["sts:AssumeRole", "sts:TagSession"], Condition: { ArnEquals: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role/${CONTROLLER}` } } }] });
            return { rs, trust };
        };
        const wide = irsa("system:serviceaccount:*:external-secrets", "StringLike");
        assert.strictEqual(
            decide({ principal: provider, action: "sts:AssumeRoleWithWebIdentity", resource: `arn:aws:iam::${ACCOUNT}:role/${CONTROLLER}`, resourceAccount: ACCOUNT, context: { [`${issuer}:sub`]: "system:serviceaccount:search:external-secrets", [`${issuer}:aud`]: "sts.amazonaws.com" }, resourcePolicy: wide.trust }),
            "Allowed",
        );
        const r = judge(wide.rs);
        assert.ok(reached(r).includes("irsa/search/external-secrets -> payments/db-password"), reached(r).join("\n"));
        const exact = irsa("system:serviceaccount:external-secrets:external-secrets", "StringEquals");
        assert.deepStrictEqual(reached(judge(exact.rs)), [], "exact");
    });
});
