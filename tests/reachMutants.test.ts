/**
 * Mutation suite of the trusts and associations (not only permission
 * policies): each mutant of the example stack's controller trust, shared
 * trust and Pod Identity associations is judged first by an oracle written
 * here from the documented requests (Pod Identity's AssumeRole with the pod's
 * session tags, then the controller session's AssumeRole+TagSession on the
 * shared role with esoNamespace=payments, then the shared role's read of a
 * payments secret, each decided by the IAM evaluator), then by the check.
 * They must agree on every mutant, and both outcomes must occur.
 */
import * as assert from "assert";
import { decide } from "../cli/src/checker";
import type { StackResource } from "../cli/src/checker";
import { planFromInput, sharedRoleNames } from "../cli/src/checker";
import { judgePrincipals } from "../cli/src/checker";
import { ACCOUNT, chainRequest, CONTROLLER, judgedStack, podRequest, SHARED, TEAM_TAGS, setTrust, trustOf } from "./reachHelpers";

type Resources = StackResource[];
const policyOf = (rs: Resources, role: string) => JSON.parse(rs.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && (r.inputs.role === role || String(r.inputs.role).endsWith(role)))!.inputs.policy);

interface Association {
    namespace: string;
    serviceAccount: string;
    disableSessionTags?: boolean;
}

/** The oracle: a tenant association whose pod gets the controller role, chains into the shared role with esoNamespace=payments, and reads a payments secret. */
function oracle(rs: Resources, associations: Association[]): boolean {
    const controllerTrust = trustOf(rs, CONTROLLER);
    const sharedTrust = trustOf(rs, SHARED);
    const controllerPolicy = policyOf(rs, CONTROLLER);
    const sharedPolicy = policyOf(rs, SHARED);
    return associations.some((a) => {
        const tagged = !a.disableSessionTags;
        const pod = (action: string) => {
            const r = podRequest(controllerTrust, a.namespace, a.serviceAccount, action);
            if (!tagged) for (const k of Object.keys(r.context)) if (k.startsWith("aws:RequestTag/")) delete r.context[k];
            return decide(r) === "Allowed";
        };
        if (!pod("sts:AssumeRole") || (tagged && !pod("sts:TagSession"))) return false;
        const chain = (action: string) => {
            const r = chainRequest(sharedTrust, controllerPolicy, a.namespace, a.serviceAccount, action);
            if (!tagged) for (const k of Object.keys(r.context)) if (k.startsWith("aws:PrincipalTag/")) delete r.context[k];
            return decide(r) === "Allowed";
        };
        if (!chain("sts:AssumeRole") || !chain("sts:TagSession")) return false;
        const read = decide({
            principal: `arn:aws:sts::${ACCOUNT}:assumed-role/${SHARED}/pod`,
            action: "secretsmanager:GetSecretValue",
            resource: `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:payments/db-password-AbCdEf`,
            resourceAccount: ACCOUNT,
            context: {
                "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role/${SHARED}`,
                "aws:PrincipalTag/esoNamespace": "payments",
                ...(tagged ? { "aws:PrincipalTag/eks-cluster-name": "prod-eu" } : {}),
                ...Object.fromEntries(Object.entries(TEAM_TAGS("payments")).flatMap(([k, v]) => [[`secretsmanager:ResourceTag/${k}`, v], [`aws:ResourceTag/${k}`, v]])),
            },
            identityPolicies: [sharedPolicy],
        });
        return read === "Allowed";
    });
}

const withoutKey = (trust: any, operator: string, key: string) => {
    const t = JSON.parse(JSON.stringify(trust));
    for (const s of t.Statement) if (s.Condition?.[operator]) delete s.Condition[operator][key];
    return t;
};
const likeAny = (trust: any, key: string) => {
    const t = JSON.parse(JSON.stringify(trust));
    for (const s of t.Statement) {
        if (!s.Condition?.StringEquals?.[key]) continue;
        delete s.Condition.StringEquals[key];
        s.Condition.StringLike = { ...(s.Condition.StringLike ?? {}), [key]: "*" };
    }
    return t;
};

describe("mutants of the trusts and associations: the check agrees with the evaluator's chain (reach/sessions.ts)", function () {
    this.timeout(120_000);

    it("every mutant is decided alike by the oracle and the check, and both leaks and near misses occur", async () => {
        const base = (await judgedStack(() => undefined)).resources as Resources;
        const controller = trustOf(base, CONTROLLER);
        const shared = trustOf(base, SHARED);
        const controllerMutants: [string, object][] = [
            ["intact", controller],
            ["no service account", withoutKey(controller, "StringEquals", "aws:RequestTag/kubernetes-service-account")],
            ["no namespace, no service account", withoutKey(withoutKey(controller, "StringEquals", "aws:RequestTag/kubernetes-namespace"), "StringEquals", "aws:RequestTag/kubernetes-service-account")],
            ["namespace StringLike *", likeAny(controller, "aws:RequestTag/kubernetes-namespace")],
        ];
        const sharedMutants: [string, object][] = [
            ["intact", shared],
            ["no service-account pin", withoutKey(shared, "StringEquals", "aws:PrincipalTag/kubernetes-service-account")],
        ];
        const associationMutants: [string, Association[]][] = [
            ["none", []],
            ["search/external-secrets", [{ namespace: "search", serviceAccount: "external-secrets" }]],
            ["search/app", [{ namespace: "search", serviceAccount: "app" }]],
            ["search/external-secrets without session tags", [{ namespace: "search", serviceAccount: "external-secrets", disableSessionTags: true }]],
        ];
        const outcomes = { leak: 0, safe: 0 };
        const disagreements: string[] = [];
        for (const [cName, cTrust] of controllerMutants) {
            for (const [sName, sTrust] of sharedMutants) {
                for (const [aName, associations] of associationMutants) {
                    const rs: Resources = JSON.parse(JSON.stringify(base));
                    setTrust(rs, CONTROLLER, cTrust);
                    setTrust(rs, SHARED, sTrust);
                    associations.forEach((a, i) =>
                        rs.push({ type: "aws:eks/podIdentityAssociation:PodIdentityAssociation", name: `tenant-${i}`, custom: true, inputs: { clusterName: "prod-eu", roleArn: `arn:aws:iam::${ACCOUNT}:role/${CONTROLLER}`, disableSessionTags: a.disableSessionTags ?? false, ...a }, state: {} } as StackResource),
                    );
                    const truth = oracle(rs, associations);
                    const plan = planFromInput({ kind: "program", source: "mutant", resources: rs, undecidable: [], notes: [], config: {} });
                    const r = judgePrincipals(plan.resources, { account: plan.account, sharedRoles: sharedRoleNames(plan), trustedReaders: [] });
                    const blocked = r.reads.some((f) => f.kind === "pod service account" && f.target === "payments/db-password");
                    outcomes[truth ? "leak" : "safe"]++;
                    if (truth !== blocked) disagreements.push(`controller ${cName}, shared ${sName}, association ${aName}: evaluator ${truth ? "leak" : "safe"}, check ${blocked ? "BLOCKED" : "OK"}`);
                }
            }
        }
        assert.deepStrictEqual(disagreements, []);
        assert.ok(outcomes.leak >= 3 && outcomes.safe >= 3, JSON.stringify(outcomes));
        console.log(`      ${outcomes.leak + outcomes.safe} mutants: ${outcomes.leak} leaks, ${outcomes.safe} safe`);
    });
});
