"""The recording in its own process (local/recording.py): what the server hands over is recorded exactly once,
in order, and the console it serves counts it; `make query` gets what was handed over although the process
parses lazily; a console port in use is a clear start-up error."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from local.insights import run, saved_query
from local.query import main as query_main
from local.recording import MARKER, SPOOL_S, RecordingError, RecordingProcess
from local.telemetry import Recorder, log_files, platform_lines
from observability.aws_published import PlatformMetrics
from tests.support.console import access_line

STREAM = "2026/12/07/[$LATEST]0123456789abcdef"


def recording(directory: Path, port: int = 0) -> RecordingProcess:
    return RecordingProcess(
        directory, retention_s=3600, host="127.0.0.1", console_port=port, table_name="orders", reserved_concurrency=2
    )


def test_every_line_and_value_handed_over_is_recorded_once_and_counted_by_the_console(tmp_path: Path) -> None:
    process = recording(tmp_path)
    console = process.ready()
    metrics = PlatformMetrics(process, "fn")

    def relay(worker: int, n: int) -> None:  # as the server's threads do: START, the access line, END + REPORT
        for i in range(n):
            request_id = f"w{worker}-{i}"
            start, end, report = platform_lines(request_id, 1.5, 512, 60, None)
            stream = f"{STREAM}{worker}"  # each worker its own log stream, as each environment has
            process.function_line(start, stream)
            process.function_line(access_line("GET /health", 200, 1.5, time.time()).encode() + b"\n", stream)
            process.function_line(f"{end}\n".encode(), stream)  # the relay reads the worker's pipe line by line
            process.function_line(f"{report}\n".encode(), stream)
            metrics.url_answered(200, 2.0)

    threads = [threading.Thread(target=relay, args=(w, 500)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    process.ship()
    deadline = time.monotonic() + 60
    requests = 0.0
    while requests < 2000 and time.monotonic() < deadline:  # recorded within a batch of the shipment
        with urllib.request.urlopen(console + "/dashboard.json", timeout=30) as response:
            requests = sum(row["requests"] for row in json.load(response)["totals"].values())
    assert requests == 2000
    process.close()
    assert process.process.returncode == 0

    events = [json.loads(line) for path in log_files(tmp_path) for line in path.read_text().splitlines()]
    assert len(events) == 4 * 2000  # START, access, END, REPORT: one event each
    for worker in range(4):  # each worker's lines in the order handed over
        mine = [e for e in events if e["@logStream"] == f"{STREAM}{worker}"]
        assert [e.get("@type") or e["message"] for e in mine] == ["START", "access", "END", "REPORT"] * 500
        assert [e["@requestId"] for e in mine if e.get("@type") == "START"] == [f"w{worker}-{i}" for i in range(500)]
    result = run(saved_query("requests-by-route-and-status").text, log_files(tmp_path)).as_dict()
    assert sum(int(row[result["columns"].index("requests")]) for row in result["rows"]) == 2000
    data = Recorder(tmp_path).snapshot()  # the metrics files, read back as the console does on restart
    count = data[("AWS/Lambda", "UrlRequestCount", (("FunctionName", "fn"),))]
    assert sum(len(v) for v in count.values()) == 2000


def test_make_query_has_the_recording_process_record_what_it_spooled(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    process = recording(tmp_path)
    process.ready()
    for i in range(300):
        process.function_line(access_line("GET /health", 200, 1.5, time.time()).encode() + b"\n", f"{STREAM}{i % 2}")
    process.ship()
    # Frames wait unparsed up to SPOOL_S; `make query` asks the process (through its console) to record
    # them. Polled well within SPOOL_S: the frame may still be in the pipe at the first ask.
    deadline = time.monotonic() + SPOOL_S / 3
    count = 0
    while count < 300 and time.monotonic() < deadline:
        assert query_main(["requests-by-route-and-status", "--format", "json", "--telemetry-dir", str(tmp_path)]) == 0
        result = json.loads(capsys.readouterr().out)
        count = sum(int(row[result["columns"].index("requests")]) for row in result["rows"])
    assert count == 300
    process.close()
    assert not (tmp_path / MARKER).exists()  # no recording process left to ask


def test_a_console_port_in_use_is_a_start_up_error(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        process = recording(tmp_path, port)
        with pytest.raises(RecordingError, match=f"cannot listen on 127.0.0.1:{port} \\(console\\)"):
            process.ready()
    assert process.process.returncode == 2
