"""Issue 18: template properties a real deploy depends on and no AWS-free test saw before."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from observability.monitoring_config import MAX_RUNBOOK_URL
from stacks.edge.waf import ANTI_DDOS_RULE_GROUP
from tests.support.synth import Synth, config_for, synthesize


@pytest.fixture(scope="session", params=["us-east-1", "eu-west-1", "edge-all"])
def every_edge(request: pytest.FixtureRequest) -> Synth:
    """Both viewer_protocol values: edge-all uses redirect-to-https, the others the default."""
    return synthesize(request.param)


def _distribution(synth: Synth) -> dict[str, Any]:
    return synth.one(synth.stacks.edge, "AWS::CloudFront::Distribution")["DistributionConfig"]


def test_every_cache_behaviour_follows_viewer_protocol(every_edge: Synth) -> None:
    config = _distribution(every_edge)
    behaviours = [config["DefaultCacheBehavior"], *config.get("CacheBehaviors", [])]
    assert len(behaviours) >= 2, "the default and at least one cached route"
    assert {b["ViewerProtocolPolicy"] for b in behaviours} == {every_edge.config.viewer_protocol}


def test_the_longest_runbook_url_synthesizes_into_every_alarm(synth_eu: Synth) -> None:
    """eu-west-1 synthesizes with a 256-character runbook_url: every alarm (nested stacks included)
    links it whole within CloudWatch's 1,024-character AlarmDescription."""
    url = synth_eu.config.runbook_url
    assert len(url) == MAX_RUNBOOK_URL >= 200
    descriptions = [
        r["Properties"]["AlarmDescription"]
        for key in ("home", "edge")
        for t in synth_eu.templates[key].all_templates()
        for r in t.template["Resources"].values()
        if r["Type"] in ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm")
        and "AlarmDescription" in r["Properties"]
    ]
    assert len(descriptions) > 20
    assert all(len(d) <= 1024 and f"Runbook: {url}#" in d for d in descriptions)


def _web_acl(synth: Synth) -> dict[str, Any]:
    return synth.one(synth.stacks.edge, "AWS::WAFv2::WebACL")


def _actions(value: Any) -> set[str]:
    """Every action name used anywhere in the web ACL (rules, overrides, default)."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            if key in ("Action", "ActionToUse", "DefaultAction") and isinstance(inner, dict):
                found |= set(inner)
            found |= _actions(inner)
    elif isinstance(value, list):
        for inner in value:
            found |= _actions(inner)
    return found


def test_shield_advanced_adds_the_anti_ddos_rule_group_for_an_api(edge_all_synth: Synth) -> None:
    """First in the ACL, challenge rules off (API clients cannot answer one), blocking the most suspicious
    requests; no Challenge or CAPTCHA action anywhere in the ACL."""
    acl = _web_acl(edge_all_synth)
    first = min(acl["Rules"], key=lambda r: r["Priority"])
    assert first["Name"] == ANTI_DDOS_RULE_GROUP
    statement = first["Statement"]["ManagedRuleGroupStatement"]
    assert (statement["VendorName"], statement["Name"]) == ("AWS", ANTI_DDOS_RULE_GROUP)
    assert statement["ManagedRuleGroupConfigs"] == [
        {
            "AWSManagedRulesAntiDDoSRuleSet": {
                "ClientSideActionConfig": {"Challenge": {"UsageOfAction": "DISABLED"}},
                "SensitivityToBlock": "LOW",
            }
        }
    ]
    assert first["OverrideAction"] == {"None": {}}
    assert "RuleActionOverrides" not in statement
    assert {"Challenge", "Captcha"}.isdisjoint(_actions(acl))
    # The DDoS alarm stays.
    alarms = synth_alarms(edge_all_synth)
    assert [a["MetricName"] for a in alarms if a.get("Namespace") == "AWS/DDoSProtection"] == ["DDoSDetected"]


def test_without_shield_no_anti_ddos_rule_group(synth: Synth) -> None:
    assert ANTI_DDOS_RULE_GROUP not in {r["Name"] for r in _web_acl(synth)["Rules"]}


def synth_alarms(synth: Synth) -> list[dict[str, Any]]:
    return [a["Properties"] for a in synth.resources(synth.stacks.edge_monitoring, "AWS::CloudWatch::Alarm").values()]


def test_shield_automatic_response_is_opt_in() -> None:
    """The protection alone: edge-all's has no automatic response (tests/synth/test_edge_options.py);
    shield_automatic_response asks for Shield's, with Block."""
    import aws_cdk as cdk

    from stacks.edge.shield import protect_distribution

    template = {}
    for automatic in (False, True):
        app = cdk.App()
        stack = cdk.Stack(app, "Protection", env=cdk.Environment(account="111111111111", region="us-east-1"))
        config = config_for("edge-all")
        config = dataclasses.replace(config, shield_automatic_response=automatic)
        protect_distribution(stack, config, "arn:aws:cloudfront::111111111111:distribution/EDFDVBD632BHDS5")
        (resource,) = app.synth().get_stack_by_name("Protection").template["Resources"].values()
        template[automatic] = resource["Properties"]
    assert "ApplicationLayerAutomaticResponseConfiguration" not in template[False]
    assert template[True]["ApplicationLayerAutomaticResponseConfiguration"] == {
        "Action": {"Block": {}},
        "Status": "ENABLED",
    }


def test_no_stack_adds_an_account_level_log_resource_policy(every_edge: Synth) -> None:
    """AWS::Logs::ResourcePolicy is account-level (10 per region): each stage used to add one for the
    CloudFront access logs. The delivery creates the log-group-level policy it needs (CloudWatch Logs
    guide, "Logs sent to CloudWatch Logs"), and the access logs still have their delivery."""
    for stack in every_edge.all_stacks:
        assert not every_edge.resources(stack, "AWS::Logs::ResourcePolicy"), stack.stack_name
    assert every_edge.resources(every_edge.stacks.edge, "AWS::Logs::Delivery")
