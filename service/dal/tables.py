"""The service's two DynamoDB tables: key schemas and the API operations called on each.

The data-access layer, the CDK stack (keys, TTL attribute, IAM grants), the monitoring (per-Operation
metrics) and the local emulator all read them from here.
"""

from __future__ import annotations

# The orders table's key schema.
TABLE_PARTITION_KEY = "order_id"
# The DynamoDB API operations the service actually calls: IAM grants exactly these, and the
# monitoring graphs and alarms read the per-Operation metrics of exactly these.
DYNAMODB_OPERATIONS: tuple[str, ...] = ("GetItem", "PutItem", "DeleteItem", "Scan")

# The idempotency records live in their own table (TTL on), not in the orders table: list and
# summary Scan the orders table and must never see them. Its shape is Powertools' default.
IDEMPOTENCY_TABLE_PARTITION_KEY = "id"
IDEMPOTENCY_TABLE_TTL_ATTRIBUTE = "expiration"
# What Powertools' DynamoDB persistence layer calls on it (IAM grants exactly these).
IDEMPOTENCY_DYNAMODB_OPERATIONS: tuple[str, ...] = ("GetItem", "PutItem", "UpdateItem", "DeleteItem")


def default_idempotency_table(orders_table: str) -> str:
    """The idempotency table's name where only the orders table is named (local runs, tests)."""
    return f"{orders_table}-idempotency"


def table_definitions(orders_table: str, idempotency_table: str) -> list[dict[str, object]]:
    """CreateTable arguments for both tables (the local emulator and tests create them from here;
    the CDK stack declares the same keys). TTL is not part of CreateTable: see IDEMPOTENCY_TABLE_TTL_ATTRIBUTE."""
    return [
        {
            "TableName": name,
            "AttributeDefinitions": [{"AttributeName": key, "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": key, "KeyType": "HASH"}],
            "BillingMode": "PAY_PER_REQUEST",
        }
        for name, key in ((orders_table, TABLE_PARTITION_KEY), (idempotency_table, IDEMPOTENCY_TABLE_PARTITION_KEY))
    ]
