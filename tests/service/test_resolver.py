"""The resolver serves exactly the catalogue's routes, each under its label (through the real handler)."""

from __future__ import annotations

import re

import pytest

from service.catalogue import ROUTES, RouteSpec
from tests.support.handler import invoke


def test_openapi_operations_match_the_catalogue() -> None:
    """The resolver's own schema lists every route it serves: exactly the catalogue's, named as there."""
    from service.resolver import app

    operations = {
        (method.upper(), path): op["operationId"]
        for path, ops in app.get_openapi_schema().paths.items()
        for method, op in ops.model_dump(exclude_none=True).items()
    }
    assert operations == {(r.method, r.path): r.name for r in ROUTES}


@pytest.mark.parametrize("spec", ROUTES, ids=lambda r: r.name)
def test_the_resolver_answers_every_catalogue_route_under_its_label(spec: RouteSpec) -> None:
    call = invoke(spec.method, re.sub(r"\{\w+\}", "0" * 32, spec.path), body={} if spec.method == "POST" else None)
    assert call.access["route"] == spec.label  # matched by the resolver: an unmatched one is NOT_FOUND
