"""The local console in a real browser: headless Debian chromium (Playwright), after traffic with DynamoDB
throttles and a throttle burst. Also: the console's counts equal what the load tool got back."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from local.screenshot import Served, drive, open_console, serve
from service.catalogue import ROUTES


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, list[Any]]]:
    served = serve(
        tmp_path_factory.mktemp("telemetry"), "--dynamodb-faults", "throttle=0.3,seed=7", "--concurrency", "2"
    )
    try:
        phases = drive(served.api, 6)
        yield served, phases
    finally:
        served.stop()


def dashboard(served: Served) -> dict[str, Any]:
    with urllib.request.urlopen(served.console + "/dashboard.json", timeout=30) as response:
        document: dict[str, Any] = json.load(response)
    return document


def test_console_counts_equal_what_the_load_tool_got(loaded: tuple[Served, list[Any]]) -> None:
    served, phases = loaded
    statuses: dict[int, int] = {}
    for phase in phases:
        for status, n in phase.statuses.items():
            statuses[status] = statuses.get(status, 0) + n
    totals = dashboard(served)["totals"]
    assert statuses.get(429, 0) > 0  # the burst was throttled: the function never saw those
    assert sum(t["requests"] for t in totals.values()) == sum(statuses.values()) - statuses[429]
    assert sum(t["faults"] for t in totals.values()) == sum(n for s, n in statuses.items() if s >= 500)
    assert sum(t["client_errors"] for t in totals.values()) == sum(
        n for s, n in statuses.items() if 400 <= s < 500 and s != 429
    )


def test_the_page_draws_routes_lambda_concurrency_and_an_alarm(
    loaded: tuple[Served, list[Any]], tmp_path: Path
) -> None:
    served, _ = loaded
    pw, browser, page = open_console(served.console)
    try:
        routes = page.locator('section[data-section="Routes"]')
        for route in ROUTES:
            graph = routes.locator(f'[data-title="{route.label} · requests / min"]')
            assert graph.locator("canvas").count() == 1, route.label
        assert (
            int(routes.locator(f'[data-title="{ROUTES[0].label} · requests / min"]').get_attribute("data-points")) > 0
        )
        for section in ("Lambda health", "Concurrency"):
            drawn = page.locator(f'section[data-section="{section}"] .graph canvas')
            assert drawn.count() >= 1, section
        alarms = page.locator('.alarm[data-state="ALARM"]')
        assert alarms.count() >= 1
        assert page.locator('.alarm[data-alarm="dynamodb-throttles"][data-state="ALARM"]').count() >= 1
        edge = page.locator('section[data-section^="Edge"]').first
        assert "No local source" in edge.inner_text()
        page.screenshot(path=str(tmp_path / "console.png"), full_page=True)
    finally:
        browser.close()
        pw.stop()
