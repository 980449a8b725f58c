"""us-east-1 stack: the WAF web ACL (scope CLOUDFRONT), its log group, and the CloudFront distribution.

CLOUDFRONT-scope web ACLs, their logs and CloudFront's own metrics exist only in us-east-1, so this
stack is pinned there whatever the home region. The origin is the home region's Function URL, signed
with Origin Access Control (SigV4).

`FunctionUrlOrigin.with_origin_access_control` (aws-cdk-lib 2.275) creates, inside the distribution:
an AWS::CloudFront::OriginAccessControl (type lambda, sign always, SigV4) and two AWS::Lambda::Permission
(lambda:InvokeFunctionUrl and lambda:InvokeFunction with InvokedViaFunctionUrl, SourceArn = this
distribution). Permissions must be created in the function's region (this stack is in us-east-1), so
they are removed here and EdgeAccessStack grants the same two in the home region.
"""

from __future__ import annotations

import json

import aws_cdk as cdk
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from service.contract import MAX_BODY_BYTES, SECRET_HEADERS
from stacks.config import PRICE_CLASSES, InfraConfig
from stacks.retention import retention_days

# AWS managed rule groups, in evaluation order after our own rules. (name, rule labels set to Count)
MANAGED_RULE_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("AWSManagedRulesAmazonIpReputationList", ()),
    # HostingProviderIPList would block every client running in a cloud (CI jobs, servers calling the API);
    # it is counted, so still visible in WAF metrics and logs, rather than blocked.
    ("AWSManagedRulesAnonymousIpList", ("HostingProviderIPList",)),
    ("AWSManagedRulesKnownBadInputsRuleSet", ()),
    # Its SizeRestrictions_BODY blocks bodies over 8 KB, the same limit as BodyTooLarge and the API.
    ("AWSManagedRulesCommonRuleSet", ()),
)
OUTPUT_DISTRIBUTION_ID = "DistributionId"  # read by EdgeAccessStack with Fn::GetStackOutput
RATE_RULE = "RateLimitPerIp"
BODY_RULE = "BodyTooLarge"


def _problem(status: int, title: str, detail: str) -> str:
    """An RFC 9457 problem body, the same shape the API returns for its own errors."""
    return json.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail})


