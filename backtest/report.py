"""The backtest report: per notifying alarm, its notifications (by severity), when, how long in ALARM and
which alarms fired with it; the incidents; what was not judged and what the replay cannot know; and one
summary line to paste into a pull request."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime

from backtest.replay import Episode, Outcome, Replay, incidents
from observability.model import AnyAlarm, Composite
from observability.simulator.series import MetricKey

MAX_TIMES = 6  # notification times listed per alarm before "..."


def at(minute: int) -> str:
    return datetime.fromtimestamp(minute * 60, UTC).strftime("%m-%d %H:%MZ")


def span(minutes: int) -> str:
    if minutes < 120:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes / 60:.1f} h"
    return f"{minutes / 1440:.1f} d"


def metric_name(k: MetricKey) -> str:
    dims = ",".join(f"{n}={v}" for n, v in k.dimensions)
    return f"{k.namespace}/{k.name}{{{dims}}}"


def notifying(model: Mapping[str, AnyAlarm], replay: Replay) -> list[Outcome]:
    return [replay.outcomes[k] for k, a in model.items() if a.notify and k in replay.outcomes]


def counts(model: Mapping[str, AnyAlarm], replay: Replay) -> Counter[str]:
    """Notifications by severity ("page", "ticket") of the judged notifying alarms."""
    out: Counter[str] = Counter({"page": 0, "ticket": 0})
    for o in notifying(model, replay):
        if o.judged:
            out[model[o.key].severity] += len(o.episodes)
    return out


def _episode(e: Episode, end: int) -> str:
    length = span(e.minutes(end))
    return f"{at(e.start)} ({length}{', still in ALARM at the end' if e.end is None else ''})"


def render(model: Mapping[str, AnyAlarm], replay: Replay, *, title: str) -> tuple[list[str], str]:
    """The report's lines and its summary line."""
    h = replay.history
    out = [
        title,
        f"  history: {h.source}",
        f"  {at(h.start)} .. {at(h.end)}; judged from {at(h.judged_from)} ({span(h.end - h.judged_from)})",
    ]
    for s in h.stretches:
        if s.end > h.judged_from:
            out.append(
                f"  {at(max(s.first, h.judged_from))} .. {at(s.end)} judged at {s.resolution_s // 60}-minute resolution"
            )
    alarms = notifying(model, replay)
    judged = [o for o in alarms if o.judged]
    fired = [o for o in judged if o.episodes]
    quiet = [o for o in judged if not o.episodes]
    unjudged = [o for o in alarms if not o.judged]
    found = incidents(fired, h.end)
    out.append("")
    out.append(
        f"notifying alarms that went to ALARM ({len(fired)} of {len(alarms)}):"
        if fired
        else f"no notifying alarm went to ALARM ({len(judged)} with a verdict, {len(unjudged)} without)"
    )
    for o in fired:
        a = model[o.key]
        times = ", ".join(_episode(e, h.end) for e in o.episodes[:MAX_TIMES])
        more = f", ... {len(o.episodes) - MAX_TIMES} more" if len(o.episodes) > MAX_TIMES else ""
        which = [str(i) for i, (_, keys) in enumerate(found, 1) if o.key in keys]
        out.append(
            f"  {a.severity.upper():6} {o.key}: {len(o.episodes)} notification(s), "
            f"{span(o.alarm_minutes(h.end))} in ALARM, incident {', '.join(which)}"
        )
        out.append(f"         at {times}{more}")
    if quiet:
        out.append(f"quiet (never in ALARM): {len(quiet)} notifying alarms")
    if found:
        out.append("")
        out.append(f"incidents (notifying alarms in ALARM at overlapping times): {len(found)}")
        for i, (e, keys) in enumerate(found, 1):
            out.append(f"  {i}. {_episode(e, h.end)}: {', '.join(keys)}")
    out += ["", *cannot_know(model, replay, unjudged)]
    c = counts(model, replay)
    summary = (
        f"backtest {at(h.judged_from)}..{at(h.end)} ({span(h.end - h.judged_from)}, {short_source(h.source)}): "
        f"{c['page']} page(s) and {c['ticket']} ticket(s) from {len(fired)} alarm(s) in {len(found)} incident(s); "
        f"{len(quiet)} alarms quiet, {len(unjudged)} without data"
    )
    out += ["", f"summary: {summary}"]
    return out, summary


def short_source(source: str) -> str:
    return source.split(" (")[0].removeprefix("the ")


def cannot_know(model: Mapping[str, AnyAlarm], replay: Replay, unjudged: list[Outcome]) -> list[str]:
    out = ["what this backtest cannot know:"]
    reasons: dict[str, list[str]] = {}
    for o in unjudged:
        reasons.setdefault(o.why or "no data", []).append(o.key)
    for why, keys in sorted(reasons.items()):
        out.append(f"  - no verdict ({why}): {', '.join(keys)}")
    never = sorted({m for o in replay.outcomes.values() if o.judged for m in o.missing_metrics}, key=metric_name)
    if never:
        out.append(
            f"  - {len(never)} metric(s) the plan reads have no datapoint in the history (a sparse counter "
            f"that stayed at zero, a metric that did not exist yet, or one this source has not): "
            f"{', '.join(metric_name(m) for m in never[:8])}{' ...' if len(never) > 8 else ''}"
        )
    warm = [o for o in replay.outcomes.values() if o.warmup_until is not None and o.judged]
    if warm:
        until = max(o.warmup_until for o in warm if o.warmup_until is not None)
        out.append(
            f"  - {len(warm)} alarm(s) need data from before the history (their windows reach back further): "
            f"judged on partial windows until at most {at(until)}"
        )
    coarse = [o.key for o in replay.outcomes.values() if o.coarse and not isinstance(model.get(o.key), Composite)]
    if coarse:
        out.append(
            f"  - where the data is coarser than their period (retention), not judged: {', '.join(coarse[:8])}"
            f"{' ...' if len(coarse) > 8 else ''}"
        )
    approx = [o.key for o in replay.outcomes.values() if o.approximate]
    if approx:
        out.append(f"  - a percentile over several minutes is only bounded by per-minute data: {', '.join(approx)}")
    if any(isinstance(a, Composite) for a in model.values()):
        out.append(
            "  - composites are judged from their children's replayed states at each minute (CloudWatch "
            "re-evaluates when a child changes; actions suppression is not modelled)"
        )
    out.append(
        "  - when data landed: the replay sees each minute complete and on time (late EMF or Lambda "
        "metrics shift real transitions by a minute or two)"
    )
    return out
