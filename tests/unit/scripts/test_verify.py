"""`make verify` (scripts/verify.py): the comparison on recorded describe outputs, and the AWS calls
through botocore's Stubber. No account, no network."""

from __future__ import annotations

import copy
import json
from typing import Any

import botocore.session
import pytest
from botocore.stub import Stubber

from scripts.verify import STACKS, Names, Snapshot, check, collect, dashboard_dimensions

NAMES = Names("OrdersApi", "eu-west-1", "orders-api", "orders-api-operations", "orders-api")
DIST, OLD_DIST = "E2QWRUHEXAMPLE", "E1OLDEXAMPLE00"
FN, TABLE = "orders-api-api", "OrdersApi-Service-OrdersA9B65338-1X2Y3Z"
URL_DOMAIN = "abcdefghijklmnop.lambda-url.eu-west-1.on.aws"
HOME_LOGS, WAF_LOGS, EDGE_LOGS = (
    "/aws/lambda/orders-api-api",
    "aws-waf-logs-ordersapi",
    "/aws/vendedlogs/cloudfront/ordersapi-access",
)

OUTPUTS: dict[str, dict[str, str]] = {
    "Service": {
        "FunctionName": FN,
        "TableName": TABLE,
        "LogGroupName": HOME_LOGS,
        "FunctionUrlDomain": URL_DOMAIN,
        "FunctionArn": f"arn:aws:lambda:eu-west-1:111111111111:function:{FN}",
    },
    "Edge": {
        "DistributionId": DIST,
        "WebAclName": "OrdersApi-web-acl",
        "WafLogGroup": WAF_LOGS,
        "EdgeAccessLogGroup": EDGE_LOGS,
    },
    "EdgeAccess": {},
    "Monitoring": {},
    "EdgeMonitoring": {},
}


def grant(action: str, dist: str) -> dict[str, Any]:
    """A statement as Lambda GetPolicy returns it for EdgeAccess's CfnPermission."""
    return {
        "Sid": f"OrdersApi-EdgeAccess-{action}",
        "Effect": "Allow",
        "Principal": {"Service": "cloudfront.amazonaws.com"},
        "Action": action,
        "Resource": f"arn:aws:lambda:eu-west-1:111111111111:function:{FN}",
        "Condition": {"ArnLike": {"AWS:SourceArn": f"arn:aws:cloudfront::111111111111:distribution/{dist}"}},
    }


def alarm(name: str, region: str, dims: dict[str, str], math: bool = False) -> dict[str, Any]:
    dimensions = [{"Name": k, "Value": v} for k, v in dims.items()]
    if math:
        return {
            "AlarmName": name,
            "Region": region,
            "Metrics": [
                {"Id": "e", "Expression": "100*m/10"},
                {
                    "Id": "m",
                    "MetricStat": {
                        "Metric": {
                            "Namespace": "AWS/Lambda",
                            "MetricName": "ConcurrentExecutions",
                            "Dimensions": dimensions,
                        },
                        "Period": 60,
                        "Stat": "Maximum",
                    },
                },
            ],
        }
    return {"AlarmName": name, "Region": region, "Dimensions": dimensions}


DASHBOARD = {
    "widgets": [
        {
            "properties": {
                "title": "Throttles",
                "metrics": [
                    ["AWS/Lambda", "Throttles", "FunctionName", FN, {"stat": "Sum"}],
                    [".", "Errors", ".", "."],
                ],
            }
        },
        {
            "properties": {
                "title": "CloudFront 4xx / 5xx rate, %",
                "metrics": [["AWS/CloudFront", "5xxErrorRate", "DistributionId", DIST, "Region", "Global"]],
            }
        },
        {"properties": {"title": "DynamoDB", "metrics": [["AWS/DynamoDB", "ThrottledRequests", "TableName", TABLE]]}},
        {"properties": {"markdown": "## Service"}},
    ]
}


