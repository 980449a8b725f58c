"""The edge options in the observability model: cache hit rate on the dashboard, DDoSDetected alarm."""

from __future__ import annotations

import dataclasses

from observability import sections
from observability.config import MonitoringConfig
from observability.cost import cost_lines
from observability.model import Graph, Metric
from observability.plan import plan
from service.catalogue import ROUTES


def _section(p, title):  # type: ignore[no-untyped-def]
    return next((s for s in p.dashboard if s.title == title), None)


def test_dashboard_shows_the_cache_hit_rate_when_a_route_is_cached() -> None:
    section = _section(plan(), sections.EDGE_CACHE)
    assert section is not None
    graphs = [w for row in section.rows for w in row if isinstance(w, Graph)]
    hit_rate = [m for g in graphs if g.edge for m in g.left if isinstance(m, Metric) and m.name == "CacheHitRate"]
    (metric,) = hit_rate
    assert metric.namespace == "AWS/CloudFront"
    assert dict(metric.dimensions)["Region"] == "Global"
    misses = [m for g in graphs if not g.edge for m in g.left]
    assert [dict(m.dimensions)["route"] for m in misses] == ["GET /orders/summary"]  # type: ignore[union-attr]
    uncached = tuple(dataclasses.replace(r, cache=None) for r in ROUTES)
    assert _section(plan(routes=uncached), sections.EDGE_CACHE) is None
    (line,) = [c for c in cost_lines() if "CloudFront additional metrics" in c.item]
    assert line.monthly == 2.40
    assert not [c for c in cost_lines(uncached) if "CloudFront additional metrics" in c.item and c.quantity]


def test_ddos_alarm_only_with_shield_advanced() -> None:
    assert not [a for a in plan().alarms if a.key == "shield-ddos-detected"]
    (alarm,) = [a for a in plan(MonitoringConfig(shield_advanced=True)).edge_alarms if a.key == "shield-ddos-detected"]
    assert alarm.region == "edge"
    assert isinstance(alarm.metric, Metric)
    assert (alarm.metric.namespace, alarm.metric.name) == ("AWS/DDoSProtection", "DDoSDetected")
    assert [d for d, _ in alarm.metric.dimensions] == ["ResourceArn"]
