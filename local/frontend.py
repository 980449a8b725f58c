"""The Function URL front end: HTTP connections in, invocations out to a pool of workers.

Connections are cheap (a thread each) and never hold a worker: a worker is taken only once a whole
request has arrived and given back as soon as the function returns, so an idle keep-alive
connection blocks nobody. When every worker is busy the request is answered the way a throttled
Function URL answers (429 TooManyRequestsException) without invoking anything.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, Protocol

from local import http1
from local.events import function_url_event, http_response
from local.http1 import ClientGone, HttpError, Request
from local.output import log_event
from service import header_names
from service.problems import PROBLEM_CONTENT_TYPE, problem_body
from service.request_state import correlation_id_for

MAX_REQUEST_BYTES = 6 * 1024 * 1024  # a Function URL's request payload limit (synchronous invoke)
IDLE_TIMEOUT_S = 30.0  # how long an idle keep-alive connection stays open
READ_TIMEOUT_S = 30.0  # how long a started request may take to arrive
RETRY_AFTER_S = 1


class Invoker(Protocol):
    def acquire(self) -> Any: ...

    def release(self, worker: Any) -> None: ...


AccessLog = Callable[..., None]


class Observer(Protocol):
    """What the Function URL's metrics are made of (observability.aws_published.PlatformMetrics)."""

    def url_answered(self, status: int, latency_ms: float) -> None: ...

    def throttled(self) -> None: ...


def throttle_body(reason: str) -> bytes:
    """The Lambda Invoke API's TooManyRequestsException (HTTP 429) error document.

    Shape from the API reference ("Lambda / Client / exceptions / TooManyRequestsException" in
    the botocore docs, and the Invoke API's Errors section): members Type, message and Reason,
    with retryAfterSeconds sent as the Retry-After header.
    """
    return json.dumps({"Reason": reason, "Type": "User", "message": "Rate Exceeded."}).encode()


