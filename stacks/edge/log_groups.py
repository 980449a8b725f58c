"""The plain ARN of a log group, as WAF logging and log delivery destinations want it."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_logs as logs


def plain_log_group_arn(stack: cdk.Stack, group: logs.LogGroup) -> str:
    """The log group's ARN without the ':*' suffix LogGroup.log_group_arn carries."""
    return stack.format_arn(
        service="logs",
        resource="log-group",
        resource_name=group.log_group_name,
        arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
    )
