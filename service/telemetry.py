"""Per-request telemetry: one JSON access line per request that is also the EMF document.

Why one line: CloudWatch extracts metrics from any log event carrying an `_aws` block, so the
access log and the metrics share one JSON object. That halves log bytes per request and means a
request is never counted without being logged (or the reverse).

Tracing goes through service/tracing.py (X-Ray, OpenTelemetry or off: the deploy option `tracing`).
"""

from __future__ import annotations

import functools
import json
import os
import sys
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.metrics.functions import is_metrics_disabled

from service import contract, header_names
from service.catalogue import NOT_FOUND
from service.tracing import make_tracer

SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME") or contract.SERVICE_NAME
NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or contract.METRICS_NAMESPACE

# No `location` key: on the access line it is always this module, and errors carry a stack trace.
# RFC 3339 UTC timestamps on every line, the access line included.
logger = Logger(service=SERVICE, location=None, use_rfc3339=True, utc=True)
tracer = make_tracer(SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)
# Powertools' rule (POWERTOOLS_METRICS_DISABLED, or POWERTOOLS_DEV without it), read once: the
# environment of an execution environment does not change between requests.
METRICS_ENABLED = not is_metrics_disabled()

# Headers that carry credentials or signatures: never logged, whatever the log level.
_SECRET_HEADERS = frozenset(header_names.SECRET_HEADERS)
_SECRET_HINTS = ("token", "secret", "signature", "password", "credential", "session")
REDACTED = "[REDACTED]"
_MAX_LOGGED_PATH = 256
_ERROR_KINDS = frozenset(contract.ERROR_KINDS)


def redact_headers(headers: dict[str, str]) -> dict[str, str]:
    return {
        name: REDACTED if name.lower() in _SECRET_HEADERS or any(h in name.lower() for h in _SECRET_HINTS) else value
        for name, value in headers.items()
    }


def redact_query(raw: str) -> str:
    """The query string with secret-looking parameters (presigned X-Amz-Signature, tokens) masked."""
    if not raw:
        return raw
    pairs = parse_qsl(raw, keep_blank_values=True)
    return urlencode(
        [(k, REDACTED if any(h in k.lower() for h in (*_SECRET_HINTS, "key", "x-amz-")) else v) for k, v in pairs],
        safe="[]",
    )


def log_request_detail(event: dict[str, Any]) -> None:
    """DEBUG only: the request as received, with credentials and cookies removed."""
    if logger.log_level <= 10:  # logging.DEBUG; skip building the dict otherwise
        logger.debug(
            "request",
            extra={
                "headers": redact_headers(event.get("headers") or {}),
                "query": redact_query(event.get("rawQueryString", "")[:1024]),
                "cookies": len(event.get("cookies") or []),
            },
        )


# One encoder for every line (json.dumps with options builds a new one per call). ensure_ascii
# stays on: a raw path may hold lone surrogates that a UTF-8 stream could not encode.
_ENCODER = json.JSONEncoder(separators=(",", ":"), default=str)


@functools.cache  # bounded: (catalogue labels + NOT_FOUND) x (cold, warm)
def _emf_directives_json(route: str, cold_start: bool) -> str:
    """The EMF `CloudWatchMetrics` directive for a route, built and validated by Powertools once
    and kept serialized.

    The directive (namespace, dimension sets, metric names and units) is the same for every
    request of a route; only the timestamp and values change. Building it per request through
    Metrics.add_metric/serialize cost more than the rest of the access line together.
    """
    metrics.add_dimensions(**{contract.DIM_SERVICE: SERVICE, contract.DIM_ROUTE: route})
    metrics.add_metric(name=contract.METRIC_REQUESTS, unit=MetricUnit.Count, value=1)
    metrics.add_metric(name=contract.METRIC_LATENCY, unit=MetricUnit.Milliseconds, value=0)
    metrics.add_metric(name=contract.METRIC_FAULT, unit=MetricUnit.Count, value=0)
    metrics.add_metric(name=contract.METRIC_CLIENT_ERROR, unit=MetricUnit.Count, value=0)
    if cold_start:
        metrics.add_metric(name=contract.METRIC_COLD_START, unit=MetricUnit.Count, value=1)
        metrics.add_metric(name=contract.METRIC_INIT_DURATION, unit=MetricUnit.Milliseconds, value=0)
    try:
        return _ENCODER.encode(metrics.serialize_metric_set()["_aws"]["CloudWatchMetrics"])
    finally:
        metrics.clear_metrics()


