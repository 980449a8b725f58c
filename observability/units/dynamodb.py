"""The DynamoDB table: throttling and DynamoDB-side (5xx) error alarms, and its DynamoDB section.

Per-operation metrics (SuccessfulRequestLatency, SystemErrors) are read for exactly the operations
the service calls (service.dal.tables.DYNAMODB_OPERATIONS, the same list IAM grants)."""

from __future__ import annotations

from dataclasses import dataclass

from observability import causes, sections
from observability.model import RED, Alarm, Expression, Graph, Metric, Playbook, Ref
from observability.queries import SavedQuery
from observability.unit import Panel, Scope, UnitAlarms
from service.dal.tables import DYNAMODB_OPERATIONS

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
    saved_queries=("faults-by-cause", "requests-by-route-and-status", "errors-by-route"),
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
    saved_queries=("faults-by-cause", "errors-by-route"),
)

# CloudWatch keeps an AWS/DynamoDB alarm's state on missing data whatever TreatMissingData says, so the
# alarms say `ignore` (what really happens) and FILL every counter with 0: a period without throttles or
# errors is a real 0 datapoint, and the alarm returns to OK instead of staying in ALARM forever.
_QUIET_WHY = (
    "CloudWatch keeps AWS/DynamoDB alarms' state on missing data whatever is set, so `ignore` says what "
    "happens; the counters are FILLed with 0 (published only when they happen), so a quiet period is a real "
    "0 and the alarm recovers"
)


def metric(name: str, statistic: str, period_s: int, operation: str | None = None, label: str | None = None) -> Metric:
    dims = TABLE if operation is None else (*TABLE, ("Operation", operation))
    return Metric(NS, name, statistic, period_s, dims, label=label)


def system_errors(period_s: int, *, labelled: bool = False, color: str | None = None) -> Expression:
    """SystemErrors summed over the operations, each FILLed with 0 (published only when they happen)."""
    using = {
        f"e{i}": metric("SystemErrors", "Sum", period_s, op, label=op if labelled else None)
        for i, op in enumerate(DYNAMODB_OPERATIONS)
    }
    filled = ", ".join(f"FILL({k}, 0)" for k in using)
    return Expression(f"SUM([{filled}])", using, period_s=period_s, label="system errors", color=color)


@dataclass(frozen=True)
class DynamoDBAlarms(UnitAlarms):
    throttles: Alarm
    system_errors: Alarm


def alarms(scope: Scope) -> DynamoDBAlarms:
    return DynamoDBAlarms(
        throttles=Alarm(
            key="dynamodb-throttles",
            playbook=THROTTLES,
            region="home",
            # Read/WriteThrottleEvents carry only TableName (ThrottledRequests needs an Operation each).
            # FILL: a 0 in every period without throttles, so the alarm can return to OK.
            metric=Expression(
                "SUM([FILL(reads, 0), FILL(writes, 0)])",
                {
                    "reads": metric("ReadThrottleEvents", "Sum", 300),
                    "writes": metric("WriteThrottleEvents", "Sum", 300),
                },
                period_s=300,
                label="throttle events",
            ),
            threshold=0,
            comparison=">",
            evaluation_periods=1,
            datapoints_to_alarm=1,
            missing_data="ignore",
            missing_data_why=_QUIET_WHY,
            condition="Sum(ReadThrottleEvents) + Sum(WriteThrottleEvents)",
            severity="ticket",
            severity_why=causes.CAUSE_DDB_THROTTLES,
        ),
        system_errors=Alarm(
            key="dynamodb-system-errors",
            playbook=SYSTEM_ERRORS,
            region="home",
            metric=system_errors(300),
            threshold=0,
            comparison=">",
            # 2 of 3: single DynamoDB 500s are retried away; a trend is worth a look.
            evaluation_periods=3,
            datapoints_to_alarm=2,
            missing_data="ignore",
            missing_data_why=_QUIET_WHY,
            condition=f"Sum(SystemErrors) over {', '.join(DYNAMODB_OPERATIONS)}",
            severity="ticket",
            severity_why=causes.CAUSE_DDB_ERRORS,
        ),
    )


def saved_queries(scope: Scope) -> tuple[SavedQuery, ...]:
    return ()


def panels(scope: Scope, alarms: DynamoDBAlarms) -> tuple[Panel, ...]:
    return (
        Panel(
            sections.DYNAMODB,
            (
                (
                    Graph(
                        "Request latency by operation, ms (Average)",
                        left=tuple(
                            metric("SuccessfulRequestLatency", "Average", 60, op, label=op)
                            for op in DYNAMODB_OPERATIONS
                        ),
                        width=12,
                    ),
                    Graph(
                        "Throttle events and system errors / min",
                        left=tuple(
                            metric(n, "Sum", 60, label=n) for n in ("ReadThrottleEvents", "WriteThrottleEvents")
                        ),
                        right=(system_errors(60, labelled=True, color=RED),),
                        width=12,
                    ),
                ),
            ),
        ),
    )
