"""Drive the real handler through every catalogue route and print exactly what it writes.

Run as a fresh process (``python -m tests.support.emit_telemetry``) by the contract tests:
a new process gives a real cold start (ColdStart is emitted only then) and its stdout is the very
byte stream Lambda would ship to CloudWatch Logs. Needs DYNAMODB_ENDPOINT_URL (the test session's
emulator). The last requests run after the table is deleted, so a route really raises and the
ERROR line with its exception is emitted too.

A catalogue route without a hand-written example below still gets one request, built from its
method and path template (parameters filled with a placeholder): whatever it answers, its access
line carries the route's label and every metric, which is what the contract checks. So adding a
route needs no edit here; add a realistic example when the route's success path matters.
"""

from __future__ import annotations

import json
import os
import re
import sys
import uuid
from collections.abc import Callable
from typing import Any

TABLE = f"orders-contract-{uuid.uuid4().hex[:8]}"
Request = tuple[str, str, Any]  # method, target, JSON body or None

ORDER = {
    "customer_id": "cust-1",
    "currency": "EUR",
    "items": [{"sku": "SKU-1", "quantity": 2, "unit_price_cents": 250}],
}


def examples(order_id: Callable[[], str]) -> dict[str, list[Callable[[], Request]]]:
    """Per catalogue route name: realistic requests (success and client errors)."""
    return {
        "health": [lambda: ("GET", "/health", None)],
        "create_order": [lambda: ("POST", "/orders", ORDER), lambda: ("POST", "/orders", {"items": []})],
        "list_orders": [lambda: ("GET", "/orders?limit=5", None)],
        "get_order": [lambda: ("GET", f"/orders/{order_id()}", None), lambda: ("GET", "/orders/" + "0" * 32, None)],
        "orders_summary": [lambda: ("GET", "/orders/summary", None)],
        "delete_order": [lambda: ("DELETE", f"/orders/{order_id()}", None)],
    }


def main() -> int:
    os.environ["TABLE_NAME"] = TABLE
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    # As in Lambda: the runtime sets the trace header per invocation and Powertools logs it.
    os.environ["_X_AMZN_TRACE_ID"] = "Root=1-6740f0a0-1234567890abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1"
    for name in ("POWERTOOLS_DEV", "POWERTOOLS_METRICS_DISABLED"):
        os.environ.pop(name, None)
    # As deployed with api_keys: true, the edge sends the key id and the function trusts it.
    os.environ["API_KEYS_AT_EDGE"] = "true"

    from local.emulator import ensure_table
    from local.events import LocalLambdaContext, function_url_event
    from service.catalogue import ROUTES

    endpoint = os.environ["DYNAMODB_ENDPOINT_URL"]
    ensure_table(TABLE, endpoint)
    from service.handler import handler  # binds TABLE_NAME at import, as in Lambda

    created: list[str] = []

    def call(method: str, target: str, body: Any = None, correlation_id: str = "ct-1") -> dict[str, Any]:
        payload = json.dumps(body).encode() if body is not None else None
        headers = {
            "content-type": "application/json",
            "user-agent": "contract-test",
            "x-correlation-id": correlation_id,
            "x-client-id": "0123456789ab",
            # As CloudFront sends it to the origin: the access line logs it as edge_request_id.
            "x-amz-cf-id": "vT3m2X9wQ6yFzK0bR1cN4dE7gH8jL5pS_aU2iO3eY6tW9qZ1xC0v-A==",
        }
        response = handler(function_url_event(method, target, headers, payload), LocalLambdaContext())
        if method == "POST" and response["statusCode"] == 201:
            created.append(json.loads(response["body"])["order_id"])
        return response

    def order_id() -> str:
        if not created:
            call("POST", "/orders", ORDER)
        return created.pop()

    table = examples(order_id)
    for route in ROUTES:
        generic = (route.method, re.sub(r"\{[^/]+\}", "placeholder", route.path), None)
        for make in table.get(route.name, [lambda generic=generic: generic]):
            call(*make())
    call("GET", "/no/such/path")  # NOT_FOUND
    call("GET", "/health", correlation_id="canary-20261207T050000Z-health")  # the canary's: synthetic
    import boto3

    boto3.client("dynamodb", endpoint_url=endpoint).delete_table(TableName=TABLE)
    call("GET", "/orders/" + "1" * 32)  # DynamoDB raises: 500 + ERROR line with the exception
    return 0


if __name__ == "__main__":
    sys.exit(main())
