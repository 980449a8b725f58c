"""Everything monitored, and where: the units put together for one configuration (plain data).

:data:`UNITS` is the one ordered list of monitored units. Its order is the dashboard's section order
(``dashboards.layout``) and the alarms' order (creation, RUNBOOK.md, the alarm-status widget). The
CDK layer (stacks/monitoring) renders a :class:`Plan`; RUNBOOK.md and the cost table read one without
CDK and without the dashboard. Every alarm and saved query is :class:`Placed` by region and stack (a
group's nested stack, e.g. a route's); nothing here knows one unit from another.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from observability.model import Alarm, AnyAlarm, Composite, Region
from observability.monitoring_config import MonitoringConfig
from observability.queries import SavedQuery
from observability.unit import MonitoredUnit, Scope, UnitAlarms
from observability.units import load
from service.catalogue import ROUTES, RouteSpec

# Each entry names a module of observability/units/ once (imported by name, so registering a unit is this one
# line); the unit guard (tests/unit/observability/test_unit_guard.py) checks each module has the unit's shape.
UNITS: tuple[MonitoredUnit, ...] = load(
    "service_wide",  # Service section: every request, true percentiles (no alarm)
    "route",  # one row and one set of alarms per catalogue route
    "lambda_function",
    "dynamodb",
    "cloudfront",  # us-east-1; the Edge section opens with its graphs
    "waf",  # us-east-1
    "function_url",  # home region, drawn in the Edge section below CloudFront's graphs
    "shield",  # us-east-1, only with Shield Advanced
    "canary",  # us-east-1, the outside-in check (config `canary`), drawn in the Edge section
    "edge_cache",  # only with a cached route
)


@dataclass(frozen=True)
class Planned:
    """One unit with the alarms it declared for this configuration (what its panels are given)."""

    unit: MonitoredUnit
    alarms: UnitAlarms


@dataclass(frozen=True)
class Placed:
    """One deployed item where it is deployed: its region's monitoring stack (``group`` None) or the
    nested stack of its group (a route's alarms and queries), in that region."""

    region: Region
    group: str | None
    item: AnyAlarm | SavedQuery


@dataclass(frozen=True)
class Plan:
    scope: Scope
    units: tuple[Planned, ...]
    placed: tuple[Placed, ...]  # every alarm, then every query, in unit order

    @property
    def cfg(self) -> MonitoringConfig:
        return self.scope.cfg

    @property
    def routes(self) -> tuple[RouteSpec, ...]:
        return self.scope.routes

    def alarms_at(self, region: Region, group: str | None = None) -> tuple[AnyAlarm, ...]:
        """The alarms of one stack: a region's own (``group`` None) or one group's nested stack."""
        here = [p.item for p in self.placed if (p.region, p.group) == (region, group)]
        return tuple(i for i in here if isinstance(i, (Alarm, Composite)))

    def queries_at(self, region: Region, group: str | None = None) -> tuple[SavedQuery, ...]:
        here = [p.item for p in self.placed if (p.region, p.group) == (region, group)]
        return tuple(i for i in here if isinstance(i, SavedQuery))

    def groups(self, region: Region) -> tuple[str, ...]:
        """The region's nested-stack groups, in order of first appearance."""
        return tuple(dict.fromkeys(p.group for p in self.placed if p.region == region and p.group is not None))

    @property
    def home_alarms(self) -> tuple[AnyAlarm, ...]:
        """The home region's own alarms (not in a group): the dashboard's service-wide alarm states."""
        return self.alarms_at("home")

    @property
    def alarms(self) -> list[AnyAlarm]:
        """Every alarm of both regions, in RUNBOOK.md order: the home region's own, then each group's
        (route by route), then us-east-1's."""
        grouped = [a for g in self.groups("home") for a in self.alarms_at("home", g)]
        edge = [a for g in (None, *self.groups("edge")) for a in self.alarms_at("edge", g)]
        return [*self.home_alarms, *grouped, *edge]

    @property
    def queries(self) -> tuple[SavedQuery, ...]:
        return tuple(p.item for p in self.placed if isinstance(p.item, SavedQuery))


def plan(
    cfg: MonitoringConfig | None = None,
    routes: Iterable[RouteSpec] = ROUTES,
    reserved_concurrency: int | None = 1,
) -> Plan:
    """The plan for a catalogue. ``reserved_concurrency`` decides whether the utilisation alarm
    exists (its value is in no text; RUNBOOK.md and the cost table use the default 1)."""
    scope = Scope(cfg or MonitoringConfig(), tuple(routes), reserved_concurrency)
    planned = tuple(Planned(u, u.alarms(scope)) for u in UNITS)
    alarms = [Placed(a.region, group, a) for p in planned for group, a in p.alarms.grouped()]
    found = [Placed(q.region, q.group, q) for u in UNITS for q in u.saved_queries(scope)]
    result = Plan(scope=scope, units=planned, placed=(*alarms, *found))
    _check(result)
    return result


def _check(p: Plan) -> None:
    keys = [a.key for a in p.alarms]
    if len(set(keys)) != len(keys):
        raise ValueError(f"duplicate alarm keys: {sorted({k for k in keys if keys.count(k) > 1})}")
    query_keys = [q.key for q in p.queries]
    if len(set(query_keys)) != len(query_keys):
        raise ValueError(f"duplicate saved-query keys: {sorted({k for k in query_keys if query_keys.count(k) > 1})}")
    # Playbooks name saved queries by key: each must be one that is deployed (the dashboard's log
    # widgets are checked where the dashboard is laid out, dashboards.layout).
    unknown = sorted({q for a in p.alarms for q in a.runbook.saved_queries} - set(query_keys))
    if unknown:
        raise ValueError(f"playbooks name saved queries no unit deploys (a unit's saved_queries()): {unknown}")
