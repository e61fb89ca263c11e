/**
 * The checker: the one public entry of the eks-secrets-abac command's library.
 * Stages: inputs (a program run offline, a preview, a stack export) -> model (one
 * plan of the stack) -> checks -> judge() (one verdict) -> reports (text, JSON,
 * SARIF, pictures). The npm scripts, the benchmarks, the examples' offline runs
 * and the tests import only this file.
 */
export * from "./checks/accessMatrix";
export * from "./checks/crossAccountMatrix";
export * from "./checks/grantSurface";
export * from "./checks/iamEvaluator";
export * from "./checks/evaluatorCollator";
export * from "./checks/isolationProof";
export * from "./checks/managedPolicies";
export * from "./checks/matrixExplain";
export * from "./checks/matrixProbes";
export * from "./checks/matrixRun";
export * from "./checks/podRoles";
export * from "./checks/podTrust";
export * from "./checks/policyRunner";
export * from "./checks/principalDocuments";
export * from "./checks/reach";
export * from "./checks/reach/context";
export * from "./checks/reach/escalations";
export * from "./checks/reach/pathReads";
export * from "./checks/reach/rbac";
export * from "./checks/reach/replicas";
export * from "./checks/reach/sessions";
export * from "./checks/stackPrincipals";
export * from "./commands/cli";
export * from "./commands/onboard";
export * from "./inputs";
export * from "./inputs/offlineCloud";
export * from "./inputs/offlineProvider";
export * from "./inputs/preview";
export * from "./inputs/program";
export * from "./inputs/resources";
export * from "./inputs/stackFile";
export * from "./inputs/state";
export * from "./judge";
export * from "./model/defaults";
export * from "./model/plan";
export * from "./model/policyConfig";
export * from "./model/regions";
export * from "./model/stackMatrix";
export * from "./model/stackPlan";
export * from "./model/trustedReaderConfig";
export * from "./registry";
export * from "./reports/matrixReport";
export * from "./reports/sarif";
export * from "./reports/verdictReport";
