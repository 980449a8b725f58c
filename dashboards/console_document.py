"""The local renderer: the operations dashboard (``dashboards.layout``, the very layout the CDK app
deploys) as one JSON document, drawn from locally recorded metrics, with every alarm's state computed by
the offline CloudWatch simulator (``observability.simulator``) from the same alarm model the stacks create.

Plain data in, plain data out: no CDK, no I/O. The local console (``local/console_server.py``) feeds it the
recorded metrics and runs log widgets' saved queries; its page (``dashboards/console/``) draws the
document it serves at ``/dashboard.json``.

Metric data: ``(namespace, name, dimensions) -> {epoch minute: values published that minute}``.
Widgets whose data exist only in us-east-1 (CloudFront, WAF, the edge cache's access logs) or only as a
SEARCH say that they have no local source instead of drawing anything.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from string import Template
from typing import Any

from dashboards import incident
from observability import sections
from observability.conditions import condition
from observability.model import (
    Alarm,
    AlarmStatus,
    AnyAlarm,
    AnyMetric,
    Composite,
    Graph,
    LogTable,
    Metric,
    Ref,
    Section,
    Text,
    Widget,
    duration,
)
from observability.plan import Plan
from observability.simulator.evaluator import AlarmSet, CompositeAlarm, MetricAlarm, MetricStat, Timeline
from observability.simulator.series import MetricKey, Sample, Scenario, Series
from service.contract import DIM_ROUTE, DIM_SERVICE, METRIC_CLIENT_ERROR, METRIC_FAULT, METRIC_REQUESTS

MetricId = tuple[str, str, tuple[tuple[str, str], ...]]
MetricData = Mapping[MetricId, Mapping[int, Sequence[float]]]
# A log widget's saved-query key -> {"columns": [...], "rows": [[...], ...]} (or {"error": ...}).
QueryRunner = Callable[[str], Mapping[str, Any]]

_COMPARISON = {
    ">": "GreaterThanThreshold",
    ">=": "GreaterThanOrEqualToThreshold",
    "<": "LessThanThreshold",
    "<=": "LessThanOrEqualToThreshold",
}
# The console server's paths (local/console_server.py) the incident view links to.
RUNBOOK_HREF = "/RUNBOOK.md"
QUERY_HREF = "/query?format=text&key="
NO_LOCAL_SOURCE = "No local source: {what} exist only in AWS ({where})."
WINDOW_MINUTES = 180  # what the graphs can show: the last 3 hours, as the deployed dashboard's default
FIT_MIN_MINUTES = 10  # the fitted time axis spans at least this: a short session is not squeezed to a line
FIT_LEAD_MINUTES = 1  # and starts a little before the first recorded minute


@dataclass(frozen=True)
class Window:
    """Epoch minutes: data from ``first`` on, drawn up to ``now`` (the minute in progress, marked partial on
    the page) and evaluated up to ``now - 1``, the last complete minute."""

    first: int
    now: int

    @property
    def end(self) -> int:
        """Scenario end (exclusive) for graphs: the minute in progress is drawn, as the local clock has it."""
        return self.now - self.first + 1

    @property
    def evaluated_end(self) -> int:
        """The last alarm evaluation (relative minute): at the start of the minute in progress, over complete
        minutes only. An evaluation that read the minute in progress would be redone, with more data, on
        every refresh: states and their "since" would move after the fact."""
        return self.now - self.first


def simulated(m: AnyMetric, refs: Mapping[str, str]) -> tuple[dict[str, MetricStat], dict[str, str], str] | None:
    """A metric or math expression as the simulator reads it (stats, expressions, result id); None for a
    SEARCH, which only CloudWatch can run."""
    if isinstance(m, Metric):
        return {"m": _stat(m, refs)}, {}, "m"
    if not m.using:
        return None
    stats = {k: _stat(v, refs) for k, v in m.using.items()}
    return stats, {"result": Template(m.expression).safe_substitute(refs)}, "result"


def _stat(m: Metric, refs: Mapping[str, str]) -> MetricStat:
    dims = {k: refs.get(v.name, v.name) if isinstance(v, Ref) else v for k, v in m.dimensions}
    return MetricStat(MetricKey.of(m.namespace, m.name, dims), m.statistic, m.period_s)


def alarm_set(alarms: Sequence[AnyAlarm], refs: Mapping[str, str]) -> AlarmSet:
    """The model's alarms (home region) as the simulator's, keyed by alarm key."""
    out = AlarmSet()
    for a in alarms:
        if isinstance(a, Composite):
            out.add(a.key, CompositeAlarm(a.key, " AND ".join(f"ALARM({c.key})" for c in a.children)))
            continue
        found = simulated(a.metric, refs)
        if found is None:
            continue
        stats, expressions, result = found
        out.add(
            a.key,
            MetricAlarm(
                name=a.key,
                stats=stats,
                expressions=expressions,
                result=result,
                period_s=a.metric.period_s,
                threshold=a.threshold,
                comparison=_COMPARISON[a.comparison],
                evaluation_periods=a.evaluation_periods,
                datapoints_to_alarm=a.datapoints_to_alarm,
                treat_missing_data=a.missing_data,
            ),
        )
    return out


def scenario(data: MetricData, window: Window, end: int | None = None) -> Scenario:
    """Recorded minutes as the simulator's scenario (minute 0 = ``window.first``), evaluated up to ``end``
    (relative; default ``window.end``)."""
    out = Scenario(end=window.end if end is None else end)
    for (namespace, name, dims), minutes in data.items():
        series = Series(
            {m - window.first: Sample.of(v) for m, v in minutes.items() if v and window.first <= m <= window.now}
        )
        out.add(namespace, name, dict(dims), series)
    return out


def alarm_states(
    alarms: Sequence[AnyAlarm], data: MetricData, window: Window, refs: Mapping[str, str]
) -> dict[str, dict[str, Any]]:
    """key -> {state, since (epoch s of the evaluation that set it), history, why}: the simulator's reading
    of the recorded complete minutes. An alarm starts in INSUFFICIENT_DATA, as a new CloudWatch alarm does.
    ``why`` (for an alarm in ALARM) says what keeps it there at the last evaluation."""
    aset = alarm_set(alarms, refs)
    scn = scenario(data, window, end=window.evaluated_end)
    timelines = aset.evaluate(scn)
    out = {key: _state(t, window) for key, t in timelines.items()}
    by_key = {a.key: a for a in alarms}
    for key, st in out.items():
        if st["state"] == "ALARM":
            st["why"] = why(by_key[key], aset, scn, out)
    return out


def why(a: AnyAlarm, aset: AlarmSet, scn: Scenario, states: Mapping[str, Mapping[str, Any]]) -> str:
    """What holds an alarm in ALARM at the last evaluation, in a line: its newest datapoints against the
    threshold, or the missing data it keeps its state on; for a composite, each child's."""
    if isinstance(a, Composite):
        return "; ".join(f"{c.context.get('window', c.key)}: {_why_metric(c, aset, scn)}" for c in a.children)
    return _why_metric(a, aset, scn)


