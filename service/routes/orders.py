"""The orders resource: HTTP in and out only; service/logic/orders.py does the work.

No `from __future__ import annotations` in route modules: Powertools reads the handlers' types for
validation and OpenAPI, and under the real Tracer it sees the traced wrapper, whose module cannot
resolve string annotations (every request would be a 500 in Lambda, tests/service/test_tracing.py shows it).
"""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Path, Query

from service import header_names, idempotency, request_state
from service.dal.orders_table import OrdersTable
from service.logic import orders
from service.models import ORDER_ID_PATTERN, CreateOrder, Order, OrderPage, OrdersSummary
from service.problems import ProblemError
from service.routes import route
from service.telemetry import logger, tracer

router = Router()
table = OrdersTable.from_environment()

OrderId = Annotated[str, Path(pattern=ORDER_ID_PATTERN, description="32 lower-case hex characters")]


IdempotencyKey = Annotated[
    str | None,
    Header(
        pattern=idempotency.IDEMPOTENCY_KEY_PATTERN,
        max_length=idempotency.IDEMPOTENCY_KEY_MAX_LENGTH,
        description="Optional. 1-255 printable ASCII characters (a UUID is a good choice). Retrying with the "
        "same key and body within 24 h replays the first 201 (with `Idempotent-Replayed: true`); the same "
        "key with another body is a 422; while the first request is still running, a 409.",
    ),
]


@route(
    router,
    "create_order",
    {
        409: "A request with this Idempotency-Key is still being processed: retry later",
    },
    success=201,
    success_headers={
        "Location": "/orders/{order_id} of the new order",
        "Idempotent-Replayed": "`true` when this is the stored response of an earlier request with the same "
        "Idempotency-Key and body",
    },
)
@tracer.capture_method(capture_response=False)
def create_order(request: Annotated[CreateOrder, Body()], idempotency_key: IdempotencyKey = None) -> Response[Order]:
    headers: dict[str, str] = {}
    if idempotency_key is None:
        order = orders.create_order(table, request)
    else:
        try:
            created = orders.create_order_idempotently(
                table,
                request,
                key=idempotency_key,
                # The API key's id, through the trust gate (set by the edge only when it checks keys): keys are
                # per client; with keys off a viewer could pick any scope, so there is none.
                client_id=request_state.current(router).client_id,
                lambda_context=router.lambda_context,
            )
        except orders.IdempotencyKeyReusedError as exc:
            # A 422 like any other: `errors` says where (the key), never what was sent.
            error = {"loc": ["header", header_names.IDEMPOTENCY_HEADER], "type": "idempotency_key_reused"}
            raise ProblemError(422, str(exc), extra={"errors": [error]}) from exc
        except orders.IdempotencyKeyInFlightError as exc:
            raise ProblemError(409, str(exc)) from exc
        order = created.order
        if created.replayed:
            headers[header_names.IDEMPOTENCY_REPLAYED_HEADER.title()] = "true"
    if not headers:
        logger.info("order created", extra={"order_id": order.order_id, "total_cents": order.total_cents})
    return Response(
        status_code=201,
        content_type=content_types.APPLICATION_JSON,
        body=order.model_dump(),  # type: ignore[arg-type]  # Response[Order] documents the schema (openapi.json)
        headers={"Location": f"/orders/{order.order_id}", **headers},
    )


@route(router, "list_orders", {400: "A cursor this API did not issue"})
@tracer.capture_method(capture_response=False)
def list_orders(
    limit: Annotated[int, Query(ge=1, le=100, description="Page size")] = 20,
    cursor: Annotated[str | None, Query(max_length=512, description="next_cursor of the previous page")] = None,
) -> OrderPage:
    try:
        return orders.list_orders(table, limit=limit, cursor=cursor)
    except orders.InvalidCursorError as exc:
        raise ProblemError(400, str(exc)) from exc


@route(router, "orders_summary")
@tracer.capture_method(capture_response=False)
def orders_summary() -> OrdersSummary:
    return orders.summarize_orders(table)


@route(router, "get_order", {404: "No such order"})
@tracer.capture_method(capture_response=False)
def get_order(order_id: OrderId) -> Order:
    order = orders.get_order(table, order_id)
    if order is None:
        raise ProblemError(404, f"Order {order_id} does not exist")
    return order


@route(router, "delete_order", {404: "No such order"}, success=204)
@tracer.capture_method(capture_response=False)
def delete_order(order_id: OrderId) -> Response[None]:
    if not orders.delete_order(table, order_id):
        raise ProblemError(404, f"Order {order_id} does not exist")
    return Response(status_code=204, body=None)
