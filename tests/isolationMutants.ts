/**
 * Mutation testing of the isolation checker. Every mutant of the shared
 * role's rendered permission policy (tests/policyMutants.ts: each condition
 * dropped, each operator in its IfExists, Like, IgnoreCase, Not and set
 * forms, each variable and key replaced by another principal or resource
 * tag, extra Allow statements with wildcards, Deny fences with and without
 * guards) is judged twice: the truth, by the IAM engine on attacker pairs
 * built here from the request model of the Service Authorization Reference
 * (never by the checker's code), and the checker's verdict, by the proof
 * and the full matrix at three teams and by the proof at 2,000 teams. They
 * must agree on every mutant; a mutant the checker calls isolated while the
 * truth finds a read is a survivor and fails the suite.
 *
 * The shipped Deny statements (tagDeny.ts) are mutated too, each dropped or
 * weakened, and judged with a resource-policy grant in the truth's probes
 * (the object shared with the organisation: `Principal: "*"` with
 * `aws:PrincipalOrgID`), which only the Deny stops; the Allow-side mutants
 * are generated from the Allow statements alone and judged without a grant.
 *
 * The same mutants are generated from the CSI role's document
 * (csiPermissionPolicy) and judged against per-pod sessions: the truth's
 * session then carries Pod Identity's six tags (kubernetes-namespace = the
 * pod's namespace; docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html)
 * and no ESO tag, and the checker decides `sessionKind: "pod"` specs.
 */
import * as assert from "assert";
import { csiPermissionPolicy } from "../components/lib/csiIam";
import { abacPermissionPolicy, PolicyDocument } from "../components/lib/iam";
import type { MatrixSpec } from "../cli/src/checker";
import { decide } from "../cli/src/checker";
import { proveIsolation, rowsFromProof } from "../cli/src/checker";
import { runMatrix } from "../cli/src/checker";
import { OFFLINE } from "./helpers";
import { conditionMutants, denyFenceMutants, denyWeakenedMutants, extraAllowMutants, Mutant } from "./policyMutants";

const { accountId, partition, region } = OFFLINE;
const ORG = "o-a1b2c3d4e5";

/**
 * The attacker's resource policy in the truth's probes: the object shared
 * with the organisation (`Principal: "*"` with `aws:PrincipalOrgID`, a common
 * way to share), which in the same account grants by itself (IAM User Guide,
 * "Policy evaluation logic"). Written here, not taken from the checker.
 */
const sharedWithOrganisation = (resource: string): PolicyDocument => ({
    Version: "2012-10-17",
    Statement: [{ Sid: "ShareWithOrg", Effect: "Allow", Principal: "*", Action: ["secretsmanager:GetSecretValue", "ssm:GetParameter", "ssm:GetParameters", "ssm:GetParameterHistory"], Resource: resource, Condition: { StringEquals: { "aws:PrincipalOrgID": ORG } } }],
});
/** The Allow statements alone: the document before the Deny statements, whose Allow side the condition mutants probe. */
const allowOnly = (doc: PolicyDocument): PolicyDocument => ({ ...doc, Statement: doc.Statement.filter((st) => st.Effect === "Allow") });

/** Whose sessions a role has, and the documents it is rendered with: the truth's side of a role. */
interface RoleModel {
    words: string;
    role: string;
    /** The session tag the role's policy keys the reader's namespace on. */
    sessionNamespace: string;
    sessionContext(namespace: string | undefined, cluster: string | undefined): Record<string, string>;
    rendered: PolicyDocument;
    withParameters: PolicyDocument;
    specExtra: Partial<MatrixSpec>;
    /** Moves only this role's sessions can make. */
    attacks: Pair[];
    /** The reader's own call for a parameter: ESO's GetParameter (parameterstore.go getParameterValue), ASCP's GetParameters (parameter_store_provider.go fetchParameterStoreBatch). */
    parameterRead: string;
}

