/**
 * Session tags a store may add on top of ESO's own, by how its cluster's
 * controller gets credentials. Pod Identity already sets six transitive tags;
 * STS refuses a chained AssumeRole that repeats one of their keys (keys are
 * case-insensitive), so such a store fails every read. Only an IRSA
 * cluster's store sends `eks-cluster-name`, because IRSA sets no tags.
 */
import { CLUSTER_TAG_KEY, POD_IDENTITY_TRANSITIVE_TAGS } from "../lib/constants";
import { isRecord, isUnknown, plain } from "../lib/values";
import { resourcePolicy, stackPolicy } from "./define";
import { stackModel } from "./stackModel";
import { isSecretStoreType, TYPES } from "./types";

const SESSION_TAGS_DOCS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_role-chaining";
const TRANSITIVE = new Set<string>(POD_IDENTITY_TRANSITIVE_TAGS);

/** Custom session tag keys of a store's AWS provider that Pod Identity also sets, by key as written. */
export function transitiveCustomKeys(aws: unknown): string[] {
    if (!isRecord(aws) || !isRecord(aws.customSessionTags)) return [];
    return Object.keys(aws.customSessionTags).filter((k) => TRANSITIVE.has(k.toLowerCase()));
}

export const esoStoreDisallowPodIdentityTagKeys = resourcePolicy({
    name: "eso-store-disallow-pod-identity-tag-keys",
    displayName: "Stores send no Pod Identity tag keys but an IRSA cluster's name",
    description:
        "An ESO store whose customSessionTags repeat a Pod Identity session tag other than eks-cluster-name (kubernetes-namespace, kubernetes-service-account, eks-cluster-arn, ...): on a Pod Identity cluster STS refuses the chained AssumeRole, and on an IRSA cluster it forges a tag that policies keyed on it trust.",
    enforcementLevel: "mandatory",
    severity: "high",
    url: SESSION_TAGS_DOCS,
    remediationSteps: "Remove those keys from spec.provider.aws.customSessionTags; an IRSA cluster's store sends only eks-cluster-name.",
    types: (t) => isSecretStoreType(t),
    validate: (subject) => {
        const aws = isRecord(subject.props.spec) && isRecord(subject.props.spec.provider) ? subject.props.spec.provider.aws : undefined;
        if (isUnknown(aws)) return subject.undecided.add("spec.provider.aws");
        if (isRecord(aws) && isUnknown(aws.customSessionTags)) return subject.undecided.add("spec.provider.aws.customSessionTags");
        const keys = transitiveCustomKeys(aws).filter((k) => k.toLowerCase() !== CLUSTER_TAG_KEY);
        if (keys.length > 0) {
            subject.report(`Store '${subject.name}' sends custom session tags ${keys.map((k) => `'${k}'`).join(", ")}, which EKS Pod Identity sets itself: remove them.`);
        }
    },
});

export const esoStoreDisallowClusterTagOnPodIdentityCluster = stackPolicy({
    name: "eso-store-disallow-cluster-tag-on-pod-identity-cluster",
    displayName: "A Pod Identity cluster's store sends no eks-cluster-name",
    description:
        "An ESO store sends a custom eks-cluster-name naming a cluster that has a Pod Identity association in this stack: the chained session already carries that transitive tag, STS refuses the AssumeRole, and every read of that cluster fails.",
    enforcementLevel: "mandatory",
    severity: "high",
    url: SESSION_TAGS_DOCS,
    remediationSteps: "Use sessionTagsPolicy: Simple without customSessionTags on Pod Identity clusters; send eks-cluster-name only from an IRSA cluster's store (identity: irsa).",
    validate: ({ resources, report, undecided }) => {
        const podIdentityClusters = new Set<string>();
        for (const r of resources) {
            if (r.type !== TYPES.podIdentityAssociation) continue;
            const cluster = plain(r.props).clusterName;
            if (isUnknown(cluster)) undecided(r, "clusterName");
            else if (typeof cluster === "string") podIdentityClusters.add(cluster);
        }
        if (podIdentityClusters.size === 0) return;
        for (const store of stackModel(resources).stores) {
            const tags = isRecord(store.aws) && isRecord(store.aws.customSessionTags) ? store.aws.customSessionTags : {};
            for (const [key, value] of Object.entries(tags)) {
                if (key.toLowerCase() !== CLUSTER_TAG_KEY) continue;
                if (isUnknown(value)) undecided(store.resource, `spec.provider.aws.customSessionTags.${key}`);
                else if (typeof value === "string" && podIdentityClusters.has(value)) {
                    report(
                        store.resource,
                        `Store '${store.resource.name}' sends custom ${key}=${value}, but cluster '${value}' uses EKS Pod Identity, whose session already carries that tag: STS refuses the chained AssumeRole. Remove customSessionTags (sessionTagsPolicy: Simple).`,
                    );
                }
            }
        }
    },
});
