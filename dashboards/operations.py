"""The operator dashboard, generated from the route catalogue.

Layout (top to bottom): header, service totals, one row per route, Lambda health, concurrency,
DynamoDB, edge (CloudFront + WAF, drawn from us-east-1), alarm status, recent errors (paid query).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aws_cdk import Duration, Stack
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from dashboards import sections
from queries import SavedQuery
from service.catalogue import NOT_FOUND, RouteSpec
from service.contract import (
    METRIC_CLIENT_ERROR,
    METRIC_COLD_START,
    METRIC_FAULT,
    METRIC_LATENCY,
    METRIC_REQUESTS,
)
from stacks.monitoring import metrics
from stacks.monitoring.config import MonitoringConfig

RED = cw.Color.RED
ORANGE = cw.Color.ORANGE
PERCENTILES = ("p50", "p90", "p99")
ROW_HEIGHT = 5
# Route rates and percentiles over 5 minutes: what the latency alarm evaluates, and steadier than
# 1-minute percentiles on a quiet route.
ROUTE_PERIOD_S = 300


@dataclass(frozen=True)
class DashboardInputs:
    cfg: MonitoringConfig
    routes: Sequence[RouteSpec]
    function: lambda_.IFunction
    table_name: str
    log_group_name: str
    reserved_concurrency: int | None
    distribution_id: str | None
    web_acl_metric_name: str | None
    queries: Sequence[SavedQuery]
    core_alarms: Sequence[cw.IAlarm] = ()
    route_alarms: Mapping[str, Sequence[cw.IAlarm]] = field(default_factory=dict)  # route name -> alarms


def build_operations_dashboard(scope: Construct, construct_id: str, inputs: DashboardInputs) -> cw.Dashboard:
    dashboard = cw.Dashboard(
        scope,
        construct_id,
        dashboard_name=inputs.cfg.dashboard_name,
        default_interval=Duration.hours(3),
    )
    for row in (
        *header(scope, inputs),
        *service_section(inputs),
        *route_section(inputs),
        *lambda_section(inputs),
        *concurrency_section(inputs),
        *dynamodb_section(inputs),
        *edge_section(inputs),
        *alarm_section(inputs),
        *logs_section(inputs),
    ):
        dashboard.add_widgets(*row)
    return dashboard


Row = list[cw.IWidget]


# Counts, rates and latencies never go below zero, and units on the axis only add clutter.
_ZERO_AXIS = cw.YAxisProps(min=0, show_units=False)


def _graph(*, width: int, height: int = 6, **kwargs: Any) -> cw.GraphWidget:
    """A graph with this dashboard's defaults: six rows high, axes from zero without units."""
    kwargs.setdefault("left_y_axis", _ZERO_AXIS)
    if "right" in kwargs:
        kwargs.setdefault("right_y_axis", _ZERO_AXIS)
    return cw.GraphWidget(width=width, height=height, **kwargs)


def _alarm_line(value: float, label: str, color: cw.Color = RED) -> cw.HorizontalAnnotation:
    return cw.HorizontalAnnotation(value=value, label=label, color=color)


def _title(text: str) -> cw.TextWidget:
    return cw.TextWidget(markdown=f"## {text}", width=24, height=1, background=cw.TextWidgetBackground.TRANSPARENT)


def header(scope: Construct, inputs: DashboardInputs) -> list[Row]:
    cfg = inputs.cfg
    region = Stack.of(scope).region
    console = f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}"
    edge = f"https://{metrics.EDGE_REGION}.console.aws.amazon.com/cloudwatch/home?region={metrics.EDGE_REGION}"
    service_qs = [q for q in inputs.queries if q.route is None]
    query_list = ", ".join(f"`{q.key}`" for q in service_qs)
    md = f"""# {cfg.name_prefix}: operations
**How to read it.** Top: the whole service (every request, true percentiles over all routes). Then **one row per
route** from the catalogue: requests, fault (5xx) and 4xx rates with the error budget as a red line, latency
p50/p90/p99 with the route's SLO as a red line, and its alarms. Below: Lambda, concurrency against the reserved
value, DynamoDB, the edge (CloudFront + WAF, us-east-1) and the recent-errors log table (it and the init-duration
chart run a paid Logs Insights query on every refresh).
Rates are `Average` of 0/1 metrics: 1 % = 1 request in 100.

**When an alarm fires**, its description is a short runbook; the full one is [RUNBOOK.md]({cfg.runbook_url}).
[Home-region alarms]({console}#alarmsV2:) · [Edge alarms (us-east-1)]({edge}#alarmsV2:) ·
[Logs Insights]({console}#logsV2:logs-insights) > Saved queries > folder **{cfg.query_folder}**: {query_list},
plus `route-<name>-errors` / `route-<name>-slowest` per route."""
    return [[cw.TextWidget(markdown=md, width=24, height=6)]]


