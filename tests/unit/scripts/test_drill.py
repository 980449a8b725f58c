"""The fire-drill runner against AWS's own responses (botocore Stubber: FIS, CloudWatch alarm history and mute
rules), on a fake clock: a pass, a missing alarm, a late one, an unexpected one, and a runner killed mid-drill
that leaves neither a fault nor a mute behind."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from observability.drills import GUARD_ALARM, DrillPlan, alarm_facts, plan_drill
from observability.plan import plan
from scripts.drill import AwsBackend, Clock, DrillRefused, run_drill

PLAN = plan()
NAMES = {PLAN.cfg.alarm_name(a.key): a.key for a in PLAN.alarms}
T0 = 1_800_000_000.0  # the fake clock's start (epoch s)
POLL = 60.0
RECOVERY = 10


class FakeClock(Clock):
    def __init__(self) -> None:
        self.t = T0
        super().__init__(now=lambda: self.t, sleep=self._sleep)
        self.interrupt_after: int | None = None
        self.sleeps = 0

    def _sleep(self, s: float) -> None:
        self.sleeps += 1
        if self.interrupt_after is not None and self.sleeps > self.interrupt_after:
            raise KeyboardInterrupt  # Ctrl-C / SIGTERM mid-drill
        self.t += s


def client(service: str, region: str) -> Any:
    return boto3.client(service, region_name=region, aws_access_key_id="x", aws_secret_access_key="x")  # noqa: S106


class World:
    """Stubbed FIS (home) and CloudWatch (home, us-east-1) clients plus the runner's backend on them."""

    def __init__(self) -> None:
        self.clock = FakeClock()
        self.fis, self.home, self.edge = (
            client("fis", "eu-west-1"),
            client("cloudwatch", "eu-west-1"),
            client("cloudwatch", "us-east-1"),
        )
        self.stubs = {name: Stubber(c) for name, c in (("fis", self.fis), ("home", self.home), ("edge", self.edge))}
        self.backend = AwsBackend(
            service_name=PLAN.cfg.service_name,
            fis=self.fis,
            cloudwatch={"home": self.home, "edge": self.edge},
            alarm_names=NAMES,
            clock=self.clock,
        )
        self.put_params: dict[str, Any] = {}

    # ---- expected calls -----------------------------------------------------------------------------------
    def history(self, items: list[tuple[str, float, str]] = (), edge: list[tuple[str, float, str]] = ()) -> None:
        for stub, found in ((self.stubs["home"], items), (self.stubs["edge"], edge)):
            stub.add_response(
                "describe_alarm_history",
                {"AlarmHistoryItems": [_item(*i) for i in found]},
                {"HistoryItemType": "StateUpdate", "StartDate": ANY, "EndDate": ANY, "ScanBy": "TimestampAscending"},
            )

    def mute(self, drill: DrillPlan) -> None:
        names = sorted(PLAN.cfg.alarm_name(e.key) for e in drill.expected if e.region == "home" and e.notify)
        self.stubs["home"].add_response(
            "put_alarm_mute_rule",
            {},
            {
                "Name": f"{PLAN.cfg.service_name}-drill-{drill.row}",
                "Description": ANY,
                "Rule": ANY,
                "MuteTargets": {"AlarmNames": names},
                "ExpireDate": ANY,
            },
        )
        self.stubs["home"].add_response(
            "get_alarm_mute_rule", {"Status": "ACTIVE"}, {"AlarmMuteRuleName": f"{PLAN.cfg.service_name}-drill-c"}
        )

    def start(self, row: str) -> None:
        templates = [
            {"id": "EXT-other", "tags": {"service": "another-api", "drill": row}},
            {"id": f"EXT-{row}", "tags": {"service": PLAN.cfg.service_name, "drill": row}},
        ]
        self.stubs["fis"].add_response("list_experiment_templates", {"experimentTemplates": templates}, {})
        self.stubs["fis"].add_response(
            "start_experiment",
            {"experiment": {"id": "EXP1"}},
            {"clientToken": ANY, "experimentTemplateId": f"EXT-{row}", "tags": {"drill": row}},
        )

    def status(self, status: str = "running") -> None:
        self.stubs["fis"].add_response("get_experiment", {"experiment": {"state": {"status": status}}}, {"id": "EXP1"})

    def stop(self) -> None:
        self.stubs["fis"].add_response("stop_experiment", {}, {"id": "EXP1"})

    def unmute(self, row: str) -> None:
        self.stubs["home"].add_response(
            "delete_alarm_mute_rule", {}, {"AlarmMuteRuleName": f"{PLAN.cfg.service_name}-drill-{row}"}
        )

    def run(self, drill: DrillPlan) -> Any:
        for s in self.stubs.values():
            s.activate()
        report = run_drill(drill, self.backend, clock=self.clock, poll_s=POLL, recovery_min=RECOVERY)
        for s in self.stubs.values():
            s.assert_no_pending_responses()
        return report


