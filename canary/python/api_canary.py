"""The outside-in check, run by CloudWatch Synthetics (syn-python-selenium runtime) every 5 minutes from
us-east-1 (stacks/canary.py): every route of CANARY_ROUTES through the API's public URL, as any viewer
would, the write path included. A run fails (SuccessPercent 0) on a connection or TLS error, a timeout or
any status outside 2xx; the api-unreachable alarm pages on two in a row (observability/units/canary.py).

The order of a run: GETs without parameters, then each POST (its body from CANARY_BODY: an order of the
synthetic customer, service/contract.py SYNTHETIC_CUSTOMER), then the routes with a path parameter, filled
with the id the POST answered (GET /orders/{order_id}), then DELETE last, so the canary removes what it
created. A route whose parameter no POST answered is skipped (and said so in the run's log).

Marked as synthetic twice: each request carries x-correlation-id "canary-<run start, UTC>-<route name>"
(the service logs it as `synthetic: true`, which the saved queries for real traffic leave out, and the
canary-requests query finds), and what it writes belongs to the synthetic customer, which the business
summary (GET /orders/summary) never counts.

Standard library only (plus boto3 for the key, which the runtime provides): no browser is started.
With API keys on, the key is read from the Secrets Manager secret API_KEY_SECRET_ARN at every run.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import urllib.error
import urllib.request
from datetime import UTC, datetime

TIMEOUT_S = 5  # per request; six requests and the key read stay inside the run's timeout (stacks/canary.py)
CORRELATION_PREFIX = "canary-"  # observability/units/canary.py, queries/service/canary_requests.query
_PARAMETER = re.compile(r"\{(\w+)\}")
# The order of a run: plain reads, writes (they create what the parameterised routes read), then the
# parameterised reads, then deletes (the canary cleans up after itself).
_ORDER = {"GET": 0, "POST": 1, "PUT": 1, "PATCH": 1, "DELETE": 3}


def targets(spec: str) -> list[tuple[str, str, str]]:
    """CANARY_ROUTES "health=GET /health,create_order=POST /orders" -> [(route name, method, path), ...] in
    the order a run calls them."""
    out = []
    for item in (i for i in spec.split(",") if i):
        name, route = item.split("=", 1)
        method, path = route.split(" ", 1)
        out.append((name, method.upper(), path))
    return sorted(out, key=lambda t: _ORDER.get(t[1], 2) + (1 if t[1] == "GET" and "{" in t[2] else 0) * 2)


def correlation_id(started: datetime, route: str) -> str:
    """Short and plain, as the service requires to keep a client's id (service/request_state.py)."""
    return f"{CORRELATION_PREFIX}{started.strftime('%Y%m%dT%H%M%SZ')}-{route}"


def request(
    base_url: str,
    route: str,
    path: str,
    started: datetime,
    api_key: str | None,
    *,
    method: str = "GET",
    body: bytes | None = None,
) -> urllib.request.Request:
    headers = {"x-correlation-id": correlation_id(started, route), "user-agent": "orders-api-canary"}
    if api_key:
        headers["x-api-key"] = api_key
    if body is not None:
        # CloudFront's OAC signs for the Function URL only when the viewer sends the body's SHA-256.
        headers |= {"content-type": "application/json", "x-amz-content-sha256": hashlib.sha256(body).hexdigest()}
    # An https URL from the stack (API_URL), never a caller-chosen scheme.
    return urllib.request.Request(base_url.rstrip("/") + path, data=body, headers=headers, method=method)  # noqa: S310


def call(req: urllib.request.Request) -> tuple[int, bytes]:
    """The status and body of a 2xx answer; raises on anything else (urllib raises HTTPError for 4xx/5xx)."""
    with urllib.request.urlopen(req, timeout=TIMEOUT_S) as resp:  # noqa: S310 - an https URL from the stack
        status, body = int(resp.status), resp.read()
    if not 200 <= status < 300:
        raise RuntimeError(f"{req.full_url}: HTTP {status}")
    return status, body


def api_key(secret_id: str) -> str:
    import boto3  # provided by the Synthetics runtime

    return str(boto3.client("secretsmanager").get_secret_value(SecretId=secret_id)["SecretString"])


def _ids(answer: bytes) -> dict[str, str]:
    """String members of a JSON object answer (e.g. order_id): what fills the next routes' parameters."""
    try:
        doc = json.loads(answer or b"{}")
    except ValueError:
        return {}
    return {k: v for k, v in doc.items() if isinstance(v, str)} if isinstance(doc, dict) else {}


def handler(event: object, context: object) -> str:
    base_url = os.environ["API_URL"]
    secret_id = os.environ.get("API_KEY_SECRET_ARN", "")
    body = os.environ.get("CANARY_BODY", "").encode() or None
    key = api_key(secret_id) if secret_id else None
    started = datetime.now(UTC)
    results: list[str] = []
    known: dict[str, str] = {}
    for route, method, template in targets(os.environ["CANARY_ROUTES"]):
        names = _PARAMETER.findall(template)
        if any(n not in known for n in names):
            print(f"{route}: skipped, no answer gave {names}")
            continue
        path = _PARAMETER.sub(lambda m: known[m.group(1)], template)  # noqa: B023 - used at once, in this loop
        cid = correlation_id(started, route)
        payload = body if method in ("POST", "PUT", "PATCH") else None
        try:
            status, answer = call(request(base_url, route, path, started, key, method=method, body=payload))
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"{method} {path} ({cid}): HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError) as exc:  # DNS, TLS, refused, timeout
            raise RuntimeError(f"{method} {path} ({cid}): {exc}") from None
        if payload is not None:
            known |= _ids(answer)
        results.append(f"{method} {template} {status}")
        print(f"{cid}: {method} {path} -> {status}")  # the run's log (Synthetics console)
    return "; ".join(results)
