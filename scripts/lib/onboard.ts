/**
 * Onboarding a team: one more entry under `eks-secrets-abac:teams` in a
 * stack config file, written with YAML's document API so that comments and
 * layout survive.
 */
import * as YAML from "yaml";
import type { TeamConfig } from "../../components/lib/stackConfig";
import { OFFLINE } from "./offlineCloud";

export const TEAMS_KEY = `${OFFLINE.project}:teams`;

/** The file's text with `team` appended to the teams list (created when missing). */
export function addTeam(text: string, team: TeamConfig): string {
    const doc = YAML.parseDocument(text);
    if (doc.errors.length > 0) throw new Error(`not valid YAML: ${doc.errors[0].message}`);
    if (!doc.has("config")) doc.set("config", doc.createNode({}));
    const config = doc.get("config");
    if (!YAML.isMap(config)) throw new Error("`config` is not a mapping");
    const teams = config.get(TEAMS_KEY);
    if (teams === undefined) {
        config.set(TEAMS_KEY, doc.createNode([team]));
    } else if (YAML.isSeq(teams)) {
        teams.add(doc.createNode(team));
    } else {
        throw new Error(`\`${TEAMS_KEY}\` is not a list`);
    }
    return doc.toString();
}

type Planned = { type: string; name: string; custom: boolean; inputs: unknown };

/** Cloud resources `after` adds to `before`, and those both have with different inputs, as `type name`. */
export function planDiff(before: Planned[], after: Planned[]): { added: string[]; changed: string[] } {
    const key = (r: Planned) => `${r.type} ${r.name}`;
    const old = new Map(before.filter((r) => r.custom).map((r) => [key(r), JSON.stringify(r.inputs)]));
    const now = after.filter((r) => r.custom);
    return {
        added: now.filter((r) => !old.has(key(r))).map(key).sort(),
        changed: now.filter((r) => old.has(key(r)) && old.get(key(r)) !== JSON.stringify(r.inputs)).map(key).sort(),
    };
}
