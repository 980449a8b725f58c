"""The synthesized alarms, loaded into the offline evaluator, and the failure-mode expectations.

``load(synth)`` reads every alarm of the real cloud assembly (both regions, nested stacks) and maps
the deploy-time tokens (function, table, distribution) to the names the world publishes under.
``cases(loaded)`` builds every scenario once (each failure row on two backgrounds with their history,
the quiet days, and the pinning cases: intermittent failures, a retried request with the canary alone around
it, sparse slow inits, thin windows, telemetry lost);
``observe`` evaluates a case under every :data:`SETTINGS` (ingestion lag per source, evaluation
range), re-evaluating only the alarms a setting can change; ``verdict`` compares what paged with what
observability/failure_modes.py says, naming the setting that broke it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from observability import failure_modes
from observability.failure_modes import MODES, ROUTE, FailureMode, by_row, conditions, low_traffic, pages
from observability.plan import plan
from observability.proof import Minutes, span, spelled
from observability.simulator.evaluator import ALARM, OK, AlarmSet, CompositeAlarm, MetricAlarm, Timeline
from observability.simulator.loader import default_resolve, load_templates
from observability.simulator.series import SOURCES, Scenario, source_of
from observability.units import canary
from service.catalogue import RouteSpec
from tests.support.paths import ROOT
from tests.support.scenarios import world
from tests.support.synth import Synth


@dataclass
class Loaded:
    name: str
    aset: AlarmSet
    key_of: dict[str, str]  # evaluator key ("<stack>/<logical id>") -> model alarm key
    notify: frozenset[str]  # model keys of the alarms that notify (composites, not their windows)
    severity: Mapping[str, str]  # model key -> "page" or "ticket" (notifying alarms)
    routes: tuple[RouteSpec, ...]
    service: str
    reserved: int | None
    limit: int
    canary: tuple[str, ...]  # the canary's target routes (empty without it)
    # The canary's name is no deploy-time token but a literal (MonitoringConfig.canary_name, often the
    # service name itself, so it cannot be mapped by its text): the world publishes under it.
    canary_name: str
    owner: Mapping[str, str] = field(default_factory=dict)  # model key -> the file of the unit that declares it

    @property
    def by_model_key(self) -> dict[str, str]:
        return {v: k for k, v in self.key_of.items()}

    def notifies(self, key: str) -> bool:
        return key in self.notify

    def pages(self, key: str) -> bool:
        return self.severity.get(key) == "page"

    def world(
        self, timeline: Callable[[int], world.Minute], minutes: int, *, judged_from: int = 0, history: bool = False
    ) -> Scenario:
        scn = world.World(
            self.routes,
            self.service,
            timeline,
            minutes,
            canary=self.canary,
            canary_name=self.canary_name,
            history=history,
        ).run()
        scn.start = judged_from  # evaluations from here on; the data before it is the windows' history
        return scn


def load(s: Synth) -> Loaded:
    cfg = s.config.monitoring
    stacks = s.stacks

    def lid(stack: Any, construct: Any) -> str:
        return str(stack.resolve(stack.get_logical_id(construct.node.default_child)))

    tokens = {
        f"output:PublishOutputRef{lid(stacks.service, stacks.service.function)}": world.FUNCTION,
        f"output:PublishOutputRef{lid(stacks.service, stacks.service.table)}": world.TABLE,
        f"output:PublishOutputRef{lid(stacks.edge, stacks.edge.distribution)}": world.DISTRIBUTION,
    }

    def resolve(value: Any) -> str:
        text = default_resolve(value)
        return next((sym for prefix, sym in tokens.items() if text.startswith(prefix)), text)

    # Both monitoring stacks and the nested route stacks (the synth fixture found them by construct).
    templates = {t.name: t.template for part in ("home", "edge") for t in s.templates[part].all_templates()}
    aset = load_templates(templates, resolve=resolve)
    prefix = cfg.service_name + "-"
    key_of = {k: str(a.alarm_name).removeprefix(prefix) for k, a in aset.alarms.items()}
    model = plan(cfg, s.routes, s.config.reserved_concurrency)
    # The template holds exactly the model's alarms (so the model's notify flags describe them).
    assert sorted(key_of.values()) == sorted(a.key for a in model.alarms)
    return Loaded(
        name=s.name,
        aset=aset,
        key_of=key_of,
        notify=frozenset(a.key for a in model.alarms if a.notify),
        severity={a.key: a.severity for a in model.alarms if a.notify},
        routes=s.routes,
        service=cfg.service_name,
        reserved=s.config.reserved_concurrency,
        limit=cfg.account_concurrency_limit,
        canary=tuple(r.name for r in canary.targets(s.routes)) if cfg.canary else (),
        canary_name=cfg.canary_name,
        owner={a.key: unit_file(p.unit) for p in model.units for a in p.alarms.all()},
    )


def unit_file(unit: object) -> str:
    path = Path(getattr(unit, "__file__", "") or "<unit>")
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def where_stated(problems: Iterable[str], loaded: Loaded) -> list[str]:
    """For each alarm the problems name (verdict's lines): where its minutes are stated, to edit."""
    named = sorted({k for line in problems for k in re.findall(r": ([\w-]+) (?:alarmed|never alarmed)", line)})
    seen: dict[tuple[str, str], list[int]] = {}
    for line in problems:
        got = re.match(r"(.+?) \[[^]]*\]: ([\w-]+) alarmed after (\d+) min", line)
        if got:
            seen.setdefault((got[1], got[2]), []).append(int(got[3]))
    seen_lines = [
        f"{k} in {case}: alarmed after {spelled((min(m), max(m)))} under the settings above"
        for (case, k), m in sorted(seen.items())
    ]
    return seen_lines + [
        f"{k}: its minutes are stated in observability/failure_modes.py MODES (a row's alarms, low_traffic) or "
        f"tests/support/scenarios/harness.py (a named case), or by its unit in its PROOF "
        f"({loaded.owner.get(k, 'observability/units/')}: rows, low_traffic, cases)"
        for k in named
    ]


def expected(
    mode: FailureMode, loaded: Loaded, *, on_low_traffic: bool = False, patterns: dict[str, str] | None = None
) -> dict[str, Minutes]:
    """The model's alarms for this configuration: {route} expanded over the row's routes, alarms of the
    other configuration (reserved or account concurrency) dropped; on a low-traffic day with the row's
    ``low_traffic`` overrides. ``patterns`` receives each key's entry in the row (the range it shares)."""
    out: dict[str, Minutes] = {}
    routes = sorted(world.scope(mode.routes, loaded.routes)) if mode.routes else []
    known = set(loaded.key_of.values())
    # Patterns first, so a route's own entry (a route with another SLO pages later) overrides them.
    entries = sorted(pages(mode).items(), key=lambda kv: ROUTE not in kv[0])
    low = low_traffic(mode)
    if on_low_traffic:
        entries += sorted(low.items(), key=lambda kv: ROUTE not in kv[0])
    for key, minutes in entries:
        for k in _expand(key, routes):
            if minutes is None:
                out.pop(k, None)
            elif k in known:
                out[k] = minutes
                if patterns is not None:
                    patterns[k] = f"{key} ({'low-traffic day' if key in low and on_low_traffic else 'row'})"
            else:
                assert k in conditions(mode), f"row {mode.row}: {k} is no alarm of {loaded.name}"
    return out


def _expand(key: str, routes: Iterable[str]) -> list[str]:
    return [key.replace(ROUTE, r) for r in routes] if ROUTE in key else [key]


def alarmed(
    timelines: Mapping[str, Timeline], loaded: Loaded, since: int, *, notify_only: bool = False
) -> dict[str, int]:
    """Alarms that reached ALARM after ``since``: model key -> minutes to ALARM (every alarm, the
    composites' window alarms included, unless ``notify_only``)."""
    out = {}
    for k, tl in timelines.items():
        key = loaded.key_of[k]
        if notify_only and key not in loaded.notify:
            continue
        minutes = tl.minutes_to_alarm(since=since)
        if minutes is not None:
            out[key] = minutes
    return out


def alarming_between(timelines: Mapping[str, Timeline], loaded: Loaded, first: int, last: int) -> list[str]:
    return sorted(
        loaded.key_of[k]
        for k, tl in timelines.items()
        if ALARM in tl.states.values() and any(s == ALARM for t, s in tl.states.items() if first <= t <= last)
    )


# --- the settings every case runs under -------------------------------------------------------------

LAG_SOURCES = SOURCES  # observability/simulator/series.py: one per namespace's publisher
DEFAULT_EXTRA = 2  # the evaluator's documented evaluation range: N + 2 datapoints
# The service's EMF on a bad day: log delivery and metric extraction 6 minutes behind AWS/Lambda's own
# counters (issue 23's "metrics 6+ minutes late"; test_quiet_api.py judges the busy day up to 15).
EMF_LATE = 6


@dataclass(frozen=True)
class Setting:
    """One way the world reaches CloudWatch: sources landing late, and the evaluation range."""

    name: str
    lags: Mapping[str, int] = field(default_factory=dict)
    extra: int = DEFAULT_EXTRA  # evaluation range = EvaluationPeriods + extra datapoints

    @property
    def sources(self) -> frozenset[str]:
        return frozenset(s for s, lag in self.lags.items() if lag)


NO_LAG = Setting("no lag")


def settings(sources: Iterable[str]) -> tuple[Setting, ...]:
    """No lag; each source the alarms read 1, 2 and 3 minutes late alone (the service's EMF also
    EMF_LATE minutes late); all of them together 1-3 minutes late; and (no lag) the evaluation ranges N,
    N+1 and N+3 besides the default N+2."""
    sources = [s for s in LAG_SOURCES if s in set(sources)]
    out = [NO_LAG]
    out += [Setting(f"{s} {lag} min late", {s: lag}) for s in sources for lag in (1, 2, 3)]
    out += [Setting(f"emf {EMF_LATE} min late", {"emf": EMF_LATE})] if "emf" in sources else []
    out += [Setting(f"all {lag} min late", dict.fromkeys(sources, lag)) for lag in (1, 2, 3)]
    out += [Setting(f"evaluation range N+{extra}", extra=extra) for extra in (0, 1, 3)]
    return tuple(out)


def alarm_sources(alarm: MetricAlarm) -> frozenset[str]:
    return frozenset(source_of(st.key.namespace) for st in alarm.stats.values())


def evaluate(
    loaded: Loaded,
    scenario: Scenario,
    setting: Setting,
    base: Mapping[str, Timeline] | None = None,
    alarms: Mapping[str, MetricAlarm] | None = None,
) -> dict[str, Timeline]:
    """Every timeline under ``setting``. With ``base`` (the same alarms with no lag), only the metric alarms
    the setting can change (those reading a late source; all, for another evaluation range) and the
    composites over them are evaluated again. ``alarms`` replaces some metric alarms (mutations)."""
    metric = loaded.aset.metric_alarms() | dict(alarms or {})
    scn = scenario.lagged(setting.lags) if setting.lags else scenario
    if base is None:
        again = set(metric)
        out: dict[str, Timeline] = {}
    else:
        again = {k for k, a in metric.items() if setting.extra != DEFAULT_EXTRA or alarm_sources(a) & setting.sources}
        again |= set(alarms or {})
        out = dict(base)
    for k in again:
        out[k] = metric[k].evaluate(scn, extra_datapoints=setting.extra)
    _composites(loaded.aset, out, again if base is not None else None, range(scn.start + 1, scn.end + 1))
    return out


def _composites(aset: AlarmSet, tls: dict[str, Timeline], changed: set[str] | None, minutes: range) -> None:
    """(Re)compute the composites over ``changed`` children (all when None), children first. A rule is
    judged once per combination of its children's states (they change a few times per scenario)."""
    pending = {k: a for k, a in aset.alarms.items() if isinstance(a, CompositeAlarm)}
    kids = {k: {n: aset.child_key(k, n) for n in a.children()} for k, a in pending.items()}
    dirty = set(changed) if changed is not None else None
    while pending:
        ready = [k for k in pending if all(c in tls and c not in pending for c in kids[k].values())]
        assert ready, f"composites with unknown or cyclic children: {sorted(pending)}"
        for k in ready:
            comp = pending.pop(k)
            if dirty is not None and not dirty & set(kids[k].values()):
                continue
            names = list(kids[k])
            children = [tls[kids[k][n]].states for n in names]
            judged: dict[tuple[str, ...], str] = {}
            states = {}
            for T in minutes:
                now = tuple(ch[T] for ch in children)
                if now not in judged:
                    judged[now] = ALARM if comp.holds(dict(zip(names, now, strict=True))) else OK
                states[T] = judged[now]
            tls[k] = Timeline(comp.name, states)  # type: ignore[arg-type]
            if dirty is not None:
                dirty.add(k)


# --- the cases: every failure row on two backgrounds, and the quiet scenarios ------------------------

BUSY_DAY_MINUTES = 180
QUIET_NIGHT_MINUTES = 240
# The busy day's 10-minute DynamoDB hiccup (from minute 100, three routes) breaches their short burn
# windows, never a 1-h or 6-h partner: no composite pages. (Minutes from the day's start.)
BUSY_DAY_WINDOWS: dict[str, Minutes] = {
    **{f"route-{r}-fault-rate-5min": 103 for r in ("create_order", "list_orders", "get_order")},
    **{f"route-{r}-fault-rate-30min": 104 for r in ("create_order", "list_orders", "get_order")},
    # The background 5xx spend about 4x the service's budget from the second hour: a leak, which tickets
    # (the scenario's 3 hours are all the 3-day window holds); the hiccup breaches two short windows only.
    "service-leak-burn": (68, 71),
    "service-leak-72h": 68,
    "service-leak-6h": 68,
    "service-fast-5min": 105,
    "service-slow-30min": 105,
}
# The bursty batch's first minute: 3 cold starts among list_orders' 20 requests breach its 30-min latency
# window (the 5-min one holds the canary's fast calls too); the 1-h partner needs 200 requests
# (route.latency_floor) and the 6-h one a 6 % share: no page.
BURSTY_BATCH_WINDOWS: dict[str, Minutes] = {
    "route-list_orders-slow-share-30min": 61,
}
BACKGROUNDS = ("normal traffic", "a low-traffic day")
# Row k2's regression is fixed after this many minutes; every alarm must be OK again this long after.
REGRESSION_MINUTES = 30
CLEARED_WITHIN = 35
JUDGED_FROM = world.START - 5  # rows: evaluations from here (the hour before is the windows' history)


@dataclass(frozen=True)
class Case:
    """One scenario and what it must show under every setting."""

    name: str  # "row e3 on a low-traffic day", "quiet night"
    group: str  # cases whose minutes share one range each (a row's two backgrounds)
    scenario: Scenario
    want: Mapping[str, Minutes]  # model key -> minutes to ALARM from ``since``; nothing else may alarm
    # model key -> the row entry whose range it shares ({route} patterns: every route of the scope)
    pattern: Mapping[str, str] = field(default_factory=dict)
    since: int = 0  # the failure's start (0: a quiet scenario, judged from its first minute)
    clear_from: int | None = None  # every notifying alarm OK from this minute to the end (a fixed failure)


@dataclass(frozen=True)
class Observed:
    """What one case showed under one setting."""

    early: tuple[str, ...]  # alarms in ALARM before the failure (rows)
    minutes: Mapping[str, int]  # alarms that reached ALARM -> minutes from the failure's start
    late: tuple[str, ...]  # notifying alarms in ALARM after ``clear_from``
    notify: frozenset[str] = frozenset()  # which keys notify (pages); the others are burn-rate windows
    lagged: bool = False  # some source landed late


def observe(case: Case, tls: Mapping[str, Timeline], loaded: Loaded, *, lagged: bool = False) -> Observed:
    early = alarming_between(tls, loaded, case.scenario.start + 1, case.since) if case.since else []
    late = alarming_between(tls, loaded, case.clear_from, case.scenario.end) if case.clear_from else []
    late = [k for k in late if k in loaded.notify]
    return Observed(tuple(early), alarmed(tls, loaded, case.since), tuple(late), loaded.notify, lagged)


def cases(loaded: Loaded) -> list[Case]:
    """Every failure-mode row on normal traffic and on a low-traffic day, the regression fixed again, the
    quiet night, the low-traffic day, the bursty batch and the busy day."""
    out = []
    low = world.low_traffic_day(loaded.routes)
    backgrounds = dict(zip(BACKGROUNDS, (world.normal, low), strict=True))
    for bg_name, bg in backgrounds.items():
        rows = world.failure_timelines(loaded.routes, loaded.reserved, loaded.limit, bg)
        for mode in MODES:
            patterns: dict[str, str] = {}
            want = expected(mode, loaded, on_low_traffic=bg is low, patterns=patterns)
            scn = loaded.world(rows[mode.row], world.END, judged_from=JUDGED_FROM, history=True)
            out.append(Case(f"row {mode.row} on {bg_name}", f"row {mode.row}", scn, want, patterns, since=world.START))
    k2 = next(m for m in MODES if m.row == "k2")
    fixed_at = world.START + REGRESSION_MINUTES
    regression = world.failure_timelines(loaded.routes, loaded.reserved, loaded.limit, low)["k2"]
    fixed = lambda m: regression(m) if m < fixed_at else low(m)  # noqa: E731
    scn = loaded.world(fixed, fixed_at + CLEARED_WITHIN + 10, judged_from=JUDGED_FROM, history=True)
    want = expected(k2, loaded)
    out.append(
        Case(
            FIXED,
            "fixed",
            scn,
            want,
            since=world.START,
            clear_from=fixed_at + CLEARED_WITHIN,
        )
    )
    quiet = {
        "quiet night": (world.quiet_night, QUIET_NIGHT_MINUTES, {}),
        "low-traffic day": (low, world.LOW_TRAFFIC_MINUTES, {}),
        "bursty batch": (world.bursty_batch, world.BURSTY_BATCH_MINUTES, BURSTY_BATCH_WINDOWS),
        "busy day": (world.busy_day, BUSY_DAY_MINUTES, BUSY_DAY_WINDOWS),
    }
    if loaded.canary:
        # The API is fine and its outside-in check stopped: a blind spot for the dashboard, not a page.
        quiet["canary stopped"] = (world.CANARY_STOPPED, world.END, {})
    for name, (timeline, minutes, want) in quiet.items():
        out.append(Case(name, name, loaded.world(timeline, minutes), want))
    return [_with_stated(c, loaded) for c in (*out, *pinning_cases(loaded))]


def _with_stated(case: Case, loaded: Loaded) -> Case:
    """The case with what the units state for it by name (their PROOF.cases), for this configuration's alarms."""
    known = set(loaded.key_of.values())
    stated = {k: m for k, m in failure_modes.stated("cases", case.name).items() if k in known}
    return replace(case, want={**case.want, **stated}) if stated else case


# Minutes from the scenario's start: the retried request's minute, and its route's windows one minute later
# (the route's slow burn tickets it; the service's short windows breach, their long partners hold 4 failures).
RETRIED_ALONE_WINDOWS: dict[str, Minutes] = {
    k: world.RETRIED_ALONE_AT + 1
    for k in (
        "service-fast-5min",
        "service-slow-30min",
        "service-leak-6h",
        "route-get_order-fault-rate-30min",
        "route-get_order-fault-rate-1h",
        "route-get_order-fault-rate-6h",
    )
} | {"route-get_order-slow-burn": (world.RETRIED_ALONE_AT + 1, world.RETRIED_ALONE_AT + 7)}  # EMF 0-6 min late
SLOW_INITS_TICKET: Minutes = (21, 27)  # the third slow init in an hour (EMF 0-6 minutes late)


def pinning_cases(loaded: Loaded) -> list[Case]:
    """Cases for what no failure row can tell apart: 2 of 3 periods against 2 consecutive (intermittent
    failures at the edge and in DynamoDB), the service burns' 5-failure floor at the thinnest
    traffic (the canary alone around a retried bad request, 6 hours of its calls before it), and the init
    ticket's count and hour (sparse slow inits: a noisy neighbour's every 40 minutes, then a regression's
    every 20), and thin windows with the canary stopped (world.thin: a lone 500, two among 4 requests, a small
    burst) for the request, 2-fault and 2-slow floors; orders_summary's sessions hours apart for the 6-h
    slow-share window's length; a client's refused POSTs (the canary stopped) and telemetry lost with the
    canary's calls alone for the heartbeat's floor."""
    retried = loaded.world(world.retried_alone, world.RETRIED_ALONE_AT + 60, judged_from=world.RETRIED_ALONE_AT - 20)
    inits = loaded.world(world.slow_inits(loaded.routes), world.SLOW_INITS_FROM + 60, judged_from=JUDGED_FROM)
    bursts = loaded.world(world.intermittent, world.INTERMITTENT_MINUTES, judged_from=world.EDGE_4XX_BURSTS[0] - 20)
    # The thin cases pin route, service, URL and edge alarms, the same in both configurations (which differ
    # in AWS/Lambda alarms only): the fully proven one runs them.
    thin = [
        Case(name, name, loaded.world(world.thin(*events), minutes), THIN_WANT[name], since=since)
        for name, (minutes, since, *events) in THIN.items()
        if loaded.name == FULLY_PROVEN
    ]
    # The heartbeat's floor with the canary running (its calls are what the service stops publishing for).
    lost = loaded.world(world.telemetry_lost, world.TELEMETRY_LOST_AT + 45, judged_from=world.TELEMETRY_LOST_AT - 20)
    if loaded.name == FULLY_PROVEN and loaded.canary:
        thin.append(Case(TELEMETRY_LOST, TELEMETRY_LOST, lost, TELEMETRY_LOST_WANT, since=world.TELEMETRY_LOST_AT))
    return [
        *thin,
        Case(INTERMITTENT, INTERMITTENT, bursts, INTERMITTENT_PAGES),
        Case(RETRIED_ALONE, RETRIED_ALONE, retried, RETRIED_ALONE_WINDOWS),
        Case(SLOW_INITS, SLOW_INITS, inits, CASE_WANTS[SLOW_INITS], since=world.SLOW_INITS_FROM),
    ]


# Thin windows (world.thin): what each must show, minutes from its start.
LONE_FAULT = "thin: one 500 among a dozen requests"
FEW_REQUESTS = "thin: two 500s among 4 requests"
SMALL_BURST = "thin: a burst on a route used by a handful"
FEW_REFUSED = "thin: a refused, an unanswered and 2 edge-refused among 5 requests, 3 times"
SLOW_AFTER_HEALTHY = "thin: a slow stretch 4 hours after a healthy session"
COLD_MORNING = "thin: a morning's cold session 8 hours after an evening of cold starts"
REFUSED_RETRIED = "thin: a client's unsigned POST every 5 minutes, refused by the URL"
TELEMETRY_LOST = "telemetry lost, the canary's calls alone"
# name -> (minutes, the failure's start, events[, shares])
THIN = {
    LONE_FAULT: (world.THIN_MINUTES, 0, world.LONE_FAULT),
    FEW_REQUESTS: (world.THIN_MINUTES, 0, world.FEW_REQUESTS),
    SMALL_BURST: (world.THIN_MINUTES, 0, world.SMALL_BURST),
    FEW_REFUSED: (world.THIN_MINUTES, 0, world.FEW_REFUSED, world.FEW_REFUSED_SHARES),
    SLOW_AFTER_HEALTHY: (world.SLOW_AFTER_HEALTHY_AT + 20, world.SLOW_AFTER_HEALTHY_AT, world.SLOW_AFTER_HEALTHY),
    COLD_MORNING: (world.COLD_MORNING_AT + 20, world.COLD_MORNING_AT, world.COLD_MORNING),
    REFUSED_RETRIED: (world.THIN_MINUTES, 0, world.REFUSED_RETRIED, world.REFUSED_RETRIED_SHARES),
}
# The last EMF came with the canary's run 3 minutes before the loss: two 15-minute periods without any.
TELEMETRY_LOST_WANT: dict[str, Minutes] = {"telemetry-heartbeat": 28}
# The service's short windows count one failure (their long partners hold 2); below every request floor
# nothing breaches; the burst pages orders_summary (20.8 % answered 500, 58 % slow) and the service (5
# failures among 64 URL requests), and tickets get_order's slow burn once its 6 hours hold 200 requests.
_SHORT = {k: 6 for k in ("service-fast-5min", "service-slow-30min", "service-leak-6h")}
THIN_WANT: dict[str, dict[str, Minutes]] = {
    LONE_FAULT: _SHORT,
    FEW_REQUESTS: {},
    FEW_REFUSED: {"lambda-errors": (6, 9)},  # the unanswered one crashed
    SMALL_BURST: _SHORT
    | {f"route-orders_summary-{w}": 7 for w in ("fault-rate-5min", "fault-rate-30min", "fault-rate-1h")}
    | {f"route-orders_summary-{w}": 7 for w in ("fault-rate-6h", "slow-share-5min", "slow-share-30min")}
    | {"route-orders_summary-slow-share-1h": 9, "route-orders_summary-slow-share-6h": 9}
    | {"route-orders_summary-fast-burn": (7, 13), "route-orders_summary-slow-burn": (7, 13)}
    | {"route-orders_summary-latency-fast-burn": (9, 15), "route-orders_summary-latency-slow-burn": (9, 15)}
    | {k: 9 for k in ("service-fast-1h", "service-slow-6h", "service-leak-72h")}
    | {k: (9, 12) for k in ("service-fast-burn", "service-slow-burn", "service-leak-burn")}
    | {"route-get_order-slow-share-5min": 6, "route-get_order-slow-share-30min": 6}
    | {"route-get_order-slow-share-6h": 26, "route-get_order-latency-slow-burn": (26, 32)},
    # The stretch alone in the fast pair's windows: it tickets; the 6-h window holds the healthy session too.
    SLOW_AFTER_HEALTHY: {
        "route-orders_summary-slow-share-5min": 2,
        "route-orders_summary-slow-share-30min": 2,
        "route-orders_summary-slow-share-1h": 4,
        "route-orders_summary-latency-fast-burn": (4, 10),
    },
    # The short windows hold the morning's 6 cold starts among 12; the long ones, under their floor of 20.
    COLD_MORNING: {"route-orders_summary-slow-share-5min": 2, "route-orders_summary-slow-share-30min": 2},
    REFUSED_RETRIED: {},
}
RETRIED_ALONE = "a bad request retried, the canary's calls alone around it"
INTERMITTENT = "intermittent: 3 bad minutes twice, 10 minutes apart"
# Minutes from the start: each alarm pages on its second burst, 2 of its last 3 periods breaching (later by
# its source's lag, 0-3 minutes, less what the burst's own minutes absorb).
_E4, _E5, _DB = world.EDGE_4XX_BURSTS[1], world.EDGE_5XX_BURSTS[1], world.DYNAMODB_ERROR_MINUTES[1]
INTERMITTENT_PAGES: dict[str, Minutes] = {
    "cloudfront-4xx-rate": (_E4 + 3, _E4 + 4),
    "cloudfront-5xx-rate": (_E5 + 1, _E5 + 4),
    "dynamodb-system-errors": (_DB + 1, _DB + 4),
}
SLOW_INITS = "sparse slow inits: a noisy neighbour's, then a regression's"
FIXED = "3x latency regression on a quiet route, fixed"
QUIET_CASES = ("quiet night", "low-traffic day", "bursty batch", "busy day", "canary stopped")
# The cases a unit's PROOF.cases may name: every case but the rows' (PROOF.rows states those).
NAMED_CASES = (*QUIET_CASES, FIXED, *THIN, TELEMETRY_LOST, INTERMITTENT, RETRIED_ALONE, SLOW_INITS)
# What the harness itself states for its named cases (the rest are the rows'): a unit's PROOF.cases adds to
# these and never restates one (the unit guard checks).
CASE_WANTS: dict[str, Mapping[str, Minutes]] = {
    **THIN_WANT,
    TELEMETRY_LOST: TELEMETRY_LOST_WANT,
    INTERMITTENT: INTERMITTENT_PAGES,
    RETRIED_ALONE: RETRIED_ALONE_WINDOWS,
    SLOW_INITS: {"lambda-init-slow": SLOW_INITS_TICKET},
    "bursty batch": BURSTY_BATCH_WINDOWS,
    "busy day": BUSY_DAY_WINDOWS,
}


def sources_read(loaded: Loaded) -> frozenset[str]:
    return frozenset(s for a in loaded.aset.metric_alarms().values() for s in alarm_sources(a))


# The configuration proven under every setting. The other one (no reserved concurrency, SnapStart's alias,
# another service name) differs only in AWS/Lambda alarms: it runs the settings that move those (AWS/Lambda
# late, the evaluation ranges), and its minutes must fall within the ranges the full run proves.
FULLY_PROVEN = "default"


@functools.cache
def _settings(name: str, sources: frozenset[str]) -> tuple[Setting, ...]:
    every = settings(sources)
    if name == FULLY_PROVEN:
        return every
    return tuple(s for s in every if not s.sources or s.sources == {"lambda"})


def observations(
    case: Case, loaded: Loaded, base: Mapping[str, Timeline] | None = None, only: Iterable[Setting] | None = None
) -> dict[str, Observed]:
    """Setting name -> what the case showed (every setting, unless ``only``)."""
    base = base if base is not None else evaluate(loaded, case.scenario, NO_LAG)
    out = {}
    for setting in only if only is not None else _settings(loaded.name, sources_read(loaded)):
        tls = base if setting == NO_LAG else evaluate(loaded, case.scenario, setting, base)
        out[setting.name] = observe(case, tls, loaded, lagged=bool(setting.sources))
    return out


def verdict(group: Iterable[tuple[Case, Mapping[str, Observed]]], *, complete: bool = True) -> list[str]:
    """What broke, one line per case and setting (empty: it holds). Pages (notifying alarms) are judged
    under every setting; the burn-rate windows under them only where no source is late: a partly landed window is noisier than the whole one and may breach where the
    whole one does not, which never pages (its partner window does not). ``complete``: the observations
    cover every setting, so each stated range's ends must both be seen (a range is never padded)."""
    problems: list[str] = []
    seen: dict[tuple[str, int, int], list[int]] = {}
    for case, by_setting in group:
        want = {k: span(v) for k, v in case.want.items()}
        for setting, obs in by_setting.items():
            where = f"{case.name} [{setting}]"
            if obs.early:
                problems.append(f"{where}: in ALARM before the failure: {list(obs.early)}")
            if obs.late:
                problems.append(f"{where}: still in ALARM {CLEARED_WITHIN} min after the fix: {list(obs.late)}")
            for k in sorted(set(want) | set(obs.minutes)):
                if obs.lagged and k not in obs.notify:
                    continue
                got, lo_hi = obs.minutes.get(k), want.get(k)
                if lo_hi is None:
                    problems.append(f"{where}: {k} alarmed after {got} min, expected to stay OK")
                elif got is None:
                    problems.append(f"{where}: {k} never alarmed, expected {spelled(lo_hi)}")
                elif not lo_hi[0] <= got <= lo_hi[1]:
                    problems.append(f"{where}: {k} alarmed after {got} min, expected {spelled(lo_hi)}")
                else:
                    seen.setdefault((case.pattern.get(k, k), *lo_hi), []).append(got)
    if complete and not problems:
        for (k, lo, hi), got in seen.items():
            if (min(got), max(got)) != (lo, hi):
                problems.append(
                    f"{k}: stated {spelled((lo, hi))}, but every setting gives {spelled((min(got), max(got)))}"
                )
    return problems


# --- once per configuration and session (the failure-mode tests and the mutation proof share them) -----

_CASES: dict[str, dict[str, Case]] = {}
_BASE: dict[str, dict[str, dict[str, Timeline]]] = {}
_OBSERVED: dict[str, dict[str, dict[str, Observed]]] = {}


def cases_of(loaded: Loaded) -> dict[str, Case]:
    if loaded.name not in _CASES:
        _CASES[loaded.name] = {c.name: c for c in cases(loaded)}
    return _CASES[loaded.name]


def base_of(loaded: Loaded) -> dict[str, dict[str, Timeline]]:
    """Case name -> every timeline with no lag and the default evaluation range."""
    if loaded.name not in _BASE:
        _BASE[loaded.name] = {n: evaluate(loaded, c.scenario, NO_LAG) for n, c in cases_of(loaded).items()}
    return _BASE[loaded.name]


def observed_of(loaded: Loaded) -> dict[str, dict[str, Observed]]:
    """Case name -> setting name -> what it showed."""
    if loaded.name not in _OBSERVED:
        base = base_of(loaded)
        _OBSERVED[loaded.name] = {n: observations(c, loaded, base[n]) for n, c in cases_of(loaded).items()}
    return _OBSERVED[loaded.name]


# --- issue 23: one route totally down at sparse traffic, and the quiet API's day ----------------------------

SPARSE_BACKGROUNDS = ("1 request per 5 min", "1 request per 10 min", "no real traffic", "Poisson 0.2/min")
OUTAGE_PAGES_WITHIN = 15  # minutes: a total outage of any one route pages within this, at any real traffic


def outage_cases(loaded: Loaded) -> list[Case]:
    """Every route of the catalogue totally down (500 to every request) on each sparse background; ``want``
    holds the canary's page (the other alarms are judged by the test: pages within OUTAGE_PAGES_WITHIN)."""
    out = []
    for name, bg in zip(SPARSE_BACKGROUNDS, _sparse_backgrounds(loaded), strict=True):
        for r in loaded.routes:
            scn = loaded.world(world.route_down(r.name, bg), world.SPARSE_MINUTES, judged_from=JUDGED_FROM)
            # The canary's page in row m (one route totally down), as its unit states it.
            outage = pages(by_row()["m"]).get(canary.UNREACHABLE)
            want = {canary.UNREACHABLE: outage} if loaded.canary and outage is not None else {}
            out.append(Case(f"{r.name} down, {name}", f"route down, {name}", scn, want, since=world.START))
    return out


def _sparse_backgrounds(loaded: Loaded) -> list[Callable[[int], world.Minute]]:
    return [
        world.sparse(loaded.routes, 5),
        world.sparse(loaded.routes, 10),
        world.sparse(loaded.routes, None),
        world.poisson(loaded.routes, 0.2, world.SPARSE_MINUTES + 10, seed="poisson 0.2"),
    ]


QUIET_API_FROM = 7 * 60  # evaluations from 07:00: the 6-h windows hold the night before
QUIET_API_UNTIL = 15 * 60
# A quiet API (1-2 requests a minute per route): one bad request answered 500 and retried by its client,
# at 08:20 after an empty night (3 answers of 500) and at 13:00 (4 answers of 500).
RETRIED = {8 * 60 + 20: ("get_order", 3), 13 * 60: ("delete_order", 4)}


# Lone 5xx at the edge: a quiet API whose two used routes see 3 requests a minute (with the canary, just over
# the edge's request floor) and 3 isolated 502s from CloudFront itself (a reset origin connection), 5-7 minutes
# apart: 3 in about 70 requests.
LONE_EDGE_5XX = (9 * 60 + 14, 9 * 60 + 19, 9 * 60 + 26)


def lone_edge_5xx(routes: tuple[RouteSpec, ...]) -> Callable[[int], world.Minute]:
    quiet = {r.name: 0 for r in routes} | {"list_orders": 2, "get_order": 1}

    def minute(m: int) -> world.Minute:
        if m < world.OFFICE_OPENS:
            return world.QUIET
        return world.Minute(
            route_requests=quiet, not_found=0, client_errors=0, unsigned=0, edge_5xx=int(m in LONE_EDGE_5XX)
        )

    return minute


def quiet_api_cases(loaded: Loaded) -> dict[str, Scenario]:
    """The quiet API's days that must page nothing (tickets are allowed and listed by the test)."""
    out = {
        "quiet API, a bad request retried": loaded.world(
            world.office_day(loaded.routes, low=1, high=2, seed="retried", retried=RETRIED, minutes=QUIET_API_UNTIL),
            QUIET_API_UNTIL,
            judged_from=QUIET_API_FROM,
        ),
        "office day, morning cold starts, a deploy and fan-out reads": loaded.world(
            world.office_day(loaded.routes), world.OFFICE_DAY_MINUTES, judged_from=QUIET_API_FROM
        ),
        "lone 5xx at the edge": loaded.world(lone_edge_5xx(loaded.routes), 10 * 60, judged_from=QUIET_API_FROM),
    }
    return out
