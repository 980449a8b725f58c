"""The canary's script (canary/python/api_canary.py) against a loopback server: each request carries a
correlation id the service keeps and the canary-requests query finds, and its API key when it has one;
any status outside 2xx fails the run."""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType

import pytest

from observability.units.canary import CORRELATION_PREFIX
from service.request_state import correlation_id_for

SCRIPT = Path(__file__).resolve().parents[2] / "canary" / "python" / "api_canary.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("api_canary", SCRIPT)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def server() -> Iterator[tuple[str, list[dict[str, str]], dict[str, int]]]:
    seen: list[dict[str, str]] = []
    status = {"/health": 200, "/orders": 200}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
            self.send_response(status.get(self.path, 404))
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

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


def test_a_run_calls_each_path_with_a_correlation_id_the_service_keeps(
    server: tuple[str, list[dict[str, str]], dict[str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, seen, _ = server
    monkeypatch.setenv("API_URL", url)
    monkeypatch.setenv("CANARY_PATHS", "health=/health,list_orders=/orders")
    monkeypatch.delenv("API_KEY_SECRET_ARN", raising=False)
    assert _script().handler({}, None) == "GET /health 200; GET /orders 200"
    assert [s["path"] for s in seen] == ["/health", "/orders"]
    for request, route in zip(seen, ("health", "list_orders"), strict=True):
        cid = request["x-correlation-id"]
        assert cid.startswith(CORRELATION_PREFIX)
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
    monkeypatch.setenv("CANARY_PATHS", "health=/health,list_orders=/orders")
    with pytest.raises(RuntimeError, match=r"GET /orders .*HTTP 503"):
        _script().handler({}, None)


def test_an_unreachable_api_fails_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_URL", "http://127.0.0.1:9")  # discard port: nothing listens
    monkeypatch.setenv("CANARY_PATHS", "health=/health")
    with pytest.raises(RuntimeError, match="GET /health"):
        _script().handler({}, None)
