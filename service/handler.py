"""Lambda entry point for Function URL (payload 2.0) events: `service.handler.handler`."""

from __future__ import annotations

import time
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from service import contract, deadline, edge_headers, telemetry
from service.app import app
from service.problems import PROBLEM_CONTENT_TYPE, problem_body
from service.request_state import CONTEXT_KEY, RequestState
from service.telemetry import logger, tracer


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
    # resolve() clears its context when done (tests/test_request_state.py holds it to that); the
    # access line below reads this invocation's own reference.
    app.append_context(**{CONTEXT_KEY: state})
    try:
        response = app.resolve(event, context)
    except Exception:
        # The resolver's own exception handlers answer almost everything; this is the last resort
        # (e.g. an event that is not a Function URL event) so the request is still logged and counted.
        logger.exception("request failed outside the resolver")
        state.error_kind = contract.ERROR_KIND_BUG
        response = {
            "statusCode": 500,
            "headers": {"Content-Type": PROBLEM_CONTENT_TYPE},
            "body": problem_body(500, "Internal error", correlation_id=state.correlation_id),
            "isBase64Encoded": False,
        }
    status = int(response.get("statusCode", 500))
    if status >= 500 and state.error_kind is None:
        state.error_kind = contract.ERROR_KIND_BUG  # a 5xx nobody named is a bug
    headers = response.setdefault("headers", {})
    headers[contract.CORRELATION_HEADER] = state.correlation_id
    edge_headers.finish(response, state.route, event.get("headers") or {})
    telemetry.emit_access_line(
        route=state.route,
        correlation_id=state.correlation_id,
        method=str(http.get("method", "")).upper(),
        path=str(event.get("rawPath", "")),
        status=status,
        error_kind=state.error_kind if status >= 500 else None,
        latency_ms=round((time.perf_counter() - started) * 1000, 2),
        request_id=request_id,
        client_id=state.client_id,
        edge_request_id=state.edge_request_id,
    )
    return response
