/**
 * The grant surface table against the installed SDKs: every resource class
 * of the services that can grant, extend or copy access to a team value
 * carries its type token (`__pulumiType`); each must have a row, and each row
 * must name a type the SDKs have. The scope is written here, apart from the
 * table, so that narrowing the table's own scope fails too.
 */
import * as assert from "assert";
import { classify, GRANT_SURFACE, notEvaluatedResources, rbacUndecided, ROLE_CARRIER_MODULES, ROLE_INPUT, SURFACE_AWS_MODULES, SURFACE_K8S_GROUP } from "../cli/src/checker";
import type { StackResource } from "../cli/src/checker";

/** The services that can grant, extend or copy access to a value: IAM, IAM Identity Center, STS-related (Roles Anywhere), KMS, Secrets Manager, SSM, EKS, Organizations. */
const AWS_MODULES = ["iam", "ssoadmin", "identitystore", "kms", "secretsmanager", "ssm", "eks", "organizations", "rolesanywhere"];
const ROLE_MODULES = ["lambda", "ec2"];

type Ctor = { __pulumiType?: unknown; toString(): string };

function classesOf(mod: Record<string, unknown>): Ctor[] {
    return Object.keys(mod)
        .map((k) => mod[k])
        .filter((v): v is Ctor => typeof v === "function" && typeof (v as Ctor).__pulumiType === "string");
}

/** The inputs a class's constructor sends (`resourceInputs["x"] = args...`). */
const inputsOf = (c: Ctor) => [...new Set([...c.toString().matchAll(/resourceInputs\["([A-Za-z0-9]+)"\]\s*=\s*args/g)].map((m) => m[1]))];

function sdkSurface(): { inScope: string[]; all: Set<string> } {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const aws = require("@pulumi/aws");
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const k8s = require("@pulumi/kubernetes");
    const inScope: string[] = [];
    const all = new Set<string>();
    for (const m of [...AWS_MODULES, ...ROLE_MODULES]) {
        for (const c of classesOf(aws[m])) {
            const type = c.__pulumiType as string;
            all.add(type);
            if (AWS_MODULES.includes(m) || inputsOf(c).some((i) => /role|instanceProfile/i.test(i))) inScope.push(type);
        }
    }
    for (const version of Object.values(k8s.rbac as Record<string, Record<string, unknown>>)) {
        for (const c of classesOf(version)) {
            inScope.push(c.__pulumiType as string);
            all.add(c.__pulumiType as string);
        }
    }
    return { inScope, all };
}

describe("the grant surface table (cli/src/checker/checks/grantSurface.ts) against the installed @pulumi/aws and @pulumi/kubernetes", function () {
    this.timeout(120_000);
    let sdk: ReturnType<typeof sdkSurface>;
    before(() => {
        sdk = sdkSurface();
    });

    it("covers the services the issue lists, and no fewer", () => {
        assert.deepStrictEqual([...SURFACE_AWS_MODULES], AWS_MODULES);
        assert.deepStrictEqual([...ROLE_CARRIER_MODULES], ROLE_MODULES);
        assert.strictEqual(SURFACE_K8S_GROUP, "rbac.authorization.k8s.io");
        assert.ok(ROLE_INPUT.test("iamInstanceProfile") && ROLE_INPUT.test("role") && ROLE_INPUT.test("nodeRoleArn"));
    });

    it("classifies every type of those services the SDKs define (an SDK upgrade that adds one fails here)", () => {
        const missing = sdk.inScope.filter((t) => GRANT_SURFACE[t] === undefined);
        assert.deepStrictEqual(missing, [], `add a row for each to GRANT_SURFACE: modelled (where), cannot grant (why) or not evaluated (why)`);
        // The enumeration itself found the SDK: a broken walk must not pass as "nothing missing".
        assert.ok(sdk.inScope.length > 140, `${sdk.inScope.length} types enumerated`);
        assert.ok(sdk.inScope.includes("aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy"));
        assert.ok(sdk.inScope.includes("aws:ec2/instance:Instance"));
        assert.ok(!sdk.inScope.includes("aws:ec2/vpc:Vpc"), "ec2 types without a role are out of scope");
    });

    it("names no type the SDKs do not have (a typo or a removed type fails here)", () => {
        const unknown = Object.keys(GRANT_SURFACE).filter((t) => !sdk.all.has(t));
        assert.deepStrictEqual(unknown, []);
    });

    it("gives every row a place in the code or a reason", () => {
        for (const [type, c] of Object.entries(GRANT_SURFACE)) {
            const text = c.class === "modelled" ? c.where : c.reason;
            assert.ok(text.length > 8, `${type} says why`);
        }
    });

    it("takes a type of a surface service without a row as not evaluated, and leaves other services alone", () => {
        assert.strictEqual(classify("aws:iam/someFutureGrant:SomeFutureGrant")?.class, "not evaluated");
        assert.strictEqual(classify("aws-native:iam:Role")?.class, "not evaluated");
        assert.strictEqual(classify("kubernetes:rbac.authorization.k8s.io/v2:ClusterRole")?.class, "not evaluated");
        assert.strictEqual(classify("aws:s3/bucket:Bucket"), undefined);
        assert.strictEqual(classify("aws:ec2/vpc:Vpc"), undefined);
        const r = (type: string, name: string): StackResource => ({ type, name, custom: true, inputs: {}, state: {} });
        assert.deepStrictEqual(
            notEvaluatedResources([r("aws:eks/accessEntry:AccessEntry", "admin"), r("aws:iam/role:Role", "ci"), r("aws:s3/bucket:Bucket", "b")]).map((u) => u.principal),
            ["AccessEntry 'admin'"],
        );
    });
});

