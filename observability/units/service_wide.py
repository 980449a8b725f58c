"""The service as a whole: its EMF metrics under {service} (true percentiles over every request), drawn
in the Service section, and the alarms that page for users failing, whatever route they call.

Availability is burned service-wide (SRE workbook, "Alerting on SLOs"): every request the Function URL
received, over all routes, against one budget. A quiet route's few requests join the busy routes'
instead of being judged alone, which is what makes a burn rate honest on a quiet internal API: at a few
requests an hour per route no per-route window can tell one retried bad request from an outage. The
failures are what a viewer gets from the origin: a 5xx (answered by the function, or a crash, timeout or
init failure it never answered) or a 429 throttle, all on AWS/Lambda's own clock (UrlRequestCount,
Url5xxCount, Throttles: one source, so ingestion lag never skews the share).

- fast (page): 14.4x over 1 h and 5 min, 2 % of the 30-day budget in an hour;
- slow (page): 6x over 6 h and 30 min, 5 % in six hours;
- leak (ticket): 1x over 3 days and 6 h, 10 % in three days: a budget leak for working hours.

Each window needs ``service_burn_min_requests`` requests, and the long one ``service_burn_min_faults``
failures, so a request retried a few times by its client never pages (the route's own burn alarms ticket it). Where
real traffic is too thin for any window, the canary's requests on every route (units/canary.py) page a
dead route within minutes.
"""

from __future__ import annotations

from dataclasses import dataclass

from observability import queries, sections
from observability.emf import PERCENTILES, rates, route_metric, service_metric
from observability.model import RED, Alarm, AlarmLine, Composite, Expression, Graph, Playbook, Severity, duration
from observability.monitoring_config import BurnWindow, MonitoringConfig
from observability.queries import SavedQuery
from observability.unit import Panel, Scope, UnitAlarms
from observability.units import function_url
from observability.units.lambda_function import metric as lambda_metric
from service.catalogue import NOT_FOUND, RouteSpec
from service.contract import METRIC_CLIENT_ERROR, METRIC_FAULT, METRIC_LATENCY
from service.contract import METRIC_REQUESTS as REQUESTS

BURN = Playbook(
    kind="service-availability-burn",
    title="Service burning its availability error budget",
    meaning=(
        "Requests over all routes fail (5xx from the function or the Function URL, or 429 throttles) fast "
        "enough to spend {budget_spent}: failure share >= {factor}x the {budget} budget over {long} and "
        "{short} (at least {min_faults} failures in the {long} window). Users are failing now."
    ),
    first_checks=(
        "Service section: which routes' fault rate rose (Requests by route, each route's row)?",
        "Lambda section: Errors, Duration at the timeout, init failures? Concurrency at the reserved line (429)?",
        "DynamoDB section: throttles or system errors at the same time?",
        "Recent deploy? Roll back if it correlates",
    ),
    dashboard_section=sections.SERVICE,
    saved_queries=("recent-errors", "correlation-id"),
)

LEAK = Playbook(
    kind="service-budget-leak",
    title="Service leaking its availability error budget (ticket)",
    meaning=(
        "Requests over all routes have failed at {factor}x the {budget} budget or more over {long} and "
        "{short}: {budget_spent}. Nothing is on fire, but at this pace the month's budget runs out: find "
        "the failing route in working hours."
    ),
    first_checks=(
        "Routes section: which route's fault share sits above its budget line for days?",
        "Saved query recent-errors over 3 days: one exception_name or error_kind dominating?",
        "A client retrying a request the API rejects with 5xx? That is a bug to fix, not noise",
    ),
    dashboard_section=sections.SERVICE,
    saved_queries=("recent-errors",),
)

# Same playbooks, documented separately: these window alarms never notify on their own.
WINDOW = Playbook(
    kind="service-failure-share-window",
    title="Service failure-share window (building block)",
    meaning=(
        "One window of the service's burn-rate pair: failed URL requests (5xx and 429) / all URL requests / "
        "the {budget} budget, over {window}. It does not notify; the composite '{composite}' does when both "
        "windows of its pair are breaching."
    ),
    first_checks=("Treat as the composite's runbook",),
    dashboard_section=sections.SERVICE,
    saved_queries=("recent-errors",),
)

NO_TRAFFIC_WHY = (
    "no URL request, or fewer than the floor of requests or failures, has no datapoint or reads 0: no budget spent"
)


def availability(cfg: MonitoringConfig, routes: tuple[RouteSpec, ...]) -> float:
    """The service-wide SLO: configured, else the strictest route's (a 99.9 % route must not be judged at 99 %)."""
    if cfg.service_availability is not None:
        return cfg.service_availability
    return max((r.slo.availability for r in routes), default=0.999)


def failure_share(cfg: MonitoringConfig, budget_pct: float, seconds: int, min_faults: int) -> Expression:
    """Burn rate over ``seconds``: (Url5xxCount + Throttles) / UrlRequestCount / budget, behind the floors."""
    floor = cfg.service_burn_min_requests
    bad = "(FILL(url5xx, 0) + FILL(throttles, 0))"
    return Expression(
        f"IF(requests >= {floor} AND {bad} >= {min_faults}, 100 * {bad} / requests / {budget_pct:g}, 0)",
        {
            "requests": function_url.metric("UrlRequestCount", seconds),
            "url5xx": function_url.metric("Url5xxCount", seconds),
            "throttles": function_url.metric("Throttles", seconds),
        },
        period_s=seconds,
        label=f"service burn rate ({duration(seconds)})",
    )


