"""Everything monitored, and where: the units put together for one configuration (plain data).

:data:`UNITS` is the one ordered list of monitored units. Its order is the dashboard's section order
(``dashboards.layout``) and the alarms' order (creation, RUNBOOK.md, the alarm-status widget). The
CDK layer (stacks/monitoring) renders a :class:`Plan`; RUNBOOK.md and the cost table read one without
CDK and without the dashboard. Route alarms and queries are kept per route: they live in nested stacks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from observability import queries
from observability.model import AnyAlarm
from observability.monitoring_config import MonitoringConfig
from observability.queries import SavedQuery
from observability.unit import MonitoredUnit, RouteAlarms, Scope, UnitAlarms
from observability.units import (
    canary,
    cloudfront,
    dynamodb,
    edge_cache,
    function_url,
    lambda_function,
    route,
    service_wide,
    shield,
    waf,
)
from service.catalogue import ROUTES, RouteSpec

UNITS: tuple[MonitoredUnit, ...] = (
    service_wide,  # Service section: every request, true percentiles (no alarm)
    route,  # one row and one set of alarms per catalogue route
    lambda_function,
    dynamodb,
    cloudfront,  # us-east-1; the Edge section opens with its graphs
    waf,  # us-east-1
    function_url,  # home region, drawn in the Edge section below CloudFront's graphs
    shield,  # us-east-1, only with Shield Advanced
    canary,  # us-east-1, the outside-in check (config `canary`), drawn in the Edge section
    edge_cache,  # only with a cached route
)


@dataclass(frozen=True)
class Planned:
    """One unit with the alarms it declared for this configuration (what its panels are given)."""

    unit: MonitoredUnit
    alarms: UnitAlarms


@dataclass(frozen=True)
class Plan:
    scope: Scope
    units: tuple[Planned, ...]
    home_alarms: tuple[AnyAlarm, ...]  # home region, whatever the catalogue
    route_alarms: Mapping[str, list[AnyAlarm]]  # route name -> its alarms (home region)
    edge_alarms: tuple[AnyAlarm, ...]  # us-east-1: CloudFront and WAF metrics exist only there
    home_queries: tuple[SavedQuery, ...]  # on the function's log group
    route_queries: Mapping[str, tuple[SavedQuery, ...]]  # route name -> its queries
    waf_queries: tuple[SavedQuery, ...]  # on the WAF log group (us-east-1)
    cloudfront_log_queries: tuple[SavedQuery, ...]  # on CloudFront's access log group (us-east-1)

    @property
    def cfg(self) -> MonitoringConfig:
        return self.scope.cfg

    @property
    def routes(self) -> tuple[RouteSpec, ...]:
        return self.scope.routes

    @property
    def alarms(self) -> list[AnyAlarm]:
        """Every alarm of both regions, in RUNBOOK.md order."""
        per_route = [a for r in self.routes for a in self.route_alarms[r.name]]
        return [*self.home_alarms, *per_route, *self.edge_alarms]


def plan(
    cfg: MonitoringConfig | None = None,
    routes: Iterable[RouteSpec] = ROUTES,
    reserved_concurrency: int | None = 1,
) -> Plan:
    """The plan for a catalogue. ``reserved_concurrency`` decides whether the utilisation alarm
    exists (its value is in no text; RUNBOOK.md and the cost table use the default 1)."""
    scope = Scope(cfg or MonitoringConfig(), tuple(routes), reserved_concurrency)
    planned = tuple(Planned(u, u.alarms(scope)) for u in UNITS)
    # Route alarms go to per-route nested stacks; every other alarm to its region's stack.
    per_route = {
        name: alarms for p in planned if isinstance(p.alarms, RouteAlarms) for name, alarms in p.alarms.by_route.items()
    }
    shared = [a for p in planned if not isinstance(p.alarms, RouteAlarms) for a in p.alarms.all()]
    result = Plan(
        scope=scope,
        units=planned,
        home_alarms=tuple(a for a in shared if a.region == "home"),
        route_alarms=per_route,
        edge_alarms=tuple(a for a in shared if a.region == "edge"),
        home_queries=queries.service_queries(),
        route_queries={r.name: queries.route_queries(r) for r in scope.routes},
        waf_queries=queries.waf_queries(),
        cloudfront_log_queries=queries.cloudfront_log_queries(),
    )
    _check(result)
    return result


def _check(p: Plan) -> None:
    keys = [a.key for a in p.alarms]
    if len(set(keys)) != len(keys):
        raise ValueError(f"duplicate alarm keys: {sorted({k for k in keys if keys.count(k) > 1})}")
    # Playbooks name saved queries by key: each must be one that is deployed (the dashboard's log
    # widgets are checked where the dashboard is laid out, dashboards.layout).
    queries.check_keys([q for a in p.alarms for q in a.runbook.saved_queries], p.routes)