class FrontEnd:
    def __init__(
        self,
        listener: socket.socket,
        pool: Invoker,
        *,
        invoke: Callable[[Any, dict[str, Any], str], dict[str, Any]],
        access_log: AccessLog,
        throttle_reason: str,
        idle_timeout_s: float = IDLE_TIMEOUT_S,
        observer: Observer | None = None,
    ) -> None:
        self.listener = listener
        self.pool = pool
        self._invoke = invoke
        self._access_log = access_log
        self.throttle_reason = throttle_reason
        self.idle_timeout_s = idle_timeout_s
        self.observer = observer
        self._stopping = threading.Event()

    # ---- connections ----------------------------------------------------------------------------

    def serve_forever(self) -> None:
        while not self._stopping.is_set():
            try:
                sock, address = self.listener.accept()
            except OSError:
                if self._stopping.is_set():
                    return
                continue
            threading.Thread(target=self.handle_connection, args=(sock, address), daemon=True).start()

    def stop(self) -> None:
        self._stopping.set()
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()

    def handle_connection(self, sock: socket.socket, address: tuple[Any, ...]) -> None:
        # Responses are single writes already; no Nagle also covers the 100-continue interim line.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        reader = sock.makefile("rb")
        try:
            while not self._stopping.is_set():
                if not self._serve_one(sock, reader, address):
                    return
        finally:
            reader.close()
            with contextlib.suppress(OSError):
                sock.close()

    def _serve_one(self, sock: socket.socket, reader: Any, address: tuple[Any, ...]) -> bool:
        """Serve one request; False when the connection is to be closed."""
        request = Request()
        sock.settimeout(self.idle_timeout_s)
        try:
            if not http1.read_head(reader, request):
                return False  # the client closed an idle connection
            sock.settimeout(READ_TIMEOUT_S)
            if request.method in ("TRACE", "CONNECT") or request.method not in http1.FUNCTION_METHODS:
                raise HttpError(
                    405, f"Method {request.method} is not supported", {"Allow": ", ".join(http1.FUNCTION_METHODS)}
                )
            if request.content_length > MAX_REQUEST_BYTES:
                raise HttpError(413, f"Request exceeds the Function URL payload limit of {MAX_REQUEST_BYTES} bytes")
            if request.content_length:
                if "100-continue" in (request.header("expect") or "").lower():
                    sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
                request.body = reader.read(request.content_length)
                if len(request.body) < request.content_length:
                    raise ClientGone("before the whole body arrived")
        except TimeoutError:
            if request.method:  # stalled mid-request: say so once, as JSON
                self._disconnected(request, "timed out before the whole request arrived")
            return False
        except ClientGone as gone:
            self._disconnected(request, f"closed the connection {gone}")
            return False
        except ConnectionError:
            self._disconnected(request, "reset the connection")
            return False
        except HttpError as refusal:
            self._refuse(sock, request, refusal)
            return False
        return self._dispatch(sock, request, address)

    # ---- requests -------------------------------------------------------------------------------

    def _dispatch(self, sock: socket.socket, request: Request, address: tuple[Any, ...]) -> bool:
        request_id = str(uuid.uuid4())
        event = function_url_event(
            request.method,
            request.target,
            request.headers,
            request.body or None,
            source_ip=str(address[0]) if address else "127.0.0.1",
            domain=request.header("host") or "localhost",
        )
        event["requestContext"]["requestId"] = request_id
        worker = self.pool.acquire()
        if worker is None:
            log_event(
                "WARNING",
                "throttled",
                reason=self.throttle_reason,
                method=request.method,
                path=request.path[:256],
                request_id=request_id,
            )
            if self.observer:
                self.observer.throttled()
            headers = [
                ("Content-Type", "application/json"),
                ("x-amzn-ErrorType", "TooManyRequestsException"),
                ("x-amzn-RequestId", request_id),
                ("Retry-After", str(RETRY_AFTER_S)),
            ]
            return self._send(sock, request, 429, headers, throttle_body(self.throttle_reason), request.keep_alive)
        try:
            result = self._invoke(worker, event, request_id)
        except Exception as exc:
            # The function failed outside the handler (crash, timeout): a Function URL answers 502.
            log_event("ERROR", "invocation failed", error=str(exc), method=request.method, request_id=request_id)
            result = {
                "statusCode": 502,
                "headers": {"Content-Type": "application/json"},
                "body": json.dumps({"Message": "Internal Server Error"}),
            }
        finally:
            self.pool.release(worker)
        status, headers, payload = http_response(result)
        headers.append(("x-amzn-RequestId", request_id))
        return self._send(sock, request, status, headers, payload, request.keep_alive)

    def _refuse(self, sock: socket.socket, request: Request, refusal: HttpError) -> None:
        """Answer a request the server refuses itself with problem+json and its own access line."""
        request_id = str(uuid.uuid4())
        headers_in = {k.lower(): v for k, v in request.headers}
        correlation_id = correlation_id_for(headers_in, request_id)
        body = problem_body(refusal.status, refusal.detail, correlation_id=correlation_id).encode()
        headers = [
            ("Content-Type", PROBLEM_CONTENT_TYPE),
            (header_names.CORRELATION_HEADER, correlation_id),
            ("x-amzn-RequestId", request_id),
            *refusal.headers.items(),
        ]
        self._send(sock, request, refusal.status, headers, body, keep_alive=False)
        self._access_log(
            route=None,
            correlation_id=correlation_id,
            method=request.method,
            path=request.path,
            status=refusal.status,
            latency_ms=round((time.perf_counter() - (request.started or time.perf_counter())) * 1000, 2),
            request_id=request_id,
        )

    def _send(
        self,
        sock: socket.socket,
        request: Request,
        status: int,
        headers: list[tuple[str, str]],
        body: bytes,
        keep_alive: bool,
    ) -> bool:
        data = http1.serialize_response(status, headers, body, keep_alive=keep_alive, head=request.method == "HEAD")
        if self.observer:
            self.observer.url_answered(status, (time.perf_counter() - (request.started or time.perf_counter())) * 1000)
        try:
            sock.sendall(data)
        except (ConnectionError, TimeoutError):
            self._disconnected(request, "closed the connection before the response was written", status=status)
            return False
        return keep_alive

    def _disconnected(self, request: Request, what: str, **fields: Any) -> None:
        log_event(
            "WARNING",
            "client disconnected",
            detail=f"the client {what}",
            method=request.method or None,
            path=request.path[:256] or None,
            **fields,
        )