def burn_alarm(
    cfg: MonitoringConfig, routes: tuple[RouteSpec, ...], window: BurnWindow, severity: Severity
) -> Composite:
    budget_pct = round((1 - availability(cfg, routes)) * 100, 10)
    key = f"service-{window.name}-burn"
    context = {
        "factor": f"{window.factor:g}",
        "budget": f"{budget_pct:g} %",
        "long": duration(window.long_s),
        "short": duration(window.short_s),
        "budget_spent": window.budget_spent,
        "min_faults": str(cfg.service_burn_min_faults),
        "composite": cfg.alarm_name(key),
    }
    # The failure floor guards the long window: the pair pages only when both breach, and a short window's
    # newest minutes may not have landed yet (a floor there would make ingestion lag hide a real outage).
    floors = {window.long_s: cfg.service_burn_min_faults, window.short_s: 1}
    children = tuple(
        Alarm(
            key=f"service-{window.name}-{duration(seconds).replace(' ', '')}",
            playbook=WINDOW,
            region="home",
            metric=failure_share(cfg, budget_pct, seconds, floors[seconds]),
            threshold=window.factor,
            comparison=">=",
            # The period is the window; CloudWatch re-evaluates every minute: a sliding window.
            evaluation_periods=1,
            datapoints_to_alarm=1,
            missing_data="notBreaching",
            missing_data_why=NO_TRAFFIC_WHY,
            condition=f"burn rate ((Url5xxCount + Throttles) / UrlRequestCount / {budget_pct:g} %)",
            notify=False,
            context=context | {"window": duration(seconds)},
            severity=severity,
        )
        for seconds in (window.long_s, window.short_s)
    )
    return Composite(
        key=key,
        playbook=LEAK if severity == "ticket" else BURN,
        region="home",
        children=children,
        condition=f"5xx and 429 of every route burning the {budget_pct:g} % budget, both windows",
        context=context,
        severity=severity,
    )


@dataclass(frozen=True)
class ServiceAlarms(UnitAlarms):
    burns: tuple[Alarm | Composite, ...]  # children before their composite


def alarms(scope: Scope) -> ServiceAlarms:
    cfg = scope.cfg
    out: list[Alarm | Composite] = []
    for window, severity in (*((w, "page") for w in cfg.burn_windows), (cfg.ticket_window, "ticket")):
        composite = burn_alarm(cfg, scope.routes, window, severity)  # type: ignore[arg-type]  # the loop widens the Literal to str
        out += [*composite.children, composite]
    return ServiceAlarms(tuple(out))


def saved_queries(scope: Scope) -> tuple[SavedQuery, ...]:
    """The hand-written queries over the function's log group (queries/service/)."""
    return queries.service_queries()


def panels(scope: Scope, alarms: ServiceAlarms) -> tuple[Panel, ...]:
    cfg, routes = scope.cfg, scope.routes
    fast = next(a for a in alarms.burns if isinstance(a, Alarm) and a.metric.period_s == cfg.burn_windows[0].short_s)
    return (
        Panel(
            sections.SERVICE,
            (
                (
                    Graph(
                        "Requests / min (all routes) and throttled",
                        # Throttled requests never reach the function (no access line, no EMF): beside the
                        # requests it answered, a burst of 429s is seen where the traffic is read.
                        left=(
                            service_metric(cfg, REQUESTS, "Sum", label="requests"),
                            lambda_metric("Throttles", "Sum", label="throttled (429, never ran)", color=RED),
                        ),
                        width=6,
                    ),
                    Graph(
                        "Fault (5xx) and 4xx rate, % (all routes)",
                        left=rates(
                            service_metric(cfg, METRIC_FAULT, "Average"),
                            service_metric(cfg, METRIC_CLIENT_ERROR, "Average"),
                        ),
                        width=6,
                    ),
                    Graph(
                        "Latency, ms (all routes: true percentiles)",
                        left=tuple(service_metric(cfg, METRIC_LATENCY, p, label=p) for p in PERCENTILES),
                        width=6,
                    ),
                    Graph(
                        "Requests by route",
                        # NOT_FOUND too: scanners and broken clients show up here before anywhere else.
                        left=(
                            *(route_metric(cfg, REQUESTS, "Sum", r.label, label=r.label) for r in routes),
                            route_metric(cfg, REQUESTS, "Sum", NOT_FOUND, label="NOT_FOUND (unmatched)"),
                        ),
                        stacked=True,
                        width=6,
                    ),
                ),
                (
                    Graph(
                        "Service burn rate, 5 min (5xx + 429 over all URL requests / budget): pages at the line",
                        left=(fast.metric,),
                        lines=(AlarmLine(fast, "page: {threshold:g}x (with the 1-h window)"),),
                        width=24,
                        height=4,
                    ),
                ),
            ),
        ),
    )
