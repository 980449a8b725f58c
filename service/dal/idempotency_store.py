"""Data access: the idempotency table, through Powertools' DynamoDB persistence layer.

Its own table (IDEMPOTENCY_TABLE_NAME), not the orders table: list and summary Scan the orders
table, so records there would be read, paid for and (being no orders) fail validation on every
page; a separate table also gets its own TTL and an IAM grant for exactly what Powertools calls
(tables.IDEMPOTENCY_DYNAMODB_OPERATIONS). Calls go through the same budgeted client as the
orders table, so they obey the same timeouts and request deadline.

Powertools' idempotency package imports boto3 (about 50 ms), so it is imported on the first
request that carries an Idempotency-Key, not at cold start.
"""

from __future__ import annotations

import functools
import os
from typing import Any

from service.dal import tables
from service.dal.budgeted_client import BudgetedClient


def table_name() -> str:
    """IDEMPOTENCY_TABLE_NAME, or `<TABLE_NAME>-idempotency` where only the orders table is named (local runs)."""
    return os.environ.get("IDEMPOTENCY_TABLE_NAME") or tables.default_idempotency_table(
        os.environ.get("TABLE_NAME", "")
    )


@functools.cache
def persistence_layer() -> Any:
    """The Powertools persistence layer, created once per execution environment on first use."""
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    return DynamoDBPersistenceLayer(
        table_name=table_name(),
        key_attr=tables.IDEMPOTENCY_TABLE_PARTITION_KEY,
        expiry_attr=tables.IDEMPOTENCY_TABLE_TTL_ATTRIBUTE,
        boto3_client=BudgetedClient(os.environ.get("DYNAMODB_ENDPOINT_URL")),
    )
