"""The WAF web ACL in front of the distribution (scope CLOUDFRONT, us-east-1), and its logging.

Rules, in evaluation order: the anti-DDoS rule group (with Shield Advanced), the geo restriction (when
configured), the rate limit per IP, the rate limit per API key (with API keys), our own body limit, then
AWS's managed rule groups. Blocks answer with JSON problem bodies built by service/problems.py, the same
shape the API returns for its own errors (declared application/json: WAF custom responses cannot name
application/problem+json).
"""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2

from service.header_names import SECRET_HEADERS
from service.limits import MAX_BODY_BYTES
from service.problems import problem_details
from settings.config import InfraConfig
from stacks.edge.log_groups import plain_log_group_arn
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
# With shield_advanced, first in the ACL, so it sees every request: WAF's application-layer DDoS
# mitigation (it supersedes Shield's automatic response since 2026-03-26; WAF bills it on top).
ANTI_DDOS_RULE_GROUP = "AWSManagedRulesAntiDDoSRuleSet"
RATE_RULE = "RateLimitPerIp"
BODY_RULE = "BodyTooLarge"
GEO_RULE = "GeoRestriction"
KEY_RATE_RULE = "RateLimitPerApiKey"


def waf_problem(status: int, detail: str, *, title: str | None = None) -> str:
    """A custom response body: the API's problem document (no correlation id: the function never
    saw the request), serialized with json.dumps' default separators as deployed."""
    return json.dumps(problem_details(status, detail, title=title))


def geo_acknowledgment(config: InfraConfig) -> str:
    """cdk-nag CFR1 looks for CloudFront's geo restriction only; say what is true of this config."""
    if config.geo_allow or config.geo_deny:
        which = (
            f"allows only {', '.join(config.geo_allow)}" if config.geo_allow else f"denies {', '.join(config.geo_deny)}"
        )
        return (
            f"Geo restriction is enforced by the WAF rule {GEO_RULE} ({which}), which has its own metric and "
            "answers a problem-details 403; CloudFront's geo restriction would answer a bare 403 with no WAF metric."
        )
    return (
        "No geographic requirement is configured (geo_allow / geo_deny are null); when one is set, the WAF "
        f"rule {GEO_RULE} enforces it. Abuse is handled by the WAF rate and IP-reputation rules."
    )


