"""Home-region service stack: table, function, log group, Function URL, IAM."""

from __future__ import annotations

import ast
import importlib.metadata
import re
from pathlib import Path

from service.contract import METRICS_NAMESPACE
from service.dal.tables import IDEMPOTENCY_TABLE_TTL_ATTRIBUTE
from stacks.service_stack import (
    IDEMPOTENCY_TABLE_ACTIONS,
    TABLE_ACTIONS,
    stage_service_asset,
    tracing_environment,
)
from tests.support.bytecode import RUNTIME_CACHE_TAG
from tests.support.paths import ROOT
from tests.support.synth import Synth


def test_function_runtime_architecture_handler_and_tracing(synth: Synth) -> None:
    fn = synth.one(synth.stacks.service, "AWS::Lambda::Function")
    assert fn["Runtime"] == "python3.13"
    assert fn["Architectures"] == ["arm64"]
    assert fn["Handler"] == "service.handler.handler"
    assert fn["TracingConfig"] == {"Mode": "Active"}
    assert fn["MemorySize"] == synth.config.memory_mb
    env = fn["Environment"]["Variables"]
    table_id, idempotency_id = table_ids(synth)
    assert env == {
        "TABLE_NAME": {"Ref": table_id},
        "IDEMPOTENCY_TABLE_NAME": {"Ref": idempotency_id},
        "POWERTOOLS_SERVICE_NAME": synth.config.service_name,
        "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
        "POWERTOOLS_LOG_LEVEL": "INFO",
        **tracing_environment(synth.config),  # the tracing mode's own (tests/synth/test_tracing_modes.py)
    }


def table_ids(synth: Synth) -> tuple[str, str]:
    """The orders table's and the idempotency table's logical ids."""
    tables = synth.resources(synth.stacks.service, "AWS::DynamoDB::Table")
    (orders,) = (i for i, t in tables.items() if t["Properties"]["KeySchema"][0]["AttributeName"] == "order_id")
    (idempotency,) = set(tables) - {orders}
    return orders, idempotency


def test_powertools_layer_pinned_to_the_tested_version(synth: Synth) -> None:
    template = synth.template(synth.stacks.service)
    fn = synth.one(synth.stacks.service, "AWS::Lambda::Function")
    # Powertools' (an SSM parameter); otel adds the distro layer's pinned ARN (test_tracing_modes.py).
    (layer,) = (x for x in fn["Layers"] if isinstance(x, dict))
    assert len(fn["Layers"]) == 1 + (synth.config.tracing == "otel")
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
    # Every URL, the serving one and the other setting's (kept only while the edge moves off it).
    urls = synth.resources(synth.stacks.service, "AWS::Lambda::Url").values()
    assert len(urls) == 2
    for url in urls:
        assert url["Properties"]["AuthType"] == "AWS_IAM"
        assert "Cors" not in url["Properties"]  # browsers reach the API through CloudFront only


def test_table_keys_billing_recovery_encryption(synth: Synth) -> None:
    table = synth.resources(synth.stacks.service, "AWS::DynamoDB::Table")[table_ids(synth)[0]]
    props = table["Properties"]
    assert props["KeySchema"] == [{"AttributeName": "order_id", "KeyType": "HASH"}]
    assert props["AttributeDefinitions"] == [{"AttributeName": "order_id", "AttributeType": "S"}]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["SSESpecification"]["SSEEnabled"] is True
    assert table["DeletionPolicy"] == ("Retain" if synth.config.retain_table else "Delete")


