"""DynamoDB faults you can see locally: a small fault-injecting HTTP proxy in front of the endpoint.

`--dynamodb-faults throttle=0.2,error=0.1,delay_ms=300` (or DYNAMODB_FAULTS=...) puts this proxy
between the workers and DynamoDB. The service's boto3 client talks to it as it would to DynamoDB and
gets what DynamoDB itself answers, byte for byte in shape, so its retries, error mapping, error_kind
and Fault metric behave locally exactly as in Lambda. Nothing in service/ knows it exists.

Spec keys (shares are probabilities per DynamoDB HTTP call, retries included):
  throttle=P    HTTP 400 ProvisionedThroughputExceededException (with ThrottlingReasons)
  throttling=P  HTTP 400 ThrottlingException
  error=P       HTTP 500 InternalServerError
  unavailable=P HTTP 503 ServiceUnavailable
  reset=P       the connection is closed without an answer (botocore: connection error)
  delay_ms=N    every call (or the share `delay=P` of calls) waits N ms first
  seed=N        a fixed random seed, for repeatable runs
"""

from __future__ import annotations

import http.client
import json
import random
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from local.output import log_event

_PREFIX = "com.amazonaws.dynamodb.v20120810#"
# (kind, HTTP status, error type, message): the codes and statuses DynamoDB documents in
# "Error handling with DynamoDB" (Developer Guide), in its JSON 1.0 error shape.
FAULTS: dict[str, tuple[int, str, str]] = {
    "throttle": (
        400,
        _PREFIX + "ProvisionedThroughputExceededException",
        "The level of configured provisioned throughput for the table was exceeded. "
        "Consider increasing your provisioning level with the UpdateTable API.",
    ),
    "throttling": (
        400,
        "com.amazon.coral.availability#ThrottlingException",
        "Rate of requests exceeds the allowed throughput.",
    ),
    "error": (500, _PREFIX + "InternalServerError", "Internal server error"),
    "unavailable": (503, _PREFIX + "ServiceUnavailable", "The service is currently unavailable or busy."),
}
_KINDS = (*FAULTS, "reset")


@dataclass(frozen=True)
class FaultSpec:
    shares: dict[str, float]
    delay_ms: int = 0
    delay_share: float = 1.0
    seed: int | None = None

    @property
    def active(self) -> bool:
        return any(self.shares.values()) or self.delay_ms > 0

    @classmethod
    def parse(cls, text: str) -> FaultSpec:
        shares: dict[str, float] = {}
        delay_ms, delay_share, seed = 0, 1.0, None
        for item in filter(None, (part.strip() for part in text.split(","))):
            key, eq, value = item.partition("=")
            key = key.strip().lower()
            if not eq:
                raise ValueError(f"fault {item!r}: expected key=value")
            try:
                if key in _KINDS or key == "delay":
                    share = float(value)
                    if not 0 <= share <= 1:
                        raise ValueError
                    if key == "delay":
                        delay_share = share
                    else:
                        shares[key] = share
                elif key == "delay_ms":
                    delay_ms = int(value)
                    if delay_ms < 0:
                        raise ValueError
                elif key == "seed":
                    seed = int(value)
                else:
                    raise KeyError(key)
            except KeyError:
                raise ValueError(
                    f"unknown fault {key!r}; known: {', '.join((*_KINDS, 'delay', 'delay_ms', 'seed'))}"
                ) from None
            except ValueError:
                raise ValueError(f"fault {item!r}: shares are 0..1, delay_ms a whole number of ms") from None
        if sum(shares.values()) > 1:
            raise ValueError("fault shares add up to more than 1")
        return cls(shares=shares, delay_ms=delay_ms, delay_share=delay_share, seed=seed)

    def describe(self) -> str:
        parts = [f"{k}={v:g}" for k, v in self.shares.items() if v]
        if self.delay_ms:
            parts.append(
                f"delay_ms={self.delay_ms}" + (f" (share {self.delay_share:g})" if self.delay_share < 1 else "")
            )
        return ", ".join(parts) or "none"


def error_response(kind: str) -> tuple[int, list[tuple[str, str]], bytes]:
    """The response DynamoDB sends for a fault: status, headers and its JSON 1.0 error document."""
    status, error_type, message = FAULTS[kind]
    document: dict[str, Any] = {"__type": error_type, "message": message}
    if kind == "throttle":
        document["ThrottlingReasons"] = [{"reason": "TableWriteProvisionedThroughputExceeded", "resource": "local"}]
    body = json.dumps(document).encode()
    headers = [
        ("x-amzn-RequestId", uuid.uuid4().hex.upper()),
        ("Content-Type", "application/x-amz-json-1.0"),
    ]
    return status, headers, body


