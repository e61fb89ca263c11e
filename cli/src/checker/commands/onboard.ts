/**
 * Onboarding a team: one more entry in the teams list a stack file holds for
 * its program, under the project's own config namespace (`<name>:teams`, the
 * `name` of its Pulumi.yaml: `new pulumi.Config()` reads that one), or in one
 * cluster's `teams` of `<name>:clusters` (examples/multi-cluster,
 * cross-account). Written with YAML's document API, and with the layout the
 * file already has, so that comments, flow collections (`[trainer]`) and
 * sequence indentation survive.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import type { TeamConfig } from "../../../../components/lib/stackConfig";
import { OFFLINE } from "../model/defaults";

export interface OnboardTarget {
    /** The project's `name` (Pulumi.yaml): the config namespace its program reads. */
    project?: string;
    /** With `<project>:clusters`: the cluster whose teams get the new one. */
    cluster?: string;
}

/** `<project>:teams`. */
export const teamsKey = (project: string = OFFLINE.project) => `${project}:teams`;

/** The `name` of the Pulumi.yaml in `dir` or above it (a stack file beside its project), if any. */
export function projectNameNear(file: string): string | undefined {
    for (let dir = path.dirname(path.resolve(file)); ; dir = path.dirname(dir)) {
        const project = ["Pulumi.yaml", "Pulumi.yml"].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
        if (project !== undefined) {
            const name = YAML.parse(fs.readFileSync(project, "utf8"))?.name;
            return typeof name === "string" ? name : undefined;
        }
        if (dir === path.dirname(dir)) return undefined;
    }
}

/**
 * The options that print `doc` as its source was written: the `yaml`
 * package pads flow collections (`[ a ]`), indents block sequences under
 * their key and folds lines over 80 columns unless told otherwise.
 */
export function layoutOf(doc: YAML.Document, text: string): YAML.ToStringOptions {
    let padded: boolean | undefined;
    YAML.visit(doc, {
        Collection(_key, node) {
            if (padded === undefined && node.flow && node.range && node.items.length > 0) {
                padded = /^[[{]\s/.test(text.slice(node.range[0], node.range[1]));
            }
        },
    });
    // A block sequence under a key: indented (`key:\n  - a`) or not (`key:\n- a`).
    const lines = text.split("\n");
    let indentSeq: boolean | undefined;
    for (let i = 0; i + 1 < lines.length && indentSeq === undefined; i++) {
        const key = /^(\s*)[^\s#-][^#]*:\s*(#.*)?$/.exec(lines[i]);
        const item = /^(\s*)- /.exec(lines[i + 1]);
        if (key && item) indentSeq = item[1].length > key[1].length;
    }
    return { flowCollectionPadding: padded ?? true, indentSeq: indentSeq ?? true, lineWidth: 0 };
}

/** Where the new team goes: the seq, or the path to create. */
function teamsList(config: YAML.YAMLMap, target: OnboardTarget): { seq?: YAML.YAMLSeq; create?: (node: YAML.Node) => void; where: string } {
    const project = target.project ?? OFFLINE.project;
    const key = teamsKey(project);
    const clustersKey = `${project}:clusters`;
    const clusters = config.get(clustersKey);
    // A list of clusters that carry teams (examples/multi-cluster); a list of names (org-guardrails) is not one.
    const ofTeams = YAML.isSeq(clusters) && clusters.items.some((c) => YAML.isMap(c) && c.has("teams"));
    if (ofTeams && config.get(key) === undefined) {
        const named = clusters.items.filter(YAML.isMap).map((c) => ({ name: String(c.get("name")), node: c }));
        const chosen = target.cluster !== undefined ? named.find((c) => c.name === target.cluster) : named.length === 1 ? named[0] : undefined;
        if (chosen === undefined) {
            const names = named.map((c) => c.name).join(", ");
            throw new Error(
                target.cluster !== undefined
                    ? `\`${clustersKey}\` has no cluster named ${target.cluster}: it has ${names}`
                    : `\`${clustersKey}\` lists ${named.length} clusters (${names}): choose the team's with --cluster <name>`,
            );
        }
        const teams = chosen.node.get("teams");
        const where = `${clustersKey}[name=${chosen.name}].teams`;
        if (teams === undefined) return { where, create: (node) => chosen.node.set("teams", node) };
        if (!YAML.isSeq(teams)) throw new Error(`\`${where}\` is not a list`);
        return { seq: teams, where };
    }
    if (target.cluster !== undefined) throw new Error(`--cluster ${target.cluster}: the stack file has no \`${clustersKey}\` list of clusters with teams; its teams are \`${key}\``);
    const teams = config.get(key);
    if (teams === undefined) return { where: key, create: (node) => config.set(key, node) };
    if (!YAML.isSeq(teams)) throw new Error(`\`${key}\` is not a list`);
    return { seq: teams, where: key };
}

/** The file's text with `team` appended to the project's teams list (created when missing), and where it went. */
export function addTeamAt(text: string, team: TeamConfig, target: OnboardTarget = {}): { text: string; where: string } {
    const doc = YAML.parseDocument(text);
    if (doc.errors.length > 0) throw new Error(`not valid YAML: ${doc.errors[0].message}`);
    const layout = layoutOf(doc, text);
    if (!doc.has("config")) doc.set("config", doc.createNode({}));
    const config = doc.get("config");
    if (!YAML.isMap(config)) throw new Error("`config` is not a mapping");
    const list = teamsList(config, target);
    const block = list.seq !== undefined && !list.seq.flow && list.seq.items.length > 0 && list.seq.range ? list.seq.range : undefined;
    if (block !== undefined) {
        // Appended as text after the list's last item: every byte before and after stays
        // as written, whatever mix of layouts the file has (`[trainer]` beside `{ name: x }`).
        const at = block[1];
        const indent = " ".repeat(block[0] - (text.lastIndexOf("\n", block[0] - 1) + 1));
        const item = YAML.stringify([team], layout).trimEnd().split("\n").map((l) => indent + l).join("\n");
        return { text: `${text.slice(0, at)}${text[at - 1] === "\n" ? "" : "\n"}${item}\n${text.slice(at)}`, where: list.where };
    }
    if (list.seq !== undefined) list.seq.add(doc.createNode(team));
    else list.create!(doc.createNode([team]));
    return { text: doc.toString(layout), where: list.where };
}

/** The file's text with `team` appended to the project's teams list (created when missing). */
export function addTeam(text: string, team: TeamConfig, target: OnboardTarget = {}): string {
    return addTeamAt(text, team, target).text;
}

/** The reason a team that adds no cloud resource is refused: the program does not read the list it went into. */
export function addsNothing(where: string, file: string, project: string | undefined): string {
    return (
        `the team was written to \`${where}\` in ${file}, and the program declares nothing more with it (0 resources): ` +
        `the program does not read that key${project !== undefined ? ` (its Pulumi.yaml names the project ${project}, so \`new pulumi.Config()\` reads \`${project}:<key>\`)` : ""}. ` +
        "Read the teams with loadStackConfig(new pulumi.Config()) (or config.requireObject(\"teams\")), or add the team where the program reads it. Nothing was written."
    );
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
