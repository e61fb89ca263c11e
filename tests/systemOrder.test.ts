/**
 * The first `pulumi up` on a new cluster: ESO's pods must start after the
 * Pod Identity association has taken effect ("may take several seconds",
 * EKS API Reference, CreatePodIdentityAssociation), since a pod admitted
 * before keeps no credentials until restarted (eksctl-io/eksctl#7709).
 * Only a deployment that creates or replaces the association waits: the
 * ID of the deployment that created it lives in a tag the engine keeps
 * from the state (`ignoreChanges`), so later deployments read another ID.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { ASSOCIATION_ANNOTATION, ASSOCIATION_PROPAGATION_SECONDS, associationCreatedTag, associationIsNew, ConfigValidationError, CrossAccountSecretsAbac, DEPLOYMENT_ID, EksSecretsAbac, EksSecretsAbacArgs } from "../components";
import { parseStackConfig } from "../components/lib/stackConfig";
import { runOffline, team } from "./helpers";

const ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation";
const TAG = associationCreatedTag("prod-eu", "external-secrets", "external-secrets");

/** Runs the stack with `EKS_SECRETS_ABAC_ASSOCIATION_WAIT_SECONDS` set, each association's props passed through `edit`; the time it took and the association's options. */
async function timed(seconds: string, edit: (props: Record<string, any>) => Record<string, any> = (p) => p) {
    const previous = process.env.EKS_SECRETS_ABAC_ASSOCIATION_WAIT_SECONDS;
    process.env.EKS_SECRETS_ABAC_ASSOCIATION_WAIT_SECONDS = seconds;
    const options: pulumi.CustomResourceOptions[] = [];
    const transformations: pulumi.ResourceTransformation[] = [
        (a) => {
            if (a.type !== ASSOCIATION) return undefined;
            options.push(a.opts);
            return { props: edit(a.props), opts: a.opts };
        },
    ];
    try {
        const started = Date.now();
        const run = await runOffline(() => new EksSecretsAbac("prod", { clusterName: "prod-eu", installPodIdentityAgent: true, teams: [team("payments")] }, { transformations }));
        return { run, ms: Date.now() - started, options };
    } finally {
        // Assigning undefined would store the string "undefined", which the component reads as no number: the 20 s default.
        if (previous === undefined) delete process.env.EKS_SECRETS_ABAC_ASSOCIATION_WAIT_SECONDS;
        else process.env.EKS_SECRETS_ABAC_ASSOCIATION_WAIT_SECONDS = previous;
    }
}

describe("system: the ESO release starts after the Pod Identity association takes effect", function () {
    this.timeout(120_000);

    it("ESO's pods carry the association's ID (a replaced association restarts them), and the release depends on the association", async () => {
        const { run } = await timed("0");
        const association = run.one(ASSOCIATION);
        const release = run.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === "prod-eso-release")!;
        assert.strictEqual(release.inputs.values.podAnnotations[ASSOCIATION_ANNOTATION], association.state.associationId);
    });

    it("a deployment that creates the association finishes only after the propagation wait", async () => {
        assert.ok(ASSOCIATION_PROPAGATION_SECONDS >= 10, "AWS says several seconds");
        const { ms } = await timed("0.3");
        assert.ok(ms >= 300, `the run finished after ${ms} ms, before the wait`);
    });

    it("a deployment whose association exists (the state keeps the ID of the deployment that created it) does not wait", async () => {
        const { ms } = await timed("5", (p) => ({ ...p, tags: { ...p.tags, [TAG]: "2026-01-05T09:00:00.000Z_0a1b2c3d" } }));
        assert.ok(ms < 5_000, `the run took ${ms} ms: it waited for an association an earlier deployment created`);
    });

    it("the creating deployment's ID is a tag the engine keeps from the state, keyed by cluster, namespace and service account (a replacement gets a new key)", async () => {
        const { run, options } = await timed("0");
        assert.strictEqual(run.one(ASSOCIATION).inputs.tags[TAG], DEPLOYMENT_ID);
        assert.deepStrictEqual(options.map((o) => o.ignoreChanges), [[`tags["${TAG}"]`]]);
        assert.notStrictEqual(associationCreatedTag("prod-eu", "eso", "external-secrets"), TAG);
        assert.notStrictEqual(associationCreatedTag("prod-us", "external-secrets", "external-secrets"), TAG);
        assert.notStrictEqual(associationCreatedTag("prod-eu", "external-secrets", "eso"), TAG);
    });

    it("waits when the tag reads back as this deployment's ID or is missing, not for another deployment's ID", () => {
        assert.strictEqual(associationIsNew("2026-12-05T12:00:00.000Z_00000001", "2026-12-05T12:00:00.000Z_00000001"), true);
        assert.strictEqual(associationIsNew(undefined, "2026-12-05T12:00:00.000Z_00000001"), true);
        assert.strictEqual(associationIsNew("2026-12-05T12:00:00.000Z_00000002", "2026-12-05T12:00:00.000Z_00000001"), false);
    });

    it("an IRSA cluster has no association and no wait", async () => {
        const run = await runOffline(() =>
            new EksSecretsAbac("prod", { clusterName: "prod-eu", identity: "irsa", oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789", teams: [team("payments")] }),
        );
        const release = run.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === "prod-eso-release")!;
        assert.strictEqual(release.inputs.values.podAnnotations?.[ASSOCIATION_ANNOTATION], undefined);
    });
});

