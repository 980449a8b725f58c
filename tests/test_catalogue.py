"""The catalogue is the one source of truth for routes: the resolver serves exactly its routes."""

from __future__ import annotations

import dataclasses

import pytest

from service.catalogue import NOT_FOUND, ROUTES, RouteSpec, Slo, _check_catalogue, label_for


def registered_routes() -> set[tuple[str, str]]:
    from service.api import app

    return {(r.method, r.openapi_path) for r in app._static_routes + app._dynamic_routes}


def test_resolver_serves_exactly_the_catalogue() -> None:
    assert registered_routes() == {(r.method, r.path) for r in ROUTES}


def test_openapi_operations_match_the_catalogue() -> None:
    from service.openapi import openapi_document

    operations = {
        (method.upper(), path): op["operationId"]
        for path, ops in openapi_document()["paths"].items()
        for method, op in ops.items()
    }
    assert operations == {(r.method, r.path): r.name for r in ROUTES}


def test_every_route_has_an_slo() -> None:
    for route in ROUTES:
        assert isinstance(route.slo, Slo), route.name
        assert route.slo.latency_ms > 0
        assert 0.9 <= route.slo.availability < 1


def test_a_route_without_slo_is_refused() -> None:
    broken = dataclasses.replace(ROUTES[0], name="no_slo", path="/x", slo=None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="has no SLO"):
        _check_catalogue((*ROUTES, broken))


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (RouteSpec("health", "GET", "/other", "dup name", Slo(100, 99, 0.999)), "duplicate route names"),
        (RouteSpec("other", "GET", "/health", "dup label", Slo(100, 99, 0.999)), "duplicate method"),
        (RouteSpec("Bad-Name", "GET", "/bad", "bad name", Slo(100, 99, 0.999)), "lower-case identifier"),
        (RouteSpec("rel", "GET", "relative", "no slash", Slo(100, 99, 0.999)), "must start with"),
    ],
)
def test_catalogue_mistakes_are_refused(extra: RouteSpec, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _check_catalogue((*ROUTES, extra))


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