def _why_metric(a: Alarm, aset: AlarmSet, scn: Scenario) -> str:
    sim = aset.alarms[a.key]
    assert isinstance(sim, MetricAlarm)  # noqa: S101 - a model Alarm is simulated as a metric alarm
    p = sim.period_s // 60
    seen = sim.range_at(scn, scn.end)
    window = [scn.end - j * p for j in reversed(range(a.evaluation_periods))]
    values = [seen.get(t) for t in window]
    test = f"{a.comparison} {a.threshold:g}"
    if all(v is None for v in values):
        span = duration(a.evaluation_periods * sim.period_s)
        return f"no datapoint in the last {span}: state kept (missing data: {a.missing_data})"
    if a.evaluation_periods == 1:
        return f"{_num(values[0])} {test} (last {duration(sim.period_s)} period)"
    breaching = sum(1 for v in values if v is not None and _COMPARE_FN[a.comparison](v, a.threshold))
    shown = ", ".join("-" if v is None else _num(v) for v in values)
    return (
        f"{breaching} of the last {a.evaluation_periods} {duration(sim.period_s)} periods {test} "
        f"({a.datapoints_to_alarm} alarm): {shown}, oldest first"
    )


def _num(v: float | None) -> str:
    """1,980 / 14.4 / 0.123: readable at a glance (no exponents)."""
    assert v is not None  # noqa: S101 - callers pass datapoints that exist
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.3g}"


