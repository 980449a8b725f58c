"""Metric identities and per-minute samples: the input side of the evaluator.

A scenario holds, for each metric identity (namespace, metric name, dimensions), what was published in
each minute: a ``Sample`` (sum, count, min, max and optionally the raw values for percentiles). A minute
without a sample has no data. A period is aggregated from its minutes; a period with no sample at all is
MISSING, never zero (that difference is what decides most missing-data behaviour).
"""

from __future__ import annotations

import bisect
import functools
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

WILDCARD = "*"  # a scenario dimension value that matches any value in the alarm

# Where a metric comes from decides how late it lands (Scenario.lags). Every namespace a unit reads is
# listed here with its source; one that is not has none (source_of raises, and the unit guard,
# tests/unit/observability/test_unit_guard.py, names this file): a new AWS namespace is never silently taken for EMF.
# The service's EMF namespace (service/contract.py METRICS_NAMESPACE: the simulator imports nothing of the
# project, so tests/unit/observability/test_unit_guard.py holds the two equal).
EMF_NAMESPACE = "OrdersApi"
SOURCES = ("emf", "lambda", "dynamodb", "cloudfront", "waf", "synthetics", "shield", "acm")
_SOURCE_OF_NAMESPACE = {
    EMF_NAMESPACE: "emf",  # the service's own metrics, extracted from its logs
    "AWS/Lambda": "lambda",
    "AWS/DynamoDB": "dynamodb",
    "AWS/CloudFront": "cloudfront",
    "AWS/WAFV2": "waf",
    "CloudWatchSynthetics": "synthetics",
    "AWS/DDoSProtection": "shield",  # Shield Advanced (config shield_advanced)
    "AWS/CertificateManager": "acm",  # the custom domain's certificate (config certificate_arn)
}


def source_of(namespace: str) -> str:
    """The ingestion source of a namespace (one of SOURCES); ValueError for a namespace without one."""
    try:
        return _SOURCE_OF_NAMESPACE[namespace]
    except KeyError:
        raise ValueError(
            f"no ingestion source for namespace {namespace!r}: add it to "
            "observability/simulator/series.py _SOURCE_OF_NAMESPACE (a new source also needs SOURCES)"
        ) from None


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
    # (start, end, statistic) -> datapoint, and the "index"; rebuilt when samples are added
    _aggregates: dict[object, object] = field(default_factory=dict, init=False, repr=False, compare=False)
    _indexed_size: int = field(default=-1, init=False, repr=False, compare=False)

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

    def first(self) -> float:
        """The first minute with a sample: ``inf`` when there is none, ``-inf`` when unknown (a subclass that
        aggregates its own data, such as backtest's StatSeries)."""
        if type(self).aggregate is not Series.aggregate:
            return -math.inf
        minutes = self._indexed().minutes
        return minutes[0] if minutes else math.inf

    def window(self, start: int, end: int) -> list[Sample]:
        """Samples of minutes in [start, end)."""
        index = self._indexed()
        return index.samples[bisect.bisect_left(index.minutes, start) : bisect.bisect_left(index.minutes, end)]

    def aggregate(self, start: int, end: int, statistic: str) -> float | None:
        """The statistic over minutes [start, end), cached (under ingestion lag every evaluation recomputes
        its newest datapoints from what has landed, so the same partial windows come back many times)."""
        key = (start, end, statistic)
        if key not in self._aggregates or len(self.samples) != self._indexed_size:
            self._indexed()  # drops the datapoints of a series that has grown since
            self._aggregates[key] = self._aggregate(start, end, statistic)
        return self._aggregates[key]  # type: ignore[return-value]  # the cache holds floats or None under an (start, end, stat) key

    def datapoints(self, statistic: str, minutes: int, ends: range, behind: int = 0) -> dict[int, float]:
        """{t: statistic over minutes [t - minutes, t - behind)} for each period end ``t`` in ``ends`` that has
        data (``behind``: the period's newest minutes not landed yet). Cached: the same periods come back for
        every alarm that reads this metric and every lag and range the scenario is evaluated under. The dict
        is shared: do not change it."""
        index = self._indexed()  # drops what was cached for a series that has grown since
        key = ("datapoints", statistic, minutes, ends.start, ends.stop, ends.step, behind)
        if key not in self._aggregates:
            out = {}
            # From the prefix sums directly, unless a subclass computes its own (backtest's StatSeries)
            prefixed = index.prefixed(statistic) and type(self).aggregate is Series.aggregate
            if minutes > behind:
                for t in ends:
                    start, end = t - minutes, t - behind
                    v = index.stat(start, end, statistic) if prefixed else self.aggregate(start, end, statistic)
                    if v is not None:
                        out[t] = v
            self._aggregates[key] = out
        return self._aggregates[key]  # type: ignore[return-value]  # a datapoints key holds a dict[int, float]

    def _aggregate(self, start: int, end: int, statistic: str) -> float | None:
        index = self._indexed()  # prefix sums: a long period (1 h, 6 h, 3 days) costs no more than a short one
        if index.prefixed(statistic):
            return index.stat(start, end, statistic)
        return aggregate(self.window(start, end), statistic)

    def _indexed(self) -> _Index:
        index = self._aggregates.get("index")
        if not isinstance(index, _Index) or len(index.minutes) != len(self.samples):
            self._aggregates.clear()
            index = _Index.of(self.samples)
            self._aggregates["index"] = index
            self._indexed_size = len(self.samples)
        return index


