"""scripts/canary_logs.py: the canary's run log group (created by Lambda, no retention) gets the deployment's
retention after `make deploy`, through stand-in AWS clients on a hand-made cloud assembly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scripts.canary_logs import CanaryLogs, apply, canaries, log_group_of
from tests.support.assembly import assembly

ENGINE = "arn:aws:lambda:us-east-1:111111111111:function:cwsyn-orders-api-5f0c2a9e-1b2c-4d5e-8f90-a1b2c3d4e5f6:3"
GROUP = "/aws/lambda/cwsyn-orders-api-5f0c2a9e-1b2c-4d5e-8f90-a1b2c3d4e5f6"


@pytest.fixture
def app(tmp_path: Path) -> Path:
    log_group = {
        "Type": "AWS::Logs::LogGroup",
        "Properties": {"LogGroupName": "/aws/lambda/orders-api-api", "RetentionInDays": 30},
    }
    canary = {"Type": "AWS::Synthetics::Canary", "Properties": {"Name": "orders-api"}}
    return assembly(
        tmp_path,
        {
            "Service": ("eu-west-1", {"Resources": {"Logs": log_group}}),
            "EdgeMonitoring": ("us-east-1", {"Resources": {"Canary": canary}}),
        },
        deps={},
    )


class AlreadyExists(Exception):
    """What botocore raises, by name: ResourceAlreadyExistsException."""

    def __str__(self) -> str:
        return "An error occurred (ResourceAlreadyExistsException) when calling the CreateLogGroup operation"


class Aws:
    """Synthetics and CloudWatch Logs, as far as the script calls them."""

    def __init__(self, engine: str | None, existing: set[str]) -> None:
        self.engine, self.groups, self.calls = engine, {g: None for g in existing}, []

    def __call__(self, service: str, region: str) -> Any:
        self.calls.append((service, region))
        return self

    def get_canary(self, Name: str) -> dict[str, Any]:
        return {"Canary": {"Name": Name, **({"EngineArn": self.engine} if self.engine else {})}}

    def create_log_group(self, logGroupName: str) -> None:
        if logGroupName in self.groups:
            raise AlreadyExists
        self.groups[logGroupName] = None

    def put_retention_policy(self, logGroupName: str, retentionInDays: int) -> None:
        assert logGroupName in self.groups
        self.groups[logGroupName] = retentionInDays


def test_the_canary_and_the_retention_come_from_the_assembly(app: Path) -> None:
    assert canaries(app) == [CanaryLogs("orders-api", "us-east-1", 30)]


@pytest.mark.parametrize("existing", [set(), {GROUP}], ids=["before the first run", "after a run"])
def test_the_run_log_group_gets_the_retention_whether_or_not_the_canary_ran(app: Path, existing: set[str]) -> None:
    aws = Aws(ENGINE, existing)
    assert list(apply(app, aws)) == [f"orders-api: {GROUP} (us-east-1) keeps 30 days"]
    assert aws.groups == {GROUP: 30}
    assert {region for _, region in aws.calls} == {"us-east-1"}  # the canary's region, not the home region


def test_a_canary_without_its_function_yet_is_reported_not_guessed(app: Path) -> None:
    aws = Aws(None, set())
    (line,) = apply(app, aws)
    assert "no function yet" in line
    assert aws.groups == {}


def test_other_errors_are_not_swallowed(app: Path) -> None:
    class Denied(Aws):
        def create_log_group(self, logGroupName: str) -> None:
            raise PermissionError("AccessDenied")

    with pytest.raises(PermissionError):
        list(apply(app, Denied(ENGINE, set())))


def test_log_group_of_a_versioned_function_arn() -> None:
    assert log_group_of(ENGINE) == GROUP
    with pytest.raises(ValueError, match="not a Lambda function ARN"):
        log_group_of("arn:aws:synthetics:us-east-1:111111111111:canary:orders-api")
