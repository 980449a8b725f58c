"""Which rows have a fire drill, and what each drill expects: read from the failure-mode matrix, never copied."""

from __future__ import annotations

import dataclasses

import pytest

from observability.drills import (
    DRILLS,
    MARGIN_MIN,
    NOT_DRILLED,
    RAMP_UP_MIN,
    alarm_facts,
    percentage,
    plan_drill,
)
from observability.failure_modes import MODES, by_row, pages
from observability.monitoring_config import MonitoringConfig
from observability.plan import plan
from observability.proof import span

FACTS = alarm_facts(plan().alarms)


def test_every_row_is_drilled_or_says_why_not() -> None:
    drilled = {d.row for d in DRILLS}
    assert drilled | set(NOT_DRILLED) == {m.row for m in MODES}
    assert not drilled & set(NOT_DRILLED)
    with pytest.raises(ValueError, match="EMF"):
        plan_drill("k1", FACTS, timeout_s=10)


@pytest.mark.parametrize("row", [d.row for d in DRILLS])
def test_a_drill_expects_its_rows_alarms_with_the_matrix_minutes(row: str) -> None:
    drill = plan_drill(row, FACTS, timeout_s=10)
    matrix = {k: span(m) for k, m in pages(by_row()[row]).items() if m is not None and k in FACTS}
    assert {e.key: (e.lo, e.hi) for e in drill.expected} == matrix
    assert all(e.deadline_min == e.hi + RAMP_UP_MIN for e in drill.expected)
    assert drill.duration_min == max(e.hi for e in drill.expected) + RAMP_UP_MIN + MARGIN_MIN


def test_an_alarm_the_configuration_lacks_is_not_expected() -> None:
    without_canary = alarm_facts(plan(dataclasses.replace(MonitoringConfig(), canary=False)).alarms)
    with_it = {e.key for e in plan_drill("d", FACTS, timeout_s=10).expected}
    without = {e.key for e in plan_drill("d", without_canary, timeout_s=10).expected}
    assert with_it - without == {"api-unreachable"}
    # The experiment lasts as long as its slowest expected alarm needs: without the heartbeat (30 min) either,
    # the drill is shorter.
    shorter = {k: v for k, v in without_canary.items() if k != "telemetry-heartbeat"}
    assert plan_drill("d", shorter, timeout_s=10).duration_min < plan_drill("d", FACTS, timeout_s=10).duration_min


def test_thin_traffic_raises_the_percentage_to_fill_the_alarms_floor() -> None:
    fault = next(d.fault for d in DRILLS if d.row == "c")
    assert percentage(fault, threshold=1, period_min=5, traffic_per_minute=30) == 3  # the row's own share
    assert percentage(fault, threshold=1, period_min=5, traffic_per_minute=2) == 30  # 3 faults in 10 requests
    assert percentage(fault, threshold=5, period_min=1, traffic_per_minute=1) == 100


def test_row_c_times_out_one_second_past_the_configured_timeout() -> None:
    assert plan_drill("c", FACTS, timeout_s=25).action["parameters"]["startupDelayMilliseconds"] == "26000"


def test_make_drill_names_why_a_row_has_no_drill(capsys: pytest.CaptureFixture[str]) -> None:
    from scripts.drill import main

    assert main(["--row", "k1", "--local"]) == 2
    err = capsys.readouterr().err
    assert "row 'k1' has no drill" in err
    assert "EMF" in err
