"""Session fixtures: the synthesized app, once per configuration (tests/support/synth.py, shared with
tests/scenarios), and the real handler's telemetry, captured once from a fresh process."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.support import dynamodb
from tests.support.paths import ROOT
from tests.support.synth import (
    CDK_CONTEXT,
    CERT_ARN,
    EDGE_REGION,
    Synth,
    any_synth,
    default_synth,
    drills_synth,
    edge_all_synth,
    scale_synth,
    snap_start_synth,
    synth,
    synth_eu,
    synth_us,
)
from tests.support.telemetry import Telemetry, collect

__all__ = [
    "CDK_CONTEXT",
    "CERT_ARN",
    "EDGE_REGION",
    "Synth",
    "any_synth",
    "default_synth",
    "drills_synth",
    "edge_all_synth",
    "scale_synth",
    "snap_start_synth",
    "synth",
    "synth_eu",
    "synth_us",
]


@pytest.fixture(scope="session")
def telemetry() -> Telemetry:
    """Every line the real handler printed while serving every catalogue route (fresh process)."""
    dynamodb.start()  # the fresh process reaches this session's emulator (DYNAMODB_ENDPOINT_URL)
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "tests.support.emit_telemetry"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = []
    for raw in proc.stdout.splitlines():
        if raw.strip():
            lines.append(json.loads(raw))  # not JSON = a broken log contract: fail here
    return collect(lines)