def service_section(inputs: DashboardInputs) -> list[Row]:
    m = metrics.ServiceMetrics(inputs.cfg)
    requests = _graph(
        title="Requests / min (all routes)",
        left=[m.service(METRIC_REQUESTS, "Sum", label="requests")],
        width=6,
    )
    rates = _graph(
        title="Fault (5xx) and 4xx rate, % (all routes)",
        left=_rates(
            m.service(METRIC_FAULT, "Average"),
            m.service(METRIC_CLIENT_ERROR, "Average"),
        ),
        width=6,
    )
    latency = _graph(
        title="Latency, ms (all routes: true percentiles)",
        left=[m.service(METRIC_LATENCY, p, label=p) for p in PERCENTILES],
        width=6,
    )
    mix = _graph(
        title="Requests by route",
        # NOT_FOUND too: scanners and broken clients show up here before anywhere else.
        left=[m.route(METRIC_REQUESTS, "Sum", r.label, label=r.label) for r in inputs.routes]
        + [m.route(METRIC_REQUESTS, "Sum", NOT_FOUND, label="NOT_FOUND (unmatched)")],
        stacked=True,
        width=6,
    )
    return [[_title(sections.SERVICE)], [requests, rates, latency, mix]]


def _rates(fault: cw.Metric, client: cw.Metric) -> list[cw.IMetric]:
    # The expression keeps its inputs' period (a MathExpression otherwise forces 5 minutes on them).
    return [
        cw.MathExpression(
            expression="100 * fault",
            using_metrics={"fault": fault},
            label="fault % (5xx)",
            color=RED,
            period=fault.period,
        ),
        cw.MathExpression(
            expression="100 * client",
            using_metrics={"client": client},
            label="4xx %",
            color=ORANGE,
            period=client.period,
        ),
    ]


def route_section(inputs: DashboardInputs) -> list[Row]:
    m = metrics.ServiceMetrics(inputs.cfg)
    rows: list[Row] = [[_title(sections.ROUTES)]]
    for r in inputs.routes:
        slo = r.slo
        stats = list(PERCENTILES)
        if slo.percentile_stat not in stats:
            stats.append(slo.percentile_stat)
        rows.append(
            [
                cw.TextWidget(
                    markdown=(
                        f"### {sections.route_row(r.label)}\n{r.summary} **SLO:** {slo.percentile_stat} <= "
                        f"{slo.latency_ms} ms, {slo.availability * 100:g} % without 5xx. Queries: "
                        f"`route-{r.name}-errors`, `route-{r.name}-slowest`."
                    ),
                    width=24,
                    height=2,
                    background=cw.TextWidgetBackground.TRANSPARENT,
                )
            ]
        )
        rows.append(
            [
                _graph(
                    title=f"{r.label} · requests / min",
                    left=[m.route(METRIC_REQUESTS, "Sum", r.label, label="requests")],
                    width=6,
                    height=ROW_HEIGHT,
                ),
                _graph(
                    title=f"{r.label} · fault and 4xx rate, % (5 min)",
                    left=_rates(
                        m.route(METRIC_FAULT, "Average", r.label, period_s=ROUTE_PERIOD_S),
                        m.route(METRIC_CLIENT_ERROR, "Average", r.label, period_s=ROUTE_PERIOD_S),
                    ),
                    left_annotations=[
                        _alarm_line(slo.error_budget * 100, f"error budget {slo.error_budget * 100:g} %")
                    ],
                    width=6,
                    height=ROW_HEIGHT,
                ),
                _graph(
                    title=f"{r.label} · latency, ms (5 min)",
                    left=[m.route(METRIC_LATENCY, s, r.label, label=s, period_s=ROUTE_PERIOD_S) for s in stats],
                    left_annotations=[_alarm_line(slo.latency_ms, f"SLO {slo.percentile_stat} {slo.latency_ms} ms")],
                    width=8,
                    height=ROW_HEIGHT,
                ),
                cw.AlarmStatusWidget(
                    title=f"{r.label} · alarms",
                    alarms=list(inputs.route_alarms.get(r.name, ())),
                    width=4,
                    height=ROW_HEIGHT,
                ),
            ]
        )
    return rows


