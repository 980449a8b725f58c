"""The incident view (dashboards/incident.py): first on the deployed dashboard and on the console; on the
console, notifying alarms in ALARM grouped by cause with a "since" that never moves after the fact."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from dashboards import incident
from dashboards.layout import layout
from local.telemetry import Recorder
from observability.aws_published import PlatformMetrics
from observability.model import AlarmStatus, Text
from observability.plan import plan
from tests.support.console import T0, Clock, doc
from tests.support.paths import ROOT


def test_the_deployed_dashboard_opens_with_what_notifies_now() -> None:
    p = plan(reserved_concurrency=10)
    first = layout(p)[0]
    assert first.title == incident.TITLE
    (row,) = first.rows
    statuses = [w for w in row if isinstance(w, AlarmStatus)]
    shown = [a for w in statuses for a in w.alarms]
    # Every home-region alarm that notifies, once; no window alarm (they reach nobody).
    assert sorted(a.key for a in shown) == sorted(a.key for a in p.alarms if a.notify and a.region == "home")
    assert all(w.states == ("ALARM",) and w.sort_by == "state_updated" for w in statuses)
    for w in statuses:
        assert {a.severity for a in w.alarms} == {w.alarms[0].severity}
        assert w.title.startswith(w.alarms[0].severity.upper())
    (text,) = [w for w in row if isinstance(w, Text)]
    assert sum(w.width for w in row) == 24
    # Each notifying kind links to its RUNBOOK.md entry, and every such anchor exists.
    anchors = set(re.findall(r'<a id="([\w-]+)"></a>', (ROOT / "RUNBOOK.md").read_text()))
    linked = set(re.findall(r"\(RUNBOOK\.md#([\w-]+)\)", text.markdown))
    assert linked == {a.playbook.kind for a in shown}
    assert linked <= anchors


def test_console_groups_what_notifies_with_a_since_that_never_moves(tmp_path: Path) -> None:
    clock = Clock()
    recorder = Recorder(tmp_path, clock=clock)
    metrics = PlatformMetrics(recorder, "fn")
    sinces: set[int] = set()
    histories: list[list[dict[str, int | str]]] = []
    d = None
    for minute in range(12):
        for second in range(0, 60, 5):
            clock.now = T0 + minute * 60 + second
            throttled = 2 <= minute < 4 and second % 15 == 0
            metrics.dynamodb_call("orders", "PutItem", "throttled" if throttled else "ok", 4.0)
            d = doc(recorder, clock)
            throttles = next(a for a in d["alarms"] if a["key"] == "dynamodb-throttles")
            if throttles["state"] == "ALARM":
                sinces.add(throttles["since"])
            histories.append(throttles["history"])
            # Judged over complete minutes: no state is set by an evaluation of the minute in progress.
            assert all(h["at"] <= int(clock.now // 60) * 60 for h in throttles["history"])
            if minute == 4 and second == 30:
                during = d
    # One "since" however often the page refreshed; history only ever grows at its end.
    assert len(sinces) == 1, sinces
    for before, after in itertools.pairwise(histories):
        assert after[: len(before)] == before
    (group,) = [g for g in during["incident"]["groups"] if g["kind"] == "dynamodb-throttles"]
    assert group["cause"] == "DynamoDB throttling"
    assert group["severity"] in ("page", "ticket")
    assert group["since"] == next(iter(sinces))
    assert group["runbook"] == "/RUNBOOK.md#dynamodb-throttles"
    assert group["first_checks"]
    assert group["queries"][0]["href"].startswith("/query?format=text&key=")
    (alarm,) = group["alarms"]
    assert re.fullmatch(r"\d+ > 0 \(last 5 min period\)", alarm["why"]), alarm["why"]
    counts = during["incident"]["counts"]
    assert counts["ALARM"] == counts["page"] + counts["ticket"] >= 1
    # Window alarms never count: only notifying ones are in the header's numbers.
    notifying = [a for a in plan(reserved_concurrency=10).alarms if a.notify and a.region == "home"]
    assert counts["ALARM"] + counts["OK"] + counts["INSUFFICIENT_DATA"] == len(notifying)
    assert d is not None
    assert not [g for g in d["incident"]["groups"] if g["kind"] == "dynamodb-throttles"]


def test_an_empty_recording_is_no_data_not_ok(tmp_path: Path) -> None:
    clock = Clock()
    d = doc(Recorder(tmp_path, clock=clock), clock)
    view = d["incident"]
    assert view["recorded"] is False
    assert view["groups"] == []
    assert view["counts"]["OK"] == 0
    assert view["counts"]["INSUFFICIENT_DATA"] > 0
