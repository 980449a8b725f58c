"""The edge options in the observability model: cache hit rate and per-route edge hits on the
dashboard, DDoSDetected alarm."""

from __future__ import annotations

import dataclasses

import pytest

from dashboards.layout import layout
from observability import queries, sections
from observability.cost import cost_lines
from observability.model import Graph, LogTable, Metric
from observability.monitoring_config import MonitoringConfig
from observability.plan import plan
from observability.units import edge_cache
from service.catalogue import ROUTES


def _section(p, title):  # type: ignore[no-untyped-def]
    return next((s for s in layout(p) if s.title == title), None)


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


def _log_tables(p):  # type: ignore[no-untyped-def]
    return [w for s in layout(p) for row in s.rows for w in row if isinstance(w, LogTable)]


def test_edge_cache_section_runs_the_per_path_pattern_query_on_the_edge_logs() -> None:
    section = _section(plan(), sections.EDGE_CACHE)
    (widget,) = [w for row in section.rows for w in row if isinstance(w, LogTable)]
    assert widget.query == edge_cache.BY_PATH_PATTERN_QUERY == "edge-cache-by-path-pattern"
    assert widget.source == "cloudfront_access_logs"
    assert widget.edge
    assert "paid" in widget.title
    # The query is one of the deployed edge-log queries, not a function-log one.
    assert queries.get(widget.query, "cloudfront_access_logs") in queries.cloudfront_log_queries()
    with pytest.raises(KeyError):
        queries.get(widget.query)


def test_no_edge_log_widget_without_a_cached_route() -> None:
    uncached = tuple(dataclasses.replace(r, cache=None) for r in ROUTES)
    assert [w.source for w in _log_tables(plan())].count("cloudfront_access_logs") == 1
    assert not [w for w in _log_tables(plan(routes=uncached)) if w.source == "cloudfront_access_logs"]


def test_a_log_widget_over_the_wrong_log_group_fails_the_layout(monkeypatch: pytest.MonkeyPatch) -> None:
    wrong = LogTable("t", query=edge_cache.BY_PATH_PATTERN_QUERY, view="table", width=24)  # source: function
    real = edge_cache.panels

    def panels(scope, alarms):  # type: ignore[no-untyped-def]
        (p,) = real(scope, alarms)
        return (dataclasses.replace(p, rows=(*p.rows, (wrong,))),)

    monkeypatch.setattr(edge_cache, "panels", panels)
    with pytest.raises(KeyError, match="queries/service/"):
        layout(plan())


def test_ddos_alarm_only_with_shield_advanced() -> None:
    assert not [a for a in plan().alarms if a.key == "shield-ddos-detected"]
    (alarm,) = [
        a for a in plan(MonitoringConfig(shield_advanced=True)).alarms_at("edge") if a.key == "shield-ddos-detected"
    ]
    assert alarm.region == "edge"
    assert isinstance(alarm.metric, Metric)
    assert (alarm.metric.namespace, alarm.metric.name) == ("AWS/DDoSProtection", "DDoSDetected")
    assert [d for d, _ in alarm.metric.dimensions] == ["ResourceArn"]