@dataclass
class _Index:
    """A series' minutes in order, with prefix sums of sum, count and of minutes that have a sample; per
    percentile-rank statistic (built on first use) prefix counts of raw values in its bounds."""

    minutes: list[int]
    samples: list[Sample]
    sums: list[float]
    counts: list[float]
    present: list[int]
    _ranked: dict[tuple[float, float] | None, list[int]] = field(default_factory=dict)

    @staticmethod
    def of(samples: Mapping[int, Sample]) -> _Index:
        minutes = sorted(samples)
        ordered = [samples[m] for m in minutes]
        sums, counts, present = [0.0], [0.0], [0]
        for smp in ordered:
            real = smp.count > 0
            sums.append(sums[-1] + (smp.sum if real else 0.0))
            counts.append(counts[-1] + (smp.count if real else 0.0))
            present.append(present[-1] + real)
        return _Index(minutes, ordered, sums, counts, present)

    def prefixed(self, statistic: str) -> bool:
        """Whether ``stat`` computes this statistic from prefix sums (Sum, SampleCount, Average; PR when every
        sample has its raw values)."""
        if statistic in ("Sum", "SampleCount", "Average"):
            return True
        return percentile_rank_bounds(statistic) is not None and self.all_raw

    def stat(self, start: int, end: int, statistic: str) -> float | None:
        """A ``prefixed`` statistic over minutes [start, end) in O(log n), whatever the period's length."""
        lo, hi = bisect.bisect_left(self.minutes, start), bisect.bisect_left(self.minutes, end)
        if self.present[hi] == self.present[lo]:
            return None
        if statistic == "Sum":
            return self.sums[hi] - self.sums[lo]
        count = self.counts[hi] - self.counts[lo]
        if statistic == "SampleCount":
            return count
        if statistic == "Average":
            return (self.sums[hi] - self.sums[lo]) / count if count else None
        bounds = percentile_rank_bounds(statistic)
        if bounds is None:
            raise ValueError(f"{statistic} is not computed from prefix sums")
        every, inside = self._in_bounds(None), self._in_bounds(bounds)
        n = every[hi] - every[lo]
        if n == 0:  # samples with data but no values: whatever aggregate() makes of them
            return aggregate(self.samples[lo:hi], statistic)
        return 100.0 * (inside[hi] - inside[lo]) / n

    @functools.cached_property
    def all_raw(self) -> bool:
        """Every sample with data has its raw values (percentile ranks can then come from prefix counts)."""
        return all(smp.values is not None for smp in self.samples if smp.count > 0)

    def _in_bounds(self, bounds: tuple[float, float] | None) -> list[int]:
        """Prefix counts of the raw values of the samples with data: all of them (``None``) or those in
        (low, high]."""
        if bounds not in self._ranked:
            out, total = [0], 0
            for smp in self.samples:
                if smp.count > 0 and smp.values is not None:
                    if bounds is None:
                        total += len(smp.values)
                    else:
                        low, high = bounds
                        total += sum(1 for v in smp.values if low < v <= high)
                out.append(total)
            self._ranked[bounds] = out
        return self._ranked[bounds]