def _item(key: str, at: float, state: str) -> dict[str, Any]:
    old = "OK" if state == "ALARM" else "ALARM"
    return {
        "AlarmName": PLAN.cfg.alarm_name(key),
        "AlarmType": "MetricAlarm",
        "Timestamp": datetime.fromtimestamp(at, UTC),
        "HistoryItemType": "StateUpdate",
        "HistorySummary": f"Alarm updated from {old} to {state}",
        "HistoryData": json.dumps({"oldState": {"stateValue": old}, "newState": {"stateValue": state}}),
    }


@pytest.fixture
def world() -> Iterator[World]:
    return World()


def drill_c() -> DrillPlan:
    """Row c's drill in a configuration whose only alarm of the row is lambda-errors: the runner's behaviour
    (pass, missing, late, unexpected, cleanup) on one alarm; which alarms a row expects is tests/unit/observability/test_drills.py's."""
    facts = alarm_facts(PLAN.alarms)
    return plan_drill("c", {k: v for k, v in facts.items() if k == "lambda-errors"}, timeout_s=10)


def test_drill_passes_when_its_alarm_fires_in_time_and_recovers(world: World) -> None:
    drill = drill_c()
    world.history()  # nothing in ALARM before
    world.mute(drill)
    world.start("c")
    world.history()  # first look: nothing yet
    world.status()
    world.history([("lambda-errors", T0 + 150, "ALARM")])  # 2.5 min after the start
    world.status()
    world.stop()
    world.history([("lambda-errors", T0 + 150, "ALARM"), ("lambda-errors", T0 + 600, "OK")])
    world.unmute("c")
    report = world.run(drill)
    assert report.passed, report.lines()
    (alarm,) = report.alarms
    assert (alarm.key, alarm.verdict, alarm.observed_min, alarm.recovered) == ("lambda-errors", "pass", 2.5, True)
    assert report.end_state == "stopped by the runner"
    assert "PASS" in report.lines()[-1]


def test_a_missing_alarm_fails_after_the_experiment_ran_its_course(world: World) -> None:
    drill = drill_c()
    world.history()
    world.mute(drill)
    world.start("c")
    looks = int(drill.duration_min * 60 / POLL)  # watched until the experiment's planned end
    for _ in range(looks):
        world.history()
        world.status()
    world.history()
    world.status("completed")  # FIS ended the action on time
    world.unmute("c")
    report = world.run(drill)
    assert not report.passed
    assert [(a.key, a.verdict) for a in report.alarms] == [("lambda-errors", "MISSING")]
    assert report.end_state == "completed"


def test_a_late_alarm_fails_with_its_observed_minutes(world: World) -> None:
    drill = drill_c()
    late = (drill.expected[0].deadline_min + 1) * 60  # past the matrix's 4 min plus the poll's ramp-up
    world.history()
    world.mute(drill)
    world.start("c")
    for _ in range(int(late / POLL)):
        world.history()
        world.status()
    world.history([("lambda-errors", T0 + late, "ALARM")])
    world.status()
    world.stop()
    world.history([("lambda-errors", T0 + late, "ALARM"), ("lambda-errors", T0 + late + 300, "OK")])
    world.unmute("c")
    report = world.run(drill)
    assert not report.passed
    (alarm,) = report.alarms
    assert alarm.verdict == "LATE"
    assert alarm.observed_min == late / 60
    assert "LATE" in "\n".join(report.lines())


def test_an_unexpected_alarm_stops_the_drill_and_fails_it(world: World) -> None:
    drill = drill_c()
    world.history()
    world.mute(drill)
    world.start("c")
    world.history([("dynamodb-throttles", T0 + 60, "ALARM")])  # not row c's: the drill reached further
    world.status()
    world.stop()  # at once, not at the experiment's end
    world.history([("dynamodb-throttles", T0 + 60, "ALARM"), ("dynamodb-throttles", T0 + 400, "OK")])
    world.unmute("c")
    report = world.run(drill)
    assert not report.passed
    assert report.unexpected == {"dynamodb-throttles": 1.0}
    assert "UNEXPECTED dynamodb-throttles" in "\n".join(report.lines())


def test_the_guard_stopping_the_experiment_is_reported(world: World) -> None:
    drill = drill_c()
    world.history()
    world.mute(drill)
    world.start("c")
    world.history([(GUARD_ALARM, T0 + 30, "ALARM")])
    world.status("stopped")  # FIS's stop condition fired
    world.history([(GUARD_ALARM, T0 + 30, "ALARM"), (GUARD_ALARM, T0 + 200, "OK")])
    world.unmute("c")
    report = world.run(drill)
    assert not report.passed
    assert GUARD_ALARM in report.unexpected
    assert "guard" in report.note