class EdgeStack(cdk.Stack):
    """WAF + CloudFront in us-east-1. Exposes distribution, web ACL and WAF log group for monitoring."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: InfraConfig,
        function_url: lambda_.IFunctionUrl,
        function_url_domain: str,
        **kwargs: object,
    ) -> None:
        """``function_url_domain`` is a token for the URL's host name read from the home stack's outputs."""
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        self.config = config
        self.web_acl_metric_name = f"{config.prefix}-web-acl"

        self.waf_log_group = logs.LogGroup(
            self,
            "WafLogs",
            # WAF only delivers to log groups whose name starts with aws-waf-logs-.
            log_group_name=f"aws-waf-logs-{config.prefix.lower()}",
            retention=retention_days(config.log_retention_days),
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        self.web_acl = self._web_acl()
        wafv2.CfnLoggingConfiguration(
            self,
            "WafLogging",
            resource_arn=self.web_acl.attr_arn,
            # WAF wants the plain log group ARN; LogGroup.log_group_arn ends in ':*'.
            log_destination_configs=[
                self.format_arn(
                    service="logs",
                    resource="log-group",
                    resource_name=self.waf_log_group.log_group_name,
                    arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
                )
            ],
            redacted_fields=[
                wafv2.CfnLoggingConfiguration.FieldToMatchProperty(single_header={"Name": name})
                # The service's own list of secret headers: WAF never logs what the service never logs.
                for name in SECRET_HEADERS
            ],
        )
        self.distribution = self._distribution(function_url)
        self._drop_cross_region_permissions()
        # The origin renders its host as Fn::Select/Fn::Split over the URL, a direct reference into the home
        # stack. Use the domain the home stack publishes instead (Fn::GetStackOutput cannot sit inside
        # Fn::Split); this also removes the only implicit cross-stack reference from this template.
        cfn_distribution = self.distribution.node.default_child
        assert isinstance(cfn_distribution, cloudfront.CfnDistribution)  # noqa: S101 (L2 always has one)
        cfn_distribution.add_property_override("DistributionConfig.Origins.0.DomainName", function_url_domain)

        cdk.CfnOutput(self, OUTPUT_DISTRIBUTION_ID, value=self.distribution.distribution_id)
        cdk.CfnOutput(self, "ApiUrl", value=f"https://{config.domain_name or self.distribution.domain_name}")
        cdk.CfnOutput(self, "WebAclArn", value=self.web_acl.attr_arn)

    def _rule_visibility(self, rule: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
        return wafv2.CfnWebACL.VisibilityConfigProperty(
            cloud_watch_metrics_enabled=True, metric_name=f"{self.config.prefix}-{rule}", sampled_requests_enabled=True
        )

    def _web_acl(self) -> wafv2.CfnWebACL:
        rules: list[wafv2.CfnWebACL.RuleProperty] = [
            wafv2.CfnWebACL.RuleProperty(
                name=RATE_RULE,
                priority=0,
                statement=wafv2.CfnWebACL.StatementProperty(
                    rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                        limit=self.config.waf_rate_limit, aggregate_key_type="IP", evaluation_window_sec=300
                    )
                ),
                action=wafv2.CfnWebACL.RuleActionProperty(
                    block=wafv2.CfnWebACL.BlockActionProperty(
                        custom_response=wafv2.CfnWebACL.CustomResponseProperty(
                            response_code=429, custom_response_body_key="TooManyRequests"
                        )
                    )
                ),
                visibility_config=self._rule_visibility(RATE_RULE),
            ),
            # Our own copy of the API's body limit, ahead of the managed groups, so the limit is explicit in
            # this template and answered with a clear 413. Bodies beyond WAF's inspection window match too.
            wafv2.CfnWebACL.RuleProperty(
                name=BODY_RULE,
                priority=1,
                statement=wafv2.CfnWebACL.StatementProperty(
                    size_constraint_statement=wafv2.CfnWebACL.SizeConstraintStatementProperty(
                        comparison_operator="GT",
                        size=MAX_BODY_BYTES,
                        field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(
                            body=wafv2.CfnWebACL.BodyProperty(oversize_handling="MATCH")
                        ),
                        text_transformations=[wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")],
                    )
                ),
                action=wafv2.CfnWebACL.RuleActionProperty(
                    block=wafv2.CfnWebACL.BlockActionProperty(
                        custom_response=wafv2.CfnWebACL.CustomResponseProperty(
                            response_code=413, custom_response_body_key="PayloadTooLarge"
                        )
                    )
                ),
                visibility_config=self._rule_visibility(BODY_RULE),
            ),
        ]
        for group, counted in MANAGED_RULE_GROUPS:
            rules.append(
                wafv2.CfnWebACL.RuleProperty(
                    name=group,
                    priority=len(rules),
                    statement=wafv2.CfnWebACL.StatementProperty(
                        managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                            vendor_name="AWS",
                            name=group,
                            rule_action_overrides=[
                                wafv2.CfnWebACL.RuleActionOverrideProperty(
                                    name=rule, action_to_use=wafv2.CfnWebACL.RuleActionProperty(count={})
                                )
                                for rule in counted
                            ]
                            or None,
                        )
                    ),
                    override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
                    visibility_config=self._rule_visibility(group),
                )
            )

        json_body = "APPLICATION_JSON"
        return wafv2.CfnWebACL(
            self,
            "WebAcl",
            scope="CLOUDFRONT",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            rules=rules,
            custom_response_bodies={
                "TooManyRequests": wafv2.CfnWebACL.CustomResponseBodyProperty(
                    content_type=json_body,
                    content=_problem(429, "Too Many Requests", "Rate limit per client IP exceeded; retry later."),
                ),
                "PayloadTooLarge": wafv2.CfnWebACL.CustomResponseBodyProperty(
                    content_type=json_body,
                    content=_problem(413, "Content Too Large", f"Request body exceeds {MAX_BODY_BYTES} bytes."),
                ),
            },
            visibility_config=wafv2.CfnWebACL.VisibilityConfigProperty(
                cloud_watch_metrics_enabled=True,
                metric_name=self.web_acl_metric_name,
                sampled_requests_enabled=True,
            ),
        )

    def _distribution(self, function_url: lambda_.IFunctionUrl) -> cloudfront.Distribution:
        cfg = self.config
        origin = origins.FunctionUrlOrigin.with_origin_access_control(
            function_url,
            # Longer than the Lambda timeout (config enforces it), so the function answers, not a 504.
            read_timeout=cdk.Duration.seconds(cfg.origin_read_timeout_seconds),
        )
        custom_domain: dict[str, object] = {}
        if cfg.domain_name and cfg.certificate_arn:
            custom_domain = {
                "domain_names": [cfg.domain_name],
                "certificate": acm.Certificate.from_certificate_arn(self, "Certificate", cfg.certificate_arn),
                "minimum_protocol_version": cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            }
        distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment=f"{cfg.service_name} API ({cfg.home_region})",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origin,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                # https-only by default (config.viewer_protocol): a redirected POST can come back as a GET.
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy[cfg.viewer_protocol.upper().replace("-", "_")],
                cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                # Everything the viewer sent except Host: the Function URL routes on its own host name.
                origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
                response_headers_policy=cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
                compress=True,
            ),
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass[PRICE_CLASSES[cfg.price_class]],
            web_acl_id=self.web_acl.attr_arn,
            **custom_domain,  # type: ignore[arg-type]
        )

        suppressions = [
            cdk.Acknowledgment(
                id="AwsSolutions-CFR1",
                reason="A public API with no geographic requirement; abuse is handled by the WAF rate and "
                "IP-reputation rules instead of country blocks.",
            ),
            cdk.Acknowledgment(
                id="AwsSolutions-CFR3",
                reason="Every request is logged by WAF (aws-waf-logs-* group, secrets redacted) and by the "
                "function's access line; S3 standard logs would duplicate both and need an ACL-enabled bucket.",
            ),
        ]
        if not custom_domain:
            suppressions.append(
                cdk.Acknowledgment(
                    id="AwsSolutions-CFR4",
                    reason="Without a custom domain the *.cloudfront.net certificate fixes the minimum at TLSv1; "
                    "set domain_name + certificate_arn to get TLSv1.2_2021.",
                )
            )
        cdk.Validations.of(distribution).acknowledge(*suppressions)
        return distribution

    def _drop_cross_region_permissions(self) -> None:
        """Remove the Lambda permissions the OAC origin added here; EdgeAccessStack creates them at home."""
        for construct in self.distribution.node.find_all():
            if isinstance(construct, cdk.CfnResource) and construct.cfn_resource_type == "AWS::Lambda::Permission":
                parent = construct.node.scope
                if parent is None or not parent.node.try_remove_child(construct.node.id):
                    raise RuntimeError(f"could not remove {construct.node.path}")
