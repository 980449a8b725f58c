"""The telemetry contract (DESIGN.md): what operators, on-call and developers rely on."""

from __future__ import annotations

import json
import os
import random
import string

import pytest

from service import contract, header_names
from service.catalogue import NOT_FOUND, ROUTE_LABELS
from tests.support.handler import Call, invoke, new_order

ROUTE_DIMS = list(contract.ROUTE_DIMENSIONS)
SERVICE_DIMS = list(contract.SERVICE_DIMENSIONS)


def emf_directive(line: dict) -> dict:
    (directive,) = line["_aws"]["CloudWatchMetrics"]
    return directive


def assert_counted(call: Call, route: str, status: int) -> dict:
    """Exactly one access line, with every contract field, and EMF under both dimension sets."""
    line = call.access
    for name in contract.ACCESS_FIELDS:
        if name != "xray_trace_id":  # tracing is off outside Lambda (Powertools' own rule)
            assert name in line, name
    assert line["route"] == route
    assert line["status"] == status == call.status
    assert line["method"] == call.event["requestContext"]["http"]["method"]
    assert line["correlation_id"] == call.headers["x-correlation-id"]
    directive = emf_directive(line)
    assert directive["Namespace"] == contract.METRICS_NAMESPACE
    assert directive["Dimensions"] == [SERVICE_DIMS, ROUTE_DIMS]
    names = {m["Name"] for m in directive["Metrics"]}
    assert {
        contract.METRIC_REQUESTS,
        contract.METRIC_LATENCY,
        contract.METRIC_FAULT,
        contract.METRIC_CLIENT_ERROR,
    } <= names
    assert line[contract.DIM_SERVICE] == contract.SERVICE_NAME
    assert line[contract.DIM_ROUTE] == route
    assert line[contract.METRIC_REQUESTS] == 1
    assert line[contract.METRIC_FAULT] == (1 if status >= 500 else 0)
    assert line[contract.METRIC_CLIENT_ERROR] == (1 if 400 <= status < 500 else 0)
    assert line[contract.METRIC_LATENCY] == line["latency_ms"] >= 0
    return line


def test_every_line_is_one_json_object_and_the_access_line_is_also_emf() -> None:
    call = invoke("POST", "/orders", body=new_order())
    assert len(call.output.splitlines()) == len(call.lines) == 2  # the route's own line + access line
    assert_counted(call, "POST /orders", 201)
    route_line = next(line for line in call.lines if line["message"] == "order created")
    assert route_line["correlation_id"] == call.access["correlation_id"]


@pytest.mark.parametrize(
    ("method", "target", "route", "status"),
    [
        ("GET", "/health", "GET /health", 200),
        ("GET", "/orders?limit=1", "GET /orders", 200),
        ("GET", "/orders/summary", "GET /orders/summary", 200),
        ("GET", "/orders/" + "0" * 32, "GET /orders/{order_id}", 404),
        ("DELETE", "/orders/" + "0" * 32, "DELETE /orders/{order_id}", 404),
        ("GET", "/orders/not-an-id", "GET /orders/{order_id}", 422),  # validation runs before middleware
        ("GET", "/orders?limit=0", "GET /orders", 422),
        ("POST", "/orders", "POST /orders", 422),
        ("GET", "/orders/{order_id}", "GET /orders/{order_id}", 422),  # literal template as path
        ("GET", "/nowhere", NOT_FOUND, 404),
        ("PATCH", "/orders", NOT_FOUND, 405),
        ("OPTIONS", "/orders", NOT_FOUND, 405),
    ],
)
def test_each_request_is_logged_and_counted_under_its_route(method: str, target: str, route: str, status: int) -> None:
    body = {} if method == "POST" else None
    assert_counted(invoke(method, target, body=body), route, status)


def test_oversized_bodies_are_counted_under_their_route() -> None:
    assert_counted(invoke("POST", "/orders", body="y" * 10_000), "POST /orders", 413)
    assert_counted(invoke("GET", "/health", body="y" * 10_000), "GET /health", 413)


def test_a_raising_route_is_counted_as_a_fault_with_its_stack_trace_in_the_log(monkeypatch: pytest.MonkeyPatch) -> None:
    from service.dal.orders_table import OrdersTable
    from service.routes import orders

    monkeypatch.setattr(orders, "table", OrdersTable("missing-table", os.environ["DYNAMODB_ENDPOINT_URL"]))
    call = invoke("GET", "/orders/" + "1" * 32)
    line = assert_counted(call, "GET /orders/{order_id}", 500)
    assert line["level"] == "ERROR"
    error = next(x for x in call.lines if x["message"] == "unhandled error")
    assert error["route"] == "GET /orders/{order_id}"
    assert "Traceback" in error["exception"]


def test_cold_start_is_flagged_and_counted_once_per_environment() -> None:
    calls = [invoke("GET", "/health") for _ in range(3)]
    # Earlier tests may already have warmed this process; none of these three may claim a cold start.
    for call in calls:
        assert call.access["cold_start"] is False
        assert contract.METRIC_COLD_START not in call.access
        assert all(m["Name"] != contract.METRIC_COLD_START for m in emf_directive(call.access)["Metrics"])


