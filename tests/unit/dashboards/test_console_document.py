"""The console's /dashboard.json (dashboards/console_document.py) from recorded telemetry (local/telemetry.py):
the deployed layout widget for widget, counts equal to the access lines, alarm states from the simulator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dashboards.console_document import totals
from dashboards.layout import layout
from local.telemetry import Recorder
from observability.aws_published import PlatformMetrics
from observability.failure_modes import by_row, pages
from observability.model import Graph
from observability.plan import plan
from observability.proof import span
from service.contract import METRICS_NAMESPACE
from tests.support.console import T0, Clock, access_line, doc


def state(d: dict[str, Any], key: str) -> str:
    return next(a["state"] for a in d["alarms"] if a["key"] == key)


def test_document_is_the_deployed_layout_widget_for_widget(tmp_path: Path) -> None:
    clock = Clock()
    recorder = Recorder(tmp_path, clock=clock)
    ran: list[str] = []
    d = doc(recorder, clock, ran)
    p = plan(reserved_concurrency=10)
    board = layout(p)
    assert [s["title"] for s in d["sections"]] == [s.title for s in board]
    for section, drawn in zip(board, d["sections"], strict=True):
        titles = [getattr(w, "title", None) for row in section.rows for w in row]
        assert [w.get("title") for row in drawn["rows"] for w in row] == titles
    graphs = [w for s in d["sections"] for row in s["rows"] for w in row if w["type"] == "graph"]
    edge = [g for g in graphs if g.get("no_local_source")]
    model_edge = [w for s in board for row in s.rows for w in row if isinstance(w, Graph) and w.edge]
    assert len(edge) == len(model_edge) > 0
    assert all(not g["series"] for g in edge)
    assert ran == ["init-durations", "recent-errors"]  # the function's log widgets run their saved query


def test_route_counts_equal_the_access_lines(tmp_path: Path) -> None:
    clock = Clock()
    recorder = Recorder(tmp_path, clock=clock)
    sent = [("GET /health", 200)] * 7 + [("POST /orders", 503)] * 2 + [("GET /orders/{order_id}", 404)] * 3
    for i, (route, status) in enumerate(sent):
        clock.now = T0 + i * 7
        recorder.function_line(access_line(route, status, 5.0, clock.now))
    got = totals(recorder.snapshot(), METRICS_NAMESPACE, "orders-api")
    assert got == {
        "GET /health": {"requests": 7, "faults": 0, "client_errors": 0},
        "GET /orders/{order_id}": {"requests": 3, "faults": 0, "client_errors": 3},
        "POST /orders": {"requests": 2, "faults": 2, "client_errors": 0},
    }
    d = doc(recorder, clock)
    requests = next(
        w for s in d["sections"] for row in s["rows"] for w in row if w.get("title") == "GET /health · requests / min"
    )
    assert sum(v for _, v in requests["series"][0]["points"] if v) == 7
    recorder.flush()
    assert len(list((tmp_path / "logs").glob("*.jsonl"))) == 1


def test_dynamodb_throttles_alarm_and_recover_within_the_matrix_minutes(tmp_path: Path) -> None:
    clock = Clock()
    recorder = Recorder(tmp_path, clock=clock)
    metrics = PlatformMetrics(recorder, "fn")
    expected = span(pages(by_row()["e2"])["dynamodb-throttles"])[1]
    assert state(doc(recorder, clock), "dynamodb-throttles") != "ALARM"
    # Minutes 0-2: writes succeed; minutes 3-5: 30 % of them throttled; then healthy calls again.
    alarm_at = ok_at = None
    for minute in range(20):
        for second in range(0, 60, 6):
            clock.now = T0 + minute * 60 + second
            throttled = 3 <= minute < 6 and second % 20 == 0
            metrics.dynamodb_call("orders", "PutItem", "throttled" if throttled else "ok", 4.0)
            d = doc(recorder, clock) if second == 54 else None
            if d and alarm_at is None and state(d, "dynamodb-throttles") == "ALARM":
                alarm_at = minute
            if d and alarm_at is not None and ok_at is None and state(d, "dynamodb-throttles") == "OK":
                ok_at = minute
    assert alarm_at is not None
    assert alarm_at - 3 <= expected + 1
    # Back to OK once a whole 5-minute period has no throttle event.
    assert ok_at is not None
    assert ok_at - 6 <= 5
    since = next(a for a in d["alarms"] if a["key"] == "dynamodb-throttles")["since"] if d else None
    assert since is not None
    assert since <= clock.now


def test_memory_is_bounded_to_the_retention(tmp_path: Path) -> None:
    clock = Clock()
    recorder = Recorder(tmp_path, clock=clock, retention_s=600)
    for minute in range(30):
        clock.now = T0 + minute * 60
        recorder.add("AWS/Lambda", "Invocations", {"FunctionName": "fn"}, 1)
        recorder.flush()
    (minutes,) = recorder.snapshot().values()
    assert min(minutes) >= int((clock.now - 600) // 60)
    assert len(minutes) <= 11
    # A restarted recorder reads back only what is within the retention.
    again = Recorder(tmp_path, clock=clock, retention_s=600)
    assert again.snapshot() == recorder.snapshot()


def test_the_time_axis_fits_the_recording(tmp_path: Path) -> None:
    """From a little before the first datapoint (and its 5-minute period) to the minute in progress: at
    least 10 minutes, at most the retained 3 hours."""
    clock = Clock()
    recorder = Recorder(tmp_path, clock=clock)
    empty = doc(recorder, clock)["window"]
    assert empty["first"] is None
    assert empty["end"] - empty["start"] == 10 * 60
    first = T0 + 7 * 60 + 30  # 7 minutes into a 5-minute-aligned hour: the period holding it starts at 5
    clock.now = first
    recorder.add("AWS/Lambda", "Invocations", {"FunctionName": "fn"}, 1)
    # (minutes after the first datapoint, the axis' start given its end)
    cases = [
        (3, lambda end: end - 10 * 60),  # a short session: 10 minutes, ending now
        (40, lambda end: T0 + 5 * 60),  # the start of the first datapoint's 5-minute period
        (180, lambda end: end - 180 * 60),  # a first datapoint at the retention's edge: the last 3 hours
    ]
    for minutes, start in cases:
        clock.now = first + minutes * 60
        recorder.add("AWS/Lambda", "Invocations", {"FunctionName": "fn"}, 1)
        recorder.flush()  # as the console does: minutes past the retention are forgotten
        window = doc(recorder, clock)["window"]
        end = (int(clock.now // 60) + 1) * 60
        assert (window["start"], window["end"], window["earliest"]) == (start(end), end, end - 180 * 60)
    assert window["first"] == T0 + 7 * 60 < window["start"]
