"""`make screenshot`: the console after load with DynamoDB throttles, as docs/console.png.

Starts its own server (`python -m service.local`, loopback, ports 0, telemetry in a temporary folder,
DynamoDB throttling 30 % of calls, 2 environments), drives it with `make load`'s request mix for 2.5 to 6
minutes (2 clients; a burst of 8 clients two thirds in, which the front end throttles), then opens the
console in headless Chromium (local/browser.py finds it; driven by Playwright) and saves the top of the page
(header, service, first route rows) or, with ``--full-page``, all of it. The browser test (tests/browser)
uses the same parts.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from local.browser import require as require_browser
from local.load import MIX, Phase, run_phase

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"]


@dataclass
class Served:
    process: subprocess.Popen[str]
    api: str
    console: str

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def serve(telemetry_dir: Path, *args: str) -> Served:
    """The local server on free ports, recording into ``telemetry_dir``; its stdout is discarded."""
    env = {k: v for k, v in os.environ.items() if k not in ("DYNAMODB_ENDPOINT_URL", "TABLE_NAME")}
    ports = ["--port", "0", "--console-port", "0"]
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "service.local", *ports, "--telemetry-dir", str(telemetry_dir), *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None  # noqa: S101 - Popen(stdout=PIPE)
    first, second = process.stdout.readline(), process.stdout.readline()
    if "listening on " not in first or not second.startswith("console on "):
        process.kill()
        raise RuntimeError(f"the server did not start: {first!r} {second!r}")
    threading.Thread(target=_drain, args=(process.stdout,), daemon=True).start()  # a full pipe would block it
    return Served(process, first.split("listening on ")[1].split()[0], second.split()[2])


def _drain(stream: Any) -> None:
    for _ in stream:
        pass


def drive(
    api: str, seconds: float, clients: int = 2, burst_clients: int = 8, *, after_burst_s: float = 0
) -> list[Phase]:
    """`make load`'s mix phase against ``api`` (as many clients as environments), then a 2-second burst
    with more clients than environments: the front end throttles (429) what finds no free environment;
    then, for ``after_burst_s``, the mix again."""
    actions = [name for weight, name in MIX for _ in range(weight)]
    phases = [Phase("mix", clients, seconds, 100_000), Phase("burst", burst_clients, 2, 2_000)]
    if after_burst_s:
        phases.append(Phase("mix after burst", clients, after_burst_s, 100_000))
    for phase in phases:
        run_phase(phase, api, actions)
    return phases


def open_console(console: str, viewport: tuple[int, int] = (1600, 1000)) -> tuple[Any, Any, Any]:
    """(playwright, browser, page) with the console loaded and drawn."""
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    browser = pw.chromium.launch(executable_path=require_browser(), args=CHROMIUM_ARGS)
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    page.goto(console)
    page.wait_for_selector("body[data-rendered]", timeout=30_000)
    return pw, browser, page


def load_seconds(now: float, least: float = 150) -> float:
    """At least ``least`` seconds, and on until 45 s past the next 5-minute boundary: the routes' 5-minute
    graphs (fault rate, latency) then have two datapoints, a line, not one dot. The load ends 45 s into a
    minute, so the picture's last minute is not a near-empty one in progress (2.5 to 6 minutes in all)."""
    end = now + max(least, 300 - now % 300 + 45)
    end += (45 - end % 60) % 60
    return end - now


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.screenshot", description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="where to write the PNG, e.g. docs/console.png")
    parser.add_argument(
        "--seconds",
        type=float,
        help="seconds of load (default: 150 or more, until 45 s past the next 5-minute boundary)",
    )
    parser.add_argument("--width", type=int, default=1440, help="viewport width, px (default 1440)")
    parser.add_argument("--height", type=int, default=1300, help="viewport height, px: the picture (default 1300)")
    parser.add_argument("--full-page", action="store_true", help="the whole page, not the viewport's top")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="console-screenshot-") as tmp:
        served = serve(Path(tmp), "--dynamodb-faults", "throttle=0.3", "--concurrency", "2")
        try:
            seconds = args.seconds or load_seconds(time.time())
            for phase in drive(served.api, seconds * 2 / 3, after_burst_s=seconds / 3):
                print(f"{phase.name}: {phase.responses} requests, status mix {dict(sorted(phase.statuses.items()))}")
            time.sleep(2.5)  # the console document is cached for 2 s
            pw, browser, page = open_console(served.console, (args.width, args.height))
            try:
                args.path.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(args.path), full_page=args.full_page)
            finally:
                browser.close()
                pw.stop()
        finally:
            served.stop()
    print(f"wrote {args.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
