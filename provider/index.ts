/**
 * The components other Pulumi languages use (Python, Go, .NET, Java, YAML).
 * The Pulumi CLI runs this folder with `@pulumi/pulumi/cmd/run-plugin`: it
 * serves every component class exported here, under the package name of
 * ./package.json (`eks-secrets-abac:index:<Class>`), with a schema inferred
 * from the classes' TypeScript types and doc comments. The building blocks
 * (Team, EsoRelease, ...) stay TypeScript-only.
 */
export { EksSecretsAbac } from "../components/eksSecretsAbac";
export { SharedAbacRole } from "../components/sharedAbacRole";
