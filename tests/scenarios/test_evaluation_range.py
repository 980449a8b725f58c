"""The matrix across the plausible evaluation ranges. AWS documents how many datapoints an alarm retrieves only
for a 5-minute period and 3 evaluation periods ("CloudWatch retrieves the 5 most recent data points", page
"Configuring how CloudWatch alarms treat missing data"), so the range for other periods is assumed: every row,
the quiet night and the busy day must hold for any range from EvaluationPeriods to EvaluationPeriods + 3.
Extend ``RANGES`` (or the cases) when an alarm depends on another reading."""

from __future__ import annotations

import pytest

from observability.simulator.evaluator import EXTRA_DATAPOINTS, EvaluationRange
from tests.scenarios.harness import Case, Loaded, cases

# name -> (EvaluationPeriods, Period seconds) -> datapoints; the documented default (N + 2) runs in
# test_failure_modes.
RANGES: dict[str, EvaluationRange] = {
    f"N+{extra}": (lambda n, _period_s, extra=extra: n + extra) for extra in range(4) if extra != EXTRA_DATAPOINTS
}


_CASES: dict[str, list[Case]] = {}


def _cases(loaded: Loaded) -> list[Case]:
    """The worlds, built once per configuration (every range reads the same ones)."""
    if loaded.name not in _CASES:
        _CASES[loaded.name] = cases(loaded)
    return _CASES[loaded.name]


@pytest.mark.parametrize("name", sorted(RANGES))
def test_the_matrix_holds_across_the_plausible_evaluation_ranges(loaded: Loaded, name: str) -> None:
    broken = [
        problem
        for case in _cases(loaded)
        if (problem := case.check(loaded.aset.evaluate(case.scenario, evaluation_range=RANGES[name])))
    ]
    assert broken == [], f"evaluation range {name}"
