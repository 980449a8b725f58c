"""openapi.json is generated from the resolver and checked in; it must never go stale."""

from __future__ import annotations

import json
from pathlib import Path

from service.catalogue import ROUTES
from service.openapi import openapi_document

CHECKED_IN = Path(__file__).resolve().parents[1] / "openapi.json"


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
