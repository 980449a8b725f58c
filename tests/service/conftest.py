"""The service through ``handler`` with real Function URL events, against the emulated DynamoDB
(started before collection by tests/conftest.py)."""

from __future__ import annotations

import os

import boto3
import pytest

from tests.support.dynamodb import TABLE_NAME


@pytest.fixture
def empty_table() -> None:
    """Tests that count orders start from an empty table."""
    table = boto3.resource("dynamodb", endpoint_url=os.environ["DYNAMODB_ENDPOINT_URL"]).Table(TABLE_NAME)
    for item in table.scan()["Items"]:
        table.delete_item(Key={"order_id": item["order_id"]})


SEEDED_ORDERS = 3


@pytest.fixture
def few_orders(empty_table: None) -> None:
    """A table of a few orders, whatever earlier tests left: the fuzzers' list and summary requests then
    read a page or two instead of every order the tier created so far (the cost of an example grew with
    the tier's history), and still go through items, pagination cursors and sums."""
    from tests.support.handler import invoke, new_order

    for quantity in range(1, SEEDED_ORDERS + 1):
        assert invoke("POST", "/orders", body=new_order(quantity=quantity)).status == 201
