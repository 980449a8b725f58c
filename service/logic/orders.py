"""Business logic for orders: no HTTP, no boto3; the resolver calls this, this calls the table."""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from service import idempotency
from service.contract import SYNTHETIC_CUSTOMER
from service.dal.orders_table import PARTITION_KEY, OrdersTable, plain
from service.models import ORDER_ID_PATTERN, CreateOrder, Currency, CurrencyTotal, Order, OrderPage, OrdersSummary


class InvalidCursorError(ValueError):
    """The client sent a cursor this service did not issue."""


def create_order(table: OrdersTable, request: CreateOrder) -> Order:
    order = Order(
        order_id=uuid.uuid4().hex,
        customer_id=request.customer_id,
        currency=request.currency,
        items=request.items,
        total_cents=sum(i.quantity * i.unit_price_cents for i in request.items),
        status="CREATED",
        created_at=datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    )
    table.put_new(order.model_dump())
    return order


def get_order(table: OrdersTable, order_id: str) -> Order | None:
    item = table.get(order_id)
    return Order.model_validate(plain(item)) if item else None


def delete_order(table: OrdersTable, order_id: str) -> bool:
    return table.delete(order_id)


def list_orders(table: OrdersTable, limit: int, cursor: str | None) -> OrderPage:
    items, last_key = table.page(limit=limit, start_key=decode_cursor(cursor) if cursor else None)
    orders = [Order.model_validate(plain(i)) for i in items]
    return OrderPage(orders=orders, next_cursor=encode_cursor(last_key) if last_key else None)


def summarize_orders(table: OrdersTable) -> OrdersSummary:
    """Totals per currency and the top customers over every real order: a full scan. Orders were validated
    when written (create_order), so they are summed as stored, not rebuilt as models one by one. The
    canary's synthetic customer is never counted."""
    totals: dict[Currency, list[int]] = {}
    customers: Counter[str] = Counter()
    order_count = item_count = 0
    for raw in table.scan_all():
        if raw["customer_id"] == SYNTHETIC_CUSTOMER:
            continue
        order_count += 1
        item_count += sum(int(i["quantity"]) for i in raw["items"])
        count_total = totals.setdefault(raw["currency"], [0, 0])
        count_total[0] += 1
        count_total[1] += int(raw["total_cents"])
        customers[raw["customer_id"]] += 1
    return OrdersSummary(
        order_count=order_count,
        item_count=item_count,
        totals=[CurrencyTotal(currency=c, order_count=n, total_cents=t) for c, (n, t) in sorted(totals.items())],
        top_customers=[c for c, _ in customers.most_common(5)],
    )


# The cursor is opaque to clients: url-safe base64 of the DynamoDB start key. It is validated on
# the way back in so a forged cursor is a 400, never a 500 or a scan from an arbitrary key.
def encode_cursor(last_key: dict[str, Any]) -> str:
    raw = json.dumps({"k": plain(last_key)[PARTITION_KEY]}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)["k"]
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise InvalidCursorError("cursor is not one this API issued") from exc
    if not isinstance(key, str) or not re.fullmatch(ORDER_ID_PATTERN, key):
        raise InvalidCursorError("cursor is not one this API issued")
    return {PARTITION_KEY: key}


# --- Idempotent create --------------------------------------------------------------------------
# Semantics of the IETF HTTPAPI "Idempotency-Key" draft: the same key with the same body replays
# the first result; the same key with another body is refused; a duplicate while the first request
# is still running is refused as a conflict. Powertools' Idempotency utility keeps the records.


class IdempotencyKeyReusedError(ValueError):
    """The key was already used with a different request body."""


class IdempotencyKeyInFlightError(RuntimeError):
    """A request with this key is still being processed."""


@dataclass(frozen=True)
class Created:
    order: Order
    replayed: bool  # True: the stored result of an earlier request with the same key and body


@functools.cache
def _idempotent_create() -> tuple[Any, Any]:
    """The Powertools-wrapped create and its config: built on the first keyed request (lazy import)."""
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function

    from service.dal import idempotency_store

    config = IdempotencyConfig(
        event_key_jmespath="key",  # the client's key (scoped to the API client, when the edge names one)
        payload_validation_jmespath="body",  # same key, other body: IdempotencyValidationError
        expires_after_seconds=idempotency.IDEMPOTENCY_TTL_S,
        raise_on_no_idempotency_key=True,
        # A replay comes from the store: mark it so the route can say so.
        response_hook=lambda response, _record: {**response, "replayed": True},
    )

    @idempotent_function(
        data_keyword_argument="request_data",
        persistence_store=idempotency_store.persistence_layer(),
        config=config,
        key_prefix="create_order",  # stable across code moves (the default is the function's module path)
    )
    def create(table: OrdersTable, request: CreateOrder, *, request_data: dict[str, Any]) -> dict[str, Any]:
        return {"order": create_order(table, request).model_dump(), "replayed": False}

    return create, config


def create_order_idempotently(
    table: OrdersTable, request: CreateOrder, *, key: str, client_id: str | None, lambda_context: Any
) -> Created:
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )

    create, config = _idempotent_create()
    # The in-progress lock expires with the invocation: a crashed first attempt does not block retries.
    config.register_lambda_context(lambda_context)
    data = {"key": [client_id or "", key], "body": request.model_dump(mode="json")}
    try:
        result = create(table, request, request_data=data)
    except IdempotencyValidationError as exc:
        raise IdempotencyKeyReusedError("this Idempotency-Key was used with a different request body") from exc
    except IdempotencyAlreadyInProgressError as exc:
        raise IdempotencyKeyInFlightError("a request with this Idempotency-Key is still being processed") from exc
    return Created(order=Order.model_validate(result["order"]), replayed=bool(result["replayed"]))
