/**
 * The components other Pulumi languages use (Python, Go, .NET, Java, YAML).
 * The Pulumi CLI installs this folder's dependencies in it (`npm install`;
 * it is no npm workspace of the repository) and runs it with
 * `@pulumi/pulumi/cmd/run-plugin`. The host below serves the four top-level
 * components of the published `eks-secrets-abac` package, with a schema
 * inferred from their TypeScript declarations and doc comments; the building
 * blocks (Team, EsoRelease, ...) stay TypeScript-only.
 *
 * The package name is given here: run-plugin would take it from this
 * folder's package.json (`eks-secrets-abac-provider`), and the components'
 * type tokens say `eks-secrets-abac:index:<Class>`
 * (@pulumi/pulumi cmd/run-plugin/run.js, provider/experimental/provider.js).
 */
import { componentProviderHost } from "@pulumi/pulumi/provider/experimental";
import { CrossAccountSecretsAbac, EksSecretsAbac, OrgGuardrails, SharedAbacRole } from "eks-secrets-abac";

componentProviderHost({
    name: "eks-secrets-abac",
    components: [EksSecretsAbac, SharedAbacRole, CrossAccountSecretsAbac, OrgGuardrails],
    dirname: __dirname,
}).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
});