def emit_access_line(
    *,
    route: str | None,
    correlation_id: str,
    method: str,
    path: str,
    status: int,
    latency_ms: float,
    request_id: str,
    client_id: str | None = None,
    error_kind: str | None = None,
    edge_request_id: str | None = None,
    init_ms: float | None = None,
) -> None:
    """Write the request's single access line (with its EMF block) and annotate the trace.

    The line has the shape of a Logger line (level, message, timestamp, service, cold_start,
    correlation_id, xray_trace_id) but is written straight to stdout, the way Powertools Metrics
    flushes EMF: it carries the request's metrics, so no log level may filter it out (an operator
    setting POWERTOOLS_LOG_LEVEL=WARNING must not make every metric and alarm go silent). It also
    skips the logging machinery, which cost more than the rest of the request's telemetry.
    """
    now = time.time()
    route = route or NOT_FOUND
    cold_start = bool(logger.get_current_keys().get("cold_start", False))
    fault = 1 if status >= 500 else 0
    client_error = 1 if 400 <= status < 500 else 0

    tracer.record_request(route=route, method=method, status=status, error_kind=error_kind)

    line: dict[str, Any] = {
        "level": "ERROR" if fault else "INFO",
        "message": contract.ACCESS_MESSAGE,
        "timestamp": datetime.fromtimestamp(now, UTC).isoformat(timespec="milliseconds"),
        "service": SERVICE,
        "cold_start": cold_start,
        "correlation_id": correlation_id,
        "route": route,
        "method": method,
    }
    if route == NOT_FOUND or "{" in route:  # a static route's path is its label: don't repeat it
        line["path"] = path[:_MAX_LOGGED_PATH]
    line |= {"status": status, "latency_ms": latency_ms, "request_id": request_id}
    if correlation_id.startswith(contract.SYNTHETIC_CORRELATION_PREFIX):  # the outside-in canary's request
        line[contract.SYNTHETIC_FIELD] = True
    if client_id:  # the API key id (not secret), only when the edge checks keys
        line[contract.CLIENT_ID_FIELD] = client_id
    if error_kind is not None:  # 5xx only: its cause, from the closed set contract.ERROR_KINDS
        line["error_kind"] = error_kind if error_kind in _ERROR_KINDS else contract.ERROR_KIND_BUG
    if edge_request_id:  # only through CloudFront: the key to its edge log line (x-edge-request-id)
        line[contract.EDGE_REQUEST_ID_FIELD] = edge_request_id
    if METRICS_ENABLED:
        line[contract.METRIC_REQUESTS] = 1
        line[contract.METRIC_LATENCY] = latency_ms
        line[contract.METRIC_FAULT] = fault
        line[contract.METRIC_CLIENT_ERROR] = client_error
        if cold_start:  # only on cold starts: Sum = cold starts, and warm lines stay short
            line[contract.METRIC_COLD_START] = 1
            if init_ms is not None:  # the init this request waited for (none after a SnapStart restore)
                line[contract.METRIC_INIT_DURATION] = init_ms
    trace_id = tracer.trace_id()  # X-Ray form in every tracing mode: the console and saved queries take it
    if trace_id:
        line["xray_trace_id"] = trace_id
    text = _ENCODER.encode(line)
    if METRICS_ENABLED:
        # The `_aws` block closes the object: the route's directive is serialized once, spliced in.
        directives = _emf_directives_json(route, cold_start)
        text = f'{text[:-1]},"_aws":{{"Timestamp":{int(now * 1000)},"CloudWatchMetrics":{directives}}}}}'
    sys.stdout.write(text + "\n")
    sys.stdout.flush()