/** The shared role's session as ESO and Pod Identity tag it; `undefined` leaves a tag out. */
function esoSessionContext(namespace: string | undefined, cluster: string | undefined): Record<string, string> {
    const c: Record<string, string> = {
        "aws:PrincipalArn": `arn:${partition}:iam::${accountId}:role/prod-eu-shared-abac-role`,
        "aws:PrincipalAccount": accountId,
        "aws:PrincipalOrgID": ORG,
        "aws:PrincipalTag/eks-cluster-arn": `arn:${partition}:eks:${region}:${accountId}:cluster/${cluster ?? "prod-eu"}`,
        "aws:PrincipalTag/kubernetes-namespace": "external-secrets",
        "aws:PrincipalTag/kubernetes-service-account": "external-secrets",
        "aws:PrincipalTag/kubernetes-pod-name": "external-secrets-7d9f8c6b5-x2x4z",
        "aws:PrincipalTag/kubernetes-pod-uid": "0b5c7a7e-5c1e-4f5e-9a53-8c1f0d9e2b11",
        "aws:PrincipalTag/esoStoreName": "team-secrets",
        "aws:PrincipalTag/esoStoreKind": "ClusterSecretStore",
    };
    if (namespace !== undefined) c["aws:PrincipalTag/esoNamespace"] = namespace;
    if (cluster !== undefined) c["aws:PrincipalTag/eks-cluster-name"] = cluster;
    return c;
}

/** A pod's own session of the CSI role, as Pod Identity tags it: the pod's namespace, its service account `app`, no ESO tag. */
function podSessionContext(namespace: string | undefined, cluster: string | undefined): Record<string, string> {
    const c: Record<string, string> = {
        "aws:PrincipalArn": `arn:${partition}:iam::${accountId}:role/prod-eu-csi-role`,
        "aws:PrincipalAccount": accountId,
        "aws:PrincipalOrgID": ORG,
        "aws:PrincipalTag/eks-cluster-arn": `arn:${partition}:eks:${region}:${accountId}:cluster/${cluster ?? "prod-eu"}`,
        "aws:PrincipalTag/kubernetes-service-account": "app",
        "aws:PrincipalTag/kubernetes-pod-name": "app-6f9c8d7b5-q2w3e",
        "aws:PrincipalTag/kubernetes-pod-uid": "5d1c7a2e-3b4f-4c8e-9a10-2f6e8b7c9d01",
    };
    if (namespace !== undefined) c["aws:PrincipalTag/kubernetes-namespace"] = namespace;
    if (cluster !== undefined) c["aws:PrincipalTag/eks-cluster-name"] = cluster;
    return c;
}

/** A secret's tags as a GetSecretValue request carries them: `secretsmanager:ResourceTag/` and `aws:ResourceTag/`. */
function secretTags(namespace: string | undefined, cluster: string | undefined): Record<string, string> {
    const c: Record<string, string> = {};
    for (const prefix of ["secretsmanager:ResourceTag/", "aws:ResourceTag/"]) {
        if (namespace !== undefined) c[`${prefix}kubernetes-namespace`] = namespace;
        if (cluster !== undefined) c[`${prefix}eks-cluster-name`] = cluster;
    }
    return c;
}

interface Pair {
    words: string;
    session: [string | undefined, string | undefined];
    secret: { name: string; tags: [string | undefined, string | undefined] };
}

