"""One route of the catalogue (service/catalogue.py): everything monitored per route comes from here.

- alarms: latency above the route's SLO, and multi-window burn rate on its availability SLO (SRE
  workbook): two metric alarms per window pair, joined by a composite AND;
- saved queries: ``route-<name>-<kind>`` from queries/route/<kind>.query.tmpl;
- its dashboard row: requests, fault and 4xx rates against the error budget, latency against the
  SLO, and the state of its notifying alarms.
"""

from __future__ import annotations

from observability import queries, sections
from observability.emf import PERCENTILES, rates, route_metric
from observability.model import (
    Alarm,
    AlarmStatus,
    AnyAlarm,
    Composite,
    Expression,
    Graph,
    Playbook,
    Row,
    SloLine,
    Text,
    duration,
)
from observability.monitoring_config import BurnWindow, MonitoringConfig
from observability.unit import Panel, RouteAlarms, Scope
from service.catalogue import RouteSpec
from service.contract import METRIC_CLIENT_ERROR, METRIC_FAULT, METRIC_LATENCY, METRIC_REQUESTS

LATENCY = Playbook(
    kind="route-latency",
    title="Route latency above its SLO",
    meaning=(
        "{percentile} latency of {route} has been above its SLO of {latency_ms} ms (service/catalogue.py) "
        "for {window}: its users see slow responses."
    ),
    first_checks=(
        "Route row: all percentiles up (slow dependency) or only the tail (cold starts, big pages)?",
        "DynamoDB section: request latency or throttles up at the same time?",
        "Lambda section: Duration, cold starts; Concurrency near the reserved line?",
        "Recent deploy? Roll back if it correlates",
    ),
    dashboard_section=sections.route_row("{route}"),
    saved_queries=("route-{route_name}-slowest", "cold-starts"),
)

BURN = Playbook(
    kind="route-availability-burn",
    title="Route burning its availability error budget",
    meaning=(
        "{route} answers 5xx fast enough to spend {budget_spent} (burn rate >= {factor}x over {long} "
        "and {short}; SLO {availability} available). Its users get server errors now."
    ),
    first_checks=(
        "Route row: fault rate; Recent errors widget for exception_name and correlation_id",
        "DynamoDB section: throttles or system errors? Lambda section: errors, throttles?",
        "Follow one request: saved query correlation-id, then its X-Ray trace",
        "Recent deploy? Roll back if it correlates",
    ),
    dashboard_section=sections.route_row("{route}"),
    saved_queries=("route-{route_name}-errors", "correlation-id"),
)

# Same playbook, documented separately: these window alarms never notify on their own.
BURN_WINDOW = Playbook(
    kind="route-fault-rate-window",
    title="Route fault-rate window (building block)",
    meaning=(
        "One window of {route}'s burn-rate pair: fault rate / error budget over {window}. It does not "
        "notify; the composite '{composite}' alarms when both windows of a pair are breaching."
    ),
    first_checks=("Treat as the composite's runbook: route-availability-burn",),
    dashboard_section=sections.route_row("{route}"),
    saved_queries=("route-{route_name}-errors",),
)

# Route rates and percentiles over 5 minutes: what the latency alarm evaluates, and steadier than
# 1-minute percentiles on a quiet route.
PERIOD_S = 300
ROW_HEIGHT = 5
NO_TRAFFIC_WHY = "a route without requests publishes nothing: no requests, no slow or failed ones"


def latency_alarm(cfg: MonitoringConfig, route: RouteSpec) -> Alarm:
    slo = route.slo
    periods = cfg.latency_periods
    floor = cfg.latency_min_samples
    return Alarm(
        key=f"route-{route.name}-latency",
        playbook=LATENCY,
        region="home",
        # The minimum-sample guard: a period with fewer than `floor` requests has no datapoint (IF
        # without a false value), so a handful of slow requests (cold starts) on a quiet route never
        # stands for the route's percentile.
        metric=Expression(
            f"IF(samples >= {floor}, latency)",
            {
                "latency": route_metric(cfg, METRIC_LATENCY, slo.percentile_stat, route.label, period_s=PERIOD_S),
                "samples": route_metric(cfg, METRIC_LATENCY, "SampleCount", route.label, period_s=PERIOD_S),
            },
            period_s=PERIOD_S,
            label=slo.percentile_stat,
        ),
        threshold=slo.latency_ms,
        comparison=">",
        evaluation_periods=periods,
        datapoints_to_alarm=periods,
        missing_data="notBreaching",
        missing_data_why=f"{NO_TRAFFIC_WHY}; below {floor} requests in 5 minutes the percentile is not judged",
        condition=(
            f"{slo.percentile_stat}(Latency) > {slo.latency_ms} ms in {periods} consecutive 5-min periods "
            f"(each with at least {floor} requests)"
        ),
        context=_context(route) | {"window": duration(PERIOD_S * periods)},
    )


