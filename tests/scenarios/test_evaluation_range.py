"""The matrix across the plausible evaluation ranges. AWS documents how many datapoints an alarm retrieves only
for a 5-minute period and 3 evaluation periods ("CloudWatch retrieves the 5 most recent data points", page
"Configuring how CloudWatch alarms treat missing data"), so the range for other periods is assumed: every row
and every quiet scenario runs under ranges from EvaluationPeriods to EvaluationPeriods + 3 besides the
documented N + 2 (tests/support/scenarios/harness.py ``settings``; test_failure_modes judges them with the lags)."""

from __future__ import annotations

from observability.simulator.evaluator import EXTRA_DATAPOINTS
from tests.support.scenarios.harness import DEFAULT_EXTRA, Loaded, _settings, sources_read


def test_every_case_runs_across_the_plausible_evaluation_ranges(loaded: Loaded) -> None:
    assert DEFAULT_EXTRA == EXTRA_DATAPOINTS  # the settings' default is the evaluator's documented one
    extras = {s.extra for s in _settings(loaded.name, sources_read(loaded)) if not s.sources}
    assert extras == {0, 1, 2, 3}
