#!/usr/bin/env python3
"""Call every route of the deployed API through CloudFront, with the Python standard library only.

    python scripts/call_api.py https://dxxxxxxxxxxxx.cloudfront.net      (or: make call URL=...)

CloudFront signs each request to the Function URL with Origin Access Control (SigV4). For requests
with a body, Lambda only accepts the signature when the viewer sends the body's hex SHA-256 in
``x-amz-content-sha256`` (it does not take unsigned payloads), so every non-GET request carries it.
Prints one line per call: method, path, status, correlation id. Exits 1 if any call was unexpected.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from service.catalogue import ROUTES, RouteSpec  # the repo root is put on sys.path above
from service.header_names import CORRELATION_HEADER

# Example request per route that needs more than its path: a body, or a query string.
EXAMPLE_BODIES: dict[str, dict[str, Any]] = {
    "create_order": {
        "customer_id": "call-api-script",
        "currency": "EUR",
        "items": [{"sku": "BOOK-42", "quantity": 2, "unit_price_cents": 1250}],
    },
}
EXAMPLE_QUERIES: dict[str, dict[str, str]] = {"list_orders": {"limit": "5"}}
# Writes first (they create the ids the other routes use), deletes last.
METHOD_ORDER = {"POST": 0, "PUT": 0, "PATCH": 1, "GET": 2, "HEAD": 2, "OPTIONS": 2, "DELETE": 3}


@dataclass(frozen=True)
class Result:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None


def content_sha256(body: bytes) -> str:
    """The value OAC needs in x-amz-content-sha256: hex SHA-256 of the exact bytes sent."""
    return hashlib.sha256(body).hexdigest()


def call(base_url: str, method: str, path: str, body: bytes | None = None, timeout: float = 30.0) -> Result:
    headers = {
        "accept": "application/json",
        "user-agent": "orders-api-call-script/1",  # WAF's Common rule set blocks requests without one
        CORRELATION_HEADER: f"call-api-{uuid.uuid4().hex[:12]}",
    }
    if method not in ("GET", "HEAD", "OPTIONS"):
        headers["x-amz-content-sha256"] = content_sha256(body or b"")
    if body is not None:
        headers["content-type"] = "application/json"
    # run() has checked the scheme (https, or http on localhost): no file:// or custom schemes get here.
    request = urllib.request.Request(base_url.rstrip("/") + path, data=body, method=method, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return Result(response.status, {k.lower(): v for k, v in response.headers.items()}, response.read())
    except urllib.error.HTTPError as err:
        return Result(err.code, {k.lower(): v for k, v in err.headers.items()}, err.read())


def expected_status(route: RouteSpec) -> int:
    return {"POST": 201, "DELETE": 204}.get(route.method, 200)


def run(base_url: str) -> int:
    parsed = urllib.parse.urlparse(base_url)
    # http only for the local server (`make run`); CloudFront answers plain HTTP with a redirect.
    if parsed.scheme != "https" and not (parsed.scheme == "http" and parsed.hostname in ("127.0.0.1", "localhost")):
        print("the URL must start with https:// (http:// only for 127.0.0.1 / localhost)", file=sys.stderr)
        return 2
    params: dict[str, str] = {}
    failures = 0
    for route in sorted(ROUTES, key=lambda r: METHOD_ORDER.get(r.method, 2)):
        path = route.path
        for name, value in params.items():
            path = path.replace("{" + name + "}", urllib.parse.quote(value, safe=""))
        if "{" in path:
            print(f"SKIP {route.label}: no value for a path parameter yet", file=sys.stderr)
            failures += 1
            continue
        if route.name in EXAMPLE_QUERIES:
            path += "?" + urllib.parse.urlencode(EXAMPLE_QUERIES[route.name])
        payload = EXAMPLE_BODIES.get(route.name)
        body = json.dumps(payload).encode() if payload is not None else None
        if body is None and route.method in ("POST", "PUT", "PATCH"):
            print(f"SKIP {route.label}: no example body in EXAMPLE_BODIES", file=sys.stderr)
            failures += 1
            continue
        result = call(base_url, route.method, path, body)
        correlation = result.headers.get(CORRELATION_HEADER, "-")
        ok = result.status == expected_status(route)
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {route.method:6} {path:40} {result.status}  correlation_id={correlation}")
        if not ok:
            print(f"     {result.body[:300].decode(errors='replace')}")
        data = result.json()
        if isinstance(data, dict) and isinstance(data.get("order_id"), str):
            params["order_id"] = data["order_id"]
    return 1 if failures else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url", help="https://<distribution>.cloudfront.net (or your custom domain)")
    sys.exit(run(parser.parse_args().url))


if __name__ == "__main__":
    main()
