"""The service's own EMF metrics (namespace, ``service`` and ``route`` dimensions from
service/contract.py): the metric factory every unit reads them through."""

from __future__ import annotations

from observability.model import ORANGE, RED, AnyMetric, Expression, Metric
from observability.monitoring_config import MonitoringConfig
from service.contract import DIM_ROUTE, DIM_SERVICE, METRICS_NAMESPACE

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
