"""The evaluator's incremental path (each datapoint computed once per scenario and lag offset, states reused
over quiet stretches, percentile ranks from prefix counts) gives exactly what evaluating every minute from
scratch gives: ``range_at`` (the range one evaluation computes from what had landed) + ``decide``."""

from __future__ import annotations

import random

import pytest

from observability.simulator.evaluator import (
    _COMPARE,
    ALARM,
    INSUFFICIENT,
    OK,
    MetricAlarm,
    MetricStat,
    Timeline,
    decide,
)
from observability.simulator.series import EMF_NAMESPACE, MetricKey, Sample, Scenario, Series, aggregate

EMF = MetricKey.of(EMF_NAMESPACE, "Latency", {"route": "r"})
FAULT = MetricKey.of(EMF_NAMESPACE, "Fault", {"route": "r"})
URL = MetricKey.of("AWS/Lambda", "UrlRequestCount", {"FunctionName": "f"})
THROTTLES = MetricKey.of("AWS/DynamoDB", "ReadThrottleEvents", {"TableName": "t"})
MINUTES = 480


def _varied(seed: int) -> Scenario:
    """Eight hours with quiet stretches, bursts, gaps of every length and a source that stops for a while."""
    rnd = random.Random(seed)
    latency: dict[int, list[float] | None] = {}
    fault: dict[int, list[float] | None] = {}
    url: dict[int, float | None] = {}
    throttles: dict[int, float | None] = {}
    for m in range(MINUTES):
        phase = (m // 45) % 4  # quiet, busy, failing, gone
        n = 0 if phase == 3 or rnd.random() < 0.15 else rnd.randint(1, 4 if phase == 0 else 30)
        slow = 0.6 if phase == 2 else 0.02
        latency[m] = [rnd.choice((120.0, 250.0, 300.0)) if rnd.random() > slow else 900.0 for _ in range(n)] or None
        fault[m] = [1.0 if rnd.random() < (0.3 if phase == 2 else 0.01) else 0.0 for _ in range(n)] or None
        url[m] = None if phase == 3 and m % 7 else float(n + rnd.randint(0, 3))
        throttles[m] = float(rnd.randint(1, 9)) if phase == 2 and rnd.random() < 0.5 else None
    return (
        Scenario(end=MINUTES, start=rnd.randint(0, 30))
        .add(EMF.namespace, EMF.name, dict(EMF.dimensions), Series.raw(latency))
        .add(FAULT.namespace, FAULT.name, dict(FAULT.dimensions), Series.raw(fault))
        .add(URL.namespace, URL.name, dict(URL.dimensions), Series.counter(url))
        .add(THROTTLES.namespace, THROTTLES.name, dict(THROTTLES.dimensions), Series.counter(throttles))
    )


def _alarm(name: str, stats: dict[str, MetricStat], expr: str | None, threshold: float, **kw: object) -> MetricAlarm:
    period = next(iter(stats.values())).period_s
    return MetricAlarm(
        name=name,
        stats=stats,
        expressions={"e": expr} if expr else {},
        result="e" if expr else next(iter(stats)),
        period_s=period,
        threshold=threshold,
        comparison=str(kw.pop("comparison", "GreaterThanOrEqualToThreshold")),
        **kw,  # type: ignore[arg-type]
    )


def _alarms() -> list[MetricAlarm]:
    def st(key: MetricKey, stat: str, minutes: int) -> MetricStat:
        return MetricStat(key, stat, minutes * 60)

    out = []
    treatments = ("missing", "ignore", "breaching", "notBreaching")
    for i, (minutes, n, m) in enumerate(((1, 3, 2), (5, 3, 3), (60, 1, 1), (360, 1, 1), (1, 2, 1))):
        for treatment in treatments[i % 2 :: 2]:  # every treatment under short and long periods
            kw = {"evaluation_periods": n, "datapoints_to_alarm": m, "treat_missing_data": treatment}
            out += [
                _alarm(
                    f"slow share {minutes} {treatment}",
                    {"fast": st(EMF, "PR(:300)", minutes), "requests": st(EMF, "SampleCount", minutes)},
                    "IF(requests >= 10 AND (100 - fast) * requests / 100 >= 1.5, (100 - fast) / 10, 0)",
                    1,
                    **kw,
                ),
                _alarm(
                    f"refused {minutes} {treatment}",  # two sources: EMF and AWS/Lambda, landing apart
                    {"url": st(URL, "Sum", minutes), "answered": st(FAULT, "SampleCount", minutes)},
                    "IF(FILL(url, 0) >= 5, 100 * (FILL(url, 0) - FILL(answered, 0)) / FILL(url, 0))",
                    10,
                    **kw,
                ),
                _alarm(f"p99 {minutes} {treatment}", {"p": st(EMF, "p99", minutes)}, None, 800, **kw),
                _alarm(f"fault avg {minutes} {treatment}", {"f": st(FAULT, "Average", minutes)}, None, 0.1, **kw),
                _alarm(
                    f"max vs peak {minutes} {treatment}",  # a scalar reduction: reads the whole range
                    {"x": st(EMF, "Maximum", minutes)},
                    "x / MAX(x) * 100",
                    99,
                    **kw,
                ),
                _alarm(f"throttles {minutes} {treatment}", {"t": st(THROTTLES, "Sum", minutes)}, "FILL(t, 0)", 1, **kw),
                _alarm(
                    f"few {minutes} {treatment}",
                    {"u": st(URL, "Minimum", minutes)},
                    None,
                    2,
                    comparison="LessThanThreshold",
                    **kw,
                ),
            ]
    return out


def _from_scratch(alarm: MetricAlarm, scn: Scenario, extra: int) -> Timeline:
    """Every minute on its own: the range as that evaluation computed it, then the documented decision."""
    p, rng = alarm.period_s // 60, alarm.evaluation_periods + extra
    state, states, values = INSUFFICIENT, {}, {}
    for T in range(scn.start + 1, scn.end + 1):
        seen = alarm.range_at(scn, T, extra_datapoints=extra)
        window = [T - j * p for j in reversed(range(rng))]
        points = [None if t not in seen else _COMPARE[alarm.comparison](seen[t], alarm.threshold) for t in window]
        state = decide(
            points,
            alarm.evaluation_periods,
            alarm.datapoints_to_alarm,
            alarm.treat_missing_data,
            state,
            dynamodb=alarm.on_dynamodb,
        )
        states[T] = state
        if T in seen:
            values[T] = seen[T]
    return Timeline(alarm.name, states, values)


@pytest.mark.parametrize(
    ("seed", "lags", "extra"),
    [(1, {}, 2), (2, {"emf": 2, "lambda": 1}, 2), (3, {"emf": 3}, 0), (4, {"lambda": 2, "dynamodb": 1}, 3)],
)
def test_incremental_evaluation_equals_evaluating_every_minute_from_scratch(
    seed: int, lags: dict[str, int], extra: int
) -> None:
    scn = _varied(seed).lagged(lags)
    seen_states: set[str] = set()
    for alarm in _alarms():
        got = alarm.evaluate(scn, extra_datapoints=extra)
        want = _from_scratch(alarm, scn, extra)
        assert got.states == want.states, alarm.name
        assert got.values == want.values, alarm.name
        seen_states |= set(got.states.values())
    assert seen_states == {OK, ALARM, INSUFFICIENT}  # the timeline exercises every state


def test_percentile_ranks_from_prefix_counts_equal_counting_the_values() -> None:
    rnd = random.Random(7)
    series = Series.raw(
        {m: [rnd.choice((99.0, 100.0, 100.5, 300.0, 2000.0)) for _ in range(rnd.randint(0, 5))] for m in range(200)}
    )
    for start in range(0, 200, 7):
        for end in (start, start + 1, start + 5, start + 60, start + 400):
            for stat in ("PR(:100)", "PR(100:2000)", "PR(100.5:)", "PR(-1e3:3e2)"):
                assert series.aggregate(start, end, stat) == aggregate(series.window(start, end), stat)


def test_a_percentile_rank_without_raw_values_is_still_refused() -> None:
    series = Series({0: Sample.of([1.0, 2.0]), 1: Sample(5.0, 2, 2.0, 3.0)})  # minute 1: no raw values
    assert series.aggregate(0, 1, "PR(:1)") == 50.0
    with pytest.raises(ValueError, match="raw values"):
        series.aggregate(0, 2, "PR(:1)")
