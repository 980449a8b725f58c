"""The service's own EMF metrics (namespace, ``service`` and ``route`` dimensions from
service/contract.py): the metric factory every unit reads them through."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

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


@dataclass(frozen=True)
class Datum:
    """One metric value an EMF document publishes: namespace, name, one dimension set with its values."""

    namespace: str
    name: str
    dimensions: tuple[tuple[str, str], ...]
    values: tuple[float, ...]
    timestamp_ms: int


def extract(document: Mapping[str, Any]) -> list[Datum]:
    """The metric data of one EMF log line, by the rules of the EMF specification: each
    ``_aws.CloudWatchMetrics`` directive publishes each of its ``Metrics`` once per dimension set;
    the value (a number or an array of numbers) and every dimension value are members of the root
    object; a member that is missing or of the wrong type makes CloudWatch skip that datum. Not an
    EMF document (no ``_aws`` block): nothing."""
    meta = document.get("_aws")
    if not isinstance(meta, Mapping):
        return []
    timestamp = meta.get("Timestamp")
    if not isinstance(timestamp, int):
        return []
    out: list[Datum] = []
    for directive in meta.get("CloudWatchMetrics") or []:
        namespace = directive.get("Namespace")
        if not isinstance(namespace, str):
            continue
        for dimension_set in directive.get("Dimensions") or [[]]:
            if not all(isinstance(document.get(d), str) for d in dimension_set):
                continue  # a dimension must be a string member of the root
            dims = tuple(sorted((d, str(document[d])) for d in dimension_set))
            for metric in directive.get("Metrics") or []:
                name = metric.get("Name")
                values = _numbers(document.get(name))
                if isinstance(name, str) and values:
                    out.append(Datum(namespace, name, dims, values, timestamp))
    return out


def _numbers(value: Any) -> tuple[float, ...]:
    if isinstance(value, bool):
        return ()
    if isinstance(value, int | float):
        return (float(value),)
    if isinstance(value, list) and value and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
        return tuple(float(v) for v in value)
    return ()
