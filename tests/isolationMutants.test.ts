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
 */
import * as assert from "assert";
import { abacPermissionPolicy, PolicyDocument } from "../components/lib/iam";
import type { MatrixSpec } from "../scripts/lib/accessMatrix";
import { decide } from "../scripts/lib/iamEvaluator";
import { proveIsolation, rowsFromProof } from "../scripts/lib/isolationProof";
import { runMatrix } from "../scripts/lib/matrixRun";
import { OFFLINE } from "./helpers";
import { conditionMutants, denyFenceMutants, extraAllowMutants, Mutant } from "./policyMutants";

const { accountId, partition, region } = OFFLINE;
const ROLE = "prod-eu-shared-abac-role";
const rendered = abacPermissionPolicy(OFFLINE);

/** The shared role's session as ESO and Pod Identity tag it; `undefined` leaves a tag out. */
function sessionContext(namespace: string | undefined, cluster: string | undefined): Record<string, string> {
    const c: Record<string, string> = {
        "aws:PrincipalArn": `arn:${partition}:iam::${accountId}:role/${ROLE}`,
        "aws:PrincipalAccount": accountId,
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
    { words: "empty esoNamespace reads a secret with an empty namespace tag", session: ["", "prod-eu"], secret: { name: "payments/db", tags: ["", "prod-eu"] } },
    { words: "empty esoNamespace reads payments", session: ["", "prod-eu"], secret: { name: "payments/db", tags: ["payments", "prod-eu"] } },
    { words: "no esoNamespace reads payments", session: [undefined, "prod-eu"], secret: { name: "payments/db", tags: ["payments", "prod-eu"] } },
    { words: "no esoNamespace reads a secret without tags", session: [undefined, "prod-eu"], secret: { name: "payments/db", tags: [undefined, undefined] } },
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
    { words: "payments reads a secret whose namespace tag is the store's name", session: ["payments", "prod-eu"], secret: { name: "payments/db", tags: ["team-secrets", "prod-eu"] } },
    { words: "payments reads a secret whose cluster tag is the store's name", session: ["payments", "prod-eu"], secret: { name: "payments/db", tags: ["payments", "team-secrets"] } },
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

const request = (doc: PolicyDocument, pair: Pair, action: string, resource: string, tags: Record<string, string>) =>
    decide({
        principal: `arn:${partition}:sts::${accountId}:assumed-role/${ROLE}/external-secrets`,
        action,
        resource,
        resourceAccount: accountId,
        context: { ...sessionContext(...pair.session), ...tags },
        identityPolicies: [doc],
    }) === "Allowed";

/** Can the session get the value? For a secret GetSecretValue; for a parameter any call that returns it. */
const readAllowed = (doc: PolicyDocument, pair: Pair, kind: "secret" | "parameter") =>
    kind === "secret"
        ? request(doc, pair, "secretsmanager:GetSecretValue", `arn:${partition}:secretsmanager:${region}:${accountId}:secret:${pair.secret.name}-AbCdEf`, secretTags(...pair.secret.tags))
        : ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParameterHistory"].some((action) =>
              request(doc, pair, action, `arn:${partition}:ssm:${region}:${accountId}:parameter/${pair.secret.name}`, parameterTags(...pair.secret.tags)),
          );
/** ESO's own read of a parameter (parameterstore.go getParameterValue): GetParameter. */
const ownReadAllowed = (doc: PolicyDocument, pair: Pair, kind: "secret" | "parameter") =>
    kind === "secret" ? readAllowed(doc, pair, kind) : request(doc, pair, "ssm:GetParameter", `arn:${partition}:ssm:${region}:${accountId}:parameter/${pair.secret.name}`, parameterTags(...pair.secret.tags));

/** The truth of a mutant: which attacker pairs read a value, which own pairs cannot. */
function truthOf(doc: PolicyDocument, kinds: ("secret" | "parameter")[] = ["secret"]) {
    const leaks = kinds.flatMap((kind) => ATTACKS.filter((p) => readAllowed(doc, p, kind)).map((p) => `${kind}: ${p.words}`));
    const ownDenied = kinds.flatMap((kind) => OWN.filter((p) => !ownReadAllowed(doc, p, kind)).map((p) => `${kind}: ${p.words}`));
    return { leaks, ownDenied, isolated: leaks.length === 0 && ownDenied.length === 0 };
}

const NAMESPACES = ["pay", "payments", "search"];
const spec = (doc: PolicyDocument, namespaces = NAMESPACES, parameters = false): MatrixSpec => ({
    accountId,
    partition,
    region,
    abacRoleName: ROLE,
    permissionPolicy: doc,
    clusters: ["prod-eu", "prod-us"],
    namespaces,
    secrets: namespaces.map((ns) => ({ name: `${ns}/db`, namespace: ns })),
    ...(parameters ? { parameters: namespaces.map((ns) => ({ name: `/${ns}/db`, namespace: ns })) } : {}),
});
const AT_SCALE = [...NAMESPACES, ...Array.from({ length: 1997 }, (_, i) => `team-${i}`)];
/** Every this-many-th mutant is also judged by the proof at 2,000 teams. */
const SCALE_SAMPLE = 8;

/** The rendered policy of a stack with parameters: the secrets statement and the parameters statement. */
const withParameters = abacPermissionPolicy({ ...OFFLINE, parameters: true });

/** A sample of mutants of the parameter statement (every family but the Deny fences, which the secrets cover). */
function parameterMutants(): Mutant[] {
    const index = withParameters.Statement.findIndex((s) => [s.Action].flat().includes("ssm:GetParameter"));
    const all = conditionMutants(withParameters).filter((m) => m.name.startsWith(`Statement[${index}]`));
    const wanted = [/every condition dropped/, /\["aws:ResourceTag\/kubernetes-namespace"\] dropped/, /kubernetes-namespace"\] as StringEqualsIfExists/, /kubernetes-namespace"\] compares with \$\{aws:PrincipalTag\/kubernetes-namespace\}/, /\?\*|StringLike\["aws:PrincipalTag\/esoNamespace"\] dropped/];
    const sample = wanted.map((re) => all.find((m) => re.test(m.name))!).filter(Boolean);
    const extra = { Sid: "Extra", Effect: "Allow" as const, Action: "ssm:GetParameter*", Resource: `arn:${partition}:ssm:${region}:${accountId}:parameter/*` };
    return [...sample, { name: `extra ${JSON.stringify(extra)}`, doc: { ...withParameters, Statement: [...withParameters.Statement, extra] }, family: "extra-allow" }];
}

