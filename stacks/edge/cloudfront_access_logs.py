"""CloudFront access logs: standard logging (v2) into a CloudWatch Logs group in us-east-1.

A DeliverySource (the distribution, ACCESS_LOGS), a DeliveryDestination (the log group, JSON) and the
Delivery pairing them, with the fields observability.cloudfront_logs names. The log group gets its own
resource policy admitting the delivery service, so nothing depends on AWS creating an account-wide one
on first delivery (which needs the deployer to hold logs:PutResourcePolicy and is left behind by
`make destroy`).

Not to be confused with EdgeAccess (stacks/edge_access_stack.py), CloudFront's permission to invoke the
function. The construct ids (EdgeAccessLogs, ...) and the output EdgeAccessLogGroup keep their deployed
names: renaming them would replace the log group and break readers of the output.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_logs as logs

from observability import cloudfront_logs
from stacks.config import InfraConfig
from stacks.edge.log_groups import plain_log_group_arn
from stacks.retention import retention_days

OUTPUT_CLOUDFRONT_ACCESS_LOG_GROUP = "EdgeAccessLogGroup"  # read by `make verify` (scripts/verify.py)


def log_group_name(config: InfraConfig) -> str:
    """A fixed name, so the home-region dashboard queries it in us-east-1 without a cross-region
    reference; /aws/vendedlogs/ is AWS's recommended prefix for logs delivered by AWS services."""
    return f"/aws/vendedlogs/cloudfront/{config.prefix.lower()}-access"


def deliver_access_logs(stack: cdk.Stack, config: InfraConfig, distribution: cloudfront.Distribution) -> logs.LogGroup:
    """The log group, its delivery policy and the delivery; returns the log group."""
    name = config.prefix.lower()
    group = logs.LogGroup(
        stack,
        "EdgeAccessLogs",
        log_group_name=log_group_name(config),
        retention=retention_days(config.log_retention_days),
        removal_policy=cdk.RemovalPolicy.DESTROY,
    )
    policy = logs.CfnResourcePolicy(
        stack,
        "EdgeAccessLogsDeliveryPolicy",
        policy_name=f"{name}-cloudfront-access-log-delivery",
        policy_document=stack.to_json_string(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "AWSLogDeliveryWrite",
                        "Effect": "Allow",
                        "Principal": {"Service": "delivery.logs.amazonaws.com"},
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                        "Resource": f"{plain_log_group_arn(stack, group)}:log-stream:*",
                        "Condition": {
                            "StringEquals": {"aws:SourceAccount": stack.account},
                            # The documented condition for CloudWatch Logs delivery: any delivery of this
                            # account and region (the delivery's own ARN is not known before it exists).
                            "ArnLike": {
                                "aws:SourceArn": f"arn:{stack.partition}:logs:{stack.region}:{stack.account}:*"
                            },
                        },
                    }
                ],
            }
        ),
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
    delivery = logs.CfnDelivery(
        stack,
        "EdgeAccessLogDelivery",
        delivery_source_name=source.ref,
        delivery_destination_arn=destination.attr_arn,
        record_fields=list(cloudfront_logs.RECORD_FIELDS),
    )
    # The log group admits the delivery before it starts (the source is already a Ref dependency).
    delivery.node.add_dependency(policy)
    cdk.CfnOutput(stack, OUTPUT_CLOUDFRONT_ACCESS_LOG_GROUP, value=group.log_group_name)
    return group
