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

# API keys (edge/api_key.js): an accepted call reaches the function with this header holding the key
# id (12 hex characters of sha256(key), not secret). Trusted only when the CDK app says the edge
# sets it (ENV_API_KEYS=true); otherwise a viewer could have sent it. Logged as CLIENT_ID_FIELD.
CLIENT_ID_HEADER = "x-client-id"
CLIENT_ID_FIELD = "client_id"  # on the access line, only when trusted and present
ENV_API_KEYS = "API_KEYS_AT_EDGE"
# CORS is answered by the function alone (service/edge_headers.py); the CDK app passes
# cdk.json's cors_allowed_origins in this variable, comma-separated (empty: no CORS).
ENV_CORS_ALLOWED_ORIGINS = "CORS_ALLOWED_ORIGINS"
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

# --- Faults: what the access line says about a 5xx ------------------------------------------------
# `error_kind` on the access line, a closed set: present only on 5xx lines (a success or a 4xx has
# no cause to name, and leaving the key out keeps those lines short), so `filter ispresent(error_kind)`
# selects exactly the faults and `stats count(*) by error_kind` splits them without a metric dimension.
ERROR_KIND_THROTTLED = "dependency_throttled"  # DynamoDB throttled us: 503, retry later
ERROR_KIND_UNAVAILABLE = "dependency_unavailable"  # DynamoDB 5xx, connection error, read timeout: 503
ERROR_KIND_DEADLINE = "deadline"  # the request ran out of its time budget waiting on a dependency: 503
ERROR_KIND_BUG = "bug"  # anything else: 500, the log has the stack trace
ERROR_KINDS: tuple[str, ...] = (ERROR_KIND_THROTTLED, ERROR_KIND_UNAVAILABLE, ERROR_KIND_DEADLINE, ERROR_KIND_BUG)

# --- The time budget (one source: the dal's botocore config and the CDK config validation read it) ---
# One DynamoDB API call with the full client, worst case:
#   attempts x (connect + read) + backoff before the retry
#   = 2 x (0.5 s + 1.5 s) + 1 s = 5 s
# (botocore's "standard" retry mode sleeps at most min(20 s, 2^(attempt-1)) x random(0..1) before
# retry n: <= 1 s before the second attempt). A request may make several calls (an idempotent create
# makes four; the summary pages through the table), so each request also has a deadline taken from
# the Lambda context: the full client is used only while its whole worst case fits in the remaining
# time minus DEADLINE_RESERVE_MS; after that each call gets one attempt with a read timeout cut to
# what is left, and when nothing useful is left the request answers 503 `deadline` at once.
# DEADLINE_RESERVE_MS is what answering and writing the access line may take after the last wait.
# The Lambda timeout must hold at least one full call plus the reserve (stacks/config.py checks
# timeout_seconds >= MIN_LAMBDA_TIMEOUT_S; cdk.json's default, 10 s, leaves 4.5 s spare).
DYNAMODB_CONNECT_TIMEOUT_S = 0.5  # in-region TCP + TLS takes milliseconds; 0.5 s is a dead endpoint
DYNAMODB_READ_TIMEOUT_S = 1.5  # a 1 MB Scan page is well under this; a hung connection is not
DYNAMODB_RETRY_MODE = "standard"
DYNAMODB_MAX_ATTEMPTS = 2  # total attempts, first one included
DYNAMODB_MAX_RETRY_BACKOFF_S = 1.0  # standard mode, before the second attempt
DYNAMODB_CALL_WORST_CASE_S = (
    DYNAMODB_MAX_ATTEMPTS * (DYNAMODB_CONNECT_TIMEOUT_S + DYNAMODB_READ_TIMEOUT_S)
    + (DYNAMODB_MAX_ATTEMPTS - 1) * DYNAMODB_MAX_RETRY_BACKOFF_S
)
DEADLINE_RESERVE_MS = 500
MIN_LAMBDA_TIMEOUT_S = int(-(-(DYNAMODB_CALL_WORST_CASE_S * 1000 + DEADLINE_RESERVE_MS) // 1000))  # ceil: 6 s
# Retry-After (seconds) on a 503: throttling and outages clear in seconds; a deadline is a slow
# dependency, worth another try soon. Clients should add jitter.
RETRY_AFTER_S: dict[str, int] = {ERROR_KIND_THROTTLED: 1, ERROR_KIND_UNAVAILABLE: 2, ERROR_KIND_DEADLINE: 1}

# --- Idempotent create (POST /orders with an Idempotency-Key header) ----------------------------
IDEMPOTENCY_HEADER = "idempotency-key"
IDEMPOTENCY_REPLAYED_HEADER = "idempotent-replayed"  # "true" on a replayed response
# The key: 1-255 printable ASCII characters without spaces (a UUID is the usual choice).
IDEMPOTENCY_KEY_PATTERN = r"^[!-~]{1,255}$"
IDEMPOTENCY_KEY_MAX_LENGTH = 255
# How long a key is remembered: a retry within 24 h replays; after that DynamoDB's TTL deletes it.
IDEMPOTENCY_TTL_S = 24 * 3600
# The idempotency records live in their own table (TTL on), not in the orders table: list and
# summary Scan the orders table and must never see them. Its shape is Powertools' default.
IDEMPOTENCY_TABLE_PARTITION_KEY = "id"
IDEMPOTENCY_TABLE_TTL_ATTRIBUTE = "expiration"
# What Powertools' DynamoDB persistence layer calls on it (IAM grants exactly these).
IDEMPOTENCY_DYNAMODB_OPERATIONS: tuple[str, ...] = ("GetItem", "PutItem", "UpdateItem", "DeleteItem")


def default_idempotency_table(orders_table: str) -> str:
    """The idempotency table's name where only the orders table is named (local runs, tests)."""
    return f"{orders_table}-idempotency"


def table_definitions(orders_table: str, idempotency_table: str) -> list[dict[str, object]]:
    """CreateTable arguments for both tables (the local emulator and tests create them from here;
    the CDK stack declares the same keys). TTL is not part of CreateTable: see IDEMPOTENCY_TABLE_TTL_ATTRIBUTE."""
    return [
        {
            "TableName": name,
            "AttributeDefinitions": [{"AttributeName": key, "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": key, "KeyType": "HASH"}],
            "BillingMode": "PAY_PER_REQUEST",
        }
        for name, key in ((orders_table, TABLE_PARTITION_KEY), (idempotency_table, IDEMPOTENCY_TABLE_PARTITION_KEY))
    ]
