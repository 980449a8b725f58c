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
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_shield as shield
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from observability import cloudfront_logs
from service.catalogue import ROUTES, RouteSpec
from service.header_names import SECRET_HEADERS
from service.limits import MAX_BODY_BYTES
from stacks.config import PRICE_CLASSES, InfraConfig
from stacks.edge.cache_paths import CacheBehaviour, cache_behaviours
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
OUTPUT_KVS_ARN = "ApiKeysKvsArn"  # read by scripts/api_keys.py
# Read by `make verify` (scripts/verify.py).
OUTPUT_WEB_ACL_NAME = "WebAclName"
OUTPUT_WAF_LOG_GROUP = "WafLogGroup"
OUTPUT_EDGE_LOG_GROUP = "EdgeAccessLogGroup"
RATE_RULE = "RateLimitPerIp"
BODY_RULE = "BodyTooLarge"
GEO_RULE = "GeoRestriction"
KEY_RATE_RULE = "RateLimitPerApiKey"
API_KEY_FUNCTION_CODE = Path(__file__).resolve().parent.parent / "edge" / "api_key.js"


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
        routes: tuple[RouteSpec, ...] = ROUTES,
        **kwargs: object,
    ) -> None:
        """``function_url_domain`` is a token for the URL's host name read from the home stack's outputs."""
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        self.config = config
        self.web_acl_metric_name = f"{config.prefix}-web-acl"
        # CloudFront's access log group (standard logging v2). A fixed name, so the home-region dashboard
        # queries it in us-east-1 without a cross-region reference; /aws/vendedlogs/ is AWS's recommended
        # prefix for logs delivered by AWS services.
        self.access_log_group_name = f"/aws/vendedlogs/cloudfront/{config.prefix.lower()}-access"

        self.waf_log_group = logs.LogGroup(
            self,
            "WafLogs",
            # WAF only delivers to log groups whose name starts with aws-waf-logs-.
            log_group_name=f"aws-waf-logs-{config.prefix.lower()}",
            retention=retention_days(config.log_retention_days),
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        self.web_acl = self._web_acl()
        self.web_acl_name = self.web_acl.name
        wafv2.CfnLoggingConfiguration(
            self,
            "WafLogging",
            resource_arn=self.web_acl.attr_arn,
            # WAF wants the plain log group ARN; LogGroup.log_group_arn ends in ':*'.
            log_destination_configs=[self._log_group_arn(self.waf_log_group)],
            redacted_fields=[
                wafv2.CfnLoggingConfiguration.FieldToMatchProperty(single_header={"Name": name})
                # The service's own list of secret headers: WAF never logs what the service never logs.
                for name in SECRET_HEADERS
            ],
        )
        self.api_keys_function = self._api_keys() if config.api_keys else None
        self.cache_behaviours = cache_behaviours(routes)
        self.distribution = self._distribution(function_url)
        self._drop_cross_region_permissions()
        self.access_log_group = self._access_logs()
        # The origin renders its host as Fn::Select/Fn::Split over the URL, a direct reference into the home
        # stack. Use the domain the home stack publishes instead (Fn::GetStackOutput cannot sit inside
        # Fn::Split); this also removes the only implicit cross-stack reference from this template.
        cfn_distribution = self.distribution.node.default_child
        assert isinstance(cfn_distribution, cloudfront.CfnDistribution)  # noqa: S101 (L2 always has one)
        cfn_distribution.add_property_override("DistributionConfig.Origins.0.DomainName", function_url_domain)

        cdk.CfnOutput(self, OUTPUT_DISTRIBUTION_ID, value=self.distribution.distribution_id)
        cdk.CfnOutput(self, "ApiUrl", value=f"https://{config.domain_name or self.distribution.domain_name}")
        cdk.CfnOutput(self, "WebAclArn", value=self.web_acl.attr_arn)
        if self.cache_behaviours:
            self._cache_metrics()
        if config.shield_advanced:
            self._shield_advanced()
        cdk.CfnOutput(self, OUTPUT_WEB_ACL_NAME, value=self.web_acl_metric_name)
        cdk.CfnOutput(self, OUTPUT_WAF_LOG_GROUP, value=self.waf_log_group.log_group_name)

    def _rule_visibility(self, rule: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
        return wafv2.CfnWebACL.VisibilityConfigProperty(
            cloud_watch_metrics_enabled=True, metric_name=f"{self.config.prefix}-{rule}", sampled_requests_enabled=True
        )

    def _web_acl(self) -> wafv2.CfnWebACL:
        rules: list[dict[str, object]] = [
            *self._geo_rules(),
            dict(
                name=RATE_RULE,
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
            *self._api_key_rules(),
            # Our own copy of the API's body limit, ahead of the managed groups, so the limit is explicit in
            # this template and answered with a clear 413. Bodies beyond WAF's inspection window match too.
            dict(
                name=BODY_RULE,
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
                dict(
                    name=group,
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
        extra_bodies = {
            key: wafv2.CfnWebACL.CustomResponseBodyProperty(content_type=json_body, content=content)
            for key, content in self._extra_response_bodies().items()
        }
        return wafv2.CfnWebACL(
            self,
            "WebAcl",
            # AWS/WAFV2's WebACL dimension is documented as the web ACL's name and observed as its
            # VisibilityConfig metric name: make both the same string, so the alarms and widgets that
            # read it (web_acl_metric_name) match whichever AWS publishes under. A named web ACL cannot
            # be replaced in place; nothing here changes a replacement-only property (Name, Scope).
            name=self.web_acl_metric_name,
            scope="CLOUDFRONT",
            # Secret headers (x-api-key included) read REDACTED everywhere WAF shows a request: logs,
            # sampled requests in the console and GetSampledRequests, rule match and rate-key details.
            # The logging configuration's RedactedFields alone covers the logs only.
            data_protection_config=wafv2.CfnWebACL.DataProtectionConfigProperty(
                data_protections=[
                    wafv2.CfnWebACL.DataProtectProperty(
                        action="SUBSTITUTION",
                        field=wafv2.CfnWebACL.FieldToProtectProperty(
                            field_type="SINGLE_HEADER", field_keys=list(SECRET_HEADERS)
                        ),
                    )
                ]
            ),
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            # Evaluated in list order: priorities are the positions.
            rules=[wafv2.CfnWebACL.RuleProperty(priority=i, **rule) for i, rule in enumerate(rules)],  # type: ignore[arg-type]
            custom_response_bodies={
                **extra_bodies,
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
                function_associations=self._function_associations(),
            ),
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass[PRICE_CLASSES[cfg.price_class]],
            web_acl_id=self.web_acl.attr_arn,
            **custom_domain,  # type: ignore[arg-type]
        )
        self._add_cache_behaviours(distribution, origin)

        suppressions = [
            cdk.Acknowledgment(id="AwsSolutions-CFR1", reason=self._geo_acknowledgment()),
            cdk.Acknowledgment(
                id="AwsSolutions-CFR3",
                reason="Access logging is on: standard logging v2 (AWS::Logs::DeliverySource ACCESS_LOGS -> "
                "Delivery -> DeliveryDestination) writes every request to the EdgeAccessLogs log group. The rule "
                "only recognises the legacy S3 Logging property of the distribution, which this does not use.",
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

    def _access_logs(self) -> logs.LogGroup:
        """CloudFront standard logging (v2) into a CloudWatch Logs group here in us-east-1.

        A DeliverySource (the distribution, ACCESS_LOGS), a DeliveryDestination (the log group, JSON)
        and the Delivery pairing them, with the fields observability.cloudfront_logs names. The log
        group gets its own resource policy admitting the delivery service, so nothing depends on AWS
        creating an account-wide one on first delivery (which needs the deployer to hold
        logs:PutResourcePolicy and is left behind by `make destroy`).
        """
        cfg = self.config
        name = cfg.prefix.lower()
        group = logs.LogGroup(
            self,
            "EdgeAccessLogs",
            log_group_name=self.access_log_group_name,
            retention=retention_days(cfg.log_retention_days),
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        policy = logs.CfnResourcePolicy(
            self,
            "EdgeAccessLogsDeliveryPolicy",
            policy_name=f"{name}-cloudfront-access-log-delivery",
            policy_document=cdk.Stack.of(self).to_json_string(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "AWSLogDeliveryWrite",
                            "Effect": "Allow",
                            "Principal": {"Service": "delivery.logs.amazonaws.com"},
                            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                            "Resource": f"{self._log_group_arn(group)}:log-stream:*",
                            "Condition": {
                                "StringEquals": {"aws:SourceAccount": self.account},
                                # The documented condition for CloudWatch Logs delivery: any delivery of this
                                # account and region (the delivery's own ARN is not known before it exists).
                                "ArnLike": {
                                    "aws:SourceArn": f"arn:{self.partition}:logs:{self.region}:{self.account}:*"
                                },
                            },
                        }
                    ],
                }
            ),
        )
        source = logs.CfnDeliverySource(
            self,
            "EdgeAccessLogSource",
            name=f"{name}-cloudfront-access",
            resource_arn=self.distribution.distribution_arn,
            log_type=cloudfront_logs.LOG_TYPE,
        )
        destination = logs.CfnDeliveryDestination(
            self,
            "EdgeAccessLogDestination",
            name=f"{name}-cloudfront-access-cwl",
            destination_resource_arn=self._log_group_arn(group),
            output_format=cloudfront_logs.OUTPUT_FORMAT,
        )
        delivery = logs.CfnDelivery(
            self,
            "EdgeAccessLogDelivery",
            delivery_source_name=source.ref,
            delivery_destination_arn=destination.attr_arn,
            record_fields=list(cloudfront_logs.RECORD_FIELDS),
        )
        # The log group admits the delivery before it starts (the source is already a Ref dependency).
        delivery.node.add_dependency(policy)
        cdk.CfnOutput(self, OUTPUT_EDGE_LOG_GROUP, value=group.log_group_name)
        return group

    def _log_group_arn(self, group: logs.LogGroup) -> str:
        """The plain log group ARN (LogGroup.log_group_arn ends in ':*')."""
        return self.format_arn(
            service="logs",
            resource="log-group",
            resource_name=group.log_group_name,
            arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
        )

    def _drop_cross_region_permissions(self) -> None:
        """Remove the Lambda permissions the OAC origin added here; EdgeAccessStack creates them at home."""
        for construct in self.distribution.node.find_all():
            if isinstance(construct, cdk.CfnResource) and construct.cfn_resource_type == "AWS::Lambda::Permission":
                parent = construct.node.scope
                if parent is None or not parent.node.try_remove_child(construct.node.id):
                    raise RuntimeError(f"could not remove {construct.node.path}")

    # --- issue 10: geo restriction, API keys, per-route caching, Shield Advanced -----------------------

    def _geo_rules(self) -> list[dict[str, object]]:
        """geo_allow / geo_deny as a WAF geo-match rule, first in the ACL: its own metric and a
        problem+json 403 (CloudFront's own geo restriction answers a bare 403 with no WAF metric)."""
        cfg = self.config
        if not (cfg.geo_allow or cfg.geo_deny):
            return []
        match = wafv2.CfnWebACL.StatementProperty(
            geo_match_statement=wafv2.CfnWebACL.GeoMatchStatementProperty(
                country_codes=list(cfg.geo_allow or cfg.geo_deny)
            )
        )
        statement = (
            wafv2.CfnWebACL.StatementProperty(not_statement=wafv2.CfnWebACL.NotStatementProperty(statement=match))
            if cfg.geo_allow
            else match
        )
        return [
            dict(
                name=GEO_RULE,
                statement=statement,
                action=wafv2.CfnWebACL.RuleActionProperty(
                    block=wafv2.CfnWebACL.BlockActionProperty(
                        custom_response=wafv2.CfnWebACL.CustomResponseProperty(
                            response_code=403, custom_response_body_key="GeoBlocked"
                        )
                    )
                ),
                visibility_config=self._rule_visibility(GEO_RULE),
            )
        ]

    def _api_key_rules(self) -> list[dict[str, object]]:
        """Rate limit per API key. WAF runs before the viewer-request function, so it aggregates on the
        raw x-api-key header; requests without the header are not counted here (the per-IP rule still is)."""
        if not self.config.api_keys:
            return []
        return [
            dict(
                name=KEY_RATE_RULE,
                statement=wafv2.CfnWebACL.StatementProperty(
                    rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                        limit=self.config.api_key_rate_limit,
                        aggregate_key_type="CUSTOM_KEYS",
                        evaluation_window_sec=300,
                        custom_keys=[
                            wafv2.CfnWebACL.RateBasedStatementCustomKeyProperty(
                                header=wafv2.CfnWebACL.RateLimitHeaderProperty(
                                    name="x-api-key",
                                    text_transformations=[
                                        wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")
                                    ],
                                )
                            )
                        ],
                    )
                ),
                action=wafv2.CfnWebACL.RuleActionProperty(
                    block=wafv2.CfnWebACL.BlockActionProperty(
                        custom_response=wafv2.CfnWebACL.CustomResponseProperty(
                            response_code=429, custom_response_body_key="TooManyRequestsPerKey"
                        )
                    )
                ),
                visibility_config=self._rule_visibility(KEY_RATE_RULE),
            )
        ]

    def _extra_response_bodies(self) -> dict[str, str]:
        bodies = {}
        if self.config.geo_allow or self.config.geo_deny:
            bodies["GeoBlocked"] = _problem(403, "Forbidden", "This API is not available from your country.")
        if self.config.api_keys:
            bodies["TooManyRequestsPerKey"] = _problem(
                429, "Too Many Requests", "Rate limit per API key exceeded; retry later."
            )
        return bodies

    def _geo_acknowledgment(self) -> str:
        """cdk-nag CFR1 looks for CloudFront's geo restriction only; say what is true of this config."""
        cfg = self.config
        if cfg.geo_allow or cfg.geo_deny:
            which = f"allows only {', '.join(cfg.geo_allow)}" if cfg.geo_allow else f"denies {', '.join(cfg.geo_deny)}"
            return (
                f"Geo restriction is enforced by the WAF rule {GEO_RULE} ({which}), which has its own metric and "
                "answers problem+json 403; CloudFront's geo restriction would answer a bare 403 with no WAF metric."
            )
        return (
            "No geographic requirement is configured (geo_allow / geo_deny are null); when one is set, the WAF "
            f"rule {GEO_RULE} enforces it. Abuse is handled by the WAF rate and IP-reputation rules."
        )

    def _api_keys(self) -> cloudfront.Function:
        """edge/api_key.js with its KeyValueStore (sha256(key) -> client, status); keys live outside the
        template (scripts/api_keys.py reads the store's ARN from the ApiKeysKvsArn output)."""
        store = cloudfront.KeyValueStore(
            self, "ApiKeys", comment=f"{self.config.service_name}: sha256(api key) -> client, status"
        )
        function = cloudfront.Function(
            self,
            "ApiKeyCheck",
            code=cloudfront.FunctionCode.from_file(file_path=str(API_KEY_FUNCTION_CODE)),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
            key_value_store=store,
            comment=f"{self.config.service_name}: x-api-key check (viewer request)",
        )
        cdk.CfnOutput(self, OUTPUT_KVS_ARN, value=store.key_value_store_arn)
        return function

    def _function_associations(self) -> list[cloudfront.FunctionAssociation] | None:
        """Every behaviour runs the key check (its exemptions, /health and preflights, live in the code)."""
        if self.api_keys_function is None:
            return None
        return [
            cloudfront.FunctionAssociation(
                function=self.api_keys_function, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
            )
        ]

    def _add_cache_behaviours(self, distribution: cloudfront.Distribution, origin: cloudfront.IOrigin) -> None:
        """One behaviour per cached catalogue route, most specific pattern first (CloudFront takes the
        first match; stacks/edge/cache_paths.py proves the order). Same origin, OAC and origin request policy as
        the default behaviour; only the cache policy differs."""
        for b in self.cache_behaviours:
            distribution.add_behavior(
                b.path_pattern,
                origin,
                # All methods, like the default: the API answers 405 itself, and OPTIONS (CORS preflight)
                # must pass. CloudFront caches only GET and HEAD.
                allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                cached_methods=cloudfront.CachedMethods.CACHE_GET_HEAD,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=self._cache_policy(b),
                # Everything but Host (the Function URL routes on its own host name). Cache-key headers
                # and query strings are forwarded anyway; the key holds no Host, cookie or credential.
                origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
                response_headers_policy=cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
                compress=True,
                function_associations=self._function_associations(),
            )

    def _cache_policy(self, b: CacheBehaviour) -> cloudfront.CachePolicy:
        rule = b.rule
        ttl = cdk.Duration.seconds(rule.ttl_s)
        return cloudfront.CachePolicy(
            self,
            f"Cache-{b.route.name}",
            comment=f"{b.route.label}: {rule.ttl_s} s, from the route catalogue",
            min_ttl=cdk.Duration.seconds(0),  # so the function's no-store on errors is honoured
            default_ttl=ttl,
            max_ttl=ttl,
            # With CORS on, the answer carries Access-Control-Allow-Origin per origin: key on Origin.
            header_behavior=cloudfront.CacheHeaderBehavior.allow_list("Origin")
            if self.config.cors_allowed_origins
            else cloudfront.CacheHeaderBehavior.none(),
            query_string_behavior=cloudfront.CacheQueryStringBehavior.allow_list(*rule.query_keys)
            if rule.query_keys
            else cloudfront.CacheQueryStringBehavior.none(),
            cookie_behavior=cloudfront.CacheCookieBehavior.none(),
            enable_accept_encoding_gzip=True,
            enable_accept_encoding_brotli=True,
        )

    def _cache_metrics(self) -> None:
        """CloudFront's additional metrics (CacheHitRate, OriginLatency, per-status rates): cache hits
        never reach the function, so this is the only metric that sees them (paid per distribution)."""
        cloudfront.CfnMonitoringSubscription(
            self,
            "AdditionalMetrics",
            distribution_id=self.distribution.distribution_id,
            monitoring_subscription=cloudfront.CfnMonitoringSubscription.MonitoringSubscriptionProperty(
                realtime_metrics_subscription_config=cloudfront.CfnMonitoringSubscription.RealtimeMetricsSubscriptionConfigProperty(
                    realtime_metrics_subscription_status="Enabled"
                )
            ),
        )

    def _shield_advanced(self) -> None:
        """Shield Advanced for the distribution, with automatic application-layer mitigation: Shield adds
        its own rule group (ShieldMitigationRuleGroup_*, priority 10,000,000) to this web ACL during an
        attack. Needs an active subscription (README: Shield)."""
        shield.CfnProtection(
            self,
            "ShieldProtection",
            name=f"{self.config.prefix}-distribution",
            resource_arn=self.distribution.distribution_arn,
            application_layer_automatic_response_configuration=shield.CfnProtection.ApplicationLayerAutomaticResponseConfigurationProperty(
                action=shield.CfnProtection.ActionProperty(block={}), status="ENABLED"
            ),
        )
