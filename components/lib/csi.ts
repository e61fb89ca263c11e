/**
 * The CSI delivery mode as pure functions: the pinned charts, their Helm
 * values, the SecretProviderClass of a team, and the validation of the
 * teams' `csi` entries.
 *
 * Sources: aws/secrets-store-csi-driver-provider-aws at chart 3.1.1
 * (README "SecretProviderClass options"; `provider/secret_descriptor.go`
 * `NewSecretDescriptorList`, `validateSecretDescriptor`, `GetFileName`;
 * `server/server.go` `Mount`), kubernetes-sigs/secrets-store-csi-driver
 * chart 1.6.0 (`values.yaml`, `templates/role-syncsecret.yaml`).
 */
import type { HelmValues } from "./helm";
import { parameterFullName } from "./parameterStore";
import type { CsiObjectSpec, EksSecretsAbacArgs, TeamSpec } from "./types";

/** ASCP's chart; the driver comes with it as its dependency, locked at 1.6.0 by its `Chart.lock`. */
export const CSI_PROVIDER_CHART = {
    name: "secrets-store-csi-driver-provider-aws",
    version: "3.1.1",
    repository: "https://aws.github.io/secrets-store-csi-driver-provider-aws",
} as const;

/** The driver chart that ASCP 3.1.1 embeds (its `charts/secrets-store-csi-driver`); it needs Kubernetes >= 1.30. */
export const CSI_DRIVER_CHART = {
    name: "secrets-store-csi-driver",
    version: "1.6.0",
    minimumKubernetes: "1.30",
} as const;

/**
 * Helm release name. The chart's name: ASCP's `provider.fullname` is then
 * the chart's name, so its DaemonSet and service account are
 * `secrets-store-csi-driver-provider-aws` (templates/_helpers.tpl).
 */
export const CSI_RELEASE_NAME = CSI_PROVIDER_CHART.name;

/** ASCP's service account, from the release name (`provider.serviceAccountName`). */
export const CSI_PROVIDER_SERVICE_ACCOUNT = CSI_PROVIDER_CHART.name;

/** Where AWS's guide installs the driver and ASCP. */
export const DEFAULT_CSI_NAMESPACE = "kube-system";

/** The driver's service account (the driver chart's `templates/serviceaccount.yaml`, a fixed name). */
export const CSI_DRIVER_SERVICE_ACCOUNT = "secrets-store-csi-driver";

export const SECRET_PROVIDER_CLASS_API_VERSION = "secrets-store.csi.x-k8s.io/v1";

export interface CsiValuesArgs {
    /** Grant the driver write access to every Secret, for `secretObjects`. @default false */
    syncSecrets?: boolean;
}

/**
 * Values of the ASCP release. Everything else stays the chart's default:
 * the driver installed as the dependency, ASCP's `driverWritesSecrets:
 * false`, rotation off (`enableSecretRotation: false`), the token
 * audiences `sts.amazonaws.com` and `pods.eks.amazonaws.com` that ASCP
 * needs, and the node affinity that keeps both DaemonSets off Fargate.
 */
export function csiHelmValues(args: CsiValuesArgs = {}): HelmValues {
    return {
        "secrets-store-csi-driver": {
            install: true,
            // Off: the chart's role-syncsecret.yaml grants create/update/delete on every Secret.
            syncSecret: { enabled: args.syncSecrets ?? false },
        },
    };
}

/** One entry of ASCP's `objects` (`SecretDescriptor` of secret_descriptor.go). */
export interface AscpObject {
    objectName: string;
    objectType: "secretsmanager" | "ssmparameter";
    objectAlias?: string;
    jmesPath?: { path: string; objectAlias: string }[];
}

/** A team's object, resolved to its Secrets Manager or Parameter Store name. */
export function ascpObject(object: CsiObjectSpec, prefix: string, namespace: string): AscpObject {
    const out: AscpObject =
        object.parameter !== undefined
            ? { objectName: parameterFullName(prefix, namespace, object.parameter), objectType: "ssmparameter" }
            : { objectName: `${prefix}${namespace}/${object.secret as string}`, objectType: "secretsmanager" };
    if (object.objectAlias !== undefined) out.objectAlias = object.objectAlias;
    if (object.jmesPath !== undefined && object.jmesPath.length > 0) {
        out.jmesPath = object.jmesPath.map((j) => ({ path: j.path, objectAlias: j.objectAlias }));
    }
    return out;
}