const OWN: Pair[] = [
    { words: "payments on prod-eu reads its own secret", session: ["payments", "prod-eu"], secret: { name: "payments/db", tags: ["payments", "prod-eu"] } },
    { words: "pay on prod-us reads its own secret", session: ["pay", "prod-us"], secret: { name: "pay/db", tags: ["pay", "prod-us"] } },
];
const ATTACKS: Pair[] = [
    { words: "another namespace (search reads payments)", session: ["search", "prod-eu"], secret: { name: "payments/db", tags: ["payments", "prod-eu"] } },
    { words: "another cluster (payments on prod-us reads prod-eu's)", session: ["payments", "prod-us"], secret: { name: "payments/db", tags: ["payments", "prod-eu"] } },
    { words: "a namespace that prefixes another (pay reads payments)", session: ["pay", "prod-eu"], secret: { name: "payments/db", tags: ["payments", "prod-eu"] } },
    { words: "a namespace another prefixes (payments reads pay)", session: ["payments", "prod-eu"], secret: { name: "pay/db", tags: ["pay", "prod-eu"] } },
    { words: "an empty session namespace reads a secret with an empty namespace tag", session: ["", "prod-eu"], secret: { name: "payments/db", tags: ["", "prod-eu"] } },
    { words: "an empty session namespace reads payments", session: ["", "prod-eu"], secret: { name: "payments/db", tags: ["payments", "prod-eu"] } },
    { words: "no session namespace reads payments", session: [undefined, "prod-eu"], secret: { name: "payments/db", tags: ["payments", "prod-eu"] } },
    { words: "no session namespace reads a secret without tags", session: [undefined, "prod-eu"], secret: { name: "payments/db", tags: [undefined, undefined] } },
    { words: "no cluster tag on the session reads payments", session: ["payments", undefined], secret: { name: "payments/db", tags: ["payments", "prod-eu"] } },
    { words: "payments reads a secret without tags", session: ["payments", "prod-eu"], secret: { name: "payments/db", tags: [undefined, undefined] } },
    { words: "payments reads a secret with only its namespace tag", session: ["payments", "prod-eu"], secret: { name: "payments/db", tags: ["payments", undefined] } },
    { words: "payments reads a secret with only its cluster tag", session: ["payments", "prod-eu"], secret: { name: "payments/db", tags: [undefined, "prod-eu"] } },
    { words: "payments reads a secret with an empty namespace tag", session: ["payments", "prod-eu"], secret: { name: "payments/db", tags: ["", "prod-eu"] } },
    { words: "payments reads a secret tagged with ESO's namespace", session: ["payments", "prod-eu"], secret: { name: "payments/db", tags: ["external-secrets", "prod-eu"] } },
    { words: "payments reads a secret tagged PAYMENTS", session: ["payments", "prod-eu"], secret: { name: "payments/db", tags: ["PAYMENTS", "prod-eu"] } },
    { words: "payments reads its namespace's secret of cluster PROD-EU (EKS names are case-sensitive)", session: ["payments", "prod-eu"], secret: { name: "payments/db", tags: ["payments", "PROD-EU"] } },
    // Tags a team can put on a secret of its own making, to meet a condition that compares the wrong tags.
    { words: "payments reads a secret whose namespace tag is the session's cluster", session: ["payments", "prod-eu"], secret: { name: "payments/db", tags: ["prod-eu", "prod-eu"] } },
    { words: "payments reads a secret whose cluster tag is the session's namespace", session: ["payments", "prod-eu"], secret: { name: "payments/db", tags: ["payments", "payments"] } },
    { words: "payments reads a secret whose cluster tag is ESO's namespace", session: ["payments", "prod-eu"], secret: { name: "payments/db", tags: ["payments", "external-secrets"] } },
];
const ESO_ATTACKS: Pair[] = [
    { words: "payments reads a secret whose namespace tag is the store's name", session: ["payments", "prod-eu"], secret: { name: "payments/db", tags: ["team-secrets", "prod-eu"] } },
    { words: "payments reads a secret whose cluster tag is the store's name", session: ["payments", "prod-eu"], secret: { name: "payments/db", tags: ["payments", "team-secrets"] } },
];
const POD_ATTACKS: Pair[] = [
    { words: "payments reads a secret whose namespace tag is its service account's name", session: ["payments", "prod-eu"], secret: { name: "payments/db", tags: ["app", "prod-eu"] } },
    { words: "payments reads a secret whose cluster tag is its service account's name", session: ["payments", "prod-eu"], secret: { name: "payments/db", tags: ["payments", "app"] } },
];

