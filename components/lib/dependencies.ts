import * as pulumi from "@pulumi/pulumi";

type DependsOn = pulumi.ResourceOptions["dependsOn"];

/**
 * A component's own `dependsOn` followed by `extra`, for a child that must
 * wait for both: children do not inherit their parent's dependencies.
 */
export function withDependencies(opts: pulumi.ResourceOptions | undefined, extra: pulumi.Resource[]): DependsOn {
    const given = opts?.dependsOn;
    if (given === undefined) return extra;
    if (extra.length === 0) return given;
    if (Array.isArray(given)) return [...given, ...extra];
    return pulumi.output(given as pulumi.Input<pulumi.Resource | pulumi.Resource[]>).apply((g) => [...(Array.isArray(g) ? g : [g]), ...extra]);
}