/**
 * The file name ASCP writes for an object: its alias, else its name with
 * '/' replaced by '_' (default `pathTranslation`; `GetFileName`).
 */
export function ascpFileName(o: { objectName?: string; objectAlias?: string }): string {
    return (o.objectAlias ?? o.objectName ?? "").split("/").join("_");
}

export interface SecretProviderClassManifestArgs {
    name: string;
    namespace: string;
    region: string;
    objects: AscpObject[];
}

/**
 * The team's SecretProviderClass. `objects` is a string holding YAML
 * (ASCP unmarshals it with sigs.k8s.io/yaml); JSON is YAML, and
 * `JSON.stringify` quotes every name and path, so no value is read as
 * anything but a string. `usePodIdentity: "true"`: without it ASCP falls
 * back to IRSA and the role of the service account's annotation.
 */
export function secretProviderClassManifest(args: SecretProviderClassManifestArgs) {
    return {
        apiVersion: SECRET_PROVIDER_CLASS_API_VERSION,
        kind: "SecretProviderClass",
        metadata: { name: args.name, namespace: args.namespace },
        spec: {
            provider: "aws",
            parameters: {
                usePodIdentity: "true",
                region: args.region,
                objects: JSON.stringify(args.objects, null, 2),
            },
        },
    };
}

type Add = (path: string, message: string) => void;

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** A file name in the mount: no '/', not '.' or '..' (ASCP refuses paths with `../`). */
const FILE_NAME = /^[A-Za-z0-9._-]+$/;

function quote(v: unknown): string {
    return "`" + String(v) + "`";
}

function fileNameProblem(alias: string): string | undefined {
    if (!FILE_NAME.test(alias) || alias === "." || alias === "..") {
        return `is ${quote(alias)}: a file name of letters, digits, '.', '-' and '_', not '.' or '..'`;
    }
    return undefined;
}

/** Teams with a `csi` entry. */
export function csiTeams(teams: TeamSpec[] | undefined): TeamSpec[] {
    return (teams ?? []).filter((t) => t.csi !== undefined);
}

/** Problems of the cluster-wide CSI arguments and of every team's `csi`; empty when valid. */
export function validateCsiArgs(args: EksSecretsAbacArgs, add: Add, esoNamespace: string): void {
    const csiNamespace = args.csiNamespace ?? DEFAULT_CSI_NAMESPACE;
    if (args.csiNamespace !== undefined && (args.csiNamespace.length > 63 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(args.csiNamespace))) {
        add("csiNamespace", `is ${quote(args.csiNamespace)}: use lowercase letters, digits and '-' (DNS-1123 label)`);
    } else if (csiNamespace === esoNamespace) {
        add("csiNamespace", `is ${quote(csiNamespace)}, ESO's namespace too: the CSI role refuses ESO's namespace, install the driver elsewhere (the default is kube-system)`);
    }
    // The Pod Identity agent is a DaemonSet on EC2 nodes (podIdentityAgent.ts): ESO on Fargate gets no credentials through it.
    if (args.fargateOnly === true && (args.identity ?? "podIdentity") === "podIdentity") {
        add("fargateOnly", "is true, and identity is podIdentity: EKS Pod Identity does not serve Fargate pods, so ESO's controller would get no credentials; set identity: irsa (with oidcProviderArn)");
    }
    if (!Array.isArray(args.teams)) return;
    const users = args.teams.map((t, i) => [t, i] as const).filter(([t]) => t?.csi !== undefined);
    if (users.length === 0) return;
    const first = `teams[${users[0][1]}].csi`;
    // "AWS Fargate (Fargate) node groups are not supported": docs.aws.amazon.com/eks/latest/userguide/manage-secrets.html,
    // and secretsmanager/latest/userguide/integrate_eks.html ("works with ... an Amazon EC2 node group").
    if (args.fargateOnly === true) {
        add(
            first,
            "is set, and fargateOnly is true: the Secrets Store CSI Driver and ASCP run as DaemonSets, which Fargate does not run, and Pod Identity does not serve Fargate pods; run the team's pods on EC2 nodes (then set fargateOnly: false) or read its secrets through ESO (externalSecrets)",
        );
    }
    if ((args.identity ?? "podIdentity") === "irsa") {
        add(first, "is set, and identity is irsa: the CSI mode mounts with EKS Pod Identity, which this config says the cluster lacks; use identity: podIdentity, or read the team's secrets through ESO");
    }
    args.teams.forEach((team, i) => {
        if (team?.namespace === csiNamespace) {
            add(`teams[${i}].namespace`, `is ${quote(csiNamespace)}, the Secrets Store CSI Driver's namespace (csiNamespace): give the team a namespace of its own`);
        }
    });
    for (const [team, i] of users) validateTeamCsi(team, `teams[${i}].csi`, args.secretNamePrefix ?? "", add);
}

