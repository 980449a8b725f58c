"""``--against deployed``: the alarms deployed now (DescribeAlarms) replayed over the same history as the
working tree's, alarm by alarm, and their real state history (DescribeAlarmHistory, kept 30 days by
CloudWatch) as the incidents to catch and as the yardstick of the evaluator's fidelity: where the replay
of a deployed definition disagrees with what that alarm really did, the report says so."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from backtest.account import Names, Progress, call
from backtest.history import History
from backtest.plan import Configured, Judged
from backtest.replay import Episode, Outcome, Replay, incidents, run
from backtest.report import at, counts
from observability.simulator.evaluator import AlarmSet, CompositeAlarm, Timeline
from observability.simulator.loader import metric_alarm_from_cfn

TOLERANCE_MIN = 3  # a real and a replayed transition this close count as the same (metrics land late)
INCIDENT_GAP_MIN = 15  # real ALARM episodes closer than this are one incident (a flapping alarm)
HISTORY_DAYS = 30  # CloudWatch keeps alarm history this long
_ARN = re.compile(r"arn:aws[a-z-]*:cloudwatch:[a-z0-9-]+:\d+:alarm:([^\s\"()]+)")


@dataclass(frozen=True)
class Transition:
    minute: int  # epoch minute
    old: str
    new: str


@dataclass
class Deployed:
    """The deployed alarms by model key (alarm name without ``<service>-``)."""

    aset: AlarmSet
    region: dict[str, str]  # key -> AWS region
    notify: set[str]  # keys with alarm actions
    state: dict[str, str]  # key -> StateValue now
    unreadable: dict[str, str] = field(default_factory=dict)  # key -> why it cannot be replayed
    history: dict[str, list[Transition]] = field(default_factory=dict)  # real transitions, oldest first

    def region_of(self, key: str) -> str:
        return self.region[key]

    def initial(self, judged_from: int) -> dict[str, str]:
        """Each alarm's real state just before ``judged_from``."""
        out = {}
        for k in self.aset.alarms:
            later = [t for t in self.history.get(k, []) if t.minute >= judged_from]
            out[k] = later[0].old if later else self.state.get(k, "INSUFFICIENT_DATA")
        return out


