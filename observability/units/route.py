"""One route of the catalogue (service/catalogue.py): everything monitored per route comes from here.

- alarms: multi-window burn rate (SRE workbook) on its latency SLO (the share of requests slower than
  the target against the percentile's budget) and on its availability SLO: two metric alarms per
  window pair, joined by a composite AND;
- saved queries: ``route-<name>-<kind>`` from queries/route/<kind>.query.tmpl;
- its dashboard row: requests, fault, 4xx and slow shares against their budgets, latency percentiles
  against the SLO, and the state of its notifying alarms.
"""

from __future__ import annotations

import math

from observability import causes, queries, sections
from observability.emf import PERCENTILES, rates, route_metric
from observability.model import (
    ORANGE,
    Alarm,
    AlarmStatus,
    AnyAlarm,
    Composite,
    Expression,
    Graph,
    Line,
    Playbook,
    Row,
    SloLine,
    Text,
    duration,
)
from observability.monitoring_config import BurnWindow, MonitoringConfig
from observability.queries import SavedQuery
from observability.unit import Panel, RouteAlarms, Scope
from service.catalogue import RouteSpec
from service.contract import METRIC_CLIENT_ERROR, METRIC_FAULT, METRIC_LATENCY, METRIC_REQUESTS

LATENCY = Playbook(
    kind="route-latency",
    title="Route burning its latency error budget",
    meaning=(
        "{route} answers slower than its SLO target ({latency_ms} ms) often enough to spend {budget_spent}: "
        "slow share >= {slow_share} of requests over {long} and {short} (its latency SLO: {percentile} "
        "<= {latency_ms} ms, so {latency_budget} of requests may be slower). Its users see slow responses."
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

# Same playbook, documented separately: these window alarms never notify on their own.
LATENCY_WINDOW = Playbook(
    kind="route-slow-share-window",
    title="Route slow-share window (building block)",
    meaning=(
        "One window of {route}'s latency burn-rate pair: the share of requests slower than {latency_ms} ms "
        "/ the latency budget over {window}. It does not notify; the composite '{composite}' alarms when "
        "both windows of a pair are breaching."
    ),
    first_checks=("Treat as the composite's runbook: route-latency",),
    dashboard_section=sections.route_row("{route}"),
    saved_queries=("route-{route_name}-slowest",),
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

# Route rates and percentiles over 5 minutes on the dashboard: steadier than 1-minute ones on a quiet route.
PERIOD_S = 300
ROW_HEIGHT = 5
NO_TRAFFIC_WHY = "a route without requests publishes nothing: no requests, no slow or failed ones"
# Silence made visible: a window with no request at all has no datapoint, and the alarm reads
# INSUFFICIENT_DATA instead of OK, so a route whose metrics stopped does not look healthy (the route row
# shows its 1-h windows). It notifies nobody (a quiet route is no incident; the telemetry heartbeat tickets
# when requests flow and metrics do not), and a composite over it is not in ALARM: paging is unchanged.
SILENT_WHY = (
    NO_TRAFFIC_WHY + ": a window without any request reads INSUFFICIENT_DATA (silent, not healthy), which "
    "notifies nobody and never makes its composite ALARM; below the floors it reads 0, no budget spent"
)
# A latency window can burn at most 100 % / budget (every request slow): 10x for a p90 SLO, less than
# the fast pair's 14.4x. A window's factor is capped at this share of that maximum, so it pages once
# this share of the window's requests is slow (p90: 50 %), never demanding the impossible.
MAX_SLOW_SHARE = 0.5


def fast_share(route: RouteSpec) -> str:
    """CloudWatch's percentile-rank statistic: the % of Latency values at or below the SLO target."""
    return f"PR(:{route.slo.latency_ms})"


def latency_budget_pct(route: RouteSpec) -> float:
    """The latency SLO's budget: the % of requests allowed above the target (p99 -> 1 %)."""
    return round(100.0 - route.slo.latency_percentile, 10)


def latency_factor(route: RouteSpec, window: BurnWindow) -> float:
    """The window's burn factor, capped so that a route can reach it (MAX_SLOW_SHARE)."""
    return min(window.factor, round(MAX_SLOW_SHARE * 100 / latency_budget_pct(route), 10))


def slow_share(
    cfg: MonitoringConfig, route: RouteSpec, period_s: int = PERIOD_S, label: str | None = None
) -> Expression:
    """% of the route's requests slower than its SLO target (100 - PR(:target)), for the dashboard."""
    fast = route_metric(cfg, METRIC_LATENCY, fast_share(route), route.label, period_s=period_s)
    return Expression(
        "100 - fast", {"fast": fast}, period_s=period_s, label=label or f"% slower than {route.slo.latency_ms} ms"
    )


def latency_floor(cfg: MonitoringConfig, route: RouteSpec, long: bool) -> int:
    """Requests a latency window needs before it judges. The short window: the burn-rate floor. The long
    one: enough requests that ``latency_min_slow`` slow ones are within the budget (p99: 200), so a
    route that was idle for the hour before a burst is not judged on the burst's cold starts alone
    (without history both windows hold the same few requests)."""
    if not long:
        return cfg.burn_min_requests
    return max(cfg.burn_min_requests, math.ceil(round(cfg.latency_min_slow * 100 / latency_budget_pct(route), 6)))


def _latency_spent(route: RouteSpec, window: BurnWindow, factor: float) -> str:
    if factor == window.factor:
        return window.budget_spent.replace("error budget", "latency budget")
    most = 100 / latency_budget_pct(route)
    stat = route.slo.percentile_stat
    return f"the latency budget {factor:g}x as fast as allowed (capped: a {stat} SLO burns {most:g}x at most)"


def _window_name(seconds: int) -> str:
    return duration(seconds).replace(" ", "")


def latency_burn_alarm(cfg: MonitoringConfig, route: RouteSpec, window: BurnWindow) -> Composite:
    """The latency SLO burned like availability: the share of requests slower than the target, divided by
    the latency budget, over a long and a short window. Honest at low counts: a window judges only with
    enough requests (:func:`latency_floor`) and at least ``latency_min_slow`` slow ones, so one cold start
    among a handful of requests is no burn, and a percentile of five samples is never taken for the route's."""
    budget = latency_budget_pct(route)
    factor = latency_factor(route, window)
    key = f"route-{route.name}-latency-{window.name}-burn"
    context = _context(route) | {
        "factor": f"{factor:g}",
        "slow_share": f"{factor * budget:g} %",
        "latency_budget": f"{budget:g} %",
        "long": duration(window.long_s),
        "short": duration(window.short_s),
        "budget_spent": _latency_spent(route, window, factor),
        "composite": cfg.alarm_name(key),
    }
    min_slow = cfg.latency_min_slow
    floors = {
        window.long_s: latency_floor(cfg, route, long=True),
        window.short_s: latency_floor(cfg, route, long=False),
    }
    children = tuple(
        Alarm(
            key=f"route-{route.name}-slow-share-{_window_name(seconds)}",
            playbook=LATENCY_WINDOW,
            region="home",
            # fast = PR(:target), the % of requests at or below the target; requests = how many it
            # ranked. (100 - fast) * requests / 100 is the number of slow requests: whole, so
            # `>= n - 0.5` means at least n (and tolerates the rounding of the percentage).
            metric=Expression(
                f"IF(requests >= {floors[seconds]} AND "
                f"(100 - fast) * requests / 100 >= {min_slow - 0.5:g}, "
                f"(100 - fast) / {budget:g}, 0)",
                {
                    "fast": route_metric(cfg, METRIC_LATENCY, fast_share(route), route.label, period_s=seconds),
                    "requests": route_metric(cfg, METRIC_LATENCY, "SampleCount", route.label, period_s=seconds),
                },
                period_s=seconds,
                label=f"latency burn rate ({duration(seconds)})",
            ),
            threshold=factor,
            comparison=">=",
            evaluation_periods=1,
            datapoints_to_alarm=1,
            missing_data="missing",
            missing_data_why=SILENT_WHY,
            condition=f"slow share (100 - {fast_share(route)} of Latency) / {budget:g} %",
            notify=False,
            context=context | {"window": duration(seconds)},
            severity="ticket",
        )
        for seconds in (window.long_s, window.short_s)
    )
    return Composite(
        key=key,
        playbook=LATENCY,
        region="home",
        children=children,
        condition=f"share slower than {route.slo.latency_ms} ms burning its {budget:g} % budget, both windows",
        context=context,
        severity="ticket",
        severity_why=causes.ROUTE_LATENCY,
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
            key=f"route-{route.name}-fault-rate-{_window_name(seconds)}",
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
            missing_data="missing",
            missing_data_why=SILENT_WHY,
            condition=f"burn rate (Average(Fault) / {budget:g})",
            notify=False,
            context=context | {"window": duration(seconds)},
            severity="ticket",
        )
        for seconds in (window.long_s, window.short_s)
    )
    return Composite(
        key=key,
        playbook=BURN,
        region="home",
        children=children,
        condition=f"fault rate burning its {budget * 100:g} % budget, both windows",
        context=context,
        severity="ticket",
        severity_why=causes.ROUTE_BURN,
    )


def alarms(scope: Scope) -> RouteAlarms:
    return RouteAlarms({r.name: route_alarms(scope.cfg, r) for r in scope.routes})


def route_alarms(cfg: MonitoringConfig, route: RouteSpec) -> list[AnyAlarm]:
    """Every alarm of the route, children before their composite (the order they are created in)."""
    out: list[AnyAlarm] = []
    for build in (latency_burn_alarm, burn_alarm):
        for window in cfg.burn_windows:
            composite = build(cfg, route, window)
            out += [*composite.children, composite]
    return out


def saved_queries(scope: Scope) -> tuple[SavedQuery, ...]:
    """Each route's ``route-<name>-<kind>`` queries, deployed with its alarms."""
    return tuple(q for r in scope.routes for q in queries.route_queries(r))


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
            f"{route.label} · fault, 4xx and slow share, % (5 min)",
            left=(
                *rates(
                    route_metric(cfg, METRIC_FAULT, "Average", route.label, period_s=PERIOD_S),
                    route_metric(cfg, METRIC_CLIENT_ERROR, "Average", route.label, period_s=PERIOD_S),
                ),
                # What the latency alarms judge: the share of requests slower than the target.
                slow_share(cfg, route, label=f"% > {slo.latency_ms} ms"),
            ),
            lines=(
                SloLine(slo, "error_budget"),
                Line(latency_budget_pct(route), f"latency budget {latency_budget_pct(route):g} %", color=ORANGE),
            ),
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
        AlarmStatus(
            f"{route.label} · tickets; 1-h windows (grey: no request in the hour)",
            tuple(a for a in route_alarms if a.notify or a.key.endswith("-1h")),
            width=4,
            height=ROW_HEIGHT,
        ),
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
