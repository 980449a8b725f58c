"""A recorded metric history: per metric, per epoch minute, either the raw values published in that minute
(the local recording, the scenario world) or CloudWatch statistics of that minute (GetMetricData).

Saved as JSON (gzip when the name ends in ``.gz``), written to a temporary file and renamed, so an
interrupted save leaves no half-written history. Minutes are epoch minutes (UTC seconds // 60).
"""

from __future__ import annotations

import gzip
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backtest.errors import BacktestError
from backtest.statistics import StatSeries
from observability.simulator.series import MetricKey, Sample, Scenario, Series

FORMAT = "backtest-history/1"


class HistoryError(BacktestError, ValueError):
    """A history file that cannot be read (the message says which and why)."""


@dataclass(frozen=True)
class Stretch:
    """Minutes [first, end) of the history judged at one resolution (CloudWatch's retention: 60 s data for
    15 days, 300 s for 63 days, 3600 s for 455 days)."""

    first: int
    end: int
    resolution_s: int


@dataclass
class Metric:
    """One metric's minutes: ``raw`` (minute -> values) or ``stats`` (minute -> statistic -> value)."""

    raw: dict[int, tuple[float, ...]] = field(default_factory=dict)
    stats: dict[int, dict[str, float]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.raw and not self.stats

    def series(self, offset: int) -> Series:
        """The simulator's series, minute 0 = epoch minute ``offset``."""
        if self.stats:
            return StatSeries({m - offset: s for m, s in self.stats.items()})
        return Series({m - offset: Sample.of(v) for m, v in self.raw.items() if v})


@dataclass
class History:
    """Epoch minutes [start, end); alarms are judged from ``judged_from`` on (the minutes before it fill
    the longest alarm windows). ``source`` says where the data came from, in words."""

    source: str
    start: int
    end: int
    judged_from: int
    metrics: dict[MetricKey, Metric] = field(default_factory=dict)
    stretches: tuple[Stretch, ...] = ()
    # The deploy-time values (Ref name -> value: function_name, table_name, ...) the metrics were recorded
    # under, so a saved history is replayed against the right dimensions.
    refs: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.start <= self.judged_from < self.end:
            raise HistoryError(
                f"history minutes are inconsistent: start {self.start}, judged from {self.judged_from}, end {self.end}"
            )

    def scenario(self) -> Scenario:
        """The simulator's scenario: minute 0 = ``start``; evaluations from ``judged_from`` to ``end``."""
        out = Scenario(end=self.end - self.start, start=self.judged_from - self.start)
        for key, metric in self.metrics.items():
            if not metric.empty:
                out.add(key.namespace, key.name, dict(key.dimensions), metric.series(self.start))
        return out

    def has_data(self, wanted: MetricKey) -> bool:
        """Does any recorded metric provide ``wanted`` (an alarm's metric; ``*`` dimension values match any)?"""
        return any(not m.empty and k.matches(wanted) for k, m in self.metrics.items())


def from_scenario(scenario: Scenario, *, epoch_start: int, source: str, refs: Mapping[str, str]) -> History:
    """A simulator scenario (e.g. the scenario world) as a history starting at epoch minute ``epoch_start``."""
    metrics: dict[MetricKey, Metric] = {}
    for key, series in scenario.metrics.items():
        raw = {}
        for m, s in series.samples.items():
            if s.values is None:
                raise HistoryError(f"{key}: minute {m} has no raw values to save")
            raw[epoch_start + m] = tuple(s.values)
        metrics[key] = Metric(raw=raw)
    return History(
        source=source,
        start=epoch_start,
        end=epoch_start + scenario.end,
        judged_from=epoch_start + scenario.start,
        metrics=metrics,
        stretches=(Stretch(epoch_start, epoch_start + scenario.end, 60),),
        refs=dict(refs),
    )


# --- the file ------------------------------------------------------------------------------------------


def to_json(history: History) -> dict[str, Any]:
    metrics = []
    for key, m in sorted(history.metrics.items(), key=lambda kv: (kv[0].namespace, kv[0].name, kv[0].dimensions)):
        entry: dict[str, Any] = {"namespace": key.namespace, "name": key.name, "dimensions": dict(key.dimensions)}
        if m.stats:
            minutes = sorted(m.stats)
            names = sorted({s for v in m.stats.values() for s in v})
            entry["minutes"] = minutes
            entry["stats"] = {s: [m.stats[t].get(s) for t in minutes] for s in names}
        else:
            minutes = sorted(m.raw)
            entry["minutes"] = minutes
            entry["values"] = [list(m.raw[t]) for t in minutes]
        metrics.append(entry)
    return {
        "format": FORMAT,
        "source": history.source,
        "start": history.start,
        "end": history.end,
        "judged_from": history.judged_from,
        "stretches": [[s.first, s.end, s.resolution_s] for s in history.stretches],
        "refs": history.refs,
        "metrics": metrics,
    }


def from_json(doc: Mapping[str, Any], where: str = "history") -> History:
    if not isinstance(doc, Mapping) or doc.get("format") != FORMAT:
        raise HistoryError(f'{where}: not a backtest history (expected "format": "{FORMAT}")')
    try:
        metrics: dict[MetricKey, Metric] = {}
        for e in doc["metrics"]:
            key = MetricKey.of(e["namespace"], e["name"], {str(k): str(v) for k, v in e["dimensions"].items()})
            minutes = [int(t) for t in e["minutes"]]
            if "stats" in e:
                stats: dict[int, dict[str, float]] = {t: {} for t in minutes}
                for name, values in e["stats"].items():
                    if len(values) != len(minutes):
                        raise HistoryError(
                            f"{where}: {key.name} {name} has {len(values)} values for {len(minutes)} minutes"
                        )
                    for t, v in zip(minutes, values, strict=True):
                        if v is not None:
                            stats[t][name] = float(v)
                metrics[key] = Metric(stats={t: s for t, s in stats.items() if s})
            else:
                if len(e["values"]) != len(minutes):
                    raise HistoryError(
                        f"{where}: {key.name} has {len(e['values'])} value lists for {len(minutes)} minutes"
                    )
                raw = {t: tuple(float(x) for x in vs) for t, vs in zip(minutes, e["values"], strict=True)}
                metrics[key] = Metric(raw={t: v for t, v in raw.items() if v})
        return History(
            source=str(doc["source"]),
            start=int(doc["start"]),
            end=int(doc["end"]),
            judged_from=int(doc["judged_from"]),
            metrics=metrics,
            stretches=tuple(Stretch(int(a), int(b), int(r)) for a, b, r in doc.get("stretches", [])),
            refs={str(k): str(v) for k, v in doc.get("refs", {}).items()},
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, HistoryError):
            raise
        raise HistoryError(f"{where}: malformed history ({type(exc).__name__}: {exc})") from exc


def save(history: History, path: Path) -> None:
    """Write atomically: a temporary file beside ``path``, renamed over it once complete."""
    data = json.dumps(to_json(history), separators=(",", ":")).encode()
    if path.suffix == ".gz":
        data = gzip.compress(data, mtime=0)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates it 0600; a history is for sharing
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load(path: Path) -> History:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise HistoryError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    try:
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        doc = json.loads(data)
    except (OSError, ValueError) as exc:
        raise HistoryError(f"{path}: not a JSON history ({exc})") from exc
    return from_json(doc, str(path))


def merge_stats(into: dict[MetricKey, Metric], key: MetricKey, stat: str, points: Iterable[tuple[int, float]]) -> None:
    """Add one statistic's datapoints (epoch minute, value) of a metric (GetMetricData results)."""
    m = into.setdefault(key, Metric())
    for t, v in points:
        m.stats.setdefault(t, {})[stat] = v
