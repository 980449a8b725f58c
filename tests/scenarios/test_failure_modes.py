"""Every row of the failure-mode matrix, proven against the synthesized alarms: exactly the alarms
observability/failure_modes.py lists reach ALARM, each exactly that many minutes after the failure
starts; nothing is in ALARM before it; a quiet night pages nothing, nor does a busy day."""

from __future__ import annotations

import pytest

from observability.failure_modes import MODES
from observability.simulator.evaluator import ALARM, OK
from tests.scenarios import world
from tests.scenarios.harness import Case, Loaded, alarmed, cases


def _cases(loaded: Loaded) -> dict[str, Case]:
    return {c.name: c for c in cases(loaded)}


def test_every_row_has_a_world_and_issue_8s_rows_are_all_there(loaded: Loaded) -> None:
    worlds = world.failure_timelines(loaded.routes, loaded.reserved, loaded.limit)
    assert set(worlds) == {m.row for m in MODES}
    assert {row.rstrip("0123456789") for row in worlds} >= set("abcdefghi")


@pytest.mark.parametrize("row", [m.row for m in MODES])
def test_failure_mode_alarms_as_the_matrix_says(loaded: Loaded, row: str) -> None:
    case = _cases(loaded)[f"row {row}"]
    assert case.check(loaded.aset.evaluate(case.scenario)) is None


@pytest.mark.parametrize("name", ["quiet night", "busy day"])
def test_healthy_days_page_nothing(loaded: Loaded, name: str) -> None:
    case = _cases(loaded)[name]
    timelines = loaded.aset.evaluate(case.scenario)
    assert case.check(timelines) is None
    assert alarmed(timelines, loaded, 0, notify_only=True) == {}


def test_below_the_floor_the_refused_share_has_no_datapoint(loaded_default: Loaded) -> None:
    # The quiet night's one unsigned POST is 100 % of the URL's requests that minute, but no evidence.
    case = _cases(loaded_default)["quiet night"]
    timelines = loaded_default.aset.evaluate(case.scenario)
    assert not timelines[loaded_default.by_model_key["function-url-refused"]].values


def test_every_row_holds_under_the_strict_metric_math_reading(loaded_default: Loaded) -> None:
    # CloudWatch documents that arithmetic treats a missing value as 0; under the stricter reading (a
    # value only where every series has one) every row still alarms the same: the sparse counters are
    # wrapped in FILL(m, 0) and the request counts guard the divisions.
    for case in cases(loaded_default):
        assert case.check(loaded_default.aset.evaluate(case.scenario, strict_arithmetic=True)) is None, case.name


def test_dynamodb_alarms_recover_after_the_burst(loaded_default: Loaded) -> None:
    # CloudWatch keeps AWS/DynamoDB alarms' state on missing data: without FILL the alarm would stay in
    # ALARM after the last throttle. Ten minutes of read throttling, then normal traffic.
    burst = world.failure_timelines(loaded_default.routes, 20, 1000)["e1"]
    timeline = lambda m: burst(m) if m < world.START + 10 else world.NORMAL  # noqa: E731
    timelines = loaded_default.aset.evaluate(loaded_default.world(timeline, world.START + 40))
    throttles = timelines[loaded_default.by_model_key["dynamodb-throttles"]]
    assert throttles.states[world.START + 5] == ALARM
    assert throttles.states[world.START + 40] == OK
