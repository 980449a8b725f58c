"""The ``otel`` tracing mode, offline: the OpenTelemetry SDK with an in-memory exporter, the botocore
and aws-lambda instrumentations, and every catalogue route served through ``handler`` against the
emulated DynamoDB.

In AWS, the distro layer's wrapper sets the SDK up and wraps the handler before the function's code
loads; the child process below does the same with the SDK's in-memory exporter instead of the UDP
exporter to the X-Ray daemon: the layer's propagators (OTEL_PROPAGATORS default ``baggage,xray,tracecontext``),
X-Ray trace ids, botocore instrumented, and the aws-lambda instrumentation (the upstream package; the
layer ships a copy of it) with the layer's event-context extractor, which takes the parent from Lambda's
_X_AMZN_TRACE_ID. Then it runs the contract's request script (tests/support/emit_telemetry.py),
whose last request meets a deleted table: a real fault.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from service.catalogue import NOT_FOUND, ROUTES
from service.tracing import ANNOTATIONS, XRAY_ANNOTATIONS_ATTRIBUTE, xray_form

ROOT = Path(__file__).resolve().parents[2]
XRAY_TRACE_ID = "^1-[0-9a-f]{8}-[0-9a-f]{24}$"

SCRIPT = r"""
import json, os, sys
os.environ["TRACING_MODE"] = "otel"
from tests.support import emit_telemetry
os.environ["TABLE_NAME"] = emit_telemetry.TABLE  # main() sets the same; the handler binds it at import
os.environ["ORIG_HANDLER"] = "service.handler.handler"  # as the layer's wrapper does
os.environ["AWS_LAMBDA_FUNCTION_NAME"] = "orders-api"  # Lambda sets it; the instrumentation checks it

from opentelemetry import propagate, trace
from opentelemetry.baggage.propagation import W3CBaggagePropagator
from opentelemetry.context import Context
from opentelemetry.instrumentation.aws_lambda import AwsLambdaInstrumentor
from opentelemetry.instrumentation.botocore import BotocoreInstrumentor
from opentelemetry.propagators.aws import AwsXRayPropagator
from opentelemetry.propagators.composite import CompositePropagator
from opentelemetry.sdk.extension.aws.trace import AwsXRayIdGenerator
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

exporter = InMemorySpanExporter()
provider = TracerProvider(id_generator=AwsXRayIdGenerator())
provider.add_span_processor(SimpleSpanProcessor(exporter))
trace.set_tracer_provider(provider)
propagate.set_global_textmap(
    CompositePropagator([W3CBaggagePropagator(), AwsXRayPropagator(), TraceContextTextMapPropagator()])
)
BotocoreInstrumentor().instrument()

def layer_event_context_extractor(event):
    # The layer's otel_wrapper.py: Lambda's trace header wins over any X-Amzn-Trace-Id header.
    headers = dict(event.get("headers") or {})
    header = os.environ.get("_X_AMZN_TRACE_ID")
    if header:
        headers = {k: v for k, v in headers.items() if k.lower() != "x-amzn-trace-id"}
        headers["X-Amzn-Trace-Id"] = header
    extracted = propagate.get_global_textmap().extract(headers)
    return extracted if trace.get_current_span(extracted).get_span_context().is_valid else Context()

AwsLambdaInstrumentor().instrument(event_context_extractor=layer_event_context_extractor)
from service import telemetry
assert type(telemetry.tracer).__name__ == "OtelTracer", telemetry.tracer

emit_telemetry.main()

def plain(value):
    return list(value) if isinstance(value, tuple) else value

spans = [
    {
        "name": s.name,
        "kind": s.kind.name,
        "trace_id": s.context.trace_id,
        "span_id": s.context.span_id,
        "parent_id": s.parent.span_id if s.parent else None,
        "status": s.status.status_code.name,
        "attributes": {k: plain(v) for k, v in s.attributes.items()},
    }
    for s in exporter.get_finished_spans()
]
with open(os.environ["SPANS_FILE"], "w") as f:
    json.dump(spans, f)
