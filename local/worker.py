"""One Lambda-like execution environment: `python -m local.worker <fd> [--report]` (started by local.workers).

Init imports the handler once; then each frame on the channel is one invocation, handled alone.
The handler's logs and EMF go to this process's stdout, which the supervisor relays line by line.
With --report (the server records), each invocation's output is followed by the END and REPORT lines
Lambda writes (REPORT carries the Init Duration on the environment's first one), in one write; the
supervisor records them (and the START line it hands over itself before the invocation) in the local
log group only: stdout stays the function's JSON lines. Without a recording nobody reads them, so
they are not written.
"""

from __future__ import annotations

import json
import resource
import signal
import socket
import sys
import time
import traceback

from local.telemetry import platform_lines
from local.workers import recv_frame, send_frame


def max_memory_mb() -> int:
    """Peak resident memory of this environment (VmHWM), what REPORT's Max Memory Used shows: getrusage's
    ru_maxrss (KB on Linux), one system call rather than reading /proc/self/status on every invocation."""
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if sys.platform == "darwin":
        peak_kb //= 1024  # bytes there
    return -(-peak_kb // 1024)


def main(argv: list[str]) -> int:
    # Ctrl-C reaches the whole process group; the supervisor decides when workers end (it closes
    # the channel), so no KeyboardInterrupt traceback from here.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    channel = socket.socket(fileno=int(argv[1]))
    report = "--report" in argv[2:]
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
            reply = {"result": result}
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
        if report:
            duration_ms = (time.perf_counter() - started) * 1000
            _, end, lines = platform_lines(request_id, duration_ms, memory_mb, max_memory_mb(), init_ms)
            _write(end + "\n" + lines)  # one write: the supervisor's relay wakes once for both
        init_ms = None  # only the environment's first invocation reports its init
        send_frame(channel, reply)


def _write(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
