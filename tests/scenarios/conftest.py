"""The real app synthesized once per configuration (tests/support/synth.py), its alarms loaded into the offline
evaluator: ``default`` reserves concurrency (20), ``eu-west-1`` does not (the account-concurrency alarm).
Each configuration's cases are built, and evaluated under every setting, once per session."""

from __future__ import annotations

import pytest

from tests.support.scenarios.harness import Case, Loaded, Observed, cases_of, load, observed_of
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


@pytest.fixture(scope="session")
def cases(loaded: Loaded) -> dict[str, Case]:
    return cases_of(loaded)


@pytest.fixture(scope="session")
def observed(loaded: Loaded) -> dict[str, dict[str, Observed]]:
    return observed_of(loaded)


@pytest.fixture(scope="session")
def cases_default(loaded_default: Loaded) -> dict[str, Case]:
    return cases_of(loaded_default)


@pytest.fixture(scope="session")
def observed_default(loaded_default: Loaded) -> dict[str, dict[str, Observed]]:
    return observed_of(loaded_default)
