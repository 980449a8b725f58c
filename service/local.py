"""Serve the API on localhost: `python -m service.local [--host H] [--port P]`.

Each HTTP request becomes a Lambda Function URL (payload 2.0) event and goes through the very same
`service.handler.handler` that runs in AWS, with a Lambda-like context; the handler's result is
mapped back to HTTP. DynamoDB is an embedded moto server reached over HTTP by the real boto3 client
(set DYNAMODB_ENDPOINT_URL to use another endpoint instead). Logs and EMF go to stdout as in Lambda.
Not part of the request path in AWS: nothing in the handler imports this module.
"""

from __future__ import annotations

import argparse
import base64
import logging
import os
import signal
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

FUNCTION_NAME = "orders-api-local"
REGION = "us-east-1"
DEFAULT_TABLE = "orders-local"
MAX_REQUEST_BYTES = 6 * 1024 * 1024  # Function URL's own request payload limit
TIMEOUT_MS = 10_000
_TEXT_TYPES = (
    "text/",
    "application/json",
    "application/problem+json",
    "application/xml",
    "application/x-www-form-urlencoded",
    "application/javascript",
)


@dataclass
class LocalLambdaContext:
    """The attributes and method of the Lambda context object the handler and Powertools read."""

    function_name: str = FUNCTION_NAME
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 512
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = f"/aws/lambda/{FUNCTION_NAME}"
    log_stream_name: str = "local"
    invoked_function_arn: str = f"arn:aws:lambda:{REGION}:000000000000:function:{FUNCTION_NAME}"
    _deadline: float = field(default_factory=lambda: time.monotonic() + TIMEOUT_MS / 1000)

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def function_url_event(
    method: str,
    target: str,
    headers: list[tuple[str, str]] | dict[str, str] | None = None,
    body: bytes | None = None,
    source_ip: str = "127.0.0.1",
    domain: str = "localhost",
) -> dict[str, Any]:
    """Build the event Lambda sends for a Function URL request (payload format 2.0)."""
    pairs = list(headers.items()) if isinstance(headers, dict) else list(headers or [])
    merged: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in pairs:
        key = name.lower()
        if key == "cookie":  # Function URLs move cookies out of the headers
            cookies.extend(c.strip() for c in value.split(";") if c.strip())
            continue
        merged[key] = f"{merged[key]},{value}" if key in merged else value
    split = urlsplit(target)
    query: dict[str, str] = {}
    for name, value in parse_qsl(split.query, keep_blank_values=True):
        query[name] = f"{query[name]},{value}" if name in query else value
    now = datetime.now(UTC)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": split.path or "/",
        "rawQueryString": split.query,
        "headers": merged,
        "requestContext": {
            "accountId": "anonymous",
            "apiId": "local",
            "domainName": domain,
            "domainPrefix": domain.split(".")[0],
            "http": {
                "method": method.upper(),
                "path": split.path or "/",
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": merged.get("user-agent", ""),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": "$default",
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "isBase64Encoded": False,
    }
    if cookies:
        event["cookies"] = cookies
    if query:
        event["queryStringParameters"] = query
    if body:
        content_type = merged.get("content-type", "application/json").lower()
        text = None
        if content_type.startswith(_TEXT_TYPES):
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                text = None
        if text is None:
            event["body"] = base64.b64encode(body).decode("ascii")
            event["isBase64Encoded"] = True
        else:
            event["body"] = text
    return event


def http_response(result: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
    """Map a Function URL handler result back to status, headers and body bytes."""
    status = int(result.get("statusCode", 200))
    headers = [(k, str(v)) for k, v in (result.get("headers") or {}).items()]
    for values in (result.get("multiValueHeaders") or {}).items():
        headers.extend((values[0], str(v)) for v in values[1])
    headers.extend(("Set-Cookie", c) for c in result.get("cookies") or [])
    raw = result.get("body") or ""
    body = base64.b64decode(raw) if result.get("isBase64Encoded") else raw.encode("utf-8")
    return status, headers, body


def make_request_handler(invoke: Callable[[dict[str, Any], Any], dict[str, Any]]) -> type[BaseHTTPRequestHandler]:
    class FunctionUrlRequestHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "orders-api-local"
        # One request at a time, as in Lambda: a client that stalls (e.g. sends less body than its
        # Content-Length) must not hold the server forever.
        timeout = 30

        def _dispatch(self) -> None:
            length = self.headers.get("Content-Length")
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                self._send_plain(411, "Chunked bodies are not supported; send Content-Length")
                self.close_connection = True  # the unread body must not be parsed as the next request
                return
            size = int(length) if length and length.isdigit() else 0
            if size > MAX_REQUEST_BYTES:
                self._send_plain(413, "Request exceeds the Function URL payload limit")
                self.close_connection = True
                return
            body = self.rfile.read(size) if size else None
            event = function_url_event(
                self.command,
                self.path,
                list(self.headers.items()),
                body,
                source_ip=self.client_address[0],
                domain=self.headers.get("Host", "localhost"),
            )
            status, headers, payload = http_response(invoke(event, LocalLambdaContext()))
            self.send_response(status)
            for name, value in headers:
                if name.lower() not in ("content-length", "connection"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        def _send_plain(self, status: int, message: str) -> None:
            payload = message.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _dispatch

        def log_message(self, format: str, *args: Any) -> None:
            # The handler's JSON access line already records every request; keep stdout JSON only.
            pass

    return FunctionUrlRequestHandler


def start_embedded_dynamodb() -> Any:
    """Start moto's DynamoDB on a free loopback port and point the service at it."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # keep stdout/stderr for the service's logs
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    os.environ["DYNAMODB_ENDPOINT_URL"] = f"http://{host}:{port}"
    # The emulator accepts any credentials; never let local runs pick up real ones.
    os.environ["AWS_ACCESS_KEY_ID"] = "local"
    os.environ["AWS_SECRET_ACCESS_KEY"] = "local"  # noqa: S105 - dummy for the emulator
    os.environ.pop("AWS_SESSION_TOKEN", None)
    os.environ.pop("AWS_PROFILE", None)
    return server


def ensure_table(table_name: str, endpoint_url: str) -> None:
    import boto3

    client = boto3.client("dynamodb", endpoint_url=endpoint_url)
    if table_name in client.list_tables().get("TableNames", []):
        return
    client.create_table(
        TableName=table_name,
        AttributeDefinitions=[{"AttributeName": "order_id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "order_id", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )


def _stop(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m service.local", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on, 0 for any free one (default 8000)")
    args = parser.parse_args(argv)

    os.environ.setdefault("AWS_DEFAULT_REGION", REGION)
    os.environ.setdefault("TABLE_NAME", DEFAULT_TABLE)
    os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "orders-api")
    emulator = None if os.environ.get("DYNAMODB_ENDPOINT_URL") else start_embedded_dynamodb()
    ensure_table(os.environ["TABLE_NAME"], os.environ["DYNAMODB_ENDPOINT_URL"])

    from service.handler import handler  # after the environment is set: the table binds at import

    try:
        server = HTTPServer((args.host, args.port), make_request_handler(handler))
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 2
    # Ctrl-C and SIGTERM (a process manager) both stop cleanly, even when the shell started us in
    # the background with SIGINT ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _stop)
    host, port = server.server_address[:2]
    print(f"orders-api listening on http://{host}:{port} (DynamoDB: {os.environ['DYNAMODB_ENDPOINT_URL']})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        if emulator:
            emulator.stop()
        print("orders-api stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
