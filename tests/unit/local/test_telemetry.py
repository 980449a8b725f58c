"""The local recording (local/telemetry.py Recorder) off the request path: lines and values are handed
over as they come and recorded in batches, with the time they arrived; readers get exact counts."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from local.events import FUNCTION_NAME
from local.load import Phase, check_recording
from local.telemetry import Recorder, event_line, log_event, platform_events, platform_lines
from observability.aws_published import PlatformMetrics
from tests.support.console import T0, Clock, access_line

STREAM = "2026/12/07/[$LATEST]0123456789abcdef"
START, END, REPORT = platform_lines("req-1", 3.21, 512, 58, 1081.93)

LINES = [
    access_line("GET /health", 200, 3.5, T0),
    START,
    END,
    REPORT,
    platform_lines("req-2", 0.5, 512, 60, None)[2],
    '  {"level": "INFO", "message": "ünïcode \\u00e9 \\"quoted\\"", "n": [1, 2.5, null], "o": {"a": true}}  ',
    '{"@timestamp": 1, "message": "a member Logs Insights would not discover"}',
    "{}",
    "[1, 2, 3]",
    "{not json",
    'plain text with "quotes", a\ttab and a backslash \\',
    "REPORT RequestId: r\tDuration: a function printed this ms\tBilled Duration: 3 ms\t",
]


@pytest.mark.parametrize("line", LINES)
def test_an_event_is_serialized_as_log_event_makes_it(line: str) -> None:
    text, document = event_line(line, STREAM, 1_780_002_000_123)
    assert json.loads(text) == log_event(line, STREAM, 1_780_002_000_123)
    try:
        parsed = json.loads(line)
    except ValueError:
        parsed = None
    assert document == (parsed if isinstance(parsed, dict) else None)


def test_lines_keep_the_time_they_arrived_and_readers_see_them_at_once(tmp_path: Path) -> None:
    clock = Clock()
    recorder = Recorder(tmp_path, clock=clock)
    recorder.function_line(access_line("GET /health", 200, 3.5, T0).encode() + b"\n", STREAM)
    recorder.function_line(START, STREAM)
    clock.now = T0 + 150  # the batch runs minutes later: the event and its metrics keep their own time
    assert not list(tmp_path.glob("logs/*.jsonl"))  # nothing on disk before a batch
    (requests,) = [m for (ns, name, dims), m in recorder.snapshot().items() if name == "Requests" and len(dims) == 2]
    assert requests == {int(T0 // 60): (1.0,)}  # a reader's snapshot includes what was handed over
    recorder.flush()
    events = [json.loads(line) for line in (tmp_path / "logs").glob("*.jsonl").__next__().read_text().splitlines()]
    assert [(e["@timestamp"], e.get("@type"), e.get("route")) for e in events] == [
        (int(T0 * 1000), None, "GET /health"),
        (int(T0 * 1000), "START", None),
    ]


def test_an_invocations_end_handed_over_as_numbers_is_recorded_as_its_end_and_report_lines(tmp_path: Path) -> None:
    """The server hands END and REPORT over as the reply's numbers; the log group gets Lambda's two lines."""
    clock = Clock()
    as_numbers, as_lines = Recorder(tmp_path / "numbers", clock=clock), Recorder(tmp_path / "lines", clock=clock)
    for ended in (("req-1", 3.21, 512, 58, 1081.93), ("req-2", 0.5, 512, 60, None)):
        as_numbers.function_line(ended, STREAM)
        for line in platform_lines(*ended)[1:]:
            as_lines.function_line(line, STREAM)
    as_numbers.close()
    as_lines.close()
    recorded = [(r / "logs").glob("*.jsonl").__next__().read_text() for r in (tmp_path / "numbers", tmp_path / "lines")]
    assert recorded[0] == recorded[1]
    assert [json.loads(line)["@type"] for line in recorded[0].splitlines()] == ["END", "REPORT"] * 2


def test_the_platforms_observations_handed_over_as_calls_publish_what_platform_metrics_does(tmp_path: Path) -> None:
    """The server hands over one call per observation; recorded, they are PlatformMetrics's values, each at
    the time of its call, whatever time the batch runs."""
    clock = Clock()
    calls, direct = Recorder(tmp_path / "calls", clock=clock), Recorder(tmp_path / "direct", clock=clock)
    metrics = PlatformMetrics(direct, FUNCTION_NAME)  # the function the local server serves
    for i in range(90):
        clock.now = T0 + i  # a minute and a half of observations
        for recorder in (calls, metrics):
            recorder.url_answered(200 if i % 3 else 503, 4.0 + i)
            recorder.invoked(3.0 + i, error=i % 10 == 0, concurrent=1 + i % 4)
            recorder.dynamodb_call("orders", "GetItem" if i % 2 else "PutItem", ("ok", "throttled")[i % 2], 2.5)
            if i % 7 == 0:
                recorder.throttled()
    clock.now = T0 + 600  # recorded much later: the values keep their own time
    calls.close()
    direct.close()
    assert calls.snapshot() == direct.snapshot()
    assert len(calls.snapshot()) >= 10  # URL, Lambda and DynamoDB metrics: not a vacuous equality


def test_a_malformed_emf_block_is_recorded_as_a_line_and_publishes_only_valid_data(tmp_path: Path) -> None:
    """CloudWatch skips what is not of the specified shape; the recording never stops over it."""
    clock = Clock()
    recorder = Recorder(tmp_path, clock=clock)
    good = {"Namespace": "T", "Dimensions": [["svc"]], "Metrics": [{"Name": "Ok"}]}
    blocks = [
        {"Timestamp": int(T0 * 1000), "CloudWatchMetrics": "not a list"},
        {"Timestamp": int(T0 * 1000), "CloudWatchMetrics": ["a string", {"Namespace": 1}, good]},
        {
            "Timestamp": int(T0 * 1000),
            "CloudWatchMetrics": [{**good, "Metrics": [{"Name": ["Ok"]}, "x", {"Name": "Ok"}]}],
        },
        {"Timestamp": int(T0 * 1000), "CloudWatchMetrics": [{**good, "Dimensions": [[1], "svc", ["nope"], ["svc"]]}]},
        {"Timestamp": True, "CloudWatchMetrics": [good]},
    ]
    for block in blocks:
        recorder.function_line(json.dumps({"svc": "a", "Ok": 2, "_aws": block}), STREAM)
    recorder.flush()
    assert recorder.snapshot() == {("T", "Ok", (("svc", "a"),)): {int(T0 // 60): (2.0, 2.0, 2.0)}}
    assert len((tmp_path / "logs").glob("*.jsonl").__next__().read_text().splitlines()) == len(blocks)


def test_values_of_one_second_are_one_record_read_back_equal(tmp_path: Path) -> None:
    clock = Clock()
    recorder = Recorder(tmp_path, clock=clock)
    metrics = PlatformMetrics(recorder, "fn")
    for i in range(300):  # 100 per second over 3 seconds; the last second is the next minute's first
        clock.now = T0 + 57 + i / 100
        metrics.url_answered(200 if i % 3 else 404, 4.0)
    recorder.close()
    records = [json.loads(line) for line in (tmp_path / "metrics").glob("*.jsonl").__next__().read_text().splitlines()]
    assert len(records) == 9  # three metrics, three seconds: one record each
    url = {int(r["t"]): len(r["v"]) for r in records if r["n"] == "UrlRequestCount"}
    assert url == {int(T0) + 57: 100, int(T0) + 58: 100, int(T0) + 59: 100}
    assert sum(len(r["v"]) for r in records if r["n"] == "Url4xxCount") == 100
    again = Recorder(tmp_path, clock=clock)
    assert again.snapshot() == recorder.snapshot()
    count = again.snapshot()[("AWS/Lambda", "UrlRequestCount", (("FunctionName", "fn"),))]
    assert {m: len(v) for m, v in count.items()} == {int(T0 // 60): 300}


def test_lines_from_many_threads_while_batches_run_are_all_recorded_once(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path, load=False).start()
    metrics = PlatformMetrics(recorder, "fn")

    def relay(n: int) -> None:
        for i in range(n):
            recorder.function_line(f"START RequestId: t{threading.get_ident()}-{i} Version: $LATEST\n".encode())
            metrics.url_answered(200, 1.0)

    threads = [threading.Thread(target=relay, args=(2000,)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    recorder.close()
    lines = [line for path in (tmp_path / "logs").glob("*.jsonl") for line in path.read_text().splitlines()]
    assert len(lines) == len({json.loads(line)["@requestId"] for line in lines}) == 16_000
    url = recorder.snapshot()[("AWS/Lambda", "UrlRequestCount", (("FunctionName", "fn"),))]
    assert sum(len(v) for v in url.values()) == 16_000


def test_make_load_checks_the_recording_against_what_was_served(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path, load=False)
    metrics = PlatformMetrics(recorder, "fn")
    stdout = [json.dumps(json.loads(access_line("GET /health", 200, 2.0, time.time())), separators=(",", ":"))] * 5
    for line in stdout:
        recorder.function_line(line, STREAM)
        metrics.url_answered(200, 2.0)
    recorder.close()
    phase = Phase("health", 1, 1, 5)
    phase.statuses[200] = 5
    assert check_recording(tmp_path, stdout, [phase]) == []
    phase.statuses[200] = 6
    assert check_recording(tmp_path, [*stdout, stdout[0]], [phase]) == [
        "recorded access events (5) != access lines (6)",
        "recorded query requests (5) != access lines (6)",
        "recorded console requests (5) != access lines (6)",
        "recorded UrlRequestCount (5) != responses (6)",
    ]


@pytest.mark.parametrize(
    "ended",
    [
        ("req-1", 3.21, 512, 58, 1081.93),
        ("req-2", 0.5, 512, 60, None),
        ('a"b', 3.456789, 128, 127, 0.004999),  # rounded as the line prints them; an id that needs escaping
        ("r", 1e-09, 10240, 1, 123456.789),
    ],
)
def test_end_and_report_events_built_from_numbers_are_the_lines_events(ended: tuple) -> None:
    # The recording builds these two events straight from the numbers; they must be what parsing the lines gives.
    lines = platform_lines(*ended)[1:]
    assert platform_events(ended, STREAM, 1_780_002_000_123) == tuple(
        event_line(line, STREAM, 1_780_002_000_123)[0] for line in lines
    )