def burn_alarm(cfg: MonitoringConfig, route: RouteSpec, window: BurnWindow) -> Composite:
    budget = route.slo.error_budget
    key = f"route-{route.name}-{window.name}-burn"
    context = _context(route) | {
        "factor": f"{window.factor:g}",
        "long": duration(window.long_s),
        "short": duration(window.short_s),
        "budget_spent": window.budget_spent,
        "composite": cfg.alarm_name(key),
    }
    floor, min_faults = cfg.burn_min_requests, cfg.burn_min_faults
    children = tuple(
        Alarm(
            key=f"route-{route.name}-fault-rate-{duration(seconds).replace(' ', '')}",
            playbook=BURN_WINDOW,
            region="home",
            # Fault is 0/1 per request, so Average over the window is the fault rate; dividing by the
            # budget gives the burn rate (1 = spending exactly the budget). fault * requests is the
            # number of faults. Below `floor` requests or `min_faults` faults the window reads 0
            # (MonitoringConfig.burn_min_faults: one 5xx among ten requests does not page).
            metric=Expression(
                f"IF(requests >= {floor} AND fault * requests >= {min_faults}, fault / {budget:g}, 0)",
                {
                    "fault": route_metric(cfg, METRIC_FAULT, "Average", route.label, period_s=seconds),
                    "requests": route_metric(cfg, METRIC_REQUESTS, "Sum", route.label, period_s=seconds),
                },
                period_s=seconds,
                label=f"fault burn rate ({duration(seconds)})",
            ),
            threshold=window.factor,
            comparison=">=",
            # The period is the window: CloudWatch re-evaluates every minute, so a 1-h period is a
            # sliding 1-h window.
            evaluation_periods=1,
            datapoints_to_alarm=1,
            missing_data="notBreaching",
            missing_data_why=NO_TRAFFIC_WHY + ", so no budget is spent",
            condition=(
                f"Average(Fault) / {budget:g} >= {window.factor:g} over {duration(seconds)}"
                f" (with at least {floor} requests and {min_faults} faults in it)"
            ),
            notify=False,
            context=context | {"window": duration(seconds)},
        )
        for seconds in (window.long_s, window.short_s)
    )
    return Composite(
        key=key,
        playbook=BURN,
        region="home",
        children=children,
        condition=(
            f"burn rate >= {window.factor:g}x over {duration(window.long_s)} AND over {duration(window.short_s)}"
        ),
        context=context,
    )


def alarms(scope: Scope) -> RouteAlarms:
    return RouteAlarms({r.name: route_alarms(scope.cfg, r) for r in scope.routes})


def route_alarms(cfg: MonitoringConfig, route: RouteSpec) -> list[AnyAlarm]:
    """Every alarm of the route, children before their composite (the order they are created in)."""
    out: list[AnyAlarm] = [latency_alarm(cfg, route)]
    for window in cfg.burn_windows:
        composite = burn_alarm(cfg, route, window)
        out += [*composite.children, composite]
    return out


def panels(scope: Scope, alarms: RouteAlarms) -> tuple[Panel, ...]:
    """The Routes section: one row per route of the catalogue, in catalogue order."""
    rows = [r for route in scope.routes for r in row(scope.cfg, route, alarms.by_route[route.name])]
    return (Panel(sections.ROUTES, tuple(rows)),)


def row(cfg: MonitoringConfig, route: RouteSpec, route_alarms: list[AnyAlarm]) -> tuple[Row, Row]:
    """The route's title and its row of graphs (the alarms shown are the ones that notify)."""
    slo = route.slo
    stats = list(PERCENTILES)
    if slo.percentile_stat not in stats:
        stats.append(slo.percentile_stat)
    query_keys = ", ".join(f"`{q.key}`" for q in queries.route_queries(route))
    title = Text(
        f"### {sections.route_row(route.label)}\n{route.summary} **SLO:** {slo.percentile_stat} <= "
        f"{slo.latency_ms} ms, {slo.availability * 100:g} % without 5xx. Queries: {query_keys}.",
        height=2,
        transparent=True,
    )

    graphs = (
        Graph(
            f"{route.label} · requests / min",
            left=(route_metric(cfg, METRIC_REQUESTS, "Sum", route.label, label="requests"),),
            width=6,
            height=ROW_HEIGHT,
        ),
        Graph(
            f"{route.label} · fault and 4xx rate, % (5 min)",
            left=rates(
                route_metric(cfg, METRIC_FAULT, "Average", route.label, period_s=PERIOD_S),
                route_metric(cfg, METRIC_CLIENT_ERROR, "Average", route.label, period_s=PERIOD_S),
            ),
            lines=(SloLine(slo, "error_budget"),),
            width=6,
            height=ROW_HEIGHT,
        ),
        Graph(
            f"{route.label} · latency, ms (5 min)",
            left=tuple(route_metric(cfg, METRIC_LATENCY, s, route.label, period_s=PERIOD_S, label=s) for s in stats),
            lines=(SloLine(slo, "latency"),),
            width=8,
            height=ROW_HEIGHT,
        ),
        AlarmStatus(f"{route.label} · alarms", tuple(a for a in route_alarms if a.notify), width=4, height=ROW_HEIGHT),
    )
    return (title,), graphs


def _context(route: RouteSpec) -> dict[str, str]:
    return {
        "route": route.label,
        "route_name": route.name,
        "percentile": route.slo.percentile_stat,
        "latency_ms": str(route.slo.latency_ms),
        "availability": f"{route.slo.availability * 100:g} %",
    }
