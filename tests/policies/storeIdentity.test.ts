import * as assert from "assert";
import { clusterSecretStoreManifest, storeCustomSessionTags, withCustomSessionTags } from "../../components";
import { esoStoreDisallowClusterTagOnPodIdentityCluster, esoStoreDisallowPodIdentityTagKeys } from "../../policypack/policies/storeIdentity";
import { stackResource, stackViolations, violations } from "../helpers";
import { ABAC_ARN, compliantStack, ctx } from "./fixtures";

const STORE = "kubernetes:external-secrets.io/v1:ClusterSecretStore";
const store = clusterSecretStoreManifest({ name: "team-secrets", region: ctx.region, abacRoleArn: ABAC_ARN });
const irsaStore = (cluster: string) => withCustomSessionTags(store, storeCustomSessionTags("irsa", cluster));
const association = (clusterName: string) =>
    stackResource("aws:eks/podIdentityAssociation:PodIdentityAssociation", `${clusterName}-eso`, { clusterName, namespace: "external-secrets", serviceAccount: "external-secrets", roleArn: "x" });

describe("eso-store-disallow-pod-identity-tag-keys", () => {
    it("passes the component's Pod Identity store and its IRSA store", async () => {
        assert.deepStrictEqual(await violations(esoStoreDisallowPodIdentityTagKeys, STORE, store), []);
        assert.deepStrictEqual(await violations(esoStoreDisallowPodIdentityTagKeys, STORE, irsaStore("legacy-eu")), []);
    });

    it("reports a store that sends another Pod Identity tag key, in any case", async () => {
        for (const key of ["kubernetes-namespace", "Kubernetes-Service-Account", "EKS-CLUSTER-ARN"]) {
            const found = await violations(esoStoreDisallowPodIdentityTagKeys, STORE, withCustomSessionTags(store, { [key]: "x" }));
            assert.strictEqual(found.length, 1, key);
            assert.match(found[0], new RegExp(`sends custom session tags '${key}', which EKS Pod Identity sets itself`));
        }
    });
});

describe("eso-store-disallow-cluster-tag-on-pod-identity-cluster", () => {
    it("passes an IRSA store beside a Pod Identity cluster of another name", async () => {
        assert.deepStrictEqual(await stackViolations(esoStoreDisallowClusterTagOnPodIdentityCluster, compliantStack({ store: irsaStore("legacy-eu"), extra: [association("prod-eu")] })), []);
    });

    it("reports a store that sends eks-cluster-name of a Pod Identity cluster", async () => {
        const found = await stackViolations(esoStoreDisallowClusterTagOnPodIdentityCluster, compliantStack({ store: irsaStore("prod-eu"), extra: [association("prod-eu")] }));
        assert.strictEqual(found.length, 1);
        assert.match(found[0], /sends custom eks-cluster-name=prod-eu, but cluster 'prod-eu' uses EKS Pod Identity/);
    });

    it("passes a stack without Pod Identity associations (IRSA only)", async () => {
        assert.deepStrictEqual(await stackViolations(esoStoreDisallowClusterTagOnPodIdentityCluster, compliantStack({ store: irsaStore("prod-eu") })), []);
    });
});