function validateTeamCsi(team: TeamSpec, at: string, prefix: string, add: Add): void {
    const csi = team.csi!;
    const secrets = new Set((team.secrets ?? []).map((s) => s.name));
    const parameters = new Set((team.parameters ?? []).map((p) => p.name));
    const accounts = csi.serviceAccounts;
    if (!Array.isArray(accounts) || accounts.length === 0) {
        add(`${at}.serviceAccounts`, "is empty: name the service accounts of the team's pods that mount secrets, e.g. `[app]`; each gets a Pod Identity association with the CSI role");
    } else {
        const seen = new Set<string>();
        accounts.forEach((sa, k) => {
            if (typeof sa !== "string" || sa.length > 253 || !DNS1123_SUBDOMAIN.test(sa)) {
                add(`${at}.serviceAccounts[${k}]`, `is ${quote(sa)}: a service account name is a DNS-1123 subdomain (lowercase letters, digits, '-' and '.')`);
            } else if (seen.has(sa)) {
                add(`${at}.serviceAccounts[${k}]`, `${quote(sa)} appears twice: one association per service account`);
            }
            seen.add(sa);
        });
    }
    const classNames = new Set<string>();
    (csi.secretProviderClasses ?? []).forEach((spc, k) => {
        const p = `${at}.secretProviderClasses[${k}]`;
        if (typeof spc.name !== "string" || spc.name.length > 253 || !DNS1123_SUBDOMAIN.test(spc.name)) {
            add(`${p}.name`, `is ${quote(spc.name)}: use a DNS-1123 subdomain (lowercase letters, digits, '-' and '.')`);
        } else if (classNames.has(spc.name)) {
            add(`${p}.name`, `${quote(spc.name)} appears twice in the team's secretProviderClasses`);
        }
        classNames.add(spc.name);
        if (!Array.isArray(spc.objects) || spc.objects.length === 0) {
            add(`${p}.objects`, "is empty: list the team's secrets (`- secret: db-password`) or parameters (`- parameter: feature-flags`) to mount");
            return;
        }
        // ASCP refuses a SecretProviderClass in which two objects write the same file.
        const files = new Map<string, string>();
        const claim = (file: string, where: string) => {
            const earlier = files.get(file);
            if (earlier !== undefined) add(where, `writes the file ${quote(file)}, as ${earlier} does: ASCP refuses the mount; give one of them another objectAlias`);
            else files.set(file, where);
        };
        spc.objects.forEach((object, m) => {
            const o = `${p}.objects[${m}]`;
            const hasSecret = object.secret !== undefined;
            const hasParameter = object.parameter !== undefined;
            if (hasSecret === hasParameter) {
                add(o, "give exactly one of `secret` (a team secret's short name) and `parameter` (a team parameter's short name)");
                return;
            }
            if (hasSecret && !secrets.has(object.secret as string)) {
                add(`${o}.secret`, `is ${quote(object.secret)}, which is not one of the team's secrets: a team mounts only its own; add it to the team's secrets or fix the name`);
                return;
            }
            if (hasParameter && !parameters.has(object.parameter as string)) {
                add(`${o}.parameter`, `is ${quote(object.parameter)}, which is not one of the team's parameters: a team mounts only its own; add it to the team's parameters or fix the name`);
                return;
            }
            if (object.objectAlias !== undefined) {
                const why = fileNameProblem(object.objectAlias);
                if (why) add(`${o}.objectAlias`, why);
            }
            claim(ascpFileName(ascpObject(object, prefix, team.namespace)), o);
            (object.jmesPath ?? []).forEach((j, n) => {
                const jp = `${o}.jmesPath[${n}]`;
                if (typeof j.path !== "string" || j.path.length === 0) add(`${jp}.path`, "is missing: give the JMESPath of the key, e.g. `username`");
                if (typeof j.objectAlias !== "string" || j.objectAlias.length === 0) {
                    add(`${jp}.objectAlias`, "is missing: ASCP needs a file name for each jmesPath entry");
                    return;
                }
                const why = fileNameProblem(j.objectAlias);
                if (why) add(`${jp}.objectAlias`, why);
                else claim(j.objectAlias, jp);
            });
        });
    });
}
