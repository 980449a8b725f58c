"""One shape per monitored unit: adding one is a module plus one line in ``observability.plan.UNITS``.

This test module is itself a throwaway unit (a canary): registered with one line, its alarm reaches
the plan, RUNBOOK.md and the alarm-status widget, its saved query is placed on its log group's stack,
and its section reaches the dashboard drawn from that very alarm object. No other edit, no key string."""

from __future__ import annotations

import sys
from dataclasses import dataclass

import pytest

from dashboards.layout import join, layout
from observability import plan as plan_module
from observability import sections
from observability.alarm_docs import description, render_markdown
from observability.model import Alarm, AlarmLine, AlarmStatus, Graph, Metric, Playbook, Text
from observability.plan import UNITS, Placed, plan
from observability.queries import SavedQuery
from observability.unit import Panel, Scope, UnitAlarms

# --- the throwaway unit: what a new module under observability/units/ would hold ---------------------

SECTION = "Canary"
FAILED = Playbook(
    kind="canary-failed",
    title="Canary failing",
    meaning="The synthetic canary failed {threshold} or more runs in 5 minutes.",
    first_checks=("Canary section: which step fails?",),
    dashboard_section=SECTION,
    saved_queries=("canary-requests-by-step",),
)
QUERY = SavedQuery(
    key="canary-requests-by-step",
    title="Canary requests by step",
    text="# Canary requests by step\nfields step | stats count(*) by step\n",
    log_group="function",
)


@dataclass(frozen=True)
class CanaryAlarms(UnitAlarms):
    failed: Alarm


def alarms(scope: Scope) -> CanaryAlarms:
    return CanaryAlarms(
        failed=Alarm(
            key="canary-failed",
            playbook=FAILED,
            region="home",
            metric=Metric("CloudWatchSynthetics", "Failed", "Sum", 300, (("CanaryName", "orders"),)),
            threshold=2,
            comparison=">=",
            evaluation_periods=1,
            datapoints_to_alarm=1,
            missing_data="notBreaching",
            missing_data_why="the canary publishes on every run: no data means it is stopped",
            condition="",
            context={"threshold": "2"},
        )
    )


def saved_queries(scope: Scope) -> tuple[SavedQuery, ...]:
    return (QUERY,)


def panels(scope: Scope, alarms: CanaryAlarms) -> tuple[Panel, ...]:
    graph = Graph(
        "Canary failures / 5 min",
        left=(alarms.failed.metric,),
        lines=(AlarmLine(alarms.failed, "alarm {threshold:g}"),),
        width=24,
    )
    return (Panel(SECTION, ((graph,),)),)


# --- the proof ------------------------------------------------------------------------------------


@pytest.fixture
def with_canary(monkeypatch: pytest.MonkeyPatch) -> None:
    # The one line: the unit appended to observability.plan.UNITS.
    monkeypatch.setattr(plan_module, "UNITS", (*UNITS, sys.modules[__name__]))


def test_a_new_unit_reaches_the_plan_the_runbook_and_the_dashboard(with_canary: None) -> None:
    p = plan()
    (alarm,) = [a for a in p.alarms if a.key == "canary-failed"]
    assert alarm in p.home_alarms
    assert Placed("home", None, QUERY) in p.placed
    assert QUERY in p.queries_at("home")
    assert f"Dashboard {p.cfg.dashboard_name} > {SECTION}" in description(alarm, p.cfg)
    assert '<a id="canary-failed"></a>' in render_markdown()

    board = layout(p)
    titles = [s.title for s in board]
    # After every existing unit's section, before the dashboard's own alarm and log tables.
    assert titles[-3:] == [SECTION, sections.ALARMS, sections.LOGS]
    (graph,) = [w for row in board[-3].rows for w in row]
    assert isinstance(graph, Graph)
    (line,) = graph.lines
    assert isinstance(line, AlarmLine)
    assert line.alarm is alarm  # the plan's object, not a look-up
    pages, tickets = board[-2].rows[0]  # the service-wide alarm states: pages and tickets apart
    assert isinstance(pages, AlarmStatus)
    assert isinstance(tickets, AlarmStatus)
    assert alarm in (pages.alarms if alarm.severity == "page" else tickets.alarms)


def test_without_the_line_there_is_no_trace_of_it() -> None:
    p = plan()
    assert not [a for a in p.alarms if a.key == "canary-failed"]
    assert QUERY not in p.queries
    assert SECTION not in [s.title for s in layout(p)]


def test_sections_receive_their_own_alarm_objects() -> None:
    for reserved, key in ((10, "lambda-concurrency-utilisation"), (None, "lambda-account-concurrency")):
        p = plan(reserved_concurrency=reserved)
        (alarm,) = [a for a in p.home_alarms if a.key == key]
        (concurrency,) = [s for s in layout(p) if s.title == sections.CONCURRENCY]
        graphs = [w for row in concurrency.rows for w in row if isinstance(w, Graph)]
        (drawn,) = [line.alarm for g in graphs for line in g.lines if isinstance(line, AlarmLine)]
        assert drawn is alarm


def test_panels_of_one_section_share_a_row_while_the_grid_has_room() -> None:
    def text(width: int) -> Text:
        return Text(str(width), width=width)

    a, b, c, d = text(12), text(12), text(6), text(12)
    (section,) = join([Panel("S", ((a,),)), Panel("S", ((b,), (c,))), Panel("S", ((d,),))])
    assert section.rows == ((a, b), (c, d))
    (edge,) = [s for s in layout(plan()) if s.title == sections.EDGE]
    kit = [
        [
            "CloudFront requests / 5 min",
            "CloudFront 4xx / 5xx rate, % (5 min, request floor)",
            "WAF allowed / blocked / 5 min",
            "WAF blocked by rule / 5 min",
        ],
        [
            "Function URL requests vs answered by the service / 5 min",
            "Answered by the URL without the function, % of URL requests",
            "Canary (outside-in, every 5 min): success % and run duration",
        ],
    ]
    # The kit's rows first, in order (a unit added after them may fill a row's room or add rows below), the
    # section's note last.
    drawn = [[getattr(w, "title", "note") for w in row] for row in edge.rows]
    assert [row[: len(want)] for row, want in zip(drawn, kit, strict=False)] == kit  # (fewer rows: shorter)
    assert drawn[-1] == ["note"]
