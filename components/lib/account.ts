import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AccountContext } from "./iam";

export interface AwsContext extends AccountContext {
    region: string;
}

/**
 * Account, partition and region of the AWS provider that `parent` resolves
 * to, as one Output, so that documents built from them are plain strings.
 */
export function awsContext(parent: pulumi.Resource): pulumi.Output<AwsContext> {
    const opts = { parent };
    return pulumi
        .all([aws.getCallerIdentityOutput({}, opts), aws.getPartitionOutput({}, opts), aws.getRegionOutput({}, opts)])
        .apply(([identity, partition, region]) => ({
            accountId: identity.accountId,
            partition: partition.partition,
            region: region.region,
        }));
}
