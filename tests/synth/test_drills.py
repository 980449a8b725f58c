"""Fire drills (config `drills`): off by default; on, one FIS experiment per drillable matrix row sized from the
matrix, the FIS extension on the function, least-privilege roles, a guard alarm as every stop condition, the
runner's mute permissions; cdk-nag (synth raises on a finding) and cfn-lint clean."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint_file

from observability.drills import DRILLS, GUARD_ALARM, TAG_DRILL
from observability.plan import plan
from settings.config import ConfigError, load_config
from stacks.drills import CONFIG_PREFIX, EXEC_WRAPPER, LAYER_PARAMETER, drill_plans
from tests.support.synth import Synth, context_for


def _function(s: Synth) -> dict[str, Any]:
    return s.one(s.stacks.service, "AWS::Lambda::Function")


def _statements(s: Synth, stack: Any, cfn_type: str, name_part: str) -> list[dict[str, Any]]:
    found = [
        r["Properties"]["PolicyDocument"]["Statement"]
        for k, r in s.resources(stack, cfn_type).items()
        if name_part in k
    ]
    return [st for doc in found for st in doc]


def _actions(statement: dict[str, Any]) -> set[str]:
    a = statement["Action"]
    return {a} if isinstance(a, str) else set(a)


def test_drills_are_off_by_default_and_change_nothing(synth: Synth) -> None:
    assert synth.config.drills is False
    assert synth.stacks.drills is None
    text = json.dumps([synth.template(st) for st in synth.all_stacks])
    for marker in ("AWS::FIS::", EXEC_WRAPPER, "fis/lambda-extension", "AWS_FIS_", CONFIG_PREFIX):
        assert marker not in text


def test_one_experiment_per_drill_with_the_matrix_sized_action(drills_synth: Synth) -> None:
    s = drills_synth
    found = {
        r["Properties"]["Tags"][TAG_DRILL]: r["Properties"]
        for r in s.resources(s.stacks.drills, "AWS::FIS::ExperimentTemplate").values()
    }
    plans = {
        p.row: p for p in drill_plans(plan(s.config.monitoring, s.routes, s.config.reserved_concurrency), s.config)
    }
    assert set(found) == set(plans) == {d.row for d in DRILLS}
    function_arn = f"arn:aws:lambda:{s.config.home_region}:{s.config.account}:function:{s.config.service_name}-api"
    for row, props in found.items():
        (action,) = props["Actions"].values()
        assert action["ActionId"] == plans[row].action["actionId"]
        assert action["Parameters"] == plans[row].action["parameters"]
        assert action["Parameters"]["duration"] == f"PT{plans[row].duration_min}M"
        (target,) = props["Targets"].values()
        assert target == {"ResourceArns": [function_arn], "ResourceType": "aws:lambda:function", "SelectionMode": "ALL"}
        assert props["ExperimentOptions"]["EmptyTargetResolutionMode"] == "fail"
    # Row c's delay outlasts the configured timeout (a timeout is what the row is); row d never runs the handler.
    assert (
        int(found["c"]["Actions"]["Fault"]["Parameters"]["startupDelayMilliseconds"]) > s.config.timeout_seconds * 1000
    )
    assert found["d"]["Actions"]["Fault"]["Parameters"]["preventExecution"] == "true"


def test_every_experiment_stops_on_the_guard_alarm_which_no_drill_expects(drills_synth: Synth) -> None:
    s = drills_synth
    guard = s.config.monitoring.alarm_name(GUARD_ALARM)
    names = {
        a["Properties"].get("AlarmName")
        for t in s.templates["home"].all_templates()
        for a in t.resources("AWS::CloudWatch::Alarm").values()
    }
    assert guard in names  # the stop condition is a real alarm of this app
    arn = f"arn:aws:cloudwatch:{s.config.home_region}:{s.config.account}:alarm:{guard}"
    for props in (r["Properties"] for r in s.resources(s.stacks.drills, "AWS::FIS::ExperimentTemplate").values()):
        assert props["StopConditions"] == [{"Source": "aws:cloudwatch:alarm", "Value": arn}]
    for p in drill_plans(plan(s.config.monitoring, s.routes, s.config.reserved_concurrency), s.config):
        assert GUARD_ALARM not in {e.key for e in p.expected}


def test_the_function_gets_the_extension_and_may_only_read_the_fault_prefix(drills_synth: Synth) -> None:
    s = drills_synth
    fn = _function(s)
    env = fn["Environment"]["Variables"]
    assert env["AWS_LAMBDA_EXEC_WRAPPER"] == EXEC_WRAPPER
    location = json.dumps(env["AWS_FIS_CONFIGURATION_LOCATION"])
    assert "DrillsConfigBucket" in location
    assert f'"/{CONFIG_PREFIX}"' in location
    params = s.template(s.stacks.service)["Parameters"]
    layer_params = {p["Default"] for k, p in params.items() if any(layer == {"Ref": k} for layer in fn["Layers"])}
    assert LAYER_PARAMETER.format(arch="arm64") in layer_params
    s3 = [
        st
        for st in _statements(s, s.stacks.service, "AWS::IAM::Policy", "FunctionRole")
        if any(a.startswith("s3:") for a in _actions(st))
    ]
    assert {frozenset(_actions(st)) for st in s3} == {frozenset({"s3:ListBucket"}), frozenset({"s3:GetObject"})}
    (listing,) = [st for st in s3 if "s3:ListBucket" in _actions(st)]
    assert listing["Condition"] == {"StringLike": {"s3:prefix": [f"{CONFIG_PREFIX}*"]}}
    (reading,) = [st for st in s3 if "s3:GetObject" in _actions(st)]
    assert json.dumps(reading["Resource"]).endswith(f'/{CONFIG_PREFIX}*"]]}}')


def test_the_experiment_role_is_trusted_by_fis_only_and_writes_only_faults(drills_synth: Synth) -> None:
    s = drills_synth
    (role,) = s.resources(s.stacks.drills, "AWS::IAM::Role").values()
    (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "fis.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": s.config.account}}
    statements = _statements(s, s.stacks.drills, "AWS::IAM::Policy", "ExperimentRole")
    by_actions = {frozenset(_actions(st)): st["Resource"] for st in statements}
    assert set(by_actions) == {
        frozenset({"s3:PutObject", "s3:DeleteObject"}),
        frozenset({"lambda:GetFunction"}),
        frozenset({"tag:GetResources"}),
    }
    assert by_actions[frozenset({"lambda:GetFunction"})].endswith(f":function:{s.config.service_name}-api")
    assert json.dumps(by_actions[frozenset({"s3:PutObject", "s3:DeleteObject"})]).endswith(f'/{CONFIG_PREFIX}*"]]}}')


def test_the_runner_may_mute_only_this_services_alarms_with_drill_rules(drills_synth: Synth) -> None:
    s = drills_synth
    statements = _statements(s, s.stacks.drills, "AWS::IAM::ManagedPolicy", "RunnerPolicy")
    actions = set().union(*(_actions(st) for st in statements))
    assert actions == {
        "fis:StartExperiment",
        "fis:GetExperiment",
        "fis:StopExperiment",
        "fis:ListExperimentTemplates",
        "cloudwatch:DescribeAlarmHistory",
        "cloudwatch:PutAlarmMuteRule",
        "cloudwatch:GetAlarmMuteRule",
        "cloudwatch:DeleteAlarmMuteRule",
    }
    (mute,) = [st for st in statements if "cloudwatch:PutAlarmMuteRule" in _actions(st)]
    service = s.config.service_name
    for region in (s.config.home_region, "us-east-1"):
        assert f"arn:aws:cloudwatch:{region}:{s.config.account}:alarm-mute-rule:{service}-drill-*" in mute["Resource"]
        assert f"arn:aws:cloudwatch:{region}:{s.config.account}:alarm:{service}-*" in mute["Resource"]
    assert not any("iam:" in a for a in actions)  # the runner cannot create or pass roles


def test_drill_templates_pass_cfn_lint_and_every_acknowledgment_is_explained(drills_synth: Synth) -> None:
    s = drills_synth
    problems = []
    for stack in (s.stacks.service, s.stacks.drills):
        for match in lint_file(s.outdir / stack.template_file, ManualArgs(regions=[stack.region])):
            if match.rule.id.startswith("E"):
                problems.append(str(match))
    assert problems == []
    rules = [
        rule
        for stack in (s.stacks.service, s.stacks.drills)
        for r in s.template(stack)["Resources"].values()
        for rule in r.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
    ]
    drill_rules = [
        r for r in rules if "FisConfigs" in r["id"] or "drill" in r["reason"].lower() or "FIS" in r["reason"]
    ]
    assert drill_rules  # the drills' wildcards were found by cdk-nag and acknowledged, each with its reason
    assert all(len(r["reason"]) >= 60 for r in rules)


def test_drills_refuse_the_opentelemetry_wrapper_naming_both_options() -> None:
    with pytest.raises(ConfigError) as err:
        load_config({**context_for("default"), "drills": "true", "tracing": "otel"}, environ={})
    message = str(err.value)
    for needed in ("drills", "tracing", "/opt/aws-fis/bootstrap", "/opt/otel-instrument", "xray"):
        assert needed in message
    assert load_config({**context_for("default"), "drills": "true", "tracing": "xray"}, environ={}).drills