class WebAcl:
    """The web ACL (``web_acl``), its log group (``log_group``) and logging configuration."""

    def __init__(self, stack: cdk.Stack, config: InfraConfig) -> None:
        self._stack = stack
        self.config = config
        # AWS/WAFV2's WebACL dimension: see the web ACL's name below.
        self.metric_name = f"{config.prefix}-web-acl"
        self.log_group = logs.LogGroup(
            stack,
            "WafLogs",
            # WAF only delivers to log groups whose name starts with aws-waf-logs-.
            log_group_name=f"aws-waf-logs-{config.prefix.lower()}",
            retention=retention_days(config.log_retention_days),
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        self.web_acl = self._web_acl()
        wafv2.CfnLoggingConfiguration(
            stack,
            "WafLogging",
            resource_arn=self.web_acl.attr_arn,
            # WAF wants the plain log group ARN; LogGroup.log_group_arn ends in ':*'.
            log_destination_configs=[plain_log_group_arn(stack, self.log_group)],
            redacted_fields=[
                wafv2.CfnLoggingConfiguration.FieldToMatchProperty(single_header={"Name": name})
                # The service's own list of secret headers: WAF never logs what the service never logs.
                for name in SECRET_HEADERS
            ],
        )

    def _rule_visibility(self, rule: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
        return wafv2.CfnWebACL.VisibilityConfigProperty(
            cloud_watch_metrics_enabled=True, metric_name=f"{self.config.prefix}-{rule}", sampled_requests_enabled=True
        )

    @staticmethod
    def _block(status: int, body_key: str) -> wafv2.CfnWebACL.RuleActionProperty:
        return wafv2.CfnWebACL.RuleActionProperty(
            block=wafv2.CfnWebACL.BlockActionProperty(
                custom_response=wafv2.CfnWebACL.CustomResponseProperty(
                    response_code=status, custom_response_body_key=body_key
                )
            )
        )

    def _web_acl(self) -> wafv2.CfnWebACL:
        rules: list[dict[str, object]] = [
            *self._anti_ddos_rules(),
            *self._geo_rules(),
            dict(
                name=RATE_RULE,
                statement=wafv2.CfnWebACL.StatementProperty(
                    rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                        limit=self.config.waf_rate_limit, aggregate_key_type="IP", evaluation_window_sec=300
                    )
                ),
                action=self._block(429, "TooManyRequests"),
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
                action=self._block(413, "PayloadTooLarge"),
                visibility_config=self._rule_visibility(BODY_RULE),
            ),
        ]
        for group, counted in MANAGED_RULE_GROUPS:
            rules.append(
                self._managed_group(
                    group,
                    rule_action_overrides=[
                        wafv2.CfnWebACL.RuleActionOverrideProperty(
                            name=rule, action_to_use=wafv2.CfnWebACL.RuleActionProperty(count={})
                        )
                        for rule in counted
                    ]
                    or None,
                )
            )

        bodies = {
            key: wafv2.CfnWebACL.CustomResponseBodyProperty(content_type="APPLICATION_JSON", content=content)
            for key, content in self._response_bodies().items()
        }
        return wafv2.CfnWebACL(
            self._stack,
            "WebAcl",
            # AWS/WAFV2's WebACL dimension is documented as the web ACL's name and observed as its
            # VisibilityConfig metric name: make both the same string, so the alarms and widgets that
            # read it (web_acl_metric_name) match whichever AWS publishes under. A named web ACL cannot
            # be replaced in place; nothing here changes a replacement-only property (Name, Scope).
            name=self.metric_name,
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
            rules=[wafv2.CfnWebACL.RuleProperty(priority=i, **rule) for i, rule in enumerate(rules)],  # type: ignore[arg-type]  # each rule is a dict of RuleProperty's keywords
            custom_response_bodies=bodies,
            visibility_config=wafv2.CfnWebACL.VisibilityConfigProperty(
                cloud_watch_metrics_enabled=True,
                metric_name=self.metric_name,
                sampled_requests_enabled=True,
            ),
        )

    def _response_bodies(self) -> dict[str, str]:
        """Custom response bodies by key (the rules' custom_response_body_key)."""
        bodies = {}
        if self.config.geo_allow or self.config.geo_deny:
            bodies["GeoBlocked"] = waf_problem(403, "This API is not available from your country.")
        if self.config.api_keys:
            bodies["TooManyRequestsPerKey"] = waf_problem(429, "Rate limit per API key exceeded; retry later.")
        bodies["TooManyRequests"] = waf_problem(429, "Rate limit per client IP exceeded; retry later.")
        # RFC 9110's name for 413, whichever Python's HTTPStatus phrase (3.11: "Request Entity Too Large").
        bodies["PayloadTooLarge"] = waf_problem(
            413, f"Request body exceeds {MAX_BODY_BYTES} bytes.", title="Content Too Large"
        )
        return bodies

    def _anti_ddos_rules(self) -> list[dict[str, object]]:
        """The anti-DDoS managed rule group, with shield_advanced, configured for an API: its two challenge
        rules (ChallengeAllDuringEvent, ChallengeDDoSRequests) are disabled, since an API client cannot
        answer a silent browser challenge; DDoSRequests blocks the requests labelled most suspicious during
        an event (SensitivityToBlock LOW, the default: the fewest false positives)."""
        if not self.config.shield_advanced:
            return []
        return [
            self._managed_group(
                ANTI_DDOS_RULE_GROUP,
                managed_rule_group_configs=[
                    wafv2.CfnWebACL.ManagedRuleGroupConfigProperty(
                        aws_managed_rules_anti_d_do_s_rule_set=wafv2.CfnWebACL.AWSManagedRulesAntiDDoSRuleSetProperty(
                            client_side_action_config=wafv2.CfnWebACL.ClientSideActionConfigProperty(
                                challenge=wafv2.CfnWebACL.ClientSideActionProperty(usage_of_action="DISABLED")
                            ),
                            sensitivity_to_block="LOW",
                        )
                    )
                ],
            )
        ]

    def _managed_group(self, group: str, **statement: Any) -> dict[str, object]:
        """An AWS managed rule group as a rule: the group's own actions apply (override none), its own metric."""
        return dict(
            name=group,
            statement=wafv2.CfnWebACL.StatementProperty(
                managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                    vendor_name="AWS", name=group, **statement
                )
            ),
            override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
            visibility_config=self._rule_visibility(group),
        )

    def _geo_rules(self) -> list[dict[str, object]]:
        """geo_allow / geo_deny as a WAF geo-match rule, first in the ACL: its own metric and a
        problem-details 403 (CloudFront's own geo restriction answers a bare 403 with no WAF metric)."""
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
                action=self._block(403, "GeoBlocked"),
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
                action=self._block(429, "TooManyRequestsPerKey"),
                visibility_config=self._rule_visibility(KEY_RATE_RULE),
            )
        ]