def lambda_section(inputs: DashboardInputs) -> list[Row]:
    fn = inputs.function
    m = metrics.ServiceMetrics(inputs.cfg)
    init = next(q for q in inputs.queries if q.key == "init-durations")
    return [
        [_title(sections.LAMBDA)],
        [
            _graph(
                title="Invocations, errors, throttles / min",
                left=[fn.metric_invocations(period=Duration.minutes(1), label="invocations")],
                right=[
                    fn.metric_errors(period=Duration.minutes(1), label="errors (crashes, timeouts)", color=RED),
                    fn.metric_throttles(period=Duration.minutes(1), label="throttles", color=ORANGE),
                ],
                width=6,
            ),
            _graph(
                title="Duration, ms (billed wall time incl. cold start init)",
                left=[
                    fn.metric_duration(statistic=s, period=Duration.minutes(1), label=s)
                    for s in ("p50", "p99", "Maximum")
                ],
                width=6,
            ),
            _graph(
                title="Cold starts / 5 min and cold-start rate, %",
                left=[m.service(METRIC_COLD_START, "Sum", label="cold starts", period_s=300)],
                right=[
                    # ColdStart is emitted only on cold starts (its Average is always 1): divide the
                    # cold starts by all requests, and FILL periods without a cold start with 0.
                    cw.MathExpression(
                        expression="100 * FILL(cold, 0) / requests",
                        using_metrics={
                            "cold": m.service(METRIC_COLD_START, "Sum", period_s=300),
                            "requests": m.service(METRIC_REQUESTS, "Sum", period_s=300),
                        },
                        label="% of requests on a cold start",
                        period=Duration.minutes(5),
                    )
                ],
                width=6,
            ),
            # AWS/Lambda publishes no init metric: Lambda's REPORT lines carry @initDuration.
            cw.LogQueryWidget(
                title="Init duration, ms (REPORT lines; a paid query per refresh)",
                log_group_names=[inputs.log_group_name],
                query_string=widget_query(init.text),
                view=cw.LogQueryVisualizationType.LINE,
                width=6,
                height=6,
            ),
        ],
    ]


def concurrency_section(inputs: DashboardInputs) -> list[Row]:
    fn = inputs.function
    reserved = inputs.reserved_concurrency
    annotations: list[cw.HorizontalAnnotation] = []
    if reserved:
        pct = inputs.cfg.concurrency_utilisation_pct
        threshold = reserved * pct / 100
        annotations = [
            _alarm_line(reserved, f"reserved {reserved}"),
            _alarm_line(threshold, f"alarm {pct:g} % = {threshold:g}", ORANGE),
        ]
        note = (
            f"Reserved concurrency **{reserved}**: at the red line Lambda throttles. The alarm fires at "
            f"{inputs.cfg.concurrency_utilisation_pct:g} % (orange). The Function URL also caps requests at "
            f"10 x reserved = **{10 * reserved} per second**. Concurrency = requests/s x duration (s): slower "
            "requests use more of it."
        )
    else:
        note = (
            "Concurrency is **not reserved**: the function shares the account's unreserved pool, so there is no "
            "utilisation alarm; the Throttles alarm still fires when the pool runs out."
        )
    return [
        [_title(sections.CONCURRENCY)],
        [
            _graph(
                title="Concurrent executions (Maximum) vs reserved; throttles",
                left=[
                    fn.metric(
                        "ConcurrentExecutions", statistic="Maximum", period=Duration.minutes(1), label="concurrent"
                    )
                ],
                right=[fn.metric_throttles(period=Duration.minutes(1), label="throttles", color=ORANGE)],
                left_annotations=annotations,
                left_y_axis=cw.YAxisProps(min=0, max=reserved * 1.1 if reserved else None, show_units=False),
                width=16,
            ),
            cw.TextWidget(markdown=note, width=8, height=6),
        ],
    ]


