"""The CloudFront distribution: 5xx- and 4xx-rate alarms (us-east-1: AWS/CloudFront metrics exist only
there, with Region=Global) and their graphs in the dashboard's Edge section.

These are the only alarms that see a request CloudFront answered without the origin (row g of the
failure-mode matrix): an alarm cannot read another region's metrics, so "CloudFront requests vs Function
URL requests" is no alarm. Whenever CloudFront receives a request the function does not answer, the
viewer gets a CloudFront 4xx (WAF, API-key function, refused signature, throttle) or 5xx (origin
unreachable, crash, timeout): these two rates page on it."""

from __future__ import annotations

from dataclasses import dataclass, replace

from observability import queries, sections
from observability.model import ORANGE, RED, Alarm, AlarmLine, Expression, Graph, Metric, Playbook, Ref
from observability.monitoring_config import MonitoringConfig
from observability.queries import SavedQuery
from observability.unit import Panel, Scope, UnitAlarms

NS = "AWS/CloudFront"
# CDK's Distribution.metric*() helpers omit both dimensions; without Region=Global there is no data.
DISTRIBUTION = (("DistributionId", Ref("distribution_id")), ("Region", "Global"))


def metric(name: str, statistic: str, label: str | None = None) -> Metric:
    return Metric(NS, name, statistic, 300, DISTRIBUTION, label=label)


ERROR_RATE_5XX = Playbook(
    kind="cloudfront-5xx-rate",
    title="CloudFront 5xx rate",
    meaning=(
        "{threshold} % or more of viewer requests got a 5xx from CloudFront: the function answered 5xx "
        "(a fault or a failing dependency), crashed or timed out (502 from the Function URL), or "
        "CloudFront could not reach the origin at all (502/504: DNS, TLS, a Function URL domain that no "
        "longer exists). Throttles and refused signatures are 4xx, not here."
    ),
    first_checks=(
        "Home-region dashboard, Service section: fault rate up too? Then the function answered 5xx; "
        "see the route burn-rate and DynamoDB alarms",
        "Function URL graphs (Edge section): 5xx without a function answer = crash, timeout, init failure",
        "Neither moved and URL requests dropped: CloudFront cannot reach the origin. Does the distribution's "
        "origin domain match the Service stack's FunctionUrlDomain output? Redeploy in order (make deploy)",
    ),
    dashboard_section=sections.EDGE,
    saved_queries=("errors-by-route",),
)

ERROR_RATE_4XX = Playbook(
    kind="cloudfront-4xx-rate",
    title="CloudFront 4xx rate",
    meaning=(
        "{threshold} % or more of viewer requests got a 4xx from CloudFront. A healthy API has some "
        "(404, 422, WAF blocks); this many means requests are refused before the function answers: the "
        "Function URL refusing CloudFront's signature or permission (403), throttling (429), a WAF rule "
        "blocking legitimate traffic (403), or the edge API-key function refusing every key (401/403)."
    ),
    first_checks=(
        "WAF graphs (Edge section): blocked requests up? Which rule (blocked-by-rule-and-ip)",
        "Function URL graphs: refused share up? Throttles alarm? Then see function-url-refused",
        "Neither: CloudFront answered without the origin (API-key function, KeyValueStore, geo rules); "
        "the service's 4xx rate (Service section) tells whether the function answered them",
    ),
    dashboard_section=sections.EDGE,
    saved_queries=("blocked-by-rule-and-ip",),
)

_QUIET_WHY = (
    "the expression has no datapoint below {floor} viewer requests in 5 minutes (CloudFront publishes "
    "nothing without requests, and a rate over a handful of requests is noise): no evidence of failure"
)


# The 5xx alarm's gate: the share of the window's minutes (CloudFront publishes one 5xxErrorRate datapoint per
# minute with requests) that saw any 5xx. Average(5xxErrorRate) averages per-minute percentages, so on a quiet
# API one 502 in a 3-request minute reads 33 % and lifts the 5-minute average over the threshold; a window's
# exact 5xx share (rate x requests summed per minute) cannot be written in one alarm, whose metrics share its
# period. Failures users feel fail most minutes; isolated 5xx touch one or two.
MOST_MINUTES_PCT = 50


