"""Which alarms exist, in which region: composes the per-service factories (pure data)."""

from __future__ import annotations

from collections.abc import Iterable

from service.catalogue import ROUTES, RouteSpec
from stacks.monitoring.config import MonitoringConfig
from stacks.monitoring.factories import cloudfront, dynamodb, lambda_, route, waf
from stacks.monitoring.spec import AnyAlarm


def core_alarms(cfg: MonitoringConfig, reserved_concurrency: int | None) -> list[AnyAlarm]:
    """Home-region alarms that do not depend on the catalogue."""
    return [*lambda_.alarms(cfg, reserved_concurrency), *dynamodb.alarms(cfg)]


def route_alarms(cfg: MonitoringConfig, r: RouteSpec) -> list[AnyAlarm]:
    return route.alarms(cfg, r)


def edge_alarms(cfg: MonitoringConfig) -> list[AnyAlarm]:
    """us-east-1 alarms: CloudFront and WAF metrics exist only there."""
    return [*cloudfront.alarms(cfg), *waf.alarms(cfg)]


def all_alarms(
    cfg: MonitoringConfig, routes: Iterable[RouteSpec] = ROUTES, reserved_concurrency: int | None = 1
) -> list[AnyAlarm]:
    """Every alarm of both stacks (runbook and cost). ``reserved_concurrency`` only decides whether
    the utilisation alarm exists; its value is not part of any text."""
    out = core_alarms(cfg, reserved_concurrency)
    for r in routes:
        out.extend(route_alarms(cfg, r))
    out.extend(edge_alarms(cfg))
    keys = [a.key for a in out]
    if len(set(keys)) != len(keys):
        raise ValueError("duplicate alarm keys")
    return out
