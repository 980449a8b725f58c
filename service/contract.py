"""Names the service emits and the dashboards, alarms and saved queries read.

Telemetry is a contract: service code emits these names, observability code reads them, and the
contract tests prove every name read is actually emitted. Kept import-light for the CDK app.
"""

from __future__ import annotations

# Defaults; the CDK app passes the same values to the function through the environment
# (POWERTOOLS_SERVICE_NAME / POWERTOOLS_METRICS_NAMESPACE).
SERVICE_NAME = "orders-api"
METRICS_NAMESPACE = "OrdersApi"

# EMF dimensions. Every metric is published twice: under {service} for the service-level view
# (so percentiles are computed over all requests, never averaged across routes) and under
# {service, route} for the per-route view.
DIM_SERVICE = "service"
DIM_ROUTE = "route"
SERVICE_DIMENSIONS: tuple[str, ...] = (DIM_SERVICE,)
ROUTE_DIMENSIONS: tuple[str, ...] = (DIM_SERVICE, DIM_ROUTE)

# EMF metrics, one value of each per request.
METRIC_REQUESTS = "Requests"  # Count, always 1: Sum = requests
METRIC_LATENCY = "Latency"  # Milliseconds, handler wall time
METRIC_FAULT = "Fault"  # Count, 1 on a 5xx else 0: Average = fault rate
METRIC_CLIENT_ERROR = "ClientError"  # Count, 1 on a 4xx else 0: Average = 4xx rate
METRIC_COLD_START = "ColdStart"  # Count, 1 on a cold start, absent otherwise: Sum = cold starts
METRICS: tuple[str, ...] = (
    METRIC_REQUESTS,
    METRIC_LATENCY,
    METRIC_FAULT,
    METRIC_CLIENT_ERROR,
    METRIC_COLD_START,
)

# The access line: exactly one per request, one JSON object, which is also the EMF document.
ACCESS_MESSAGE = "access"
ACCESS_FIELDS: tuple[str, ...] = (
    "route",
    "method",
    "status",
    "latency_ms",
    "correlation_id",
    "request_id",
    "cold_start",
    "xray_trace_id",
)

# Only on requests that came through CloudFront: its request id, which CloudFront sends the origin as
# the x-amz-cf-id header and logs as x-edge-request-id. One value follows a request from the edge log
# (us-east-1) to the function's access line (home region).
EDGE_REQUEST_ID_HEADER = "x-amz-cf-id"
EDGE_REQUEST_ID_FIELD = "edge_request_id"
ACCESS_FIELDS_WHEN_PRESENT: tuple[str, ...] = (EDGE_REQUEST_ID_FIELD,)

CORRELATION_HEADER = "x-correlation-id"
MAX_BODY_BYTES = 8 * 1024  # matches the WAF Common rule set's SizeRestrictions_BODY (8 KB)

# Headers that carry credentials or signatures: the service never logs them, and the WAF logging
# configuration redacts the same list (stacks/edge_stack.py reads it from here).
SECRET_HEADERS: tuple[str, ...] = (
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-amz-security-token",
    "x-api-key",
)

# The orders table's key schema (the data-access layer and the CDK table read it from here).
TABLE_PARTITION_KEY = "order_id"
# The DynamoDB API operations the service actually calls: IAM grants exactly these, and the
# monitoring graphs and alarms read the per-Operation metrics of exactly these.
DYNAMODB_OPERATIONS: tuple[str, ...] = ("GetItem", "PutItem", "DeleteItem", "Scan")
