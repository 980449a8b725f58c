"""A producer change reaches every consumer: Fn::GetStackOutput is resolved only when the consuming stack is
updated, and CloudFormation never updates a stack whose template (and parameters) did not change, `--force`
or not. So whenever an output a consumer reads changes what it points at, the consumer's own template must
change too. The options are toggled against ``default``: ``snap-start`` (SnapStart alone: the Function URL
moves to the alias, a new URL) and ``eu-west-1`` (SnapStart with another service name and other settings).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from scripts.deploy_plan import references
from stacks.edge.distribution import origin_id
from stacks.service_stack import OUTPUT_FUNCTION_ARN, OUTPUT_URL_DOMAIN, OUTPUT_URL_TARGET
from tests.support.synth import Synth


def _templates(synth: Synth) -> dict[str, dict[str, Any]]:
    return {s.stack_name: synth.template(s) for s in synth.all_stacks}


@pytest.fixture(scope="module", params=["snap-start", "eu-west-1"])
def toggled(request: pytest.FixtureRequest, snap_start_synth: Synth, synth_eu: Synth) -> Synth:
    return {"snap-start": snap_start_synth, "eu-west-1": synth_eu}[request.param]


def test_every_consumer_of_a_changed_output_has_a_changed_template(default_synth: Synth, toggled: Synth) -> None:
    before, after = _templates(default_synth), _templates(toggled)
    changed_outputs = set()
    for ref in references(toggled.outdir):
        if before[ref.producer]["Outputs"][ref.output] != after[ref.producer]["Outputs"][ref.output]:
            changed_outputs.add((ref.producer, ref.output))
            assert json.dumps(before[ref.consumer], sort_keys=True) != json.dumps(
                after[ref.consumer], sort_keys=True
            ), (
                f"{ref.consumer} reads {ref.producer}.{ref.output}, which changed, but its template did not: "
                "CloudFormation would never update it, and it would keep the old value"
            )
    service = toggled.stacks.service.stack_name
    # What SnapStart moves, in both toggles: the URL target, so the ARN and the URL's domain.
    assert {(service, OUTPUT_FUNCTION_ARN), (service, OUTPUT_URL_DOMAIN)} <= changed_outputs


def test_snap_start_alone_changes_the_edge_and_its_grants_where_they_name_the_target(
    default_synth: Synth, snap_start_synth: Synth
) -> None:
    """The issue's case: before, the Edge and EdgeAccess templates were byte-identical across this toggle."""
    for synth, target in ((default_synth, "orders-api-api"), (snap_start_synth, "orders-api-api:live")):
        service = synth.template(synth.stacks.service)
        assert service["Outputs"][OUTPUT_URL_TARGET]["Value"] == target
        assert target in service["Outputs"][OUTPUT_FUNCTION_ARN]["Description"]
        assert target in service["Outputs"][OUTPUT_URL_DOMAIN]["Description"]
        dist = synth.one(synth.stacks.edge, "AWS::CloudFront::Distribution")["DistributionConfig"]
        (origin,) = dist["Origins"]
        assert origin["Id"] == origin_id(target)
        assert dist["DefaultCacheBehavior"]["TargetOriginId"] == origin_id(target)
        grants = synth.resources(synth.stacks.edge_access, "AWS::Lambda::Permission")
        unconditional = {k for k, v in grants.items() if "Condition" not in v}
        suffix = "OrdersApiApiLive" if synth.config.snap_start else "OrdersApiApi"
        assert unconditional == {f"CloudFrontInvokeFunctionUrl{suffix}", f"CloudFrontInvokeFunction{suffix}"}


def test_the_service_can_keep_the_url_it_retires(default_synth: Synth, snap_start_synth: Synth) -> None:
    """Each setting's template holds the other setting's URL under a condition, with the logical id it has
    when it serves, so that a deploy that moves the URL leaves the old one untouched until the edge moved."""
    urls = {}
    for synth in (default_synth, snap_start_synth):
        template = synth.template(synth.stacks.service)
        other = "orders-api-api" if synth.config.snap_start else "orders-api-api:live"
        assert template["Parameters"]["RetiringUrlTarget"]["AllowedValues"] == ["none", other]
        assert template["Parameters"]["RetiringUrlTarget"]["Default"] == "none"
        (condition,) = template["Conditions"].values()
        assert condition == {"Fn::Equals": [{"Ref": "RetiringUrlTarget"}, other]}
        urls[synth.name] = {
            k: v.get("Condition") for k, v in synth.resources(synth.stacks.service, "AWS::Lambda::Url").items()
        }
    (serving_off,) = [k for k, c in urls["default"].items() if c is None]
    (serving_on,) = [k for k, c in urls["snap-start"].items() if c is None]
    assert urls["snap-start"][serving_off] is not None  # the unqualified URL, kept on condition
    assert urls["default"][serving_on] is not None  # the alias's URL, kept on condition
    # The alias (and the version it points at) come with its URL when it is kept.
    for kind in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
        (alias_or_version,) = default_synth.resources(default_synth.stacks.service, kind).values()
        assert alias_or_version["Condition"] == urls["default"][serving_on]


def test_edge_access_keeps_the_retiring_targets_grants_on_request(default_synth: Synth) -> None:
    template = default_synth.template(default_synth.stacks.edge_access)
    assert template["Parameters"]["RetiringFunctionArn"]["Default"] == "none"
    retiring = {
        k: v for k, v in template["Resources"].items() if v["Type"] == "AWS::Lambda::Permission" and "Condition" in v
    }
    assert set(retiring) == {"RetiringInvokeFunctionUrl", "RetiringInvokeFunction"}
    for grant in retiring.values():
        assert grant["Properties"]["FunctionName"] == {"Ref": "RetiringFunctionArn"}
        assert template["Conditions"][grant["Condition"]] == {
            "Fn::Not": [{"Fn::Equals": [{"Ref": "RetiringFunctionArn"}, "none"]}]
        }
