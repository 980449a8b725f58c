"""WAF alarm (us-east-1: a CLOUDFRONT-scope web ACL publishes there, with no Region dimension)."""

from __future__ import annotations

from dashboards import sections
from stacks.monitoring.config import MonitoringConfig
from stacks.monitoring.spec import AlarmSpec, MetricSpec, Playbook, Ref

NS = "AWS/WAFV2"
# WebACL is the web ACL's VisibilityConfig metric name; Rule=ALL aggregates every rule.
WEB_ACL_ALL = (("WebACL", Ref("web_acl_metric_name")), ("Rule", "ALL"))

BLOCKED_SPIKE = Playbook(
    kind="waf-blocked-spike",
    title="WAF blocked-request spike",
    meaning=(
        "The web ACL blocked more than {threshold} requests in 5 minutes: an attack or scanner, or a "
        "rule blocking legitimate clients (false positive)."
    ),
    first_checks=(
        "Saved query blocked-by-rule-and-ip (WAF log group, us-east-1): one IP or many? which rule?",
        "Many IPs on one managed rule and a matching drop in Requests: likely false positive; "
        "consider excluding that rule",
        "One IP: the rate-based rule is doing its job; nothing to do unless it keeps growing",
    ),
    dashboard_section=sections.EDGE,
    saved_queries=("blocked-by-rule-and-ip",),
)


def alarms(cfg: MonitoringConfig) -> list[AlarmSpec]:
    return [
        AlarmSpec(
            key="waf-blocked-spike",
            playbook=BLOCKED_SPIKE,
            region="edge",
            metrics={"blocked": MetricSpec(NS, "BlockedRequests", "Sum", 300, WEB_ACL_ALL)},
            threshold=cfg.waf_blocked_per_5min,
            comparison=">",
            evaluation_periods=1,
            datapoints_to_alarm=1,
            missing_data="notBreaching",
            missing_data_why="WAF publishes BlockedRequests only when it blocks something: no data means none",
            condition=f"Sum(BlockedRequests) > {cfg.waf_blocked_per_5min} in a 5-min period",
            context={"threshold": str(cfg.waf_blocked_per_5min)},
        )
    ]
