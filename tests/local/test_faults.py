"""The fault-injecting DynamoDB proxy: what botocore makes of its answers is what it makes of DynamoDB's."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import botocore.exceptions
import pytest
from botocore.config import Config

from local.fault_proxy import FaultProxy, FaultSpec
from tests.support.dynamodb import TABLE_NAME


@pytest.fixture
def proxied() -> Iterator[Callable[[str], FaultProxy]]:
    proxies: list[FaultProxy] = []

    def start(spec: str) -> FaultProxy:
        proxy = FaultProxy(os.environ["DYNAMODB_ENDPOINT_URL"], FaultSpec.parse(spec)).start()
        proxies.append(proxy)
        return proxy

    yield start
    for proxy in proxies:
        proxy.stop()


def client(proxy: FaultProxy, attempts: int = 1) -> Any:
    return boto3.client(
        "dynamodb",
        endpoint_url=proxy.url,
        config=Config(retries={"mode": "standard", "total_max_attempts": attempts}, read_timeout=5, connect_timeout=2),
    )


def get_item(ddb: Any) -> dict[str, Any]:
    return ddb.get_item(TableName=TABLE_NAME, Key={"order_id": {"S": uuid.uuid4().hex}})


@pytest.mark.parametrize(
    ("spec", "code", "status"),
    [
        ("throttle=1", "ProvisionedThroughputExceededException", 400),
        ("throttling=1", "ThrottlingException", 400),
        ("error=1", "InternalServerError", 500),
        ("unavailable=1", "ServiceUnavailable", 503),
    ],
)
def test_botocore_raises_the_real_client_error(
    proxied: Callable[[str], FaultProxy], spec: str, code: str, status: int
) -> None:
    ddb = client(proxied(spec))
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        get_item(ddb)
    error = caught.value.response
    assert error["Error"]["Code"] == code
    assert error["ResponseMetadata"]["HTTPStatusCode"] == status
    assert error["ResponseMetadata"]["RequestId"]
    if code == "ProvisionedThroughputExceededException":
        assert isinstance(caught.value, ddb.exceptions.ProvisionedThroughputExceededException)
        assert error["ThrottlingReasons"][0]["reason"]


def test_botocore_retries_throttles_as_it_would_against_dynamodb(proxied: Callable[[str], FaultProxy]) -> None:
    ddb = client(proxied("throttle=1"), attempts=3)
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        get_item(ddb)
    assert caught.value.response["ResponseMetadata"]["RetryAttempts"] == 2


def test_reset_is_a_connection_error(proxied: Callable[[str], FaultProxy]) -> None:
    ddb = client(proxied("reset=1"))
    with pytest.raises((botocore.exceptions.ConnectionClosedError, botocore.exceptions.EndpointConnectionError)):
        get_item(ddb)


def test_without_faults_calls_pass_through_and_delay_slows_them(proxied: Callable[[str], FaultProxy]) -> None:
    ddb = client(proxied("delay_ms=200"))
    order_id = uuid.uuid4().hex
    started = time.monotonic()
    ddb.put_item(TableName=TABLE_NAME, Item={"order_id": {"S": order_id}})
    assert time.monotonic() - started >= 0.2
    item = ddb.get_item(TableName=TABLE_NAME, Key={"order_id": {"S": order_id}})["Item"]
    assert item["order_id"]["S"] == order_id


def test_shares_are_sampled_per_call(proxied: Callable[[str], FaultProxy]) -> None:
    proxy = proxied("throttle=0.5,seed=7")
    draws = [proxy.draw()[0] for _ in range(400)]
    assert 150 < draws.count("throttle") < 250
    assert set(draws) == {"throttle", None}


@pytest.mark.parametrize("spec", ["throttle=2", "bogus=0.1", "throttle=0.6,error=0.6", "delay_ms=-1", "throttle"])
def test_bad_specs_are_refused(spec: str) -> None:
    with pytest.raises(ValueError, match="fault"):
        FaultSpec.parse(spec)


def test_spec_parsing() -> None:
    spec = FaultSpec.parse("throttle=0.2, error=0.1,delay_ms=300,delay=0.5")
    assert spec.shares == {"throttle": 0.2, "error": 0.1}
    assert (spec.delay_ms, spec.delay_share, spec.active) == (300, 0.5, True)
    assert not FaultSpec.parse("").active
