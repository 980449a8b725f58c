"""The synthesized alarms, loaded into the offline evaluator, and the failure-mode expectations.

``load(synth)`` reads every alarm of the real cloud assembly (both regions, nested stacks) and maps
the deploy-time tokens (function, table, distribution) to the names the world publishes under.
``check(...)`` compares what paged with what observability/failure_modes.py says.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from observability.failure_modes import ROUTE, FailureMode
from observability.plan import plan
from service.catalogue import RouteSpec
from tests.alarms.evaluator import ALARM, AlarmSet, Timeline
from tests.alarms.loader import default_resolve, load_templates
from tests.alarms.series import Scenario
from tests.scenarios import world
from tests.synth import Synth


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

    @property
    def by_model_key(self) -> dict[str, str]:
        return {v: k for k, v in self.key_of.items()}

    def world(self, timeline: Callable[[int], world.Minute], minutes: int) -> Scenario:
        return world.World(self.routes, self.service, timeline, minutes).run()


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
    )


def route_scope(mode: FailureMode, routes: tuple[RouteSpec, ...]) -> list[str]:
    if mode.routes == "all":
        return [r.name for r in routes]
    if mode.routes == "dynamodb":
        return sorted(world.dynamodb_routes(routes))
    return []


def expected(mode: FailureMode, loaded: Loaded) -> dict[str, int]:
    """The model's pages for this configuration: {route} expanded, absent configuration alarms dropped."""
    out: dict[str, int] = {}
    # Patterns first, so a route's own entry (a route with another SLO pages later) overrides them.
    for key, minutes in sorted(mode.pages.items(), key=lambda kv: ROUTE not in kv[0]):
        keys = [key.replace(ROUTE, r) for r in route_scope(mode, loaded.routes)] if ROUTE in key else [key]
        for k in keys:
            if k in loaded.notify:
                out[k] = minutes
            else:
                assert k in mode.only_when, f"row {mode.row}: {k} is no notifying alarm of {loaded.name}"
    return out


def paged(timelines: Mapping[str, Timeline], loaded: Loaded, since: int) -> dict[str, int]:
    """Notifying alarms that reached ALARM after ``since``: model key -> minutes to ALARM."""
    out = {}
    for k, tl in timelines.items():
        key = loaded.key_of[k]
        if key in loaded.notify:
            minutes = tl.minutes_to_alarm(since=since)
            if minutes is not None:
                out[key] = minutes
    return out


def alarming_before(timelines: Mapping[str, Timeline], loaded: Loaded, until: int) -> list[str]:
    return sorted(
        loaded.key_of[k]
        for k, tl in timelines.items()
        if loaded.key_of[k] in loaded.notify and any(s == ALARM for t, s in tl.states.items() if t <= until)
    )
