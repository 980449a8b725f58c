"""Session set-up: an emulated DynamoDB (moto server on loopback) reached by the real boto3 client.

The environment is set before any test imports service.handler, because the service binds its
table from TABLE_NAME / DYNAMODB_ENDPOINT_URL at import, exactly as in Lambda.
"""

from __future__ import annotations

import os

import boto3
import pytest

from local.emulator import ensure_table, start_embedded_dynamodb
from service.dal.tables import default_idempotency_table

TABLE_NAME = "orders-test"

for name in ("POWERTOOLS_DEV", "POWERTOOLS_METRICS_DISABLED", "POWERTOOLS_TRACE_DISABLED", "AWS_PROFILE"):
    os.environ.pop(name, None)
os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
os.environ["TABLE_NAME"] = TABLE_NAME
os.environ["POWERTOOLS_LOG_LEVEL"] = "INFO"
_EMULATOR = start_embedded_dynamodb()
ensure_table(TABLE_NAME, os.environ["DYNAMODB_ENDPOINT_URL"])
# ensure_table also created the idempotency table, named as the service derives it.
IDEMPOTENCY_TABLE_NAME = default_idempotency_table(TABLE_NAME)


def pytest_unconfigure(config: pytest.Config) -> None:
    _EMULATOR.stop()


@pytest.fixture
def empty_table() -> None:
    """Tests that count orders start from an empty table."""
    table = boto3.resource("dynamodb", endpoint_url=os.environ["DYNAMODB_ENDPOINT_URL"]).Table(TABLE_NAME)
    for item in table.scan()["Items"]:
        table.delete_item(Key={"order_id": item["order_id"]})
