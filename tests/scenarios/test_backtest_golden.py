"""Golden backtests: histories with known incidents, replayed through the working tree's plan
(backtest/). One is built by the scenario world (tests/support/scenarios/world.py), one is a local recording
written through the local server's own recorder (local/telemetry.py); each is also saved and replayed
from the file. The report names each incident's alarms and minute, and nothing pages on quiet stretches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backtest import history as histories
from backtest import local_source
from backtest.history import from_scenario
from backtest.plan import Configured, configured, judged
from backtest.replay import Replay, incidents, run
from backtest.report import at, counts, render
from local.events import FUNCTION_NAME
from local.telemetry import Recorder
from observability.aws_published import PlatformMetrics
from observability.failure_modes import ROUTE, by_row, pages
from observability.units import canary
from tests.support.scenarios import world

# The service-wide burns over every route's requests (observability/units/service_wide.py): fast and slow page,
# the budget leak tickets.
SERVICE_BURNS = ("service-fast-burn", "service-slow-burn", "service-leak-burn")
EPOCH = 29_000_000  # epoch minute of the scenario world's minute 0 (2025-02-20 ...)
WORLD_REFS = {"function_name": world.FUNCTION, "table_name": world.TABLE, "distribution_id": world.DISTRIBUTION}
FAILURE = range(120, 150)  # row j (every route answers 5xx to one request in ten) for 30 minutes
ROUTES_WITHOUT_SUMMARY = ("health", "create_order", "list_orders", "get_order", "delete_order")


@pytest.fixture(scope="module")
def setup() -> Configured:
    return configured()


def world_history(setup: Configured, timeline: world.Timeline, minutes: int) -> histories.History:
    routes, cfg = setup.plan.routes, setup.config.monitoring
    scn = world.World(
        routes,
        cfg.service_name,
        timeline,
        minutes,
        canary=tuple(r.name for r in canary.targets(routes)),
        canary_name=cfg.canary_name,
    ).run()
    scn.start = 60  # the first hour fills the windows
    return from_scenario(scn, epoch_start=EPOCH, source="the scenario world", refs=WORLD_REFS)


def replayed(setup: Configured, h: histories.History) -> tuple[Replay, list[str], str]:
    alarms = judged(setup.plan, h.refs)
    r = run(alarms.evaluator, h)
    lines, summary = render(alarms.model, r, title="golden")
    return r, lines, summary


def test_a_known_incident_in_the_scenario_world_is_named_with_its_alarms_and_minute(
    setup: Configured, tmp_path: Path
) -> None:
    every = world.scope("all", setup.plan.routes)
    timeline = world.failing(world.change(fault_share=0.1, fault_routes=every), minutes=FAILURE)
    h = world_history(setup, timeline, 240)
    r, lines, summary = replayed(setup, h)
    model = {a.key: a for a in setup.plan.alarms}
    fired = [o for o in r.outcomes.values() if model[o.key].notify and o.episodes]
    found = incidents(fired, h.end)
    # 10 % of every route's requests fail: the edge's and the service's burns page, each route's burns ticket,
    # and the budget-leak window tickets too.
    want = {"cloudfront-5xx-rate", *SERVICE_BURNS} | {
        f"route-{n}-{w}" for n in ROUTES_WITHOUT_SUMMARY for w in ("fast-burn", "slow-burn")
    }
    assert len(found) == 1
    span, keys = found[0]
    assert set(keys) == want
    # failure_modes.py row j says these page (its orders_summary alarms need longer than 30 minutes).
    row = {k.replace(ROUTE, n) for k in pages(by_row()["j"]) for n in ROUTES_WITHOUT_SUMMARY}
    assert want <= row
    # It starts within the row's minutes of the failure, and ends once the windows have seen the recovery.
    assert EPOCH + FAILURE.start + 2 <= span.start <= EPOCH + FAILURE.start + 15
    # Every page ends once its windows have seen the recovery; the budget-leak ticket (6 h and 3 days) may
    # still be open when the history ends: the budget really was spent.
    for o in fired:
        if model[o.key].severity == "page":
            assert all(e.end is not None and e.end <= EPOCH + FAILURE.stop + 60 for e in o.episodes), o.key
    # Nothing before the failure (the quiet first judged hour) and nothing after the incident.
    assert all(e.start >= EPOCH + FAILURE.start for o in fired for e in o.episodes)
    assert len(set(keys)) == sum(len(o.episodes) for o in fired)  # one notification each
    text = "\n".join(lines)
    assert f"1. {at(span.start)}" in text
    assert all(k in text for k in want)
    paged = sum(1 for k in want if model[k].severity == "page")
    assert counts(model, r)["page"] == paged
    assert counts(model, r)["ticket"] == len(want) - paged
    # The world publishes no DynamoDB metric when nothing throttles or fails: those alarms have no verdict.
    assert {o.key for o in r.outcomes.values() if model[o.key].notify and not o.judged} == {
        "dynamodb-throttles",
        "dynamodb-system-errors",
    }
    assert summary.endswith(
        f"{paged} page(s) and {len(want) - paged} ticket(s) from {len(want)} alarm(s) in 1 incident(s); "
        f"{sum(1 for o in r.outcomes.values() if model[o.key].notify and o.judged) - len(want)} "
        f"alarms quiet, 2 without data"
    )

    # The same history saved and replayed from the file gives the same report.
    saved = tmp_path / "world.json.gz"
    histories.save(h, saved)
    assert replayed(setup, histories.load(saved))[1] == lines


def test_a_quiet_night_pages_nobody(setup: Configured) -> None:
    h = world_history(setup, world.quiet_night, 240)
    r, lines, summary = replayed(setup, h)
    model = {a.key: a for a in setup.plan.alarms}
    assert counts(model, r) == {"page": 0, "ticket": 0}
    assert "no notifying alarm went to ALARM" in "\n".join(lines)
    assert " 0 page(s) and 0 ticket(s) from 0 alarm(s) in 0 incident(s)" in summary


# --- a local recording -----------------------------------------------------------------------------------

T0 = 1_796_600_000 // 60 * 60  # epoch seconds, on a minute
ACCESS = {
    "level": "INFO",
    "message": "access",
    "service": "orders-api",
    "cold_start": False,
    "route": "GET /health",
    "method": "GET",
    "Requests": 1,
    "ClientError": 0,
}


def access_line(t: float, status: int, latency_ms: float) -> str:
    doc = ACCESS | {
        "status": status,
        "latency_ms": latency_ms,
        "Latency": latency_ms,
        "Fault": int(status >= 500),
        "_aws": {
            "Timestamp": int(t * 1000),
            "CloudWatchMetrics": [
                {
                    "Namespace": "OrdersApi",
                    "Dimensions": [["service"], ["service", "route"]],
                    "Metrics": [
                        {"Name": "Requests", "Unit": "Count"},
                        {"Name": "Latency", "Unit": "Milliseconds"},
                        {"Name": "Fault", "Unit": "Count"},
                        {"Name": "ClientError", "Unit": "Count"},
                    ],
                }
            ],
        },
    }
    return json.dumps(doc)


def record(directory: Path, minutes: int, failing: range) -> float:
    """GET /health 20 times a minute through the recorder, as the local server records it: the access line
    (EMF) and the platform's metrics; a third of the requests answer 500 in the ``failing`` minutes."""
    now = [float(T0)]
    rec = Recorder(directory, clock=lambda: now[0], load=False)
    platform = PlatformMetrics(rec, FUNCTION_NAME)
    for m in range(minutes):
        for i in range(20):
            now[0] = T0 + m * 60 + i * 3
            status = 500 if m in failing and i % 3 == 0 else 200
            rec.function_line(access_line(now[0], status, 20.0))
            platform.invoked(20.0, error=False, concurrent=1)
            platform.url_answered(status, 22.0)
        rec.flush()
    rec.close()
    return now[0]


