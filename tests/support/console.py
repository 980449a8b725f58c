"""Recorded telemetry for the console's document: a settable clock, an access line as the service writes it,
and the document the console serves for the default plan."""

from __future__ import annotations

import json
from typing import Any

from dashboards.console_document import document
from dashboards.layout import layout
from local.telemetry import Recorder
from observability.plan import plan
from service.contract import METRICS_NAMESPACE

T0 = 1_780_002_000.0  # s, a whole minute
REFS = {"function_name": "fn", "table_name": "orders", "home_region": "us-east-1"}


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


def access_line(route: str, status: int, latency_ms: float, t: float) -> str:
    """An access line with its EMF document, shaped as service/telemetry.py writes it."""
    return json.dumps(
        {
            "level": "INFO",
            "message": "access",
            "service": "orders-api",
            "route": route,
            "status": status,
            "latency_ms": latency_ms,
            "Requests": 1,
            "Latency": latency_ms,
            "Fault": int(status >= 500),
            "ClientError": int(400 <= status < 500),
            "_aws": {
                "Timestamp": int(t * 1000),
                "CloudWatchMetrics": [
                    {
                        "Namespace": METRICS_NAMESPACE,
                        "Dimensions": [["service", "route"], ["service"]],
                        "Metrics": [
                            {"Name": n, "Unit": "Count"} for n in ("Requests", "Latency", "Fault", "ClientError")
                        ],
                    }
                ],
            },
        }
    )


def doc(recorder: Recorder, clock: Clock, queries: list[str] | None = None) -> dict[str, Any]:
    p = plan(reserved_concurrency=10)

    def run_query(key: str) -> dict[str, Any]:
        (queries if queries is not None else []).append(key)
        return {"columns": ["x"], "rows": []}

    return document(p, layout(p), recorder.snapshot(), now_s=clock(), refs=REFS, run_query=run_query)
