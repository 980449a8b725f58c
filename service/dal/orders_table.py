"""Data access: the orders table in DynamoDB. The only module that knows the table's shape.

The table name and an optional endpoint (the local emulator) come from the environment only:
TABLE_NAME and DYNAMODB_ENDPOINT_URL.

It talks to DynamoDB through a low-level botocore client, not boto3's resource layer: importing
boto3 also imports s3transfer, and the resource layer builds its classes from a second model at
creation. Both cost cold-start time for nothing here. The resource's type conversion is replaced
by the two small functions below, with the resource's behaviour for the types an order holds
(numbers come back as Decimal, floats are refused).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from decimal import Clamped, Context, Decimal, Inexact, Overflow, Rounded, Underflow
from typing import Any

from service.dal.budgeted_client import BudgetedClient
from service.dal.tables import TABLE_PARTITION_KEY as PARTITION_KEY

# DynamoDB's number range and precision; the same context boto3's TypeSerializer uses, so a number
# the table cannot store exactly raises here instead of being rounded.
# Items per Scan call of a full-table read (scan_all).
SCAN_PAGE_ITEMS = 100
_NUMBER_CONTEXT = Context(Emin=-128, Emax=126, prec=38, traps=[Clamped, Overflow, Inexact, Rounded, Underflow])


class OrdersTable:
    def __init__(self, table_name: str, endpoint_url: str | None = None) -> None:
        if not table_name:
            raise ValueError("TABLE_NAME is not set: the orders table name must come from the environment")
        self.table_name = table_name
        self.endpoint_url = endpoint_url or None
        # Timeouts, retries and the request's deadline: service/dal/budgeted_client.py.
        self._client = BudgetedClient(self.endpoint_url)

    @classmethod
    def from_environment(cls) -> OrdersTable:
        return cls(os.environ.get("TABLE_NAME", ""), os.environ.get("DYNAMODB_ENDPOINT_URL"))

    def reconnect(self) -> None:
        """A new client on a new session (new connection pool, credential chain resolved again; the
        parsed models are reused, ~10 ms): after a SnapStart restore, pooled sockets and cached
        credentials in the snapshot belong to the environment that took it."""
        old, self._client = self._client, BudgetedClient(self.endpoint_url)
        old.close()

    def put_new(self, item: dict[str, Any]) -> None:
        """Insert, refusing to overwrite an existing order with the same id."""
        self._client.put_item(
            TableName=self.table_name,
            Item=serialize_item(item),
            ConditionExpression="attribute_not_exists(#pk)",
            ExpressionAttributeNames={"#pk": PARTITION_KEY},
        )

    def get(self, order_id: str) -> dict[str, Any] | None:
        response = self._client.get_item(TableName=self.table_name, Key=serialize_item({PARTITION_KEY: order_id}))
        item = response.get("Item")
        return deserialize_item(item) if item is not None else None

    def delete(self, order_id: str) -> bool:
        """Delete and tell whether the order existed (one round trip, no read-before-write race)."""
        response = self._client.delete_item(
            TableName=self.table_name, Key=serialize_item({PARTITION_KEY: order_id}), ReturnValues="ALL_OLD"
        )
        return "Attributes" in response

    def page(self, limit: int, start_key: dict[str, Any] | None) -> tuple[list[dict[str, Any]], dict | None]:
        kwargs: dict[str, Any] = {"TableName": self.table_name, "Limit": limit}
        if start_key:
            kwargs["ExclusiveStartKey"] = serialize_item(start_key)
        response = self._client.scan(**kwargs)
        last_key = response.get("LastEvaluatedKey")
        items = [deserialize_item(i) for i in response.get("Items", [])]
        return items, deserialize_item(last_key) if last_key else None

    def scan_all(self) -> Iterator[dict[str, Any]]:
        """Every item, page by page: deliberately heavy (it is what the summary route measures). Pages of
        SCAN_PAGE_ITEMS keep each call far inside its read timeout (service/time_budget.py), also on the
        local emulator, which spends ~1-2 ms per returned item: its 500-item pages neared the 1.5 s
        timeout under `make load` and the summary answered 503."""
        start_key: dict[str, Any] | None = None
        while True:
            items, start_key = self.page(limit=SCAN_PAGE_ITEMS, start_key=start_key)
            yield from items
            if not start_key:
                return


# --- DynamoDB's typed JSON <-> Python, as boto3's TypeSerializer/TypeDeserializer do it -----------


def serialize_item(item: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: serialize(value) for name, value in item.items()}


def serialize(value: Any) -> dict[str, Any]:
    # bool before int: bool is an int subclass, and DynamoDB has a BOOL type.
    if isinstance(value, bool):
        return {"BOOL": value}
    if value is None:
        return {"NULL": True}
    if isinstance(value, int | Decimal):
        number = str(_NUMBER_CONTEXT.create_decimal(value))
        if number in ("Infinity", "NaN"):
            raise TypeError("Infinity and NaN not supported")
        return {"N": number}
    if isinstance(value, float):
        raise TypeError("Float types are not supported. Use Decimal types instead.")
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, bytes | bytearray):
        return {"B": bytes(value)}
    if isinstance(value, list):
        return {"L": [serialize(v) for v in value]}
    if isinstance(value, Mapping):
        return {"M": serialize_item(value)}
    raise TypeError(f"Unsupported type {type(value)!r} for value {value!r}")


def deserialize_item(item: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    return {name: deserialize(value) for name, value in item.items()}


def deserialize(value: Mapping[str, Any]) -> Any:
    ((kind, data),) = value.items()
    if kind == "S":
        return data
    if kind == "N":
        return _NUMBER_CONTEXT.create_decimal(data)
    if kind == "BOOL":
        return data
    if kind == "NULL":
        return None
    if kind == "M":
        return deserialize_item(data)
    if kind == "L":
        return [deserialize(v) for v in data]
    if kind == "B":
        return bytes(data)
    if kind == "SS":
        return set(data)
    if kind == "NS":
        return {_NUMBER_CONTEXT.create_decimal(v) for v in data}
    if kind == "BS":
        return {bytes(v) for v in data}
    raise TypeError(f"Dynamodb type {kind} is not supported")


def plain(value: Any) -> Any:
    """DynamoDB returns numbers as Decimal; turn them back into ints for JSON and pydantic."""
    if isinstance(value, Decimal):
        return int(value)
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value
