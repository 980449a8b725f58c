"""The emulated DynamoDB (moto server on loopback, reached by the real boto3 client) for the tests that
reach a table: the service tier (through ``handler``), the local server's runs and the telemetry contract.

The service binds its table from TABLE_NAME / DYNAMODB_ENDPOINT_URL when service.handler is imported,
exactly as in Lambda: ``start()`` must run before that import (tests/conftest.py starts it before
collection whenever the run selects a tier that needs it). A fresh interpreter calls ``start()`` itself.
"""

from __future__ import annotations

import os
from typing import Any

from local.emulator import ensure_table, start_embedded_dynamodb
from service.dal.tables import default_idempotency_table

TABLE_NAME = "orders-test"
# ensure_table also creates the idempotency table, named as the service derives it.
IDEMPOTENCY_TABLE_NAME = default_idempotency_table(TABLE_NAME)

_server: Any = None


def start() -> str:
    """Start the emulator in this process (once), create both tables, set DYNAMODB_ENDPOINT_URL; its URL."""
    global _server
    os.environ["TABLE_NAME"] = TABLE_NAME
    if _server is None:
        _server = start_embedded_dynamodb()
        ensure_table(TABLE_NAME, os.environ["DYNAMODB_ENDPOINT_URL"])
    return os.environ["DYNAMODB_ENDPOINT_URL"]


def stop() -> None:
    global _server
    if _server is not None:
        _server.stop()
        _server = None


def running() -> bool:
    return _server is not None
