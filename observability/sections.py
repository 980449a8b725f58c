"""Dashboard section titles: playbooks (alarm descriptions, RUNBOOK.md) point on-call at these by name."""

from __future__ import annotations

INCIDENT = "Incident: what notifies now"
SERVICE = "Service"
ROUTES = "Routes"
LAMBDA = "Lambda health"
CONCURRENCY = "Concurrency"
DYNAMODB = "DynamoDB"
EDGE = "Edge (CloudFront + WAF, us-east-1)"
EDGE_CACHE = "Edge cache (CloudFront)"
ALARMS = "Alarms"
LOGS = "Recent errors"


def route_row(label: str) -> str:
    """The title of a route's row, e.g. ``Routes: GET /orders/{order_id}``."""
    return f"{ROUTES}: {label}"
