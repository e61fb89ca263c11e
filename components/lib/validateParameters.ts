/**
 * Validation of team parameters and of the secrets-account arguments,
 * collected with the other problems of `validateArgs`.
 *
 * Parameter name rules (letters, digits, `_.-/`; at most 15 levels; no
 * `aws`/`ssm` prefix; 1,011 characters):
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-su-create.html
 */
import { DEFAULT_STORE_NAME } from "./constants";
import { DEFAULT_PARAMETER_STORE_NAME, parameterFullName } from "./parameterStore";
import type { EksSecretsAbacArgs, TeamSpec } from "./types";

type Add = (path: string, message: string) => void;

const PARAMETER_NAME = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;
const FULL_PARAMETER_NAME = /^(\/[A-Za-z0-9_.-]+)+$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key\/[A-Za-z0-9-]+$/;
const MAX_LEVELS = 15;
const MAX_NAME_LENGTH = 1011;

function quote(v: unknown): string {
    return "`" + String(v) + "`";
}

/** The arguments that place secrets and parameters: store name, secrets account, default key. */
export function validateParameterArgs(args: EksSecretsAbacArgs, add: Add): void {
    const name = args.parameterStoreName;
    if (name !== undefined) {
        if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
            add("parameterStoreName", `is ${quote(name)}: use a DNS-1123 subdomain (lowercase letters, digits, '-' and '.')`);
        } else if (name === (args.storeName ?? DEFAULT_STORE_NAME)) {
            add("parameterStoreName", `is ${quote(name)}, the name of the Secrets Manager store too: give the two stores different names`);
        }
    } else if ((args.storeName ?? DEFAULT_STORE_NAME) === DEFAULT_PARAMETER_STORE_NAME) {
        add("storeName", `is ${quote(DEFAULT_PARAMETER_STORE_NAME)}, the default Parameter Store store's name: pick another, or set parameterStoreName`);
    }
    if (typeof args.secretsKmsKeyId === "string" && !KMS_KEY_ARN.test(args.secretsKmsKeyId)) {
        add("secretsKmsKeyId", `is ${quote(args.secretsKmsKeyId)}: give the key's ARN (arn:aws:kms:<region>:<account>:key/<id>), which works from another account; an alias or bare ID does not`);
    }
}

/** Problems of a team's parameters; returns their short names for the ExternalSecret checks. */
export function validateTeamParameters(team: TeamSpec, at: string, prefix: string, add: Add): Set<string> {
    const names = new Set<string>();
    (team.parameters ?? []).forEach((parameter, j) => {
        const path = `${at}.parameters[${j}].name`;
        const name = parameter.name;
        if (typeof name !== "string" || name.length === 0) {
            add(path, "is missing: give the parameter a name, e.g. `db-url`");
            return;
        }
        const full = parameterFullName(prefix, team.namespace, name);
        if (!PARAMETER_NAME.test(name)) {
            add(path, `is ${quote(name)}: Parameter Store names allow letters, digits, '_', '.', '-' and '/' between them`);
        } else if (!FULL_PARAMETER_NAME.test(full)) {
            add(path, `makes the parameter name ${quote(full)}, which Parameter Store refuses: secretNamePrefix may use letters, digits, '_', '.', '-' and '/' only when teams have parameters`);
        } else if (full.split("/").length - 1 > MAX_LEVELS) {
            add(path, `makes ${quote(full)} ${full.split("/").length - 1} levels deep; Parameter Store allows ${MAX_LEVELS}`);
        } else if (full.length > MAX_NAME_LENGTH) {
            add(path, `makes the parameter name ${full.length} characters long; the limit is ${MAX_NAME_LENGTH}`);
        } else if (/^\/?(aws|ssm)/i.test(full)) {
            add(path, `makes ${quote(full)}, which starts with 'aws' or 'ssm', prefixes Parameter Store reserves: set secretNamePrefix or rename the team's namespace`);
        }
        if (names.has(name)) {
            add(path, `${quote(name)} appears twice in ${at}.parameters: names are unique within a team`);
        }
        names.add(name);
    });
    return names;
}
