"""`make screenshot`'s load length (local/screenshot.py): long enough for a line on the 5-minute graphs,
ending 45 s into a minute, bounded."""

from __future__ import annotations

from local.screenshot import load_seconds

T0 = 1_780_002_000  # a whole 5 minutes


def test_the_load_crosses_a_five_minute_boundary_and_ends_late_in_a_minute() -> None:
    for offset in range(0, 600, 7):
        now = T0 + offset + 0.3
        seconds = load_seconds(now)
        end = now + seconds
        assert 150 <= seconds <= 346
        assert round(end % 60, 6) == 45
        boundary = now - now % 300 + 300
        assert end - boundary >= 45  # the second 5-minute period has data too
