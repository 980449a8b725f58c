"""One model of what AWS publishes (observability/aws_published.py): the local server's PlatformMetrics
publishes only listed metrics under listed dimension sets, and each listed metric names its dimension sets
once. (The units are held to it by tests/unit/observability/test_unit_guard.py, the scenario world by
tests/scenarios/test_world_publishes.py.)"""

from __future__ import annotations

from collections.abc import Mapping

from observability.aws_published import PUBLISHED, READ_OPERATIONS, PlatformMetrics, published


class Sink:
    def __init__(self) -> None:
        self.values: list[tuple[str, str, tuple[str, ...], float]] = []

    def add(self, namespace: str, name: str, dimensions: Mapping[str, str], value: float) -> None:
        self.values.append((namespace, name, tuple(sorted(dimensions)), value))


def test_platform_metrics_publish_only_what_aws_publishes() -> None:
    sink = Sink()
    metrics = PlatformMetrics(sink, "fn")
    for status in (200, 403, 429, 502):
        metrics.url_answered(status, 12.0)
    metrics.throttled()
    metrics.invoked(30.0, error=True, concurrent=2)
    for outcome in ("ok", "throttled", "system_error", "user_error", "reset"):
        for operation in ("GetItem", "PutItem"):
            metrics.dynamodb_call("orders", operation, outcome, 5.0)
    metrics.dynamodb_call(None, "GetItem", "ok", 5.0)  # not a table call: nothing
    names = {(ns, name, dims) for ns, name, dims, _ in sink.values}
    assert sorted(n for n in names if published(*n) is None) == []
    # Each event reaches the metric on-call reads for it.
    assert {n[1] for n in names} >= {
        "UrlRequestCount",
        "Url4xxCount",
        "Url5xxCount",
        "Throttles",
        "Errors",
        "ReadThrottleEvents",
        "WriteThrottleEvents",
        "SystemErrors",
    }


def test_throttles_land_on_the_side_that_was_throttled() -> None:
    sink = Sink()
    metrics = PlatformMetrics(sink, "fn")
    metrics.dynamodb_call("orders", "Query", "throttled", 1.0)
    metrics.dynamodb_call("orders", "UpdateItem", "throttled", 1.0)
    sides = [name for _, name, dims, _ in sink.values if dims == ("TableName",)]
    assert sides == ["ReadThrottleEvents", "WriteThrottleEvents"]
    assert "Query" in READ_OPERATIONS


def test_each_metric_is_listed_once_with_distinct_sorted_dimension_sets() -> None:
    keys = [(p.namespace, p.name) for p in PUBLISHED]
    assert len(keys) == len(set(keys))
    for p in PUBLISHED:
        assert all(tuple(sorted(d)) == d for d in p.dimensions), p
        assert len(set(p.dimensions)) == len(p.dimensions), p
        assert p.when, p
