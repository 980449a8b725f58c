"""Lambda alarms: reserved-concurrency utilisation and throttles (the core alarms), and crashes."""

from __future__ import annotations

from dashboards import sections
from stacks.monitoring.config import MonitoringConfig
from stacks.monitoring.spec import AlarmSpec, MetricSpec, Playbook, Ref

NS = "AWS/Lambda"
FUNCTION = (("FunctionName", Ref("function_name")),)

CONCURRENCY = Playbook(
    kind="lambda-concurrency-utilisation",
    title="Reserved concurrency nearly used up",
    meaning=(
        "The function is using {threshold} % or more of its reserved concurrency. At 100 % new "
        "requests are throttled (HTTP 429/502 at CloudFront), and the Function URL also caps requests "
        "per second at 10 x reserved."
    ),
    first_checks=(
        "Traffic or latency? Service section: Requests up, or Latency up (slower requests hold "
        "concurrency longer, e.g. a slow DynamoDB call)",
        "Edge section: a flood from few IPs is the WAF rate rule's job; check blocked requests",
        "Real growth: raise reserved concurrency (account's unreserved pool must stay >= 100)",
    ),
    dashboard_section=sections.CONCURRENCY,
    saved_queries=("requests-by-route-and-status", "slowest-requests"),
)

THROTTLES = Playbook(
    kind="lambda-throttles",
    title="Lambda throttles",
    meaning=(
        "Lambda rejected invocations because the function ran at its concurrency limit (reserved "
        "or account). Those viewers got an error without the function running: no access line, no EMF."
    ),
    first_checks=(
        "Concurrency section: ConcurrentExecutions at the reserved line?",
        "Latency up at the same time means requests hold concurrency longer; find the slow route",
        "Sustained: raise reserved concurrency or lower the WAF rate limit",
    ),
    dashboard_section=sections.CONCURRENCY,
    saved_queries=("latency-percentiles-by-route",),
)

ERRORS = Playbook(
    kind="lambda-errors",
    title="Lambda function errors",
    meaning=(
        "Invocations failed outside the resolver's error handling: timeout, out of memory, import or "
        "init failure, or a crash in middleware. Viewers got a 502 from CloudFront."
    ),
    first_checks=(
        "Lambda section: Errors with Duration near the timeout = timeouts; with cold starts = init failures",
        "Log group: search 'Task timed out', 'Runtime exited' or 'Init' lines (not JSON, not in the queries)",
        "Recent deploy or layer version change? Roll back if it correlates",
    ),
    dashboard_section=sections.LAMBDA,
    saved_queries=("recent-errors",),
)

_IDLE_WHY = "no data means no invocations: nothing is at risk"


def alarms(cfg: MonitoringConfig, reserved_concurrency: int | None) -> list[AlarmSpec]:
    out: list[AlarmSpec] = []
    if reserved_concurrency:
        # Utilisation only means something against a reserved value; without one the function shares
        # the account pool, and the Throttles alarm below is the signal that still applies.
        out.append(
            AlarmSpec(
                key="lambda-concurrency-utilisation",
                playbook=CONCURRENCY,
                region="home",
                metrics={"concurrency": MetricSpec(NS, "ConcurrentExecutions", "Maximum", 60, FUNCTION)},
                expression=f"100 * concurrency / {reserved_concurrency}",
                expression_label="reserved concurrency used (%)",
                threshold=cfg.concurrency_utilisation_pct,
                comparison=">=",
                # 2 of 3 minutes: a single busy minute is normal burstiness, two is a trend.
                evaluation_periods=3,
                datapoints_to_alarm=2,
                missing_data="notBreaching",
                missing_data_why="ConcurrentExecutions is published only while the function runs; " + _IDLE_WHY,
                condition=(
                    f"100 x Maximum(ConcurrentExecutions) / reserved concurrency >= "
                    f"{cfg.concurrency_utilisation_pct:g} % in 2 of 3 1-min periods"
                ),
                context={"threshold": f"{cfg.concurrency_utilisation_pct:g}"},
            )
        )
    out.append(
        AlarmSpec(
            key="lambda-throttles",
            playbook=THROTTLES,
            region="home",
            metrics={"throttles": MetricSpec(NS, "Throttles", "Sum", 60, FUNCTION)},
            threshold=0,
            comparison=">",
            evaluation_periods=1,
            datapoints_to_alarm=1,
            missing_data="notBreaching",
            missing_data_why=_IDLE_WHY,
            condition="Sum(Throttles) > 0 in a 1-min period",
        )
    )
    out.append(
        AlarmSpec(
            key="lambda-errors",
            playbook=ERRORS,
            region="home",
            metrics={"errors": MetricSpec(NS, "Errors", "Sum", 300, FUNCTION)},
            threshold=cfg.lambda_errors_threshold,
            comparison=">=",
            evaluation_periods=1,
            datapoints_to_alarm=1,
            missing_data="notBreaching",
            missing_data_why=_IDLE_WHY,
            condition=f"Sum(Errors) >= {cfg.lambda_errors_threshold} in a 5-min period",
        )
    )
    return out