def test_the_first_request_of_a_fresh_process_is_a_cold_start() -> None:
    import subprocess
    import sys

    script = (
        "from tests.support.handler import invoke\n"
        "import json\n"
        "print(json.dumps([invoke('GET', '/health').access, invoke('GET', '/health').access]))\n"
    )
    # A fresh interpreter is a fresh "execution environment"; reuse this session's emulator env.
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    first, second = json.loads(out.strip().splitlines()[-1])
    assert first["cold_start"] is True
    assert first[contract.METRIC_COLD_START] == 1
    assert second["cold_start"] is False
    # The cold start's latency is what its user waited: the init (the service's imports) plus the request.
    init_ms = first[contract.METRIC_INIT_DURATION]
    assert init_ms > 50  # importing Powertools, pydantic, boto3 and the service takes far longer than this
    assert first["latency_ms"] > init_ms
    assert second["latency_ms"] < init_ms
    names = [m["Name"] for m in emf_directive(first)["Metrics"]]
    assert contract.METRIC_INIT_DURATION in names
    assert contract.METRIC_INIT_DURATION not in second
    assert contract.METRIC_INIT_DURATION not in [m["Name"] for m in emf_directive(second)["Metrics"]]


def test_random_paths_produce_a_single_not_found_label() -> None:
    rng = random.Random(20261121)
    alphabet = string.ascii_letters + string.digits + "-._~%/!$&'()*+,;=:@" + "äß€漢字🙂"
    labels: set[str] = set()
    for _ in range(1000):
        depth = rng.randint(1, 6)
        path = "/" + "/".join("".join(rng.choices(alphabet, k=rng.randint(1, 24))) for _ in range(depth))
        if path.rstrip("/") in ("/health", "/orders", "/orders/summary") or path.startswith("/orders/"):
            continue
        method = rng.choice(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"])
        call = invoke(method, path)
        assert call.status < 500, (method, path, call.response)
        labels.add(call.access["route"])
    assert labels == {NOT_FOUND}


def test_hostile_input_never_yields_a_5xx_or_a_new_label() -> None:
    rng = random.Random(7)
    order_path = "/orders/" + "a" * 32
    targets = ["/health", "/orders", "/orders/summary", order_path, "/orders/" + "é" * 40, "/" + "x" * 4000]
    bodies: list[object] = [
        "[" * 3000,
        '{"items": ' + "1" * 6000 + "}",
        None,
        "",
        "null",
        "[]",
        "{}",
        '{"a":' * 500,
        "\u0000\u202e\ufeff",
        "💥" * 2000,
        json.dumps(new_order() | {"customer_id": "x" * 10_000}),
        b"\xff\xfe\x00",
    ]
    header_sets = [
        {},
        {"x-correlation-id": "a" * 5000},
        {"x-huge": "h" * 16_000},
        {"x-correlation-id": '\n{"level":"CRITICAL"}'},
        {"content-type": "application/json; charset=latin-1"},
    ]
    labels: set[str] = set()
    for _ in range(300):
        method = rng.choice(["GET", "POST", "DELETE", "PUT"])
        target = rng.choice(targets) + rng.choice(
            ["", "?limit=-1", "?limit=" + "9" * 50, "?cursor=%00", "?a=" + "q" * 8000]
        )
        call = invoke(method, target, body=rng.choice(bodies), headers=rng.choice(header_sets))
        assert call.status < 500, (method, target[:80], call.response)
        assert len(call.access_lines) == 1
        labels.add(call.access["route"])
    assert labels <= ROUTE_LABELS | {NOT_FOUND}


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("order-flow-42", True),
        ("a" * 64, True),
        ("a" * 65, False),
        ("has space", False),
        ("<script>", False),
        ("", False),
        ("\u00e9t\u00e9", False),
    ],
)
def test_correlation_id_is_taken_only_when_well_formed(sent: str, kept: bool) -> None:
    call = invoke("GET", "/health", headers={"x-correlation-id": sent})
    expected = sent if kept else call.access["request_id"]
    assert call.headers["x-correlation-id"] == expected
    assert all(line["correlation_id"] == expected for line in call.lines)
    if not kept:
        assert sent not in call.output or sent == ""


def test_the_canarys_requests_are_marked_synthetic_and_still_counted() -> None:
    canary = invoke("GET", "/health", headers={"x-correlation-id": "canary-20261207T050000Z-health"})
    real = invoke("GET", "/health", headers={"x-correlation-id": "order-flow-42"})
    assert canary.access[contract.SYNTHETIC_FIELD] is True
    assert contract.SYNTHETIC_FIELD not in real.access
    # Counted like any request: on a quiet route the canary's requests are what the alarms judge.
    assert canary.access[contract.METRIC_REQUESTS] == real.access[contract.METRIC_REQUESTS] == 1


CF_ID = "vT3m2X9wQ6yFzK0bR1cN4dE7gH8jL5pS_aU2iO3eY6tW9qZ1xC0v-A=="