_COMPARE_FN = {
    ">": lambda v, t: v > t,
    ">=": lambda v, t: v >= t,
    "<": lambda v, t: v < t,
    "<=": lambda v, t: v <= t,
}


def _state(t: Timeline, window: Window) -> dict[str, Any]:
    changes = t.transitions()
    if not changes:
        return {"state": "INSUFFICIENT_DATA", "since": None, "history": []}
    minute, state = changes[-1]
    history = [{"at": _epoch(window, m), "state": s} for m, s in changes]
    return {"state": state, "since": _epoch(window, minute), "history": history}


def _epoch(window: Window, minute: int) -> int:
    # Evaluation T reads the minutes before T and happens at T's start (at most the minute in progress's).
    return min(window.first + minute, window.now) * 60


def series(m: AnyMetric, data: Scenario, window: Window, refs: Mapping[str, str]) -> list[list[float | None]] | None:
    """[[epoch s of the period's start, value or None], ...] at the metric's period, aligned to the clock
    as CloudWatch aligns dashboard periods; None when the metric cannot be computed locally (SEARCH)."""
    found = simulated(m, refs)
    if found is None:
        return None
    stats, expressions, result = found
    p = m.period_s // 60
    probe = MetricAlarm("graph", stats, expressions, result, m.period_s, 0, "GreaterThanThreshold", 1, 1)
    first = max(window.first, window.now - WINDOW_MINUTES)
    starts = [s for s in range(first - first % p, window.now + 1, p)]
    ends = [s - window.first + p for s in starts]  # relative period ends
    values = probe.datapoints(data, ends)
    return [[s * 60, values.get(e)] for s, e in zip(starts, ends, strict=True)]


