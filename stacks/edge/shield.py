"""Shield Advanced for the distribution (config ``shield_advanced``; needs an active subscription).

The web ACL's anti-DDoS managed rule group (stacks/edge/waf.py) is the application-layer mitigation.
Shield's older automatic application-layer response (it adds a ShieldMitigationRuleGroup_* to the web
ACL during an attack) is opt-in (``shield_automatic_response``): the WAF guide says the anti-DDoS rule
group supersedes it since 2026-03-26, and new Shield Advanced customers must ask AWS Support to get it,
so a protection that asks for it fails to deploy for them. docs/deploy.md: Shield.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_shield as shield

from settings.config import InfraConfig


def protect_distribution(stack: cdk.Stack, config: InfraConfig, distribution_arn: str) -> shield.CfnProtection:
    """The protection; with ``shield_automatic_response``, Shield's automatic mitigation too (Block)."""
    automatic = (
        shield.CfnProtection.ApplicationLayerAutomaticResponseConfigurationProperty(
            action=shield.CfnProtection.ActionProperty(block={}), status="ENABLED"
        )
        if config.shield_automatic_response
        else None
    )
    return shield.CfnProtection(
        stack,
        "ShieldProtection",
        name=f"{config.prefix}-distribution",
        resource_arn=distribution_arn,
        application_layer_automatic_response_configuration=automatic,
    )
