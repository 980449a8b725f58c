"""The service as a whole: its EMF metrics under {service} (true percentiles over every request)
and the Service section of the dashboard. No alarm: availability and latency alarm per route."""

from __future__ import annotations

from collections.abc import Sequence

from observability import sections
from observability.config import MonitoringConfig
from observability.model import ORANGE, RED, AnyMetric, Expression, Graph, Metric, Section
from service.catalogue import NOT_FOUND, RouteSpec
from service.contract import (
    DIM_ROUTE,
    DIM_SERVICE,
    METRIC_CLIENT_ERROR,
    METRIC_FAULT,
    METRIC_LATENCY,
    METRICS_NAMESPACE,
)
from service.contract import METRIC_REQUESTS as REQUESTS

PERCENTILES = ("p50", "p90", "p99")


def service_metric(cfg: MonitoringConfig, name: str, statistic: str, *, period_s: int = 60, **kw: str) -> Metric:
    return Metric(METRICS_NAMESPACE, name, statistic, period_s, ((DIM_SERVICE, cfg.service_name),), **kw)


def route_metric(
    cfg: MonitoringConfig, name: str, statistic: str, route_label: str, *, period_s: int = 60, **kw: str
) -> Metric:
    dims = ((DIM_SERVICE, cfg.service_name), (DIM_ROUTE, route_label))
    return Metric(METRICS_NAMESPACE, name, statistic, period_s, dims, **kw)


def rates(fault: Metric, client: Metric) -> tuple[AnyMetric, ...]:
    """Fault and 4xx rates in %, each at its input's period (a math expression's default is 5 min)."""
    return (
        Expression("100 * fault", {"fault": fault}, period_s=fault.period_s, label="fault % (5xx)", color=RED),
        Expression("100 * client", {"client": client}, period_s=client.period_s, label="4xx %", color=ORANGE),
    )


def section(cfg: MonitoringConfig, routes: Sequence[RouteSpec]) -> Section:
    return Section(
        sections.SERVICE,
        (
            (
                Graph(
                    "Requests / min (all routes)",
                    left=(service_metric(cfg, REQUESTS, "Sum", label="requests"),),
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
    )
