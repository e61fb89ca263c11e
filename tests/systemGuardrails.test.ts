/**
 * The organisation guardrails over a deployed stack, with the roles' real
 * physical names (tests/systemIam.ts simulates the engine's random suffix)
 * and the SCP and RCP layered as AWS layers them: each team still reads its
 * own values through ESO and through CSI, and the attacker's moves stay
 * denied.
 */
import * as assert from "assert";
import {
    controllerRoleName,
    csiRoleName,
    EksSecretsAbac,
    guardrailResourceControlPolicy,
    guardrailServiceControlPolicy,
    GuardrailDocumentArgs,
    PolicyDocument,
    sharedAbacRoleName,
    TeamSpec,
} from "../components";
import { OFFLINE, runOffline, team } from "./helpers";
import { OrgPolicies } from "./orgPolicies";
import { asSession, podIdentityAssumes, podTags, reads, Role, StackIam, stackIam, chainsInto } from "./systemIam";
import { decideUnder } from "./orgPolicies";

const search: TeamSpec = { ...team("search"), csi: { serviceAccounts: ["api"], secretProviderClasses: [{ name: "search-secrets", objects: [{ secret: "api-key" }] }] } };
const payments: TeamSpec = { ...team("payments"), csi: { serviceAccounts: ["api"], secretProviderClasses: [{ name: "payments-secrets", objects: [{ secret: "api-key" }] }] } };
const ADMIN: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["secretsmanager:*", "sts:*", "iam:*"], Resource: "*" }] };

/** What a user writes: the names from the naming functions, never from a deployment. */
const GUARDRAILS: GuardrailDocumentArgs = {
    platformPrincipalArns: ["arn:aws:iam::*:role/platform-deployer"],
    sharedRoleName: sharedAbacRoleName("prod"),
    controllerRoleNames: [controllerRoleName("prod-eu")],
    csiRoleNames: [csiRoleName("prod")],
};
const org: OrgPolicies = { scp: guardrailServiceControlPolicy(GUARDRAILS), rcp: guardrailResourceControlPolicy(GUARDRAILS) };

describe("system: guardrails over the stack's real role names, with CSI teams", function () {
    this.timeout(120_000);
    let iam: StackIam;
    let csi: Role;
    const secretOf = (namespace: string) => iam.secrets.find((s) => s.kind === "secret" && s.tags["kubernetes-namespace"] === namespace)!;
    const podSession = (namespace: string) => ({ role: csi, tags: podTags("aws", OFFLINE.region, OFFLINE.accountId, "prod-eu", namespace, "api"), identity: csi.inline });

    before(async () => {
        const run = await runOffline(() => new EksSecretsAbac("prod", { clusterName: "prod-eu", installPodIdentityAgent: true, teams: [payments, search] }));
        iam = stackIam(run.resources);
        csi = iam.associations.find((a) => a.namespace === "search")!.role;
    });

    it("every role the guardrails protect is a role the stack creates, by its physical name", () => {
        const physical = iam.roles.map((r) => r.physical).sort();
        assert.deepStrictEqual([GUARDRAILS.sharedRoleName, ...GUARDRAILS.controllerRoleNames, ...GUARDRAILS.csiRoleNames!].sort(), physical);
        // The SCP's protected ARNs match them as IAM would (ArnLike on the resource).
        const protectedArns = [org.scp!.Statement.find((s) => s.Sid === "DenyWritesToAbacRoles")!.Resource].flat() as string[];
        for (const role of iam.roles) {
            assert.ok(protectedArns.some((p) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`).test(role.arn)), `${role.arn} is not protected`);
        }
    });

    it("a tenant cannot write to any of the stack's roles under the SCP (by their physical ARNs)", () => {
        for (const role of iam.roles) {
            const tenant = { arn: `arn:aws:iam::${OFFLINE.accountId}:role/team-ci`, account: OFFLINE.accountId, physical: "team-ci" };
            const request = asSession(tenant, {}, "iam:UpdateAssumeRolePolicy", role.arn, role.account, {}, [ADMIN]);
            assert.strictEqual(decideUnder(org, request), "ExplicitlyDenied", role.physical);
            assert.strictEqual(decideUnder({}, request), "Allowed", "the tenant's own policy allows it: the SCP is what denies");
        }
    });

    it("a CSI pod reads its own namespace's secret with the SCP and RCP on", () => {
        assert.ok(podIdentityAssumes(csi, podSession("search").tags));
        assert.strictEqual(reads(org, podSession("search"), secretOf("search")), "Allowed");
        assert.strictEqual(reads(org, podSession("payments"), secretOf("payments")), "Allowed");
    });

    it("ESO still reads each team's secret through the shared role with the SCP and RCP on", () => {
        const controller = iam.associations.find((a) => a.namespace === "external-secrets")!.role;
        const shared = iam.storeRoles[0];
        for (const namespace of ["payments", "search"]) {
            const pod = podTags("aws", OFFLINE.region, OFFLINE.accountId, "prod-eu", "external-secrets", "external-secrets");
            const eso = { esoNamespace: namespace, esoStoreName: "team-secrets", esoStoreKind: "ClusterSecretStore" };
            assert.ok(chainsInto(org, { role: controller, tags: pod, identity: controller.inline }, shared, eso), namespace);
            assert.strictEqual(reads(org, { role: shared, tags: { ...pod, ...eso }, identity: shared.inline }, secretOf(namespace)), "Allowed", namespace);
        }
    });

    it("a CSI pod of another namespace is denied, and so is one whose session lost its namespace, even with a broad policy", () => {
        assert.strictEqual(reads(org, podSession("payments"), secretOf("search")), "ExplicitlyDenied");
        const { ["kubernetes-namespace"]: _, ...noNamespace } = podSession("search").tags;
        assert.strictEqual(reads(org, { role: csi, tags: noNamespace, identity: [ADMIN] }, secretOf("search")), "ExplicitlyDenied");
        assert.strictEqual(reads(org, { ...podSession("payments"), identity: [ADMIN] }, secretOf("search")), "ExplicitlyDenied");
    });

    it("a tenant's own role with the pod's namespace tag (not a CSI role) is denied by the RCP", () => {
        const own = { arn: `arn:aws:iam::${OFFLINE.accountId}:role/search-app`, account: OFFLINE.accountId, physical: "search-app" };
        const tags = podTags("aws", OFFLINE.region, OFFLINE.accountId, "prod-eu", "search", "api");
        assert.strictEqual(reads(org, { role: own, tags, identity: [ADMIN] }, secretOf("search")), "ExplicitlyDenied");
        assert.strictEqual(reads({}, { role: own, tags, identity: [ADMIN] }, secretOf("search")), "Allowed", "without the RCP its own policy would read it");
    });

    it("nobody but the platform may create a role named like the CSI role, in any account (so its exemption cannot be claimed)", () => {
        for (const account of [OFFLINE.accountId, "444455556666"]) {
            const tenant = { arn: `arn:aws:iam::${account}:role/team-ci`, account, physical: "team-ci" };
            const target = `arn:aws:iam::${account}:role/${csiRoleName("prod")}`;
            assert.strictEqual(decideUnder(org, asSession(tenant, {}, "iam:CreateRole", target, account, {}, [ADMIN])), "ExplicitlyDenied", account);
        }
    });
});
