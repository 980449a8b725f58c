"""The unit guard: adding a monitored unit is one module plus one line in ``observability.plan.UNITS``;
whatever else it needs, this fast test says, naming the file to edit. It walks ``UNITS`` in every
configuration that changes what they declare (Shield Advanced, an alias, concurrency reserved or not)
and fails when a unit

- is not a module of the unit's shape (``alarms``, ``saved_queries``, ``panels``: observability/unit.py);
- reads a deploy-time value (a ``Ref``, ``$name`` in an expression or a text, a saved query's log group)
  that the monitoring stack of its region does not supply (stacks/monitoring/refs.py declares them);
- has an alarm read a namespace the alarm simulator has no ingestion source for
  (observability/simulator/series.py: a new AWS namespace is never silently EMF);
- reads a platform metric (alarm or graph) that the one model of what AWS publishes does not list, under
  that dimension set (observability/aws_published.py);
- adds a notifying alarm that no failure-mode row makes fire (observability/failure_modes.py MODES, or the
  unit's own PROOF.rows) and that nothing else covers (its PROOF.not_in_a_row), or is excused by an entry
  that names no existing quiet scenario test or stated survivor and says no "cannot: ..." reason;
- states a PROOF (observability/proof.py) that names another unit's alarm, a row or case that does not exist, a
  fact the matrix or tests/support/scenarios/survivors.py already states, or a survivor that could matter;
- deploys a saved query (outside a route's group) that is not the file queries/<folder>/<key>.query, or has a
  playbook name a saved query that no unit deploys
  (what scripts/doc_tables.py lists in queries/README.md and the playbooks link to);
- restates a threshold or floor in an alarm's condition prose (observability/conditions.py generates them
  from the fields, so a changed threshold can never leave the text behind).

It also checks that each monitoring stack in stacks/monitoring/stacks.py passes exactly the names
stacks/monitoring/refs.py declares (read from the source, without synth). No CDK, no synth: the slow tiers then prove the rest (the template, the scenarios, the mutation proof).
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from string import Template
from types import ModuleType

import pytest

from observability import failure_modes
from observability import plan as plan_module
from observability.aws_published import published
from observability.conditions import RESTATED
from observability.failure_modes import proofs
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
from observability.proof import Proof
from observability.queries import QUERIES_DIR, SavedQuery
from observability.simulator.series import EMF_NAMESPACE, source_of
from observability.unit import MonitoredUnit, Panel, Scope, UnitAlarms
from service.catalogue import ROUTES
from service.contract import METRICS_NAMESPACE
from stacks.monitoring.refs import SUPPLIED
from tests.support.paths import ROOT
from tests.support.scenarios.harness import CASE_WANTS, NAMED_CASES, unit_file
from tests.support.scenarios.survivors import SURVIVORS, UNRESERVED_SURVIVORS

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
SHAPE = ("alarms", "saved_queries", "panels")  # observability/unit.py MonitoredUnit


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


def covered(key: str, own: Proof | None = None) -> bool:
    """Some failure-mode row makes the alarm fire (on either background), or a unit says what covers it
    (``own``: the alarm's unit's PROOF, read even when the unit is not yet in UNITS)."""
    if key in failure_modes.not_in_a_row() or (own is not None and key in own.not_in_a_row):
        return True
    for mode in failure_modes.MODES:
        mine = [*own.rows.get(mode.row, {}).items(), *own.low_traffic.get(mode.row, {}).items()] if own else []
        listed = (*failure_modes.pages(mode).items(), *failure_modes.low_traffic(mode).items(), *mine)
        if any(minutes is not None and _matches(k, key) for k, minutes in listed):
            return True
    return False


def stated_survivors() -> set[str]:
    return {*SURVIVORS, *UNRESERVED_SURVIVORS, *(s for p in proofs() for s in p.survivors)}


def not_in_a_row_problems(here: str, entries: Mapping[str, str]) -> Iterator[str]:
    """PROOF.not_in_a_row entries that name no existing quiet scenario test or stated survivor, nor say why
    nothing can (``here``: the unit's file)."""
    here = f"{here} PROOF.not_in_a_row"
    for key, why in entries.items():
        if why.startswith("cannot: ") and why.removeprefix("cannot: ").strip():
            continue
        test = re.match(r"(tests/scenarios/[\w/]+\.py)::(\w+)", why)
        survivor = re.match(r"survivor '([^']+)'", why)
        if test:
            path = ROOT / test[1]
            if not (path.is_file() and re.search(rf"^def {test[2]}\(", path.read_text(encoding="utf-8"), re.M)):
                yield f"{here}[{key!r}] names {test[0]}, which does not exist: name an existing quiet scenario test"
        elif survivor:
            if survivor[1] not in stated_survivors():
                yield (
                    f"{here}[{key!r}] names survivor {survivor[1]!r}, which neither tests/support/scenarios/survivors.py "
                    "SURVIVORS nor a unit's PROOF.survivors states"
                )
        else:
            yield (
                f"{here}[{key!r}] says {why[:40]!r}...: start it with 'tests/scenarios/<file>.py::<test>' (a quiet "
                "scenario test), \"survivor '<a stated survivor>'\" or 'cannot: <why nothing can>'"
            )


def _matches(listed: str, key: str) -> bool:
    return re.fullmatch(re.escape(listed).replace(re.escape(failure_modes.ROUTE), r"[\w-]+"), key) is not None


def proof_problems(unit: MonitoredUnit, own: set[str]) -> Iterator[str]:
    """What is wrong with a unit's PROOF (``own``: every alarm key the unit declares in any configuration)."""
    where, proof = unit_file(unit), getattr(unit, "PROOF", None)
    if proof is None:
        return
    if not isinstance(proof, Proof):
        yield f"{where}: PROOF is a {type(proof).__name__}: make it an observability.proof.Proof"
        return
    others = sorted(k for k in proof.alarm_keys() if not any(_matches(o, k) or _matches(k, o) for o in own))
    if others:
        yield f"{where}: PROOF names {others}, which this unit declares in no configuration: state only its own alarms"
    rows = failure_modes.by_row()
    for part, stated in (("rows", proof.rows), ("low_traffic", proof.low_traffic)):
        for row, by_alarm in stated.items():
            mode = rows.get(row)
            if mode is None:
                yield (
                    f"{where}: PROOF.{part} names row {row!r}, which observability/failure_modes.py MODES does not "
                    "have: a new way to fail is a row there (its traffic in tests/support/scenarios/world.py)"
                )
                continue
            matrix = mode.alarms if part == "rows" else mode.low_traffic
            twice = sorted(k for k in by_alarm if any(_matches(listed, k) for listed in matrix))
            if twice:
                yield (
                    f"{where}: PROOF.{part}[{row!r}] states {twice}, which row {row} of observability/failure_modes.py "
                    "states too: keep one"
                )
    for row, by_alarm in proof.low_traffic.items():
        silent = sorted(k for k, m in by_alarm.items() if m is None and k not in proof.not_at_low_traffic.get(row, {}))
        if silent:
            yield (
                f"{where}: PROOF.low_traffic[{row!r}] keeps {silent} OK on the low-traffic day without saying why: "
                f"add PROOF.not_at_low_traffic[{row!r}] (the matrix shows it beside the row's pages)"
            )
    in_rows = {k for mode in rows.values() for k in mode.only_when}
    if twice := sorted(set(proof.only_when) & in_rows):
        yield f"{where}: PROOF.only_when states {twice}, which a row's only_when states too: keep one"
    for case, by_alarm in sorted(proof.cases.items()):
        if case not in NAMED_CASES:
            yield (
                f"{where}: PROOF.cases names {case!r}, which is no named case of tests/support/scenarios/harness.py "
                "(NAMED_CASES; a row's minutes go in PROOF.rows)"
            )
        if patterns := sorted(k for k in by_alarm if failure_modes.ROUTE in k):
            yield f"{where}: PROOF.cases[{case!r}] names {patterns}: a case's alarms are concrete keys, no {{route}}"
        if twice := sorted(set(by_alarm) & set(CASE_WANTS.get(case, {}))):
            yield (
                f"{where}: PROOF.cases[{case!r}] states {twice}, which tests/support/scenarios/harness.py states for "
                "that case too: keep one"
            )
    for s, why in proof.survivors.items():
        if s in (*SURVIVORS, *UNRESERVED_SURVIVORS):
            yield f"{where}: PROOF.survivors states {s!r}, which tests/support/scenarios/survivors.py lists too: keep one"
        if not why.startswith("cannot matter"):
            yield (
                f"{where}: PROOF.survivors[{s!r}] says {why[:40]!r}...: a survivor is one that cannot matter ('cannot "
                "matter: <why>'); one that could matter for some traffic needs a case of that traffic instead"
            )
    yield from not_in_a_row_problems(where, proof.not_in_a_row)


def query_file_problems(where: str, q: SavedQuery) -> Iterator[str]:
    """A saved query outside a route's group is its file under queries/ (docs list the files, playbooks link them)."""
    if q.group is not None:
        return
    stem = q.key.replace("-", "_")
    found = [p for p in QUERIES_DIR.glob("*/*.query") if p.stem.replace("_", "-") == q.key]
    if not found:
        # A folder of the unit's own: queries/service/ and the others are loaded whole by their units.
        folder = Path(where).stem
        yield (
            f"{where}: saved query {q.key!r} has no file: create queries/{folder}/{stem}.query (its first line "
            f"'# <Title>: <what it shows>') and return it from observability.queries.load({folder!r}, {q.log_group!r})"
        )
    elif found[0].read_text(encoding="utf-8").strip() + "\n" != q.text:
        rel = found[0].relative_to(ROOT)
        yield f"{where}: saved query {q.key!r} differs from {rel}: return the file's text (observability.queries.load)"


STACKS = "stacks/monitoring/stacks.py"


def stack_problems(source: str | None = None) -> Iterator[str]:
    """Each ``supplied(region, name=...)`` call in the stacks (``source``: that file's text) passes exactly the
    names refs.py declares (the stack raises at synth otherwise; this says so without one)."""
    rel = STACKS
    calls = [
        c
        for c in ast.walk(ast.parse(source if source is not None else (ROOT / STACKS).read_text(encoding="utf-8")))
        if isinstance(c, ast.Call) and isinstance(c.func, ast.Name) and c.func.id == "supplied"
    ]
    regions = set()
    for c in calls:
        region = c.args[0].value if c.args and isinstance(c.args[0], ast.Constant) else None
        if region not in SUPPLIED:
            yield f"{rel}:{c.lineno}: supplied(...) names no region of stacks/monitoring/refs.py SUPPLIED"
            continue
        regions.add(region)
        passed = {k.arg for k in c.keywords}
        declared = SUPPLIED[region]  # type: ignore[index]
        if passed != declared:
            yield (
                f"{rel}:{c.lineno} ({STACK[region]}): supplied({region!r}, ...) does not pass {sorted(declared - passed)} "
                f"and passes {sorted(passed - declared)} beyond stacks/monitoring/refs.py SUPPLIED[{region!r}]: pass "
                "each declared name its value"
            )
    for region in sorted(set(SUPPLIED) - regions):
        yield f"{rel}: no supplied({region!r}, ...) call for stacks/monitoring/refs.py SUPPLIED[{region!r}]"


def problems(units: Iterable[MonitoredUnit], scopes: Iterable[Scope] = SCOPES) -> list[str]:
    """One line per missing piece, each naming the file to edit (empty: nothing is missing)."""
    out: dict[str, None] = {}  # ordered, without repeats across configurations
    units, scopes = tuple(units), tuple(scopes)
    for unit in units:
        lacking = [name for name in SHAPE if not callable(getattr(unit, name, None))]
        if lacking:
            out[
                f"{unit_file(unit)}: a unit defines {list(SHAPE)}; this module lacks {lacking} "
                "(observability/unit.py MonitoredUnit; e.g. `def saved_queries(scope: Scope) -> tuple[SavedQuery, ...]: "
                "return ()`)"
            ] = None
    units = tuple(u for u in units if all(callable(getattr(u, name, None)) for name in SHAPE))
    for unit in units:
        own = {a.key for scope in scopes for a in unit.alarms(scope).all()}
        out |= dict.fromkeys(proof_problems(unit, own))
    for scope in scopes:
        deployed = {q.key for unit in units for q in unit.saved_queries(scope)}
        for unit in units:
            where = unit_file(unit)
            alarms: UnitAlarms = unit.alarms(scope)
            for a in alarms.all():
                for key in sorted(set(a.runbook.saved_queries) - deployed):
                    out[
                        f"{where}: alarm {a.key!r}'s playbook names saved query {key!r}, which no unit deploys: create "
                        f"its file queries/<folder>/{key.replace('-', '_')}.query and return it from the unit's "
                        "saved_queries (observability.queries.load)"
                    ] = None
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
                if a.notify and not covered(a.key, getattr(unit, "PROOF", None)):
                    out[
                        f"{where}: notifying alarm {a.key!r} is proven nowhere: state in this module's PROOF "
                        "(observability/proof.py) the failure-mode rows that make it fire (PROOF.rows: row -> minutes, "
                        "which the scenario tests then hold it to; a new way to fail is a row of "
                        "observability/failure_modes.py MODES, its traffic in tests/support/scenarios/world.py, what it "
                        "assumes of AWS in observability/assumptions.py), or what covers it though no row makes it "
                        "fire (PROOF.not_in_a_row: a quiet scenario test 'tests/scenarios/<file>.py::<test> ...', "
                        "\"survivor '<a stated survivor>' ...\", or 'cannot: <why nothing can>')"
                    ] = None
            for q in unit.saved_queries(scope):
                out |= dict.fromkeys(query_file_problems(where, q))
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
    found += stack_problems()
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
        f"{here}: notifying alarm 'throwaway-undelivered' is proven nowhere: state in this module's PROOF "
        "(observability/proof.py) the failure-mode rows that make it fire (PROOF.rows: row -> minutes, which the "
        "scenario tests then hold it to; a new way to fail is a row of observability/failure_modes.py MODES, its "
        "traffic in tests/support/scenarios/world.py, what it assumes of AWS in observability/assumptions.py), or "
        "what covers it though no row makes it fire (PROOF.not_in_a_row: a quiet scenario test "
        "'tests/scenarios/<file>.py::<test> ...', \"survivor '<a stated survivor>' ...\", or 'cannot: <why nothing "
        "can>')",
        f"{here}: saved query 'throwaway-waf' has no file: create queries/test_unit_guard/throwaway_waf.query (its "
        "first line '# <Title>: <what it shows>') and return it from observability.queries.load('test_unit_guard', "
        "'waf')",
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


def test_the_guard_names_what_a_module_lacks_of_the_shape() -> None:
    lacking = ModuleType("observability.units.throwaway")
    lacking.alarms = alarms  # type: ignore[attr-defined]
    assert problems([lacking], SCOPES[:1]) == [
        "<unit>: a unit defines ['alarms', 'saved_queries', 'panels']; this module lacks ['saved_queries', "
        "'panels'] (observability/unit.py MonitoredUnit; e.g. `def saved_queries(scope: Scope) -> "
        "tuple[SavedQuery, ...]: return ()`)"
    ]


def test_not_in_a_row_names_an_existing_test_or_survivor_or_says_cannot() -> None:
    here = "observability/units/x.py PROOF.not_in_a_row"
    entries = {
        "a": "tests/scenarios/test_quiet_api.py::test_no_such_test covers it",
        "b": "survivor 'no-such-alarm: threshold 1 -> 2' covers it",
        "c": "a quiet scenario covers it",
        "d": "cannot: no scenario configuration enables it",
        "e": f"survivor {SURVIVORS[0]!r}: its reason says why",
    }
    assert list(not_in_a_row_problems("observability/units/x.py", entries)) == [
        f"{here}['a'] names tests/scenarios/test_quiet_api.py::test_no_such_test, which does not exist: name an "
        "existing quiet scenario test",
        f"{here}['b'] names survivor 'no-such-alarm: threshold 1 -> 2', which neither "
        "tests/support/scenarios/survivors.py SURVIVORS nor a unit's PROOF.survivors states",
        f"{here}['c'] says 'a quiet scenario covers it'...: start it with 'tests/scenarios/<file>.py::<test>' (a "
        "quiet scenario test), \"survivor '<a stated survivor>'\" or 'cannot: <why nothing can>'",
    ]
    test = next(ROOT.glob("tests/scenarios/test_*.py"))
    name = re.search(r"^def (test_\w+)\(", test.read_text(encoding="utf-8"), re.M)
    assert name
    assert not list(not_in_a_row_problems("x", {"x": f"{test.relative_to(ROOT)}::{name[1]} holds it"}))
    # A survivor a unit states counts as stated (the canary's).
    assert not list(not_in_a_row_problems("x", {"x": "survivor 'api-unreachable: threshold 100 -> 10' holds it"}))


def test_the_guard_names_what_is_wrong_with_a_unit_s_proof() -> None:
    unit = ModuleType("observability.units.throwaway")
    unit.__file__ = str(ROOT / "observability/units/throwaway.py")
    unit.PROOF = Proof(  # type: ignore[attr-defined]
        rows={"c": {"throwaway-undelivered": 4, "lambda-errors": (1, 4)}, "z": {"throwaway-undelivered": 3}},
        low_traffic={"c": {"throwaway-undelivered": None}},
        only_when={"lambda-concurrency-utilisation": "reserved"},
        cases={
            "no such case": {"throwaway-undelivered": 1},
            "busy day": {"service-leak-burn": 3, "route-{route}-fast-burn": 2},
        },
        survivors={SURVIVORS[0]: "cannot matter: twice", "throwaway-undelivered: threshold 0 -> 10": "rarely"},
    )
    here = "observability/units/throwaway.py"
    own = {"throwaway-undelivered"}
    others = sorted({"lambda-errors", "lambda-concurrency-utilisation", "service-leak-burn", "route-{route}-fast-burn"})
    assert list(proof_problems(unit, own)) == [
        f"{here}: PROOF names {sorted({*others, SURVIVORS[0].split(': ')[0]})}, which this unit declares in no "
        "configuration: state only its own alarms",
        f"{here}: PROOF.rows['c'] states ['lambda-errors'], which row c of observability/failure_modes.py states "
        "too: keep one",
        f"{here}: PROOF.rows names row 'z', which observability/failure_modes.py MODES does not have: a new way to "
        "fail is a row there (its traffic in tests/support/scenarios/world.py)",
        f"{here}: PROOF.low_traffic['c'] keeps ['throwaway-undelivered'] OK on the low-traffic day without saying "
        "why: add PROOF.not_at_low_traffic['c'] (the matrix shows it beside the row's pages)",
        f"{here}: PROOF.only_when states ['lambda-concurrency-utilisation'], which a row's only_when states too: "
        "keep one",
        f"{here}: PROOF.cases['busy day'] names ['route-{{route}}-fast-burn']: a case's alarms are concrete keys, "
        "no {route}",
        f"{here}: PROOF.cases['busy day'] states ['service-leak-burn'], which tests/support/scenarios/harness.py "
        "states for that case too: keep one",
        f"{here}: PROOF.cases names 'no such case', which is no named case of tests/support/scenarios/harness.py "
        "(NAMED_CASES; a row's minutes go in PROOF.rows)",
        f"{here}: PROOF.survivors states {SURVIVORS[0]!r}, which tests/support/scenarios/survivors.py lists too: "
        "keep one",
        f"{here}: PROOF.survivors['throwaway-undelivered: threshold 0 -> 10'] says 'rarely'...: a survivor is one "
        "that cannot matter ('cannot matter: <why>'); one that could matter for some traffic needs a case of that "
        "traffic instead",
    ]
    # Its own PROOF covers its alarm before the unit is in UNITS (the guard reads it from the module).
    assert covered("throwaway-undelivered", unit.PROOF)  # type: ignore[attr-defined]
    assert not covered("throwaway-undelivered")
    unit.PROOF = {"rows": {}}  # type: ignore[attr-defined]
    assert list(proof_problems(unit, own)) == [f"{here}: PROOF is a dict: make it an observability.proof.Proof"]


def test_the_guard_names_a_declared_value_a_stack_does_not_pass() -> None:
    # A name added to refs.py but not passed in stacks.py: the synth would raise; the guard says it first.
    text = (ROOT / STACKS).read_text(encoding="utf-8")
    found = list(stack_problems(text.replace("waf_log_group_name=waf_log_group.log_group_name,", "")))
    assert len(found) == 1
    assert "(EdgeMonitoringStack): supplied('edge', ...) does not pass ['waf_log_group_name'] and passes []" in found[0]


def test_a_route_pattern_covers_every_route_and_nothing_else() -> None:
    notifying = [a.key for a in plan_module.plan().alarms if a.notify and a.key.startswith("route-")]
    assert notifying
    assert all(covered(k) for k in notifying)
    assert not covered(f"route-{ROUTES[0].name}-no-such-burn")
