"""The data-access layer's type conversion matches boto3's resource layer, which it replaces."""

from __future__ import annotations

import os
from decimal import Decimal
from typing import Any

import boto3
import pytest
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from service.dal.orders_table import OrdersTable, deserialize, serialize
from tests.support.handler import new_order

VALUES: list[Any] = [
    "",
    "é ☃ \U0001f600",
    0,
    -7,
    10**37,
    Decimal("12.50"),
    True,
    False,
    None,
    b"\x00\xff",
    [1, "a", [None, {"k": Decimal("1.5")}]],
    {"sku": "A-1", "quantity": 3, "unit_price_cents": 1999, "nested": {"x": [True]}},
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_serialize_matches_boto3(value: Any) -> None:
    assert serialize(value) == TypeSerializer().serialize(value)


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_round_trip_matches_boto3(value: Any) -> None:
    wire = TypeSerializer().serialize(value)
    ours, theirs = deserialize(wire), TypeDeserializer().deserialize(wire)
    if isinstance(theirs, boto3.dynamodb.types.Binary):
        theirs = theirs.value
    assert ours == theirs
    assert type(ours) is type(theirs)


@pytest.mark.parametrize("value", [1.5, Decimal("NaN"), Decimal("1e200"), Decimal("1." + "1" * 40), object()])
def test_values_dynamodb_cannot_store_are_refused_like_boto3(value: Any) -> None:
    try:
        TypeSerializer().serialize(value)
    except Exception as exc:  # whichever type boto3 raises, we must raise the same
        expected = type(exc)
    else:
        pytest.fail("boto3 accepted the value")
    with pytest.raises(expected):
        serialize(value)


def test_items_written_by_the_table_read_back_through_boto3_unchanged() -> None:
    """Same wire format as the resource layer: a boto3 resource reads exactly what we wrote."""
    table = OrdersTable(os.environ["TABLE_NAME"], os.environ["DYNAMODB_ENDPOINT_URL"])
    item = {**new_order(), "order_id": "f" * 32, "total_cents": 123}
    item["items"] = [{**i, "quantity": Decimal(i["quantity"])} for i in item["items"]]
    table.put_new(item)
    try:
        resource = boto3.resource("dynamodb", endpoint_url=os.environ["DYNAMODB_ENDPOINT_URL"])
        assert resource.Table(os.environ["TABLE_NAME"]).get_item(Key={"order_id": "f" * 32})["Item"] == table.get(
            "f" * 32
        )
        with pytest.raises(ClientError) as refused:
            table.put_new(item)  # the condition expression: never overwrite an order
        assert refused.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    finally:
        assert table.delete("f" * 32) is True
    assert table.delete("f" * 32) is False
    assert table.get("f" * 32) is None
