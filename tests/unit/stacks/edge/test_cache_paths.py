"""Per-route edge caching: catalogue rules, CloudFront path-pattern precedence, Cache-Control."""

from __future__ import annotations

import dataclasses
import json

import pytest

from service.catalogue import ROUTES, ROUTES_BY_NAME, CacheRule, RouteSpec, Slo, check_catalogue
from stacks.edge.cache_paths import cache_behaviours, cloudfront_matches, example_path, path_pattern, served_by
from tests.support.paths import ROOT

SLO = Slo(100, 99, 0.999)


def test_the_catalogue_caches_the_summary_only() -> None:
    assert [(b.path_pattern, b.rule) for b in cache_behaviours(ROUTES)] == [("/orders/summary", CacheRule(ttl_s=30))]


def test_cloudfront_pattern_semantics() -> None:
    assert path_pattern(ROUTES_BY_NAME["get_order"]) == "/orders/*"
    assert cloudfront_matches("/orders/*", "/orders/summary")  # * spans anything, so order matters
    assert cloudfront_matches("/orders/*", "/orders/a/b")
    assert not cloudfront_matches("/orders/*", "/orders")
    assert not cloudfront_matches("/orders/summary", "/orders/summary/")
    assert not cloudfront_matches("/orders/summary", "/Orders/summary")  # case-sensitive
    assert cloudfront_matches("/a?c", "/abc")


def test_every_get_route_is_served_by_its_own_rule_at_the_edge() -> None:
    """Replays CloudFront's first-match over the generated list for every GET route of the catalogue."""
    behaviours = cache_behaviours(ROUTES)
    for route in ROUTES:
        if route.method == "GET":
            chosen = served_by(behaviours, example_path(route))
            assert (chosen.route.cache if chosen else None) == route.cache, route.name
    # and the literal path that /orders/* would also match
    assert served_by(behaviours, "/orders/summary").route.name == "orders_summary"  # type: ignore[union-attr]
    assert served_by(behaviours, "/orders/0123") is None


def test_specific_patterns_come_first_whatever_the_catalogue_order() -> None:
    get_order = dataclasses.replace(ROUTES_BY_NAME["get_order"], cache=CacheRule(ttl_s=5))
    routes = tuple(get_order if r.name == "get_order" else r for r in ROUTES)
    for ordering in (routes, tuple(reversed(routes))):
        behaviours = cache_behaviours(ordering)
        assert [b.path_pattern for b in behaviours] == ["/orders/summary", "/orders/*"]
        assert served_by(behaviours, "/orders/summary").rule.ttl_s == 30  # type: ignore[union-attr]
        assert served_by(behaviours, "/orders/abc").rule.ttl_s == 5  # type: ignore[union-attr]


def test_a_wildcard_that_would_capture_another_route_fails() -> None:
    """Caching /orders/{order_id} alone would serve GET /orders/summary (uncached) from /orders/*."""
    routes = tuple(
        dataclasses.replace(r, cache=CacheRule(ttl_s=5))
        if r.name == "get_order"
        else dataclasses.replace(r, cache=None)
        if r.name == "orders_summary"
        else r
        for r in ROUTES
    )
    with pytest.raises(ValueError, match=r"GET /orders/summary \(orders_summary\) would be served by pattern"):
        cache_behaviours(routes)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (RouteSpec("p", "POST", "/p", "post", SLO, cache=CacheRule(30)), "only GET routes"),
        (RouteSpec("mine", "GET", "/me", "per caller", SLO, cache=CacheRule(30), per_caller=True), "only GET"),
    ],
)
def test_only_shared_get_answers_may_be_cached(spec: RouteSpec, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_catalogue((*ROUTES, spec))


@pytest.mark.parametrize("kwargs", [{"ttl_s": 0}, {"ttl_s": 86_401}, {"ttl_s": 5, "query_keys": ("a", "a")}])
def test_cache_rule_bounds(kwargs: dict) -> None:
    with pytest.raises(ValueError, match="cache"):
        CacheRule(**kwargs)


def test_a_cached_route_keys_on_exactly_the_query_parameters_it_reads() -> None:
    """The origin gets every query parameter (AllViewerExceptHostHeader) but the cache key only the
    declared ones: a parameter the route reads but the key ignores would serve one answer for all."""
    spec = json.loads((ROOT / "openapi.json").read_text())
    operations = {op["operationId"]: op for path in spec["paths"].values() for op in path.values()}
    for route in ROUTES:
        if route.cache is not None:
            read = {p["name"] for p in operations[route.name].get("parameters", []) if p["in"] == "query"}
            assert read == set(route.cache.query_keys), route.name
