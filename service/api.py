"""The HTTP API: one Powertools resolver whose routes are registered from the route catalogue.

Method and path live in service/catalogue.py only; `@route("name")` looks them up, so a route
cannot be served without a catalogue entry (and its SLO), and a test proves the reverse.
"""

import json
import re
from collections.abc import Callable
from http import HTTPStatus
from typing import Annotated, Any, TypeVar

from aws_lambda_powertools.event_handler import LambdaFunctionUrlResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError, ServiceError
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from service import contract
from service.catalogue import ROUTES, ROUTES_BY_NAME
from service.dal.orders_table import OrdersTable
from service.logic import orders
from service.models import ORDER_ID_PATTERN, CreateOrder, Health, Order, OrderPage, OrdersSummary, Problem
from service.problems import PROBLEM_CONTENT_TYPE, ProblemError, problem
from service.telemetry import SERVICE, logger, record_not_found, record_route, scope, tracer

app = LambdaFunctionUrlResolver(enable_validation=True)
table = OrdersTable.from_environment()

F = TypeVar("F", bound=Callable[..., Any])


# Problem responses every route can give (documented in openapi.json); 422 is added by Powertools.
_ALWAYS = {413: "Body over 8 KB", 500: "Unexpected error; the log has the details"}


def route(name: str, errors: dict[int, str] | None = None, success: int = 200) -> Callable[[F], F]:
    """Register a handler under the method and path its catalogue entry declares, documenting its
    success response (schema from the return annotation) and the problem responses it can give."""
    spec = ROUTES_BY_NAME[name]
    # The catalogue speaks OpenAPI ({order_id}); Powertools rules name parameters as <order_id>.
    rule = re.sub(r"\{(\w+)\}", r"<\1>", spec.path)
    problems = {**(errors or {}), **_ALWAYS}
    responses: dict[int, OpenAPIResponse] = {success: {"description": HTTPStatus(success).phrase}}
    if success == 204:
        responses[success]["content"] = {}
    responses |= {
        status: {"description": text, "content": {PROBLEM_CONTENT_TYPE: {"model": Problem}}}
        for status, text in sorted(problems.items())
    }
    return app.route(rule=rule, method=spec.method, summary=spec.summary, operation_id=name, responses=responses)


# --- telemetry hooks -------------------------------------------------------------------------


def capture_route(app: LambdaFunctionUrlResolver, next_middleware: NextMiddleware) -> Response:
    """Global middleware: label the request with its route template and enforce the body limit.

    Request validation runs before this middleware, so the validation error handler records
    the route too (and answers 413 rather than 422 for an oversized body).
    """
    record_route(app.request.method, app.request.route)
    if scope.oversized:
        raise ProblemError(413, _TOO_LARGE)
    return next_middleware(app)


app.use(middlewares=[capture_route])


def _problem(status: int, detail: str, **kwargs: Any) -> Response:
    return problem(status, detail, correlation_id=scope.correlation_id, **kwargs)


_TOO_LARGE = f"Request body exceeds {contract.MAX_BODY_BYTES} bytes"


def _label_request() -> None:
    """Exception handlers may run before capture_route did (validation fails first): label here too."""
    record_route(app.request.method, app.request.route)


def _refuse_body(status: int, detail: str, **kwargs: Any) -> Response:
    """For errors raised while the validation layer reads the body, before capture_route could
    check its size: an oversized body is a 413, whatever else is wrong with it."""
    _label_request()
    if scope.oversized:
        return _problem(413, _TOO_LARGE)
    return _problem(status, detail, **kwargs)


@app.exception_handler(ProblemError)
def handle_problem(exc: ProblemError) -> Response:
    _label_request()
    return _problem(exc.status, exc.detail, extra=exc.extra, headers=exc.headers)


@app.exception_handler(RequestValidationError)
def handle_validation_error(exc: RequestValidationError) -> Response:
    errors = [{"loc": list(e.get("loc", ())), "type": e.get("type", "")} for e in exc.errors()]
    if any(e["type"] == "json_invalid" for e in errors):
        return _refuse_body(400, "Request body is not valid JSON")
    # Messages are generic pydantic texts; inputs are not echoed back (they may be huge or hostile).
    return _refuse_body(422, "Request validation failed", extra={"errors": errors})


