"""Dependency faults are 503s with Retry-After and a named error_kind; a bug stays a 500; a hanging
DynamoDB cannot run a request past its deadline, and every request keeps its one access line.

DynamoDB is replaced per test by a loopback server: one that answers DynamoDB's real error bodies
(so the real botocore client parses and retries them), one that accepts connections and never
answers, and a closed port.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from local.events import LocalLambdaContext
from service import contract, time_budget
from service.dal import dependency_errors
from service.dal.orders_table import OrdersTable
from tests.support.handler import invoke, new_order

ORDER_ID = "a" * 32


@contextlib.contextmanager
def dynamodb_answering(status: int, code: str) -> Iterator[tuple[str, list[str]]]:
    """A fake DynamoDB endpoint that answers every call with this error, as DynamoDB does; yields
    its URL and the operations called (X-Amz-Target), as they arrive."""
    calls: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length", 0)))
            calls.append(self.headers.get("x-amz-target", ""))
            body = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": "fake"}).encode()
            self.send_response(status)
            self.send_header("content-type", "application/x-amz-json-1.0")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", calls
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def dynamodb_that_never_answers() -> Iterator[str]:
    """Accepts every connection (the kernel completes the handshake) and never sends a byte."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.05)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError, OSError):
                accepted.append(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        listener.close()


class ContextEndingIn(LocalLambdaContext):
    """A Lambda context with this many seconds of the invocation left (all the handler reads of it
    is get_remaining_time_in_millis, as of Lambda's own context object)."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.ends_at = time.monotonic() + seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.ends_at - time.monotonic()) * 1000))


@pytest.fixture(autouse=True)
def no_retry_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore's standard mode sleeps up to 1 s (random) before the retry; what these tests check is the
    attempts and the answer, not the jitter, so the retry goes at once (the attempts are still counted)."""
    from botocore.retries.standard import ExponentialBackoff

    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda _self, _context: 0.0)


@pytest.fixture
def point_orders_at(monkeypatch: pytest.MonkeyPatch):
    from service.routes import orders

    def point(endpoint: str) -> None:
        monkeypatch.setattr(orders, "table", OrdersTable("orders-test", endpoint))

    return point


def assert_503(call, kind: str) -> None:
    assert call.status == 503, call.response
    assert call.headers["content-type"] == "application/problem+json"
    assert call.headers["retry-after"] == str(dependency_errors.RETRY_AFTER_S[kind])
    body = call.json
    assert body["status"] == 503
    assert body["correlation_id"] == call.headers["x-correlation-id"]
    assert "Traceback" not in call.response["body"]
    access = call.access  # exactly one access line
    assert access["status"] == 503
    assert access["error_kind"] == kind
    assert access["Fault"] == 1
    assert access["ClientError"] == 0


@pytest.mark.parametrize(
    ("status", "code", "kind"),
    [
        (400, "ProvisionedThroughputExceededException", contract.ERROR_KIND_THROTTLED),
        (400, "ThrottlingException", contract.ERROR_KIND_THROTTLED),
        (400, "RequestLimitExceeded", contract.ERROR_KIND_THROTTLED),
        (500, "InternalServerError", contract.ERROR_KIND_UNAVAILABLE),
        (503, "ServiceUnavailable", contract.ERROR_KIND_UNAVAILABLE),
    ],
)
def test_dynamodb_throttling_and_5xx_are_a_503_with_retry_after(
    point_orders_at, status: int, code: str, kind: str
) -> None:
    with dynamodb_answering(status, code) as (endpoint, calls):
        point_orders_at(endpoint)
        call = invoke("GET", f"/orders/{ORDER_ID}", headers={"x-correlation-id": "fault-1"})
    assert_503(call, kind)
    assert calls == ["DynamoDB_20120810.GetItem"] * time_budget.DYNAMODB_MAX_ATTEMPTS  # retried, then given up
    assert call.json["correlation_id"] == "fault-1"
    warnings = [line for line in call.lines if line.get("message") == "dependency fault"]
    assert len(warnings) == 1
    assert code in warnings[0]["error"]
    assert warnings[0]["correlation_id"] == "fault-1"


def test_a_refused_connection_is_a_503_dependency_unavailable(point_orders_at) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    point_orders_at(f"http://127.0.0.1:{port}")
    assert_503(invoke("POST", "/orders", body=new_order()), contract.ERROR_KIND_UNAVAILABLE)


