"""The local server's FIS stand-in: the experiment's action document in, what the FIS extension would do out."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from local.lambda_faults import FaultFileError, FaultFolder, InjectedError, LambdaFault, invoke_with_faults
from observability.drills import ADD_DELAY, HTTP_RESPONSE, INVOCATION_ERROR, alarm_facts, plan_drill
from observability.plan import plan

T0 = 1_000_000.0


def doc(action: str, start: float = T0, end: float = T0 + 60, **params: str) -> dict[str, Any]:
    return {"actionId": action, "parameters": params, "startTime": start, "endTime": end}


def fault(action: str, **params: str) -> LambdaFault:
    return LambdaFault.parse(doc(action, **params), "exp")


def test_the_local_server_reads_exactly_what_the_experiment_template_deploys(tmp_path: Path) -> None:
    """One format on both sides: each drill's template action, with the experiment's times, parses."""
    facts = alarm_facts(plan().alarms)
    for row in ("c", "d"):
        action = plan_drill(row, facts, timeout_s=10).action
        (tmp_path / f"{row}.json").write_text(json.dumps({**action, "startTime": T0, "endTime": T0 + 60}))
    folder = FaultFolder(tmp_path, clock=lambda: T0 + 1)
    assert {f.action for f in folder.current()} == {ADD_DELAY, INVOCATION_ERROR}
    delay = next(f for f in folder.current() if f.action == ADD_DELAY)
    assert (delay.delay_ms, delay.percentage) == (11_000, 3)


def test_a_fault_ends_at_its_end_time_whoever_wrote_it(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text(json.dumps(doc(INVOCATION_ERROR, invocationPercentage="100")))
    now = [T0 + 30]
    folder = FaultFolder(tmp_path, clock=lambda: now[0], poll_s=0)
    assert folder.pick()
    now[0] = T0 + 60
    assert folder.pick() == {}


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        ({"actionId": "aws:ec2:stop-instances"}, "actionId"),
        (doc(ADD_DELAY, invocationPercentage="150"), "percentage"),
        (doc(ADD_DELAY, end=T0 - 1), "endTime"),
        ({**doc(ADD_DELAY), "parameters": {"invocationPercentage": 5}}, "strings"),
        ({"actionId": ADD_DELAY, "parameters": {}}, "startTime"),
    ],
)
def test_a_bad_fault_file_is_refused_with_its_reason(bad: dict[str, Any], why: str) -> None:
    with pytest.raises(FaultFileError, match=why):
        LambdaFault.parse(bad, "exp")


def test_a_bad_file_is_skipped_and_said_once_while_good_ones_apply(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text("{half a file")
    (tmp_path / "good.json").write_text(json.dumps(doc(INVOCATION_ERROR)))
    said: list[tuple[Any, ...]] = []
    folder = FaultFolder(tmp_path, clock=lambda: T0, poll_s=0, log=lambda *a, **k: said.append((a, k)))
    assert [f.experiment for f in folder.current()] == ["good"]
    folder.current()
    assert len(said) == 1
    assert said[0][1]["file"].endswith("bad.json")


def test_invocation_percentage_is_a_share_of_invocations(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text(json.dumps(doc(INVOCATION_ERROR, invocationPercentage="10")))
    folder = FaultFolder(tmp_path, clock=lambda: T0, rng=random.Random(7))
    hits = sum(bool(folder.pick()) for _ in range(2000))
    assert 150 < hits < 250


def test_add_delay_beyond_the_timeout_times_out_without_running_the_handler() -> None:
    slept: list[float] = []
    with pytest.raises(InjectedError, match="timed out"):
        invoke_with_faults({ADD_DELAY: fault(ADD_DELAY, startupDelayMilliseconds="11000")}, _never, 10, slept.append)
    assert slept == [10]


def test_add_delay_within_the_timeout_runs_the_handler_with_what_is_left() -> None:
    slept: list[float] = []
    left: list[float] = []
    result = invoke_with_faults(
        {ADD_DELAY: fault(ADD_DELAY, startupDelayMilliseconds="2500")},
        lambda t: left.append(t) or {"statusCode": 200},
        10,
        slept.append,
    )
    assert (result["statusCode"], slept, left) == (200, [2.5], [7.5])


def test_invocation_error_with_prevent_execution_never_runs_the_handler() -> None:
    with pytest.raises(InjectedError):
        invoke_with_faults({INVOCATION_ERROR: fault(INVOCATION_ERROR, preventExecution="true")}, _never, 10)
    ran: list[float] = []
    with pytest.raises(InjectedError):  # without it the handler runs, then the invocation fails anyway
        invoke_with_faults({INVOCATION_ERROR: fault(INVOCATION_ERROR)}, lambda t: ran.append(t) or {}, 10)
    assert ran == [10]


def test_http_integration_response_replaces_the_answer() -> None:
    answer = invoke_with_faults(
        {HTTP_RESPONSE: fault(HTTP_RESPONSE, statusCode="503", preventExecution="true")}, _never, 10
    )
    assert answer["statusCode"] == 503


def _never(_: float) -> dict[str, Any]:
    raise AssertionError("the handler must not run")
