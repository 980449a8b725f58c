"""One module per monitored unit, each of the one shape ``observability.unit`` describes: its metric
factory, ``alarms(scope)`` (typed, with their playbooks) and ``panels(scope, alarms)`` (its part of the
dashboard, drawn from those very alarms). ``observability.plan.UNITS`` lists them in order.

Adding a unit (e.g. a canary, a dependency): a module here, then one line in ``observability.plan.UNITS``
(its module name), and ``make docs``. Its saved queries are files of a folder of its own under queries/, loaded
with ``observability.queries.load``; a notifying alarm needs its proof, which the unit states in its ``PROOF``
(observability/proof.py). The unit guard (tests/unit/observability/test_unit_guard.py) names whatever else it
needs, file by file.
"""

from __future__ import annotations

from importlib import import_module
from typing import cast

from observability.unit import MonitoredUnit


def load(*names: str) -> tuple[MonitoredUnit, ...]:
    """The modules of this package by name, in the order given. Imported by name so that one entry in
    ``UNITS`` registers a unit; a module import cannot be checked against the protocol by mypy here, so the
    unit guard checks each module's shape (and calls it in every configuration it walks)."""
    return tuple(cast(MonitoredUnit, import_module(f"{__name__}.{name}")) for name in names)
