"""The catalogue is the one source of truth for routes: mistakes in it are refused at import (the resolver
serving exactly its routes: tests/service/test_resolver.py)."""

from __future__ import annotations

import pytest

from service.catalogue import (
    NOT_FOUND,
    ROUTES,
    RouteSpec,
    Slo,
    allowed_methods,
    check_catalogue,
    label_for,
    route_for,
)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (RouteSpec("health", "GET", "/other", "dup name", Slo(100, 99, 0.999)), "duplicate route names"),
        (RouteSpec("other", "GET", "/health", "dup label", Slo(100, 99, 0.999)), "duplicate method"),
        (RouteSpec("Bad-Name", "GET", "/bad", "bad name", Slo(100, 99, 0.999)), "lower-case identifier"),
        (RouteSpec("rel", "GET", "relative", "no slash", Slo(100, 99, 0.999)), "must start with"),
        (RouteSpec("half", "GET", "/a/{b-c}", "not a name", Slo(100, 99, 0.999)), "whole {identifier}"),
        (RouteSpec("inner", "GET", "/a/x{b}", "part of a segment", Slo(100, 99, 0.999)), "whole {identifier}"),
        (RouteSpec("get_body", "GET", "/b", "GET with a body", Slo(100, 99, 0.999), takes_body=True), "take a body"),
    ],
)
def test_catalogue_mistakes_are_refused(extra: RouteSpec, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_catalogue((*ROUTES, extra))


@pytest.mark.parametrize(("latency", "percentile", "availability"), [(0, 99, 0.999), (100, 100, 0.999), (100, 99, 1.0)])
def test_nonsense_slos_are_refused(latency: int, percentile: float, availability: float) -> None:
    with pytest.raises(ValueError, match="must be"):
        Slo(latency, percentile, availability)


def test_labels_are_bounded_by_the_catalogue() -> None:
    assert label_for("get", "/orders/{order_id}") == "GET /orders/{order_id}"
    assert label_for("GET", "/orders/123") == NOT_FOUND
    assert label_for("PATCH", "/orders") == NOT_FOUND


def test_slo_percentile_statistic_names() -> None:
    assert Slo(100, 99, 0.999).percentile_stat == "p99"
    assert Slo(100, 99.9, 0.999).percentile_stat == "p99.9"
    assert Slo(100, 90, 0.99).error_budget == pytest.approx(0.01)


def test_paths_compile_to_the_resolver_rule_and_a_matcher() -> None:
    spec = RouteSpec("x", "GET", "/a.b/{first}/c/{second}", "example", Slo(100, 99, 0.999))
    assert spec.rule == "/a.b/<first>/c/<second>"
    assert spec.matches("/a.b/1/c/2")
    assert not spec.matches("/a.b/1/c/")  # a parameter is one non-empty segment
    assert not spec.matches("/a.b/1/2/c/3")
    assert not spec.matches("/axb/1/c/2")  # literal text is literal


def test_allowed_methods_come_from_every_template_that_fits() -> None:
    assert allowed_methods("/orders") == ["GET", "POST"]
    assert allowed_methods("/orders/abc") == ["DELETE", "GET"]
    assert allowed_methods("/orders/summary") == ["DELETE", "GET"]  # the static route and /orders/{order_id}
    assert allowed_methods("/orders/a/b") == []


def test_a_raw_request_resolves_to_its_route_as_the_resolver_picks_it() -> None:
    def name(method: str, path: str) -> str | None:
        spec = route_for(method, path)
        return spec.name if spec else None

    assert name("post", "/orders") == "create_order"
    assert name("GET", "/orders/summary") == "orders_summary"  # static before /orders/{order_id}
    assert name("GET", "/orders/" + "a" * 32) == "get_order"
    assert name("POST", "/orders/") is None  # the resolver ignores no trailing slash either
    assert name("PUT", "/orders") is None
