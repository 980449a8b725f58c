"""The unit guard: adding a monitored unit is one module plus one line in ``observability.plan.UNITS``;
whatever else it needs, this fast test says, naming the file to edit. It walks ``UNITS`` in every
configuration that changes what they declare (Shield Advanced, an alias, concurrency reserved or not)
and fails when a unit

- reads a deploy-time value (a ``Ref``, ``$name`` in an expression or a text, a saved query's log group)
  that the monitoring stack of its region does not supply (stacks/monitoring/refs.py declares them);
- has an alarm read a namespace the alarm simulator has no ingestion source for
  (observability/simulator/series.py: a new AWS namespace is never silently EMF);
- reads a platform metric (alarm or graph) that the one model of what AWS publishes does not list, under
  that dimension set (observability/aws_published.py);
- adds a notifying alarm that no failure-mode row makes fire and that no stated exception covers
  (observability/failure_modes.py MODES, NOT_IN_A_ROW);
- restates a threshold or floor in an alarm's condition prose (observability/conditions.py generates them
  from the fields, so a changed threshold can never leave the text behind).

No CDK, no synth: the slow tiers then prove the rest (the template, the scenarios, the mutation proof).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from string import Template
from types import ModuleType

import pytest

from observability import failure_modes
from observability import plan as plan_module
from observability.aws_published import published
from observability.conditions import RESTATED
from observability.model import (
    LOG_GROUPS,
    Alarm,
    AnyAlarm,
    AnyMetric,
    Graph,
    LogTable,
    Metric,
    Playbook,
    Ref,
    Text,
)
from observability.monitoring_config import MonitoringConfig
from observability.queries import SavedQuery
from observability.simulator.series import EMF_NAMESPACE, source_of
from observability.unit import MonitoredUnit, Panel, Scope, UnitAlarms
from service.catalogue import ROUTES
from service.contract import METRICS_NAMESPACE
from stacks.monitoring.refs import SUPPLIED
from tests.support.paths import ROOT

# The configurations whose units differ: Shield Advanced adds an alarm, an alias a dimension value, the
# reservation swaps the concurrency alarms; the canary is on by default.
SCOPES = tuple(
    Scope(cfg, ROUTES, reserved)
    for cfg in (MonitoringConfig(), MonitoringConfig(shield_advanced=True, function_alias="live"))
    for reserved in (1, None)
)
STACK = {"home": "MonitoringStack", "edge": "EdgeMonitoringStack"}
# Log widgets read the log group of their source (stacks/monitoring/cloudwatch_dashboard.py).
WIDGET_LOG_GROUP = {"function": "log_group_name", "cloudfront_access_logs": "cloudfront_access_log_group_name"}


def file_of(unit: MonitoredUnit) -> str:
    path = Path(getattr(unit, "__file__", "") or "<unit>")
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


# --- what a unit reads ---------------------------------------------------------------------------


def metric_refs(m: AnyMetric) -> set[str]:
    if isinstance(m, Metric):
        return {v.name for _, v in m.dimensions if isinstance(v, Ref)}
    return text_refs(m.expression) | {r for sub in m.using.values() for r in metric_refs(sub)}


def text_refs(text: str) -> set[str]:
    """``$name`` placeholders (stacks/monitoring/render.fill)."""
    return {m.group("named") or m.group("braced") for m in Template.pattern.finditer(text)} - {None}  # type: ignore[operator]


def metrics_of(m: AnyMetric) -> Iterator[Metric]:
    if isinstance(m, Metric):
        yield m
    else:
        yield from m.using.values()


def alarm_metrics(a: AnyAlarm) -> Iterator[Metric]:
    if isinstance(a, Alarm):
        yield from metrics_of(a.metric)


def panel_metrics(panels: Iterable[Panel]) -> Iterator[tuple[str, Metric]]:
    for panel in panels:
        for row in panel.rows:
            for w in row:
                if isinstance(w, Graph):
                    yield from ((w.title, m) for a in (*w.left, *w.right) for m in metrics_of(a))


def unpublished(where: str, what: str, metrics: Iterable[Metric]) -> Iterator[str]:
    for m in metrics:
        dims = tuple(sorted(d for d, _ in m.dimensions))
        if m.namespace != METRICS_NAMESPACE and published(m.namespace, m.name, dims) is None:
            yield (
                f"{where}: {what} reads {m.namespace}/{m.name} under {list(dims)}, which AWS publishes nowhere in "
                "observability/aws_published.py PUBLISHED: add it there (its dimension sets, and when a datapoint "
                "exists), and to what publishes it locally (PlatformMetrics) or in the scenario world "
                "(tests/support/scenarios/world.py) if they model it"
            )


def panel_refs(panels: Iterable[Panel]) -> Iterator[tuple[str, set[str]]]:
    """(widget title, the deploy-time values it reads) for each widget of the panels."""
    for panel in panels:
        for row in panel.rows:
            for w in row:
                if isinstance(w, Graph):
                    yield w.title, {r for m in (*w.left, *w.right) for r in metric_refs(m)}
                elif isinstance(w, Text):
                    yield "a text widget", text_refs(w.markdown)
                elif isinstance(w, LogTable):
                    yield w.title, {WIDGET_LOG_GROUP[w.source]}


# --- the checks ------------------------------------------------------------------------------------


def covered(key: str) -> bool:
    """Some failure-mode row makes the alarm fire (on either background), or NOT_IN_A_ROW says what covers it."""
    if key in failure_modes.NOT_IN_A_ROW:
        return True
    for mode in failure_modes.MODES:
        for listed, minutes in (*failure_modes.pages(mode).items(), *mode.low_traffic.items()):
            if minutes is None:
                continue
            pattern = re.escape(listed).replace(re.escape(failure_modes.ROUTE), r"[\w-]+")
            if re.fullmatch(pattern, key):
                return True
    return False


def problems(units: Iterable[MonitoredUnit], scopes: Iterable[Scope] = SCOPES) -> list[str]:
    """One line per missing piece, each naming the file to edit (empty: nothing is missing)."""
    out: dict[str, None] = {}  # ordered, without repeats across configurations
    units, scopes = tuple(units), tuple(scopes)
    for scope in scopes:
        for unit in units:
            where = file_of(unit)
            alarms: UnitAlarms = unit.alarms(scope)
            for a in alarms.all():
                refs = {r for m in ([a.metric] if isinstance(a, Alarm) else []) for r in metric_refs(m)}
                out |= dict.fromkeys(_missing(where, f"alarm {a.key!r}", a.region, refs))
                for m in alarm_metrics(a):
                    try:
                        source_of(m.namespace)
                    except ValueError as err:
                        out[f"{where}: alarm {a.key!r} reads {m.namespace}/{m.name}; {err}"] = None
                out |= dict.fromkeys(unpublished(where, f"alarm {a.key!r}", alarm_metrics(a)))
                if RESTATED.search(a.condition):
                    out[
                        f"{where}: alarm {a.key!r} restates a threshold in its condition {a.condition!r}: say only "
                        "what the fields cannot (observability/conditions.py generates the rest)"
                    ] = None
                if a.notify and not covered(a.key):
                    out[
                        f"{where}: notifying alarm {a.key!r} is in no failure-mode row: add a row that makes it fire "
                        "to observability/failure_modes.py MODES (its traffic in tests/support/scenarios/world.py, what it "
                        "assumes of AWS in observability/assumptions.py), or say in observability/failure_modes.py "
                        "NOT_IN_A_ROW which quiet scenario or survivor (tests/support/scenarios/survivors.py) covers it, or "
                        "why nothing can"
                    ] = None
            for q in unit.saved_queries(scope):
                out |= dict.fromkeys(
                    _missing(where, f"saved query {q.key!r} (log group {q.log_group!r})", q.region, {_log_group(q)})
                )
            # The dashboard lives in the home region's stack, whatever region a widget draws from.
            drawn = unit.panels(scope, alarms)
            for title, m in panel_metrics(drawn):
                out |= dict.fromkeys(unpublished(where, f"dashboard widget {title!r}", [m]))
            for title, refs in panel_refs(drawn):
                out |= dict.fromkeys(_missing(where, f"dashboard widget {title!r}", "home", refs))
    return list(out)


def _log_group(q: SavedQuery) -> str:
    return LOG_GROUPS[q.log_group][1]


def _missing(where: str, what: str, region: str, refs: set[str]) -> Iterator[str]:
    missing = sorted(refs - SUPPLIED[region])  # type: ignore[index]
    if missing:
        yield (
            f"{where}: {what} needs deploy-time value(s) {missing} that the {region} monitoring stack does "
            f"not supply: add them to stacks/monitoring/refs.py SUPPLIED[{region!r}] and pass them to "
            f"supplied(...) in stacks/monitoring/stacks.py ({STACK[region]})"
        )


# --- the guard over the real units ----------------------------------------------------------------------


def test_every_unit_has_what_it_needs() -> None:
    found = problems(plan_module.UNITS)
    assert not found, "\n".join(found)


def test_the_simulator_knows_the_service_namespace_as_emf() -> None:
    assert EMF_NAMESPACE == METRICS_NAMESPACE
    assert source_of(METRICS_NAMESPACE) == "emf"


def test_every_config_the_guard_walks_plans() -> None:
    # The guard's configurations are real ones: each plans, and between them every optional alarm exists.
    keys = {a.key for s in SCOPES for a in plan_module.plan(s.cfg, s.routes, s.reserved_concurrency).alarms}
    assert {"shield-ddos-detected", "lambda-concurrency-utilisation", "lambda-account-concurrency"} <= keys
    assert "api-unreachable" in keys


# --- the guard's messages, on a unit that misses each piece -----------------------------------------------

NOTHING = Playbook(
    kind="throwaway-topic",
    title="Throwaway",
    meaning="A throwaway unit for the guard's own test.",
    first_checks=("None.",),
    dashboard_section="Throwaway",
    saved_queries=(),
)


@dataclass(frozen=True)
class ThrowawayAlarms(UnitAlarms):
    undelivered: Alarm


def alarms(scope: Scope) -> ThrowawayAlarms:
    metric = Metric("AWS/Throwaway", "NumberOfNotificationsFailed", "Sum", 300, (("TopicName", Ref("topic_name")),))
    return ThrowawayAlarms(
        Alarm(
            key="throwaway-undelivered",
            playbook=NOTHING,
            region="edge",
            metric=metric,
            threshold=0,
            comparison=">",
            evaluation_periods=1,
            datapoints_to_alarm=1,
            missing_data="notBreaching",
            missing_data_why="published only when a notification fails",
            condition="Sum(NumberOfNotificationsFailed) > 0",
        )
    )


def saved_queries(scope: Scope) -> tuple[SavedQuery, ...]:
    return (SavedQuery("throwaway-waf", "Throwaway", "fields @timestamp\n", log_group="waf", group=None),)


def panels(scope: Scope, alarms: ThrowawayAlarms) -> tuple[Panel, ...]:
    graph = Graph("Undelivered", left=(alarms.undelivered.metric,), width=24)
    return (Panel("Throwaway", ((graph, Text("Topic $topic_arn")),)),)


THIS: ModuleType = sys.modules[__name__]


def test_the_guard_names_the_file_to_edit_for_each_missing_piece(monkeypatch: pytest.MonkeyPatch) -> None:
    # The WAF log group is not the home stack's to supply: placed in the home region the query would fail too.
    monkeypatch.setitem(
        SUPPLIED,  # type: ignore[arg-type]
        "edge",
        SUPPLIED["edge"] - {"waf_log_group_name"},
    )
    found = problems([THIS], SCOPES[:1])
    here = "tests/unit/observability/test_unit_guard.py"
    assert found == [
        f"{here}: alarm 'throwaway-undelivered' needs deploy-time value(s) ['topic_name'] that the edge monitoring "
        "stack does not supply: add them to stacks/monitoring/refs.py SUPPLIED['edge'] and pass them to "
        "supplied(...) in stacks/monitoring/stacks.py (EdgeMonitoringStack)",
        f"{here}: alarm 'throwaway-undelivered' reads AWS/Throwaway/NumberOfNotificationsFailed; no ingestion source for "
        "namespace 'AWS/Throwaway': add it to observability/simulator/series.py _SOURCE_OF_NAMESPACE (a new source also "
        "needs SOURCES)",
        f"{here}: alarm 'throwaway-undelivered' reads AWS/Throwaway/NumberOfNotificationsFailed under ['TopicName'], "
        "which AWS publishes nowhere in observability/aws_published.py PUBLISHED: add it there (its dimension sets, "
        "and when a datapoint exists), and to what publishes it locally (PlatformMetrics) or in the scenario world "
        "(tests/support/scenarios/world.py) if they model it",
        f"{here}: alarm 'throwaway-undelivered' restates a threshold in its condition "
        "'Sum(NumberOfNotificationsFailed) > 0': say only what the fields cannot (observability/conditions.py "
        "generates the rest)",
        f"{here}: notifying alarm 'throwaway-undelivered' is in no failure-mode row: add a row that makes it fire to "
        "observability/failure_modes.py MODES (its traffic in tests/support/scenarios/world.py, what it assumes of AWS in "
        "observability/assumptions.py), or say in observability/failure_modes.py NOT_IN_A_ROW which quiet scenario "
        "or survivor (tests/support/scenarios/survivors.py) covers it, or why nothing can",
        f"{here}: saved query 'throwaway-waf' (log group 'waf') needs deploy-time value(s) ['waf_log_group_name'] "
        "that the edge monitoring stack does not supply: add them to stacks/monitoring/refs.py SUPPLIED['edge'] "
        "and pass them to supplied(...) in stacks/monitoring/stacks.py (EdgeMonitoringStack)",
        f"{here}: dashboard widget 'Undelivered' reads AWS/Throwaway/NumberOfNotificationsFailed under "
        "['TopicName'], which AWS publishes nowhere in observability/aws_published.py PUBLISHED: add it there (its "
        "dimension sets, and when a datapoint exists), and to what publishes it locally (PlatformMetrics) or in the "
        "scenario world (tests/support/scenarios/world.py) if they model it",
        f"{here}: dashboard widget 'Undelivered' needs deploy-time value(s) ['topic_name'] that the home "
        "monitoring stack does not supply: add them to stacks/monitoring/refs.py SUPPLIED['home'] and pass them "
        "to supplied(...) in stacks/monitoring/stacks.py (MonitoringStack)",
        f"{here}: dashboard widget 'a text widget' needs deploy-time value(s) ['topic_arn'] that the home "
        "monitoring stack does not supply: add them to stacks/monitoring/refs.py SUPPLIED['home'] and pass them "
        "to supplied(...) in stacks/monitoring/stacks.py (MonitoringStack)",
    ]


def test_a_route_pattern_covers_every_route_and_nothing_else() -> None:
    notifying = [a.key for a in plan_module.plan().alarms if a.notify and a.key.startswith("route-")]
    assert notifying
    assert all(covered(k) for k in notifying)
    assert not covered(f"route-{ROUTES[0].name}-no-such-burn")
