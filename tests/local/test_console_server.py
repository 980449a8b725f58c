"""The console server (local/console_server.py) as a client meets it: the API's error shape, idle connections closed."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from local import console_server as console_module
from local.console_server import Console
from local.telemetry import Recorder


@pytest.fixture
def console(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Console]:
    monkeypatch.setattr(console_module, "IDLE_TIMEOUT_S", 0.5)
    served = Console(Recorder(tmp_path), "127.0.0.1", 0, table_name="orders", reserved_concurrency=2).start()
    try:
        yield served
    finally:
        served.stop()


def exchange(console: Console, request: bytes) -> bytes:
    host, port = console.server.server_address[:2]
    with socket.create_connection((host, port), timeout=10) as s:
        s.sendall(request)
        s.shutdown(socket.SHUT_WR)
        return b"".join(iter(lambda: s.recv(65536), b""))


def test_methods_and_unknown_paths_answer_problem_details(console: Console) -> None:
    for request, status in (
        (b"DELETE /dashboard.json HTTP/1.1\r\nHost: x\r\n\r\n", 405),
        (b"GET /etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n", 404),
        (b"GET /query HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    ):
        head, _, body = exchange(console, request).partition(b"\r\n\r\n")
        assert head.startswith(f"HTTP/1.1 {status} ".encode()), head
        assert b"Content-Type: application/problem+json" in head
        assert json.loads(body)["status"] == status
        if status == 405:
            assert b"Allow: GET, HEAD" in head


def test_an_idle_connection_is_closed(console: Console) -> None:
    host, port = console.server.server_address[:2]
    with socket.create_connection((host, port), timeout=10) as s:
        started = time.monotonic()
        assert s.recv(1) == b""  # closed by the server, not by the client's timeout
        assert time.monotonic() - started < 5
