"""What proves a unit's alarms, stated by the unit itself: its ``PROOF`` (plain data, no imports).

The failure-mode matrix (``observability/failure_modes.py``) describes each way the API breaks and the
alarms of the kit's units that answer it. A unit may state its own alarms' part in that proof in its module
instead, so that adding a unit stays one module: where its alarms fire in the matrix's rows, in the named
pinning cases (tests/support/scenarios/harness.py), which of their mutations cannot matter, and what covers
an alarm that no row makes fire. The scenario tests prove a unit's statements exactly as they prove the
rows (``failure_modes.pages`` and the harness read both); the unit guard
(tests/unit/observability/test_unit_guard.py) checks that a unit states only its own alarms and that each
fact has one source.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# Minutes to ALARM from a failure's start: exact, or (lo, hi) where ingestion lag, the background or the
# evaluation range moves them.
Minutes = int | tuple[int, int]


def span(minutes: Minutes) -> tuple[int, int]:
    return minutes if isinstance(minutes, tuple) else (minutes, minutes)


def spelled(minutes: Minutes) -> str:
    lo, hi = span(minutes)
    return f"{lo} min" if lo == hi else f"{lo}-{hi} min"


@dataclass(frozen=True)
class Proof:
    """A unit's statements about its own alarms (keys as the unit declares them)."""

    # Failure-mode row -> alarm -> minutes to ALARM on both backgrounds (as a row's ``alarms`` says them).
    rows: Mapping[str, Mapping[str, Minutes]] = field(default_factory=dict)
    # Failure-mode row -> alarm -> what differs on the low-traffic day (None: it stays OK there).
    low_traffic: Mapping[str, Mapping[str, Minutes | None]] = field(default_factory=dict)
    # Failure-mode row -> alarm -> why a notifying alarm stays OK on the low-traffic day (the matrix shows it).
    not_at_low_traffic: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # A named case of the harness (a pinning, thin or quiet case) -> alarm -> minutes to ALARM from its start.
    cases: Mapping[str, Mapping[str, Minutes]] = field(default_factory=dict)
    # "<alarm>: <mutation>" (tests/scenarios/test_mutations.py's spelling) -> why it cannot matter.
    survivors: Mapping[str, str] = field(default_factory=dict)
    # Alarm -> what covers it though no row makes it fire (the shapes failure_modes.not_in_a_row lists).
    not_in_a_row: Mapping[str, str] = field(default_factory=dict)
    # Alarm -> the configuration it exists in, as the matrix prints it beside its minutes ("canary on").
    only_when: Mapping[str, str] = field(default_factory=dict)

    def alarm_keys(self) -> set[str]:
        """Every alarm these statements name."""
        by_name = (self.rows, self.low_traffic, self.not_at_low_traffic, self.cases)
        keys = {k for part in by_name for by_alarm in part.values() for k in by_alarm}
        return keys | {s.split(": ", 1)[0] for s in self.survivors} | set(self.not_in_a_row) | set(self.only_when)


NOTHING_STATED = Proof()

# Why a mutation cannot matter, for reasons of the alarm's mechanics that many alarms share: a unit's
# PROOF.survivors and tests/support/scenarios/survivors.py name them rather than say them again.
ONE_MORE_OF_ONE = (
    "cannot matter for paging: 1 of 2 breaches exactly when 1 of 1 does; it only holds ALARM one period "
    "longer after a recovery, which the matrix does not time"
)
ONE_MORE_OF_M = (
    "cannot matter for paging: M of N+1 alarms on the same M breaching periods as M of N; only an "
    "intermittent breach or the time to recover differs"
)
LONGER_COUNT = (
    "cannot matter for paging: a count over twice the period passes its threshold no later than over the "
    "period on a failure that persists; it only holds ALARM longer after recovery"
)