# "CloudWatch statistics definitions": "PR(:300) returns the percentage of data points that have a value of
# 300 or less. PR(100:2000) returns the percentage of data points that have a value between 100 and 2000.
# Percentile rank is exclusive on the lower bound and inclusive on the upper bound."
_PERCENTILE_RANK = re.compile(
    r"^PR\((?P<low>[-+]?[\d.]*(?:[eE][-+]?\d+)?):(?P<high>[-+]?[\d.]*(?:[eE][-+]?\d+)?)\)$", re.I
)


@functools.lru_cache(maxsize=256)
def percentile_rank_bounds(statistic: str) -> tuple[float, float] | None:
    """(low, high) of a ``PR(low:high)`` statistic (an absent bound is infinite); None for other statistics."""
    m = _PERCENTILE_RANK.match(statistic.strip())
    if not m or not (m["low"] or m["high"]):
        return None
    low = float(m["low"]) if m["low"] else -math.inf
    high = float(m["high"]) if m["high"] else math.inf
    if low >= high:
        raise ValueError(f"{statistic}: the lower bound must be below the upper bound")
    return low, high


def percentile_rank(values: list[float], low: float, high: float) -> float:
    """Percentage (0-100) of ``values`` in (low, high]."""
    return 100.0 * sum(1 for v in values if low < v <= high) / len(values)


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
    rank = percentile_rank_bounds(statistic)
    if rank is not None:
        return percentile_rank(_raw(samples, statistic), *rank)
    if statistic.startswith("p"):
        return percentile(_raw(samples, statistic), float(statistic[1:]))
    raise NotImplementedError(f"statistic {statistic!r} is not modelled")


_NO_DATA = Series()


def _raw(samples: list[Sample], statistic: str) -> list[float]:
    raw: list[float] = []
    for s in samples:
        if s.values is None:
            raise ValueError(f"{statistic} needs raw values: build the series with Series.raw")
        raw.extend(s.values)
    return raw


@dataclass
class Scenario:
    """Per-minute metric data over minutes [start, end). Evaluations run at minutes start+1 .. end.

    ``lags``: minutes each source (SOURCES, by ``source_of(namespace)``) lands late. Minute ``m`` of a source
    with lag ``L`` is visible to the evaluation at ``T`` only when ``m + L < T``; until then it is missing.
    """

    end: int
    start: int = 0
    metrics: dict[MetricKey, Series] = field(default_factory=dict)
    lags: Mapping[str, int] = field(default_factory=dict)
    _found: dict[MetricKey, Series] = field(default_factory=dict, init=False, repr=False, compare=False)

    def lagged(self, lags: Mapping[str, int]) -> Scenario:
        """The same data, each source in ``lags`` landing that many minutes late (others on time)."""
        unknown = set(lags) - set(SOURCES)
        if unknown:
            raise ValueError(f"unknown sources {sorted(unknown)}: expected some of {SOURCES}")
        if any(v < 0 for v in lags.values()):
            raise ValueError("a lag is a number of minutes >= 0")
        return replace(self, lags={**self.lags, **lags})

    def lag_of(self, key: MetricKey) -> int:
        # On time (no lags): every metric lands at once, whatever its source.
        return int(self.lags.get(source_of(key.namespace), 0)) if self.lags else 0

    def add(self, namespace: str, name: str, dimensions: Mapping[str, str] | None, series: Series) -> Scenario:
        self.metrics[MetricKey.of(namespace, name, dimensions)] = series
        self._found.clear()
        return self

    def series_for(self, wanted: MetricKey) -> Series:
        """The series a scenario publishes for an alarm's metric (empty when nothing matches)."""
        if wanted not in self._found:
            self._found[wanted] = self._match(wanted)
        return self._found[wanted]

    def _match(self, wanted: MetricKey) -> Series:
        found = [s for k, s in self.metrics.items() if k.matches(wanted)]
        if len(found) > 1:
            raise ValueError(f"several scenario metrics match {wanted}: make them specific")
        return found[0] if found else _NO_DATA