"""


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    spans_file = tmp_path_factory.mktemp("otel") / "spans.json"
    env = os.environ | {"SPANS_FILE": str(spans_file), "PYTHONPATH": str(ROOT)}
    for name in ("LAMBDA_TASK_ROOT", "POWERTOOLS_TRACE_DISABLED", "TRACING_MODE"):
        env.pop(name, None)
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = [json.loads(raw) for raw in proc.stdout.splitlines() if raw.strip()]
    return {
        "access": [line for line in lines if line.get("message") == "access"],
        "spans": json.loads(spans_file.read_text()),
    }


def servers(run: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in run["spans"] if s["kind"] == "SERVER"]


def ancestors(span: dict[str, Any], by_id: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    while span["parent_id"] in by_id:
        span = by_id[span["parent_id"]]
        out.append(span)
    return out


def test_one_server_span_per_request_named_by_the_route_template(run: dict[str, Any]) -> None:
    spans, access = servers(run), run["access"]
    assert len(spans) == len(access) > len(ROUTES)
    # Spans end in request order, as the access lines are written.
    for span, line in zip(spans, access, strict=True):
        assert span["name"] == line["route"]
        attrs = span["attributes"]
        assert (attrs["route"], attrs["method"], attrs["status"]) == (line["route"], line["method"], line["status"])
        assert attrs[XRAY_ANNOTATIONS_ATTRIBUTE] == list(ANNOTATIONS)  # X-Ray indexes these as annotations
        assert attrs["faas.trigger"] == "http"  # the aws-lambda instrumentation's own attributes are kept
    assert {s["name"] for s in spans} == {r.label for r in ROUTES} | {NOT_FOUND}
    # The template, never the raw path: GET /orders/{order_id} is one name whatever the id.
    assert not any("/orders/0" in s["name"] for s in spans)


def test_dynamodb_calls_are_child_spans_of_their_request(run: dict[str, Any]) -> None:
    by_id = {s["span_id"]: s for s in run["spans"]}
    # The harness's own table management (emit_telemetry creates and deletes the table) is no request's.
    harness = {"ListTables", "CreateTable", "DescribeTable", "DeleteTable", "UpdateTimeToLive", "DescribeTimeToLive"}
    dynamodb = [
        s
        for s in run["spans"]
        if s["attributes"].get("rpc.service") == "DynamoDB" and s["attributes"]["rpc.method"] not in harness
    ]
    assert dynamodb
    by_route: dict[str, set[str]] = {}
    for span in dynamodb:
        assert span["kind"] == "CLIENT"
        servers_above = [a for a in ancestors(span, by_id) if a["kind"] == "SERVER"]
        assert len(servers_above) == 1, (span["name"], span["parent_id"], [a["name"] for a in ancestors(span, by_id)])
        (server,) = servers_above
        assert server["trace_id"] == span["trace_id"]
        by_route.setdefault(server["name"], set()).add(span["attributes"]["rpc.method"])
    assert by_route["GET /orders/{order_id}"] >= {"GetItem"}
    assert by_route["GET /orders/summary"] >= {"Scan"}
    assert "PutItem" in by_route["POST /orders"] or "TransactWriteItems" in by_route["POST /orders"]
    # The route function's own span sits between the request and its DynamoDB calls (capture_method).
    get_item = next(s for s in dynamodb if s["attributes"]["rpc.method"] == "GetItem")
    assert by_id[get_item["parent_id"]]["name"] == "## get_order"


def test_access_line_carries_the_trace_id_in_xray_form(run: dict[str, Any]) -> None:
    for span, line in zip(servers(run), run["access"], strict=True):
        assert line["xray_trace_id"] == xray_form(span["trace_id"])
    # The parent came from Lambda's trace header (emit_telemetry sets it as Lambda does): the same trace.
    assert {line["xray_trace_id"] for line in run["access"]} == {"1-6740f0a0-1234567890abcdef01234567"}


def test_a_fault_marks_the_span_as_an_error(run: dict[str, Any]) -> None:
    faults = [s for s in servers(run) if s["attributes"]["status"] >= 500]
    assert faults, "the contract run ends with a real fault"
    for span in faults:
        assert span["status"] == "ERROR"
        assert span["attributes"]["error_kind"]
    others = [s for s in servers(run) if s["attributes"]["status"] < 500]
    assert any(s["attributes"]["status"] >= 400 for s in others)  # client errors are not faults
    assert all(s["status"] == "UNSET" for s in others)


def test_otel_mode_without_an_sdk_traces_nothing_and_keeps_lambdas_trace_id(monkeypatch) -> None:
    """No SDK set up (the layer missing, or a local run): the API's non-recording spans, no error."""
    from service.tracing import OtelTracer

    monkeypatch.setenv("_X_AMZN_TRACE_ID", "Root=1-6740b2a3-5d9f0f2d8e7b4a1c9e3f2a10;Parent=53995c3f42cd8ad8;Sampled=1")
    tracer = OtelTracer("orders-api")
    tracer.record_request(route="GET /health", method="GET", status=500, error_kind="bug")
    tracer.put_annotation("route", "GET /health")
    assert tracer.trace_id() == "1-6740b2a3-5d9f0f2d8e7b4a1c9e3f2a10"
    assert tracer.capture_method(lambda: 3)() == 3
