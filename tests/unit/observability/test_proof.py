"""A unit's PROOF joins the matrix: what it states for a row, a named case or a survivor is read with the rows
by everything that reads the matrix (RUNBOOK.md, the scenario harness, the drills), and only for its alarms."""

from __future__ import annotations

from types import ModuleType
from typing import cast

import pytest

from observability import plan
from observability.failure_modes import by_row, conditions, low_traffic, not_at_low_traffic, not_in_a_row, pages
from observability.proof import Proof, spelled
from observability.unit import MonitoredUnit
from observability.units import canary, shield
from tests.support.scenarios.harness import FEW_REFUSED, Case, Loaded, _with_stated
from tests.support.scenarios.world import NORMAL

PLANTED = Proof(
    rows={"c": {"planted-errors": (1, 4)}},
    low_traffic={"c": {"planted-errors": None}, "d": {"planted-errors": 7}},
    not_at_low_traffic={"c": {"planted-errors": "diluted"}},
    cases={FEW_REFUSED: {"planted-errors": (6, 9)}},
    survivors={"planted-errors: EvaluationPeriods 1 -> 2": "cannot matter: planted"},
    not_in_a_row={"planted-other": "cannot: planted"},
    only_when={"planted-errors": "planted on"},
)


@pytest.fixture
def planted(monkeypatch: pytest.MonkeyPatch) -> None:
    """A unit registered after the kit's, stating PLANTED (as one line in UNITS would register it)."""
    unit = ModuleType("observability.units.planted")
    unit.PROOF = PLANTED  # type: ignore[attr-defined]
    monkeypatch.setattr(plan, "UNITS", (*plan.UNITS, cast(MonitoredUnit, unit)))


def test_a_unit_s_rows_join_the_matrix_rows(planted: None) -> None:
    c, d = by_row()["c"], by_row()["d"]
    assert pages(c)["planted-errors"] == (1, 4)
    assert "lambda-errors" in pages(c)  # the row's own alarms stay
    assert "planted-errors" not in pages(d)
    assert low_traffic(c)["planted-errors"] is None
    assert low_traffic(d)["planted-errors"] == 7
    assert not_at_low_traffic(c)["planted-errors"] == "diluted"
    # Its configuration is printed beside its minutes in the rows it is in, and only there.
    assert conditions(c)["planted-errors"] == "planted on"
    assert "planted-errors" not in conditions(by_row()["a"])
    assert not_in_a_row()["planted-other"] == "cannot: planted"


def test_the_kit_s_units_state_the_canary_s_reach_and_shield_s_exception() -> None:
    # Row a (CloudFront cannot invoke the function) meets the canary's calls; row b1 (throttling 40 %) does not.
    assert pages(by_row()["a"])[canary.UNREACHABLE] == (8, 11)
    assert canary.UNREACHABLE not in pages(by_row()["b1"])
    assert conditions(by_row()["a"])[canary.UNREACHABLE] == "canary on"
    assert not_in_a_row()[shield.DDOS_DETECTED_KEY].startswith("cannot: ")


def test_alarm_keys_are_every_alarm_a_proof_names() -> None:
    assert PLANTED.alarm_keys() == {"planted-errors", "planted-other"}
    assert spelled((6, 9)) == "6-9 min"
    assert spelled(4) == "4 min"


def _loaded(keys: set[str]) -> Loaded:
    # Only the alarm keys of the configuration matter to _with_stated.
    return cast(Loaded, type("L", (), {"key_of": {f"stack/{k}": k for k in keys}})())


def test_a_named_case_gets_what_a_unit_states_for_it_in_configurations_that_have_the_alarm(planted: None) -> None:
    case = Case(FEW_REFUSED, FEW_REFUSED, scenario=NORMAL, want={"lambda-errors": (6, 9)})  # type: ignore[arg-type]
    stated = _with_stated(case, _loaded({"lambda-errors", "planted-errors"}))
    assert stated.want == {"lambda-errors": (6, 9), "planted-errors": (6, 9)}
    # A configuration without the alarm expects nothing of it; another case gets nothing.
    assert _with_stated(case, _loaded({"lambda-errors"})).want == case.want
    other = Case("quiet night", "quiet night", scenario=NORMAL, want={})  # type: ignore[arg-type]
    assert _with_stated(other, _loaded({"planted-errors"})).want == {}
