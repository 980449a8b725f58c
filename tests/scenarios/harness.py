"""The synthesized alarms, loaded into the offline evaluator, and the failure-mode expectations.

``load(synth)`` reads every alarm of the real cloud assembly (both regions, nested stacks) and maps
the deploy-time tokens (function, table, distribution) to the names the world publishes under.
``check(...)`` compares what paged with what observability/failure_modes.py says.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from observability.failure_modes import MODES, ROUTE, FailureMode, conditions, pages
from observability.plan import plan
from observability.simulator.evaluator import ALARM, AlarmSet, Timeline
from observability.simulator.loader import default_resolve, load_templates
from observability.simulator.series import Scenario
from observability.units import canary
from service.catalogue import RouteSpec
from tests.scenarios import world
from tests.support.synth import Synth


@dataclass
class Loaded:
    name: str
    aset: AlarmSet
    key_of: dict[str, str]  # evaluator key ("<stack>/<logical id>") -> model alarm key
    notify: frozenset[str]  # model keys of the alarms that notify (composites, not their windows)
    routes: tuple[RouteSpec, ...]
    service: str
    reserved: int | None
    limit: int
    canary: tuple[str, ...]  # the canary's target routes (empty without it)
    # The canary's name is no deploy-time token but a literal (MonitoringConfig.canary_name, often the
    # service name itself, so it cannot be mapped by its text): the world publishes under it.
    canary_name: str

    @property
    def by_model_key(self) -> dict[str, str]:
        return {v: k for k, v in self.key_of.items()}

    def world(self, timeline: Callable[[int], world.Minute], minutes: int) -> Scenario:
        return world.World(
            self.routes, self.service, timeline, minutes, canary=self.canary, canary_name=self.canary_name
        ).run()


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
        routes=s.routes,
        service=cfg.service_name,
        reserved=s.config.reserved_concurrency,
        limit=cfg.account_concurrency_limit,
        canary=tuple(r.name for r in canary.targets(s.routes)) if cfg.canary else (),
        canary_name=cfg.canary_name,
    )


def expected(mode: FailureMode, loaded: Loaded) -> dict[str, int]:
    """The model's alarms for this configuration: {route} expanded over the row's routes, alarms of the
    other configuration (reserved or account concurrency) dropped."""
    out: dict[str, int] = {}
    routes = sorted(world.scope(mode.routes, loaded.routes)) if mode.routes else []
    known = set(loaded.key_of.values())
    # Patterns first, so a route's own entry (a route with another SLO pages later) overrides them.
    for key, minutes in sorted(pages(mode).items(), key=lambda kv: ROUTE not in kv[0]):
        for k in [key.replace(ROUTE, r) for r in routes] if ROUTE in key else [key]:
            if minutes is None:
                out.pop(k, None)
            elif k in known:
                out[k] = minutes
            else:
                assert k in conditions(mode), f"row {mode.row}: {k} is no alarm of {loaded.name}"
    return out


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


def alarming_before(timelines: Mapping[str, Timeline], loaded: Loaded, until: int) -> list[str]:
    return sorted(
        loaded.key_of[k] for k, tl in timelines.items() if any(s == ALARM for t, s in tl.states.items() if t <= until)
    )


# --- the checks every scenario makes (the failure-mode tests and the mutation proof share them) --------

BUSY_DAY_MINUTES = 180
QUIET_NIGHT_MINUTES = 240
# The busy day's 10-minute DynamoDB hiccup (from minute 100, three routes) breaches their short burn
# windows, never a 1-h or 6-h partner: no composite pages. (Minutes from the day's start.)
BUSY_DAY_WINDOWS = {
    **{f"route-{r}-fault-rate-5min": 103 for r in ("create_order", "list_orders", "get_order")},
    **{f"route-{r}-fault-rate-30min": 104 for r in ("create_order", "list_orders", "get_order")},
}


# The canary's last run is 3 minutes before START; api-unreachable pages once its evaluation range holds
# fewer real points than its 2 evaluation periods, and the missing ones breach. How many periods that range
# spans is documented only for other alarms: 18 minutes with N + 2 (the evaluator's default), from 8 (N) to
# 23 (N + 3) across the plausible readings (tests/scenarios/test_evaluation_range.py).
CANARY_STOPPED_MINUTES = range(8, 24)


@dataclass(frozen=True)
class Case:
    name: str
    scenario: Scenario
    check: Callable[[Mapping[str, Timeline]], str | None]  # None when it holds, else what broke


def cases(loaded: Loaded) -> list[Case]:
    """Every failure-mode row, the quiet night and the busy day, with what each must show."""
    out = []
    rows = world.failure_timelines(loaded.routes, loaded.reserved, loaded.limit)
    for mode in MODES:

        def check(tls: Mapping[str, Timeline], mode: FailureMode = mode) -> str | None:
            early = alarming_before(tls, loaded, world.START)
            if early:
                return f"row {mode.row}: {early} in ALARM before the failure"
            return _diff(f"row {mode.row}", expected(mode, loaded), alarmed(tls, loaded, world.START))

        out.append(Case(f"row {mode.row}", loaded.world(rows[mode.row], world.END), check))
    quiet = loaded.world(world.quiet_night, QUIET_NIGHT_MINUTES)
    out.append(Case("quiet night", quiet, lambda tls: _diff("quiet night", {}, alarmed(tls, loaded, 0))))
    busy = loaded.world(world.busy_day, BUSY_DAY_MINUTES)
    out.append(Case("busy day", busy, lambda tls: _diff("busy day", BUSY_DAY_WINDOWS, alarmed(tls, loaded, 0))))
    if loaded.canary:
        # A canary that stops running pages: an outside-in check that does not run proves nothing.
        stopped = loaded.world(world.CANARY_STOPPED, world.END)
        out.append(
            Case("canary stopped", stopped, lambda tls: _stopped_canary_pages(alarmed(tls, loaded, world.START)))
        )
    return out


def _stopped_canary_pages(got: Mapping[str, int]) -> str | None:
    if set(got) == {"api-unreachable"} and got["api-unreachable"] in CANARY_STOPPED_MINUTES:
        return None
    return f"canary stopped: expected api-unreachable alone within {CANARY_STOPPED_MINUTES}, got {dict(got)}"


def _diff(name: str, want: Mapping[str, int], got: Mapping[str, int]) -> str | None:
    if dict(want) == dict(got):
        return None
    diff = {k: (want.get(k), got.get(k)) for k in sorted(set(want) | set(got)) if want.get(k) != got.get(k)}
    return f"{name}: alarm: (expected minutes, got) {diff}"
