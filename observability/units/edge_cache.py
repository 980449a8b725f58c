"""Edge caching (per-route cache rules in the catalogue): what the function's metrics cannot see.

Cache hits are answered by CloudFront and never reach the function, so a cached route's Requests
metric counts only misses. CloudFront's additional metrics (AWS::CloudFront::MonitoringSubscription,
created by the edge stack when any route is cached) publish ``CacheHitRate`` per distribution in
us-east-1. Chosen over the edge access logs because it is a real metric: no Logs Insights scan per
dashboard refresh, alarmable, and independent of log delivery. It is per distribution, not per path:
edge requests, hits and misses per cached route come from CloudFront's access logs (standard logging
v2, us-east-1), counted by ``cache-behavior-path-pattern`` in the saved query
``edge-cache-by-path-pattern``, which the section also runs as a log widget (a paid scan per refresh).
"""

from __future__ import annotations

from collections.abc import Sequence

from observability import sections
from observability.emf import route_metric
from observability.model import Graph, LogTable
from observability.queries import SavedQuery
from observability.unit import NoAlarms, Panel, Scope
from observability.units import cloudfront
from service.catalogue import RouteSpec
from service.contract import METRIC_REQUESTS

# Metrics the monitoring subscription adds per distribution (CacheHitRate, OriginLatency and the
# 401/403/404/502/503/504 error rates): the cost table bills them as custom metrics.
ADDITIONAL_METRICS = 8

# queries/cloudfront/: edge requests, hits, misses and hit rate per cached route's path pattern.
BY_PATH_PATTERN_QUERY = "edge-cache-by-path-pattern"


def cached(routes: Sequence[RouteSpec]) -> tuple[RouteSpec, ...]:
    return tuple(r for r in routes if r.cache is not None)


def alarms(scope: Scope) -> NoAlarms:
    return NoAlarms()


def saved_queries(scope: Scope) -> tuple[SavedQuery, ...]:
    return ()


def panels(scope: Scope, alarms: NoAlarms) -> tuple[Panel, ...]:
    """Hit rate at the edge next to what still reaches the function, per cached route; below, the
    edge log's requests, hits and misses per cached path pattern. Nothing without a cached route."""
    cfg, routes = scope.cfg, cached(scope.routes)
    if not routes:
        return ()
    panel = Panel(
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
            # Hits never reach the function: per route they exist only in the edge access logs.
            (
                LogTable(
                    "Cached routes at the edge: requests, hits, misses, hit % per path pattern / 5 min "
                    "(CloudFront access logs, us-east-1; runs a paid Logs Insights query on every refresh)",
                    query=BY_PATH_PATTERN_QUERY,
                    view="table",
                    width=24,
                    source="cloudfront_access_logs",
                ),
            ),
        ),
    )
    return (panel,)
