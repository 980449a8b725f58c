"""openapi.json is generated from the resolver and checked in; it must never go stale."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import pytest
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body

from service.catalogue import ROUTES
from service.openapi import openapi_document


def reads_a_body(payload: Annotated[dict[str, Any], Body()]) -> None: ...


def reads_none() -> None: ...


CHECKED_IN = Path(__file__).resolve().parents[2] / "openapi.json"


def test_checked_in_openapi_matches_the_resolver() -> None:
    assert json.loads(CHECKED_IN.read_text()) == openapi_document(), "openapi.json is stale: run `make openapi`"


def test_every_route_documents_its_problem_responses_and_models() -> None:
    doc = openapi_document()
    for route in ROUTES:
        operation = doc["paths"][route.path][route.method.lower()]
        assert operation["summary"] == route.summary
        assert "422" in operation["responses"], route.name  # validation errors are part of the contract
    create = doc["paths"]["/orders"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("CreateOrder")


def test_exactly_the_routes_that_take_a_body_document_one_with_its_400_and_415() -> None:
    doc = openapi_document()
    for route in ROUTES:
        operation = doc["paths"][route.path][route.method.lower()]
        assert ("requestBody" in operation) is route.takes_body, route.name
        assert {"400", "415"} <= operation["responses"].keys() or not route.takes_body, route.name


def test_a_handler_and_its_catalogue_entry_agree_on_the_body() -> None:
    from service.routes import route

    with pytest.raises(ValueError, match="takes_body"):
        route(Router(), "health")(reads_a_body)  # GET /health declares no body
    with pytest.raises(ValueError, match="takes_body"):
        route(Router(), "create_order")(reads_none)


def test_every_status_the_api_answers_is_documented_for_its_operation() -> None:
    from tests.support.handler import invoke, new_order

    doc = openapi_document()
    missing = "0" * 32
    calls = [
        ("GET", "/health", None, {}),
        ("GET", "/health", "x" * 9000, {}),
        ("POST", "/orders", new_order(), {}),
        ("POST", "/orders", "{not json", {}),
        ("POST", "/orders", {"customer_id": ""}, {}),
        ("POST", "/orders", b"\x00", {"content-type": "application/octet-stream"}),
        ("POST", "/orders", "y" * 9000, {}),
        ("GET", "/orders?limit=5", None, {}),
        ("GET", "/orders?cursor=forged", None, {}),
        ("GET", "/orders?limit=0", None, {}),
        ("GET", "/orders/summary", None, {}),
        ("GET", f"/orders/{missing}", None, {}),
        ("GET", "/orders/bad-id", None, {}),
        ("DELETE", f"/orders/{missing}", None, {}),
    ]
    seen: set[tuple[str, int]] = set()
    for method, target, body, headers in calls:
        call = invoke(method, target, body=body, headers=headers)
        route = call.access["route"]
        verb, path = route.split(" ", 1)
        documented = doc["paths"][path][verb.lower()]["responses"]
        assert str(call.status) in documented, (route, call.status, sorted(documented))
        seen.add((route, call.status))
    assert len({status for _, status in seen}) >= 7  # the calls really covered many statuses