const ADDON = "aws:eks/addon:Addon";
const IRSA_OIDC = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789";

/** The stack's resources, or the validation error that stopped it before anything was declared. */
async function declared(build: () => unknown): Promise<{ error?: ConfigValidationError; types: string[]; addons: Record<string, any>[] }> {
    const run = await runOffline(() => {
        try {
            build();
            return undefined;
        } catch (e) {
            if (e instanceof ConfigValidationError) return e;
            throw e;
        }
    });
    return { error: run.result, types: run.resources.map((r) => r.type), addons: run.resources.filter((r) => r.type === ADDON).map((r) => r.inputs) };
}

// Creating the add-on where EKS already has it fails mid-deployment with
// "ResourceInUseException: Addon already exists" (resolveConflictsOnCreate
// covers self-managed objects only), and EKS Auto Mode runs the agent built
// in: no default can be right for both a new and an existing cluster.
describe("system: the Pod Identity agent is an explicit choice", function () {
    this.timeout(120_000);
    const args = (extra: Partial<EksSecretsAbacArgs>): EksSecretsAbacArgs => ({ clusterName: "prod-eu", teams: [team("payments")], ...extra });

    it("unset with Pod Identity, the stack is refused before anything is declared, naming the option and the call that tells which", async () => {
        const { error, types } = await declared(() => new EksSecretsAbac("prod", args({})));
        assert.ok(error instanceof ConfigValidationError, "an unset choice must stop the stack");
        assert.deepStrictEqual(error.problems.map((p) => p.path), ["installPodIdentityAgent"]);
        assert.match(error.problems[0].message, /aws eks describe-addon --cluster-name prod-eu --addon-name eks-pod-identity-agent/);
        assert.match(error.problems[0].message, /Set true .*set false/);
        assert.match(error.message, /nothing was deployed/);
        assert.deepStrictEqual(types, []);
    });

    it("true installs the eks-pod-identity-agent add-on on the named cluster; false declares no add-on and keeps the rest of the stack", async () => {
        const installed = await declared(() => new EksSecretsAbac("prod", args({ installPodIdentityAgent: true })));
        assert.strictEqual(installed.error, undefined);
        assert.deepStrictEqual(
            installed.addons.map((a) => [a.clusterName, a.addonName]),
            [["prod-eu", "eks-pod-identity-agent"]],
        );
        // A version for an agent the stack does not install would be silently ignored: refused instead.
        const versioned = await declared(() => new EksSecretsAbac("prod", args({ installPodIdentityAgent: false, podIdentityAgentVersion: "v1.3.4-eksbuild.1" })));
        assert.deepStrictEqual(versioned.error?.problems.map((p) => p.path), ["podIdentityAgentVersion"]);
        const existing = await declared(() => new EksSecretsAbac("prod", args({ installPodIdentityAgent: false })));
        assert.strictEqual(existing.error, undefined);
        assert.deepStrictEqual(existing.addons, []);
        // Everything but the add-on is the same stack: the association and the release are still there.
        assert.deepStrictEqual(existing.types.slice().sort(), installed.types.filter((t) => t !== ADDON && t !== "eks-secrets-abac:index:PodIdentityAgent").sort());
    });

    it("with IRSA there is no agent to choose: unset is accepted, true is refused", async () => {
        const irsa = { identity: "irsa", oidcProviderArn: IRSA_OIDC };
        const unset = await declared(() => new EksSecretsAbac("prod", args(irsa)));
        assert.strictEqual(unset.error, undefined);
        assert.deepStrictEqual(unset.addons, []);
        const wrong = await declared(() => new EksSecretsAbac("prod", args({ ...irsa, installPodIdentityAgent: true })));
        assert.deepStrictEqual(wrong.error?.problems.map((p) => p.path), ["installPodIdentityAgent"]);
    });

    it("across accounts the choice is per cluster, and every cluster without it is named at once", async () => {
        const account = { accountId: "111122223333", region: "eu-west-1" };
        const secretsAccount = { accountId: "444455556666", region: "eu-west-1" };
        const cluster = (clusterName: string, installPodIdentityAgent?: boolean) => ({ clusterName, secretNamePrefix: `${clusterName}/`, account, installPodIdentityAgent, teams: [team("payments")] });
        const { error, types } = await declared(
            () => new CrossAccountSecretsAbac("org", { secretsAccount, clusters: [cluster("prod-eu"), cluster("staging-eu", false), cluster("dev-eu")] }),
        );
        assert.ok(error instanceof ConfigValidationError);
        assert.deepStrictEqual(error.problems.map((p) => p.path), ["clusters[0].installPodIdentityAgent", "clusters[2].installPodIdentityAgent"]);
        assert.match(error.problems[1].message, /--cluster-name dev-eu/);
        assert.deepStrictEqual(types, []);
    });

    it("the stack config (Pulumi.yaml declares it without a default) refuses a stack that does not set it", () => {
        const { problems } = parseStackConfig({ clusterName: "prod-eu", teams: [{ namespace: "payments" }] });
        assert.deepStrictEqual(problems.map((p) => p.path), ["installPodIdentityAgent"]);
        assert.deepStrictEqual(parseStackConfig({ clusterName: "prod-eu", installPodIdentityAgent: false, teams: [{ namespace: "payments" }] }).problems, []);
    });
});
