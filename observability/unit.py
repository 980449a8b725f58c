"""The one shape of a monitored unit (``observability/units/``), in the spirit of
cdk-monitoring-constructs (a metric factory plus a monitoring class that owns its alarms and widgets).

A unit is a module with three functions; together they are everything it deploys:

- ``alarms(scope) -> <its UnitAlarms>``: its alarms, one typed field each (plain data: RUNBOOK.md and
  the cost table read them without any dashboard). Each alarm names its region; a field that maps a
  group name to alarms (the route unit's ``by_route``) deploys each group in a nested stack;
- ``saved_queries(scope) -> tuple[SavedQuery, ...]``: its Logs Insights saved queries, each tagged with the log
  group it reads (which decides its region) and, optionally, the nested-stack group it deploys with;
- ``panels(scope, alarms) -> tuple[Panel, ...]``: its part of the dashboard, given the very alarm
  objects ``alarms`` returned (threshold lines and alarm states come from them, never from a key);
- optionally ``PROOF``, an ``observability.proof.Proof``: its alarms' part in the proof, stated by the unit
  (where they fire in the failure-mode rows and named cases, which mutations cannot matter, what covers an
  alarm no row makes fire). The kit's own units mostly leave that to the matrix; a unit that joins them
  states it here, and the scenario tests hold it to it exactly like the matrix.

``observability.plan.UNITS`` lists the units in order; ``observability.plan`` places their alarms and
queries (by region and stack), ``dashboards.layout`` their panels, and ``stacks/monitoring`` renders what is
placed without knowing any unit. Adding a unit: one module here (its saved queries are files of its folder
under queries/), one line in that list, ``make docs``, then ``make test-fast``:
``tests/unit/observability/test_unit_guard.py`` names whatever else the unit needs, file by file (its PROOF
first), and the scenario tests name the rows, cases and mutations its PROOF must state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, Protocol

from observability.model import AnyAlarm, Row
from observability.monitoring_config import MonitoringConfig
from observability.queries import SavedQuery
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
        return tuple(a for _, a in self.grouped())

    def grouped(self) -> tuple[tuple[str | None, AnyAlarm], ...]:
        """(group, alarm) in field order. A Mapping field's keys are groups (each deployed in a nested
        stack with its group's queries); every other alarm has none (its region's own stack)."""
        out: list[tuple[str | None, AnyAlarm]] = []
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Mapping):
                out += [(group, a) for group, alarms in value.items() for a in alarms]
            elif isinstance(value, Sequence):
                out += [(None, a) for a in value]
            elif value is not None:
                out.append((None, value))
        return tuple(out)


@dataclass(frozen=True)
class NoAlarms(UnitAlarms):
    """For a unit that only draws (e.g. the service-wide totals)."""


@dataclass(frozen=True)
class RouteAlarms(UnitAlarms):
    """Per-route alarms (route name -> its alarms, children before their composite): each route is a
    group, deployed in a nested stack with its saved queries, apart from the service-wide alarms."""

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

    def saved_queries(self, scope: Scope) -> tuple[SavedQuery, ...]: ...

    def panels(self, scope: Scope, alarms: Any) -> tuple[Panel, ...]: ...
