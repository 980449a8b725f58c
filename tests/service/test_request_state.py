"""Per-request state lives in the resolver's context for one invocation only (Powertools clears it after
resolve, also when resolving fails; the handler relies on that)."""

from __future__ import annotations

import pytest

from service.request_state import CONTEXT_KEY
from service.resolver import app
from tests.support.handler import invoke


@pytest.mark.parametrize(
    ("method", "target", "raw_event"),
    [
        ("GET", "/health", None),  # served
        ("GET", "/nope", None),  # not found
        ("POST", "/orders", None),  # refused by validation, before any middleware
        ("GET", "/", {}),  # not a Function URL event: fails outside the resolver
    ],
)
def test_no_request_state_outlives_its_invocation(method: str, target: str, raw_event: dict | None) -> None:
    invoke(method, target, body="{}" if method == "POST" else None, raw_event=raw_event)
    assert CONTEXT_KEY not in app.context


def test_an_oversized_request_does_not_mark_the_next_one() -> None:
    assert invoke("POST", "/orders", body="y" * 10_000).status == 413
    after = invoke("GET", "/health", headers={"x-correlation-id": "next-1"})
    assert (after.status, after.access["route"], after.access["correlation_id"]) == (200, "GET /health", "next-1")
