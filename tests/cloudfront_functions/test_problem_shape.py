"""cloudfront_functions/api_key.js builds its own problem bodies (a CloudFront Function cannot import Python): they keep
the shape of the service's (service/problems.py), so a client parses a refusal at the edge like one
from the function. Same members (the id to quote is CloudFront's request_id at the edge, the
correlation_id in the function), same title and status for the same status code, same content type."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from service.problems import PROBLEM_CONTENT_TYPE, problem_details
from tests.support.paths import ROOT, node_binary

WELL_FORMED_KEY = "k" * 40


def refuse(headers: dict[str, str], failure: str | None = None) -> dict[str, Any]:
    """The real cloudfront_functions/api_key.js on one viewer request, with an empty key store (or a failing one)."""
    node = node_binary()
    if node is None:
        pytest.skip("node is not installed: needed to run the edge function (present on CI machines)")
    event = {
        "version": "1.0",
        "context": {"eventType": "viewer-request", "requestId": "req-shape"},
        "viewer": {"ip": "198.51.100.7"},
        "request": {
            "method": "GET",
            "uri": "/orders",
            "querystring": {},
            "cookies": {},
            "headers": {name: {"value": value} for name, value in headers.items()},
        },
    }
    run = subprocess.run(
        [node, "tests/cloudfront_functions/run_function.mjs"],
        cwd=ROOT,
        input=json.dumps({"store": {}, "event": event, "failure": failure}),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(run.stdout)


@pytest.mark.parametrize(
    ("status", "headers", "failure"),
    [
        (401, {}, None),  # no key
        (403, {"x-api-key": WELL_FORMED_KEY}, None),  # unknown key
        (503, {"x-api-key": WELL_FORMED_KEY}, "all"),  # key store unreachable
    ],
)
def test_edge_problems_have_the_service_problem_shape(
    status: int, headers: dict[str, str], failure: str | None
) -> None:
    response = refuse(headers, failure)
    assert response["statusCode"] == status
    assert response["headers"]["content-type"]["value"] == PROBLEM_CONTENT_TYPE
    edge = json.loads(response["body"]["data"])
    service = problem_details(status, edge["detail"], correlation_id="c0ffee")
    assert set(edge) - {"request_id"} == set(service) - {"correlation_id"}
    assert edge["request_id"] == "req-shape"
    assert (edge["title"], edge["status"]) == (service["title"], service["status"])
    assert response["statusDescription"] == service["title"]
    assert isinstance(edge["type"], str)
    assert edge["type"]
