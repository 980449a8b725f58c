"""A metric known only by CloudWatch statistics per minute (what GetMetricData returns), aggregated into
longer periods the way CloudWatch aggregates: Sum and SampleCount add up, Average is their ratio, Minimum
and Maximum are the extremes, and a percentile rank ``PR(low:high)`` (a share of the samples) is weighted
by each minute's SampleCount, so a 6-hour PR is exact. A percentile (``pNN``) cannot be combined from
per-minute percentiles: over a longer period the largest minute's value is used, an upper bound, and
``APPROXIMATE`` says so (the report prints it).
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass, field

from observability.simulator.series import Series, percentile_rank_bounds

SUM, COUNT = "Sum", "SampleCount"


def needed(statistic: str) -> tuple[str, ...]:
    """The per-minute statistics to fetch so that ``statistic`` can be computed over any period."""
    if statistic in (SUM, COUNT, "Average"):
        return (SUM, COUNT)
    if statistic in ("Minimum", "Maximum"):
        return (statistic,)
    if percentile_rank_bounds(statistic) is not None or statistic.lower().startswith("p"):
        return (statistic, COUNT)
    raise NotImplementedError(f"statistic {statistic!r} cannot be backtested")


def approximate(statistic: str, period_s: int, resolution_s: int = 60) -> bool:
    """Is ``statistic`` over ``period_s`` only bounded, not exact, from data at ``resolution_s``?"""
    return statistic.lower().startswith("p") and percentile_rank_bounds(statistic) is None and period_s > resolution_s


@dataclass
class StatSeries(Series):
    """minute -> {statistic: value}; the simulator calls ``aggregate`` for each period it evaluates."""

    stats: Mapping[int, Mapping[str, float]] = field(default_factory=dict)
    _minutes: list[int] = field(default_factory=list, init=False, repr=False)
    _prefix: dict[str, list[float]] = field(default_factory=dict, init=False, repr=False)
    _present: dict[str, list[int]] = field(default_factory=dict, init=False, repr=False)

    def __init__(self, stats: Mapping[int, Mapping[str, float]]) -> None:
        super().__init__({})
        self.stats = stats
        self._minutes = sorted(stats)
        self._prefix, self._present = {}, {}

    def _sums(self, name: str) -> tuple[list[float], list[int]]:
        """Prefix sums of a statistic over the sorted minutes (a PR as its count of samples), and of the
        minutes that have it: any period's total in O(log n)."""
        if name not in self._prefix:
            ranked_by = name.partition("@")[2]  # "SampleCount@PR(..)": the samples of minutes with that PR
            rank = percentile_rank_bounds(name) is not None
            sums, present = [0.0], [0]
            for t in self._minutes:
                s = self.stats[t]
                count = s.get(COUNT)
                if ranked_by:
                    v = count if ranked_by in s else None
                else:
                    v = s.get(name)
                    if rank and v is not None:
                        v = None if count is None else v / 100.0 * count
                sums.append(sums[-1] + (v or 0.0))
                present.append(present[-1] + (v is not None))
            self._prefix[name], self._present[name] = sums, present
        return self._prefix[name], self._present[name]

    def _total(self, name: str, lo: int, hi: int) -> float | None:
        sums, present = self._sums(name)
        if present[hi] == present[lo]:
            return None
        return sums[hi] - sums[lo]

    def aggregate(self, start: int, end: int, statistic: str) -> float | None:
        lo, hi = bisect.bisect_left(self._minutes, start), bisect.bisect_left(self._minutes, end)
        if lo == hi:
            return None
        if statistic in (SUM, COUNT):
            return self._total(statistic, lo, hi)
        if statistic == "Average":
            total, count = self._total(SUM, lo, hi), self._total(COUNT, lo, hi)
            return None if total is None or not count else total / count
        if percentile_rank_bounds(statistic) is not None:
            ranked, count = self._total(statistic, lo, hi), self._total(f"{COUNT}@{statistic}", lo, hi)
            return None if ranked is None or not count else 100.0 * ranked / count
        values = [self.stats[t][statistic] for t in self._minutes[lo:hi] if statistic in self.stats[t]]
        if not values:
            return None
        if statistic == "Minimum":
            return min(values)
        return max(values)  # Maximum, and the upper bound of a percentile over several minutes
