"""What the function sends for the edge, through the real handler: Cache-Control from the route's
cache rule, CORS (the function is its one owner), and the API key id as client_id."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from local.server import configured_cors_origins
from service import edge_headers, request_state
from service.catalogue import NOT_FOUND, ROUTES_BY_NAME
from service.limits import MAX_BODY_BYTES
from settings.config import ConfigError
from tests.support.handler import invoke

APP = "https://app.example.com"
PREFLIGHT = {"origin": APP, "access-control-request-method": "GET"}


@pytest.fixture
def cors_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """As deployed with cors_allowed_origins = [APP] (CORS_ALLOWED_ORIGINS, read at import)."""
    monkeypatch.setattr(edge_headers, "ALLOWED_ORIGINS", frozenset({APP}))


@pytest.mark.usefixtures("empty_table")
def test_a_cached_route_sends_its_cache_control_on_2xx_only() -> None:
    ok = invoke("GET", "/orders/summary")
    assert ok.status == 200
    assert ok.headers["cache-control"] == f"public, max-age={ROUTES_BY_NAME['orders_summary'].cache.ttl_s}"  # type: ignore[union-attr]
    refused = invoke("GET", "/orders/summary", body="x" * (MAX_BODY_BYTES + 1))
    assert refused.status == 413
    assert refused.access["route"] == "GET /orders/summary"
    assert refused.headers["cache-control"] == "no-store"  # an error is never cached
    assert "cache-control" not in invoke("GET", "/health").headers  # uncached routes: no opinion
    assert "vary" not in ok.headers  # CORS off: nothing varies by Origin


@pytest.mark.usefixtures("cors_on")
def test_preflight_from_an_allowed_origin() -> None:
    call = invoke("OPTIONS", "/orders", headers={**PREFLIGHT, "access-control-request-headers": "content-type"})
    assert call.status == 204
    assert call.headers["access-control-allow-origin"] == APP
    assert call.headers["access-control-allow-methods"] == "GET, POST"
    assert "x-amz-content-sha256" in call.headers["access-control-allow-headers"]
    assert call.headers["access-control-max-age"] == str(edge_headers.PREFLIGHT_MAX_AGE_S)
    assert call.headers["vary"] == "Origin"
    # Labelled and counted, without a new label: metric cardinality stays the catalogue + NOT_FOUND.
    assert (call.access["route"], call.access["method"], call.access["status"]) == (NOT_FOUND, "OPTIONS", 204)
    assert call.access["ClientError"] == 0


@pytest.mark.usefixtures("cors_on")
@pytest.mark.parametrize(
    ("headers", "target", "status"),
    [
        ({**PREFLIGHT, "origin": "https://evil.example.com"}, "/orders", 403),
        ({**PREFLIGHT, "origin": APP + ".evil.com"}, "/orders", 403),
        ({**PREFLIGHT, "access-control-request-method": "PUT"}, "/orders", 403),
        (PREFLIGHT, "/no/such/path", 404),
    ],
)
def test_preflight_refused(headers: dict[str, str], target: str, status: int) -> None:
    call = invoke("OPTIONS", target, headers=headers)
    assert call.status == status
    assert call.headers["content-type"] == "application/problem+json"
    assert call.json["status"] == status
    if headers["origin"] != APP:
        assert "access-control-allow-origin" not in call.headers
    assert call.access["route"] == NOT_FOUND


def test_preflight_refused_when_cors_is_off() -> None:
    call = invoke("OPTIONS", "/orders", headers=PREFLIGHT)
    assert call.status == 403
    assert "access-control-allow-origin" not in call.headers
    assert invoke("OPTIONS", "/orders").status == 405  # a plain OPTIONS is still just a wrong method


@pytest.mark.usefixtures("cors_on", "empty_table")
def test_actual_responses_carry_cors_and_vary() -> None:
    call = invoke("GET", "/orders/summary", headers={"origin": APP})
    assert call.headers["access-control-allow-origin"] == APP
    assert "x-correlation-id" in call.headers["access-control-expose-headers"]
    assert call.headers["vary"] == "Origin"  # the edge keys this cached route on Origin too
    other = invoke("GET", "/orders/summary", headers={"origin": "https://evil.example.com"})
    assert "access-control-allow-origin" not in other.headers
    assert other.headers["vary"] == "Origin"
    assert invoke("GET", "/no/such").headers["vary"] == "Origin"


def test_client_id_is_logged_only_when_the_edge_checks_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    spoofed = invoke("GET", "/health", headers={"x-client-id": "0123456789ab"})
    assert "client_id" not in spoofed.access  # keys off: any viewer could have sent it
    monkeypatch.setattr(request_state, "TRUST_CLIENT_ID", True)
    assert invoke("GET", "/health", headers={"x-client-id": "0123456789ab"}).access["client_id"] == "0123456789ab"
    for bad in ("0123456789AB", "0123456789abc", "x" * 12, '"; drop'):
        assert "client_id" not in invoke("GET", "/health", headers={"x-client-id": bad}).access
    assert "client_id" not in invoke("GET", "/health").access


def test_make_run_reads_cors_origins_from_cdk_json(tmp_path: Path) -> None:
    cdk_json = tmp_path / "cdk.json"
    cdk_json.write_text(json.dumps({"context": {"cors_allowed_origins": [APP, "http://localhost:3000"]}}))
    assert configured_cors_origins(cdk_json) == f"{APP},http://localhost:3000"
    cdk_json.write_text(json.dumps({"context": {"cors_allowed_origins": ["https://x.example.com/path"]}}))
    with pytest.raises(ConfigError, match="cors_allowed_origins"):
        configured_cors_origins(cdk_json)
    assert configured_cors_origins() == ""  # the checked-in default: no CORS