def dynamodb_section(inputs: DashboardInputs) -> list[Row]:
    table = inputs.table_name
    ops = inputs.cfg.dynamodb_operations

    def ddb(name: str, statistic: str, **dims: str) -> cw.Metric:
        return cw.Metric(
            namespace="AWS/DynamoDB",
            metric_name=name,
            dimensions_map={"TableName": table, **dims},
            statistic=statistic,
            period=Duration.minutes(1),
            label=dims.get("Operation", name),
        )

    return [
        [_title(sections.DYNAMODB)],
        [
            _graph(
                title="Request latency by operation, ms (Average)",
                left=[ddb("SuccessfulRequestLatency", "Average", Operation=op) for op in ops],
                width=12,
            ),
            _graph(
                title="Throttle events and system errors / min",
                left=[ddb("ReadThrottleEvents", "Sum"), ddb("WriteThrottleEvents", "Sum")],
                right=[
                    cw.MathExpression(
                        expression=f"SUM([{', '.join(f'e{i}' for i in range(len(ops)))}])",
                        using_metrics={f"e{i}": ddb("SystemErrors", "Sum", Operation=op) for i, op in enumerate(ops)},
                        label="system errors",
                        color=RED,
                        period=Duration.minutes(1),
                    )
                ],
                width=12,
            ),
        ],
    ]


def edge_section(inputs: DashboardInputs) -> list[Row]:
    row: Row = []
    dist = inputs.distribution_id
    acl = inputs.web_acl_metric_name
    edge = metrics.EDGE_REGION
    if dist:
        row.append(
            _graph(
                title="CloudFront requests / 5 min",
                left=[metrics.cloudfront("Requests", dist, "Sum", label="requests")],
                region=edge,
                width=6,
            )
        )
        row.append(
            _graph(
                title="CloudFront 4xx / 5xx rate, %",
                left=[
                    metrics.cloudfront("5xxErrorRate", dist, "Average", label="5xx %"),
                    metrics.cloudfront("4xxErrorRate", dist, "Average", label="4xx % (WAF blocks are 403)"),
                ],
                left_annotations=[
                    _alarm_line(
                        inputs.cfg.cloudfront_5xx_rate_pct, f"5xx alarm {inputs.cfg.cloudfront_5xx_rate_pct:g} %"
                    )
                ],
                region=edge,
                width=6,
            )
        )
    if acl:
        row.append(
            _graph(
                title="WAF allowed / blocked / 5 min",
                left=[
                    metrics.waf("AllowedRequests", acl, label="allowed"),
                    metrics.waf("BlockedRequests", acl, label="blocked"),
                ],
                left_annotations=[
                    _alarm_line(inputs.cfg.waf_blocked_per_5min, f"blocked alarm {inputs.cfg.waf_blocked_per_5min}")
                ],
                region=edge,
                width=6,
            )
        )
        # SEARCH (dashboards only, never alarms) finds every rule's metric without knowing rule names.
        # Its schema lists the exact dimension set of rule metrics: {Rule, WebACL}, no Region.
        row.append(
            _graph(
                title="WAF blocked by rule / 5 min",
                left=[
                    cw.MathExpression(
                        expression=(
                            'SEARCH(\'{AWS/WAFV2,Rule,WebACL} MetricName="BlockedRequests" '
                            f'WebACL="{acl}" NOT Rule="ALL"\', \'Sum\', 300)'
                        ),
                        using_metrics={},
                        label="",
                        search_region=edge,
                        period=Duration.minutes(5),
                    )
                ],
                region=edge,
                stacked=True,
                width=6,
            )
        )
    if not row:
        return []
    return [[_title(sections.EDGE)], row]


def alarm_section(inputs: DashboardInputs) -> list[Row]:
    if not inputs.core_alarms:
        return []
    return [
        [_title(sections.ALARMS)],
        [
            cw.AlarmStatusWidget(
                title="Service-wide alarms (route alarms are on each route's row; edge alarms in us-east-1)",
                alarms=list(inputs.core_alarms),
                width=24,
                height=3,
            )
        ],
    ]


def logs_section(inputs: DashboardInputs) -> list[Row]:
    recent = next(q for q in inputs.queries if q.key == "recent-errors")
    return [
        [_title(sections.LOGS)],
        [
            cw.LogQueryWidget(
                title="Recent errors (runs a paid Logs Insights query on every refresh: keep auto-refresh off)",
                log_group_names=[inputs.log_group_name],
                query_string=widget_query(recent.text),
                view=cw.LogQueryVisualizationType.TABLE,
                width=24,
                height=6,
            )
        ],
    ]


def widget_query(text: str) -> str:
    """A saved query's text without its comment lines (the widget prefixes its own SOURCE clause)."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