def test_idempotency_table_has_its_own_key_and_ttl(synth: Synth) -> None:
    table = synth.resources(synth.stacks.service, "AWS::DynamoDB::Table")[table_ids(synth)[1]]
    props = table["Properties"]
    assert props["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert props["TimeToLiveSpecification"] == {"AttributeName": IDEMPOTENCY_TABLE_TTL_ATTRIBUTE, "Enabled": True}
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["SSESpecification"]["SSEEnabled"] is True
    assert table["DeletionPolicy"] == "Delete"  # 24-hour records: nothing worth retaining


def test_iam_is_least_privilege(synth: Synth) -> None:
    service = synth.stacks.service
    (role,) = synth.resources(service, "AWS::IAM::Role").values()
    assert "ManagedPolicyArns" not in role["Properties"]
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "lambda.amazonaws.com"
    }
    (policy,) = synth.resources(service, "AWS::IAM::Policy").values()
    table_id, idempotency_id = table_ids(synth)
    log_id = next(iter(synth.resources(service, "AWS::Logs::LogGroup")))
    grants = {
        (tuple(sorted(s["Action"])), str(s["Resource"])) for s in policy["Properties"]["PolicyDocument"]["Statement"]
    }
    assert all(s["Effect"] == "Allow" for s in policy["Properties"]["PolicyDocument"]["Statement"])
    assert grants == {
        (tuple(sorted(TABLE_ACTIONS)), str({"Fn::GetAtt": [table_id, "Arn"]})),
        (tuple(sorted(IDEMPOTENCY_TABLE_ACTIONS)), str({"Fn::GetAtt": [idempotency_id, "Arn"]})),
        (("logs:CreateLogStream", "logs:PutLogEvents"), str({"Fn::GetAtt": [log_id, "Arn"]})),
        (("xray:PutTelemetryRecords", "xray:PutTraceSegments"), "*"),
    }
    assert set(TABLE_ACTIONS) == {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Scan"}
    assert set(IDEMPOTENCY_TABLE_ACTIONS) == {
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
    }


# What only the local server, the emulator or a command-line tool imports: never the function's code.
NOT_FUNCTION_CODE = ("local", "moto", "http.server", "socketserver", "argparse", "runpy", "werkzeug")


def _imports(source: str) -> tuple[set[str], set[str]]:
    """Modules a file imports, and the names it imports from them (each a submodule or an attribute)."""
    modules: set[str] = set()
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return modules, names


def bytecode_path(source: str) -> str:
    """Where the runtime's Python looks for a module's bytecode (asset-relative, POSIX)."""
    folder, _, name = source.rpartition("/")
    return f"{folder}/__pycache__/{name.removesuffix('.py')}.{RUNTIME_CACHE_TAG}.pyc"


def assert_only_function_code(asset_dir: Path) -> None:
    """The asset is the service package and nothing else: Python modules of the function, complete."""
    every = {p.relative_to(asset_dir).as_posix() for p in asset_dir.rglob("*") if p.is_file()}
    # Besides the sources: their bytecode for the runtime's Python (tests/synth/test_asset_bytecode.py).
    files = {f for f in every if "__pycache__" not in f}
    assert files, "empty asset"
    assert {f.split("/", 1)[0] for f in files} == {"service"}
    assert all(f.endswith(".py") for f in files), sorted(files)
    assert every - files == {bytecode_path(f) for f in files}, sorted(every ^ {*files, *map(bytecode_path, files)})
    assert "service/local.py" not in files  # the local server's entry point
    in_asset = {f.removesuffix(".py").removesuffix("/__init__").replace("/", ".") for f in files}
    for f in sorted(files):
        modules, names = _imports((asset_dir / f).read_text())
        banned = {m for m in modules | names for b in NOT_FUNCTION_CODE if m == b or m.startswith(f"{b}.")}
        assert not banned, f"{f} imports {banned}: not the function's code"
        # Complete: every service module a file imports is in the asset.
        missing = {m for m in modules if m.split(".")[0] == "service" and m not in in_asset}
        assert not missing, f"{f} imports {missing}: not in the asset"
    # The handler string resolves inside the asset.
    tree = ast.parse((asset_dir / "service" / "handler.py").read_text())
    assert "handler" in {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}


def test_staged_asset_holds_only_the_function_code(tmp_path: Path) -> None:
    assert_only_function_code(stage_service_asset(tmp_path))
    assert (ROOT / "service" / "local.py").is_file()  # ...though `python -m service.local` lives in service/


def test_synthesized_asset_holds_only_the_function_code(synth_eu: Synth) -> None:
    fn = synth_eu.one(synth_eu.stacks.service, "AWS::Lambda::Function")
    asset_dir = synth_eu.outdir / f"asset.{fn['Code']['S3Key'].removesuffix('.zip')}"
    assert asset_dir.is_dir()
    assert_only_function_code(asset_dir)


def test_stable_physical_names_where_replacement_must_not_be_silent(synth: Synth) -> None:
    # Function and log group: fixed names, so CloudFormation cannot replace them behind the consumers'
    # backs (a replacement would collide and fail). The table keeps a generated name (see service_stack).
    name = f"{synth.config.service_name}-api"
    fn = synth.one(synth.stacks.service, "AWS::Lambda::Function")
    assert fn["FunctionName"] == name
    (group,) = synth.resources(synth.stacks.service, "AWS::Logs::LogGroup").values()
    assert group["Properties"]["LogGroupName"] == f"/aws/lambda/{name}"
    tables = synth.resources(synth.stacks.service, "AWS::DynamoDB::Table").values()
    assert len(tables) == 2  # orders + idempotency records
    assert all("TableName" not in t["Properties"] for t in tables)
    outputs = synth.template(synth.stacks.service)["Outputs"]
    assert {"FunctionName", "TableName", "LogGroupName", "FunctionArn", "FunctionUrlDomain"} <= set(outputs)
