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
METRIC_LATENCY = "Latency"  # Milliseconds, handler wall time (plus the init, on a cold start: what the user waited)
METRIC_FAULT = "Fault"  # Count, 1 on a 5xx else 0: Average = fault rate
METRIC_CLIENT_ERROR = "ClientError"  # Count, 1 on a 4xx else 0: Average = 4xx rate
METRIC_COLD_START = "ColdStart"  # Count, 1 on a cold start, absent otherwise: Sum = cold starts
METRIC_INIT_DURATION = "InitDuration"  # Milliseconds, on a cold start only: the service's init (its imports)
METRICS: tuple[str, ...] = (
    METRIC_REQUESTS,
    METRIC_LATENCY,
    METRIC_FAULT,
    METRIC_CLIENT_ERROR,
    METRIC_COLD_START,
    METRIC_INIT_DURATION,
)

# The access line: exactly one per request, one JSON object, which is also the EMF document.
ACCESS_MESSAGE = "access"
# The outside-in canary's marks (canary/python/api_canary.py): its requests carry an x-correlation-id with
# this prefix (the access line then says `synthetic: true`, and the saved queries for real traffic leave
# them out), and the orders it creates (and deletes in the same run) belong to this customer, whom the
# business summary never counts. Its requests stay in the request metrics: the alarms rely on them.
SYNTHETIC_CORRELATION_PREFIX = "canary-"
SYNTHETIC_CUSTOMER = "synthetic-canary"
SYNTHETIC_FIELD = "synthetic"
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

# Only on requests that came through CloudFront: its request id (header_names.EDGE_REQUEST_ID_HEADER), which
# CloudFront logs as x-edge-request-id. One value follows a request from the edge log (us-east-1) to the
# function's access line (home region).
EDGE_REQUEST_ID_FIELD = "edge_request_id"
ACCESS_FIELDS_WHEN_PRESENT: tuple[str, ...] = (EDGE_REQUEST_ID_FIELD,)

# The API key's id (header_names.CLIENT_ID_HEADER), on the access line only when trusted and present.
CLIENT_ID_FIELD = "client_id"

# --- Faults: what the access line says about a 5xx ------------------------------------------------
# `error_kind` on the access line, a closed set: present only on 5xx lines (a success or a 4xx has
# no cause to name, and leaving the key out keeps those lines short), so `filter ispresent(error_kind)`
# selects exactly the faults and `stats count(*) by error_kind` splits them without a metric dimension.
ERROR_KIND_THROTTLED = "dependency_throttled"  # DynamoDB throttled us: 503, retry later
ERROR_KIND_UNAVAILABLE = "dependency_unavailable"  # DynamoDB 5xx, connection error, read timeout: 503
ERROR_KIND_DEADLINE = "deadline"  # the request ran out of its time budget waiting on a dependency: 503
ERROR_KIND_BUG = "bug"  # anything else: 500, the log has the stack trace
ERROR_KINDS: tuple[str, ...] = (ERROR_KIND_THROTTLED, ERROR_KIND_UNAVAILABLE, ERROR_KIND_DEADLINE, ERROR_KIND_BUG)
