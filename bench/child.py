"""One benchmark measurement in a fresh interpreter; prints a JSON result on the real stdout.

python -m bench.child init MODULE
python -m bench.child warm MODULE REQUESTS
"""

from __future__ import annotations

import importlib
import io
import json
import os
import sys
import time


class CountingSink(io.TextIOBase):
    """Stands in for the Lambda log pipe: counts what the handler writes."""

    def __init__(self) -> None:
        self.bytes = 0
        self.lines = 0

    def write(self, s: str) -> int:
        self.bytes += len(s.encode())
        self.lines += s.count("\n")
        return len(s)

    def writable(self) -> bool:
        return True


# CPU time of this process, not wall time: on a shared machine another process's burst delays
# the wall clock of whichever side happens to run then, but not the CPU this side consumed.
clock = time.process_time


def measure_init(module: str) -> dict[str, float]:
    started = clock()
    importlib.import_module(module)
    return {"init_ms": (clock() - started) * 1000}


def measure_warm(module: str, requests: int) -> dict[str, float]:
    from local.events import LocalLambdaContext, function_url_event

    real_stdout, sink = sys.stdout, CountingSink()
    sys.stdout = sink  # before the import: Powertools binds its log stream at creation
    try:
        handler = importlib.import_module(module).handler
        event = function_url_event("GET", "/health", {"user-agent": "bench", "accept": "application/json"})
        context = LocalLambdaContext()
        for _ in range(200):  # warm-up, includes the cold-start request
            assert handler(event, context)["statusCode"] == 200
        before_bytes, before_lines = sink.bytes, sink.lines
        batches = []
        per_batch = max(1, requests // 5)
        for _ in range(5):
            started = clock()
            for _ in range(per_batch):
                handler(event, context)
            batches.append((clock() - started) / per_batch * 1e6)
        calls = per_batch * 5
        result = {
            "us_per_request": sorted(batches)[len(batches) // 2],
            "log_bytes_per_request": (sink.bytes - before_bytes) / calls,
            "log_lines_per_request": (sink.lines - before_lines) / calls,
        }
    finally:
        sys.stdout = real_stdout
    return result


def main() -> None:
    os.environ.setdefault("TABLE_NAME", "bench")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    kind, module = sys.argv[1], sys.argv[2]
    result = measure_init(module) if kind == "init" else measure_warm(module, int(sys.argv[3]))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
