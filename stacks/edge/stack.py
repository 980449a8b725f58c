"""us-east-1 stack: the WAF web ACL (scope CLOUDFRONT), the CloudFront distribution and what hangs on it.

CLOUDFRONT-scope web ACLs, their logs and CloudFront's own metrics exist only in us-east-1, so this
stack is pinned there whatever the home region. The origin is the home region's Function URL, signed
with Origin Access Control (SigV4). Each concern is its own module in this package (see __init__.py);
this class only composes them, in the order the resources have always been created.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from service.catalogue import ROUTES, RouteSpec
from settings.config import InfraConfig
from stacks.edge import caching, cloudfront_access_logs, shield
from stacks.edge.api_keys import ApiKeys, function_associations
from stacks.edge.cache_paths import cache_behaviours
from stacks.edge.distribution import Distribution
from stacks.edge.waf import WebAcl, geo_acknowledgment

OUTPUT_DISTRIBUTION_ID = "DistributionId"  # read by CloudFrontAccessStack with Fn::GetStackOutput
# Read by `make verify` (scripts/verify.py).
OUTPUT_WEB_ACL_NAME = "WebAclName"
OUTPUT_WAF_LOG_GROUP = "WafLogGroup"


class EdgeStack(cdk.Stack):
    """WAF + CloudFront in us-east-1. Exposes the distribution, the web ACL, the WAF log group and
    CloudFront's access log group for monitoring."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: InfraConfig,
        function_url: lambda_.IFunctionUrl,
        function_url_domain: str,
        target_identity: str,
        routes: tuple[RouteSpec, ...] = ROUTES,
        **kwargs: object,
    ) -> None:
        """``function_url_domain`` is a token for the URL's host name read from the home stack's outputs;
        ``target_identity`` names what that URL invokes (the origin's id carries it)."""
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]  # kwargs are Stack's keywords, passed through
        self.config = config
        self.cloudfront_access_log_group_name = cloudfront_access_logs.log_group_name(config)

        waf = WebAcl(self, config)
        self.web_acl, self.waf_log_group, self.web_acl_metric_name = waf.web_acl, waf.log_group, waf.metric_name
        api_keys = ApiKeys(self, config) if config.api_keys else None
        associations = function_associations(api_keys)
        self.api_keys_function = api_keys.function if api_keys else None

        dist = Distribution(
            self,
            config,
            function_url=function_url,
            target_identity=target_identity,
            web_acl_arn=self.web_acl.attr_arn,
            function_associations=associations,
            geo_acknowledgment=geo_acknowledgment(config),
        )
        self.distribution = dist.distribution
        self.cache_behaviours = cache_behaviours(routes)
        caching.add_cache_behaviours(self, config, self.distribution, dist.origin, self.cache_behaviours, associations)
        dist.drop_cross_region_permissions()
        self.cloudfront_access_log_group = cloudfront_access_logs.deliver_access_logs(self, config, self.distribution)
        dist.use_origin_domain(function_url_domain)

        cdk.CfnOutput(self, OUTPUT_DISTRIBUTION_ID, value=self.distribution.distribution_id)
        cdk.CfnOutput(self, "ApiUrl", value=f"https://{config.domain_name or self.distribution.domain_name}")
        cdk.CfnOutput(self, "WebAclArn", value=self.web_acl.attr_arn)
        if self.cache_behaviours:
            caching.subscribe_additional_metrics(self, self.distribution)
        if config.shield_advanced:
            shield.protect_distribution(self, config, self.distribution.distribution_arn)
        cdk.CfnOutput(self, OUTPUT_WEB_ACL_NAME, value=self.web_acl_metric_name)
        cdk.CfnOutput(self, OUTPUT_WAF_LOG_GROUP, value=self.waf_log_group.log_group_name)
