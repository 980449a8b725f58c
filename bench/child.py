"""One benchmark measurement in a fresh interpreter; prints a JSON result on the real stdout.

python -m bench.child init MODULE
python -m bench.child warm MODULE REQUESTS
python -m bench.child first MODULE ORDER_ID   (needs the emulator's endpoint in the environment)
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


def layer_setup() -> None:
    """What AWS's OpenTelemetry layer runs before the function's module loads (BENCH_OTEL=fast|full).

    fast (OTEL_AWS_LAMBDA_FAST_START=true, the kit's otel default): the layer's otel_wrapper.py calls the
    distro's configure_lite_mode(). full (Application Signals): its otel-instrument script runs the
    runtime under opentelemetry-instrument, whose sitecustomize initializes the distro, its configurator
    and every instrumentation not disabled. Then the wrapper instruments the handler (aws-lambda), which
    imports the function's module. The extra interpreter start of the full path's exec is not counted.
    """
    kind = os.environ.get("BENCH_OTEL")
    if not kind:
        return
    if kind == "full":
        from opentelemetry.instrumentation.auto_instrumentation import initialize

        initialize()
    else:
        from amazon.opentelemetry.distro.opentelemetry_lite_sdk import configure_lite_mode

        configure_lite_mode()
    from opentelemetry.instrumentation.aws_lambda import AwsLambdaInstrumentor

    AwsLambdaInstrumentor().instrument()  # wraps ORIG_HANDLER (service.handler.handler), importing it


def measure_init(module: str) -> dict[str, float]:
    started = clock()
    layer_setup()
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


def measure_first(module: str, order_id: str) -> dict[str, float]:
    """Init, then the first call that reaches DynamoDB: connection set-up, signing and the round trip.

    The bare module's first call is its table's get_item; ours is GET /orders/{id} through the
    handler (routing, validation, the same GetItem, the response model, the access line). The
    event and context are built here, not with service.local, so nothing the first call would
    import is imported ahead of it.
    """
    real_stdout, sink = sys.stdout, CountingSink()
    sys.stdout = sink
    try:
        started = clock()
        layer_setup()
        loaded = importlib.import_module(module)
        init_ms = (clock() - started) * 1000
        if hasattr(loaded, "handler"):
            event = json.loads(os.environ["BENCH_EVENT"])
            context = type(
                "Context",
                (),
                {
                    "function_name": "bench",
                    "function_version": "$LATEST",
                    "memory_limit_in_mb": 512,
                    "aws_request_id": "00000000-0000-4000-8000-000000000000",
                    "invoked_function_arn": "arn:aws:lambda:us-east-1:000000000000:function:bench",
                    "log_group_name": "/aws/lambda/bench",
                    "log_stream_name": "bench",
                    "get_remaining_time_in_millis": lambda self: 30_000,
                },
            )()

            def first_call() -> None:
                response = loaded.handler(event, context)
                assert response["statusCode"] == 200, response

        else:

            def first_call() -> None:
                assert loaded.table.get_item(Key={"order_id": order_id})["Item"]["order_id"] == order_id

        wall, started = time.perf_counter(), clock()
        first_call()
        first_ms, first_wall_ms = (clock() - started) * 1000, (time.perf_counter() - wall) * 1000
    finally:
        sys.stdout = real_stdout
    return {"init_ms": init_ms, "first_ms": first_ms, "first_wall_ms": first_wall_ms}


def main() -> None:
    os.environ.setdefault("TABLE_NAME", "bench")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    kind, module = sys.argv[1], sys.argv[2]
    if kind == "init":
        result = measure_init(module)
    elif kind == "first":
        result = measure_first(module, sys.argv[3])
    else:
        result = measure_warm(module, int(sys.argv[3]))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
