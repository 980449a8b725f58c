"""Traces in a Lambda-like environment: the real Powertools Tracer and X-Ray SDK, no daemon.

Outside Lambda tracing is off (Powertools' rule), so this runs the handler in a fresh interpreter
with the variables Lambda sets, and captures the segments the X-Ray SDK would send.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TRACE_HEADER = "Root=1-6740b2a3-5d9f0f2d8e7b4a1c9e3f2a10;Parent=53995c3f42cd8ad8;Sampled=1"

SCRIPT = r"""
import json, sys
from tests.support import dynamodb
dynamodb.start()  # emulated DynamoDB for this interpreter
from aws_xray_sdk.core import xray_recorder

class CapturingEmitter:
    def __init__(self): self.sent = []
    def send_entity(self, entity): self.sent.append(json.loads(entity.serialize()))
    def set_daemon_address(self, address): pass
    @property
    def ip(self): return "127.0.0.1"
    @property
    def port(self): return 2000

from service import telemetry
emitter = CapturingEmitter()
xray_recorder.configure(emitter=emitter, streaming_threshold=0)
from tests.support.handler import invoke
call = invoke("GET", "/orders/summary")
print(json.dumps({"tracer": type(telemetry.tracer).__name__, "sent": emitter.sent, "access": call.access}))
"""


def walk(entity: dict) -> list[dict]:
    found = [entity]
    for child in entity.get("subsegments", []):
        found += walk(child)
    return found


def test_route_method_status_are_annotations_and_dynamodb_is_a_subsegment() -> None:
    env = os.environ | {
        "LAMBDA_TASK_ROOT": str(ROOT),
        "AWS_LAMBDA_FUNCTION_NAME": "orders-api",
        "_X_AMZN_TRACE_ID": TRACE_HEADER,
        "AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR",
    }
    env.pop("DYNAMODB_ENDPOINT_URL", None)
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=120
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert result["tracer"] == "XRayTracer"  # the real Powertools Tracer in Lambda
    entities = [e for sent in result["sent"] for e in walk(sent)]
    handler = next(e for e in entities if e["name"] == "## handler")
    assert handler["annotations"]["route"] == "GET /orders/summary"
    assert handler["annotations"]["method"] == "GET"
    assert handler["annotations"]["status"] == 200
    assert handler["trace_id"] == "1-6740b2a3-5d9f0f2d8e7b4a1c9e3f2a10"
    dynamodb = [e for e in entities if e["name"].lower() == "dynamodb"]
    assert dynamodb, [e["name"] for e in entities]
    assert dynamodb[0]["aws"]["operation"] == "Scan"
    # The access line carries the trace id, so a log line leads to its trace.
    assert result["access"]["xray_trace_id"] == "1-6740b2a3-5d9f0f2d8e7b4a1c9e3f2a10"


def test_tracing_follows_powertools_own_rule(monkeypatch) -> None:
    """service.tracing leans on Powertools' private Tracer._is_tracer_disabled: pin its behaviour."""
    from service.tracing import DisabledTracer, make_tracer, tracing_disabled

    monkeypatch.delenv("LAMBDA_TASK_ROOT", raising=False)
    monkeypatch.delenv("POWERTOOLS_TRACE_DISABLED", raising=False)
    assert tracing_disabled()  # outside Lambda
    assert isinstance(make_tracer("orders-api"), DisabledTracer)
    monkeypatch.setenv("LAMBDA_TASK_ROOT", "/var/task")
    assert not tracing_disabled()  # in Lambda
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    assert tracing_disabled()  # switched off explicitly


def test_disabled_tracer_keeps_handlers_callable() -> None:
    from service.tracing import DisabledTracer

    tracer = DisabledTracer()

    @tracer.capture_method(capture_response=False)
    def f(x: int) -> int:
        return x + 1

    assert f(1) == 2
    assert tracer.capture_lambda_handler(f)(2) == 3
    assert tracer.put_annotation("route", "GET /health") is None
