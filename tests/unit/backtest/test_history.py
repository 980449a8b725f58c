"""A history's pieces (backtest/history.py, backtest/statistics.py): per-minute CloudWatch statistics
aggregate into longer periods as CloudWatch's own would (a percentile rank weighted by sample counts), the
evaluator reads them, and a history file is written whole or not at all and refused when malformed."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from backtest import history as histories
from backtest.history import History, HistoryError, Metric, Stretch
from backtest.statistics import StatSeries, needed
from observability.simulator.evaluator import MetricAlarm, MetricStat
from observability.simulator.series import MetricKey, Scenario, Series
from tests.support.paths import ROOT

LATENCY = MetricKey.of("OrdersApi", "Latency", {"service": "orders-api"})


def per_minute_stats(raw: dict[int, list[float]]) -> dict[int, dict[str, float]]:
    """What GetMetricData returns per minute for these raw values (Sum, SampleCount, Min, Max, PR(:100))."""
    return {
        m: {
            "Sum": sum(v),
            "SampleCount": float(len(v)),
            "Minimum": min(v),
            "Maximum": max(v),
            "PR(:100)": 100.0 * sum(x <= 100 for x in v) / len(v),
        }
        for m, v in raw.items()
    }


RAW = {0: [50.0, 120.0, 80.0], 1: [300.0], 3: [10.0, 20.0, 30.0, 400.0, 90.0], 7: [99.0, 101.0]}


@pytest.mark.parametrize("statistic", ["Sum", "SampleCount", "Average", "Minimum", "Maximum", "PR(:100)"])
@pytest.mark.parametrize(("start", "end"), [(0, 1), (0, 5), (1, 4), (2, 3), (0, 60), (4, 7)])
def test_per_minute_statistics_aggregate_like_the_raw_values(statistic: str, start: int, end: int) -> None:
    exact = Series.raw(RAW).aggregate(start, end, statistic)
    got = StatSeries(per_minute_stats(RAW)).aggregate(start, end, statistic)
    assert got == pytest.approx(exact) if exact is not None else got is None


def test_the_evaluator_reads_a_statistics_series() -> None:
    """A 5-minute PR(:100) alarm judges the same over per-minute statistics as over the raw values."""
    alarm = MetricAlarm(
        "slow", {"m": MetricStat(LATENCY, "PR(:100)", 300)}, {}, "m", 300, 60, "LessThanThreshold", 1, 1
    )
    raw, stats = Scenario(end=12), Scenario(end=12)
    raw.add(LATENCY.namespace, LATENCY.name, dict(LATENCY.dimensions), Series.raw(RAW))
    stats.add(LATENCY.namespace, LATENCY.name, dict(LATENCY.dimensions), StatSeries(per_minute_stats(RAW)))
    assert alarm.evaluate(stats).states == alarm.evaluate(raw).states
    assert "ALARM" in alarm.evaluate(stats).states.values()


def test_what_to_fetch_for_each_statistic() -> None:
    assert needed("Average") == ("Sum", "SampleCount")
    assert needed("PR(:300)") == ("PR(:300)", "SampleCount")
    assert needed("Maximum") == ("Maximum",)


def sample_history() -> History:
    return History(
        source="test",
        start=100,
        end=200,
        judged_from=120,
        metrics={
            LATENCY: Metric(raw={101: (1.0, 2.0)}),
            MetricKey.of("AWS/Lambda", "Throttles", {"FunctionName": "f"}): Metric(stats={150: {"Sum": 2.0}}),
        },
        stretches=(Stretch(100, 200, 60),),
        refs={"function_name": "f"},
    )


@pytest.mark.parametrize("name", ["h.json", "h.json.gz"])
def test_a_saved_history_reads_back_the_same(tmp_path: Path, name: str) -> None:
    h = sample_history()
    histories.save(h, tmp_path / name)
    assert histories.load(tmp_path / name) == h
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no temporary file left behind


def test_a_failed_save_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "h.json"
    histories.save(sample_history(), target)
    before = target.read_bytes()

    def broken(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(histories.os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        histories.save(sample_history(), target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["h.json"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not json", "not a JSON history"),
        (json.dumps({"format": "other"}).encode(), "not a backtest history"),
        (gzip.compress(json.dumps({"format": histories.FORMAT}).encode(), mtime=0), "malformed history"),
        (json.dumps({**histories.to_json(sample_history()), "judged_from": 300}).encode(), "inconsistent"),
    ],
)
def test_a_malformed_file_is_refused_clearly(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(HistoryError, match=message):
        histories.load(path)


def test_a_missing_file_is_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(HistoryError, match="cannot read"):
        histories.load(tmp_path / "nope.json")


def test_the_backtest_needs_no_cdk() -> None:
    """`make backtest` builds the plan without jsii: importing the command loads no aws_cdk module."""
    import subprocess
    import sys

    code = "import sys, backtest.cli; print(sorted(m for m in sys.modules if m.startswith(('aws_cdk', 'jsii'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"