@pytest.mark.parametrize(
    ("sent", "logged"),
    [
        (CF_ID, CF_ID),  # as CloudFront sends it: the key to the edge log line
        (None, None),  # not through CloudFront (local runs): no key at all, not an empty one
        ('x" , "status": 200', None),  # not CloudFront's shape: never reaches the log
        ("a" * 129, None),
    ],
)
def test_edge_request_id_is_logged_only_when_cloudfront_sent_one(sent: str | None, logged: str | None) -> None:
    headers = {header_names.EDGE_REQUEST_ID_HEADER: sent} if sent is not None else {}
    call = invoke("GET", "/orders/" + "0" * 32, headers=headers)
    assert call.access.get(contract.EDGE_REQUEST_ID_FIELD) == logged
    assert (contract.EDGE_REQUEST_ID_FIELD in call.access) is (logged is not None)
    if sent and not logged:
        assert sent not in call.output


def test_correlation_id_is_echoed_in_error_bodies() -> None:
    call = invoke("GET", "/nowhere", headers={"x-correlation-id": "trace-me-1"})
    assert call.json["correlation_id"] == "trace-me-1"
    assert call.access["correlation_id"] == "trace-me-1"


def test_state_does_not_leak_between_requests() -> None:
    first = invoke("GET", "/health", headers={"x-correlation-id": "first-request"})
    second = invoke("GET", "/health")
    assert first.access["correlation_id"] == "first-request"
    assert second.access["correlation_id"] != "first-request"
    assert "first-request" not in second.output


SECRETS = {
    "authorization": "AWS4-HMAC-SHA256 Credential=AKIDSECRET/20261121/us-east-1/lambda/aws4_request, Signature=deadbeef",
    "cookie": "session=SESSIONSECRET; theme=dark",
    "x-amz-security-token": "TOKENSECRET",
    "x-api-key": "APIKEYSECRET",
    "x-my-client-secret": "CLIENTSECRET",
}


@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
def test_secrets_never_reach_a_log(level: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from service.telemetry import logger

    logger.setLevel(level)
    try:
        calls = [
            invoke("GET", "/health?X-Amz-Signature=QUERYSIG&token=QUERYTOKEN&limit=3", headers=SECRETS),
            invoke("POST", "/orders", body={}, headers=SECRETS),
        ]
    finally:
        logger.setLevel("INFO")
    for call in calls:
        for secret in (
            "AKIDSECRET",
            "deadbeef",
            "SESSIONSECRET",
            "TOKENSECRET",
            "APIKEYSECRET",
            "CLIENTSECRET",
            "QUERYSIG",
            "QUERYTOKEN",
        ):
            assert secret not in call.output
    if level == "DEBUG":  # the debug line exists and shows the headers were seen, then redacted
        detail = next(line for line in calls[0].lines if line["message"] == "request")
        assert detail["headers"]["authorization"] == "[REDACTED]"
        assert detail["headers"]["user-agent"] == "pytest"
        assert "limit=3" in detail["query"]  # harmless parameters stay readable


def test_access_line_stays_small() -> None:
    """The size budget is measured by `make bench`; this only guards against a key explosion."""
    invoke("GET", "/health")
    line = invoke("GET", "/health").output.strip()
    assert len(line.splitlines()) == 1
    assert len(line.encode()) < 1000, line


def test_the_access_line_survives_a_quiet_log_level() -> None:
    """It carries the metrics: POWERTOOLS_LOG_LEVEL=ERROR must not silence dashboards and alarms."""
    from service.telemetry import logger

    logger.setLevel("ERROR")
    try:
        call = invoke("POST", "/orders", body=new_order())
    finally:
        logger.setLevel("INFO")
    assert [line["message"] for line in call.lines] == ["access"]  # the route's INFO line is filtered
    assert_counted(call, "POST /orders", 201)


def test_access_line_has_the_shape_of_a_logger_line() -> None:
    """Same keys and timestamp format as the Logger's own lines, so one query reads both."""
    call = invoke("POST", "/orders", body=new_order(), headers={"x-correlation-id": "shape-1"})
    route_line = next(line for line in call.lines if line["message"] == "order created")
    access = call.access
    for key in ("level", "message", "timestamp", "service", "cold_start", "correlation_id"):
        assert key in route_line
        assert key in access
        assert type(route_line[key]) is type(access[key])
    assert route_line["timestamp"][:16] == access["timestamp"][:16]  # same RFC 3339 UTC format
    assert access["timestamp"].endswith("+00:00")


@pytest.mark.parametrize("event", [{}, {"rawPath": "/health"}, {"requestContext": {"http": {"method": "GET"}}}])
def test_an_event_that_is_not_a_function_url_event_is_a_logged_counted_500(event: dict) -> None:
    """A misconfigured trigger must show up as faults on the dashboard, not as a crash nobody counts."""
    call = invoke("GET", "/", raw_event=event)
    assert call.status == 500
    line = assert_counted(call, NOT_FOUND, 500) if event.get("requestContext") else call.access
    assert line["Fault"] == 1
    assert any(x["message"] == "request failed outside the resolver" for x in call.lines)
