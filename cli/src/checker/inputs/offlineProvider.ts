/**
 * What the Pulumi engine and the AWS provider answer for a resource they
 * create: its physical name, its id and the outputs the checker reads. Pure
 * functions of the inputs and a seed, so offline runs are reproducible.
 *
 * Sources, read for each rule below:
 * - [bridge] pulumi/pulumi-terraform-bridge `pkg/tfbridge/info.go` `AutoName`
 *   (Randlen 7, separator "-") and `ComputeAutoNameDefault`: the URN's name,
 *   the separator, 7 random characters of [0-9a-f] from
 *   pulumi/pulumi `sdk/go/common/resource/resource_id.go` `NewUniqueName`,
 *   which fails with "name '<prefix>' plus 7 random chars is longer than
 *   maximum length <n>" when the result would exceed the maximum.
 * - [aws-provider] pulumi/pulumi-aws `provider/resources.go`: `aws_iam_role`
 *   `"name": tfbridge.AutoName("name", 64, "-")`; `setAutonaming` gives every
 *   other resource with a `name` input `AutoName(name, 255, "-")`.
 * - [tf] hashicorp/terraform-provider-aws, the resource's `d.SetId(...)`
 *   (`internal/service/iam/role_policy_attachment.go`:
 *   `id.PrefixedUniqueId(fmt.Sprintf("%s-", role))`), and
 *   terraform-plugin-sdk `helper/id` `PrefixedUniqueId`: the UTC time as
 *   `20060102150405.0000` without the dot, then a counter as `%08x`
 *   (26 characters; also what `namePrefix` gets).
 * - [checkpoint] /work/shared/vendor/pulumi-3.259.0/checkpoint-v3.json (a real
 *   2017 stack): Role id = name = `heartbeat-iamrole-ea19407f5d1f9983` (16
 *   hex: the provider of then), RolePolicyAttachment id =
 *   `heartbeat-iamrole-ea19407f5d1f9983-20171108195207299700000004`.
 * - [secretsmanager] docs.aws.amazon.com/secretsmanager/latest/userguide/reference_iam-permissions.html:
 *   a secret's ARN ends in `-` and six random characters.
 */
import { createHash } from "crypto";

/** Random characters the bridge appends to an auto-name [bridge]. */
export const AUTONAME_RANDOM_LENGTH = 7;

/** Maximum auto-name lengths by type [aws-provider]; every other type with a `name` input: 255. */
const AUTONAME_MAX: Record<string, number> = {
    "aws:iam/role:Role": 64,
};
const AUTONAME_DEFAULT_MAX = 255;

/**
 * Types whose `name` input the provider auto-names [aws-provider: every type
 * with a `name` input]. Types the checker reads, and those the components
 * declare; a type not listed keeps what the program gave it.
 */
const AUTONAMED = new Set([
    "aws:iam/role:Role",
    "aws:iam/policy:Policy",
    "aws:iam/user:User",
    "aws:iam/group:Group",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/userPolicy:UserPolicy",
    "aws:iam/groupPolicy:GroupPolicy",
    "aws:iam/policyAttachment:PolicyAttachment",
    "aws:iam/groupMembership:GroupMembership",
    "aws:iam/instanceProfile:InstanceProfile",
    "aws:secretsmanager/secret:Secret",
    "aws:ssm/parameter:Parameter",
    "aws:eks/cluster:Cluster",
    "aws:organizations/policy:Policy",
    "aws:kms/alias:Alias",
]);

/** Where names and opaque ids come from: the same seed, the same names. */
export interface NameSource {
    seed: string;
    /** Counter of `PrefixedUniqueId` [tf]: one per call in a run. */
    counter: number;
}

function hex(source: NameSource, what: string, length: number): string {
    let out = "";
    for (let i = 0; out.length < length; i++) out += createHash("sha256").update(`${source.seed}\0${what}\0${i}`).digest("hex");
    return out.slice(0, length);
}

/** The engine's auto-name of a resource [bridge]; throws the provider's error when too long. */
export function autoName(source: NameSource, type: string, logicalName: string): string {
    const max = AUTONAME_MAX[type] ?? AUTONAME_DEFAULT_MAX;
    const prefix = `${logicalName}-`;
    if (prefix.length + AUTONAME_RANDOM_LENGTH > max) {
        throw new Error(`could not make instance of '${type}': name '${prefix}' plus ${AUTONAME_RANDOM_LENGTH} random chars is longer than maximum length ${max}`);
    }
    return prefix + hex(source, `${type}::${logicalName}`, AUTONAME_RANDOM_LENGTH);
}

