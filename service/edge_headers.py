"""Response headers that CloudFront and browsers act on: Cache-Control and CORS.

Cache-Control comes from the route's ``cache`` rule in the catalogue, the same declaration the CDK
app turns into a CloudFront cache behaviour: a 2xx answer of a cached route gets ``public,
max-age=<ttl>``, any other answer of that route ``no-store`` (an error is never cached).

CORS has exactly one owner: this module. The Function URL has no CORS configuration and the
CloudFront response headers policy adds none (tests prove both), so preflights reach the function,
work the same under `make run`, and are logged and counted like any request (label ``NOT_FOUND``:
no catalogue route serves OPTIONS, and a preflight must not skew a route's latency or error rate).
Allowed origins come from ENV_CORS_ALLOWED_ORIGINS (cdk.json ``cors_allowed_origins``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from service import environment, header_names
from service.catalogue import ROUTES_BY_LABEL, allowed_methods

ALLOWED_ORIGINS: frozenset[str] = frozenset(
    o.strip().lower() for o in os.environ.get(environment.ENV_CORS_ALLOWED_ORIGINS, "").split(",") if o.strip()
)
# What a browser may send (beyond the CORS-safelisted ones) and read back.
ALLOW_HEADERS = ", ".join(("content-type", header_names.CORRELATION_HEADER, "x-api-key", "x-amz-content-sha256"))
EXPOSE_HEADERS = ", ".join((header_names.CORRELATION_HEADER, "location", "allow", "retry-after"))
PREFLIGHT_MAX_AGE_S = 600  # browsers cap it anyway (Chromium 2 h); short enough for a config change


def is_preflight(method: str, headers: Mapping[str, str]) -> bool:
    return method.upper() == "OPTIONS" and "access-control-request-method" in headers


def preflight(path: str, headers: Mapping[str, str]) -> tuple[int, dict[str, str], str | None]:
    """The answer to a CORS preflight: (status, headers, problem detail or None for 204)."""
    origin = headers.get("origin", "").lower()
    vary = {"Vary": "Origin"}
    if not ALLOWED_ORIGINS:
        return 403, vary, "CORS is not enabled on this API"
    if origin not in ALLOWED_ORIGINS:
        return 403, vary, "Origin not allowed"
    methods = allowed_methods(path)
    if not methods:
        return 404, vary, "No route matches this path"
    requested = headers.get("access-control-request-method", "").strip().upper()
    if requested not in methods:
        return 403, vary, f"Method {requested[:16]} not allowed here"
    return (
        204,
        {
            **vary,
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Methods": ", ".join(methods),
            "Access-Control-Allow-Headers": ALLOW_HEADERS,
            "Access-Control-Max-Age": str(PREFLIGHT_MAX_AGE_S),
        },
        None,
    )


def finish(response: dict[str, Any], route: str | None, request_headers: Mapping[str, str]) -> None:
    """Add Cache-Control (cached routes) and CORS headers (allowed origins) to an answer."""
    headers: dict[str, str] = response.setdefault("headers", {})
    spec = ROUTES_BY_LABEL.get(route or "")
    if spec is not None and spec.cache is not None:
        ok = 200 <= int(response.get("statusCode", 500)) < 300
        headers["Cache-Control"] = spec.cache.cache_control if ok else "no-store"
    if not ALLOWED_ORIGINS:
        return
    # The answer differs by Origin whenever CORS is on: browsers and caches must key on it (the
    # CloudFront cache policy of a cached route includes Origin in its key then).
    if "Origin" not in headers.get("Vary", ""):
        headers["Vary"] = ", ".join(v for v in (headers.get("Vary"), "Origin") if v)
    origin = request_headers.get("origin", "").lower()
    if origin in ALLOWED_ORIGINS and "Access-Control-Allow-Origin" not in headers:
        headers["Access-Control-Allow-Origin"] = origin
        headers["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
