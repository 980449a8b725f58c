"""Edge caching (per-route cache rules in the catalogue): what the function's metrics cannot see.

Cache hits are answered by CloudFront and never reach the function, so a cached route's Requests
metric counts only misses. CloudFront's additional metrics (AWS::CloudFront::MonitoringSubscription,
created by the edge stack when any route is cached) publish ``CacheHitRate`` per distribution in
us-east-1. Chosen over the edge access logs because it is a real metric: no Logs Insights scan per
dashboard refresh, alarmable, and independent of log delivery. It is per distribution, not per path;
the per-path split needs CloudFront's access logs (README: Edge caching).
"""

from __future__ import annotations

from collections.abc import Sequence

from observability import sections
from observability.config import MonitoringConfig
from observability.model import Graph, Section
from observability.units import cloudfront
from observability.units.service import route_metric
from service.catalogue import RouteSpec
from service.contract import METRIC_REQUESTS

# Metrics the monitoring subscription adds per distribution (CacheHitRate, OriginLatency and the
# 401/403/404/502/503/504 error rates): the cost table bills them as custom metrics.
ADDITIONAL_METRICS = 8


def cached(routes: Sequence[RouteSpec]) -> tuple[RouteSpec, ...]:
    return tuple(r for r in routes if r.cache is not None)


def section(cfg: MonitoringConfig, routes: Sequence[RouteSpec]) -> Section | None:
    """Hit rate at the edge next to what still reaches the function, per cached route."""
    routes = cached(routes)
    if not routes:
        return None
    return Section(
        sections.EDGE_CACHE,
        (
            (
                Graph(
                    "CloudFront cache hit rate, % (all cached routes)",
                    left=(cloudfront.metric("CacheHitRate", "Average", label="cache hit %"),),
                    edge=True,
                    width=12,
                    left_max=100,
                ),
                Graph(
                    "Cached routes: requests reaching the function (misses) / 5 min",
                    left=tuple(
                        route_metric(cfg, METRIC_REQUESTS, "Sum", r.label, period_s=300, label=r.label) for r in routes
                    ),
                    width=12,
                ),
            ),
        ),
    )
