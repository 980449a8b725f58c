"""The real app synthesized once per configuration (tests/support/synth.py), its alarms loaded into the offline
evaluator: ``default`` reserves concurrency (20), ``eu-west-1`` does not (the account-concurrency alarm)."""

from __future__ import annotations

import pytest

from tests.scenarios.harness import Loaded, load
from tests.support.synth import synthesize


@pytest.fixture(scope="session", params=["default", "eu-west-1"])
def loaded(request: pytest.FixtureRequest) -> Loaded:
    return load(synthesize(request.param))


@pytest.fixture(scope="session")
def loaded_default() -> Loaded:
    return load(synthesize("default"))


@pytest.fixture(scope="session")
def loaded_unreserved() -> Loaded:
    return load(synthesize("eu-west-1"))
