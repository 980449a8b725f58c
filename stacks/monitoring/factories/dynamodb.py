"""DynamoDB alarms: throttled reads/writes and DynamoDB-side (5xx) errors."""

from __future__ import annotations

from dashboards import sections
from stacks.monitoring.config import MonitoringConfig
from stacks.monitoring.spec import AlarmSpec, MetricSpec, Playbook, Ref

NS = "AWS/DynamoDB"
TABLE = (("TableName", Ref("table_name")),)

THROTTLES = Playbook(
    kind="dynamodb-throttles",
    title="DynamoDB throttling",
    meaning=(
        "DynamoDB throttled reads or writes on the table. The SDK retries, so first latency rises, then "
        "routes fail with 5xx. On-demand tables throttle when traffic jumps past twice its previous peak "
        "or a hot partition key."
    ),
    first_checks=(
        "DynamoDB section: read or write side? Which routes' latency and faults rose with it?",
        "A scan-heavy route (orders_summary) hammering the table? Requests by route",
        "Hot key: many requests for one order id (correlation-id / route errors queries)",
    ),
    dashboard_section=sections.DYNAMODB,
    saved_queries=("requests-by-route-and-status", "errors-by-route"),
)

SYSTEM_ERRORS = Playbook(
    kind="dynamodb-system-errors",
    title="DynamoDB system errors",
    meaning=(
        "DynamoDB answered HTTP 500 (its side, not ours) repeatedly. The SDK retries; sustained errors "
        "reach viewers as 5xx."
    ),
    first_checks=(
        "AWS Health Dashboard for DynamoDB in this region",
        "Route rows: which routes' fault rate moved with it?",
        "Nothing to fix in code unless retries are disabled; watch the burn-rate alarms",
    ),
    dashboard_section=sections.DYNAMODB,
    saved_queries=("errors-by-route",),
)

_QUIET_WHY = "DynamoDB publishes these only when they happen: no data means none"


def alarms(cfg: MonitoringConfig) -> list[AlarmSpec]:
    ops = cfg.dynamodb_operations
    sys_metrics = {
        f"e{i}": MetricSpec(NS, "SystemErrors", "Sum", 300, (*TABLE, ("Operation", op))) for i, op in enumerate(ops)
    }
    return [
        AlarmSpec(
            key="dynamodb-throttles",
            playbook=THROTTLES,
            region="home",
            # Read/WriteThrottleEvents carry only TableName (ThrottledRequests needs an Operation each).
            metrics={
                "reads": MetricSpec(NS, "ReadThrottleEvents", "Sum", 300, TABLE),
                "writes": MetricSpec(NS, "WriteThrottleEvents", "Sum", 300, TABLE),
            },
            # SUM([...]) keeps a value when only one side has data; "reads + writes" would not.
            expression="SUM([reads, writes])",
            expression_label="throttle events",
            threshold=0,
            comparison=">",
            evaluation_periods=1,
            datapoints_to_alarm=1,
            missing_data="notBreaching",
            missing_data_why=_QUIET_WHY,
            condition="Sum(ReadThrottleEvents) + Sum(WriteThrottleEvents) > 0 in a 5-min period",
        ),
        AlarmSpec(
            key="dynamodb-system-errors",
            playbook=SYSTEM_ERRORS,
            region="home",
            metrics=sys_metrics,
            expression=f"SUM([{', '.join(sys_metrics)}])",
            expression_label="system errors",
            threshold=0,
            comparison=">",
            # 2 of 3: single DynamoDB 500s are retried away; a trend is worth a look.
            evaluation_periods=3,
            datapoints_to_alarm=2,
            missing_data="notBreaching",
            missing_data_why=_QUIET_WHY,
            condition=f"Sum(SystemErrors) over {', '.join(ops)} > 0 in 2 of 3 5-min periods",
        ),
    ]
