"""Metric identities and per-minute samples: the input side of the evaluator.

A scenario holds, for each metric identity (namespace, metric name, dimensions), what was published in
each minute: a ``Sample`` (sum, count, min, max and optionally the raw values for percentiles). A minute
without a sample has no data. A period is aggregated from its minutes; a period with no sample at all is
MISSING, never zero (that difference is what decides most missing-data behaviour).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

WILDCARD = "*"  # a scenario dimension value that matches any value in the alarm


@dataclass(frozen=True)
class MetricKey:
    namespace: str
    name: str
    dimensions: tuple[tuple[str, str], ...] = ()

    @staticmethod
    def of(namespace: str, name: str, dimensions: Mapping[str, str] | None = None) -> MetricKey:
        return MetricKey(namespace, name, tuple(sorted((dimensions or {}).items())))

    def matches(self, wanted: MetricKey) -> bool:
        """Does this (scenario) key provide ``wanted`` (an alarm's metric)? ``*`` values match anything."""
        if (self.namespace, self.name) != (wanted.namespace, wanted.name):
            return False
        mine, theirs = dict(self.dimensions), dict(wanted.dimensions)
        if mine.keys() != theirs.keys():  # CloudWatch matches the exact dimension set
            return False
        return all(v == WILDCARD or v == theirs[k] for k, v in mine.items())


@dataclass(frozen=True)
class Sample:
    """What one metric received during one minute."""

    sum: float
    count: float
    minimum: float
    maximum: float
    values: tuple[float, ...] | None = None  # raw values, needed only for percentiles

    @staticmethod
    def of(values: Iterable[float]) -> Sample:
        """Raw values (e.g. one latency per request): every statistic, percentiles included."""
        vals = tuple(float(v) for v in values)
        if not vals:
            raise ValueError("a sample needs at least one value (no data is no Sample)")
        return Sample(sum(vals), len(vals), min(vals), max(vals), vals)

    @staticmethod
    def value(v: float) -> Sample:
        """One published value (a counter's per-minute total such as UrlRequestCount)."""
        return Sample(float(v), 1, float(v), float(v), (float(v),))


@dataclass
class Series:
    """minute -> Sample. ``None`` values in the constructors mean 'no data that minute'."""

    samples: dict[int, Sample] = field(default_factory=dict)

    @staticmethod
    def counter(values: Mapping[int, float | None]) -> Series:
        """One value per minute (sum == value, SampleCount 1): AWS service counters."""
        return Series({m: Sample.value(v) for m, v in values.items() if v is not None})

    @staticmethod
    def raw(values: Mapping[int, Iterable[float] | None]) -> Series:
        """Raw values per minute (EMF values per request): every statistic including percentiles."""
        out: dict[int, Sample] = {}
        for m, vs in values.items():
            vs = tuple(vs) if vs is not None else ()
            if vs:
                out[m] = Sample.of(vs)
        return Series(out)

    @staticmethod
    def constant(minutes: Iterable[int], value: float) -> Series:
        return Series.counter(dict.fromkeys(minutes, value))

    def window(self, start: int, end: int) -> list[Sample]:
        """Samples of minutes in [start, end)."""
        return [s for m in range(start, end) if (s := self.samples.get(m)) is not None]


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (CloudWatch does not document its interpolation; see README)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100.0 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def aggregate(samples: list[Sample], statistic: str) -> float | None:
    """One period's datapoint; ``None`` (missing) when the period received no sample."""
    samples = [s for s in samples if s.count > 0]
    if not samples:
        return None
    if statistic == "Sum":
        return sum(s.sum for s in samples)
    if statistic == "SampleCount":
        return sum(s.count for s in samples)
    if statistic == "Average":
        return sum(s.sum for s in samples) / sum(s.count for s in samples)
    if statistic == "Minimum":
        return min(s.minimum for s in samples)
    if statistic == "Maximum":
        return max(s.maximum for s in samples)
    if statistic.startswith("p"):
        raw: list[float] = []
        for s in samples:
            if s.values is None:
                raise ValueError(f"{statistic} needs raw values: build the series with Series.raw")
            raw.extend(s.values)
        return percentile(raw, float(statistic[1:]))
    raise NotImplementedError(f"statistic {statistic!r} is not modelled")


@dataclass
class Scenario:
    """Per-minute metric data over minutes [start, end). Evaluations run at minutes start+1 .. end."""

    end: int
    start: int = 0
    metrics: dict[MetricKey, Series] = field(default_factory=dict)

    def add(self, namespace: str, name: str, dimensions: Mapping[str, str] | None, series: Series) -> Scenario:
        self.metrics[MetricKey.of(namespace, name, dimensions)] = series
        return self

    def series_for(self, wanted: MetricKey) -> Series:
        """The series a scenario publishes for an alarm's metric (empty when nothing matches)."""
        found = [s for k, s in self.metrics.items() if k.matches(wanted)]
        if len(found) > 1:
            raise ValueError(f"several scenario metrics match {wanted}: make them specific")
        return found[0] if found else Series()