def healthy() -> Snapshot:
    return Snapshot(
        outputs=copy.deepcopy(OUTPUTS),  # type: ignore[arg-type]
        function_policy={"Statement": [grant("lambda:InvokeFunctionUrl", DIST), grant("lambda:InvokeFunction", DIST)]},
        function_url_domain=URL_DOMAIN,
        origin_domains=[URL_DOMAIN],
        alarms=[
            alarm("orders-api-lambda-throttles", "eu-west-1", {"FunctionName": FN}),
            alarm("orders-api-lambda-concurrency-utilisation", "eu-west-1", {"FunctionName": FN}, math=True),
            alarm("orders-api-dynamodb-throttles", "eu-west-1", {"TableName": TABLE, "Operation": "GetItem"}),
            alarm("orders-api-cloudfront-5xx-rate", "us-east-1", {"DistributionId": DIST, "Region": "Global"}),
            alarm("orders-api-waf-blocked-spike", "us-east-1", {"WebACL": "OrdersApi-web-acl", "Rule": "ALL"}),
        ],
        dashboard=copy.deepcopy(DASHBOARD),
        query_definitions=[
            {"name": "orders-api/errors-by-route", "Region": "eu-west-1", "logGroupNames": [HOME_LOGS]},
            {"name": "orders-api/blocked-by-rule-and-ip", "Region": "us-east-1", "logGroupNames": [WAF_LOGS]},
            {"name": "orders-api/edge-request-line", "Region": "us-east-1", "logGroupNames": [EDGE_LOGS]},
        ],
        log_groups={("eu-west-1", HOME_LOGS), ("us-east-1", WAF_LOGS), ("us-east-1", EDGE_LOGS)},
    )


def test_a_consistent_deployment_has_no_problem() -> None:
    assert check(healthy(), NAMES) == []


def test_distribution_replaced_names_every_consumer_still_on_the_old_one() -> None:
    snap = healthy()
    assert snap.outputs["Edge"] is not None
    snap.outputs["Edge"]["DistributionId"] = "ENEWDIST00000"
    problems = check(snap, NAMES)
    # EdgeAccess's two grants, the edge alarm, the dashboard widget: each its own line.
    assert len([p for p in problems if p.startswith("EdgeAccess:")]) == 2
    assert any("EdgeAccess: lambda:InvokeFunctionUrl" in p and DIST in p and "ENEWDIST00000" in p for p in problems)
    assert any(p.startswith("EdgeMonitoring: alarm orders-api-cloudfront-5xx-rate") for p in problems)
    assert any(p.startswith("Monitoring: dashboard") and "DistributionId=" + DIST in p for p in problems)
    assert all("redeploy OrdersApi-" in p for p in problems)


def test_function_recreated_without_its_permissions() -> None:
    snap = healthy()
    snap.function_policy = None  # Lambda GetPolicy: ResourceNotFoundException
    problems = check(snap, NAMES)
    assert len(problems) == 2
    assert all("no lambda:Invoke" in p and "CloudFront gets 403" in p for p in problems)


def test_table_replaced_strands_the_dynamodb_alarm_and_widget() -> None:
    snap = healthy()
    assert snap.outputs["Service"] is not None
    snap.outputs["Service"]["TableName"] = "OrdersApi-Service-OrdersNEW-9Z"
    problems = check(snap, NAMES)
    assert {p.split(":")[0] for p in problems} == {"Monitoring"}
    assert any("alarm orders-api-dynamodb-throttles" in p and "TableName=" + TABLE in p for p in problems)
    assert any("widget 'DynamoDB'" in p for p in problems)


def test_function_renamed_is_caught_in_plain_and_math_alarms_and_dot_rows() -> None:
    snap = healthy()
    assert snap.outputs["Service"] is not None
    snap.outputs["Service"]["FunctionName"] = "orders-api-v2-api"
    problems = check(snap, NAMES)
    assert any("orders-api-lambda-concurrency-utilisation" in p for p in problems)  # inside metric math
    assert any("orders-api-lambda-throttles" in p for p in problems)
    assert any("widget 'Throttles'" in p for p in problems)


