"""Serve the API on localhost: `python -m service.local [--host H] [--port P]` (or `python -m local`).

Each HTTP request becomes a Lambda Function URL (payload 2.0) event and goes through the very same
`service.handler.handler` that runs in AWS, with a Lambda-like context; the handler's result is
mapped back to HTTP. DynamoDB is an embedded moto server reached over HTTP by the real boto3 client
(set DYNAMODB_ENDPOINT_URL to use another endpoint instead). Logs and EMF go to stdout as in Lambda.
Not part of the Lambda asset: nothing in service/ imports this package.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

from local.emulator import ensure_table, start_embedded_dynamodb
from local.events import REGION, LocalLambdaContext, function_url_event, http_response

DEFAULT_TABLE = "orders-local"
MAX_REQUEST_BYTES = 6 * 1024 * 1024  # Function URL's own request payload limit


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
    try:
        # Inside the try: a SIGTERM that arrives as soon as the line is out (a test, a supervisor) still
        # stops cleanly instead of escaping from print() as a KeyboardInterrupt.
        print(
            f"orders-api listening on http://{host}:{port} (DynamoDB: {os.environ['DYNAMODB_ENDPOINT_URL']})",
            flush=True,
        )
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        if emulator:
            emulator.stop()
        print("orders-api stopped", flush=True)
    return 0
