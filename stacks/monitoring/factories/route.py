"""Per-route alarms from the catalogue: latency above the route's SLO, and multi-window burn rate
on its availability SLO (SRE workbook): two metric alarms per window pair, joined by a composite AND."""

from __future__ import annotations

from dashboards import sections
from service.catalogue import RouteSpec
from service.contract import DIM_ROUTE, DIM_SERVICE, METRIC_FAULT, METRIC_LATENCY, METRIC_REQUESTS
from stacks.monitoring.config import BurnWindow, MonitoringConfig
from stacks.monitoring.spec import AlarmSpec, AnyAlarm, CompositeSpec, MetricSpec, Playbook, duration

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

LATENCY_PERIOD_S = 300
NO_TRAFFIC_WHY = "a route without requests publishes nothing: no requests, no slow or failed ones"


def route_dimensions(cfg: MonitoringConfig, route: RouteSpec) -> tuple[tuple[str, str], ...]:
    return ((DIM_SERVICE, cfg.service_name), (DIM_ROUTE, route.label))


def latency_alarm(cfg: MonitoringConfig, route: RouteSpec) -> AlarmSpec:
    slo = route.slo
    periods = cfg.latency_periods
    return AlarmSpec(
        key=f"route-{route.name}-latency",
        playbook=LATENCY,
        region="home",
        metrics={
            "latency": MetricSpec(
                cfg.namespace, METRIC_LATENCY, slo.percentile_stat, LATENCY_PERIOD_S, route_dimensions(cfg, route)
            )
        },
        threshold=slo.latency_ms,
        comparison=">",
        evaluation_periods=periods,
        datapoints_to_alarm=periods,
        missing_data="notBreaching",
        missing_data_why=NO_TRAFFIC_WHY,
        condition=f"{slo.percentile_stat}(Latency) > {slo.latency_ms} ms in {periods} consecutive 5-min periods",
        context=_context(route) | {"window": duration(LATENCY_PERIOD_S * periods)},
        route=route.name,
    )


def _window_key(route: RouteSpec, seconds: int) -> str:
    return f"route-{route.name}-fault-rate-{duration(seconds).replace(' ', '')}"


def burn_alarms(cfg: MonitoringConfig, route: RouteSpec, window: BurnWindow) -> list[AnyAlarm]:
    budget = route.slo.error_budget
    composite_key = f"route-{route.name}-{window.name}-burn"
    context = _context(route) | {
        "factor": f"{window.factor:g}",
        "long": duration(window.long_s),
        "short": duration(window.short_s),
        "budget_spent": window.budget_spent,
        "composite": cfg.alarm_name(composite_key),
    }
    children: list[AlarmSpec] = []
    for seconds in (window.long_s, window.short_s):
        fault = MetricSpec(cfg.namespace, METRIC_FAULT, "Average", seconds, route_dimensions(cfg, route))
        requests = MetricSpec(cfg.namespace, METRIC_REQUESTS, "Sum", seconds, route_dimensions(cfg, route))
        floor = cfg.burn_min_requests
        children.append(
            AlarmSpec(
                key=_window_key(route, seconds),
                playbook=BURN_WINDOW,
                region="home",
                # Fault is 0/1 per request, so Average over the window is the fault rate;
                # dividing by the budget gives the burn rate (1 = spending exactly the budget).
                # Below `floor` requests in the window the rate is noise: read 0.
                metrics={"fault": fault, "requests": requests},
                expression=f"IF(requests >= {floor}, fault / {budget:g}, 0)",
                expression_label=f"fault burn rate ({duration(seconds)})",
                threshold=window.factor,
                comparison=">=",
                # The period is the window: CloudWatch re-evaluates every minute, so a 1-h period is
                # a sliding 1-h window.
                evaluation_periods=1,
                datapoints_to_alarm=1,
                missing_data="notBreaching",
                missing_data_why=NO_TRAFFIC_WHY + ", so no budget is spent",
                condition=(
                    f"Average(Fault) / {budget:g} >= {window.factor:g} over {duration(seconds)}"
                    f" (with at least {floor} requests in it)"
                ),
                notify=False,
                context=context | {"window": duration(seconds)},
                route=route.name,
            )
        )
    composite = CompositeSpec(
        key=composite_key,
        playbook=BURN,
        region="home",
        children=tuple(c.key for c in children),
        condition=(
            f"burn rate >= {window.factor:g}x over {duration(window.long_s)} AND over {duration(window.short_s)}"
        ),
        context=context,
        route=route.name,
    )
    return [*children, composite]


def alarms(cfg: MonitoringConfig, route: RouteSpec) -> list[AnyAlarm]:
    out: list[AnyAlarm] = [latency_alarm(cfg, route)]
    for window in cfg.burn_windows:
        out.extend(burn_alarms(cfg, route, window))
    return out


def _context(route: RouteSpec) -> dict[str, str]:
    return {
        "route": route.label,
        "route_name": route.name,
        "percentile": route.slo.percentile_stat,
        "latency_ms": str(route.slo.latency_ms),
        "availability": f"{route.slo.availability * 100:g} %",
    }
