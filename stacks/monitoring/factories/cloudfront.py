"""CloudFront alarms (us-east-1 only: AWS/CloudFront metrics exist there, with Region=Global)."""

from __future__ import annotations

from dashboards import sections
from stacks.monitoring.config import MonitoringConfig
from stacks.monitoring.spec import AlarmSpec, MetricSpec, Playbook, Ref

NS = "AWS/CloudFront"
# CDK's Distribution.metric*() helpers omit both dimensions; without Region=Global there is no data.
DISTRIBUTION = (("DistributionId", Ref("distribution_id")), ("Region", "Global"))

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


def alarms(cfg: MonitoringConfig) -> list[AlarmSpec]:
    return [
        AlarmSpec(
            key="cloudfront-5xx-rate",
            playbook=ERROR_RATE_5XX,
            region="edge",
            metrics={"rate": MetricSpec(NS, "5xxErrorRate", "Average", 300, DISTRIBUTION)},
            threshold=cfg.cloudfront_5xx_rate_pct,
            comparison=">=",
            # 2 of 3: one bad 5-minute period on a quiet distribution can be a couple of requests.
            evaluation_periods=3,
            datapoints_to_alarm=2,
            missing_data="notBreaching",
            missing_data_why=_QUIET_WHY,
            condition=f"Average(5xxErrorRate) >= {cfg.cloudfront_5xx_rate_pct:g} % in 2 of 3 5-min periods",
            context={"threshold": f"{cfg.cloudfront_5xx_rate_pct:g}"},
        )
    ]
