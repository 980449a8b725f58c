"""The WAF web ACL: the blocked-request spike alarm (us-east-1: a CLOUDFRONT-scope web ACL
publishes there, with no Region dimension) and its graphs in the dashboard's Edge section."""

from __future__ import annotations

from dataclasses import dataclass, replace

from observability import causes, queries, sections
from observability.model import Alarm, AlarmLine, Expression, Graph, Metric, Playbook, Ref
from observability.queries import SavedQuery
from observability.unit import Panel, Scope, UnitAlarms

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


def metric(name: str, label: str | None = None) -> Metric:
    return Metric(NS, name, "Sum", 300, WEB_ACL_ALL, label=label)


@dataclass(frozen=True)
class WafAlarms(UnitAlarms):
    blocked_spike: Alarm


def alarms(scope: Scope) -> WafAlarms:
    cfg = scope.cfg
    return WafAlarms(
        blocked_spike=Alarm(
            key="waf-blocked-spike",
            playbook=BLOCKED_SPIKE,
            region="edge",
            metric=metric("BlockedRequests"),
            threshold=cfg.waf_blocked_per_5min,
            comparison=">",
            evaluation_periods=1,
            datapoints_to_alarm=1,
            missing_data="notBreaching",
            missing_data_why="WAF publishes BlockedRequests only when it blocks something: no data means none",
            condition="",
            severity="ticket",
            severity_why=causes.CAUSE_WAF,
            context={"threshold": str(cfg.waf_blocked_per_5min)},
        )
    )


def saved_queries(scope: Scope) -> tuple[SavedQuery, ...]:
    """Over the WAF log group (queries/waf/, us-east-1)."""
    return queries.waf_queries()


def panels(scope: Scope, alarms: WafAlarms) -> tuple[Panel, ...]:
    """Drawn from us-east-1, next to CloudFront's graphs in the Edge section."""
    blocked_spike = alarms.blocked_spike
    row = (
        Graph(
            "WAF allowed / blocked / 5 min",
            left=(
                metric("AllowedRequests", label="allowed"),
                replace(blocked_spike.metric, label="blocked"),
            ),
            lines=(AlarmLine(blocked_spike, "blocked alarm {threshold:g}"),),
            edge=True,
            width=6,
        ),
        # SEARCH (dashboards only, never alarms) finds every rule's metric without knowing rule names.
        # Its schema lists the exact dimension set of rule metrics: {Rule, WebACL}, no Region.
        # ($web_acl_metric_name is a deploy-time value, filled in like a Ref.)
        Graph(
            "WAF blocked by rule / 5 min",
            left=(
                Expression(
                    'SEARCH(\'{AWS/WAFV2,Rule,WebACL} MetricName="BlockedRequests" '
                    'WebACL="$web_acl_metric_name" NOT Rule="ALL"\', \'Sum\', 300)',
                    {},
                    period_s=300,
                    label="",
                ),
            ),
            edge=True,
            stacked=True,
            width=6,
        ),
    )
    return (Panel(sections.EDGE, (row,)),)
