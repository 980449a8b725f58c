"""The scenario world publishes what AWS publishes (observability/aws_published.py), and nothing else: every
platform metric it writes, in every failure row and with the canary on, is a listed one under a listed
dimension set; the service's own are EMF under the contract's namespace. No synth: the world alone."""

from __future__ import annotations

from observability.aws_published import published
from observability.monitoring_config import MonitoringConfig
from observability.units import canary
from service.catalogue import ROUTES
from service.contract import METRICS_NAMESPACE
from tests.support.scenarios import world


def test_every_metric_the_world_publishes_is_one_aws_publishes() -> None:
    cfg = MonitoringConfig()
    targets = tuple(r.name for r in canary.targets(ROUTES))
    names: set[tuple[str, str, tuple[str, ...]]] = set()
    for reserved in (20, None):
        for timeline in world.failure_timelines(ROUTES, reserved, 1000).values():
            scenario = world.World(
                ROUTES, cfg.service_name, timeline, world.START + 3, canary=targets, canary_name=cfg.canary_name
            ).run()
            names |= {(k.namespace, k.name, tuple(d for d, _ in k.dimensions)) for k in scenario.metrics}
    platform = {n for n in names if n[0] != METRICS_NAMESPACE}
    assert platform, "the world publishes platform metrics"
    assert sorted(n for n in platform if published(*n) is None) == []
