"""The OpenTelemetry layer that deploys is the release the tests and the bench run (settings/tracing_layer.py)."""

from __future__ import annotations

import importlib.metadata
import re

from settings.tracing_layer import FAST_START_SINCE, LAYER_RELEASE, OTEL_PYTHON_LAYER_ARNS
from tests.support.paths import ROOT

ARN = re.compile(r"^arn:aws(-cn)?:lambda:(?P<region>[a-z0-9-]+):\d{12}:layer:AWSOpenTelemetryDistroPython:\d+$")


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def test_the_installed_distro_is_the_layer_release() -> None:
    assert importlib.metadata.version("aws-opentelemetry-distro") == LAYER_RELEASE


def test_requirements_pin_the_layer_release() -> None:
    pins = {
        name: version
        for name, version in re.findall(
            r"^([A-Za-z0-9_.-]+)==([^\s#]+)", (ROOT / "requirements-dev.txt").read_text(), re.M
        )
    }
    assert pins["aws-opentelemetry-distro"] == LAYER_RELEASE
    constraints = (ROOT / "constraints.txt").read_text()
    assert f"aws-opentelemetry-distro=={LAYER_RELEASE}\n" in constraints


def test_the_pinned_release_has_fast_start() -> None:
    """OTEL_AWS_LAMBDA_FAST_START (set by the stack) does nothing before 0.19.0: its lite SDK did not exist."""
    assert _version(LAYER_RELEASE) >= _version(FAST_START_SINCE)
    from amazon.opentelemetry.distro.opentelemetry_lite_sdk import configure_lite_mode

    assert callable(configure_lite_mode)


def test_every_arn_is_the_distro_layer_in_its_own_region() -> None:
    assert OTEL_PYTHON_LAYER_ARNS
    for region, arn in OTEL_PYTHON_LAYER_ARNS.items():
        match = ARN.match(arn)
        assert match, arn
        assert match["region"] == region, arn
