"""One Lambda-like execution environment: `python -m local.worker <fd> [--report]` (started by local.workers).

Init imports the handler once; then each frame on the channel is one invocation, handled alone.
The handler's logs and EMF go to this process's stdout, which the supervisor relays line by line.
With --report (the server records), each reply also carries what Lambda's REPORT line says (duration,
peak memory, the Init Duration on the environment's first invocation) and how many bytes this process
had written to stdout by then: the supervisor puts END and REPORT in the log group after exactly those
bytes (and START, which it hands over itself, before them), without a write or a relay wake-up of their
own. They go to the log group only: stdout stays the function's JSON lines.
"""

from __future__ import annotations

import io
import json
import os
import resource
import signal
import socket
import sys
import time
import traceback
from typing import Any

from local.workers import recv_frame, send_frame


def max_memory_mb() -> int:
    """Peak resident memory of this environment (VmHWM), what REPORT's Max Memory Used shows: getrusage's
    ru_maxrss (KB on Linux), one system call rather than reading /proc/self/status on every invocation."""
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if sys.platform == "darwin":
        peak_kb //= 1024  # bytes there
    return -(-peak_kb // 1024)


class _CountedStdout(io.RawIOBase):
    """fd 1, counting the bytes written to it (the supervisor's relay reads exactly these)."""

    def __init__(self) -> None:
        super().__init__()
        self.written = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        n = os.write(1, data)
        self.written += n
        return n


def main(argv: list[str]) -> int:
    # Ctrl-C reaches the whole process group; the supervisor decides when workers end (it closes
    # the channel), so no KeyboardInterrupt traceback from here.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    channel = socket.socket(fileno=int(argv[1]))
    counted: _CountedStdout | None = None
    if "--report" in argv[2:]:  # before the handler's import: its Logger writes to this sys.stdout
        counted = _CountedStdout()
        stdout = sys.stdout  # the same text stream as without --report, only counted
        sys.stdout = io.TextIOWrapper(io.BufferedWriter(counted), encoding=stdout.encoding, errors=stdout.errors)
    init_started = time.perf_counter()

    from local.events import LocalLambdaContext
    from service.handler import handler

    init_ms: float | None = (time.perf_counter() - init_started) * 1000
    memory_mb = LocalLambdaContext.memory_limit_in_mb
    send_frame(channel, {"ready": True})
    while True:
        try:
            message = recv_frame(channel)
        except OSError:
            return 0
        if message is None:
            return 0
        request_id = message["request_id"]
        started = time.perf_counter()
        try:
            result = handler(message["event"], LocalLambdaContext(aws_request_id=request_id))
            reply: dict[str, Any] = {"result": result}
        except Exception as exc:
            # What the Lambda Python runtime logs for an unhandled exception: one JSON document.
            error = {
                "errorMessage": str(exc),
                "errorType": type(exc).__name__,
                "requestId": request_id,
                "stackTrace": traceback.format_tb(exc.__traceback__),
            }
            sys.stdout.write(json.dumps(error, default=str) + "\n")
            sys.stdout.flush()
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        if counted:
            duration_ms = (time.perf_counter() - started) * 1000
            sys.stdout.flush()  # whatever the function left in the buffer counts as written before END
            reply["report"] = [duration_ms, memory_mb, max_memory_mb(), init_ms, counted.written]
        init_ms = None  # only the environment's first invocation reports its init
        send_frame(channel, reply)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
