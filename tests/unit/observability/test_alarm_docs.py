"""The failure-mode matrix as RUNBOOK.md renders it, for a configuration that lacks an alarm a row names."""

from __future__ import annotations

from observability.alarm_docs import failure_matrix
from observability.monitoring_config import MonitoringConfig


def _row(matrix: str, row: str) -> str:
    return next(line for line in matrix.splitlines() if line.startswith(f"| {row} |"))


def test_without_the_canary_its_rows_say_what_is_left() -> None:
    # The canary's reach is its unit's PROOF; without `canary` nothing pages row l (nobody can reach the API),
    # and row a keeps its own pages without the canary's.
    on, off = failure_matrix(), failure_matrix(MonitoringConfig(canary=False))
    assert "api-unreachable` (canary on): 8-11 min" in _row(on, "l")
    assert _row(off, "l").endswith("| - | nothing | - |")
    assert "api-unreachable" not in _row(off, "a")
    assert "function-url-refused" in _row(off, "a")
