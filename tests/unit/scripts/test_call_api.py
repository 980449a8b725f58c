"""scripts/call_api.py: calls every catalogue route and signs payloads the way OAC requires."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from scripts.call_api import content_sha256, run
from service.catalogue import ROUTES


class _Recorder(BaseHTTPRequestHandler):
    seen: ClassVar[list[tuple[str, str, dict[str, str], bytes]]] = []

    def _answer(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        self.seen.append((self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body))
        status = {"POST": 201, "DELETE": 204}.get(self.command, 200)
        payload = json.dumps({"order_id": "o-1"}).encode() if self.command == "POST" else b"{}"
        self.send_response(status)
        self.send_header("x-correlation-id", self.headers.get("x-correlation-id", ""))
        self.send_header("content-length", "0" if status == 204 else str(len(payload)))
        self.end_headers()
        if status != 204:
            self.wfile.write(payload)

    do_GET = do_POST = do_DELETE = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[str]:
    _Recorder.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_every_route_called_and_payloads_hashed(recorder: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(recorder) == 0
    seen = _Recorder.seen
    templates = {(r.method, r.path) for r in ROUTES}
    called = {(m, p.split("?")[0].replace("o-1", "{order_id}")) for m, p, _, _ in seen}
    assert called == templates
    for method, _, headers, body in seen:
        if method != "GET":
            assert headers["x-amz-content-sha256"] == hashlib.sha256(body).hexdigest()
        assert headers["user-agent"]
    (post,) = [s for s in seen if s[0] == "POST"]
    assert json.loads(post[3])["currency"] == "EUR"
    assert capsys.readouterr().out.count("correlation_id=call-api-") == len(ROUTES)


def test_content_sha256_is_hex_of_the_exact_bytes() -> None:
    assert content_sha256(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_refuses_plain_http_to_a_remote_host() -> None:
    assert run("http://d111111abcdef8.cloudfront.net") == 2
