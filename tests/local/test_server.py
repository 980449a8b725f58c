"""End to end: `python -m service.local` on a free port, spoken to over real HTTP."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from local.recording import MARKER, PIPE_BYTES, SHIP_S
from service.catalogue import ROUTES
from tests.support.handler import new_order

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class LocalApi:
    url: str
    process: subprocess.Popen[str]


def _telemetry(args: tuple[str, ...]) -> list[str]:
    return [] if "--telemetry-dir" in args else ["--telemetry-dir", tempfile.mkdtemp(prefix="local-telemetry-")]


def start_server(*args: str, env: dict[str, str] | None = None) -> LocalApi:
    """`python -m service.local` on a port the OS picks, with its own embedded DynamoDB unless env says."""
    base = {k: v for k, v in os.environ.items() if k not in ("DYNAMODB_ENDPOINT_URL", "TABLE_NAME")}
    process = subprocess.Popen(
        # Its own console port and telemetry folder: never the developer's .local/ history.
        [sys.executable, "-m", "service.local", "--port", "0", "--console-port", "0", *_telemetry(args), *args],
        cwd=ROOT,
        env=env if env is not None else base,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    first = process.stdout.readline()  # the server prints its URL once it is listening
    assert "listening on http://127.0.0.1:" in first, first + process.stderr.read()
    console = process.stdout.readline()  # the second URL line: the local console's
    assert console.startswith("console on http://127.0.0.1:"), console
    return LocalApi(url=first.split("listening on ")[1].split()[0], process=process)


@pytest.fixture(scope="module")
def local_api() -> Iterator[LocalApi]:
    api = start_server()
    yield api
    if api.process.poll() is None:
        api.process.kill()
        api.process.wait(timeout=10)


def request(
    api: LocalApi, method: str, path: str, body: object = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        api.url + path,
        data=data,
        method=method,
        headers={"content-type": "application/json"} | (headers or {}),
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()


def test_serves_every_route_and_stops_cleanly_on_ctrl_c(local_api: LocalApi) -> None:
    status, _, body = request(local_api, "GET", "/health")
    assert (status, json.loads(body)["status"]) == (200, "ok")

    status, headers, body = request(local_api, "POST", "/orders", new_order(), {"x-correlation-id": "e2e-1"})
    assert status == 201
    assert headers["x-correlation-id"] == "e2e-1"
    location = headers["location"]
    assert request(local_api, "GET", location)[0] == 200
    status, _, body = request(local_api, "GET", "/orders?limit=10")
    assert status == 200
    assert any(o["order_id"] == location.rsplit("/", 1)[1] for o in json.loads(body)["orders"])
    assert request(local_api, "GET", "/orders/summary")[0] == 200
    assert request(local_api, "DELETE", location)[0] == 204
    assert request(local_api, "DELETE", location)[0] == 404
    status, headers, body = request(local_api, "GET", "/missing?x=1")
    assert status == 404
    assert headers["content-type"] == "application/problem+json"
    cookie_status, _, _ = request(local_api, "GET", "/health", headers={"cookie": "session=E2ESECRET"})
    assert cookie_status == 200

    local_api.process.send_signal(signal.SIGINT)
    out, err = local_api.process.communicate(timeout=20)
    assert local_api.process.returncode == 0, err
    assert out.rstrip().endswith("orders-api stopped")
    assert "Traceback" not in err

    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    access = [line for line in lines if line.get("message") == "access"]
    assert [(a["route"], a["status"]) for a in access] == [
        ("GET /health", 200),
        ("POST /orders", 201),
        ("GET /orders/{order_id}", 200),
        ("GET /orders", 200),
        ("GET /orders/summary", 200),
        ("DELETE /orders/{order_id}", 204),
        ("DELETE /orders/{order_id}", 404),
        ("NOT_FOUND", 404),
        ("GET /health", 200),
    ]
    assert access[0]["cold_start"] is True
    assert all("_aws" in a for a in access)  # EMF on stdout, as in Lambda
    assert "E2ESECRET" not in out


def test_refuses_a_port_in_use_with_a_clear_message() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "service.local", "--port", str(port)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_stops_cleanly_on_sigterm() -> None:
    process = start_server().process
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert out.rstrip().endswith("orders-api stopped")


# ---- concurrency, keep-alive, telemetry, faults: real worker processes --------------------------------


def stop_server(api: LocalApi) -> tuple[list[dict[str, object]], str]:
    """SIGINT, then every stdout line must be one JSON object (the last line excepted)."""
    api.process.send_signal(signal.SIGINT)
    out, err = api.process.communicate(timeout=30)
    assert api.process.returncode == 0, err
    lines = out.splitlines()
    assert lines[-1] == "orders-api stopped"
    return [json.loads(line) for line in lines[:-1]], err


def keep_alive(api: LocalApi) -> http.client.HTTPConnection:
    host, port = api.url.removeprefix("http://").split(":")
    return http.client.HTTPConnection(host, int(port), timeout=10)


def get(conn: http.client.HTTPConnection, path: str) -> tuple[int, dict[str, str], bytes]:
    conn.request("GET", path)
    response = conn.getresponse()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()


def test_n_busy_workers_throttle_the_next_request_and_idle_connections_block_nobody() -> None:
    # Every DynamoDB call takes 1 s (fault proxy; below the service's 1.5 s read timeout), so two
    # order lookups hold both workers.
    api = start_server("--concurrency", "2", "--dynamodb-faults", "delay_ms=1000")
    try:
        idle = [keep_alive(api) for _ in range(3)]  # more idle keep-alive clients than workers
        for conn in idle:
            assert get(conn, "/health")[0] == 200
        slow_statuses: list[int] = []
        slow = [
            threading.Thread(target=lambda: slow_statuses.append(get(keep_alive(api), "/orders/" + "0" * 32)[0]))
            for _ in range(2)
        ]
        for thread in slow:
            thread.start()
        time.sleep(0.5)  # both lookups are inside their 1 s DynamoDB call now
        status, headers, body = get(keep_alive(api), "/health")
        assert status == 429
        assert headers["x-amzn-errortype"] == "TooManyRequestsException"
        assert "retry-after" in headers
        assert json.loads(body)["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
        for thread in slow:
            thread.join(10)
        assert slow_statuses == [404, 404]
        started = time.monotonic()
        assert get(keep_alive(api), "/health")[0] == 200  # the idle connections hold no worker
        assert time.monotonic() - started < 5
        assert get(idle[0], "/health")[0] == 200  # and they still work
    finally:
        lines, err = stop_server(api)
    assert "Traceback" not in err
    throttles = [line for line in lines if line.get("message") == "throttled"]
    access = [line for line in lines if line.get("message") == "access"]
    assert len(throttles) == 1
    assert len(access) == 3 + 2 + 1 + 1  # every served request, none for the throttled one


def test_concurrent_requests_never_interleave_their_telemetry() -> None:
    api = start_server("--concurrency", "4")
    statuses: list[int] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        conn = keep_alive(api)
        for i in range(15):
            headers = {"content-type": "application/json", "x-correlation-id": f"c{n}-{i}"}
            if i % 3 == 0:
                conn.request("POST", "/orders", body=json.dumps(new_order()), headers=headers)
            else:
                conn.request("GET", "/orders/summary" if i % 3 == 1 else f"/nope/{n}/{i}", headers=headers)
            response = conn.getresponse()
            response.read()
            with lock:
                statuses.append(response.status)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]  # 8 clients, 4 workers
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    lines, _ = stop_server(api)  # parses every line: any interleaving fails here
    access = [line for line in lines if line.get("message") == "access"]
    throttles = [line for line in lines if line.get("message") == "throttled"]
    assert len(statuses) == 8 * 15
    assert len(throttles) == statuses.count(429)
    assert len(access) == len(statuses) - statuses.count(429)
    assert len({a["correlation_id"] for a in access}) == len(access)
    created = [line for line in lines if line.get("message") == "order created"]
    assert len(created) == statuses.count(201)


def test_another_endpoint_without_aws_credentials(tmp_path: Path) -> None:
    """DYNAMODB_ENDPOINT_URL (here the test session's emulator) and no credentials anywhere."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") or k == "AWS_DEFAULT_REGION"}
    env |= {
        "HOME": str(tmp_path),
        "DYNAMODB_ENDPOINT_URL": os.environ["DYNAMODB_ENDPOINT_URL"],
        "TABLE_NAME": "orders-other",
    }
    api = start_server(env=env)
    try:
        status, _, _ = request(api, "POST", "/orders", new_order())
    finally:
        _, err = stop_server(api)
    assert status == 201, err
    assert "NoCredentialsError" not in err


def test_dynamodb_faults_reach_the_service_as_dependency_errors() -> None:
    api = start_server("--dynamodb-faults", "error=1")
    try:
        status, headers, _ = request(api, "GET", "/orders/" + "a" * 32)
        health, _, _ = request(api, "GET", "/health")  # no DynamoDB call: unaffected
    finally:
        lines, _ = stop_server(api)
    assert status >= 500
    assert headers["content-type"] == "application/problem+json"
    assert health == 200
    injected = [line for line in lines if line.get("message") == "dynamodb fault injected"]
    assert injected
    assert {line["fault"] for line in injected} == {"error"}
    assert {line["operation"] for line in injected} == {"GetItem"}
    [access] = [line for line in lines if line.get("message") == "access" and line["route"] != "GET /health"]
    assert access["Fault"] == 1


def test_call_api_script_against_the_local_api() -> None:
    """scripts/call_api.py end to end through the real handler (moved from tests/unit/scripts/test_call_api.py: a
    server process belongs to this module, which the fast tier leaves out)."""
    api = start_server()
    try:
        result = subprocess.run(
            [sys.executable, "scripts/call_api.py", api.url], cwd=ROOT, capture_output=True, text=True, timeout=60
        )
    finally:
        _, err = stop_server(api)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("ok  ") == len(ROUTES)
    assert "Traceback" not in err


@pytest.mark.parametrize("fate", [signal.SIGKILL, signal.SIGSTOP], ids=["killed", "hung"])
def test_a_recording_process_that_dies_or_hangs_costs_no_request(tmp_path: Path, fate: signal.Signals) -> None:
    """The recording is a child the request path never waits for: killed (out of memory, a bug) or hung
    (stopped: it reads nothing, the pipe fills), every request is still answered with its access line on
    stdout, and the server still stops cleanly."""
    api = start_server("--telemetry-dir", str(tmp_path))
    recording = json.loads((tmp_path / MARKER).read_text(encoding="utf-8"))["pid"]
    out: list[str] = []  # read as it comes: a full stdout pipe would stall the server, not the recording
    reader = threading.Thread(target=lambda: out.extend(api.process.stdout or ()), daemon=True)
    reader.start()
    try:
        assert request(api, "GET", "/health")[0] == 200
        os.kill(recording, fate)
        # Several shipments after its fate, and (a request ships ~1 KB) more than the pipe to it holds.
        statuses: list[int] = []
        until = time.monotonic() + 8 * SHIP_S
        host, port = api.url.split("//")[1].split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        while time.monotonic() < until or len(statuses) < 2 * PIPE_BYTES // 1000:
            connection.request("GET", "/health")
            response = connection.getresponse()
            response.read()
            statuses.append(response.status)
        connection.close()
        assert set(statuses) == {200}
        api.process.send_signal(signal.SIGINT)
        api.process.wait(timeout=60)
        reader.join(timeout=10)
        err = api.process.stderr.read() if api.process.stderr else ""
    finally:
        if api.process.poll() is None:
            api.process.kill()
            api.process.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.kill(recording, signal.SIGKILL)
    assert api.process.returncode == 0, err
    assert out[-1].rstrip() == "orders-api stopped"
    access = [line for line in out if line.startswith("{") and json.loads(line)["message"] == "access"]
    assert len(access) == 1 + len(statuses)
