"""Issue 18: template properties a real deploy depends on and no AWS-free test saw before."""

from __future__ import annotations

from typing import Any

import pytest

from tests.infra.conftest import Synth
from tests.synth import synthesize


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
