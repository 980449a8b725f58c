"""`make drill ROW=c LOCAL=1` end to end: the real local server (loopback, its own ports and telemetry), the
runner writing the drill's fault file, the server's FIS stand-in timing invocations out, and the console's
alarm evaluation showing the row's alarm fire within the matrix's minutes. Bounded: the drill's own deadline
(the matrix's upper bound plus the poll's ramp-up), and no recovery wait."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.drill import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, str, Path, Path]]:
    telemetry = Path(tempfile.mkdtemp(prefix="drill-telemetry-"))
    out = telemetry / "stdout.log"
    env = {k: v for k, v in os.environ.items() if k not in ("DYNAMODB_ENDPOINT_URL", "TABLE_NAME")}
    with out.open("w") as sink:  # a file, not a pipe: nobody has to drain the access lines
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "service.local",
                "--port",
                "0",
                "--console-port",
                "0",
                "--telemetry-dir",
                str(telemetry),
            ],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            text=True,
        )
    try:
        deadline = time.monotonic() + 60
        while "console on" not in out.read_text() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)
        lines = out.read_text().splitlines()
        api = lines[0].split("listening on ")[1].split()[0]
        console = next(line for line in lines if line.startswith("console on ")).split()[2]
        yield api, console, telemetry / "fis", out
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def test_row_c_rehearsed_locally_fires_its_alarm_within_the_matrix_minutes(
    server: tuple[str, str, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    api, console, fis_dir, out = server
    code = main(
        [
            "--row", "c", "--local", "--api", api, "--console", console, "--fis-config-dir", str(fis_dir),
            "--rate", "4", "--poll", "5", "--warmup", "5", "--recovery-min", "0",
        ]
    )  # fmt: skip
    report = capsys.readouterr().out
    assert code == 0, report
    assert "lambda-errors" in report
    assert "pass" in report
    assert "=> PASS" in report
    # The alarm fired because of the injected fault, not by chance: the server applied it, the invocation
    # timed out as a Lambda would (a 502 and an Error), and the fault file is gone once the drill stopped.
    server_lines = [json.loads(line) for line in out.read_text().splitlines() if line.startswith("{")]
    injected = [line for line in server_lines if line.get("message") == "lambda fault injected"]
    assert injected
    assert {line["action"] for line in injected} == {"aws:lambda:invocation-add-delay"}
    failed = [line for line in server_lines if line.get("message") == "invocation failed"]
    assert any("Task timed out" in line["error"] for line in failed)
    assert not list(fis_dir.glob("*.json"))
