"""Shield Advanced for the distribution (config ``shield_advanced``; needs an active subscription)."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_shield as shield

from stacks.config import InfraConfig


def protect_distribution(stack: cdk.Stack, config: InfraConfig, distribution: cloudfront.Distribution) -> None:
    """Shield Advanced with automatic application-layer mitigation: Shield adds its own rule group
    (ShieldMitigationRuleGroup_*, priority 10,000,000) to the web ACL during an attack. docs/deploy.md: Shield."""
    shield.CfnProtection(
        stack,
        "ShieldProtection",
        name=f"{config.prefix}-distribution",
        resource_arn=distribution.distribution_arn,
        application_layer_automatic_response_configuration=shield.CfnProtection.ApplicationLayerAutomaticResponseConfigurationProperty(
            action=shield.CfnProtection.ActionProperty(block={}), status="ENABLED"
        ),
    )