/** Terraform's `PrefixedUniqueId` [tf]: a fixed offline clock, then the run's counter. */
export function prefixedUniqueId(source: NameSource, prefix: string): string {
    source.counter += 1;
    return `${prefix}202601010000000000${source.counter.toString(16).padStart(8, "0")}`;
}

/**
 * The physical name: the explicit `name`, else `namePrefix` plus a unique
 * id [tf `create.Name`], else the auto-name; undefined for a type without
 * an auto-named `name`.
 */
export function physicalName(source: NameSource, type: string, logicalName: string, inputs: Record<string, any>): string | undefined {
    if (typeof inputs.name === "string" && inputs.name !== "") return inputs.name;
    if (!AUTONAMED.has(type)) return undefined;
    if (typeof inputs.namePrefix === "string" && inputs.namePrefix !== "") return prefixedUniqueId(source, inputs.namePrefix);
    return autoName(source, type, logicalName);
}

export interface Placement {
    accountId: string;
    partition: string;
    region: string;
}

export interface Created {
    id: string;
    outputs: Record<string, unknown>;
}

const uuid = (h: string) => `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;

/**
 * The id and outputs the provider gives a new resource. Ids [tf]: Role, User,
 * Group, Parameter, EKS Cluster, PolicyAttachment, GroupMembership, Alias:
 * the name; Policy, Secret, SecretPolicy: the ARN; RolePolicy, UserPolicy,
 * GroupPolicy: `<role|user|group>:<name>`; Role/User/GroupPolicyAttachment:
 * `<role|user|group>-<PrefixedUniqueId>`; KMS Key and KeyPolicy: the key id;
 * SecretVersion: `<secret ARN>|<version id>`; EKS Addon `<cluster>:<addon>`.
 * Any other type: an opaque id that is not a name (so nothing can mistake it
 * for one).
 */
export function create(source: NameSource, type: string, logicalName: string, inputs: Record<string, any>, at: Placement): Created {
    const { accountId, partition, region } = at;
    const name = physicalName(source, type, logicalName, inputs);
    const named = name === undefined ? {} : { name };
    // IAM ARNs carry the path, which starts and ends with "/" (IAM identifiers page).
    const iamArn = (kind: string) => `arn:${partition}:iam::${accountId}:${kind}${typeof inputs.path === "string" ? inputs.path : "/"}${name}`;
    switch (type) {
        case "aws:iam/role:Role": {
            const arn = iamArn("role");
            return { id: name!, outputs: { ...named, arn, uniqueId: `AROA${hex(source, `uid::${arn}`, 17).toUpperCase()}` } };
        }
        case "aws:iam/user:User": {
            const arn = iamArn("user");
            return { id: name!, outputs: { ...named, arn, uniqueId: `AIDA${hex(source, `uid::${arn}`, 17).toUpperCase()}` } };
        }
        case "aws:iam/group:Group": {
            const arn = iamArn("group");
            return { id: name!, outputs: { ...named, arn, uniqueId: `AGPA${hex(source, `uid::${arn}`, 17).toUpperCase()}` } };
        }
        case "aws:iam/policy:Policy": {
            const arn = iamArn("policy");
            return { id: arn, outputs: { ...named, arn, policyId: `ANPA${hex(source, `pid::${arn}`, 17).toUpperCase()}` } };
        }
        case "aws:iam/rolePolicy:RolePolicy":
            return { id: `${inputs.role}:${name}`, outputs: named };
        case "aws:iam/userPolicy:UserPolicy":
            return { id: `${inputs.user}:${name}`, outputs: named };
        case "aws:iam/groupPolicy:GroupPolicy":
            return { id: `${inputs.group}:${name}`, outputs: named };
        case "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
            return { id: prefixedUniqueId(source, `${inputs.role}-`), outputs: {} };
        case "aws:iam/userPolicyAttachment:UserPolicyAttachment":
            return { id: prefixedUniqueId(source, `${inputs.user}-`), outputs: {} };
        case "aws:iam/groupPolicyAttachment:GroupPolicyAttachment":
            return { id: prefixedUniqueId(source, `${inputs.group}-`), outputs: {} };
        case "aws:iam/policyAttachment:PolicyAttachment":
        case "aws:iam/groupMembership:GroupMembership":
            return { id: name!, outputs: named };
        case "aws:iam/instanceProfile:InstanceProfile":
            return { id: name!, outputs: { ...named, arn: iamArn("instance-profile") } };
        case "aws:secretsmanager/secret:Secret": {
            const arn = `arn:${partition}:secretsmanager:${inputs.region ?? region}:${accountId}:secret:${name}-${hex(source, `secret::${name}`, 6)}`;
            return { id: arn, outputs: { ...named, arn } };
        }
        case "aws:secretsmanager/secretPolicy:SecretPolicy":
            return { id: String(inputs.secretArn), outputs: {} };
        case "aws:secretsmanager/secretVersion:SecretVersion": {
            const versionId = uuid(hex(source, `version::${logicalName}`, 32));
            return { id: `${inputs.secretId}|${versionId}`, outputs: { versionId, arn: inputs.secretId } };
        }
        case "aws:ssm/parameter:Parameter": {
            const arn = `arn:${partition}:ssm:${inputs.region ?? region}:${accountId}:parameter${name!.startsWith("/") ? "" : "/"}${name}`;
            return { id: name!, outputs: { ...named, arn } };
        }
        case "aws:kms/key:Key": {
            const keyId = uuid(hex(source, `key::${logicalName}`, 32));
            return { id: keyId, outputs: { keyId, arn: `arn:${partition}:kms:${inputs.region ?? region}:${accountId}:key/${keyId}` } };
        }
        case "aws:kms/keyPolicy:KeyPolicy":
            return { id: String(inputs.keyId), outputs: {} };
        case "aws:kms/alias:Alias":
            return { id: name!, outputs: { ...named, arn: `arn:${partition}:kms:${inputs.region ?? region}:${accountId}:${name}` } };
        case "aws:eks/cluster:Cluster":
            return { id: name!, outputs: { ...named, arn: `arn:${partition}:eks:${inputs.region ?? region}:${accountId}:cluster/${name}` } };
        case "aws:eks/addon:Addon":
            return {
                id: `${inputs.clusterName}:${inputs.addonName}`,
                outputs: { addonVersion: inputs.addonVersion ?? "v0.0.0-offline", arn: `arn:${partition}:eks:${inputs.region ?? region}:${accountId}:addon/${inputs.clusterName}/${inputs.addonName}/${hex(source, `addon::${logicalName}`, 8)}` },
            };
        case "aws:eks/podIdentityAssociation:PodIdentityAssociation": {
            const associationId = `a-${hex(source, `pia::${logicalName}`, 17)}`;
            return { id: `${inputs.clusterName},${associationId}`, outputs: { associationId, associationArn: `arn:${partition}:eks:${inputs.region ?? region}:${accountId}:podidentityassociation/${inputs.clusterName}/${associationId}` } };
        }
        default:
            return { id: uuid(hex(source, `id::${type}::${logicalName}`, 32)), outputs: named };
    }
}

/** Types with `tags` and `tagsAll` among those above (their SDK classes declare both). */
export const TAGGED = new Set([
    "aws:iam/role:Role",
    "aws:iam/user:User",
    "aws:iam/policy:Policy",
    "aws:iam/instanceProfile:InstanceProfile",
    "aws:secretsmanager/secret:Secret",
    "aws:ssm/parameter:Parameter",
    "aws:kms/key:Key",
    "aws:eks/cluster:Cluster",
    "aws:eks/addon:Addon",
    "aws:eks/podIdentityAssociation:PodIdentityAssociation",
]);

/** `tagsAll`: the provider's `defaultTags.tags` with the resource's `tags` over them (pulumi-aws `applyTags`, resources.go). */
export function tagsAll(defaultTags: Record<string, string> | undefined, tags: unknown): Record<string, string> | undefined {
    const own = tags !== null && typeof tags === "object" ? (tags as Record<string, string>) : undefined;
    if (defaultTags === undefined && own === undefined) return undefined;
    return { ...(defaultTags ?? {}), ...(own ?? {}) };
}