def test_a_read_timeout_with_time_to_spare_is_a_503_dependency_unavailable(
    point_orders_at, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The full client's read timeout fires (twice: two attempts) long before the deadline. The timeout is
    cut to 0.2 s for the test: the same full client and path, without waiting 2 x 1.5 s."""
    monkeypatch.setattr(time_budget, "DYNAMODB_READ_TIMEOUT_S", 0.2)  # read when the table's client is built
    with dynamodb_that_never_answers() as endpoint:
        point_orders_at(endpoint)
        started = time.monotonic()
        call = invoke("GET", "/orders?limit=1")
        elapsed = time.monotonic() - started
    assert_503(call, contract.ERROR_KIND_UNAVAILABLE)
    assert elapsed < time_budget.DYNAMODB_CALL_WORST_CASE_S + 0.5


def test_a_hanging_dynamodb_ends_before_the_deadline_with_one_access_line(point_orders_at) -> None:
    """The endpoint accepts connections and never answers; the invocation has 1.5 s left (less than one full
    call: the short client, read timeout 0.5 s, with 0.25 s to spare for a busy machine): the request stops
    waiting, answers 503 `deadline` and writes its access line before Lambda would end it."""
    context = ContextEndingIn(1.5)
    with dynamodb_that_never_answers() as endpoint:
        point_orders_at(endpoint)
        call = invoke("GET", "/orders/summary", context=context)
        remaining_ms = context.get_remaining_time_in_millis()
    assert_503(call, contract.ERROR_KIND_DEADLINE)
    assert remaining_ms >= time_budget.DEADLINE_RESERVE_MS - 100, remaining_ms  # returned with time to spare
    assert len(call.access_lines) == 1


def test_no_time_left_is_a_deadline_503_without_calling_dynamodb(point_orders_at) -> None:
    context = ContextEndingIn(time_budget.DEADLINE_RESERVE_MS / 1000)
    with dynamodb_answering(200, "unused") as (endpoint, calls):
        point_orders_at(endpoint)
        call = invoke("POST", "/orders", body=new_order(), context=context)
    assert_503(call, contract.ERROR_KIND_DEADLINE)
    assert calls == []


def test_a_bug_stays_a_500_with_error_kind_bug(monkeypatch: pytest.MonkeyPatch) -> None:
    from service.routes import orders

    monkeypatch.setattr(orders.orders, "summarize_orders", lambda _table: 1 / 0)
    call = invoke("GET", "/orders/summary")
    assert call.status == 500
    assert "retry-after" not in call.headers
    assert call.access["error_kind"] == contract.ERROR_KIND_BUG
    assert call.access["Fault"] == 1
    (error,) = [line for line in call.lines if line.get("message") == "unhandled error"]
    assert "ZeroDivisionError" in error["exception"]


def test_success_and_client_errors_carry_no_error_kind() -> None:
    for call in (invoke("GET", "/health"), invoke("GET", "/nope"), invoke("POST", "/orders", body={})):
        assert call.status < 500
        assert "error_kind" not in call.access


def test_error_kinds_are_a_closed_set_whatever_the_caller_passes(capsys: pytest.CaptureFixture[str]) -> None:
    from service.telemetry import emit_access_line

    emit_access_line(
        route="GET /health", correlation_id="c", method="GET", path="/health", status=500, latency_ms=1.0,
        request_id="r", error_kind="something-new",
    )  # fmt: skip
    assert json.loads(capsys.readouterr().out)["error_kind"] == contract.ERROR_KIND_BUG


def test_a_throttled_idempotency_table_is_a_503_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """Powertools wraps the botocore error (IdempotencyPersistenceLayerError): the cause is still found."""
    from service.dal import idempotency_store
    from service.dal.budgeted_client import BudgetedClient

    store = idempotency_store.persistence_layer()
    with dynamodb_answering(400, "ThrottlingException") as (endpoint, _calls):
        monkeypatch.setattr(store, "client", BudgetedClient(endpoint))
        call = invoke("POST", "/orders", body=new_order(), headers={"idempotency-key": "throttled-1"})
    assert_503(call, contract.ERROR_KIND_THROTTLED)
