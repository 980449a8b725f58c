"""Every alarm replayed over a history, minute by minute, and what it did: its ALARM episodes (each entry
into ALARM notifies: the stacks give every notifying alarm an ALARM and an OK action), how long each lasted,
which alarms were in ALARM together (incidents), and what the replay could not judge."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from backtest.history import History
from backtest.statistics import approximate
from observability.simulator.evaluator import (
    ALARM,
    EXTRA_DATAPOINTS,
    INSUFFICIENT,
    AlarmSet,
    CompositeAlarm,
    MetricAlarm,
    Timeline,
)
from observability.simulator.series import MetricKey


@dataclass(frozen=True)
class Episode:
    """Epoch minutes: the evaluation that set ALARM, and the one that left it (None: still in ALARM)."""

    start: int
    end: int | None

    def minutes(self, history_end: int) -> int:
        return (self.end if self.end is not None else history_end) - self.start

    def overlaps(self, other: Episode, history_end: int) -> bool:
        a_end = self.end if self.end is not None else history_end + 1
        b_end = other.end if other.end is not None else history_end + 1
        return self.start < b_end and other.start < a_end


@dataclass
class Outcome:
    key: str
    episodes: list[Episode]
    missing_metrics: list[MetricKey] = field(default_factory=list)  # read, but no datapoint in the history
    # No verdict: none of its metrics has data and the source has none of its namespaces (e.g. CloudFront
    # locally), or it never left INSUFFICIENT_DATA; ``why`` says which. A composite: every child.
    judged: bool = True
    why: str = ""
    coarse: list[str] = field(default_factory=list)  # stretches its period is shorter than the data's resolution
    warmup_until: int | None = None  # epoch minute from which its windows lie entirely in the history
    approximate: bool = False  # a percentile over several minutes: an upper bound

    def alarm_minutes(self, history_end: int) -> int:
        return sum(e.minutes(history_end) for e in self.episodes)


@dataclass
class Replay:
    history: History
    timelines: dict[str, Timeline]
    outcomes: dict[str, Outcome]


def episodes(timeline: Timeline, offset: int, judged_from: int) -> list[Episode]:
    """ALARM episodes in epoch minutes (evaluation T happens at epoch minute ``offset + T``)."""
    out: list[Episode] = []
    start: int | None = None
    for T, state in sorted(timeline.states.items()):
        t = offset + T
        if t < judged_from:
            continue
        if state == ALARM and start is None:
            start = t
        elif state != ALARM and start is not None:
            out.append(Episode(start, t))
            start = None
    if start is not None:
        out.append(Episode(start, None))
    return out


def run(alarms: AlarmSet, history: History, *, initial: Mapping[str, str] | None = None) -> Replay:
    """Every alarm over the history. ``initial``: per alarm key, its state before the history (a deployed
    alarm's real state); otherwise INSUFFICIENT_DATA, as a new alarm starts."""
    scenario = history.scenario()
    if initial:
        timelines = {}
        for k, a in alarms.metric_alarms().items():
            timelines[k] = a.evaluate(scenario, initial=initial.get(k, "INSUFFICIENT_DATA"))  # type: ignore[arg-type]  # initial holds CloudWatch state names
        timelines = alarms.with_composites(timelines, range(scenario.start + 1, scenario.end + 1))
    else:
        timelines = alarms.evaluate(scenario)
    outcomes = {k: _outcome(k, a, timelines[k], history) for k, a in alarms.alarms.items()}
    for k, alarm in alarms.alarms.items():  # a composite is judged when any child is
        if isinstance(alarm, CompositeAlarm):
            kids = [outcomes[alarms.child_key(k, c)] for c in alarm.children()]
            outcomes[k].judged = any(c.judged for c in kids)
            outcomes[k].why = "; ".join(sorted({c.why for c in kids if c.why}))
            outcomes[k].missing_metrics = sorted({m for c in kids for m in c.missing_metrics}, key=str)
            outcomes[k].coarse = sorted({s for c in kids for s in c.coarse})
            warm = [c.warmup_until for c in kids if c.warmup_until is not None]
            outcomes[k].warmup_until = max(warm) if warm else None
    return Replay(history, timelines, outcomes)


def _outcome(key: str, alarm: object, timeline: Timeline, history: History) -> Outcome:
    out = Outcome(key, episodes(timeline, history.start, history.judged_from))
    if not isinstance(alarm, MetricAlarm):
        return out
    keys = list(dict.fromkeys(st.key for st in alarm.stats.values()))
    out.missing_metrics = [k for k in keys if not history.has_data(k)]
    if len(out.missing_metrics) == len(keys):
        # A sparse counter that never counted still decides an alarm that treats missing data as not
        # breaching; a namespace the source does not have at all decides nothing.
        present = {k.namespace for k, m in history.metrics.items() if not m.empty}
        lacking = sorted({k.namespace for k in keys} - present)
        if lacking:
            out.judged, out.why = False, f"this history has no {' or '.join(lacking)} metric"
        elif set(timeline.states.values()) <= {INSUFFICIENT}:
            out.judged, out.why = False, "no datapoint: it stayed INSUFFICIENT_DATA"
    reach = alarm.period_s // 60 * (alarm.evaluation_periods + EXTRA_DATAPOINTS)
    if history.start + reach > history.judged_from:
        out.warmup_until = history.start + reach
    for s in history.stretches:
        if s.resolution_s > alarm.period_s and s.first < history.end:
            out.coarse.append(f"{s.first}-{s.end}@{s.resolution_s}")
            # Datapoints at a coarser resolution than its period: its states there are not evidence.
            out.episodes = [e for e in out.episodes if not s.first <= e.start < s.end]
    out.approximate = any(approximate(st.statistic, st.period_s) for st in alarm.stats.values())
    return out


def incidents(outcomes: Iterable[Outcome], history_end: int, *, gap: int = 0) -> list[tuple[Episode, list[str]]]:
    """Overlapping ALARM episodes of the given alarms merged into incidents: (span, alarm keys). Episodes
    less than ``gap`` minutes apart count as one incident too (an alarm flapping on one failure)."""
    spans = sorted(((e, o.key) for o in outcomes for e in o.episodes), key=lambda x: (x[0].start, x[1]))
    merged: list[tuple[Episode, list[str]]] = []
    for ep, key in spans:
        last = merged[-1][0] if merged else None
        if last is not None and (
            ep.overlaps(last, history_end) or (last.end is not None and ep.start - last.end < gap)
        ):
            span, keys = merged[-1]
            ends = [x for x in (span.end, ep.end) if x is not None]
            end = None if span.end is None or ep.end is None else max(ends)
            merged[-1] = (Episode(span.start, end), keys + ([key] if key not in keys else []))
        else:
            merged.append((ep, [key]))
    return merged
