"""Lambda entry point for Function URL (payload 2.0) events: `service.handler.handler`."""

from __future__ import annotations

import random
import time
from typing import Any

from service import startup

_INIT_STARTED = time.perf_counter()
# Everything init builds is imported with the garbage collector paused, then frozen (service/startup.py).
with startup.frozen_init():
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from service import contract, deadline, edge_headers, header_names, request_body, telemetry
    from service.catalogue import route_for
    from service.problems import ProblemError, problem_result
    from service.request_state import CONTEXT_KEY, RequestState
    from service.resolver import app
    from service.routes import orders as order_routes
    from service.telemetry import logger, tracer

# The init the first request of this environment waits for: it counts in that request's latency (what the
# user waited) and is published as InitDuration, so an init regression shows where latency is judged.
# (The runtime's own start before this module is not in it: REPORT's Init Duration has the whole.)
INIT_MS: float | None = round((time.perf_counter() - _INIT_STARTED) * 1000, 2)


def refresh_after_restore() -> None:
    """SnapStart: every environment restored from one snapshot starts with the same memory.

    - ``random``'s state would be identical everywhere (botocore's retry jitter, Logger sampling):
      reseed from os.urandom. Order ids come from uuid4 (os.urandom) and were never at risk.
    - The DynamoDB client's pooled connections and cached credentials belong to the environment that
      took the snapshot: a new client (service/dal/orders_table.py).
    - Nothing to do for cold_start: no request runs before the snapshot, so Powertools' flag is still
      set and a restored environment's first access line says cold_start true (it waited for a
      restore; REPORT's Restore Duration says how long).
    """
    global INIT_MS
    random.seed()
    order_routes.table.reconnect()
    INIT_MS = None  # a restored environment's first request waited for a restore, not for this init


startup.register_after_restore(refresh_after_restore)


def _resolve(event: dict[str, Any], context: LambdaContext, state: RequestState) -> dict[str, Any]:
    # resolve() clears its context when done (tests/service/test_request_state.py holds it to that); the
    # access line reads the handler's own reference to the state.
    app.append_context(**{CONTEXT_KEY: state})
    try:
        return app.resolve(event, context)
    except Exception:
        # The resolver's own exception handlers answer almost everything; this is the last resort
        # (e.g. an event that is not a Function URL event) so the request is still logged and counted.
        logger.exception("request failed outside the resolver")
        state.error_kind = contract.ERROR_KIND_BUG
        return problem_result(500, "Internal error", correlation_id=state.correlation_id)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    started = time.perf_counter()
    http = (event.get("requestContext") or {}).get("http") or {}
    # The Lambda request id: the one REPORT lines, X-Ray and the Lambda console show.
    request_id = context.aws_request_id
    deadline.start(context)  # every DynamoDB wait of this request is bounded by the context's remaining time
    state = RequestState.for_event(event, request_id)
    logger.set_correlation_id(state.correlation_id)
    telemetry.log_request_detail(event)
    # A body is checked before the resolver runs: its request validation would parse it first (service/request_body.py).
    spec = route_for(str(http.get("method", "")), str(event.get("rawPath", "")))
    try:
        request_body.check_and_normalize(spec, event, oversized=state.oversized)
    except ProblemError as refused:
        state.route = spec.label if spec else None  # check_and_normalize() refuses only a catalogue route's body
        response = problem_result(refused.status, refused.detail, correlation_id=state.correlation_id)
    else:
        response = _resolve(event, context, state)
    status = int(response.get("statusCode", 500))
    if status >= 500 and state.error_kind is None:
        state.error_kind = contract.ERROR_KIND_BUG  # a 5xx nobody named is a bug
    headers = response.setdefault("headers", {})
    headers[header_names.CORRELATION_HEADER] = state.correlation_id
    edge_headers.finish(response, state.route, event.get("headers") or {})
    cold = bool(logger.get_current_keys().get("cold_start", False))
    init_ms = INIT_MS if cold else None
    telemetry.emit_access_line(
        route=state.route,
        correlation_id=state.correlation_id,
        method=str(http.get("method", "")).upper(),
        path=str(event.get("rawPath", "")),
        status=status,
        error_kind=state.error_kind if status >= 500 else None,
        latency_ms=round((time.perf_counter() - started) * 1000 + (init_ms or 0), 2),
        request_id=request_id,
        client_id=state.client_id,
        edge_request_id=state.edge_request_id,
        init_ms=init_ms,
    )
    return response
