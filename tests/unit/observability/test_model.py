"""The observability model without CDK: RUNBOOK.md is current, every alarm is documented and its
playbook names deployed queries, dashboard lines come from the alarms and SLOs, the cost adds up."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from dashboards.layout import layout
from observability import cost, queries
from observability.alarm_docs import MAX_DESCRIPTION, description, every_alarm, render_markdown
from observability.model import Alarm, AlarmLine, Expression, Graph, Metric, Playbook, SloLine
from observability.monitoring_config import MonitoringConfig
from observability.plan import plan
from observability.simulator.series import source_of
from scripts import runbook
from service.catalogue import ROUTES
from service.dal.tables import DYNAMODB_OPERATIONS
from tests.support.synth import ROOT, many_routes

CFG = MonitoringConfig()


def graphs(p: object) -> list[Graph]:
    return [w for s in layout(p) for row in s.rows for w in row if isinstance(w, Graph)]  # type: ignore[attr-defined]


def test_runbook_is_fresh() -> None:
    checked_in = (ROOT / "RUNBOOK.md").read_text(encoding="utf-8")
    assert checked_in == runbook.render(), "RUNBOOK.md is stale: run `make docs`"


def test_runbook_follows_the_configured_service_name() -> None:
    text = runbook.render(["-c", "service_name=orders-api-staging"])
    assert "`orders-api-staging-route-get_order-latency-fast-burn`" in text
    assert "orders-api-staging-operations" in text
    assert "-c service_name=orders-api-staging" in text  # the header says which configuration it shows
    assert "`orders-api-route-" not in text


def test_every_alarm_is_in_the_runbook_and_its_description_links_an_existing_anchor() -> None:
    text = render_markdown()
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', text))
    # Every alarm a unit declares is planned once (no count to edit for a new unit), and every route has the
    # same set: per SLO (latency, availability) and window pair, two windows and their composite.
    p = plan()
    assert sorted(a.key for a in p.alarms) == sorted(a.key for u in p.units for a in u.alarms.all())
    shapes = {tuple(a.key.removeprefix(f"route-{r.name}-") for a in p.alarms_at("home", r.name)) for r in ROUTES}
    (shape,) = shapes
    assert len(shape) == 2 * len(CFG.burn_windows) * 3
    alarms = every_alarm(CFG)  # both concurrency configurations: the account alarm is documented too
    assert {"lambda-concurrency-utilisation", "lambda-account-concurrency"} <= {a.key for a in alarms}
    for a in alarms:
        assert f"`{CFG.alarm_name(a.key)}`" in text, a.key
        link = re.search(r"RUNBOOK\.md#([\w-]+)", description(a, CFG))
        assert link, a.key
        assert link.group(1) in anchors, a.key


@pytest.mark.parametrize("routes", [ROUTES, many_routes(30)], ids=["catalogue", "30-routes"])
def test_descriptions_fit_cloudwatch_limit(routes: tuple) -> None:
    for a in plan(CFG, routes).alarms:
        assert len(description(a, CFG)) <= MAX_DESCRIPTION


def test_a_playbook_naming_a_query_no_file_defines_fails_the_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    from observability.units import waf

    broken = replace(waf.BLOCKED_SPIKE, saved_queries=("blocked-by-rule-and-ip", "no-such-query"))
    monkeypatch.setattr(waf, "BLOCKED_SPIKE", broken)
    with pytest.raises(ValueError, match="no-such-query"):
        plan()


def test_query_keys_are_checked_against_the_query_files() -> None:
    queries.check_keys(["recent-errors", "blocked-by-rule-and-ip", "route-get_order-slowest"], ROUTES)
    with pytest.raises(ValueError, match="route-no_such_route-slowest"):
        queries.check_keys(["route-no_such_route-slowest"], ROUTES)
    with pytest.raises(KeyError):
        queries.get("no-such-query")


def test_threshold_lines_are_the_alarms_thresholds() -> None:
    # Change every threshold: the dashboard lines move with the alarms (no second computation).
    cfg = replace(
        CFG,
        concurrency_utilisation_pct=50.0,
        cloudfront_5xx_rate_pct=2.0,
        cloudfront_4xx_rate_pct=40.0,
        waf_blocked_per_5min=7,
        url_refused_pct=30.0,
        url_unanswered_5xx_pct=3.0,
        account_concurrency_pct=90.0,
        account_concurrency_limit=500,
    )
    p = plan(cfg, ROUTES, reserved_concurrency=30)
    lines = {line.text: line.value for g in graphs(p) for line in g.lines}
    assert lines["alarm 50 % = 15"] == 15
    assert lines["5xx alarm 2 %"] == 2
    assert lines["4xx alarm 40 %"] == 40
    assert lines["blocked alarm 7"] == 7
    assert lines["refused alarm 30 %"] == 30
    assert lines["5xx alarm 3 %"] == 3
    # Every alarm line (whichever units draw one) is at the threshold of the alarm the plan deploys, and moves
    # with it: derived from the plan, so a new unit's lines are held here without an edit.
    alarm_lines = [line for g in graphs(p) for line in g.lines if isinstance(line, AlarmLine)]
    assert alarm_lines
    planned = {a.key: a for a in p.alarms}
    assert all(planned.get(line.alarm.key) == line.alarm for line in alarm_lines)
    default = {a.key: a for a in plan(CFG, ROUTES, reserved_concurrency=30).alarms}
    moved = [line for line in alarm_lines if default[line.alarm.key].threshold != line.alarm.threshold]
    assert moved  # the changed thresholds reached the lines
    # Not reserved: the account alarm's line, in executions, on the concurrency graph.
    shared = plan(cfg, ROUTES, reserved_concurrency=None)
    lines = {line.text: line.value for g in graphs(shared) for line in g.lines}
    assert lines["alarm 90 % = 450"] == 450
    assert lines["account limit 500"] == 500


def test_route_rows_draw_their_slo() -> None:
    p = plan()
    for r in ROUTES:
        (latency,) = [g for g in graphs(p) if g.title == f"{r.label} · latency, ms (5 min)"]
        (slo_line,) = latency.lines
        assert isinstance(slo_line, SloLine)
        assert slo_line.slo is r.slo
        assert r.slo.percentile_stat in {m.label for m in latency.left}
        # what the latency alarms judge is drawn: the slow share (100 - PR(:target)) against its budget
        (alarm,) = [a for a in p.alarms_at("home", r.name) if a.key == f"route-{r.name}-slow-share-5min"]
        assert isinstance(alarm, Alarm)
        (shares,) = [g for g in graphs(p) if g.title == f"{r.label} · fault, 4xx and slow share, % (5 min)"]
        drawn = [m for m in shares.left if isinstance(m, Expression) and m.expression == "100 - fast"]
        assert [m.using["fast"] for m in drawn] == [alarm.metric.using["fast"]]  # type: ignore[union-attr]
        assert 100 - r.slo.latency_percentile in {line.value for line in shares.lines}


def test_dynamodb_metrics_are_those_of_the_operations_the_service_calls() -> None:
    p = plan()
    metrics: list[Metric] = []
    for a in p.alarms:
        metrics += [a.metric] if isinstance(a, Metric) else []
        if isinstance(a, Alarm):
            metrics += [a.metric] if isinstance(a.metric, Metric) else list(a.metric.using.values())
    for g in graphs(p):
        for m in (*g.left, *g.right):
            metrics += [m] if isinstance(m, Metric) else list(m.using.values())
    operations = {dict(m.dimensions).get("Operation") for m in metrics if m.namespace == "AWS/DynamoDB"}
    assert operations - {None} == set(DYNAMODB_OPERATIONS)


def test_playbook_placeholders_stay_visible_when_unknown() -> None:
    pb = Playbook("k", "t {x}", "m {y}", ("c {x}",), "s", ("q",))
    assert pb.render({"x": "1"}).title == "t 1"
    assert pb.render({"x": "1"}).meaning == "m <y>"


def test_cost_grows_linearly_per_route() -> None:
    step = cost.per_route_increment()
    # 6 custom metrics x 0.30 + alarm metrics (4 latency windows x percentile rank and sample count; 4
    # availability windows x fault and requests) x 0.10 + 4 composites x 0.50
    assert step == pytest.approx(6 * 0.30 + (4 * 2 + 4 * 2) * 0.10 + 4 * 0.50)
    assert cost.monthly_total(many_routes(30)) == pytest.approx(cost.monthly_total(ROUTES) + step * (30 - len(ROUTES)))
    assert cost.custom_metric_count(len(ROUTES)) == 6 * (1 + len(ROUTES) + 1)


def _window(floor_requests: int, faults: int) -> float:
    """The fast-burn 5-min window's value for a window of ``floor_requests`` requests with ``faults`` 5xx,
    computed by the evaluator's metric math from the alarm's own expression text."""
    from observability.simulator import metric_math

    (child, *_) = [a for a in plan().alarms_at("home", "get_order") if a.key == "route-get_order-fault-rate-5min"]
    ctx = metric_math.Context(
        grid=[0],
        queries={"fault": lambda: {0: faults / floor_requests}, "requests": lambda: {0: float(floor_requests)}},
        metric_ids=["fault", "requests"],
        periods={"fault": 300, "requests": 300},
    )
    (value,) = metric_math.evaluate(metric_math.parse(child.metric.expression), ctx).values()  # type: ignore[union-attr]
    return value


def test_one_5xx_among_ten_requests_does_not_page_two_do() -> None:
    # What docs/operations.md says about the burn-rate floor, checked against the alarm's expression.
    assert _window(10, 1) == 0
    assert _window(9, 2) == 0  # below the request floor
    assert _window(10, 2) == pytest.approx(200)  # 20 % of a 0.1 % budget: far above 14.4
    readme = (ROOT / "docs" / "operations.md").read_text()
    assert f"at least\n{CFG.burn_min_requests} requests **and** {CFG.burn_min_faults} faults" in readme
    assert "**one 5xx among ten\nrequests does not page.**" in readme


def test_canary_names_fit_synthetics_and_keep_stages_apart() -> None:
    assert MonitoringConfig().canary_name == "orders-api"
    long = [MonitoringConfig(service_name=f"orders-api-for-the-payments-{stage}") for stage in ("staging", "prod")]
    names = [c.canary_name for c in long]
    assert all(len(n) <= 21 and re.fullmatch(r"[0-9a-z_-]+", n) for n in names)
    assert names[0] != names[1]


def test_only_the_heartbeat_mixes_sources_and_it_judges_only_landed_periods() -> None:
    # Sources land minutes apart (EMF from logs, AWS/Lambda, ...): an expression over two of them is skewed in
    # its newest period. The URL shares read AWS/Lambda alone (observability/units/function_url.py: EMF 6+
    # minutes late paged the busy day); the heartbeat needs 2 of 2 fifteen-minute periods, the older landed.
    mixing = {}
    for a in every_alarm(CFG):
        if isinstance(a, Alarm):
            metrics = a.metric.using.values() if isinstance(a.metric, Expression) else (a.metric,)
            sources = {source_of(m.namespace) for m in metrics}
            if len(sources) > 1:
                mixing[a.key] = (a.metric.period_s, a.evaluation_periods, a.datapoints_to_alarm)
    assert mixing == {"telemetry-heartbeat": (900, 2, 2)}


def test_every_latency_window_can_be_reached_by_a_fully_slow_route() -> None:
    # A window burns at most 100 % / budget (every request slow): p90 at most 10x, below the fast pair's
    # 14.4x. The factor is capped so a regression always pages (observability/units/route.py).
    for r in (*ROUTES, *many_routes(3)):
        budget = 100 - r.slo.latency_percentile
        for a in plan(CFG, (r,), None).alarms_at("home", r.name):
            if isinstance(a, Alarm) and "-slow-share-" in a.key:
                assert a.threshold <= 0.5 * 100 / budget + 1e-9, (a.key, a.threshold)