def test_edge_origin_on_an_old_function_url() -> None:
    snap = healthy()
    snap.origin_domains = ["oldoldoldoldold.lambda-url.eu-west-1.on.aws"]
    (problem,) = check(snap, NAMES)
    assert problem.startswith("Edge: the distribution's origin is oldold")
    assert URL_DOMAIN in problem


def test_function_url_gone_and_output_out_of_date() -> None:
    snap = healthy()
    snap.function_url_domain = None
    assert check(snap, NAMES) == [f"Service: function {FN} has no Function URL"]
    snap.function_url_domain = "newnewnewnewnew.lambda-url.eu-west-1.on.aws"
    problems = check(snap, NAMES)
    assert any("output FunctionUrlDomain" in p for p in problems)
    assert any(p.startswith("Edge: the distribution's origin") for p in problems)


def test_saved_query_on_a_log_group_that_no_longer_exists() -> None:
    snap = healthy()
    snap.log_groups.discard(("eu-west-1", HOME_LOGS))
    (problem,) = check(snap, NAMES)
    assert "errors-by-route" in problem
    assert "does not exist" in problem
    assert "OrdersApi-Monitoring" in problem


def test_saved_query_on_another_log_group() -> None:
    snap = healthy()
    snap.query_definitions[0]["logGroupNames"] = ["/aws/lambda/someone-else"]
    snap.log_groups.add(("eu-west-1", "/aws/lambda/someone-else"))
    (problem,) = check(snap, NAMES)
    assert "not the current " + HOME_LOGS in problem


def test_a_missing_stack_is_reported_not_crashed_on() -> None:
    snap = healthy()
    snap.outputs["Edge"] = None
    problems = check(snap, NAMES)
    assert problems[0] == "stack OrdersApi-Edge (us-east-1) not found: deploy it (make deploy)"


def test_dashboard_rows_expand_the_dot_shorthand() -> None:
    rows = list(dashboard_dimensions(DASHBOARD))
    assert rows[0] == ("Throttles", [("FunctionName", FN)])
    assert rows[1] == ("Throttles", [("FunctionName", FN)])  # [".", "Errors", ".", "."]
    assert ("DynamoDB", [("TableName", TABLE)]) in rows


# --- collect(): the AWS calls, stubbed ------------------------------------------------------------


class StubbedSession:
    """Hands out one stubbed client per (service, region), all sharing a botocore session."""

    def __init__(self) -> None:
        self._session = botocore.session.get_session()
        self.stubs: dict[tuple[str, str], Stubber] = {}
        self.clients: dict[tuple[str, str], Any] = {}

    def stub(self, service: str, region: str) -> Stubber:
        key = (service, region)
        if key not in self.stubs:
            client = self._session.create_client(
                service,
                region_name=region,
                aws_access_key_id="x",
                aws_secret_access_key="x",  # noqa: S106 (a stub's placeholder)
            )
            self.clients[key] = client
            self.stubs[key] = Stubber(client)
            self.stubs[key].activate()
        return self.stubs[key]

    def client(self, service: str, region_name: str) -> Any:
        self.stub(service, region_name)
        return self.clients[(service, region_name)]


def _stack(name: str, outputs: dict[str, str]) -> dict[str, Any]:
    return {
        "Stacks": [
            {
                "StackName": name,
                "CreationTime": "2026-11-21T00:00:00Z",
                "StackStatus": "UPDATE_COMPLETE",
                "Outputs": [{"OutputKey": k, "OutputValue": v} for k, v in outputs.items()],
            }
        ]
    }