@app.exception_handler(RequestUnsupportedContentType)
def handle_unsupported_content_type(_exc: RequestUnsupportedContentType) -> Response:
    return _refuse_body(415, "Send the body as application/json")


@app.exception_handler(UnicodeDecodeError)
def handle_undecodable_body(_exc: UnicodeDecodeError) -> Response:
    # Raised while the validation layer decodes a (base64) body that is not UTF-8: client error.
    return _refuse_body(400, "Request body is not valid UTF-8 JSON")


@app.exception_handler([RecursionError, ValueError])
def handle_unparseable_body(exc: Exception) -> Response:
    """json.loads raises these, not JSONDecodeError, for a body nested too deep or holding a number
    too long to convert; both fit in 8 KB. Anything else of these types is a bug: a 500."""
    if _body_defeats_the_parser():
        return _refuse_body(400, "Request body is not parseable JSON (nested too deeply or a number too long)")
    return handle_unexpected(exc)


def _body_defeats_the_parser() -> bool:
    try:
        json.loads(app.current_event.decoded_body or "null")
    except (RecursionError, ValueError):
        return True
    return False


_TEMPLATES = [(re.compile("^" + re.sub(r"\{[^/]+\}", "[^/]+", r.path) + "$"), r.method) for r in ROUTES]


@app.not_found
def handle_not_found(_exc: NotFoundError) -> Response:
    """Unmatched method+path: one fixed label whatever the path; 405 when only the method is wrong."""
    record_not_found()
    path = app.current_event.path
    allowed = sorted({method for pattern, method in _TEMPLATES if pattern.match(path)})
    if allowed:
        return _problem(
            405, f"Method {app.current_event.http_method} not allowed here", headers={"Allow": ", ".join(allowed)}
        )
    return _problem(404, "No route matches this path")


@app.exception_handler(ServiceError)
def handle_service_error(exc: ServiceError) -> Response:
    _label_request()
    return _problem(exc.status_code, exc.msg)


@app.exception_handler(Exception)
def handle_unexpected(exc: Exception) -> Response:
    # The log gets the stack trace; the client gets a generic body with the correlation id to quote.
    _label_request()
    logger.exception("unhandled error", extra={"route": scope.route})
    return _problem(500, "Internal error; quote the correlation_id when reporting it")


# --- routes ----------------------------------------------------------------------------------

OrderId = Annotated[str, Path(pattern=ORDER_ID_PATTERN, description="32 lower-case hex characters")]


@route("health")
def health() -> Health:
    return Health(status="ok", service=SERVICE)


@route("create_order", {400: "Body is not JSON / not UTF-8", 415: "Body is not application/json"}, success=201)
@tracer.capture_method(capture_response=False)
def create_order(request: Annotated[CreateOrder, Body()]) -> Response[Order]:
    order = orders.create_order(table, request)
    logger.info("order created", extra={"order_id": order.order_id, "total_cents": order.total_cents})
    return Response(
        status_code=201,
        content_type=content_types.APPLICATION_JSON,
        body=order.model_dump(),
        headers={"Location": f"/orders/{order.order_id}"},
    )


@route("list_orders", {400: "A cursor this API did not issue"})
@tracer.capture_method(capture_response=False)
def list_orders(
    limit: Annotated[int, Query(ge=1, le=100, description="Page size")] = 20,
    cursor: Annotated[str | None, Query(max_length=512, description="next_cursor of the previous page")] = None,
) -> OrderPage:
    try:
        return orders.list_orders(table, limit=limit, cursor=cursor)
    except orders.InvalidCursorError as exc:
        raise ProblemError(400, str(exc)) from exc


@route("orders_summary")
@tracer.capture_method(capture_response=False)
def orders_summary() -> OrdersSummary:
    return orders.summarize_orders(table)


@route("get_order", {404: "No such order"})
@tracer.capture_method(capture_response=False)
def get_order(order_id: OrderId) -> Order:
    order = orders.get_order(table, order_id)
    if order is None:
        raise ProblemError(404, f"Order {order_id} does not exist")
    return order


@route("delete_order", {404: "No such order"}, success=204)
@tracer.capture_method(capture_response=False)
def delete_order(order_id: OrderId) -> Response[None]:
    if not orders.delete_order(table, order_id):
        raise ProblemError(404, f"Order {order_id} does not exist")
    return Response(status_code=204, body=None)