def document(
    plan: Plan,
    board: Sequence[Section],
    data: MetricData,
    *,
    now_s: float,
    refs: Mapping[str, str],
    run_query: QueryRunner,
) -> dict[str, Any]:
    """The dashboard document: every section and widget in the deployed order, each graph's series and
    lines, each alarm's state and the time it changed, each log widget's result table."""
    minutes = [m for per in data.values() for m in per]
    now = int(now_s // 60)
    window = Window(first=min(minutes) if minutes else now, now=now)
    home = [a for a in plan.alarms if a.region == "home"]
    states = alarm_states(home, data, window, refs)
    scn = scenario(data, window)
    alarms = {a.key: _alarm(a, plan, states) for a in plan.alarms}

    def widget(w: Widget) -> dict[str, Any]:
        if isinstance(w, Graph):
            return _graph(w, scn, window, refs)
        if isinstance(w, Text):
            return {
                "type": "text",
                "width": w.width,
                "height": w.height,
                "markdown": Template(w.markdown).safe_substitute(refs),
                "transparent": w.transparent,
            }
        if isinstance(w, AlarmStatus):
            return {
                "type": "alarms",
                "title": w.title,
                "width": w.width,
                "height": w.height,
                "alarms": [alarms[a.key] for a in w.alarms],
            }
        return _log(w, run_query)

    return {
        "service": plan.cfg.service_name,
        "now": int(now_s),
        "incident": {
            "title": sections.INCIDENT,
            "recorded": bool(data),
            # The last evaluation: at the start of the minute in progress, over complete minutes.
            "evaluated_at": window.now * 60,
            "counts": incident.counts(plan.alarms, alarms),
            "groups": incident.groups(plan.alarms, alarms, runbook_href=RUNBOOK_HREF, query_href=QUERY_HREF),
        },
        "window": fit(window, data),
        "sections": [{"title": s.title, "rows": [[widget(w) for w in row] for row in s.rows]} for s in board],
        "alarms": list(alarms.values()),
    }


def fit(window: Window, data: MetricData) -> dict[str, Any]:
    """The graphs' time axis (epoch s): ``start`` fits the recording (from a little before its first
    datapoint, and before the start of the 5-minute period holding it, where 5-minute series draw their
    first point) to the end of the minute in progress, at least ``FIT_MIN_MINUTES`` and at most the
    retained ``WINDOW_MINUTES``; ``earliest`` is where a wider range the page offers may start."""
    end = window.now + 1
    earliest = end - WINDOW_MINUTES
    first = window.first if data else window.now
    start = min(first - FIT_LEAD_MINUTES, first - first % 5)
    start = max(earliest, min(start, end - FIT_MIN_MINUTES))
    return {"start": start * 60, "end": end * 60, "earliest": earliest * 60, "first": first * 60 if data else None}


def _alarm(a: AnyAlarm, plan: Plan, states: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    found = states.get(a.key)
    state = dict(found) if found else {"state": None, "since": None, "history": []}
    return {
        "key": a.key,
        "name": plan.cfg.alarm_name(a.key),
        "title": a.runbook.title,
        "condition": condition(a),
        "region": a.region,
        "notify": a.notify,
        "severity": a.severity,
        # CloudFront and WAF alarms read us-east-1 metrics, which only AWS has.
        "local": found is not None,
        **state,
    }


def _graph(g: Graph, scn: Scenario, window: Window, refs: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "graph",
        "title": g.title,
        "width": g.width,
        "height": g.height,
        "stacked": g.stacked,
        "left_max": g.left_max,
        "lines": [{"label": a.text, "value": a.value, "color": a.color} for a in g.lines],
        "series": [],
    }
    if g.edge:
        out["no_local_source"] = NO_LOCAL_SOURCE.format(
            what="CloudFront and WAF metrics", where="us-east-1, published by CloudFront and WAF"
        )
        return out
    for axis, metrics in (("left", g.left), ("right", g.right)):
        for m in metrics:
            points = series(m, scn, window, refs)
            if points is None:
                out["no_local_source"] = NO_LOCAL_SOURCE.format(what="SEARCH expressions", where="CloudWatch")
                continue
            label = m.label or (m.name if isinstance(m, Metric) else m.expression)
            out["series"].append({"label": label, "color": m.color, "axis": axis, "points": points})
    return out


def _log(w: LogTable, run_query: QueryRunner) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "log",
        "title": w.title,
        "width": w.width,
        "height": w.height,
        "query": w.query,
        "view": w.view,
    }
    if w.edge:
        out["no_local_source"] = NO_LOCAL_SOURCE.format(
            what="CloudFront access logs", where="us-east-1, delivered by CloudFront standard logging"
        )
        return out
    out.update(run_query(w.query))
    return out


def current(data: MetricData, namespace: str, service: str, minute: int) -> dict[str, dict[str, float]]:
    """``totals`` of one minute (epoch minute): the per-route rates of the last complete minute."""
    return totals(data, namespace, service, only=minute)


def totals(data: MetricData, namespace: str, service: str, only: int | None = None) -> dict[str, dict[str, float]]:
    """Per route label: requests, faults (5xx) and client errors (4xx) over every recorded minute (or the
    epoch minute ``only``), from the service's EMF metrics (what ``make load``'s counts are compared with)."""
    out: dict[str, dict[str, float]] = {}
    names = {METRIC_REQUESTS: "requests", METRIC_FAULT: "faults", METRIC_CLIENT_ERROR: "client_errors"}
    for (ns, name, dims), minutes in data.items():
        d = dict(dims)
        if ns != namespace or name not in names or d.get(DIM_SERVICE) != service or DIM_ROUTE not in d:
            continue
        row = out.setdefault(d[DIM_ROUTE], {"requests": 0, "faults": 0, "client_errors": 0})
        row[names[name]] += sum(sum(v) for m, v in minutes.items() if only is None or m == only)
    return dict(sorted(out.items()))
