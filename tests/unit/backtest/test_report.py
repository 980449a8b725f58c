"""The backtest report (backtest/report.py, backtest/replay.py): notifications counted by the alarm's
severity, and the retention stretches stated, with alarms whose period is shorter than a stretch's
resolution not judged there."""

from __future__ import annotations

import dataclasses

from backtest.history import History, Metric, Stretch
from backtest.plan import configured, judged
from backtest.replay import run
from backtest.report import at, render
from observability.simulator.series import MetricKey

FUNCTION = "fn"
T0 = 28_000_020  # epoch minutes, on the hour


def throttled(stretches: tuple[Stretch, ...], minutes: dict[int, float], *, key: str = "Throttles") -> History:
    stat = "Maximum" if key == "ConcurrentExecutions" else "Sum"
    return History(
        source="test",
        start=stretches[0].first,
        end=stretches[-1].end,
        judged_from=stretches[0].first,
        metrics={
            MetricKey.of("AWS/Lambda", key, {"FunctionName": FUNCTION}): Metric(
                stats={m: {stat: v, "SampleCount": 1.0} for m, v in minutes.items()}
            )
        },
        stretches=stretches,
        refs={"function_name": FUNCTION},
    )


def test_notifications_are_counted_by_severity() -> None:
    setup = configured()
    alarms = judged(setup.plan, {"function_name": FUNCTION})
    h = throttled((Stretch(T0, T0 + 120, 60),), {T0 + 30: 4.0})
    r = run(alarms.evaluator, h)
    lines, summary = render(alarms.model, r, title="t")
    assert "  TICKET lambda-throttles: 1 notification(s), 15 min in ALARM, incident 1" in lines
    assert f"         at {at(T0 + 31)} (15 min)" in lines
    assert " 0 page(s) and 1 ticket(s) from 1 alarm(s) in 1 incident(s)" in summary
    as_page = dict(alarms.model) | {
        "lambda-throttles": dataclasses.replace(alarms.model["lambda-throttles"], severity="page")
    }
    lines, summary = render(as_page, r, title="t")
    assert "  PAGE   lambda-throttles: 1 notification(s), 15 min in ALARM, incident 1" in lines
    assert " 1 page(s) and 0 ticket(s) from 1 alarm(s) in 1 incident(s)" in summary


def test_each_stretch_says_its_resolution_and_shorter_periods_are_not_judged_there() -> None:
    setup = configured()  # reserved concurrency 10: a 1-minute utilisation alarm (2 of 3 at 80 %)
    alarms = judged(setup.plan, {"function_name": FUNCTION})
    old, recent = Stretch(T0, T0 + 300, 300), Stretch(T0 + 300, T0 + 600, 60)
    # Saturated at the 5-minute datapoints of the old stretch and for 5 minutes of the recent one.
    busy = {m: 10.0 for m in range(T0, T0 + 300, 5)} | {m: 10.0 for m in range(T0 + 400, T0 + 405)}
    r = run(alarms.evaluator, throttled((old, recent), busy, key="ConcurrentExecutions"))
    lines, _ = render(alarms.model, r, title="t")
    assert f"  {at(T0)} .. {at(T0 + 300)} judged at 5-minute resolution" in lines
    assert f"  {at(T0 + 300)} .. {at(T0 + 600)} judged at 1-minute resolution" in lines
    utilisation = r.outcomes["lambda-concurrency-utilisation"]
    assert utilisation.coarse
    assert [e.start for e in utilisation.episodes] == [T0 + 402]  # the recent stretch's only
    assert any("coarser than their period" in line and "lambda-concurrency-utilisation" in line for line in lines)


def test_an_alarm_in_a_coarser_stretch_does_not_notify_there() -> None:
    """Hourly data (older than 63 days) holds a throttle: a 5-minute alarm's ALARM there is not evidence."""
    setup = configured()
    alarms = judged(setup.plan, {"function_name": FUNCTION})
    hourly, recent = Stretch(T0, T0 + 240, 3600), Stretch(T0 + 240, T0 + 360, 60)
    r = run(alarms.evaluator, throttled((hourly, recent), {T0 + 60: 3.0, T0 + 300: 1.0}))
    throttles = r.outcomes["lambda-throttles"]
    assert [e.start for e in throttles.episodes] == [T0 + 301]
    lines, summary = render(alarms.model, r, title="t")
    assert any("coarser than their period" in line and "lambda-throttles" in line for line in lines)
    assert " 0 page(s) and 1 ticket(s)" in summary  # lambda-throttles tickets (a cause)