const MODELS: RoleModel[] = [
    {
        words: "the ESO shared role (ESO's chained sessions, esoNamespace)",
        role: "prod-eu-shared-abac-role",
        sessionNamespace: "esoNamespace",
        sessionContext: esoSessionContext,
        rendered: abacPermissionPolicy(OFFLINE),
        withParameters: abacPermissionPolicy({ ...OFFLINE, parameters: true }),
        specExtra: {},
        attacks: ESO_ATTACKS,
        parameterRead: "ssm:GetParameter",
    },
    {
        words: "the CSI role (per-pod sessions, kubernetes-namespace)",
        role: "prod-eu-csi-role",
        sessionNamespace: "kubernetes-namespace",
        sessionContext: podSessionContext,
        rendered: csiPermissionPolicy(OFFLINE),
        withParameters: csiPermissionPolicy({ ...OFFLINE, parameters: true }),
        // The checker's pods keep its default service account (not the truth's `app`): its probes of a namespace or cluster named like the pod's service account must find such leaks whatever the name.
        specExtra: { sessionKind: "pod" },
        attacks: POD_ATTACKS,
        parameterRead: "ssm:GetParameters",
    },
];

/** A parameter's tags as a GetParameter request carries them: `aws:ResourceTag/` and `ssm:resourceTag/`. */
function parameterTags(namespace: string | undefined, cluster: string | undefined): Record<string, string> {
    const c: Record<string, string> = {};
    for (const prefix of ["aws:ResourceTag/", "ssm:resourceTag/"]) {
        if (namespace !== undefined) c[`${prefix}kubernetes-namespace`] = namespace;
        if (cluster !== undefined) c[`${prefix}eks-cluster-name`] = cluster;
    }
    return c;
}

const request = (model: RoleModel, doc: PolicyDocument, pair: Pair, action: string, resource: string, tags: Record<string, string>, shared = false) =>
    decide({
        principal: `arn:${partition}:sts::${accountId}:assumed-role/${model.role}/session`,
        action,
        resource,
        resourceAccount: accountId,
        context: { ...model.sessionContext(...pair.session), ...tags },
        identityPolicies: [doc],
        ...(shared ? { resourcePolicy: sharedWithOrganisation(resource) } : {}),
    }) === "Allowed";

/** Can the session get the value? For a secret GetSecretValue; for a parameter any call that returns it. `shared`: the object is shared with the organisation. */
const readAllowed = (model: RoleModel, doc: PolicyDocument, pair: Pair, kind: "secret" | "parameter", shared = false) =>
    kind === "secret"
        ? request(model, doc, pair, "secretsmanager:GetSecretValue", `arn:${partition}:secretsmanager:${region}:${accountId}:secret:${pair.secret.name}-AbCdEf`, secretTags(...pair.secret.tags), shared)
        : ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParameterHistory"].some((action) =>
              request(model, doc, pair, action, `arn:${partition}:ssm:${region}:${accountId}:parameter/${pair.secret.name}`, parameterTags(...pair.secret.tags), shared),
          );
/** The reader's own read of a parameter must be allowed: the call its reader makes (`parameterRead`). */
const ownReadAllowed = (model: RoleModel, doc: PolicyDocument, pair: Pair, kind: "secret" | "parameter") =>
    kind === "secret" ? readAllowed(model, doc, pair, kind) : request(model, doc, pair, model.parameterRead, `arn:${partition}:ssm:${region}:${accountId}:parameter/${pair.secret.name}`, parameterTags(...pair.secret.tags));

/** The truth of a mutant: which attacker pairs read a value (with `grants`, also when the object is shared with the organisation), which own pairs cannot. */
function truthOf(model: RoleModel, doc: PolicyDocument, kinds: ("secret" | "parameter")[] = ["secret"], grants = true) {
    const leaks = kinds.flatMap((kind) =>
        [...ATTACKS, ...model.attacks].flatMap((p) => [
            ...(readAllowed(model, doc, p, kind) ? [`${kind}: ${p.words}`] : []),
            ...(grants && readAllowed(model, doc, p, kind, true) ? [`${kind}: ${p.words}, shared with the organisation`] : []),
        ]),
    );
    const ownDenied = kinds.flatMap((kind) => OWN.filter((p) => !ownReadAllowed(model, doc, p, kind)).map((p) => `${kind}: ${p.words}`));
    return { leaks, ownDenied, isolated: leaks.length === 0 && ownDenied.length === 0 };
}