def stub_deployment(s: StubbedSession, snap: Snapshot, *, edge_missing: bool = False) -> None:
    for suffix in STACKS:
        cfn = s.stub("cloudformation", NAMES.region(suffix))
        if edge_missing and suffix == "Edge":
            cfn.add_client_error(
                "describe_stacks", "ValidationError", "Stack with id OrdersApi-Edge does not exist", 400
            )
        else:
            cfn.add_response(
                "describe_stacks", _stack(NAMES.stack(suffix), OUTPUTS[suffix]), {"StackName": NAMES.stack(suffix)}
            )
    lam = s.stub("lambda", "eu-west-1")
    lam.add_response("get_policy", {"Policy": json.dumps(snap.function_policy)}, {"FunctionName": FN})
    lam.add_response(
        "get_function_url_config",
        {
            "FunctionUrl": f"https://{URL_DOMAIN}/",
            "FunctionArn": OUTPUTS["Service"]["FunctionArn"],
            "AuthType": "AWS_IAM",
            "CreationTime": "2026-11-21T00:00:00Z",
            "LastModifiedTime": "2026-11-21T00:00:00Z",
        },
        {"FunctionName": FN},
    )
    if not edge_missing:
        s.stub("cloudfront", "us-east-1").add_response(
            "get_distribution_config",
            {
                "DistributionConfig": {
                    "CallerReference": "x",
                    "Comment": "",
                    "Enabled": True,
                    "Origins": {"Quantity": 1, "Items": [{"Id": "o1", "DomainName": URL_DOMAIN}]},
                    "DefaultCacheBehavior": {"TargetOriginId": "o1", "ViewerProtocolPolicy": "https-only"},
                },
                "ETag": "E1",
            },
            {"Id": DIST},
        )
    for region in ("eu-west-1", "us-east-1"):
        metric_alarms = [{k: v for k, v in a.items() if k != "Region"} for a in snap.alarms if a["Region"] == region]
        s.stub("cloudwatch", region).add_response(
            "describe_alarms", {"MetricAlarms": metric_alarms}, {"AlarmNamePrefix": "orders-api-"}
        )
        logs = s.stub("logs", region)
        defs = [{k: v for k, v in q.items() if k != "Region"} for q in snap.query_definitions if q["Region"] == region]
        logs.add_response(
            "describe_query_definitions", {"queryDefinitions": defs}, {"queryDefinitionNamePrefix": "orders-api/"}
        )
        for group in sorted({g for q in defs for g in q["logGroupNames"]}):
            logs.add_response(
                "describe_log_groups",
                {"logGroups": [{"logGroupName": group}] if (region, group) in snap.log_groups else []},
                {"logGroupNamePrefix": group, "limit": 50},
            )
    s.stub("cloudwatch", "eu-west-1").add_response(
        "get_dashboard", {"DashboardBody": json.dumps(snap.dashboard)}, {"DashboardName": "orders-api-operations"}
    )


def test_collect_reads_what_check_needs() -> None:
    s = StubbedSession()
    expected = healthy()
    stub_deployment(s, expected)
    got = collect(NAMES, s)
    for stub in s.stubs.values():
        stub.assert_no_pending_responses()
    assert got.outputs == OUTPUTS
    assert got.function_url_domain == URL_DOMAIN
    assert got.origin_domains == [URL_DOMAIN]
    assert {a["AlarmName"] for a in got.alarms} == {a["AlarmName"] for a in expected.alarms}
    assert got.log_groups == expected.log_groups
    assert check(got, NAMES) == []


def test_collect_then_check_reports_a_missing_stack_and_a_missing_log_group() -> None:
    s = StubbedSession()
    snap = healthy()
    snap.log_groups.discard(("us-east-1", EDGE_LOGS))
    stub_deployment(s, snap, edge_missing=True)
    problems = check(collect(NAMES, s), NAMES)
    assert "stack OrdersApi-Edge (us-east-1) not found: deploy it (make deploy)" in problems
    assert any("edge-request-line" in p and "does not exist" in p for p in problems)


@pytest.mark.parametrize("suffix", STACKS)
def test_every_stack_lives_in_the_region_verify_reads(suffix: str) -> None:
    expected = "us-east-1" if suffix in ("Edge", "EdgeMonitoring") else "eu-west-1"
    assert NAMES.region(suffix) == expected


def test_verify_reads_the_context_make_passes_and_ignores_other_cdk_flags() -> None:
    from scripts.verify import context_args

    assert context_args(["-c", "home_region=us-east-1", "--force", "-c", "prefix=Stg"]) == [
        "-c",
        "home_region=us-east-1",
        "-c",
        "prefix=Stg",
    ]