function mutants(): Mutant[] {
    return [
        ...conditionMutants(rendered),
        ...extraAllowMutants(rendered, { partition, region, accountId, teamPrefix: "payments" }),
        ...denyFenceMutants(rendered, { sessionNamespace: "esoNamespace", namespace: "kubernetes-namespace", cluster: "eks-cluster-name" }),
    ];
}

describe("mutation testing of the isolation checker", function () {
    this.timeout(120_000);

    it("the truth is the design's on the rendered policy: own pairs read, every attack denied", () => {
        assert.deepStrictEqual(truthOf(rendered), { leaks: [], ownDenied: [], isolated: true });
        assert.deepStrictEqual(truthOf(withParameters, ["secret", "parameter"]), { leaks: [], ownDenied: [], isolated: true });
    });

    it("generates every family of mutant", () => {
        const families = new Map<string, number>();
        for (const m of mutants()) families.set(m.family, (families.get(m.family) ?? 0) + 1);
        assert.deepStrictEqual([...families.keys()].sort(), ["deny-fence", "drop", "extra-allow", "key", "operator", "variable"]);
        assert.ok(mutants().length >= 70, `${mutants().length} mutants`);
    });

    it("the checker agrees with the IAM engine on every mutant: no survivor", async () => {
        const all = mutants();
        const problems: string[] = [];
        let killed = 0;
        let equivalent = 0;
        let proven = 0;
        let refused = 0;
        let atScale = 0;
        /** Killed only because the full matrix decides the attacker probes: no pair of the stack and no proof shows the leak. */
        let byProbesOnly = 0;
        const started = Date.now();
        const parameterSample = parameterMutants();
        assert.ok(parameterSample.length >= 6, parameterSample.map((m) => m.name).join("\n"));
        const judged = [...all.map((m) => ({ m, parameters: false })), ...parameterSample.map((m) => ({ m, parameters: true }))];
        for (const [i, { m, parameters }] of judged.entries()) {
            const truth = truthOf(m.doc, parameters ? ["secret", "parameter"] : ["secret"]);
            const run = await runMatrix(spec(m.doc, NAMESPACES, parameters), { fullMatrix: true, workers: 0 });
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
                const big = spec(m.doc, AT_SCALE, parameters);
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
            if (!run.proof.structure.applicable && run.crossTeamAllows === 0 && run.ownDenials === 0 && run.probeFailures.length > 0 && truth.leaks.length > 0) byProbesOnly++;
            if (run.proof.proven) proven++;
            if (!run.proof.structure.applicable) refused++;
            if (why.length > 0) problems.push(`${m.name}: ${why.join("; ")}`);
            else if (truth.isolated) {
                equivalent++;
                if (process.env.MUTANTS_VERBOSE) console.log(`      equivalent: ${m.name}`);
            }
            else killed++;
        }
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        const total = judged.length - equivalent;
        console.log(
            `      mutants: ${judged.length} (${parameterSample.length} of the parameter statement); killed ${killed}/${total} (survivors or disagreements: ${problems.length}); equivalent (isolated by the engine, agreed): ${equivalent}; ` +
                `proof proven ${proven}, refused ${refused}; killed by the attacker probes alone ${byProbesOnly}; ${atScale} judged at 2,000 teams; ${seconds} s`,
        );
        assert.deepStrictEqual(problems, []);
        assert.strictEqual(killed, total);
        assert.ok(byProbesOnly > 0, "some mutant is caught only by the probes: without them the full matrix would let it survive");
    });
});
