"""Home-region service stack: table, function, log group, Function URL, IAM."""

from __future__ import annotations

import ast
import importlib.metadata
import re
from pathlib import Path

from service.contract import METRICS_NAMESPACE
from stacks.service_stack import TABLE_ACTIONS
from tests.infra.conftest import ROOT, Synth


def test_function_runtime_architecture_handler_and_tracing(synth: Synth) -> None:
    fn = synth.one(synth.stacks.service, "AWS::Lambda::Function")
    assert fn["Runtime"] == "python3.13"
    assert fn["Architectures"] == ["arm64"]
    assert fn["Handler"] == "service.handler.handler"
    assert fn["TracingConfig"] == {"Mode": "Active"}
    assert fn["MemorySize"] == synth.config.memory_mb
    env = fn["Environment"]["Variables"]
    table_id = next(iter(synth.resources(synth.stacks.service, "AWS::DynamoDB::Table")))
    assert env == {
        "TABLE_NAME": {"Ref": table_id},
        "POWERTOOLS_SERVICE_NAME": synth.config.service_name,
        "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
        "POWERTOOLS_LOG_LEVEL": "INFO",
    }


def test_powertools_layer_pinned_to_the_tested_version(synth: Synth) -> None:
    template = synth.template(synth.stacks.service)
    fn = synth.one(synth.stacks.service, "AWS::Lambda::Function")
    (layer,) = fn["Layers"]
    parameter = template["Parameters"][layer["Ref"]]
    assert parameter["Type"] == "AWS::SSM::Parameter::Value<String>"
    version = importlib.metadata.version("aws-lambda-powertools")
    assert parameter["Default"] == f"/aws/service/powertools/python/arm64/python3.13/{version}"
    # ...and the version the tests run with is the one requirements.txt pins (not whatever is installed).
    pinned = re.search(r"^aws-lambda-powertools\[[^\]]*\]==(\S+)$", (ROOT / "requirements.txt").read_text(), re.M)
    assert pinned is not None
    assert pinned.group(1) == version


def test_reserved_concurrency_follows_config(synth_us: Synth, synth_eu: Synth) -> None:
    assert synth_us.one(synth_us.stacks.service, "AWS::Lambda::Function")["ReservedConcurrentExecutions"] == 25
    # 0 in context: the property is absent (accounts with a concurrency limit of 10 cannot reserve).
    assert "ReservedConcurrentExecutions" not in synth_eu.one(synth_eu.stacks.service, "AWS::Lambda::Function")


def test_explicit_log_group_with_retention(synth: Synth) -> None:
    fn = synth.one(synth.stacks.service, "AWS::Lambda::Function")
    ((log_id, log_group),) = synth.resources(synth.stacks.service, "AWS::Logs::LogGroup").items()
    assert fn["LoggingConfig"]["LogGroup"] == {"Ref": log_id}
    assert log_group["Properties"]["RetentionInDays"] == synth.config.log_retention_days
    assert log_group["DeletionPolicy"] == "Delete"


def test_lambda_timeout_below_origin_read_timeout(synth: Synth) -> None:
    fn = synth.one(synth.stacks.service, "AWS::Lambda::Function")
    dist = synth.one(synth.stacks.edge, "AWS::CloudFront::Distribution")["DistributionConfig"]
    (origin,) = dist["Origins"]
    read_timeout = origin["CustomOriginConfig"]["OriginReadTimeout"]
    assert fn["Timeout"] == synth.config.timeout_seconds
    assert fn["Timeout"] < read_timeout == synth.config.origin_read_timeout_seconds


def test_function_url_requires_iam(synth: Synth) -> None:
    url = synth.one(synth.stacks.service, "AWS::Lambda::Url")
    assert url["AuthType"] == "AWS_IAM"
    assert "Cors" not in url  # browsers reach the API through CloudFront only


def test_table_keys_billing_recovery_encryption(synth: Synth) -> None:
    ((_, table),) = synth.resources(synth.stacks.service, "AWS::DynamoDB::Table").items()
    props = table["Properties"]
    assert props["KeySchema"] == [{"AttributeName": "order_id", "KeyType": "HASH"}]
    assert props["AttributeDefinitions"] == [{"AttributeName": "order_id", "AttributeType": "S"}]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["SSESpecification"]["SSEEnabled"] is True
    assert table["DeletionPolicy"] == ("Retain" if synth.config.retain_table else "Delete")


def test_iam_is_least_privilege(synth: Synth) -> None:
    service = synth.stacks.service
    (role,) = synth.resources(service, "AWS::IAM::Role").values()
    assert "ManagedPolicyArns" not in role["Properties"]
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "lambda.amazonaws.com"
    }
    (policy,) = synth.resources(service, "AWS::IAM::Policy").values()
    table_id = next(iter(synth.resources(service, "AWS::DynamoDB::Table")))
    log_id = next(iter(synth.resources(service, "AWS::Logs::LogGroup")))
    grants = {
        (tuple(sorted(s["Action"])), str(s["Resource"])) for s in policy["Properties"]["PolicyDocument"]["Statement"]
    }
    assert all(s["Effect"] == "Allow" for s in policy["Properties"]["PolicyDocument"]["Statement"])
    assert grants == {
        (tuple(sorted(TABLE_ACTIONS)), str({"Fn::GetAtt": [table_id, "Arn"]})),
        (("logs:CreateLogStream", "logs:PutLogEvents"), str({"Fn::GetAtt": [log_id, "Arn"]})),
        (("xray:PutTelemetryRecords", "xray:PutTraceSegments"), "*"),
    }
    assert set(TABLE_ACTIONS) == {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Scan"}


def _service_files(root: Path) -> set[str]:
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc" and not p.name.startswith(".")
    }


def test_asset_contains_only_service_code(synth_eu: Synth) -> None:
    service = synth_eu.stacks.service
    fn = synth_eu.one(service, "AWS::Lambda::Function")
    asset_hash = fn["Code"]["S3Key"].removesuffix(".zip")
    asset_dir = synth_eu.outdir / f"asset.{asset_hash}"
    assert asset_dir.is_dir()
    files = {p.relative_to(asset_dir).as_posix() for p in asset_dir.rglob("*") if p.is_file()}
    assert files, "empty asset"
    assert {f.split("/", 1)[0] for f in files} == {"service"}
    assert files == {f"service/{f}" for f in _service_files(ROOT / "service")}
    assert not any("__pycache__" in f or f.endswith(".pyc") for f in files)
    # The handler string resolves inside the asset.
    tree = ast.parse((asset_dir / "service" / "handler.py").read_text())
    names = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)} | {
        t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)
    }
    assert "handler" in names
