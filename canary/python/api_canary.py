"""The outside-in check, run by CloudWatch Synthetics (syn-python-selenium runtime, Python 3.11) every
5 minutes from us-east-1 (stacks/canary.py): GET each path of CANARY_PATHS through the API's public URL,
as any viewer would. A run fails (SuccessPercent 0) on a connection or TLS error, a timeout or any
status outside 2xx; the api-unreachable alarm pages on two in a row (observability/units/canary.py).

Standard library only (plus boto3 for the key, which the runtime provides): no browser is started.
Each request carries x-correlation-id "canary-<run start, UTC>-<route name>", so the service logs it
under that correlation_id (the canary-requests saved query). With API keys on, the key is read from
the Secrets Manager secret API_KEY_SECRET_ARN at every run (a rotated key is picked up at once).
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from datetime import UTC, datetime

TIMEOUT_S = 10  # per request; the run's own timeout (stacks/canary.py) is longer than both together
CORRELATION_PREFIX = "canary-"  # observability/units/canary.py, queries/service/canary_requests.query


def targets(spec: str) -> list[tuple[str, str]]:
    """CANARY_PATHS "health=/health,list_orders=/orders" -> [(route name, path), ...]."""
    return [tuple(item.split("=", 1)) for item in spec.split(",") if item]  # type: ignore[misc]  # each item splits into exactly (name, value)


def correlation_id(started: datetime, route: str) -> str:
    """Short and plain, as the service requires to keep a client's id (service/request_state.py)."""
    return f"{CORRELATION_PREFIX}{started.strftime('%Y%m%dT%H%M%SZ')}-{route}"


def request(base_url: str, route: str, path: str, started: datetime, api_key: str | None) -> urllib.request.Request:
    headers = {"x-correlation-id": correlation_id(started, route), "user-agent": "orders-api-canary"}
    if api_key:
        headers["x-api-key"] = api_key
    # An https URL from the stack (API_URL), never a caller-chosen scheme.
    return urllib.request.Request(base_url.rstrip("/") + path, headers=headers, method="GET")  # noqa: S310


def call(req: urllib.request.Request) -> int:
    """The status of a 2xx answer; raises on anything else (urllib raises HTTPError for 4xx/5xx)."""
    with urllib.request.urlopen(req, timeout=TIMEOUT_S) as resp:  # noqa: S310 - an https URL from the stack
        status = int(resp.status)
    if not 200 <= status < 300:
        raise RuntimeError(f"{req.full_url}: HTTP {status}")
    return status


def api_key(secret_id: str) -> str:
    import boto3  # provided by the Synthetics runtime

    return str(boto3.client("secretsmanager").get_secret_value(SecretId=secret_id)["SecretString"])


def handler(event: object, context: object) -> str:
    base_url = os.environ["API_URL"]
    secret_id = os.environ.get("API_KEY_SECRET_ARN", "")
    key = api_key(secret_id) if secret_id else None
    started = datetime.now(UTC)
    results = []
    for route, path in targets(os.environ["CANARY_PATHS"]):
        cid = correlation_id(started, route)
        try:
            status = call(request(base_url, route, path, started, key))
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"GET {path} ({cid}): HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError) as exc:  # DNS, TLS, refused, timeout
            raise RuntimeError(f"GET {path} ({cid}): {exc}") from None
        results.append(f"GET {path} {status}")
        print(f"{cid}: GET {path} -> {status}")  # the run's log (Synthetics console)
    return "; ".join(results)
