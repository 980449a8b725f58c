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
