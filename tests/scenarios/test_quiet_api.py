"""Issue 23's promise to on-call, at a quiet internal API's traffic: every real failure pages within its
stated minutes, and healthy traffic pages nothing (tickets are for working hours and are listed).

- any one route totally down (500 to every request), for every route of the catalogue, at 1 request per 5 or
  10 minutes per route, at random arrivals of 0.2 a minute and with no real traffic at all, pages within
  OUTAGE_PAGES_WITHIN minutes under every ingestion lag and evaluation range (the canary calls every route);
- a quiet API (1-2 requests a minute per route) whose client retries one bad request (3 and 4 answers of
  500, once at 08:20 after an empty night) pages nothing, and neither does an office day at 1-3 a minute
  with morning cold starts, a deploy at 10:00 and fan-out reads every 15 minutes, nor do 3 isolated 502s from
  CloudFront itself on a quiet API at the edge's request floor ("lone 5xx at the edge");
- metrics 6+ minutes late: the busy day (a fifth of its requests answered 4xx by the service, a background
  of 5xx) with the service's EMF 6, 10 and 15 minutes behind AWS/Lambda's counters pages nothing (the
  Function URL shares read AWS/Lambda's clock alone: observability/units/function_url.py).
"""

from __future__ import annotations

import pytest

from observability.simulator.evaluator import ALARM, INSUFFICIENT
from tests.support.scenarios import world
from tests.support.scenarios.harness import (
    NO_LAG,
    OUTAGE_PAGES_WITHIN,
    SPARSE_BACKGROUNDS,
    Case,
    Loaded,
    Observed,
    Setting,
    alarmed,
    base_of,
    cases_of,
    evaluate,
    observations,
    outage_cases,
    quiet_api_cases,
    settings,
    sources_read,
)

_OUTAGES: dict[str, dict[str, tuple[Case, dict[str, Observed]]]] = {}
_QUIET: dict[str, dict[str, dict[str, dict[str, int]]]] = {}


def _outages(loaded: Loaded) -> dict[str, tuple[Case, dict[str, Observed]]]:
    if loaded.name not in _OUTAGES:
        _OUTAGES[loaded.name] = {c.name: (c, observations(c, loaded)) for c in outage_cases(loaded)}
    return _OUTAGES[loaded.name]


@pytest.mark.parametrize("background", SPARSE_BACKGROUNDS)
def test_any_route_totally_down_pages_at_any_traffic(loaded_default: Loaded, background: str) -> None:
    first_pages: dict[str, tuple[int, int]] = {}
    for name, (case, by_setting) in _outages(loaded_default).items():
        if not name.endswith(background):
            continue
        firsts = []
        for setting, obs in by_setting.items():
            assert not obs.early, (name, setting, obs.early)
            pages = {k: m for k, m in obs.minutes.items() if loaded_default.pages(k)}
            assert pages, f"{name} [{setting}]: nothing paged"
            first = min(pages.values())
            assert first <= OUTAGE_PAGES_WITHIN, f"{name} [{setting}]: first page after {first} min ({pages})"
            lo, hi = case.want["api-unreachable"]  # type: ignore[misc]
            assert lo <= pages.get("api-unreachable", -1) <= hi, (name, setting, pages)
            firsts.append(first)
        first_pages[name] = (min(firsts), max(firsts))
    assert len(first_pages) == len(loaded_default.routes)
    print(f"\nevery route down at {background}: first page after (min-max minutes over every setting) {first_pages}")


def _quiet(loaded: Loaded) -> dict[str, dict[str, dict[str, int]]]:
    """Case -> setting -> notifying alarms that went to ALARM (minutes from the scenario's start)."""
    if loaded.name in _QUIET:
        return _QUIET[loaded.name]
    out = _QUIET[loaded.name] = {}
    for name, scn in quiet_api_cases(loaded).items():
        base = evaluate(loaded, scn, NO_LAG)
        out[name] = {}
        for setting in settings(sources_read(loaded)):
            tls = base if setting == NO_LAG else evaluate(loaded, scn, setting, base)
            out[name][setting.name] = alarmed(tls, loaded, scn.start, notify_only=True)
    return out


