"""Monthly fixed cost of the observability, computed from the catalogue and the units' alarms.

``make docs`` embeds :func:`render_markdown` in docs/cost.md (scripts/doc_tables.py; a test keeps it current).
Fixed cost only: Logs ingestion/storage and Logs Insights scans depend on traffic and are noted,
not computed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from observability.model import Alarm, Composite, LogTable
from observability.monitoring_config import MonitoringConfig
from observability.plan import plan
from observability.queries import INDEXED_FIELDS
from observability.units import canary, edge_cache
from service.catalogue import ROUTES, RouteSpec
from service.contract import METRICS

# Amazon CloudWatch list prices, us-east-1, standard tier (https://aws.amazon.com/cloudwatch/pricing/),
# as assumed on PRICES_AS_OF: long-standing list prices, not re-read from the live page (the build
# machines have no web access). us-east-1 and eu-west-1 list the same prices for these items; some
# regions are higher. Re-check before quoting.
PRICES_AS_OF = "2026-11-21"
PRICE_CUSTOM_METRIC = 0.30  # per metric (name + dimension combination) per month, first 10,000
PRICE_DASHBOARD = 3.00  # per dashboard per month (the account's first 3 dashboards are free)
PRICE_ALARM_METRIC = 0.10  # standard-resolution alarm, per metric it reads (math alarms: each metric)
PRICE_COMPOSITE_ALARM = 0.50  # per composite alarm per month
PRICE_LOGS_INSIGHTS_GB = 0.005  # per GB scanned (dashboard log widget, saved queries): variable
# Synthetics: per canary run (same page, "Synthetics"; the first 100 runs a month are free). The run's
# Lambda time and its artifacts in S3 are billed apart: a few KB of log and report per run (no browser,
# no screenshots), kept 31 days, well under a cent a month, so no line of their own.
PRICE_CANARY_RUN = 0.0012
HOURS_PER_MONTH = 730
# Saved queries (AWS::Logs::QueryDefinition) and the SNS topics have no fixed charge; e-mail
# notifications are free for the first 1,000 per month.
DASHBOARDS = 1
# A delivered CloudFront access-log record (observability/cloudfront_logs.RECORD_FIELDS as JSON): ~0.5 KB.
EDGE_LOG_LINE_KB = 0.5


@dataclass(frozen=True)
class CostLine:
    item: str
    quantity: int
    unit_price: float

    @property
    def monthly(self) -> float:
        return round(self.quantity * self.unit_price, 2)


def custom_metric_count(routes: int) -> int:
    # Every EMF metric under {service} and under {service, route} for each route and NOT_FOUND.
    return len(METRICS) * (1 + routes + 1)


def canary_runs_per_month() -> int:
    return 60 // canary.RATE_MINUTES * HOURS_PER_MONTH


def cost_lines(routes: Sequence[RouteSpec] = ROUTES) -> list[CostLine]:
    cfg = MonitoringConfig()
    alarms = plan(cfg, routes, reserved_concurrency=1).alarms
    home_metrics = sum(a.billed_metrics for a in alarms if isinstance(a, Alarm) and a.region == "home")
    edge_metrics = sum(a.billed_metrics for a in alarms if isinstance(a, Alarm) and a.region == "edge")
    composites = sum(1 for a in alarms if isinstance(a, Composite))
    return [
        CostLine(
            f"Custom metrics (EMF): {len(METRICS)} x (service + routes + NOT_FOUND)",
            custom_metric_count(len(routes)),
            PRICE_CUSTOM_METRIC,
        ),
        CostLine("Dashboard", DASHBOARDS, PRICE_DASHBOARD),
        CostLine("Alarm metrics, home region (math alarms bill each metric)", home_metrics, PRICE_ALARM_METRIC),
        CostLine("Alarm metrics, us-east-1 (CloudFront, WAF, canary)", edge_metrics, PRICE_ALARM_METRIC),
        CostLine("Composite alarms (burn-rate pairs)", composites, PRICE_COMPOSITE_ALARM),
        # AWS::CloudFront::MonitoringSubscription (cache hit rate), billed as custom metrics.
        CostLine(
            "CloudFront additional metrics (cache hit rate; with any cached route)",
            edge_cache.ADDITIONAL_METRICS if edge_cache.cached(routes) else 0,
            PRICE_CUSTOM_METRIC,
        ),
        # One canary (config `canary`, on by default): its runs per month at the per-run price.
        CostLine(
            f"Synthetics canary (outside-in): {canary_runs_per_month():,} runs / month at USD {PRICE_CANARY_RUN} a run",
            1 if cfg.canary else 0,
            round(canary_runs_per_month() * PRICE_CANARY_RUN, 2),
        ),
    ]


def monthly_total(routes: Sequence[RouteSpec] = ROUTES) -> float:
    return round(sum(line.monthly for line in cost_lines(routes)), 2)


def per_route_increment() -> float:
    """What one more route adds per month (metrics, alarms, composites)."""
    base = ROUTES[:1]
    return round(monthly_total((*base, _twin(base[0]))) - monthly_total(base), 2)


def _twin(route: RouteSpec) -> RouteSpec:
    return RouteSpec(
        name=route.name + "_twin", method=route.method, path=route.path + "/twin", summary="", slo=route.slo
    )


def render_markdown(log_widgets: Sequence[LogTable], routes: Sequence[RouteSpec] = ROUTES) -> str:
    """The cost table; ``log_widgets``: the dashboard's (dashboards.layout.log_tables), each a paid
    Logs Insights scan per refresh, named in the note on usage-based costs."""
    lines = [
        f"Monthly fixed cost for {len(routes)} routes (list prices of {PRICES_AS_OF}, us-east-1; see "
        "`observability/cost.py`):",
        "",
        "| Item | Quantity | Unit price (USD / month) | USD / month |",
        "| --- | ---: | ---: | ---: |",
    ]
    for line in cost_lines(routes):
        lines.append(f"| {line.item} | {line.quantity} | {line.unit_price:.2f} | {line.monthly:.2f} |")
    lines.append(f"| **Total** | | | **{monthly_total(routes):.2f}** |")
    step = per_route_increment()
    lines += [
        "",
        f"Each additional route adds **USD {step:.2f} / month** ({len(METRICS)} custom metrics, eight burn-rate "
        "window alarms (four on latency, four on availability) and four composites). For example:",
        "",
        "| Routes | USD / month |",
        "| ---: | ---: |",
    ]
    for n in (len(routes), 10, 30, 50):
        lines.append(f"| {n} | {monthly_total(routes) + step * (n - len(routes)):.2f} |")
    edge = sum(w.edge for w in log_widgets)
    # The edge widget's filter does not shrink the scan: Logs Insights bills every byte in the range.
    edge_note = (
        f"; the edge-cache one (with any cached route) scans CloudFront's access logs in us-east-1, about "
        f"{EDGE_LOG_LINE_KB} KB per edge request, cached or not"
        if edge
        else ""
    )
    lines += [
        "",
        "Not included (usage-based): log ingestion and storage, Logs Insights scans "
        f"(USD {PRICE_LOGS_INSIGHTS_GB} / GB scanned: the dashboard's {len(log_widgets)} log widgets scan on every "
        f"refresh{edge_note}), X-Ray traces, SNS beyond the free tier, the canary's Lambda time and run artifacts "
        "(a few KB per run, kept 31 days), the canary's own requests (one per route per run: "
        f"{len(routes) * canary_runs_per_month():,} a month through CloudFront, WAF, Lambda and DynamoDB, cents "
        "at their request prices) and, with `api_keys`, its key's Secrets Manager secret (USD 0.40 / month). "
        "Metrics are billed per hour they "
        "receive data, so NOT_FOUND and ColdStart series on a quiet service cost less "
        "than listed; the dashboard is free if the account has no more than 3.",
        "",
        f"Field indexes on the function's log group ({', '.join(f'`{f}`' for f in INDEXED_FIELDS)}) have no "
        "line of their own here: they let the saved queries that look a request, "
        'route or trace up with `field = "value"` scan only the events that can match instead of every '
        "event in the time range (correlation-id, edge-request-id, trace-id, each route's errors and slowest). "
        "With `tracing` `otel` and `application_signals` `true`, Application Signals adds its own usage-based "
        "charge (per signal: every request and every DynamoDB call it sees) and a second set of "
        "per-operation metrics beside the EMF ones above; off by default (docs/tracing.md).",
    ]
    return "\n".join(lines) + "\n"
