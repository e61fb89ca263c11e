/**
 * The first `pulumi up` on a new cluster: ESO's pods must start after the
 * Pod Identity association has taken effect ("may take several seconds",
 * EKS API Reference, CreatePodIdentityAssociation), since a pod admitted
 * before keeps no credentials until restarted (eksctl-io/eksctl#7709).
 */
import * as assert from "assert";
import { ASSOCIATION_ANNOTATION, ASSOCIATION_PROPAGATION_SECONDS, EksSecretsAbac } from "../components";
import { runOffline, team } from "./helpers";

describe("system: the ESO release starts after the Pod Identity association takes effect", function () {
    this.timeout(120_000);

    it("ESO's pods carry the association's ID (a replaced association restarts them), and the release depends on the association", async () => {
        const run = await runOffline(() => new EksSecretsAbac("prod", { clusterName: "prod-eu", teams: [team("payments")] }));
        const association = run.one("aws:eks/podIdentityAssociation:PodIdentityAssociation");
        const release = run.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === "prod-eso-release")!;
        assert.strictEqual(release.inputs.values.podAnnotations[ASSOCIATION_ANNOTATION], association.state.associationId);
    });

    it("in a deployment the program finishes only after the propagation wait", async () => {
        assert.ok(ASSOCIATION_PROPAGATION_SECONDS >= 10, "AWS says several seconds");
        const previous = process.env.EKS_SECRETS_ABAC_ASSOCIATION_WAIT_SECONDS;
        process.env.EKS_SECRETS_ABAC_ASSOCIATION_WAIT_SECONDS = "0.3";
        try {
            const started = Date.now();
            await runOffline(() => new EksSecretsAbac("prod", { clusterName: "prod-eu", teams: [team("payments")] }));
            const resolvedAfter = Date.now() - started;
            assert.ok(resolvedAfter >= 300, `the run finished after ${resolvedAfter} ms, before the wait`);
        } finally {
            process.env.EKS_SECRETS_ABAC_ASSOCIATION_WAIT_SECONDS = previous;
        }
    });

    it("an IRSA cluster has no association and no wait", async () => {
        const run = await runOffline(() =>
            new EksSecretsAbac("prod", { clusterName: "prod-eu", identity: "irsa", oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789", teams: [team("payments")] }),
        );
        const release = run.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === "prod-eso-release")!;
        assert.strictEqual(release.inputs.values.podAnnotations?.[ASSOCIATION_ANNOTATION], undefined);
    });
});
