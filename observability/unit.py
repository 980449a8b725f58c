"""The one shape of a monitored unit (``observability/units/``), in the spirit of
cdk-monitoring-constructs (a metric factory plus a monitoring class that owns its alarms and widgets).

A unit is a module with two functions:

- ``alarms(scope) -> <its UnitAlarms>``: its alarms, one typed field each (plain data: RUNBOOK.md and
  the cost table read them without any dashboard);
- ``panels(scope, alarms) -> tuple[Panel, ...]``: its part of the dashboard, given the very alarm
  objects ``alarms`` returned (threshold lines and alarm states come from them, never from a key).

``observability.plan.UNITS`` lists the units in order; ``dashboards.layout`` places their panels.
Adding a unit: one module here, one line in that list.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, Protocol

from observability.model import AnyAlarm, Row
from observability.monitoring_config import MonitoringConfig
from service.catalogue import RouteSpec


@dataclass(frozen=True)
class Scope:
    """What every unit is planned for: the configuration, the catalogue, the reserved concurrency."""

    cfg: MonitoringConfig
    routes: tuple[RouteSpec, ...]
    reserved_concurrency: int | None


@dataclass(frozen=True)
class UnitAlarms:
    """A unit's alarms as typed fields (an alarm, None when it does not exist in this configuration,
    or a sequence). Subclass it per unit; :meth:`all` lists them in field order, the order they are
    created and documented in."""

    def all(self) -> tuple[AnyAlarm, ...]:
        out: list[AnyAlarm] = []
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Mapping):
                value = [a for group in value.values() for a in group]
            out += value if isinstance(value, Sequence) else [] if value is None else [value]
        return tuple(out)


@dataclass(frozen=True)
class NoAlarms(UnitAlarms):
    """For a unit that only draws (e.g. the service-wide totals)."""


@dataclass(frozen=True)
class RouteAlarms(UnitAlarms):
    """Per-route alarms (route name -> its alarms, children before their composite): deployed in
    per-route nested stacks, apart from the service-wide ones."""

    by_route: Mapping[str, list[AnyAlarm]]


@dataclass(frozen=True)
class Panel:
    """A unit's part of one dashboard section (by title). Panels of one section are joined in unit
    order; a panel's first row continues the section's last row while the 24-column grid has room
    (CloudFront's and WAF's graphs share the Edge section's first row)."""

    section: str
    rows: tuple[Row, ...]


class MonitoredUnit(Protocol):
    """A unit module (see the module docstring). ``alarms`` is what this unit's ``alarms`` returned."""

    def alarms(self, scope: Scope) -> UnitAlarms: ...

    def panels(self, scope: Scope, alarms: Any) -> tuple[Panel, ...]: ...
