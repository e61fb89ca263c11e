/**
 * Which statement of the permission policy decides a pair: each Allow
 * statement alone, and each Deny statement beside an allow of everything,
 * decided by the IAM engine. Names the statement a reviewer must change.
 */
import type { PolicyStatement } from "../../../../components/lib/iam";
import { ACTIONS_OF, MatrixSpec, ObjectKind, readRequest, sessionNamespaceTagKeyOf } from "./accessMatrix";
import { CLUSTER_TAG_KEY } from "../../../../components/lib/constants";
import { decide } from "./iamEvaluator";

export interface PairToExplain {
    session: { cluster?: string; namespace?: string };
    object: { name: string; kind?: ObjectKind; tags?: Record<string, string> };
}

export function statementLabel(st: PolicyStatement, i: number): string {
    return `Statement[${i}]${st.Sid ? ` (${st.Sid})` : ""}`;
}

/** The Allow statements that grant a value read of the pair on their own, and the Deny statements that refuse it. */
export function explainPair(spec: Omit<MatrixSpec, "clusters" | "namespaces" | "secrets" | "parameters">, pair: PairToExplain): { allowing: string[]; denying: string[] } {
    const kind = pair.object.kind ?? "secret";
    const statements = spec.permissionPolicy.Statement;
    const decided = (statementsUsed: PolicyStatement[]) =>
        ACTIONS_OF[kind].value.map((action) => {
            const request = readRequest({ ...spec, permissionPolicy: { Version: "2012-10-17", Statement: statementsUsed } }, { cluster: pair.session.cluster ?? "", esoNamespace: pair.session.namespace ?? "" }, { ...pair.object, kind }, action);
            if (pair.session.namespace === undefined) delete request.context[`aws:PrincipalTag/${sessionNamespaceTagKeyOf(spec)}`];
            if (pair.session.cluster === undefined) delete request.context[`aws:PrincipalTag/${CLUSTER_TAG_KEY}`];
            return decide(request);
        });
    const allowing: string[] = [];
    const denying: string[] = [];
    statements.forEach((st, i) => {
        if (st.Effect === "Allow" && decided([st]).some((d) => d === "Allowed")) allowing.push(statementLabel(st, i));
        if (st.Effect === "Deny" && decided([st, { Effect: "Allow", Action: "*", Resource: "*" }]).some((d) => d === "ExplicitlyDenied")) denying.push(statementLabel(st, i));
    });
    return { allowing, denying };
}

/** One line: which statements let the pair through, or which refuse it. */
export function explainInWords(spec: Omit<MatrixSpec, "clusters" | "namespaces" | "secrets" | "parameters">, pair: PairToExplain, readable: boolean): string {
    const { allowing, denying } = explainPair(spec, pair);
    if (readable) return allowing.length > 0 ? `granted by ${allowing.join(", ")}` : "granted by the statements together";
    if (denying.length > 0) return `refused by ${denying.join(", ")}`;
    return allowing.length > 0 ? `${allowing.join(", ")} would grant it, but the statements together refuse it` : "no statement grants it";
}
