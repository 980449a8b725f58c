"""Session fixtures: the synthesized app, once per configuration (tests/support/synth.py, shared with
tests/scenarios), and the real handler's telemetry, captured once from a fresh process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.support import dynamodb
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
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Telemetry:
    lines: list[dict[str, Any]]
    metrics: set[tuple[str, str, frozenset[str]]] = field(default_factory=set)  # (namespace, name, dims)
    dim_values: dict[str, set[str]] = field(default_factory=dict)  # dimension name -> emitted values
    fields: set[str] = field(default_factory=set)  # every key of every line, nested keys dotted
    values: dict[str, set[str]] = field(default_factory=dict)  # top-level string values by field


def collect(lines: list[dict[str, Any]]) -> Telemetry:
    t = Telemetry(lines=lines)
    for line in lines:
        t.fields |= _keys(line)
        for k, v in line.items():
            if isinstance(v, str):
                t.values.setdefault(k, set()).add(v)
        for directive in line.get("_aws", {}).get("CloudWatchMetrics", []):
            for dims in directive["Dimensions"]:
                for metric in directive["Metrics"]:
                    # EMF: the value and every dimension value must be top-level members of the line.
                    if metric["Name"] in line and all(d in line for d in dims):
                        t.metrics.add((directive["Namespace"], metric["Name"], frozenset(dims)))
                for d in dims:
                    t.dim_values.setdefault(d, set()).add(str(line.get(d)))
    return t


def _keys(obj: dict[str, Any], prefix: str = "") -> set[str]:
    out = set()
    for k, v in obj.items():
        out.add(prefix + k)
        if isinstance(v, dict):
            out |= _keys(v, prefix + k + ".")
    return out


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
