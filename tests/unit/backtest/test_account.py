"""The account source of `make backtest` (backtest/account.py) against botocore Stubber responses: no
account, no network. Pagination, the retention switch, sparse metrics, throttling retries, the API's
limits, and the clear errors (no credentials, no stack) that leave nothing written."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from botocore.stub import ANY, Stubber

from backtest import account, cli
from backtest.account import MAX_DATAPOINTS, MAX_QUERIES, Query, download, stretches
from backtest.errors import BacktestError
from backtest.history import Stretch
from backtest.plan import configured, judged
from observability.simulator.series import MetricKey
from tests.support.stubbed_aws import Session

NOW_S = 1_800_000_000  # a fixed "now" (2027-01-15 08:00Z), a multiple of 1 h
NOW = NOW_S // 60
FUNCTION = "OrdersApi-Service-ApiFunction-abc123"
THROTTLES = MetricKey.of("AWS/Lambda", "Throttles", {"FunctionName": FUNCTION})
HOME, EDGE = "eu-west-1", "us-east-1"


def at(minute: int) -> datetime:
    return datetime.fromtimestamp(minute * 60, UTC)


def result(qid: str, points: dict[int, float], *, partial: bool = False) -> dict[str, Any]:
    return {
        "Id": qid,
        "Label": qid,
        "Timestamps": [at(m) for m in points],
        "Values": list(points.values()),
        "StatusCode": "PartialData" if partial else "Complete",
    }


def test_pages_are_followed_and_merged_and_sparse_minutes_stay_missing() -> None:
    session = Session()
    cw = session.stub("cloudwatch", HOME)
    s = Stretch(NOW - 60, NOW, 60)
    q = [Query(HOME, THROTTLES, "Sum"), Query(HOME, THROTTLES, "SampleCount")]
    # Sparse: CloudWatch returns no datapoint for minutes without data (never a zero).
    cw.add_response(
        "get_metric_data",
        {
            "MetricDataResults": [result("q0", {NOW - 50: 3.0}, partial=True), result("q1", {NOW - 50: 1.0})],
            "NextToken": "page-2",
        },
        {
            "MetricDataQueries": ANY,
            "StartTime": at(NOW - 60),
            "EndTime": at(NOW),
            "ScanBy": "TimestampAscending",
            "MaxDatapoints": MAX_DATAPOINTS,
        },
    )
    cw.add_response(
        "get_metric_data",
        {"MetricDataResults": [result("q0", {NOW - 10: 5.0}), result("q1", {NOW - 10: 1.0})]},
        {
            "MetricDataQueries": ANY,
            "StartTime": ANY,
            "EndTime": ANY,
            "ScanBy": ANY,
            "MaxDatapoints": ANY,
            "NextToken": "page-2",
        },
    )
    metrics = download(session, q, [s], progress=lambda _: None)
    session.done()
    assert metrics[THROTTLES].stats == {
        NOW - 50: {"Sum": 3.0, "SampleCount": 1.0},
        NOW - 10: {"Sum": 5.0, "SampleCount": 1.0},
    }
    # The 58 minutes without a datapoint are missing, not zero: a 5-minute Sum over them has no datapoint.
    series = metrics[THROTTLES].series(NOW - 60)
    assert series.aggregate(0, 5, "Sum") is None
    assert series.aggregate(5, 15, "Sum") == 3.0
    assert series.aggregate(0, 60, "Sum") == 8.0


def test_retention_switches_the_period_by_age_and_says_so() -> None:
    days = 20
    parts = stretches(NOW - days * 1440, NOW, NOW)
    assert [(p.resolution_s, (p.end - p.first) // 1440) for p in parts] == [(300, 5), (60, 15)]
    assert parts[0].end == parts[1].first  # contiguous
    assert all(p.first % (p.resolution_s // 60) == 0 for p in parts)
    far = stretches(NOW - 100 * 1440, NOW, NOW)
    assert [p.resolution_s for p in far] == [3600, 300, 60]
    assert far[1].first == NOW - 63 * 1440
    assert far[2].first == NOW - 15 * 1440
    with pytest.raises(BacktestError, match="455 days"):
        stretches(NOW - 456 * 1440, NOW, NOW)

    # Each stretch is asked at its own period, and a 1-minute alarm is not judged where data is 5-minute.
    session = Session()
    cw = session.stub("cloudwatch", HOME)
    periods = []
    for p in parts:

        def answer(p: Stretch = p) -> dict[str, Any]:
            return {"MetricDataResults": [result("q0", {p.first: 1.0})]}

        cw.add_response(
            "get_metric_data",
            answer(),
            {
                "MetricDataQueries": [
                    {
                        "Id": "q0",
                        "MetricStat": {
                            "Metric": {
                                "Namespace": "AWS/Lambda",
                                "MetricName": "Throttles",
                                "Dimensions": [{"Name": "FunctionName", "Value": FUNCTION}],
                            },
                            "Period": p.resolution_s,
                            "Stat": "Sum",
                        },
                        "ReturnData": True,
                    }
                ],
                "StartTime": at(p.first),
                "EndTime": at(p.end),
                "ScanBy": "TimestampAscending",
                "MaxDatapoints": MAX_DATAPOINTS,
            },
        )
        periods.append(p.resolution_s)
    metrics = download(session, [Query(HOME, THROTTLES, "Sum")], parts, progress=lambda _: None)
    session.done()
    assert sorted(metrics[THROTTLES].stats) == [p.first for p in parts]


def test_throttling_is_retried_with_backoff_then_reported() -> None:
    session = Session()
    cw = session.stub("cloudwatch", HOME)
    for _ in range(2):
        cw.add_client_error("get_metric_data", service_error_code="Throttling", http_status_code=400)
    cw.add_response("get_metric_data", {"MetricDataResults": [result("q0", {NOW - 5: 2.0})]})
    slept: list[float] = []
    said: list[str] = []
    metrics = download(
        session, [Query(HOME, THROTTLES, "Sum")], [Stretch(NOW - 60, NOW, 60)], progress=said.append, sleep=slept.append
    )
    assert slept == [1.0, 2.0]
    assert metrics[THROTTLES].stats == {NOW - 5: {"Sum": 2.0}}
    assert sum("throttled" in line for line in said) == 2

    for _ in range(account.RETRIES + 1):
        cw.add_client_error("get_metric_data", service_error_code="ThrottlingException", http_status_code=400)
    with pytest.raises(BacktestError, match=r"kept throttling .* nothing was written"):
        download(
            session,
            [Query(HOME, THROTTLES, "Sum")],
            [Stretch(NOW - 60, NOW, 60)],
            progress=lambda _: None,
            sleep=lambda _: None,
        )


def _stack_outputs(session: Session) -> None:
    service = {
        "FunctionName": FUNCTION,
        "TableName": "orders",
        "FunctionArn": f"arn:aws:lambda:{HOME}:123456789012:function:{FUNCTION}",
    }
    edge = {"DistributionId": "E1ABC", "WebAclName": "OrdersApiWebAcl"}
    for region, stack, outs in ((HOME, "OrdersApi-Service", service), (EDGE, "OrdersApi-Edge", edge)):
        session.stub("cloudformation", region).add_response(
            "describe_stacks",
            {
                "Stacks": [
                    {
                        "StackName": stack,
                        "CreationTime": at(NOW - 10**5),
                        "StackStatus": "UPDATE_COMPLETE",
                        "Outputs": [{"OutputKey": k, "OutputValue": v} for k, v in outs.items()],
                    }
                ]
            },
            {"StackName": stack},
        )


def test_the_whole_plan_is_fetched_within_the_api_limits() -> None:
    """Every metric statistic the plan's alarms read is requested, in calls of at most 500 queries and
    100,800 datapoints, from the alarm's region; and the replay reads what came back."""
    setup = configured()
    session = Session()
    _stack_outputs(session)
    names = account.deployed_names(setup, session)
    assert names.refs["function_name"] == FUNCTION
    assert names.refs["distribution_id"] == "E1ABC"
    requests: list[tuple[str, dict[str, Any]]] = []
    for region in (HOME, EDGE):
        c = session.client("cloudwatch", region)
        stub = session.stub("cloudwatch", region)

        def answer(params: dict[str, Any], region: str = region, stub: Stubber = stub, **_: Any) -> None:
            requests.append((region, params))
            # Every query gets a datapoint in its first minute: the history then has every metric.
            first = int(params["StartTime"].timestamp()) // 60
            stub.add_response(
                "get_metric_data",
                {"MetricDataResults": [result(q["Id"], {first: 0.0}) for q in params["MetricDataQueries"]]},
            )

        c.meta.events.register("provide-client-params.cloudwatch.GetMetricData", answer)
    history = account.fetch(setup, names, session, days=14, progress=lambda _: None, now_s=NOW_S)
    assert requests
    for _region, params in requests:
        qs = params["MetricDataQueries"]
        minutes = (int(params["EndTime"].timestamp()) - int(params["StartTime"].timestamp())) // 60
        period = qs[0]["MetricStat"]["Period"]
        assert len(qs) <= MAX_QUERIES
        assert len(qs) * minutes * 60 // period <= MAX_DATAPOINTS
    asked = {
        (
            r,
            q["MetricStat"]["Metric"]["Namespace"],
            q["MetricStat"]["Metric"]["MetricName"],
            tuple((d["Name"], d["Value"]) for d in q["MetricStat"]["Metric"]["Dimensions"]),
            q["MetricStat"]["Stat"],
        )
        for r, p in requests
        for q in p["MetricDataQueries"]
    }
    alarms = judged(setup.plan, names.refs)
    for key, a in alarms.metric_alarms.items():
        region = names.region(alarms.model[key].region)
        for st in a.stats.values():
            stat = st.statistic if st.statistic not in ("Average",) else "Sum"
            assert (region, st.key.namespace, st.key.name, st.key.dimensions, stat) in asked, (key, st)
    # CloudFront and WAF metrics are asked in us-east-1 only.
    assert {r for r, ns, *_ in asked if ns in ("AWS/CloudFront", "AWS/WAFV2")} == {EDGE}
    assert history.end - history.judged_from == 14 * 1440
    assert history.judged_from - history.start >= 18 * 60  # the 6-hour windows' history, fetched too
    # The budget leak's 3-day window reaches past the 15 days CloudWatch keeps 1-minute data: 5-minute there.
    assert [s.resolution_s for s in history.stretches] == [300, 60]
    # Every metric every alarm reads came back into the history (the replay has something to judge).
    assert all(history.has_data(st.key) for a in alarms.metric_alarms.values() for st in a.stats.values())


def test_no_stack_in_the_region_is_a_clear_error_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    session = Session()
    session.stub("cloudformation", HOME).add_client_error(
        "describe_stacks",
        service_error_code="ValidationError",
        service_message="Stack with id OrdersApi-Service does not exist",
        http_status_code=400,
    )
    saved = tmp_path / "history.json"
    assert cli.main(["--source", "account", "--save", str(saved)], session=session) == 2
    err = capsys.readouterr().err
    assert "no stack OrdersApi-Service in eu-west-1" in err
    assert "nothing was written" in err
    assert not saved.exists()
    assert list(tmp_path.iterdir()) == []


def test_missing_credentials_is_a_clear_error_and_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import boto3

    for var in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", raising=False)
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", raising=False)
    monkeypatch.delenv("AWS_WEB_IDENTITY_TOKEN_FILE", raising=False)
    saved = tmp_path / "out" / "history.json"
    assert cli.main(["--source", "account", "--save", str(saved)], session=boto3.Session()) == 2
    err = capsys.readouterr().err
    assert "no AWS credentials" in err
    assert "nothing was written" in err
    assert not saved.parent.exists()
