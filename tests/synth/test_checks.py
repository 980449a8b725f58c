"""cdk-nag (AwsSolutions) and cfn-lint accept every synthesized template."""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_s3 as s3
from cdk_nag import AwsSolutionsChecks

from settings.tracing_layer import APPLICATION_SIGNALS_POLICY
from tests.support.synth import Synth, cfn_lint, synthesize


@pytest.fixture(scope="session", params=["us-east-1", "eu-west-1", "edge-all", "scale"])
def synth(request: pytest.FixtureRequest) -> Synth:
    """Here: both infrastructure configurations, every edge option on with tracing otel (edge-all), and
    tracing off (scale): cdk-nag, cfn-lint, warnings."""
    return synthesize(request.param)


# Every acknowledged finding, by stack and construct path: a new one must be added here on purpose.
EXPECTED_ACKNOWLEDGED = {
    ("Service", "FunctionRole"): {"AwsSolutions-IAM5[Resource::*]"},
    ("Service", "Api"): {"AwsSolutions-L1"},
    ("Service", "Idempotency"): {"AwsSolutions-DDB3"},  # 24-hour replay records: PITR protects nothing
    ("Edge", "Distribution"): {"AwsSolutions-CFR1", "AwsSolutions-CFR3"},
    # Alarm topics carry alarm state only; a KMS key (pass topic_key) would cost 1 USD/month per region.
    ("Monitoring", "Monitoring"): {"AwsSolutions-SNS2"},
    ("EdgeMonitoring", "EdgeMonitoring"): {"AwsSolutions-SNS2"},
}


def _acknowledged(synth: Synth) -> dict[tuple[str, str], dict[str, str]]:
    found: dict[tuple[str, str], dict[str, str]] = {}
    for stack in synth.all_stacks:
        suffix = stack.stack_name.removeprefix(f"{synth.config.prefix}-")
        paths = {
            # logical_id, not get_logical_id(): the final id, overrides included (a Lambda version's
            # id carries a hash of the function's configuration).
            stack.resolve(c.logical_id): c.node.path
            for c in stack.node.find_all()
            if isinstance(c, cdk.CfnElement)
        }
        for logical_id, resource in synth.template(stack)["Resources"].items():
            rules = resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
            if rules:
                construct = paths[logical_id].split("/")[1]
                found.setdefault((suffix, construct), {}).update({r["id"]: r["reason"] for r in rules})
    return found


def _canary_acknowledgments(synth: Synth) -> set[str]:
    """The Synthetics L2's canary role (Synthetics' documented permissions), its artifact bucket, and with
    API keys the canary's key secret (no automatic rotation: the edge must learn each new key)."""
    stack, canary = synth.stacks.edge_monitoring, synth.stacks.edge_monitoring.canary
    assert canary is not None
    bucket = stack.resolve(stack.get_logical_id(canary.canary.artifacts_bucket.node.default_child))
    logs = f"arn:aws:logs:{stack.region}:{synth.config.account}:log-group:/aws/lambda/cwsyn-*"
    out = {
        "AwsSolutions-IAM5[Resource::*]",
        f"AwsSolutions-IAM5[Resource::<{bucket}.Arn>/*]",
        f"AwsSolutions-IAM5[Resource::{logs}]",
        "AwsSolutions-S1",
    }
    return out | ({"AwsSolutions-SMG4"} if synth.config.api_keys else set())


def test_cdk_nag_ran_on_every_stack(synth: Synth) -> None:
    """Synth raises on any unacknowledged finding, so passing synth means zero findings, provided the
    AwsSolutions plugin really inspected the app: its acknowledgments are stamped into the templates."""
    stamped = {stack.stack_name for stack in synth.all_stacks if "cdk_nag" in json.dumps(synth.template(stack))}
    assert {synth.stacks.service.stack_name, synth.stacks.edge.stack_name} <= stamped


def test_every_acknowledgment_is_expected_and_explained(synth: Synth) -> None:
    expected = {k: set(v) for k, v in EXPECTED_ACKNOWLEDGED.items()}
    if synth.config.application_signals:  # its AWS managed policy, on purpose
        expected[("Service", "FunctionRole")].add(
            f"AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/{APPLICATION_SIGNALS_POLICY}]"
        )
    if synth.config.domain_name is None:
        # The default *.cloudfront.net certificate cannot enforce TLSv1.2; with a custom domain it must.
        expected[("Edge", "Distribution")].add("AwsSolutions-CFR4")
    if synth.config.canary:
        expected[("EdgeMonitoring", "EdgeMonitoring")] |= _canary_acknowledgments(synth)
    found = _acknowledged(synth)
    assert {k: set(v) for k, v in found.items()} == expected
    reasons = {(rule, reason) for rules in found.values() for rule, reason in rules.items()}
    assert all(len(reason) >= 60 for _, reason in reasons), reasons
    # No copy-pasted blanket reason: the same text only ever explains the same rule.
    assert len({reason for _, reason in reasons}) == len(reasons)


def test_cdk_nag_plugin_fails_synth_on_a_finding(tmp_path: Path) -> None:
    """Guards the guard: the same plugin set-up rejects an unacknowledged finding."""
    app = cdk.App(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Bad", env=cdk.Environment(account="111111111111", region="eu-west-1"))
    s3.CfnBucket(stack, "NoLoggingNoTls")
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    with pytest.raises(RuntimeError, match=r"ValidationFailed[\s\S]*AwsSolutions-S1"):
        app.synth()


def test_cfn_lint_has_no_errors(synth: Synth) -> None:
    """Every template of the app, nested stacks (the per-route alarm buckets) included."""
    problems: list[str] = []
    linted = 0
    for stack in synth.all_stacks:
        for path in [synth.outdir / stack.template_file, *_nested_templates(synth.outdir, stack)]:
            linted += 1
            for match in cfn_lint(path, stack.region):
                if match.rule.id.startswith("E"):
                    problems.append(f"{path.name}: {match}")
    assert problems == []
    assert linted > len(synth.all_stacks)  # the nested route-alarm templates were found and linted


def _nested_templates(outdir: Path, stack: cdk.Stack) -> list[Path]:
    prefix = stack.artifact_id.replace("-", "")
    return sorted(p for p in outdir.glob("*.nested.template.json") if p.name.startswith(prefix))


def test_synth_has_no_warnings_or_errors(synth: Synth) -> None:
    """CDK annotations are where silent misconfigurations show up (e.g. overridden metric periods)."""
    files = sorted(synth.outdir.glob("*.metadata.json"))  # CDK writes construct metadata per stack here
    assert len(files) >= len(synth.all_stacks)
    found = [
        f"{path.name} {construct}: {entry['data']}"
        for path in files
        for construct, entries in json.loads(path.read_text()).items()
        for entry in entries
        if entry["type"] in ("aws:cdk:warning", "aws:cdk:error")
    ]
    assert found == []
