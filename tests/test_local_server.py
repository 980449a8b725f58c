"""End to end: `python -m service.local` on a free port, spoken to over real HTTP."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import new_order

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class LocalApi:
    url: str
    process: subprocess.Popen[str]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def local_api() -> Iterator[LocalApi]:
    env = {k: v for k, v in os.environ.items() if k not in ("DYNAMODB_ENDPOINT_URL", "TABLE_NAME")}
    process = subprocess.Popen(
        [sys.executable, "-m", "service.local", "--port", str(free_port())],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    first = process.stdout.readline()  # the server prints its URL once it is listening
    assert "listening on http://127.0.0.1:" in first, first + process.stderr.read()
    url = first.split("listening on ")[1].split()[0]
    yield LocalApi(url=url, process=process)
    if process.poll() is None:
        process.kill()
        process.wait(timeout=10)


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
    process = subprocess.Popen(
        [sys.executable, "-m", "service.local", "--port", str(free_port())],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k not in ("DYNAMODB_ENDPOINT_URL", "TABLE_NAME")},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert "listening on" in process.stdout.readline()
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert out.rstrip().endswith("orders-api stopped")
