"""The infrastructure tests read the synthesized app: fixtures from tests/synth.py."""

from __future__ import annotations

from typing import Any

from tests.synth import (
    CDK_CONTEXT,
    CERT_ARN,
    ROOT,
    Synth,
    edge_all_synth,
    report,
    scale_synth,
    synth,
    synth_eu,
    synth_us,
)

__all__ = [
    "CDK_CONTEXT",
    "CERT_ARN",
    "ROOT",
    "Synth",
    "edge_all_synth",
    "scale_synth",
    "synth",
    "synth_eu",
    "synth_us",
]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    report(terminalreporter)
