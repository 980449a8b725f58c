"""The local console in a real browser: headless Debian chromium (Playwright), after traffic with DynamoDB
throttles and a throttle burst. Also: the console's counts equal what the load tool got back, and the
graphs draw what they say (series as lines, threshold lines across the plot), read from the canvas pixels."""

from __future__ import annotations

import json
import re
import time
import urllib.error
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
        # The load straddles a minute boundary: per-minute series get two datapoints, a line between them.
        second = time.time() % 60
        if second < 54:
            time.sleep(57 - second)
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
    assert statuses.get(429, 0) > 0  # the burst was throttled: the function never saw those
    # The recording process gets what the server handed over every SHIP_S and the console caches its document
    # for 2 s: read until the last requests are in (bounded), then compare exactly.
    deadline = time.monotonic() + 30
    totals = dashboard(served)["totals"]
    while sum(t["requests"] for t in totals.values()) < sum(statuses.values()) - statuses[429]:
        if time.monotonic() > deadline:
            break
        time.sleep(0.5)
        totals = dashboard(served)["totals"]
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


# Canvas pixels of a graph (a [data-title] box): per colour, the columns where it shows in the plot, and
# per drawn threshold line (data-lines), the share of the plot's width its row shows the line's colour in.
PIXELS = """box => {
  const canvas = box.querySelector("canvas");
  const ctx = canvas.getContext("2d");
  const { width, height } = canvas;
  const img = ctx.getImageData(0, 0, width, height).data;
  const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const near = (o, c) => Math.abs(img[o] - c[0]) + Math.abs(img[o + 1] - c[1]) + Math.abs(img[o + 2] - c[2]) < 60
    && img[o + 3] > 200;
  const columns = JSON.parse(box.dataset.colors).map((hex) => {
    const c = rgb(hex);
    const xs = [];
    for (let x = 0; x < width; x++) {
      for (let y = 0; y < height; y++) if (near((y * width + x) * 4, c)) { xs.push(x); break; }
    }
    return xs;
  });
  const dpr = window.devicePixelRatio;
  const lines = JSON.parse(box.dataset.lines || "[]").map((l) => {
    const c = rgb(l.color);
    const y = Math.round(l.y * dpr);
    let hits = 0;
    for (let x = 0; x < width; x++) {
      if ([y - 1, y, y + 1].some((r) => near((r * width + x) * 4, c))) hits++;
    }
    return { label: l.label, share: hits / width };
  });
  return { width, columns, lines, dpr };
}"""


def longest_run(columns: list[int]) -> int:
    """The widest stretch of adjacent pixel columns: a line between datapoints, not a dot."""
    best = run = 0
    for previous, x in zip([-2, *columns], columns, strict=False):
        run = run + 1 if x == previous + 1 else 1
        best = max(best, run)
    return best


def test_graphs_draw_lines_and_threshold_lines(loaded: tuple[Served, list[Any]]) -> None:
    served, _ = loaded
    pw, browser, page = open_console(served.console)
    try:
        service = page.locator(
            'section[data-section="Service"] [data-title="Requests / min (all routes) and throttled"]'
        )
        drawn = service.evaluate(PIXELS)
        requests, _throttled = drawn["columns"]
        # Two datapoints a minute apart on an axis of at least 10 minutes: a segment of ~1/10 of the width.
        assert longest_run(requests) > 20 * drawn["dpr"], requests
        route = ROUTES[0]
        latency = page.locator(f'section[data-section="Routes"] [data-title="{route.label} · latency, ms (5 min)"]')
        lines = latency.evaluate(PIXELS)["lines"]
        slo = [line for line in lines if line["label"].startswith("SLO")]
        assert slo, lines  # drawn within the plot: the y range includes the SLO
        assert slo[0]["share"] > 0.4, slo  # a dashed line across the plot, not a legend entry
        assert page.locator('section[data-section="Concurrency"] [data-lines*="reserved"]').count() == 1
        # The header text renders its Markdown: a heading and links, not one bold paragraph.
        header = page.locator('section[data-section="header"] .md')
        assert header.locator("h2").inner_text().endswith(": operations")
        assert header.locator("a").count() >= 3
        assert header.locator("code").count() >= 5
    finally:
        browser.close()
        pw.stop()


