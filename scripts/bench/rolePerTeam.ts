/**
 * The classic alternative, for comparison only: one IAM role, one policy and
 * one Pod Identity association per team, each team with its own namespaced
 * SecretStore. Built with the same offline cloud as ours.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ESO_CHART, POD_IDENTITY_ADDON_NAME } from "../../components/lib/constants";
import { esoHelmValues } from "../../components/lib/helm";
import type { TeamSpec } from "../../components/lib/types";

export function rolePerTeam(clusterName: string, teams: TeamSpec[]): void {
    new aws.eks.Addon("pod-identity-agent", { clusterName, addonName: POD_IDENTITY_ADDON_NAME });
    const release = new k8s.helm.v3.Release("eso", {
        chart: ESO_CHART.name,
        version: ESO_CHART.version,
        repositoryOpts: { repo: ESO_CHART.repository },
        namespace: "external-secrets",
        createNamespace: true,
        values: esoHelmValues({ serviceAccountName: "external-secrets", allowNamespacedSecretStores: true }),
    });
    for (const team of teams) {
        const ns = team.namespace;
        const namespace = new k8s.core.v1.Namespace(`${ns}-namespace`, { metadata: { name: ns } });
        const secrets = (team.secrets ?? []).map((s) => new aws.secretsmanager.Secret(`${ns}-secret-${s.name}`, { name: `${ns}/${s.name}` }));
        const role = new aws.iam.Role(`${ns}-role`, {
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Principal: { Service: "pods.eks.amazonaws.com" },
                        Action: ["sts:AssumeRole", "sts:TagSession"],
                        Condition: { StringEquals: { "aws:RequestTag/kubernetes-namespace": ns } },
                    },
                ],
            }),
        });
        new aws.iam.RolePolicy(`${ns}-read`, {
            role: role.name,
            policy: pulumi.all(secrets.map((s) => s.arn)).apply((arns) =>
                JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: arns }] }),
            ),
        });
        new aws.eks.PodIdentityAssociation(`${ns}-pod-identity`, { clusterName, namespace: ns, serviceAccount: "secrets-reader", roleArn: role.arn });
        const sa = new k8s.core.v1.ServiceAccount(`${ns}-sa`, { metadata: { name: "secrets-reader", namespace: ns } }, { dependsOn: [namespace] });
        const store = new k8s.apiextensions.CustomResource(
            `${ns}-store`,
            {
                apiVersion: "external-secrets.io/v1",
                kind: "SecretStore",
                metadata: { name: "aws", namespace: ns },
                spec: { provider: { aws: { service: "SecretsManager", region: "eu-west-1" } } },
            },
            { dependsOn: [release, sa] },
        );
        for (const es of team.externalSecrets ?? []) {
            new k8s.apiextensions.CustomResource(
                `${ns}-external-secret-${es.name}`,
                {
                    apiVersion: "external-secrets.io/v1",
                    kind: "ExternalSecret",
                    metadata: { name: es.name, namespace: ns },
                    spec: { secretStoreRef: { kind: "SecretStore", name: "aws" }, target: { name: es.name }, data: (es.data ?? []).map((d) => ({ secretKey: d.secretKey, remoteRef: { key: `${ns}/${d.secret}` } })) },
                },
                { dependsOn: [store] },
            );
        }
    }
}
