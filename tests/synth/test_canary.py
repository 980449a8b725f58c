"""The outside-in canary (stacks/canary.py) in the synthesized app: present by default in us-east-1, calling
the API through CloudFront with the newest Python runtime, its own API key when keys are on, its alarm
wired to the edge topic; absent with `canary: false` (the scale configuration)."""

from __future__ import annotations

import json
import re
from typing import Any

from aws_cdk import aws_synthetics as synthetics

from observability.units.canary import NS
from service.contract import SYNTHETIC_CUSTOMER
from stacks.canary import OUTPUT_ARTIFACTS_BUCKET, OUTPUT_SECRET, RUNTIME_NAME
from tests.support.synth import Synth

CANARY = "AWS::Synthetics::Canary"


def _canary(synth: Synth) -> dict[str, Any]:
    return synth.one(synth.stacks.edge_monitoring, CANARY)


def _alarm(synth: Synth) -> dict[str, Any]:
    alarms = synth.resources(synth.stacks.edge_monitoring, "AWS::CloudWatch::Alarm").values()
    (found,) = [a["Properties"] for a in alarms if a["Properties"]["AlarmName"].endswith("-api-unreachable")]
    return found


def _version(runtime: str) -> tuple[int, int]:
    m = re.fullmatch(r"syn-python-selenium-(\d+)\.(\d+)", runtime)
    assert m, runtime
    return int(m[1]), int(m[2])


def newest_enum_python_runtime() -> str:
    """The newest syn-python-selenium-X.Y among the installed aws-cdk-lib's Runtime constants (it lags AWS's)."""
    versions = [
        tuple(int(p) for p in m.groups())
        for name in dir(synthetics.Runtime)
        if (m := re.fullmatch(r"SYNTHETICS_PYTHON_SELENIUM_(\d+)_(\d+)", name))
    ]
    major, minor = max(versions)
    return f"syn-python-selenium-{major}.{minor}"


def test_the_default_app_has_one_canary_in_us_east_1_every_5_minutes_on_the_newest_python_runtime(
    default_synth: Synth,
) -> None:
    canary = _canary(default_synth)
    assert default_synth.stacks.edge_monitoring.region == "us-east-1"
    # The newest Python runtime AWS publishes, named by string: never behind what aws-cdk-lib knows, and
    # at least the one with retries (5.1).
    assert canary["RuntimeVersion"] == RUNTIME_NAME
    assert _version(RUNTIME_NAME) >= max(_version(newest_enum_python_runtime()), (5, 1))
    assert canary["Schedule"]["RetryConfig"] == {"MaxRetries": 1}
    assert canary["Schedule"]["Expression"] == "rate(5 minutes)"
    assert canary["StartCanaryAfterCreation"] is True
    assert canary["Code"]["Handler"] == "api_canary.handler"
    assert canary["Name"] == default_synth.config.monitoring.canary_name


def test_it_calls_every_route_with_a_synthetic_order_through_the_distributions_domain(default_synth: Synth) -> None:
    env = _canary(default_synth)["RunConfig"]["EnvironmentVariables"]
    assert env["CANARY_ROUTES"] == ",".join(f"{r.name}={r.label}" for r in default_synth.routes)
    assert json.loads(env["CANARY_BODY"])["customer_id"] == SYNTHETIC_CUSTOMER
    # https:// + the distribution's DomainName, read from the Edge stack's outputs (no Function URL).
    (scheme, domain) = env["API_URL"]["Fn::Join"][1]
    assert scheme == "https://"
    assert domain["Fn::GetStackOutput"]["StackName"] == default_synth.stacks.edge.stack_name
    assert "DomainName" in domain["Fn::GetStackOutput"]["OutputName"]
    assert "API_KEY_SECRET_ARN" not in env  # keys are off by default


def test_with_a_custom_domain_it_calls_that_domain(synth_us: Synth) -> None:
    assert _canary(synth_us)["RunConfig"]["EnvironmentVariables"]["API_URL"] == "https://api.example.com"


