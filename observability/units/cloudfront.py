"""The CloudFront distribution: the 5xx-rate alarm (us-east-1: AWS/CloudFront metrics exist only
there, with Region=Global) and its graphs in the dashboard's Edge section."""

from __future__ import annotations

from dataclasses import replace

from observability import sections
from observability.config import MonitoringConfig
from observability.model import Alarm, AlarmLine, Graph, Metric, Playbook, Ref

NS = "AWS/CloudFront"
# CDK's Distribution.metric*() helpers omit both dimensions; without Region=Global there is no data.
DISTRIBUTION = (("DistributionId", Ref("distribution_id")), ("Region", "Global"))


def metric(name: str, statistic: str, label: str | None = None) -> Metric:
    return Metric(NS, name, statistic, 300, DISTRIBUTION, label=label)


ERROR_RATE_5XX = Playbook(
    kind="cloudfront-5xx-rate",
    title="CloudFront 5xx rate",
    meaning=(
        "{threshold} % or more of viewer requests got a 5xx from CloudFront: the function faulted or "
        "was throttled (502/503), timed out (504), or the origin signature (OAC) was refused."
    ),
    first_checks=(
        "Home-region dashboard, Service section: fault rate up too? Then it is the function; see its alarms",
        "Fault rate flat: the function never saw them. Lambda throttles? Errors (timeouts)? OAC / "
        "Function URL permissions changed?",
        "CloudFront console, distribution Monitoring: which status code",
    ),
    dashboard_section=sections.EDGE,
    saved_queries=("errors-by-route",),
)

_QUIET_WHY = "CloudFront publishes error rates only for periods with requests: no traffic, no errors"


def alarms(cfg: MonitoringConfig) -> list[Alarm]:
    pct = cfg.cloudfront_5xx_rate_pct
    return [
        Alarm(
            key="cloudfront-5xx-rate",
            playbook=ERROR_RATE_5XX,
            region="edge",
            metric=metric("5xxErrorRate", "Average"),
            threshold=pct,
            comparison=">=",
            # 2 of 3: one bad 5-minute period on a quiet distribution can be a couple of requests.
            evaluation_periods=3,
            datapoints_to_alarm=2,
            missing_data="notBreaching",
            missing_data_why=_QUIET_WHY,
            condition=f"Average(5xxErrorRate) >= {pct:g} % in 2 of 3 5-min periods",
            context={"threshold": f"{pct:g}"},
        )
    ]


def widgets(error_rate: Alarm) -> tuple[Graph, ...]:
    return (
        Graph("CloudFront requests / 5 min", left=(metric("Requests", "Sum", label="requests"),), edge=True, width=6),
        Graph(
            "CloudFront 4xx / 5xx rate, %",
            left=(
                replace(error_rate.metric, label="5xx %"),  # type: ignore[type-var]
                metric("4xxErrorRate", "Average", label="4xx % (WAF blocks are 403)"),
            ),
            lines=(AlarmLine(error_rate, "5xx alarm {threshold:g} %"),),
            edge=True,
            width=6,
        ),
    )
