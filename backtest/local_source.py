"""The local server's recording (``.local/`` of `make run`) as a history: the metrics the console draws
and judges, read through the recorder's own reader (``local.telemetry.Recorder(...).snapshot()``, what
``local/console_server.py`` serves), so the console and the backtest judge one history."""

from __future__ import annotations

import os
import time
from pathlib import Path

from backtest.errors import BacktestError
from backtest.history import History, Metric, Stretch
from local.events import FUNCTION_NAME, REGION
from local.recording import catch_up
from local.server import DEFAULT_TABLE
from local.telemetry import DEFAULT_DIR, Recorder
from observability.simulator.series import MetricKey


class NoRecording(BacktestError, LookupError):
    """The folder holds no recorded metric."""


def refs() -> dict[str, str]:
    """The deploy-time values as the local server names them (the console's)."""
    return {
        "function_name": FUNCTION_NAME,
        "function_resource": f"{FUNCTION_NAME}:live",
        "table_name": os.environ.get("TABLE_NAME", DEFAULT_TABLE),
        "log_group_name": f"/aws/lambda/{FUNCTION_NAME}",
        "home_region": REGION,
    }


def read(directory: Path = DEFAULT_DIR, *, now_s: float | None = None) -> History:
    """The recorded minutes up to the minute in progress (as the console evaluates them)."""
    now = time.time() if now_s is None else now_s
    catch_up(directory)  # a running `make run` records lazily: have it record what it was handed, first
    data = Recorder(directory, clock=lambda: now, load=True).snapshot()
    minutes = [m for per in data.values() for m in per]
    if not minutes:
        raise NoRecording(
            f"no recorded metrics under {directory}/metrics (the recorder keeps the last 3 hours): "
            "run `make run`, send it traffic (`make load URL=...`), then `make backtest`"
        )
    first, end = min(minutes), max(max(minutes) + 1, int(now // 60) + 1)
    metrics = {
        MetricKey(ns, name, dims): Metric(raw={m: tuple(v) for m, v in per.items() if v})
        for (ns, name, dims), per in data.items()
    }
    return History(
        source=f"the local recording of `make run` ({directory})",
        start=first,
        end=end,
        judged_from=first,
        metrics=metrics,
        stretches=(Stretch(first, end, 60),),
        refs=refs(),
    )
