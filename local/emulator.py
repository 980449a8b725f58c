"""The embedded DynamoDB emulator (moto server on loopback) and the orders table in it."""

from __future__ import annotations

import logging
import os
from typing import Any

from service.contract import TABLE_PARTITION_KEY


def start_embedded_dynamodb() -> Any:
    """Start moto's DynamoDB on a free loopback port and point the service at it."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # keep stdout/stderr for the service's logs
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    os.environ["DYNAMODB_ENDPOINT_URL"] = f"http://{host}:{port}"
    # The emulator accepts any credentials; never let local runs pick up real ones.
    os.environ["AWS_ACCESS_KEY_ID"] = "local"
    os.environ["AWS_SECRET_ACCESS_KEY"] = "local"  # noqa: S105 - dummy for the emulator
    os.environ.pop("AWS_SESSION_TOKEN", None)
    os.environ.pop("AWS_PROFILE", None)
    return server


def ensure_table(table_name: str, endpoint_url: str) -> None:
    import boto3

    client = boto3.client("dynamodb", endpoint_url=endpoint_url)
    if table_name in client.list_tables().get("TableNames", []):
        return
    client.create_table(
        TableName=table_name,
        AttributeDefinitions=[{"AttributeName": TABLE_PARTITION_KEY, "AttributeType": "S"}],
        KeySchema=[{"AttributeName": TABLE_PARTITION_KEY, "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
