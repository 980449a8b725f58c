"""`--no-recording`: the baseline `make load` compares the recording with serves the same API and stdout,
and records nothing (no console, nothing under --telemetry-dir)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_serves_and_logs_to_stdout_but_records_nothing(tmp_path: Path) -> None:
    telemetry = tmp_path / "telemetry"
    env = {k: v for k, v in os.environ.items() if k not in ("DYNAMODB_ENDPOINT_URL", "TABLE_NAME")}
    command = [sys.executable, "-m", "service.local", "--port", "0", "--console-port", "0"]
    process = subprocess.Popen(
        [*command, "--telemetry-dir", str(telemetry), "--no-recording"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().split("listening on ")[1].split()[0]
        assert process.stdout.readline().startswith("recording off (--no-recording): no console")
        with urllib.request.urlopen(url + "/health", timeout=10) as response:
            assert response.status == 200
    finally:
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=30)
    assert process.returncode == 0
    access = [json.loads(line) for line in out.splitlines() if line.startswith("{") and '"access"' in line]
    assert [(a["route"], a["status"]) for a in access] == [("GET /health", 200)]
    assert not telemetry.exists()