def test_a_runner_killed_mid_drill_leaves_no_fault_and_no_mute(world: World) -> None:
    """Ctrl-C / SIGTERM: the experiment is stopped and the mute deleted before the runner exits. A SIGKILL
    cannot clean up, so the mute rule carries its own end: it expires by itself when the drill would have."""
    drill = drill_c()
    world.history()
    world.mute(drill)
    world.start("c")
    world.history()
    world.status()
    world.stop()
    world.unmute("c")
    world.clock.interrupt_after = 0
    with pytest.raises(KeyboardInterrupt):
        world.run(drill)
    for s in world.stubs.values():
        s.assert_no_pending_responses()


def test_the_mute_rule_ends_by_itself_when_the_drill_would_have() -> None:
    world = World()
    drill = drill_c()
    calls: list[dict[str, Any]] = []
    world.home.meta.events.register(
        "provide-client-params.cloudwatch.PutAlarmMuteRule", lambda params, **_: calls.append(params)
    )
    world.stubs["home"].add_response("put_alarm_mute_rule", {}, None)
    world.stubs["home"].add_response("get_alarm_mute_rule", {"Status": "ACTIVE"}, None)
    world.stubs["home"].activate()
    until = T0 + (drill.duration_min + RECOVERY) * 60
    world.backend.mute(drill, until=until)
    (params,) = calls
    schedule = params["Rule"]["Schedule"]
    assert schedule["Expression"] == f"at({datetime.fromtimestamp(T0, UTC):%Y-%m-%dT%H:%M})"
    minutes = int(schedule["Duration"].removeprefix("PT").removesuffix("M"))
    assert params["ExpireDate"].timestamp() <= until + 60
    assert T0 + minutes * 60 <= until + 120  # the window ends with the drill's latest end, not later
    assert params["MuteTargets"] == {"AlarmNames": [PLAN.cfg.alarm_name("lambda-errors")]}


def test_a_drill_refuses_to_start_while_its_alarm_is_already_in_alarm(world: World) -> None:
    drill = drill_c()
    world.history([("lambda-errors", T0 - 120, "ALARM")])
    for s in world.stubs.values():
        s.activate()
    with pytest.raises(DrillRefused, match="lambda-errors already in ALARM"):
        run_drill(drill, world.backend, clock=world.clock, poll_s=POLL)
    for s in world.stubs.values():
        s.assert_no_pending_responses()  # nothing muted, nothing started


def test_a_window_alarm_that_notifies_nobody_is_reported_but_fails_nothing(world: World) -> None:
    """A composite's window (no actions) tipped by the background pages nobody: listed, not failed on."""
    window = "route-list_orders-slow-share-5min"
    quiet = {a.key for a in PLAN.alarms if not a.notify}
    assert window in quiet
    drill = drill_c()
    world.history()
    world.mute(drill)
    world.start("c")
    world.history([(window, T0 + 60, "ALARM")])
    world.status()  # not stopped for it: the drill goes on
    world.history([(window, T0 + 60, "ALARM"), ("lambda-errors", T0 + 120, "ALARM")])
    world.status()
    world.stop()
    world.history([("lambda-errors", T0 + 120, "ALARM"), ("lambda-errors", T0 + 500, "OK")])
    world.unmute("c")
    for s in world.stubs.values():
        s.activate()
    report = run_drill(drill, world.backend, clock=world.clock, poll_s=POLL, recovery_min=RECOVERY, quiet=quiet)
    assert report.passed, report.lines()
    assert report.also == {window: 1.0}
    assert "notifies nobody" in "\n".join(report.lines())


def test_a_mute_that_never_becomes_active_starts_nothing_and_is_deleted(world: World) -> None:
    drill = drill_c()
    world.backend.mute_wait_s = 10
    world.history()
    names = [PLAN.cfg.alarm_name("lambda-errors")]
    world.stubs["home"].add_response("put_alarm_mute_rule", {}, None)
    for _ in range(3):  # t = 0, 5, 10 s: still scheduled
        world.stubs["home"].add_response(
            "get_alarm_mute_rule", {"Status": "SCHEDULED", "MuteTargets": {"AlarmNames": names}}, None
        )
    world.unmute("c")  # no start_experiment stubbed: starting one would fail the test
    for s in world.stubs.values():
        s.activate()
    with pytest.raises(TimeoutError, match="not active"):
        run_drill(drill, world.backend, clock=world.clock, poll_s=POLL)
    for s in world.stubs.values():
        s.assert_no_pending_responses()