def test_the_first_screen_names_the_cause_its_severity_since_and_runbook(loaded: tuple[Served, list[Any]]) -> None:
    """On-call's first ten seconds, at 1440x900 and no scrolling: what notifies (DynamoDB throttling, from the
    fault run), how urgent, since when (UTC), and a runbook link that lands on its entry."""
    served, _ = loaded
    expected = next(a for a in dashboard(served)["alarms"] if a["key"] == "dynamodb-throttles")
    pw, browser, page = open_console(served.console, (1440, 900))
    try:
        cause = page.locator('#incident .cause[data-kind="dynamodb-throttles"]')
        box = cause.bounding_box()
        assert box is not None
        assert box["y"] + 120 <= 900  # its head, first alarm and first check are on the first screen
        head = cause.locator(".cause-head").inner_text()
        assert "DynamoDB throttling" in head
        assert expected["severity"].upper() in head
        since = cause.locator(".since-utc").inner_text()
        assert re.fullmatch(r"since \d\d:\d\d UTC \(.+\)", since), since
        assert since[6:11] == time.strftime("%H:%M", time.gmtime(expected["since"]))
        assert "still red:" in cause.locator(".why").first.inner_text()
        link = cause.locator("a.runbook")
        assert link.get_attribute("href") == "/RUNBOOK.md#dynamodb-throttles"
        assert (
            page.locator("#alarm-counts")
            .inner_text()
            .startswith(
                f"{sum(1 for a in dashboard(served)['alarms'] if a['notify'] and a['state'] == 'ALARM')} notifying"
            )
        )
        page.goto(served.console + "/RUNBOOK.md#dynamodb-throttles")
        page.wait_for_selector("body[data-rendered]", timeout=30_000)
        entry = page.locator("#dynamodb-throttles + h3")
        assert entry.inner_text() == "DynamoDB throttling"
        assert entry.bounding_box()["y"] < 100  # scrolled to it  # type: ignore[index]
    finally:
        browser.close()
        pw.stop()


def test_at_800_px_nothing_overflows_and_a_refresh_redraws_in_place(loaded: tuple[Served, list[Any]]) -> None:
    served, _ = loaded
    pw, browser, page = open_console(served.console, (800, 900))
    try:
        overflow = page.evaluate(
            """() => ({ page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
                       wide: [...document.querySelectorAll('.w, .cause, header')]
                         .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
                         .map((e) => e.dataset.title || e.className) })"""
        )
        assert overflow == {"page": 0, "wide": []}
        # A refresh keeps the page's elements (and so a selection, an opened list, the scroll position).
        page.evaluate("document.querySelector('[data-section=Service] .graph').dataset.mark = 'kept'")
        rendered = page.get_attribute("body", "data-rendered")
        page.wait_for_function(f"document.body.dataset.rendered !== '{rendered}'", timeout=30_000)
        assert page.locator("[data-section=Service] .graph[data-mark=kept]").count() == 1
        # The server unreachable: a banner says so instead of the page going on as if all were well.
        page.route("**/dashboard.json", lambda route: route.abort())
        page.wait_for_selector("#stale:not([hidden])", timeout=30_000)
        assert "unreachable" in page.locator("#stale").inner_text()
    finally:
        browser.close()
        pw.stop()


def test_console_server_answers_errors_as_the_api_does(loaded: tuple[Served, list[Any]]) -> None:
    served, _ = loaded
    cases = [("POST", "/dashboard.json", 405), ("GET", "/nope", 404), ("GET", "/query?key=no-such-query", 404)]
    for method, path, status in cases:
        request = urllib.request.Request(served.console + path, method=method, data=b"" if method == "POST" else None)
        with pytest.raises(urllib.error.HTTPError) as raised:
            urllib.request.urlopen(request, timeout=30)
        error = raised.value
        assert error.code == status, (method, path)
        assert error.headers["Content-Type"] == "application/problem+json"
        assert json.load(error)["status"] == status
    with urllib.request.urlopen(served.console + "/query?format=text&key=errors-by-route", timeout=60) as response:
        assert response.read().decode().startswith("# saved query errors-by-route")