def from_describe(
    described: Iterable[tuple[str, Mapping[str, Any]]],
    prefix: str,
    history: Iterable[tuple[str, Mapping[str, Any]]] = (),
) -> Deployed:
    """DescribeAlarms items (region, MetricAlarm or CompositeAlarm) and DescribeAlarmHistory items, as the
    evaluator's alarms keyed like the plan's."""
    out = Deployed(AlarmSet(), {}, set(), {})
    for region, a in described:
        name = str(a["AlarmName"])
        if not name.startswith(prefix):
            continue
        key = name.removeprefix(prefix)
        out.region[key] = region
        out.state[key] = str(a.get("StateValue", "INSUFFICIENT_DATA"))
        if a.get("ActionsEnabled", True) and a.get("AlarmActions"):
            out.notify.add(key)
        if "AlarmRule" in a:
            rule = _ARN.sub(lambda m: m.group(1), str(a["AlarmRule"]))
            rule = re.sub(r"\"?" + re.escape(prefix) + r"([^\s\"()]+)\"?", r'"\1"', rule)
            out.aset.add(key, CompositeAlarm(key, rule, name))
            continue
        try:
            out.aset.add(key, metric_alarm_from_cfn(key, a))
        except (NotImplementedError, KeyError, ValueError) as exc:
            out.unreadable[key] = str(exc)
    for _region, item in history:
        name = str(item.get("AlarmName", ""))
        if not name.startswith(prefix) or item.get("HistoryItemType", "StateUpdate") != "StateUpdate":
            continue
        data = json.loads(item["HistoryData"])
        stamp = item["Timestamp"]
        when = stamp if isinstance(stamp, datetime) else datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
        out.history.setdefault(name.removeprefix(prefix), []).append(
            Transition(int(when.timestamp()) // 60, data["oldState"]["stateValue"], data["newState"]["stateValue"])
        )
    for ts in out.history.values():
        ts.sort(key=lambda t: t.minute)
    # Composites whose children cannot be replayed cannot be either.
    for k, alarm in list(out.aset.alarms.items()):
        if isinstance(alarm, CompositeAlarm) and any(c not in out.aset.alarms for c in alarm.children()):
            del out.aset.alarms[k]
            out.unreadable[k] = "a child alarm is not replayable"
    return out


def _paged(
    names: Names, session: Any, operation: str, label: str, key: str, progress: Progress, **params: Any
) -> list[tuple[str, Mapping[str, Any]]]:
    """Every ``key`` item of a paginated CloudWatch ``operation`` in both regions, with its region."""
    out: list[tuple[str, Mapping[str, Any]]] = []
    for region in sorted({names.home_region, names.edge_region}):
        cw = session.client("cloudwatch", region_name=region)
        pages = call(
            lambda cw=cw: list(cw.get_paginator(operation).paginate(**params)),  # type: ignore[misc]  # mypy cannot infer a lambda whose default binds a loop variable (ruff B023)
            f"{label} ({region})",
            progress=progress,
        )
        for page in pages:
            out += [(region, item) for k in key.split("+") for item in page.get(k, [])]
    return out


def describe(
    setup: Configured, names: Names, session: Any, *, progress: Progress
) -> list[tuple[str, Mapping[str, Any]]]:
    """DescribeAlarms (metric and composite) named ``<service>-*`` in both regions, paged."""
    return _paged(
        names,
        session,
        "describe_alarms",
        "DescribeAlarms",
        "MetricAlarms+CompositeAlarms",
        progress,
        AlarmNamePrefix=f"{setup.service_name}-",
        AlarmTypes=["MetricAlarm", "CompositeAlarm"],
    )


def state_history(
    names: Names, session: Any, *, start: int, end: int, progress: Progress
) -> list[tuple[str, Mapping[str, Any]]]:
    """DescribeAlarmHistory (StateUpdate items) of every alarm in both regions for [start, end), paged."""
    return _paged(
        names,
        session,
        "describe_alarm_history",
        "DescribeAlarmHistory",
        "AlarmHistoryItems",
        progress,
        AlarmTypes=["MetricAlarm", "CompositeAlarm"],
        HistoryItemType="StateUpdate",
        StartDate=datetime.fromtimestamp(start * 60, UTC),
        EndDate=datetime.fromtimestamp(end * 60, UTC),
        ScanBy="TimestampAscending",
    )


# --- the comparison ------------------------------------------------------------------------------------


def replayed_transitions(timeline: Timeline, offset: int, judged_from: int, initial: str) -> list[Transition]:
    out, state = [], initial
    for T, s in sorted(timeline.states.items()):
        if offset + T < judged_from or s == state:
            continue
        out.append(Transition(offset + T, state, s))
        state = s
    return out


def fidelity(dep: Deployed, replay: Replay, judged_from: int) -> tuple[int, int, list[str]]:
    """(reproduced, real transitions, one line per disagreement) within ``TOLERANCE_MIN``."""
    initial = dep.initial(judged_from)
    total = matched = 0
    lines: list[str] = []
    for key, real_all in sorted(dep.history.items()):
        if key not in replay.timelines:
            continue
        real = [t for t in real_all if judged_from <= t.minute < replay.history.end]
        if not replay.outcomes[key].judged:
            continue
        mine = replayed_transitions(replay.timelines[key], replay.history.start, judged_from, initial[key])
        unused = list(mine)
        for t in real:
            total += 1
            hit = next((m for m in unused if m.new == t.new and abs(m.minute - t.minute) <= TOLERANCE_MIN), None)
            if hit:
                matched += 1
                unused.remove(hit)
            else:
                lines.append(f"  {key}: AWS went {t.old} -> {t.new} at {at(t.minute)}; the replay did not")
        lines += [f"  {key}: the replay went {m.old} -> {m.new} at {at(m.minute)}; AWS did not" for m in unused]
    return matched, total, lines


def real_episodes(dep: Deployed, judged_from: int, end: int) -> list[Outcome]:
    """The notifying deployed alarms' real ALARM episodes within [judged_from, end)."""
    initial = dep.initial(judged_from)
    out = []
    for key in sorted(dep.notify):
        eps, start = [], judged_from if initial.get(key) == "ALARM" else None
        for t in dep.history.get(key, []):
            if not judged_from <= t.minute < end:
                continue
            if t.new == "ALARM" and start is None:
                start = t.minute
            elif t.new != "ALARM" and start is not None:
                eps.append(Episode(start, t.minute))
                start = None
        if start is not None:
            eps.append(Episode(start, None))
        out.append(Outcome(key, eps))
    return out


def compare_lines(setup: Configured, dep: Deployed, history: History, mine: Judged, my_replay: Replay) -> list[str]:
    theirs = run(dep.aset, history, initial=dep.initial(history.judged_from))
    model = mine.model
    out = [
        f"against the alarms deployed now ({len(dep.aset.alarms) + len(dep.unreadable)} named {setup.service_name}-*):"
    ]
    rows = []
    mine_n = {k: len(o.episodes) for k, o in my_replay.outcomes.items() if k in model and model[k].notify and o.judged}
    theirs_n = {
        k: len(theirs.outcomes[k].episodes) for k in dep.notify if k in theirs.outcomes and theirs.outcomes[k].judged
    }
    for k in sorted(set(mine_n) | set(theirs_n)):
        a, b = theirs_n.get(k), mine_n.get(k)
        if a == b:
            continue
        severity = model[k].severity if k in model else "?"
        if a is None:
            rows.append(f"  {k} ({severity}): new in the working tree, would have notified {b} time(s)")
        elif b is None:
            rows.append(f"  {k}: deployed, notified {a} time(s) in the replay; gone from the working tree")
        else:
            rows.append(f"  {k} ({severity}): deployed {a}, working tree {b} notification(s)")
    out += rows or ["  every alarm of both would have notified as often"]
    for k, why in sorted(dep.unreadable.items()):
        out.append(f"  {k}: deployed, cannot be replayed ({why})")
    real = real_episodes(dep, history.judged_from, history.end)
    real_source = "their real history (DescribeAlarmHistory)"
    if not any(o.episodes for o in real) and theirs.outcomes:
        real = [theirs.outcomes[k] for k in sorted(dep.notify) if k in theirs.outcomes]
        real_source = "the replay of the deployed definitions (no real ALARM in the history's window)"
    found = incidents(real, history.end, gap=INCIDENT_GAP_MIN)
    mine_eps = [e for o in my_replay.outcomes.values() if o.key in mine_n for e in o.episodes]
    caught = sum(
        1
        for span, _ in found
        if any(
            e.overlaps(
                Episode(span.start - TOLERANCE_MIN, None if span.end is None else span.end + TOLERANCE_MIN), history.end
            )
            for e in mine_eps
        )
    )
    before = sum(theirs_n.values())
    pages_now = counts(model, my_replay)
    after = pages_now["page"] + pages_now["ticket"]
    delta = before - after
    change = f"{delta} time(s) fewer" if delta > 0 else f"{-delta} time(s) more" if delta < 0 else "as often"
    out.append(f"  incidents in {real_source}: {len(found)}; the working tree catches {caught} of them")
    out.append(
        f"  this change would have notified {change} ({before} -> {after}), and "
        + (
            f"still caught the {len(found)} incident(s)"
            if caught == len(found)
            else f"MISSED {len(found) - caught} of the {len(found)} incident(s)"
        )
    )
    matched, total, lines = fidelity(dep, theirs, history.judged_from)
    if history.judged_from < history.end - HISTORY_DAYS * 1440:
        kept = at(history.end - HISTORY_DAYS * 1440)
        out.append(f"  (alarm history is kept {HISTORY_DAYS} days: transitions before {kept} are not compared)")
    out.append(
        f"fidelity (each deployed definition replayed vs its real history, +-{TOLERANCE_MIN} min): "
        f"{matched} of {total} real transitions reproduced"
        + ("" if not lines else "; disagreements (evaluator defects to look at):")
    )
    out += lines
    return out


def compare(
    setup: Configured,
    names: Names,
    session: Any,
    history: History,
    mine: Judged,
    my_replay: Replay,
    *,
    described: Sequence[tuple[str, Mapping[str, Any]]],
    progress: Progress,
) -> list[str]:
    items = state_history(names, session, start=history.judged_from, end=history.end, progress=progress)
    dep = from_describe(described, f"{setup.service_name}-", items)
    progress(f"backtest: {len(described)} deployed alarms, {len(items)} state changes in their history")
    return compare_lines(setup, dep, history, mine, my_replay)
