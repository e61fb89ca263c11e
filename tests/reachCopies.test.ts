/**
 * Copies of a team's value (cli/src/checker/checks/reach/replicas.ts, rbac.ts): replicas
 * in another Region, decided by the IAM evaluator on the replica's ARN (same
 * value and tags, Secrets Manager User Guide, create-manage-multi-region-secrets.html),
 * and the Kubernetes Secrets ESO writes, decided by RBAC rules written from the
 * Kubernetes RBAC documentation (kubernetes.io/docs/reference/access-authn-authz/rbac/).
 */
import * as assert from "assert";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import { decide } from "../cli/src/checker";
import { aggregated, DEFAULT_CLUSTER_ROLES, secretReadVerbs } from "../cli/src/checker";
import { ACCOUNT, doc, judged, reached, SERVICE_TRUST, TEAM_TAGS, withPath } from "./reachHelpers";

const readsSecrets = (rules: { apiGroups?: string[]; resources?: string[]; verbs?: string[] }[] | undefined) => (rules ?? []).some((r) => secretReadVerbs(r).length > 0);
const roleBinding = (name: string, namespace: string, clusterRole: string, subject: Record<string, string>) =>
    new k8s.rbac.v1.RoleBinding(name, { metadata: { name, namespace }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterRole }, subjects: [subject as any] });

describe("copies: the Kubernetes Secrets ESO writes and who RBAC lets read them (reach/rbac.ts)", function () {
    this.timeout(60_000);

    it("the default ClusterRoles as documented: edit and admin read Secrets, view does not, cluster-admin does; a ClusterRole labelled aggregate-to-view that reads Secrets makes view (and edit, admin) read them", () => {
        const rules = aggregated(DEFAULT_CLUSTER_ROLES);
        assert.deepStrictEqual(["cluster-admin", "admin", "edit", "view"].map((n) => readsSecrets(rules.get(n))), [true, true, true, false]);
        const widened = aggregated([...DEFAULT_CLUSTER_ROLES, { name: "peek", labels: { "rbac.authorization.k8s.io/aggregate-to-view": "true" }, rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }] }]);
        assert.deepStrictEqual(["view", "edit", "admin"].map((n) => readsSecrets(widened.get(n))), [true, true, true]);
        assert.deepStrictEqual(secretReadVerbs({ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }), ["get", "list", "watch"]);
        assert.deepStrictEqual(secretReadVerbs({ apiGroups: ["apps"], resources: ["*"], verbs: ["*"] }), []);
        assert.deepStrictEqual(secretReadVerbs({ apiGroups: [""], resources: ["secrets"], verbs: ["create"] }), []);
    });

    it("LEAK: a RoleBinding in payments binding edit to a service account of search: BLOCKED, naming the binding", async () => {
        const r = await judged(() => roleBinding("search-edits-payments", "payments", "edit", { kind: "ServiceAccount", name: "app", namespace: "search" }));
        assert.deepStrictEqual(reached(r), ["ServiceAccount search/app -> Secrets of namespace payments"]);
        assert.match(withPath(r)[0].statement, /^path: ServiceAccount search\/app -> RoleBinding 'search-edits-payments' in payments binds ClusterRole edit -> get\/list\/watch on secrets -> the Secrets ESO writes in payments/);
        assert.strictEqual(r.ok, false);
    });

    it("NEAR MISS: a RoleBinding of view to search's service account, and of edit to payments' own service account: OK", async () => {
        const view = await judged(() => roleBinding("search-views-payments", "payments", "view", { kind: "ServiceAccount", name: "app", namespace: "search" }));
        assert.deepStrictEqual(reached(view), []);
        assert.strictEqual(view.ok, true);
        const own = await judged(() => roleBinding("payments-edit", "payments", "edit", { kind: "ServiceAccount", name: "app", namespace: "payments" }));
        assert.deepStrictEqual(reached(own), []);
    });

    it("LEAK: a ClusterRoleBinding granting get on secrets to system:serviceaccounts reads every team's Secrets", async () => {
        const r = await judged(() => {
            new k8s.rbac.v1.ClusterRole("secret-getter", { metadata: { name: "secret-getter" }, rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }] });
            new k8s.rbac.v1.ClusterRoleBinding("all-sa-get", { metadata: { name: "all-sa-get" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "secret-getter" }, subjects: [{ kind: "Group", name: "system:serviceaccounts", apiGroup: "rbac.authorization.k8s.io" }] });
        });
        assert.deepStrictEqual(reached(r), ["Group system:serviceaccounts -> Secrets of namespace payments", "Group system:serviceaccounts -> Secrets of namespace search"]);
        assert.strictEqual(r.ok, false);
    });

    it("LEAK: a ClusterSecretStore of the kubernetes provider reading payments without conditions; NEAR MISS: conditions that admit payments alone", async () => {
        const store = (conditions?: object[]) =>
            judged(
                () =>
                    new k8s.apiextensions.CustomResource("k8s-store", {
                        apiVersion: "external-secrets.io/v1",
                        kind: "ClusterSecretStore",
                        metadata: { name: "payments-k8s" },
                        spec: { provider: { kubernetes: { remoteNamespace: "payments", server: { caProvider: { type: "ConfigMap", name: "kube-root-ca.crt", key: "ca.crt" } }, auth: { serviceAccount: { name: "reader" } } } }, ...(conditions ? { conditions } : {}) },
                    }),
            );
        const open = await store();
        assert.deepStrictEqual(reached(open), ["ExternalSecrets of every namespace -> Secrets of namespace payments"]);
        assert.match(withPath(open)[0].statement, /ClusterSecretStore 'payments-k8s' \(kubernetes provider, remoteNamespace payments, no conditions\)/);
        assert.strictEqual(open.ok, false);
        const fenced = await store([{ namespaces: ["payments"] }]);
        assert.deepStrictEqual(reached(fenced), []);
        assert.strictEqual(fenced.ok, true);
    });
});

