"""An execution environment's log stream (local/workers.py): the function's lines as its worker wrote them,
each invocation's END and REPORT right after exactly that invocation's output, whichever of the relay and
the invoking thread gets there first."""

from __future__ import annotations

import json
import os
import threading
import time

from local.events import function_url_event
from local.output import LineWriter
from local.telemetry import Ended
from local.workers import Worker, WorkerPool


def test_end_and_report_follow_each_invocations_own_output() -> None:
    stream: list[bytes | str | Ended] = []
    lock = threading.Lock()

    def log(line: bytes | str | Ended, _: str) -> None:  # from two threads, as the recording's hand-over is
        with lock:
            stream.append(line)

    env = WorkerPool.environment({"TABLE_NAME": "orders", "AWS_DEFAULT_REGION": "us-east-1"})
    with open(os.devnull, "w") as devnull:
        worker = Worker(env, LineWriter(devnull.fileno()), init_timeout_s=30, log=log)
        ids = [f"r-{i}" for i in range(200)]
        try:
            for request_id in ids:
                event = function_url_event("GET", "/health", {"host": "localhost"})
                assert worker.invoke(event, request_id, timeout_s=10)["statusCode"] == 200
            deadline = time.monotonic() + 10
            while sum(isinstance(x, tuple) for x in stream) < len(ids) and time.monotonic() < deadline:
                time.sleep(0.01)  # the last END may wait for the relay to read the last line
        finally:
            worker.close()
    invocations = [x for x in stream if not isinstance(x, bytes)]  # START (str) and END/REPORT (Ended)
    assert [x if isinstance(x, str) else x[0] for x in invocations] == [
        item for request_id in ids for item in (f"START RequestId: {request_id} Version: $LATEST", request_id)
    ]
    order = []  # each access line between its own START and END
    for x in stream:
        if isinstance(x, bytes):
            order.append(("access", json.loads(x)["request_id"]))
        elif isinstance(x, str):
            order.append(("START", x.split()[2]))
        else:
            order.append(("END", x[0]))
    assert order == [(kind, r) for r in ids for kind in ("START", "access", "END")]
