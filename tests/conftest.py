"""Session set-up for every tier: a Lambda-like environment, and the emulated DynamoDB only when the run
selects a tier that reaches a table (tests/service, tests/local; see tests/support/dynamodb.py).

The emulator starts before collection, because the service binds its table from TABLE_NAME /
DYNAMODB_ENDPOINT_URL when a test module imports service.handler, exactly as in Lambda. A run of
tests/unit, tests/docs, tests/edge, tests/synth or tests/scenarios alone does not start it (the
telemetry contract in tests/synth starts it on first use: its handler runs in a fresh process).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from local.emulator import use_dummy_credentials
from tests.support import dynamodb
from tests.support.synth import report

TESTS = Path(__file__).resolve().parent
EMULATED_TIERS = ("service", "local")

for name in ("POWERTOOLS_DEV", "POWERTOOLS_METRICS_DISABLED", "POWERTOOLS_TRACE_DISABLED", "AWS_PROFILE"):
    os.environ.pop(name, None)
os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
os.environ["TABLE_NAME"] = dynamodb.TABLE_NAME
os.environ["POWERTOOLS_LOG_LEVEL"] = "INFO"
use_dummy_credentials(os.environ)  # whatever runs, nothing reaches a real AWS account


def selects(config: pytest.Config, folder: Path) -> bool:
    """Whether the paths this run collects (its arguments, or testpaths) include anything under folder."""
    for arg in config.args:
        path = (config.invocation_params.dir / arg.split("::")[0]).resolve()
        if path == folder or path in folder.parents or folder in path.parents:
            return True
    return False


def pytest_configure(config: pytest.Config) -> None:
    if any(selects(config, TESTS / tier) for tier in EMULATED_TIERS):
        dynamodb.start()


def pytest_unconfigure(config: pytest.Config) -> None:
    dynamodb.stop()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    report(terminalreporter)  # synth timings, when this run synthesized anything
