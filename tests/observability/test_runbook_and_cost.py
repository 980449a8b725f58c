"""RUNBOOK.md is generated from the alarm definitions and must be current; the cost model adds up."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from service.catalogue import ROUTES
from stacks.monitoring import cost
from stacks.monitoring.config import MonitoringConfig
from stacks.monitoring.plan import all_alarms
from stacks.monitoring.runbook import MAX_DESCRIPTION, description, render_markdown
from tests.observability.conftest import many_routes

ROOT = Path(__file__).resolve().parents[2]
CFG = MonitoringConfig()


def test_runbook_is_fresh() -> None:
    checked_in = (ROOT / "RUNBOOK.md").read_text(encoding="utf-8")
    assert checked_in == render_markdown(), (
        "RUNBOOK.md is stale: run `python -m stacks.monitoring.runbook > RUNBOOK.md`"
    )


def test_every_alarm_is_in_the_runbook_and_its_description_links_an_existing_anchor() -> None:
    text = render_markdown()
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', text))
    for spec in all_alarms(CFG):
        assert f"`{CFG.alarm_name(spec.key)}`" in text, spec.key
        link = re.search(r"RUNBOOK\.md#([\w-]+)", description(spec, CFG))
        assert link, spec.key
        assert link.group(1) in anchors, spec.key


@pytest.mark.parametrize("routes", [ROUTES, many_routes(30)], ids=["catalogue", "30-routes"])
def test_descriptions_fit_cloudwatch_limit(routes: tuple) -> None:
    for spec in all_alarms(CFG, routes):
        assert len(description(spec, CFG)) <= MAX_DESCRIPTION


def test_cost_grows_linearly_per_route() -> None:
    step = cost.per_route_increment()
    # 5 custom metrics x 0.30 + alarm metrics (latency 1 + 4 windows x fault and requests) x 0.10
    # + 2 composites x 0.50
    assert step == pytest.approx(5 * 0.30 + (1 + 4 * 2) * 0.10 + 2 * 0.50)
    assert cost.monthly_total(many_routes(30)) == pytest.approx(cost.monthly_total(ROUTES) + step * (30 - len(ROUTES)))
    assert cost.custom_metric_count(len(ROUTES)) == 5 * (1 + len(ROUTES) + 1)


def test_cost_table_is_in_the_docs() -> None:
    # README.md embeds the table; keep it in step with the catalogue and prices.
    docs = (ROOT / "README.md").read_text(encoding="utf-8")
    assert cost.render_markdown() in docs, "regenerate the cost table: `python -m stacks.monitoring.cost`"
