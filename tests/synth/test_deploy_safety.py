"""Issue 18: template properties a real deploy depends on and no AWS-free test saw before."""

from __future__ import annotations

from typing import Any

import pytest

from observability.monitoring_config import MAX_RUNBOOK_URL
from tests.support.synth import synthesize
from tests.synth.conftest import Synth


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
