"""CloudFront access logs: standard logging (v2) into a CloudWatch Logs group in us-east-1.

A DeliverySource (the distribution, ACCESS_LOGS), a DeliveryDestination (the log group, JSON) and the
Delivery pairing them, with the fields observability.cloudfront_logs names.

No AWS::Logs::ResourcePolicy: that resource is account-level (CloudWatch Logs allows 10 per region, and
each stage would add one). The CloudWatch Logs guide ("Logs sent to CloudWatch Logs") puts the policy on
the log group instead: "If the log group currently does not have a resource policy, and the user setting
up the logging has the logs:PutResourcePolicy, logs:DescribeResourcePolicies, and logs:DescribeLogGroups
permissions for the log group, then AWS automatically creates the following policy for it [...] For newly
created subscriptions, resource policies are configured at the log group level". CloudFormation creates
the Delivery with the deploy role (the CDK's execution role holds those permissions).

Not to be confused with EdgeAccess (stacks/cloudfront_access_stack.py), CloudFront's permission to invoke the
function. The construct ids (EdgeAccessLogs, ...) and the output EdgeAccessLogGroup keep their deployed
names: renaming them would replace the log group and break readers of the output.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_logs as logs

from observability import cloudfront_logs
from settings.config import InfraConfig
from stacks.edge.log_groups import plain_log_group_arn
from stacks.retention import retention_days

OUTPUT_CLOUDFRONT_ACCESS_LOG_GROUP = "EdgeAccessLogGroup"  # read by `make verify` (scripts/verify.py)


def log_group_name(config: InfraConfig) -> str:
    """A fixed name, so the home-region dashboard queries it in us-east-1 without a cross-region
    reference; /aws/vendedlogs/ is AWS's recommended prefix for logs delivered by AWS services."""
    return f"/aws/vendedlogs/cloudfront/{config.prefix.lower()}-access"


def deliver_access_logs(stack: cdk.Stack, config: InfraConfig, distribution: cloudfront.Distribution) -> logs.LogGroup:
    """The log group and the delivery into it; returns the log group."""
    name = config.prefix.lower()
    group = logs.LogGroup(
        stack,
        "EdgeAccessLogs",
        log_group_name=log_group_name(config),
        retention=retention_days(config.log_retention_days),
        removal_policy=cdk.RemovalPolicy.DESTROY,
    )
    source = logs.CfnDeliverySource(
        stack,
        "EdgeAccessLogSource",
        name=f"{name}-cloudfront-access",
        resource_arn=distribution.distribution_arn,
        log_type=cloudfront_logs.LOG_TYPE,
    )
    destination = logs.CfnDeliveryDestination(
        stack,
        "EdgeAccessLogDestination",
        name=f"{name}-cloudfront-access-cwl",
        destination_resource_arn=plain_log_group_arn(stack, group),
        output_format=cloudfront_logs.OUTPUT_FORMAT,
    )
    logs.CfnDelivery(
        stack,
        "EdgeAccessLogDelivery",
        delivery_source_name=source.ref,
        delivery_destination_arn=destination.attr_arn,
        record_fields=list(cloudfront_logs.RECORD_FIELDS),
    )
    cdk.CfnOutput(stack, OUTPUT_CLOUDFRONT_ACCESS_LOG_GROUP, value=group.log_group_name)
    return group