# Told of every call: (table, operation, outcome, latency ms); see aws_published.PlatformMetrics.dynamodb_call.
CallObserver = Callable[[str | None, str | None, str, float], None]
_OUTCOMES = {"throttle": "throttled", "throttling": "throttled", "error": "system_error", "unavailable": "system_error"}


def outcome(status: int, body: bytes) -> str:
    """How DynamoDB's metrics count an answer: ok, throttled, system_error or user_error."""
    if status < 400:
        return "ok"
    if status >= 500:
        return "system_error"
    return "throttled" if b"Throughput" in body or b"Throttling" in body else "user_error"


def table_of(body: bytes) -> str | None:
    """The table a DynamoDB JSON call names (a transaction's first item's)."""
    try:
        document = json.loads(body or b"{}")
    except ValueError:
        return None
    if not isinstance(document, dict):
        return None
    if isinstance(document.get("TableName"), str):
        return str(document["TableName"])
    for item in document.get("TransactItems") or []:
        for part in item.values() if isinstance(item, dict) else ():
            if isinstance(part, dict) and isinstance(part.get("TableName"), str):
                return str(part["TableName"])
    return None


class FaultProxy:
    """A threaded HTTP/1.1 proxy to one upstream endpoint that injects the spec's faults; with an
    ``observer`` it also sees every call as DynamoDB's own metrics would (it runs even without faults)."""

    def __init__(
        self, upstream: str, spec: FaultSpec, host: str = "127.0.0.1", observer: CallObserver | None = None
    ) -> None:
        split = urlsplit(upstream)
        if split.scheme not in ("http", "https"):
            raise ValueError(f"upstream must be http(s)://host:port, got {upstream!r}")
        self.spec = spec
        self.observer = observer
        self._random = random.Random(spec.seed)  # noqa: S311 - fault sampling, not security
        self._random_lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True
            timeout = 60

            def do_POST(self) -> None:
                proxy.handle(self)

            do_GET = do_PUT = do_DELETE = do_HEAD = do_POST

            def log_message(self, format: str, *args: Any) -> None:  # stdout is for telemetry only
                pass

        self._upstream = split
        self._local = threading.local()
        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.url = "http://{}:{}".format(*self.server.server_address[:2])
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> FaultProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def draw(self) -> tuple[str | None, bool]:
        """Which fault this call gets (None: pass through) and whether it is delayed."""
        with self._random_lock:
            roll, delay_roll = self._random.random(), self._random.random()
        delayed = self.spec.delay_ms > 0 and delay_roll < self.spec.delay_share
        for kind, share in self.spec.shares.items():
            if roll < share:
                return kind, delayed
            roll -= share
        return None, delayed

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        started = time.perf_counter()
        fault, delayed = self.draw() if self.spec.active else (None, False)
        operation = (handler.headers.get("X-Amz-Target") or "").rpartition(".")[2] or None
        if delayed:
            time.sleep(self.spec.delay_ms / 1000)
        if fault:
            log_event("INFO", "dynamodb fault injected", fault=fault, operation=operation)
        if fault == "reset":
            self._observe(body, operation, "reset", started)
            handler.close_connection = True
            handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            return
        if fault:
            status, headers, payload = error_response(fault)
            self._observe(body, operation, _OUTCOMES[fault], started)
        else:
            try:
                status, headers, payload = self._forward(handler, body)
            except OSError as exc:
                log_event("WARNING", "dynamodb upstream unreachable", error=str(exc), operation=operation)
                handler.close_connection = True
                return
            self._observe(body, operation, outcome(status, payload), started)
        _write(handler, status, headers, payload)

    def _observe(self, body: bytes, operation: str | None, result: str, started: float) -> None:
        if self.observer:
            self.observer(table_of(body), operation, result, (time.perf_counter() - started) * 1000)

    def _forward(self, handler: BaseHTTPRequestHandler, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        """Send the call upstream unchanged on this thread's kept-alive connection."""
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in ("connection", "keep-alive")}
        for attempt in (1, 2):
            conn = getattr(self._local, "conn", None)
            if conn is None:
                cls = http.client.HTTPSConnection if self._upstream.scheme == "https" else http.client.HTTPConnection
                conn = cls(self._upstream.hostname or "127.0.0.1", self._upstream.port, timeout=60)
                self._local.conn = conn
            try:
                conn.request(handler.command, handler.path, body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
                return response.status, list(response.getheaders()), payload
            except (http.client.HTTPException, OSError):
                conn.close()
                self._local.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def _write(handler: BaseHTTPRequestHandler, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
    """The whole response in one write (no Nagle / delayed-ACK stall on the kept-alive connection)."""
    lines = [f"HTTP/1.1 {status} {handler.responses.get(status, ('',))[0]}"]
    lines += [f"{k}: {v}" for k, v in headers if k.lower() not in ("content-length", "connection", "transfer-encoding")]
    lines.append(f"Content-Length: {len(body)}")
    try:
        handler.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
    except OSError:
        handler.close_connection = True
