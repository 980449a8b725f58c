"""``make backtest AGAINST=deployed`` (backtest/deployed.py): the deployed alarms (DescribeAlarms) replayed
beside the working tree's over one history, and the evaluator's fidelity: replaying a recorded
DescribeAlarmHistory's alarm against the same definition reproduces its transitions, and a transition
the replay cannot reproduce is named. The AWS responses are written in the API's shapes; the paths
through the AWS clients run under botocore Stubber."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from backtest import cli, deployed
from backtest import history as histories
from backtest.history import History, Metric, Stretch
from backtest.plan import configured, judged
from backtest.replay import run
from backtest.report import at
from observability.simulator.evaluator import CompositeAlarm
from observability.simulator.series import MetricKey
from tests.support.stubbed_aws import Session

ACCOUNT, HOME, EDGE = "123456789012", "eu-west-1", "us-east-1"
FUNCTION = "OrdersApi-Service-ApiFunction-abc123"
T0 = 29_500_000 - 29_500_000 % 60  # 10:00 on some day, epoch minutes
THROTTLES = MetricKey.of("AWS/Lambda", "Throttles", {"FunctionName": FUNCTION})
TOPIC = f"arn:aws:sns:{HOME}:{ACCOUNT}:orders-api-alarms"


def arn(name: str) -> str:
    return f"arn:aws:cloudwatch:{HOME}:{ACCOUNT}:alarm:{name}"


# What DescribeAlarms returns for a deployed throttles alarm that judges 1-minute periods (the working tree
# judges 5 minutes: a flapping throttle pages once instead of twice).
DEPLOYED_THROTTLES = {
    "AlarmName": "orders-api-lambda-throttles",
    "AlarmArn": arn("orders-api-lambda-throttles"),
    "ActionsEnabled": True,
    "OKActions": [TOPIC],
    "AlarmActions": [TOPIC],
    "InsufficientDataActions": [],
    "StateValue": "OK",
    "MetricName": "Throttles",
    "Namespace": "AWS/Lambda",
    "Statistic": "Sum",
    "Dimensions": [{"Name": "FunctionName", "Value": FUNCTION}],
    "Period": 60,
    "EvaluationPeriods": 1,
    "DatapointsToAlarm": 1,
    "Threshold": 0.0,
    "ComparisonOperator": "GreaterThanThreshold",
    "TreatMissingData": "notBreaching",
}
THROTTLED_AT = (T0 + 2, T0 + 12, T0 + 120)  # 10:02 and 10:12 (one failure), 12:00 (another)


def item(name: str, minute: int, second: int, old: str, new: str) -> dict[str, Any]:
    """A DescribeAlarmHistory StateUpdate item as CloudWatch writes it."""
    return {
        "AlarmName": name,
        "AlarmType": "MetricAlarm",
        "Timestamp": datetime.fromtimestamp(minute * 60 + second, UTC),
        "HistoryItemType": "StateUpdate",
        "HistorySummary": f"Alarm updated from {old} to {new}",
        "HistoryData": json.dumps(
            {
                "version": "1.0",
                "oldState": {"stateValue": old, "stateReason": "..."},
                "newState": {"stateValue": new, "stateReason": "Threshold Crossed: 1 datapoint ..."},
            }
        ),
    }


# Its state history in DescribeAlarmHistory's shape (written for this test, not captured from an account),
# timed as CloudWatch documents a sparse metric: a lone breaching datapoint stays in the evaluation range
# (3 datapoints for EvaluationPeriods 1) for 3 minutes, evaluated some seconds into each minute.
REAL = [
    item("orders-api-lambda-throttles", T0 + 3, 21, "OK", "ALARM"),
    item("orders-api-lambda-throttles", T0 + 6, 20, "ALARM", "OK"),
    item("orders-api-lambda-throttles", T0 + 13, 22, "OK", "ALARM"),
    item("orders-api-lambda-throttles", T0 + 16, 19, "ALARM", "OK"),
    item("orders-api-lambda-throttles", T0 + 121, 20, "OK", "ALARM"),
    item("orders-api-lambda-throttles", T0 + 124, 21, "ALARM", "OK"),
]


def history() -> History:
    """What GetMetricData returns for the function's throttles: a datapoint only where it throttled."""
    stats = {m: {"Sum": 1.0, "SampleCount": 1.0} for m in THROTTLED_AT}
    return History(
        source="the account (test)",
        start=T0 - 60,
        end=T0 + 240,
        judged_from=T0,
        metrics={THROTTLES: Metric(stats=stats)},
        stretches=(Stretch(T0 - 60, T0 + 240, 60),),
        refs={"function_name": FUNCTION},
    )


def test_replaying_the_recorded_history_reproduces_its_transitions() -> None:
    dep = deployed.from_describe([(HOME, DEPLOYED_THROTTLES)], "orders-api-", [(HOME, i) for i in REAL])
    h = history()
    replay = run(dep.aset, h, initial=dep.initial(h.judged_from))
    matched, total, lines = deployed.fidelity(dep, replay, h.judged_from)
    assert (matched, total, lines) == (6, 6, [])
    # The replay's own transitions, to the minute: the evaluation after each throttled minute.
    mine = deployed.replayed_transitions(replay.timelines["lambda-throttles"], h.start, h.judged_from, "OK")
    assert [(t.minute - T0, t.new) for t in mine] == [
        (3, "ALARM"),
        (6, "OK"),
        (13, "ALARM"),
        (16, "OK"),
        (121, "ALARM"),
        (124, "OK"),
    ]