const NAMESPACES = ["pay", "payments", "search"];
const spec = (model: RoleModel, doc: PolicyDocument, namespaces = NAMESPACES, parameters = false, grants = true): MatrixSpec => ({
    ...model.specExtra,
    ...(grants ? {} : { resourcePolicyGrants: false }),
    accountId,
    partition,
    region,
    abacRoleName: model.role,
    permissionPolicy: doc,
    clusters: ["prod-eu", "prod-us"],
    namespaces,
    secrets: namespaces.map((ns) => ({ name: `${ns}/db`, namespace: ns })),
    ...(parameters ? { parameters: namespaces.map((ns) => ({ name: `/${ns}/db`, namespace: ns })) } : {}),
});
const AT_SCALE = [...NAMESPACES, ...Array.from({ length: 1997 }, (_, i) => `team-${i}`)];
/** Every this-many-th mutant is also judged by the proof at 2,000 teams. */
const SCALE_SAMPLE = 8;

/** A sample of mutants of the parameter statement (every family but the Deny fences, which the secrets cover). */
function parameterMutants(model: RoleModel): Mutant[] {
    const withParameters = allowOnly(model.withParameters);
    const index = withParameters.Statement.findIndex((s) => [s.Action].flat().includes("ssm:GetParameter"));
    const all = conditionMutants(withParameters).filter((m) => m.name.startsWith(`Statement[${index}]`));
    const otherTag = model.sessionNamespace === "esoNamespace" ? "kubernetes-namespace" : "esoNamespace";
    const wanted = [
        /every condition dropped/,
        /\["aws:ResourceTag\/kubernetes-namespace"\] dropped/,
        /kubernetes-namespace"\] as StringEqualsIfExists/,
        new RegExp(`kubernetes-namespace"\\] compares with \\$\\{aws:PrincipalTag\\/${otherTag}\\}`),
        new RegExp(`StringLike\\["aws:PrincipalTag\\/${model.sessionNamespace}"\\] dropped`),
    ];
    const sample = wanted.map((re) => all.find((m) => re.test(m.name))!).filter(Boolean);
    const extra = { Sid: "Extra", Effect: "Allow" as const, Action: "ssm:GetParameter*", Resource: `arn:${partition}:ssm:${region}:${accountId}:parameter/*` };
    return [...sample, { name: `extra ${JSON.stringify(extra)}`, doc: { ...withParameters, Statement: [...withParameters.Statement, extra] }, family: "extra-allow" }];
}

/**
 * Mutants of the Allow side, generated from the Allow statements alone and
 * judged without a resource-policy grant (truth and checker alike): with the
 * Deny statements in place most of them would be isolated, and with a grant
 * every Allow-only document leaks, so either way they would probe nothing.
 */
function mutants(model: RoleModel): Mutant[] {
    const allow = allowOnly(model.rendered);
    return [
        ...conditionMutants(allow),
        ...extraAllowMutants(allow, { partition, region, accountId, teamPrefix: "payments" }),
        ...denyFenceMutants(allow, { sessionNamespace: model.sessionNamespace, namespace: "kubernetes-namespace", cluster: "eks-cluster-name" }),
    ];
}

/** The shipped Deny statements dropped or weakened, judged with the organisation's grant in the truth's probes; the parameter ones on the document with parameters. */
function denyMutants(model: RoleModel): { m: Mutant; parameters: boolean }[] {
    return [
        // A parameter's Deny cannot change a secret's decision: those are judged with parameters only.
        ...denyWeakenedMutants(model.rendered)
            .filter((m) => !/Parameters|ssm/.test(m.name))
            .map((m) => ({ m, parameters: false })),
        ...denyWeakenedMutants(model.withParameters)
            .filter((m) => /ssm|Parameters/.test(m.name))
            .map((m) => ({ m: { ...m, name: `with parameters: ${m.name}` }, parameters: true })),
    ];
}

/**
 * The suite of one role model. Each model has its own test file (isolationMutants.test.ts for ESO's shared
 * role, isolationMutantsCsi.test.ts for the CSI role), so that mocha's parallel workers run the two at once.
 */