describe("copies: replicas in another Region (reach/replicas.ts)", function () {
    this.timeout(60_000);
    const DR = (region: string) => new aws.iam.Role("dr", { name: "dr", assumeRolePolicy: SERVICE_TRUST, inlinePolicies: [{ name: "p", policy: doc({ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:*` }) }] });
    const replicated = () => new aws.secretsmanager.Secret("dr-secret", { name: "payments/dr", tags: TEAM_TAGS("payments"), replicas: [{ region: "us-east-1" }] });
    const drPolicy = (region: string) => ({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:*` }] }) as any;
    const at = (region: string) => ({ principal: `arn:aws:sts::${ACCOUNT}:assumed-role/dr/s`, action: "secretsmanager:GetSecretValue", resource: `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:payments/dr-AbCdEf`, resourceAccount: ACCOUNT, context: {}, identityPolicies: [drPolicy("us-east-1")] });

    it("LEAK: a DR role allowed on us-east-1's ARNs reads the us-east-1 replica (the evaluator allows it there, not on the primary): BLOCKED, naming the replica", async () => {
        assert.strictEqual(decide(at("us-east-1")), "Allowed");
        assert.strictEqual(decide(at("eu-west-1")), "ImplicitlyDenied");
        const r = await judged(() => {
            replicated();
            DR("us-east-1");
        });
        assert.deepStrictEqual(reached(r), ["dr -> payments/dr (replica in us-east-1)"]);
        assert.match(withPath(r)[0].statement, /replica arn:aws:secretsmanager:us-east-1:111122223333:secret:payments\/dr-\S+ \(same value and tags as the primary\)/);
        assert.ok(!r.reads.some((f) => f.target === "payments/dr"), "the primary in eu-west-1 is not its to read");
        assert.strictEqual(r.ok, false);
    });

    it("NEAR MISS: the replica with only the team's own sessions (the shared role) and a DR role on a Region without a replica: OK", async () => {
        const alone = await judged(() => replicated());
        assert.deepStrictEqual(reached(alone), []);
        assert.strictEqual(alone.ok, true);
        const elsewhere = await judged(() => {
            replicated();
            DR("us-west-2");
        });
        assert.deepStrictEqual(reached(elsewhere), []);
        assert.strictEqual(elsewhere.ok, true);
    });
});
