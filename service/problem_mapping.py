"""Problem mapping: every error the resolver meets becomes an RFC 9457 problem response.

The exception handlers live on a Router that service/resolver.py includes; the not-found handler and the
middleware that labels the route and enforces the body limit are registered there too. Each records
the request's route label first: request validation fails before any middleware runs.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import LambdaFunctionUrlResolver, Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.exceptions import NotFoundError, ServiceError
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)

from service import contract, edge_headers, limits, request_body, request_state
from service.catalogue import allowed_methods
from service.dal import dependency_errors
from service.problems import PROBLEM_CONTENT_TYPE, ProblemError, problem_body
from service.telemetry import logger

router = Router()


def label_route_and_limit_body(app: LambdaFunctionUrlResolver, next_middleware: NextMiddleware) -> Response:
    """Global middleware: label the request with its route template and enforce the body limit.

    Request validation runs before this middleware, so the validation error handler records
    the route too (and answers 413 rather than 422 for an oversized body).
    """
    state = request_state.current(app)
    state.label(app.request.method, app.request.route)
    if state.oversized:
        raise ProblemError(413, limits.TOO_LARGE_DETAIL)
    return next_middleware(app)


def _problem(
    status: int, detail: str, *, extra: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> Response:
    """The problem response for the current request (its correlation id in the body)."""
    correlation_id = request_state.current(router).correlation_id
    return Response(
        status_code=status,
        content_type=PROBLEM_CONTENT_TYPE,
        body=problem_body(status, detail, correlation_id=correlation_id, extra=extra),
        headers=headers,
    )


def _label_request() -> None:
    """Exception handlers may run before the middleware did (validation fails first): label here too."""
    request_state.current(router).label(router.request.method, router.request.route)


def _refuse_body(status: int, detail: str, **kwargs: Any) -> Response:
    """For errors raised while the validation layer reads the body, before the middleware could
    check its size: an oversized body is a 413, whatever else is wrong with it."""
    _label_request()
    if request_state.current(router).oversized:
        return _problem(413, limits.TOO_LARGE_DETAIL)
    return _problem(status, detail, **kwargs)


@router.exception_handler(ProblemError)
def handle_problem(exc: ProblemError) -> Response:
    _label_request()
    return _problem(exc.status, exc.detail, extra=exc.extra, headers=exc.headers)


@router.exception_handler(RequestValidationError)
def handle_validation_error(exc: RequestValidationError) -> Response:
    errors = [{"loc": list(e.get("loc", ())), "type": e.get("type", "")} for e in exc.errors()]
    if any(e["type"] == "json_invalid" for e in errors):
        return _refuse_body(400, "Request body is not valid JSON")
    # Messages are generic pydantic texts; inputs are not echoed back (they may be huge or hostile).
    return _refuse_body(422, "Request validation failed", extra={"errors": errors})


@router.exception_handler(RequestUnsupportedContentType)
def handle_unsupported_content_type(_exc: RequestUnsupportedContentType) -> Response:
    # service/request_body.py refuses these before the resolver runs; this keeps the answer the same if not.
    return _refuse_body(415, request_body.NOT_JSON_MEDIA_TYPE)


def handle_not_found(_exc: NotFoundError) -> Response:
    """Unmatched method+path: one fixed label whatever the path; 405 when only the method is wrong.

    Registered with `app.not_found` (a Router cannot hold it). CORS preflights arrive here too (no
    route serves OPTIONS) and are answered by service/edge_headers.py, under the same label."""
    request_state.current(router).label_not_found()
    event = router.current_event
    headers = {k.lower(): v for k, v in (event.headers or {}).items()}
    if edge_headers.is_preflight(event.http_method, headers):
        status, cors_headers, detail = edge_headers.preflight(event.path, headers)
        if detail is None:
            return Response(status_code=status, headers=cors_headers, body=None)
        return _problem(status, detail, headers=cors_headers)
    allowed = allowed_methods(router.current_event.path)
    if allowed:
        return _problem(
            405, f"Method {router.current_event.http_method} not allowed here", headers={"Allow": ", ".join(allowed)}
        )
    return _problem(404, "No route matches this path")


@router.exception_handler(ServiceError)
def handle_service_error(exc: ServiceError) -> Response:
    _label_request()
    if exc.status_code >= 500:
        request_state.current(router).error_kind = contract.ERROR_KIND_BUG
    return _problem(exc.status_code, exc.msg)  # type: ignore[arg-type]  # Powertools allows a dict; we raise text


@router.exception_handler(Exception)
def handle_unexpected(exc: Exception) -> Response:
    """A dependency fault (dal/dependency_errors.py names it) is a 503 with Retry-After; anything else is a bug: 500.

    Either way the client gets a generic body with the correlation id to quote, and the access line
    gets the error_kind. A bug's log line has the stack trace; a dependency fault's names the error only
    (a throttling storm must not flood the log with identical traces)."""
    _label_request()
    state = request_state.current(router)
    state.error_kind = dependency_errors.classify(exc)
    if state.error_kind != contract.ERROR_KIND_BUG:
        logger.warning(
            "dependency fault",
            extra={"route": state.route, "error_kind": state.error_kind, "error": _describe(exc)},
        )
        retry_after = dependency_errors.RETRY_AFTER_S[state.error_kind]
        return _problem(
            503,
            f"A dependency is unavailable ({state.error_kind}); retry after {retry_after} s",
            headers={"Retry-After": str(retry_after)},
        )
    logger.exception("unhandled error", extra={"route": state.route, "error_kind": state.error_kind})
    return _problem(500, "Internal error; quote the correlation_id when reporting it")


def _describe(exc: BaseException) -> str:
    """The error and what caused it, one line, bounded: e.g. 'DeadlineExceeded <- ReadTimeoutError: ...'."""
    chain: list[str] = []
    current: BaseException | None = exc
    while current is not None and len(chain) < 4:
        chain.append(type(current).__name__)
        last = current
        current = current.__cause__ or current.__context__
    return (" <- ".join(chain) + f": {last}")[:512]
