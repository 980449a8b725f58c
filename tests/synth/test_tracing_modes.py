"""The ``tracing`` option in the synthesized function: otel (the default: AWS's distro layer with fast start;
with Application Signals in the edge-all configuration), xray (the us-east-1 configuration) and off (the
scale configuration). The three share
the session's synths (tests/synth.py); their cdk-nag run is the synth itself."""

from __future__ import annotations

from typing import Any

from observability.queries import INDEXED_FIELDS
from service.tracing import ENV_TRACING_MODE
from settings.config import DEFAULTS, load_config
from settings.tracing_layer import APPLICATION_SIGNALS_POLICY, EXEC_WRAPPER, OTEL_PYTHON_LAYER_ARNS
from tests.support.synth import CDK_CONTEXT, Synth

OTEL_VARIABLES = {"AWS_LAMBDA_EXEC_WRAPPER", "OTEL_SERVICE_NAME", "OTEL_AWS_APPLICATION_SIGNALS_ENABLED"}


def function(s: Synth) -> dict[str, Any]:
    return s.one(s.stacks.service, "AWS::Lambda::Function")


def layer_arns(s: Synth) -> list[Any]:
    return function(s)["Layers"]


def role(s: Synth) -> dict[str, Any]:
    (found,) = s.resources(s.stacks.service, "AWS::IAM::Role").values()
    return found["Properties"]


def xray_grants(s: Synth) -> bool:
    (policy,) = s.resources(s.stacks.service, "AWS::IAM::Policy").values()
    return any(
        "xray:PutTraceSegments" in statement["Action"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    )


def test_otel_with_fast_start_is_the_default(default_synth: Synth) -> None:
    """A team adopting the kit today gets the supported SDK: the X-Ray SDKs' support ends 2027-02-25."""
    assert DEFAULTS["tracing"] == "otel"
    assert load_config({k: v for k, v in CDK_CONTEXT.items() if k != "tracing"}, environ={}).tracing == "otel"
    s = default_synth
    assert s.config.tracing == "otel"
    fn = function(s)
    assert fn["TracingConfig"] == {"Mode": "Active"}
    assert OTEL_PYTHON_LAYER_ARNS[s.config.home_region] in layer_arns(s)
    env = fn["Environment"]["Variables"]
    assert env[ENV_TRACING_MODE] == "otel"
    assert env["OTEL_AWS_LAMBDA_FAST_START"] == "true"
    assert env["OTEL_AWS_APPLICATION_SIGNALS_ENABLED"] == "false"
    assert "ManagedPolicyArns" not in role(s)  # Application Signals' policy only when asked for


def test_xray_adds_nothing_but_the_x_ray_grants(synth_us: Synth) -> None:
    assert synth_us.config.tracing == "xray"
    fn = function(synth_us)
    assert fn["TracingConfig"] == {"Mode": "Active"}
    assert len(layer_arns(synth_us)) == 1  # Powertools only (it bundles the X-Ray SDK)
    env = fn["Environment"]["Variables"]
    assert ENV_TRACING_MODE not in env  # unset = xray (service/tracing.py), the template as before the option
    assert not OTEL_VARIABLES & set(env)
    assert xray_grants(synth_us)
    assert "ManagedPolicyArns" not in role(synth_us)


def test_otel_adds_the_pinned_layer_wrapper_and_application_signals_policy(edge_all_synth: Synth) -> None:
    s = edge_all_synth
    assert (s.config.tracing, s.config.application_signals) == ("otel", True)
    fn = function(s)
    assert fn["TracingConfig"] == {"Mode": "Active"}  # the layer's spans go to Lambda's X-Ray daemon
    layers = layer_arns(s)
    assert len(layers) == 2
    assert OTEL_PYTHON_LAYER_ARNS[s.config.home_region] in layers
    assert ":layer:AWSOpenTelemetryDistroPython:" in OTEL_PYTHON_LAYER_ARNS[s.config.home_region]
    env = fn["Environment"]["Variables"]
    assert env[ENV_TRACING_MODE] == "otel"
    assert env["AWS_LAMBDA_EXEC_WRAPPER"] == EXEC_WRAPPER
    assert env["OTEL_SERVICE_NAME"] == s.config.service_name
    assert env["OTEL_AWS_APPLICATION_SIGNALS_ENABLED"] == "true"
    assert "OTEL_AWS_LAMBDA_FAST_START" not in env  # the fast path cannot emit Application Signals
    assert xray_grants(s)
    (managed,) = role(s)["ManagedPolicyArns"]
    assert APPLICATION_SIGNALS_POLICY in str(managed)


def test_otel_without_application_signals_takes_the_fast_start(edge_all_synth: Synth) -> None:
    """The environment for the default otel choice (no synth needed: the same function builds it)."""
    from dataclasses import replace

    from stacks.service_stack import tracing_environment

    env = tracing_environment(replace(edge_all_synth.config, application_signals=False))
    assert env["OTEL_AWS_APPLICATION_SIGNALS_ENABLED"] == "false"  # the layer's own default is true
    assert env["OTEL_AWS_LAMBDA_FAST_START"] == "true"
    assert env["OTEL_PYTHON_DISABLED_INSTRUMENTATIONS"] == "requests,urllib3"  # botocore stays


def test_off_turns_active_tracing_and_its_grants_off(scale_synth: Synth) -> None:
    assert scale_synth.config.tracing == "off"
    fn = function(scale_synth)
    assert "TracingConfig" not in fn  # Lambda's default, PassThrough: no active tracing
    assert len(layer_arns(scale_synth)) == 1
    assert fn["Environment"]["Variables"][ENV_TRACING_MODE] == "off"
    assert not xray_grants(scale_synth)


def test_function_log_group_indexes_the_fields_queries_look_requests_up_by(synth: Synth) -> None:
    (group,) = synth.resources(synth.stacks.service, "AWS::Logs::LogGroup").values()
    assert group["Properties"]["FieldIndexPolicies"] == [{"Fields": list(INDEXED_FIELDS)}]
    assert "LogGroupClass" not in group["Properties"]  # Standard class: the only one that indexes fields


def test_application_signals_enables_discovery_once_and_can_leave_it_to_the_account(
    edge_all_synth: Synth, default_synth: Synth
) -> None:
    """Application Signals reads spans only in an account and region where it is enabled (discovery)."""
    assert edge_all_synth.config.application_signals
    assert edge_all_synth.config.application_signals_discovery
    (discovery,) = edge_all_synth.resources(
        edge_all_synth.stacks.service, "AWS::ApplicationSignals::Discovery"
    ).values()
    assert discovery.get("Properties", {}) == {}
    assert not default_synth.resources(default_synth.stacks.service, "AWS::ApplicationSignals::Discovery")
    # Already enabled in the account: the option turns the resource off (a second one fails to create).
    context = {**CDK_CONTEXT, "tracing": "otel", "application_signals": True, "application_signals_discovery": False}
    assert load_config(context, environ={}).application_signals_discovery is False
