"""Data access: the orders table in DynamoDB. The only module that knows the table's shape.

The table name and an optional endpoint (the local emulator) come from the environment only:
TABLE_NAME and DYNAMODB_ENDPOINT_URL.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import boto3
from boto3.dynamodb.conditions import Attr

from service.contract import TABLE_PARTITION_KEY as PARTITION_KEY


class OrdersTable:
    def __init__(self, table_name: str, endpoint_url: str | None = None) -> None:
        if not table_name:
            raise ValueError("TABLE_NAME is not set: the orders table name must come from the environment")
        self._table = boto3.resource("dynamodb", endpoint_url=endpoint_url or None).Table(table_name)

    @classmethod
    def from_environment(cls) -> OrdersTable:
        return cls(os.environ.get("TABLE_NAME", ""), os.environ.get("DYNAMODB_ENDPOINT_URL"))

    def put_new(self, item: dict[str, Any]) -> None:
        """Insert, refusing to overwrite an existing order with the same id."""
        self._table.put_item(Item=item, ConditionExpression=Attr(PARTITION_KEY).not_exists())

    def get(self, order_id: str) -> dict[str, Any] | None:
        return self._table.get_item(Key={PARTITION_KEY: order_id}).get("Item")

    def delete(self, order_id: str) -> bool:
        """Delete and tell whether the order existed (one round trip, no read-before-write race)."""
        response = self._table.delete_item(Key={PARTITION_KEY: order_id}, ReturnValues="ALL_OLD")
        return "Attributes" in response

    def page(self, limit: int, start_key: dict[str, Any] | None) -> tuple[list[dict[str, Any]], dict | None]:
        kwargs: dict[str, Any] = {"Limit": limit}
        if start_key:
            kwargs["ExclusiveStartKey"] = start_key
        response = self._table.scan(**kwargs)
        return response.get("Items", []), response.get("LastEvaluatedKey")

    def scan_all(self) -> Iterator[dict[str, Any]]:
        """Every item, page by page: deliberately heavy (it is what the summary route measures)."""
        start_key: dict[str, Any] | None = None
        while True:
            items, start_key = self.page(limit=500, start_key=start_key)
            yield from items
            if not start_key:
                return


def plain(value: Any) -> Any:
    """DynamoDB returns numbers as Decimal; turn them back into ints for JSON and pydantic."""
    if isinstance(value, Decimal):
        return int(value)
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value