def test_a_known_incident_in_a_local_recording(setup: Configured, tmp_path: Path) -> None:
    failing = range(40, 50)
    end_s = record(tmp_path, 70, failing)
    h = local_source.read(tmp_path, now_s=end_s)
    assert h.start == T0 // 60
    assert h.refs["function_name"] == FUNCTION_NAME
    r, lines, summary = replayed(setup, h)
    model = {a.key: a for a in setup.plan.alarms}
    fired = {o.key: o.episodes for o in r.outcomes.values() if model[o.key].notify and o.episodes}
    want = {"route-health-fast-burn", "route-health-slow-burn", *SERVICE_BURNS}
    assert set(fired) == want
    start = T0 // 60 + failing.start
    for episodes in fired.values():
        assert len(episodes) == 1
        assert start + 1 <= episodes[0].start <= start + 6
    # The edge alarms read metrics only AWS has: named as not judged, not reported quiet.
    text = "\n".join(lines)
    assert "no verdict" in text
    assert any("no verdict" in line and "cloudfront-5xx-rate" in line for line in lines)
    assert "incident 1" in text
    paged = sum(1 for k in want if model[k].severity == "page")
    assert f"{paged} page(s) and {len(want) - paged} ticket(s) from {len(want)} alarm(s) in 1 incident(s)" in summary

    saved = tmp_path / "saved" / "local.json"
    histories.save(h, saved)
    assert replayed(setup, histories.load(saved))[1] == lines


def test_a_quiet_local_recording_pages_nobody(setup: Configured, tmp_path: Path) -> None:
    end_s = record(tmp_path, 30, range(0))
    _r, _lines, summary = replayed(setup, local_source.read(tmp_path, now_s=end_s))
    assert " 0 page(s) and 0 ticket(s) from 0 alarm(s)" in summary


def test_no_recording_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(local_source.NoRecording, match="make run"):
        local_source.read(tmp_path)
