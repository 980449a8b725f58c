"""The service as a whole: its EMF metrics under {service} (true percentiles over every request),
drawn in the Service section. No alarm: availability and latency alarm per route (units/route.py)."""

from __future__ import annotations

from observability import queries, sections
from observability.emf import PERCENTILES, rates, route_metric, service_metric
from observability.model import RED, Graph
from observability.queries import SavedQuery
from observability.unit import NoAlarms, Panel, Scope
from observability.units.lambda_function import metric as lambda_metric
from service.catalogue import NOT_FOUND
from service.contract import METRIC_CLIENT_ERROR, METRIC_FAULT, METRIC_LATENCY
from service.contract import METRIC_REQUESTS as REQUESTS


def alarms(scope: Scope) -> NoAlarms:
    return NoAlarms()


def saved_queries(scope: Scope) -> tuple[SavedQuery, ...]:
    """The hand-written queries over the function's log group (queries/service/)."""
    return queries.service_queries()


def panels(scope: Scope, alarms: NoAlarms) -> tuple[Panel, ...]:
    cfg, routes = scope.cfg, scope.routes
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
            ),
        ),
    )