def rate(cfg: MonitoringConfig, status: str, label: str) -> Expression:
    """An error-rate metric with the request floor: no datapoint below ``cloudfront_min_requests``."""
    floor = cfg.cloudfront_min_requests
    rid = f"rate{status}"  # ids unique per graph that draws both rates
    return Expression(
        f"IF(requests >= {floor}, {rid})",
        {"requests": metric("Requests", "Sum"), rid: metric(f"{status}ErrorRate", "Average")},
        period_s=300,
        label=label,
    )


_ISOLATED_WHY = (
    ", nor in a window where at most half the minutes saw a 5xx (isolated 5xx: a retry's worth, nobody's outage)"
)


@dataclass(frozen=True)
class CloudFrontAlarms(UnitAlarms):
    rate_5xx: Alarm
    rate_4xx: Alarm


def alarms(scope: Scope) -> CloudFrontAlarms:
    return CloudFrontAlarms(
        rate_5xx=_rate_alarm(scope.cfg, "5xx", scope.cfg.cloudfront_5xx_rate_pct, ERROR_RATE_5XX),
        rate_4xx=_rate_alarm(scope.cfg, "4xx", scope.cfg.cloudfront_4xx_rate_pct, ERROR_RATE_4XX),
    )


def persistent_5xx_rate(cfg: MonitoringConfig, label: str) -> Expression:
    """The 5xx rate with the request floor, only in windows where more than half the minutes saw a 5xx."""
    plain = rate(cfg, "5xx", label)
    return Expression(
        f"IF(requests >= {cfg.cloudfront_min_requests} && minutes5xx > {MOST_MINUTES_PCT}, rate5xx)",
        {**plain.using, "minutes5xx": metric("5xxErrorRate", "PR(0:)")},
        period_s=300,
        label=label,
    )


def _rate_alarm(cfg: MonitoringConfig, status: str, pct: float, playbook: Playbook) -> Alarm:
    floor = cfg.cloudfront_min_requests
    persistent = status == "5xx"
    return Alarm(
        key=f"cloudfront-{status}-rate",
        playbook=playbook,
        region="edge",
        metric=persistent_5xx_rate(cfg, f"{status} %") if persistent else rate(cfg, status, f"{status} %"),
        threshold=pct,
        comparison=">=",
        # 2 of 3: one bad 5-minute period can be a burst of a few clients.
        evaluation_periods=3,
        datapoints_to_alarm=2,
        missing_data="notBreaching",
        missing_data_why=_QUIET_WHY.format(floor=floor) + (_ISOLATED_WHY if persistent else ""),
        condition=f"Average({status}ErrorRate) in %"
        + (" (minutes5xx: PR(0:) of 5xxErrorRate, the % of the window's minutes with a 5xx)" if persistent else ""),
        context={"threshold": f"{pct:g}"},
    )


def saved_queries(scope: Scope) -> tuple[SavedQuery, ...]:
    """Over CloudFront's access logs (queries/cloudfront/, us-east-1)."""
    return queries.cloudfront_log_queries()


def panels(scope: Scope, alarms: CloudFrontAlarms) -> tuple[Panel, ...]:
    """Drawn from us-east-1, first in the Edge section."""
    rate_5xx, rate_4xx = alarms.rate_5xx, alarms.rate_4xx
    row = (
        Graph("CloudFront requests / 5 min", left=(metric("Requests", "Sum", label="requests"),), edge=True, width=6),
        Graph(
            "CloudFront 4xx / 5xx rate, % (5 min, request floor)",
            left=(
                replace(rate_5xx.metric, label="5xx %", color=RED),
                replace(rate_4xx.metric, label="4xx % (WAF blocks, refusals, throttles)", color=ORANGE),
            ),
            lines=(
                AlarmLine(rate_5xx, "5xx alarm {threshold:g} %"),
                AlarmLine(rate_4xx, "4xx alarm {threshold:g} %", color=ORANGE),
            ),
            edge=True,
            width=6,
        ),
    )
    return (Panel(sections.EDGE, (row,)),)
