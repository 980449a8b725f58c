"""The real app synthesized once per configuration (tests/synth.py), its alarms loaded into the offline
evaluator: ``default`` reserves concurrency (20), ``eu-west-1`` does not (the account-concurrency alarm)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.scenarios.harness import Loaded, load
from tests.synth import report, synthesize


@pytest.fixture(scope="session", params=["default", "eu-west-1"])
def loaded(request: pytest.FixtureRequest) -> Loaded:
    return load(synthesize(request.param))


@pytest.fixture(scope="session")
def loaded_default() -> Loaded:
    return load(synthesize("default"))


@pytest.fixture(scope="session")
def loaded_unreserved() -> Loaded:
    return load(synthesize("eu-west-1"))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    report(terminalreporter)
