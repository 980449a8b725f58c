"""The canary's script (canary/python/api_canary.py) against a loopback server: each request carries a
correlation id the service keeps and the canary-requests query finds, and its API key when it has one;
any status outside 2xx fails the run."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import ModuleType

import pytest

from observability.units.canary import CORRELATION_PREFIX, body
from service.contract import SYNTHETIC_CORRELATION_PREFIX, SYNTHETIC_CUSTOMER
from service.request_state import correlation_id_for
from tests.support.paths import ROOT

SCRIPT = ROOT / "canary" / "python" / "api_canary.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("api_canary", SCRIPT)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ROUTES = (
    "health=GET /health,create_order=POST /orders,list_orders=GET /orders,get_order=GET /orders/{order_id},"
    "delete_order=DELETE /orders/{order_id},orders_summary=GET /orders/summary"
)
ORDER_ID = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def server() -> Iterator[tuple[str, list[dict[str, str]], dict[str, int]]]:
    seen: list[dict[str, str]] = []
    status = {"/health": 200, "/orders": 200, "/orders/summary": 200, f"/orders/{ORDER_ID}": 200}

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, body: bytes = b"{}") -> None:
            length = int(self.headers.get("content-length") or 0)
            sent = self.rfile.read(length) if length else b""
            seen.append(
                {
                    "method": self.command,
                    "path": self.path,
                    "body": sent.decode(),
                    **{k.lower(): v for k, v in self.headers.items()},
                }
            )
            code = 201 if self.command == "POST" and status.get(self.path, 404) == 200 else status.get(self.path, 404)
            self.send_response(code)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            self._answer()

        def do_POST(self) -> None:
            self._answer(json.dumps({"order_id": ORDER_ID, "customer_id": "x"}).encode())

        def do_DELETE(self) -> None:
            self._answer()

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}", seen, status
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_run_calls_every_route_writes_reads_and_deletes_its_own_order(
    server: tuple[str, list[dict[str, str]], dict[str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, seen, _ = server
    monkeypatch.setenv("API_URL", url)
    monkeypatch.setenv("CANARY_ROUTES", ROUTES)
    monkeypatch.setenv("CANARY_BODY", body())
    monkeypatch.delenv("API_KEY_SECRET_ARN", raising=False)
    _script().handler({}, None)
    order = f"/orders/{ORDER_ID}"
    assert [(s["method"], s["path"]) for s in seen] == [
        ("GET", "/health"),
        ("GET", "/orders"),
        ("GET", "/orders/summary"),
        ("POST", "/orders"),
        ("GET", order),
        ("DELETE", order),
    ]
    post = seen[3]
    assert json.loads(post["body"])["customer_id"] == SYNTHETIC_CUSTOMER
    assert post["content-type"] == "application/json"
    assert post["x-amz-content-sha256"] == hashlib.sha256(post["body"].encode()).hexdigest()  # OAC needs it
    routes = ("health", "list_orders", "orders_summary", "create_order", "get_order", "delete_order")
    for request, route in zip(seen, routes, strict=True):
        cid = request["x-correlation-id"]
        assert cid.startswith(CORRELATION_PREFIX)
        assert cid.startswith(SYNTHETIC_CORRELATION_PREFIX)  # the service marks it synthetic
        assert cid.endswith(f"-{route}")
        assert correlation_id_for({"x-correlation-id": cid}, "request-id") == cid  # kept, not replaced
        assert "x-api-key" not in request


def test_its_key_goes_in_x_api_key(server: tuple[str, list[dict[str, str]], dict[str, int]]) -> None:
    url, seen, _ = server
    script = _script()
    started = script.datetime.now(script.UTC)
    script.call(script.request(url, "list_orders", "/orders", started, "k" * 40))
    assert seen[0]["x-api-key"] == "k" * 40


def test_a_status_outside_2xx_fails_the_run(
    server: tuple[str, list[dict[str, str]], dict[str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _, status = server
    status["/orders"] = 503
    monkeypatch.setenv("API_URL", url)
    monkeypatch.setenv("CANARY_ROUTES", "health=GET /health,list_orders=GET /orders")
    with pytest.raises(RuntimeError, match=r"GET /orders .*HTTP 503"):
        _script().handler({}, None)


def test_an_unreachable_api_fails_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_URL", "http://127.0.0.1:9")  # discard port: nothing listens
    monkeypatch.setenv("CANARY_ROUTES", "health=GET /health")
    with pytest.raises(RuntimeError, match="GET /health"):
        _script().handler({}, None)