export function describeMutants(which: "eso" | "csi"): void {
    const model = MODELS[which === "eso" ? 0 : 1];
    describe(`mutation testing of the isolation checker: ${model.words}`, function () {
    // The Deny mutants and the grant probes add about half again; a shared machine has taken 150 s (CSI) to 600 s (ESO).
    this.timeout(900_000);

    it("the truth is the design's on the rendered policy: own pairs read, every attack denied, with and without the organisation's grant", () => {
        assert.deepStrictEqual(truthOf(model, model.rendered), { leaks: [], ownDenied: [], isolated: true });
        assert.deepStrictEqual(truthOf(model, model.withParameters, ["secret", "parameter"]), { leaks: [], ownDenied: [], isolated: true });
    });

    it("the truth can fail: the Allow statements alone leak every attack through the organisation's grant, and none without it", () => {
        const truth = truthOf(model, allowOnly(model.withParameters), ["secret", "parameter"]);
        assert.strictEqual(truth.leaks.length, 2 * (ATTACKS.length + model.attacks.length), truth.leaks.join("\n"));
        assert.ok(truth.leaks.every((l) => l.endsWith("shared with the organisation")));
        assert.deepStrictEqual(truthOf(model, allowOnly(model.withParameters), ["secret", "parameter"], false).isolated, true);
    });

    it("the truth can fail: the other role's document denies this role's own reads", () => {
        const other = MODELS.find((m) => m !== model)!;
        const truth = truthOf(model, other.rendered);
        assert.ok(!truth.isolated && truth.ownDenied.length > 0, JSON.stringify(truth));
    });

    it("generates every family of mutant", () => {
        const families = new Map<string, number>();
        for (const m of mutants(model)) families.set(m.family, (families.get(m.family) ?? 0) + 1);
        for (const { m } of denyMutants(model)) families.set(m.family, (families.get(m.family) ?? 0) + 1);
        assert.deepStrictEqual([...families.keys()].sort(), ["deny-fence", "deny-weakened", "drop", "extra-allow", "key", "operator", "variable"]);
        assert.ok(mutants(model).length >= 70, `${mutants(model).length} mutants`);
        assert.ok(denyMutants(model).length >= 30, `${denyMutants(model).length} Deny mutants`);
    });

    it("the checker agrees with the IAM engine on every mutant: no survivor", async () => {
        const all = mutants(model);
        const problems: string[] = [];
        let killed = 0;
        let equivalent = 0;
        let proven = 0;
        let refused = 0;
        let atScale = 0;
        /** Killed only because the full matrix decides the attacker probes: no pair of the stack and no proof shows the leak. */
        let byProbesOnly = 0;
        const started = Date.now();
        const parameterSample = parameterMutants(model);
        assert.ok(parameterSample.length >= 6, parameterSample.map((m) => m.name).join("\n"));
        const judged = [
            ...all.map((m) => ({ m, parameters: false, grants: false })),
            ...parameterSample.map((m) => ({ m, parameters: true, grants: false })),
            ...denyMutants(model).map((d) => ({ ...d, grants: true })),
        ];
        let denyKilled = 0;
        const killedNames = new Set<string>();
        for (const [i, { m, parameters, grants }] of judged.entries()) {
            const truth = truthOf(model, m.doc, parameters ? ["secret", "parameter"] : ["secret"], grants);
            const run = await runMatrix(spec(model, m.doc, NAMESPACES, parameters, grants), { fullMatrix: true, workers: 0 });
            const checkerLeak = run.crossTeamAllows > 0 || run.probeFailures.length > 0 || run.proof.crossTeamAllows.length > 0;
            const checkerBroken = run.ownDenials > 0 || run.proof.ownDenials.length > 0;
            const why: string[] = [];
            if (run.ok !== truth.isolated) why.push(`checker says ${run.ok ? "isolated" : "not isolated"}, the engine ${truth.isolated ? "isolated" : `not (${[...truth.leaks, ...truth.ownDenied].join("; ")})`}`);
            if (checkerLeak !== truth.leaks.length > 0) why.push(`checker ${checkerLeak ? "finds" : "misses"} a cross-team read; engine: ${truth.leaks.join("; ") || "none"}`);
            if (checkerBroken !== truth.ownDenied.length > 0) why.push(`checker ${checkerBroken ? "finds" : "misses"} an own denial; engine: ${truth.ownDenied.join("; ") || "none"}`);
            if (run.proof.proven && !truth.isolated) why.push("the proof says proven");
            if (run.proof.structure.applicable && !run.proof.proven && truth.isolated) why.push(`the proof disproves an isolated document: ${run.proof.classes.filter((c) => !c.ok).map((c) => c.description).slice(0, 3).join("; ")}`);
            if (run.disagreements.length > 0) why.push(`the proof and the full matrix disagree: ${run.disagreements[0]}`);
            if (i % SCALE_SAMPLE === 0) {
                atScale++;
                const big = spec(model, m.doc, AT_SCALE, parameters, grants);
                const proof = proveIsolation(big);
                if (proof.structure.applicable !== run.proof.structure.applicable || proof.proven !== run.proof.proven) {
                    why.push(`at 2,000 teams the proof is ${proof.structure.applicable ? (proof.proven ? "proven" : "disproven") : "refused"}, at three ${run.proof.structure.applicable ? (run.proof.proven ? "proven" : "disproven") : "refused"}`);
                }
                if (proof.structure.applicable) {
                    const rows = rowsFromProof(big, proof);
                    const cross = rows.reduce((n, r) => n + r.crossTeamAllowed, 0);
                    const own = rows.reduce((n, r) => n + r.ownDenied, 0);
                    if (proof.proven && (cross > 0 || own > 0)) why.push(`proven at 2,000 teams, yet its rows count ${cross} cross-team reads and ${own} own denials`);
                }
            }
            if (!run.proof.structure.applicable && run.crossTeamAllows === 0 && run.ownDenials === 0 && run.probeFailures.length > 0 && truth.leaks.length > 0) {
                byProbesOnly++;
                if (process.env.MUTANTS_VERBOSE) console.log(`      killed by the probes alone: ${m.name}`);
            }
            if (run.proof.proven) proven++;
            if (!run.proof.structure.applicable) refused++;
            if (why.length > 0) problems.push(`${m.name}: ${why.join("; ")}`);
            else if (truth.isolated) {
                equivalent++;
                if (process.env.MUTANTS_VERBOSE) console.log(`      equivalent: ${m.name}`);
            }
            else {
                killed++;
                killedNames.add(m.name);
                if (m.family === "deny-weakened") denyKilled++;
            }
        }
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        const total = judged.length - equivalent;
        console.log(
            `      ${model.role}: mutants: ${judged.length} (${parameterSample.length} of the parameter statement); killed ${killed}/${total} (survivors or disagreements: ${problems.length}); equivalent (isolated by the engine, agreed): ${equivalent}; ` +
                `Deny mutants killed ${denyKilled}/${denyMutants(model).length}; proof proven ${proven}, refused ${refused}; killed by the attacker probes alone ${byProbesOnly}; ${atScale} judged at 2,000 teams; ${seconds} s`,
        );
        assert.deepStrictEqual(problems, []);
        assert.strictEqual(killed, total);
        // Dropping a fence or a Null guard opens a read through the grant: each such mutant must be killed, not equivalent.
        // (IfExists and ForAllValues forms of a negated operator are equivalent: it already matches a missing key.)
        const mustKill = denyMutants(model).filter(({ m }) => /(OtherNamespaces|OtherClusters|WithoutNamespaceTag|WithoutClusterTag)\): dropped$/.test(m.name));
        // The four of the secrets, and the two parameter fences judged with parameters (the Null guards cover both kinds and are judged once).
        assert.strictEqual(mustKill.length, 6, mustKill.map(({ m }) => m.name).join("\n"));
        assert.deepStrictEqual(mustKill.filter(({ m }) => !killedNames.has(m.name)).map(({ m }) => m.name), []);
        assert.ok(byProbesOnly > 0, "some mutant is caught only by the probes: without them the full matrix would let it survive");
    });
});
}