def test_with_api_keys_it_reads_a_key_of_its_own_from_a_secret(edge_all_synth: Synth) -> None:
    stack = edge_all_synth.stacks.edge_monitoring
    env = _canary(edge_all_synth)["RunConfig"]["EnvironmentVariables"]
    ((secret_id, secret),) = edge_all_synth.resources(stack, "AWS::SecretsManager::Secret").items()
    assert env["API_KEY_SECRET_ARN"] == {"Ref": secret_id}
    generated = secret["Properties"]["GenerateSecretString"]
    assert generated["PasswordLength"] == 64
    assert generated["ExcludePunctuation"] is True
    role = json.dumps(edge_all_synth.resources(stack, "AWS::IAM::Policy"))
    assert "secretsmanager:GetSecretValue" in role
    assert secret_id in role
    assert edge_all_synth.template(stack)["Outputs"][OUTPUT_SECRET]["Value"] == {"Ref": secret_id}


def test_api_unreachable_pages_on_two_failed_runs_and_tickets_when_no_run_happens(default_synth: Synth) -> None:
    alarm = _alarm(default_synth)
    assert (alarm["Namespace"], alarm["MetricName"], alarm["Statistic"]) == (NS, "SuccessPercent", "Minimum")
    assert alarm["Dimensions"] == [{"Name": "CanaryName", "Value": _canary(default_synth)["Name"]}]
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("LessThanThreshold", 100)
    assert (alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"], alarm["Period"]) == (2, 2, 300)
    assert alarm["TreatMissingData"] == "missing"  # a run that did not happen is no failed run
    topics = default_synth.resources(default_synth.stacks.edge_monitoring, "AWS::SNS::Topic")
    (page,) = [t for t in topics if "AlarmTopic" in t]
    (ticket,) = [t for t in topics if "TicketTopic" in t]
    assert alarm["AlarmActions"] == alarm["OKActions"] == [{"Ref": page}]
    assert alarm["InsufficientDataActions"] == [{"Ref": ticket}]  # a stopped canary is a ticket


def test_with_a_custom_domain_its_certificate_expiry_tickets(synth_us: Synth) -> None:
    stack = synth_us.stacks.edge_monitoring
    (alarm,) = [
        r["Properties"]
        for r in synth_us.template(stack)["Resources"].values()
        if r["Type"] == "AWS::CloudWatch::Alarm" and r["Properties"].get("MetricName") == "DaysToExpiry"
    ]
    assert alarm["Namespace"] == "AWS/CertificateManager"
    assert alarm["Dimensions"] == [{"Name": "CertificateArn", "Value": synth_us.config.certificate_arn}]
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("LessThanThreshold", 30)
    assert alarm["AlarmDescription"].startswith("TICKET.")


def test_turned_off_there_is_no_canary_no_alarm_and_no_dashboard_graph(scale_synth: Synth) -> None:
    assert not scale_synth.resources(scale_synth.stacks.edge_monitoring, CANARY)
    assert "api-unreachable" not in json.dumps(scale_synth.template(scale_synth.stacks.edge_monitoring))
    assert NS not in json.dumps(scale_synth.template(scale_synth.stacks.monitoring))


def test_its_artifacts_bucket_blocks_public_access_and_is_named_for_teardown(default_synth: Synth) -> None:
    stack = default_synth.stacks.edge_monitoring
    ((bucket_id, bucket),) = default_synth.resources(stack, "AWS::S3::Bucket").items()
    assert bucket["Properties"]["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    # Kept by `make destroy` (Synthetics' default): the output names it for the teardown (docs/deploy.md).
    assert bucket["DeletionPolicy"] == "Retain"
    assert default_synth.template(stack)["Outputs"][OUTPUT_ARTIFACTS_BUCKET]["Value"] == {"Ref": bucket_id}


def test_make_deploy_gives_its_run_logs_the_deployments_retention(default_synth: Synth, scale_synth: Synth) -> None:
    """scripts/canary_logs.py finds the canary, its region and the retention in the real assembly."""
    from scripts.canary_logs import CanaryLogs, canaries

    config = default_synth.config
    assert canaries(default_synth.outdir) == [
        CanaryLogs(config.monitoring.canary_name, "us-east-1", config.log_retention_days)
    ]
    assert canaries(scale_synth.outdir) == []  # canary off
