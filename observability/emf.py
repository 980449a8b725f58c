"""The service's own EMF metrics (namespace, ``service`` and ``route`` dimensions from
service/contract.py): the metric factory every unit reads them through."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple, TypeGuard

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


class Datum(NamedTuple):
    """One metric value an EMF document publishes: namespace, name, one dimension set with its values.
    (A named tuple: the local recorder makes ~10 per request, and a frozen dataclass costs ~5x more.)"""

    namespace: str
    name: str
    dimensions: tuple[tuple[str, str], ...]
    values: tuple[float, ...]
    timestamp_ms: int


def extract(document: Mapping[str, Any]) -> list[Datum]:
    """The metric data of one EMF log line, by the rules of the EMF specification: each
    ``_aws.CloudWatchMetrics`` directive publishes each of its ``Metrics`` once per dimension set;
    the value (a number or an array of numbers) and every dimension value are members of the root
    object; a member that is missing or of the wrong type makes CloudWatch skip that datum, and so
    does a directive, dimension set or metric that is not of the specified shape. Not an EMF document
    (no ``_aws`` block): nothing."""
    meta = document.get("_aws")
    if not _is_mapping(meta):
        return []
    timestamp = meta.get("Timestamp")
    if not isinstance(timestamp, int) or isinstance(timestamp, bool):
        return []
    directives = meta.get("CloudWatchMetrics")
    out: list[Datum] = []
    for directive in directives if isinstance(directives, list) else ():
        if not _is_mapping(directive):
            continue
        namespace = directive.get("Namespace")
        metrics = directive.get("Metrics")
        if not isinstance(namespace, str) or not isinstance(metrics, list):
            continue
        # (name, values) of each metric whose member is a number or an array of numbers
        published = [
            (name, values)
            for metric in metrics
            if _is_mapping(metric)
            and isinstance(name := metric.get("Name"), str)
            and (values := _numbers(document.get(name)))
        ]
        dimension_sets = directive.get("Dimensions") or [[]]
        for dimension_set in dimension_sets if isinstance(dimension_sets, list) else ():
            if not isinstance(dimension_set, list) or not all(
                isinstance(d, str) and isinstance(document.get(d), str) for d in dimension_set
            ):
                continue  # a dimension must be a string member of the root
            dims = tuple(sorted((d, document[d]) for d in dimension_set))
            out += [Datum(namespace, name, dims, values, timestamp) for name, values in published]
    return out


def _is_mapping(value: Any) -> TypeGuard[Mapping[str, Any]]:
    return type(value) is dict or isinstance(value, Mapping)  # a parsed document's are dicts: no ABC check


def _numbers(value: Any) -> tuple[float, ...]:
    kind = type(value)
    if kind is int or kind is float:  # the usual case, first (bool is neither)
        return (float(value),)
    if isinstance(value, bool):
        return ()
    if isinstance(value, int | float):
        return (float(value),)
    if isinstance(value, list) and value and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
        return tuple(float(v) for v in value)
    return ()
