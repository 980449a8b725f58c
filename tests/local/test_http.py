"""The local server's front end, in-process: HTTP framing, Connection handling, refusals, disconnects.

The front end runs on a real loopback TCP socket; invocations go straight to the real handler in
this process (the worker processes are covered end to end in tests/local/test_server.py).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from local.events import LocalLambdaContext
from local.frontend import FrontEnd
from local.http1 import HttpError, parse_content_length
from service.handler import handler
from service.telemetry import emit_access_line
from tests.support.handler import json_lines


class InProcessPool:
    """One slot per concurrent invocation, like WorkerPool, without processes."""

    def __init__(self, size: int = 4) -> None:
        self.size, self.busy, self._lock = size, 0, threading.Lock()

    def acquire(self) -> object | None:
        with self._lock:
            if self.busy >= self.size:
                return None
            self.busy += 1
            return object()

    def release(self, worker: object) -> None:
        with self._lock:
            self.busy -= 1


class RecordingSocket:
    """The accepted socket, recording how responses are written."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self.sendall_calls: list[bytes] = []

    def sendall(self, data: bytes) -> None:
        self.sendall_calls.append(bytes(data))
        self._sock.sendall(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


@pytest.fixture
def server() -> Iterator[tuple[FrontEnd, tuple[str, int], list[RecordingSocket]]]:
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[RecordingSocket] = []
    front = FrontEnd(
        listener,
        InProcessPool(),
        invoke=lambda _w, event, request_id: handler(event, LocalLambdaContext(aws_request_id=request_id)),
        access_log=emit_access_line,
        throttle_reason="ReservedFunctionConcurrentInvocationLimitExceeded",
        idle_timeout_s=5,
    )

    def accept_loop() -> None:
        while True:
            try:
                sock, address = listener.accept()
            except OSError:
                return
            recording = RecordingSocket(sock)
            accepted.append(recording)
            threading.Thread(target=front.handle_connection, args=(recording, address), daemon=True).start()

    threading.Thread(target=accept_loop, daemon=True).start()
    yield front, listener.getsockname()[:2], accepted
    front.stop()


def exchange(address: tuple[str, int], raw: bytes, timeout: float = 5) -> bytes:
    """Send raw bytes, read until the server closes (or the timeout)."""
    with socket.create_connection(address, timeout=timeout) as sock:
        sock.sendall(raw)
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except TimeoutError:
            pass
        return b"".join(chunks)


def responses(data: bytes) -> list[tuple[int, dict[str, str], bytes]]:
    """Split a byte stream into (status, headers, body) responses using Content-Length."""
    out = []
    while data:
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
        length = int(headers["content-length"])
        out.append((int(lines[0].split()[1]), headers, rest[:length]))
        data = rest[length:]
    return out


def wait_for(predicate: Any, timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.01)


def test_each_response_is_one_write_on_a_no_delay_socket(server: Any) -> None:
    _, address, accepted = server
    with socket.create_connection(address, timeout=5) as sock:
        for _ in range(3):  # keep-alive: three requests on one connection
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            data = b""
            while b'"ok"' not in data:
                data += sock.recv(65536)
        wait_for(lambda: len(accepted) == 1 and len(accepted[0].sendall_calls) == 3)
        recorded = accepted[0]
        assert recorded._sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    assert len(recorded.sendall_calls) == 3  # one sendall per response: status line, headers and body together
    for call in recorded.sendall_calls:
        [(status, headers, body)] = responses(call)
        assert status == 200
        assert headers["connection"] == "keep-alive"
        assert json.loads(body)["status"] == "ok"


def test_connection_close_is_honoured_and_announced(server: Any) -> None:
    _, address, _ = server
    data = exchange(
        address, b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /health HTTP/1.1\r\n\r\n"
    )
    [(status, headers, _)] = responses(data)  # the server closed after the first: the second was not served
    assert (status, headers["connection"]) == (200, "close")

    [(status, headers, _)] = responses(exchange(address, b"GET /health HTTP/1.0\r\n\r\n"))
    assert (status, headers["connection"]) == (200, "close")  # HTTP/1.0 without keep-alive


@pytest.mark.parametrize(
    "content_length",
    [
        b"Content-Length: 5x\r\n",
        b"Content-Length: -1\r\n",
        b"Content-Length: 5\r\nContent-Length: 6\r\n",
        b"Content-Length: 5, 6\r\n",
    ],
)
def test_malformed_or_conflicting_content_length_is_400_and_close(
    server: Any, content_length: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    _, address, _ = server
    # If the server guessed a length, "GET /health ..." inside the body would be served as a second request.
    raw = b"POST /orders HTTP/1.1\r\nHost: x\r\n" + content_length + b"\r\nGET /health HTTP/1.1\r\n\r\n"
    [(status, headers, body)] = responses(exchange(address, raw))
    assert (status, headers["connection"]) == (400, "close")
    assert headers["content-type"] == "application/problem+json"
    assert json.loads(body)["detail"] == "Malformed or conflicting Content-Length"
    [access] = [line for line in json_lines(capsys.readouterr().out) if line["message"] == "access"]
    assert (access["route"], access["status"], access["method"]) == ("NOT_FOUND", 400, "POST")


def test_identical_repeated_content_length_is_one_value() -> None:
    assert parse_content_length("7, 7") == 7
    with pytest.raises(HttpError):
        parse_content_length("+7")


def test_a_body_is_never_read_as_the_next_request(server: Any) -> None:
    _, address, _ = server
    body = b'{"x":1}GET /health HTTP/1.1'
    raw = b"POST /nope HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n" + body[:7]
    raw += b"GET /health HTTP/1.1\r\nConnection: close\r\n\r\n"
    statuses = [status for status, _, _ in responses(exchange(address, raw))]
    assert statuses == [404, 200]  # pipelined: exactly two requests, framed by Content-Length


@pytest.mark.parametrize(
    ("raw", "status", "method"),
    [
        (b"TRACE /health HTTP/1.1\r\nHost: x\r\n\r\n", 405, "TRACE"),
        (b"CONNECT /x HTTP/1.1\r\nHost: x\r\n\r\n", 405, "CONNECT"),
        (b"POST /orders HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 411, "POST"),
        (b"POST /orders HTTP/1.1\r\nContent-Length: 7000000\r\n\r\n", 413, "POST"),
        (b"GET /health HTTP/1.1\r\nbad header line\r\n\r\n", 400, "GET"),
        (b"GET /health HTTP/1.1\r\n folded: value\r\n\r\n", 400, "GET"),
        (b"GET http://example.com/ HTTP/1.1\r\n\r\n", 400, "GET"),
    ],
)
def test_refused_requests_get_problem_json_and_their_own_access_line(
    server: Any, raw: bytes, status: int, method: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _, address, _ = server
    [(got, headers, body)] = responses(exchange(address, raw))
    assert got == status
    assert headers["content-type"] == "application/problem+json"
    assert headers["connection"] == "close"
    problem = json.loads(body)
    assert problem["status"] == status
    assert problem["correlation_id"] == headers["x-correlation-id"]
    if status == 405:
        assert "GET" in headers["allow"]
    [access] = [line for line in json_lines(capsys.readouterr().out) if line["message"] == "access"]
    assert (access["route"], access["status"], access["method"]) == ("NOT_FOUND", status, method)
    assert access["correlation_id"] == problem["correlation_id"]
    assert access["ClientError"] == 1
    assert access["Fault"] == 0
    assert "_aws" in access


def test_a_refusal_access_line_has_the_shape_of_the_functions(server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    _, address, _ = server
    exchange(address, b"GET /missing HTTP/1.1\r\nConnection: close\r\n\r\n")  # the function's own NOT_FOUND
    exchange(address, b"TRACE /missing HTTP/1.1\r\n\r\n")  # the server's
    function_line, server_line = [line for line in json_lines(capsys.readouterr().out) if line["message"] == "access"]
    assert set(server_line) == set(function_line)
    assert server_line["_aws"]["CloudWatchMetrics"] == function_line["_aws"]["CloudWatchMetrics"]


def test_a_client_that_disconnects_mid_body_gets_one_json_line(server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    _, address, _ = server
    with socket.create_connection(address, timeout=5) as sock:
        sock.sendall(
            b'POST /orders HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"customer'
        )
    seen: list[str] = []
    wait_for(lambda: seen.append(capsys.readouterr().out) or "client disconnected" in "".join(seen))
    [line] = json_lines("".join(seen))
    assert line["message"] == "client disconnected"
    assert (line["method"], line["path"]) == ("POST", "/orders")
    assert "Traceback" not in "".join(seen) + capsys.readouterr().err


def test_expect_100_continue_gets_the_interim_answer(server: Any) -> None:
    _, address, _ = server
    body = json.dumps(
        {"customer_id": "c-1", "currency": "EUR", "items": [{"sku": "S", "quantity": 1, "unit_price_cents": 1}]}
    )
    with socket.create_connection(address, timeout=5) as sock:
        sock.sendall(
            b"POST /orders HTTP/1.1\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
            + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
        )
        assert sock.recv(64) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(body.encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    [(status, _, _)] = responses(data)
    assert status == 201


def test_beyond_concurrency_the_answer_is_a_function_url_throttle(capsys: pytest.CaptureFixture[str]) -> None:
    release = threading.Event()
    pool = InProcessPool(size=1)

    def slow_invoke(_worker: object, event: dict[str, Any], request_id: str) -> dict[str, Any]:
        release.wait(5)
        return handler(event, LocalLambdaContext(aws_request_id=request_id))

    listener = socket.create_server(("127.0.0.1", 0))
    front = FrontEnd(
        listener,
        pool,
        invoke=slow_invoke,
        access_log=emit_access_line,
        throttle_reason="ConcurrentInvocationLimitExceeded",
    )
    threading.Thread(target=front.serve_forever, daemon=True).start()
    address = listener.getsockname()[:2]
    try:
        busy = threading.Thread(target=exchange, args=(address, b"GET /health HTTP/1.1\r\nConnection: close\r\n\r\n"))
        busy.start()
        wait_for(lambda: pool.busy == 1)
        [(status, headers, body)] = responses(exchange(address, b"GET /health HTTP/1.1\r\nConnection: close\r\n\r\n"))
        release.set()
        busy.join(5)
    finally:
        front.stop()
    assert status == 429
    assert headers["x-amzn-errortype"] == "TooManyRequestsException"
    assert headers["retry-after"] == "1"
    assert json.loads(body) == {
        "Reason": "ConcurrentInvocationLimitExceeded",
        "Type": "User",
        "message": "Rate Exceeded.",
    }
    lines = json_lines(capsys.readouterr().out)
    assert [line["message"] for line in lines] == ["throttled", "access"]  # the throttle is not an invocation