def test_a_transition_the_replay_cannot_reproduce_is_a_fidelity_line() -> None:
    extra = [item("orders-api-lambda-throttles", T0 + 200, 5, "OK", "ALARM")]  # no data says so
    dep = deployed.from_describe([(HOME, DEPLOYED_THROTTLES)], "orders-api-", [(HOME, i) for i in REAL + extra])
    h = history()
    replay = run(dep.aset, h, initial=dep.initial(h.judged_from))
    matched, total, lines = deployed.fidelity(dep, replay, h.judged_from)
    assert (matched, total) == (6, 7)
    assert lines == [f"  lambda-throttles: AWS went OK -> ALARM at {at(T0 + 200)}; the replay did not"]


def test_the_working_tree_is_compared_alarm_by_alarm_with_what_is_deployed() -> None:
    setup = configured()
    dep = deployed.from_describe([(HOME, DEPLOYED_THROTTLES)], "orders-api-", [(HOME, i) for i in REAL])
    h = history()
    mine = judged(setup.plan, h.refs)
    lines = deployed.compare_lines(setup, dep, h, mine, run(mine.evaluator, h))
    text = "\n".join(lines)
    assert "  lambda-throttles (ticket): deployed 3, working tree 2 notification(s)" in lines
    assert "incidents in their real history (DescribeAlarmHistory): 2; the working tree catches 2 of them" in text
    assert "this change would have notified 1 time(s) fewer (3 -> 2), and still caught the 2 incident(s)" in text
    assert (
        "fidelity (each deployed definition replayed vs its real history, +-3 min): 6 of 6 real transitions reproduced"
        in text
    )


def test_composite_rules_naming_children_by_arn_are_read() -> None:
    children = [
        DEPLOYED_THROTTLES | {"AlarmName": f"orders-api-{k}", "AlarmArn": arn(f"orders-api-{k}"), "AlarmActions": []}
        for k in ("route-health-fault-rate-1h", "route-health-fault-rate-5min")
    ]
    composite = {
        "AlarmName": "orders-api-route-health-fast-burn",
        "AlarmArn": arn("orders-api-route-health-fast-burn"),
        "ActionsEnabled": True,
        "AlarmActions": [TOPIC],
        "StateValue": "OK",
        "AlarmRule": f'ALARM("{arn("orders-api-route-health-fault-rate-1h")}") AND '
        f'ALARM("{arn("orders-api-route-health-fault-rate-5min")}")',
    }
    dep = deployed.from_describe([(HOME, a) for a in [*children, composite]], "orders-api-")
    c = dep.aset.alarms["route-health-fast-burn"]
    assert isinstance(c, CompositeAlarm)
    assert c.children() == ["route-health-fault-rate-1h", "route-health-fault-rate-5min"]
    assert dep.notify == {"route-health-fast-burn"}
    # Without its children deployed (or readable) it cannot be replayed, and says why.
    alone = deployed.from_describe([(HOME, composite)], "orders-api-")
    assert alone.unreadable == {"route-health-fast-burn": "a child alarm is not replayable"}


def test_against_deployed_reads_alarms_and_history_through_the_api(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`make backtest FROM=... AGAINST=deployed`: DescribeStacks, then DescribeAlarms and DescribeAlarmHistory
    in both regions, following NextToken."""
    saved = tmp_path / "h.json"
    histories.save(history(), saved)
    session = Session()
    outputs = {
        ("OrdersApi-Service", HOME): {"FunctionName": FUNCTION},
        ("OrdersApi-Edge", EDGE): {"DistributionId": "E1"},
    }
    for (stack, region), outs in outputs.items():
        session.stub("cloudformation", region).add_response(
            "describe_stacks",
            {
                "Stacks": [
                    {
                        "StackName": stack,
                        "CreationTime": at_dt(T0),
                        "StackStatus": "CREATE_COMPLETE",
                        "Outputs": [{"OutputKey": k, "OutputValue": v} for k, v in outs.items()],
                    }
                ]
            },
            {"StackName": stack},
        )
    home, edge = session.stub("cloudwatch", HOME), session.stub("cloudwatch", EDGE)
    filters = {"AlarmNamePrefix": "orders-api-", "AlarmTypes": ["MetricAlarm", "CompositeAlarm"]}
    # DescribeAlarms: the edge region first (regions in order), the home region in two pages.
    edge.add_response("describe_alarms", {"MetricAlarms": [], "CompositeAlarms": []}, filters)
    home.add_response("describe_alarms", {"MetricAlarms": [], "CompositeAlarms": [], "NextToken": "2"}, filters)
    home.add_response("describe_alarms", {"MetricAlarms": [DEPLOYED_THROTTLES]}, filters | {"NextToken": "2"})
    window = {
        "AlarmTypes": ["MetricAlarm", "CompositeAlarm"],
        "HistoryItemType": "StateUpdate",
        "StartDate": at_dt(T0),
        "EndDate": at_dt(T0 + 240),
        "ScanBy": "TimestampAscending",
    }
    edge.add_response("describe_alarm_history", {"AlarmHistoryItems": []}, window)
    home.add_response("describe_alarm_history", {"AlarmHistoryItems": REAL[:3], "NextToken": "p2"}, window)
    home.add_response("describe_alarm_history", {"AlarmHistoryItems": REAL[3:]}, window | {"NextToken": "p2"})
    out: list[str] = []
    assert cli.main(["--from", str(saved), "--against", "deployed"], session=session, out=out.append) == 0
    session.done()
    text = "\n".join(out)
    assert "lambda-throttles (ticket): deployed 3, working tree 2 notification(s)" in text
    assert "6 of 6 real transitions reproduced" in text


def at_dt(minute: int) -> datetime:
    return datetime.fromtimestamp(minute * 60, UTC)