@pytest.mark.parametrize(
    "name",
    [
        "quiet API, a bad request retried",
        "office day, morning cold starts, a deploy and fan-out reads",
        "lone 5xx at the edge",
    ],
)
def test_a_quiet_api_pages_nothing(loaded_default: Loaded, name: str) -> None:
    by_setting = _quiet(loaded_default)[name]
    pages = {s: {k: m for k, m in got.items() if loaded_default.pages(k)} for s, got in by_setting.items()}
    assert not any(pages.values()), {s: p for s, p in pages.items() if p}
    tickets = sorted({k for got in by_setting.values() for k in got})
    print(f"\n{name}: pages nothing under {len(by_setting)} settings; tickets: {tickets}")


def test_a_stopped_canary_tickets_and_pages_nothing(loaded_default: Loaded) -> None:
    # The API is fine; the canary stops at START. api-unreachable has no run to judge: INSUFFICIENT_DATA, whose
    # action is the ticket topic (the model's `silence`), never ALARM. INSUFFICIENT_DATA needs every datapoint
    # of the evaluation range missing: 2 + 2 five-minute periods, so at most 20 minutes after the last run.
    scn = loaded_default.world(world.CANARY_STOPPED, world.END)
    tl = evaluate(loaded_default, scn, NO_LAG)[loaded_default.by_model_key["api-unreachable"]]
    silent = tl.first(INSUFFICIENT, after=world.START)
    assert silent is not None
    assert silent - world.START <= 20
    assert not tl.ever(ALARM)
    print(f"\ncanary stopped: api-unreachable INSUFFICIENT_DATA (ticket) after {silent - world.START} min, never ALARM")


LEAK_DAYS = 3


def test_a_slow_leak_tickets_over_three_days_and_never_pages(loaded_default: Loaded) -> None:
    # Three days and six hours of a quiet API (2 requests a minute per route) whose routes fail 0.2 % of their
    # requests (one 500 every 40 minutes or so, spread over the routes): 2x the service's 0.1 % budget, far
    # below both page pairs' factors. The leak window is judged at its real length (3 days of history).
    minutes = LEAK_DAYS * 1440 + 360
    every = 40  # minutes between two failed requests
    routes = [r.name for r in loaded_default.routes]

    def minute(m: int) -> world.Minute:
        faults = {routes[(m // every) % len(routes)]: 1} if m % every == 0 else {}
        return world.Minute(per_route=2, not_found=0, client_errors=0, unsigned=0, faults=faults)

    scn = loaded_default.world(minute, minutes, judged_from=LEAK_DAYS * 1440)
    got = alarmed(evaluate(loaded_default, scn, NO_LAG), loaded_default, scn.start, notify_only=True)
    assert "service-leak-burn" in got, got
    assert not {k for k in got if loaded_default.pages(k)}, got
    print(f"\na 2x budget leak over {LEAK_DAYS} days: tickets {sorted(got)}, pages nothing")


@pytest.mark.parametrize("lag", [6, 10, 15])
def test_metrics_six_or_more_minutes_late_page_nothing(loaded_default: Loaded, lag: int) -> None:
    # Only the alarms that read the service's EMF are evaluated again; the rest is the no-lag timeline.
    case = cases_of(loaded_default)["busy day"]
    late = Setting(f"emf {lag} min late", {"emf": lag})
    tls = evaluate(loaded_default, case.scenario, late, base_of(loaded_default)["busy day"])
    got = alarmed(tls, loaded_default, case.scenario.start, notify_only=True)
    assert not {k for k in got if loaded_default.pages(k)}, got
    print(f"\nbusy day, EMF {lag} min late: pages nothing; tickets {sorted(got)}")
