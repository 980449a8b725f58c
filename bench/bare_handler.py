"""Warm baseline: a Function URL handler with no framework, no logging, no metrics."""

from __future__ import annotations

import json
from typing import Any


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if event["requestContext"]["http"]["method"] == "GET" and event["rawPath"] == "/health":
        return {
            "statusCode": 200,
            "headers": {"Content-Type": "application/json"},
            "body": json.dumps({"status": "ok", "service": "orders-api"}),
        }
    return {"statusCode": 404, "body": ""}