describe("Kubernetes RBAC of the stack (grantSurface.ts rbacUndecided)", () => {
    const object = (kind: string, name: string, spec: Record<string, unknown>): StackResource => {
        const inputs = { apiVersion: "rbac.authorization.k8s.io/v1", kind, metadata: { name }, ...spec };
        return { type: `kubernetes:rbac.authorization.k8s.io/v1:${kind}`, name, custom: true, inputs, state: inputs };
    };
    const esoTenant = object("ClusterRole", "tenant", { rules: [{ apiGroups: ["external-secrets.io"], resources: ["externalsecrets"], verbs: ["get", "create"] }] });

    it("a role reaching only namespaced ESO kinds, bound, is decided (the access matrix decides what those sessions read)", () => {
        assert.deepStrictEqual(rbacUndecided([esoTenant, object("RoleBinding", "b", { roleRef: { kind: "ClusterRole", name: "tenant" }, subjects: [] })]), []);
    });

    it("reading ESO's cluster kinds is decided; any other verb on them (create, *) is not", () => {
        const stores = (verbs: string[]) => object("ClusterRole", "stores", { rules: [{ apiGroups: ["external-secrets.io"], resources: ["clustersecretstores"], verbs }] });
        assert.deepStrictEqual(rbacUndecided([stores(["get", "list", "watch"])]), []);
        assert.deepStrictEqual(rbacUndecided([stores(["get", "*"])]).map((u) => u.reason), ["Kubernetes RBAC: it reaches clustersecretstores of the ESO API groups beyond the namespaced kinds"]);
    });

    it("a role reading Secrets, a cluster-wide ESO kind, escalate, or a binding to a role outside the stack is not decided", () => {
        const reasons = rbacUndecided([
            object("ClusterRole", "reader", { rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }] }),
            object("ClusterRole", "stores", { rules: [{ apiGroups: ["external-secrets.io"], resources: ["clustersecretstores"], verbs: ["create"] }] }),
            object("Role", "esc", { rules: [{ apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles"], verbs: ["escalate"] }] }),
            object("ClusterRoleBinding", "admins", { roleRef: { kind: "ClusterRole", name: "cluster-admin" } }),
            object("ClusterRoleBinding", "viewers", { roleRef: { kind: "ClusterRole", name: "view" } }),
        ]).map((u) => `${u.principal}: ${u.reason}`);
        assert.deepStrictEqual(reasons, [
            "ClusterRole 'reader': Kubernetes RBAC: it reads Secrets",
            "ClusterRole 'stores': Kubernetes RBAC: it reaches clustersecretstores of the ESO API groups beyond the namespaced kinds",
            "Role 'esc': Kubernetes RBAC: it allows escalate",
            "ClusterRoleBinding 'admins': Kubernetes RBAC: it binds ClusterRole 'cluster-admin', which neither the stack nor its decided Helm releases declare (cluster-admin, admin and edit read Secrets)",
        ]);
    });
});
