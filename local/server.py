"""Serve the API on localhost: `python -m service.local [--host H] [--port P]` (or `python -m local`).

A Function URL in miniature. Each HTTP request becomes a Lambda Function URL (payload 2.0) event and
goes through the very same `service.handler.handler` that runs in AWS, in one of up to N worker
processes that each handle one request at a time, as Lambda execution environments do; beyond N
the request is throttled (429). DynamoDB is moto in its own process, reached over HTTP by the real
boto3 client (DYNAMODB_ENDPOINT_URL= uses another endpoint), optionally through a fault-injecting
proxy (--dynamodb-faults). Logs and EMF go to stdout as in Lambda, one whole line at a time; the local
recording of them and the console run in a process of their own (local/recording.py).
Not part of the Lambda asset: nothing in service/ imports this package.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any

from local.emulator import DUMMY_CREDENTIALS, EmulatorProcess, ensure_table, is_local_endpoint, use_dummy_credentials
from local.events import REGION, TIMEOUT_MS
from local.fault_proxy import FaultProxy, FaultSpec
from local.frontend import FrontEnd
from local.lambda_faults import FaultFolder, invoke_with_faults
from local.output import LineWriter, log_event
from local.proc import server_memory
from local.recording import RecordingError, RecordingProcess
from local.telemetry import DEFAULT_DIR, RETENTION_S
from local.workers import Worker, WorkerError, WorkerPool
from service.environment import ENV_CORS_ALLOWED_ORIGINS
from settings.config import CDK_JSON, cdk_json_context, load_config

DEFAULT_TABLE = "orders-local"
# Without a reservation the function shares the account's pool; 10 is what new accounts get.
UNRESERVED_CONCURRENCY = 10


def configured_cors_origins(cdk_json: Path = CDK_JSON) -> str:
    """cors_allowed_origins as cdk.json sets it, as the CDK app passes it to the function (one source)."""
    return ",".join(load_config(cdk_json_context(cdk_json), environ={}).cors_allowed_origins)


def configured_concurrency(path: Path = CDK_JSON) -> tuple[int, str]:
    """(N, throttle reason) from `reserved_concurrency` as cdk.json sets it, as the deployed function has it."""
    try:
        reserved = load_config(cdk_json_context(path), environ={}).reserved_concurrency
    except (OSError, ValueError):  # an unreadable or invalid cdk.json: the synth says what is wrong
        reserved = None
    if reserved:
        return reserved, "ReservedFunctionConcurrentInvocationLimitExceeded"
    return UNRESERVED_CONCURRENCY, "ConcurrentInvocationLimitExceeded"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m service.local", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on, 0 for any free one (default 8000)")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=None,
        help="execution environments (concurrent requests) before throttling with 429; default: cdk.json's "
        f"reserved_concurrency, or {UNRESERVED_CONCURRENCY} when it is 0/null",
    )
    parser.add_argument(
        "--dynamodb-faults",
        default=os.environ.get("DYNAMODB_FAULTS", ""),
        metavar="SPEC",
        help="inject DynamoDB faults, e.g. throttle=0.2,error=0.1,delay_ms=300 (env DYNAMODB_FAULTS); "
        "see local/fault_proxy.py for every key",
    )
    parser.add_argument(
        "--console-port",
        type=int,
        default=8001,
        help="port of the local operations console (dashboard, alarms, queries), 0 for any free one (default 8001)",
    )
    parser.add_argument(
        "--telemetry-dir",
        type=Path,
        default=DEFAULT_DIR,
        help="where the local log group and metrics are recorded (default .local/, git-ignored)",
    )
    parser.add_argument(
        "--fis-config-dir",
        type=Path,
        default=None,
        help="folder polled for FIS Lambda faults, as the FIS extension polls S3 (default <telemetry dir>/fis; "
        "`make drill LOCAL=1` writes there; see local/lambda_faults.py)",
    )
    parser.add_argument(
        "--telemetry-hours",
        type=float,
        default=RETENTION_S / 3600,
        help=f"hours of logs and metrics kept, in memory and on disk (default {RETENTION_S // 3600})",
    )
    parser.add_argument(
        "--no-recording",
        dest="recording",
        action="store_false",
        help="record nothing under --telemetry-dir and serve no console: stdout only (the baseline `make load` "
        "compares the recording with)",
    )
    args = parser.parse_args(argv)
    try:
        args.faults = FaultSpec.parse(args.dynamodb_faults)
    except ValueError as exc:
        parser.error(f"--dynamodb-faults: {exc}")
    if args.concurrency is not None and args.concurrency < 1:
        parser.error("--concurrency must be at least 1")
    return args


# How long a thread holding the GIL runs before one waiting for it gets it (Python's default: 5 ms). The
# request path is many short GIL holds (front end, worker channel, relay); the recording and the console
# run in their own process now, and the longest hold left here is the shipper pickling a frame (about
# 1 ms at 1,000 requests/s): a relay thread behind it waits at most this long, not 5 ms.
SWITCH_INTERVAL_S = 0.0005


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    if args.concurrency:
        concurrency, reason = args.concurrency, "ReservedFunctionConcurrentInvocationLimitExceeded"
    else:
        concurrency, reason = configured_concurrency()

    os.environ.setdefault("AWS_DEFAULT_REGION", REGION)
    os.environ.setdefault("TABLE_NAME", DEFAULT_TABLE)
    os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "orders-api")
    os.environ.setdefault(ENV_CORS_ALLOWED_ORIGINS, configured_cors_origins())

    try:
        listener = socket.create_server((args.host, args.port), backlog=128)
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 2
    # The recording and its console run in a process of their own (local/recording.py), started now so
    # that it comes up while the emulator and the first worker do.
    recorder = (
        RecordingProcess(
            args.telemetry_dir,
            retention_s=args.telemetry_hours * 3600,
            host=args.host,
            console_port=args.console_port,
            table_name=os.environ["TABLE_NAME"],
            # Reserved (as cdk.json or --concurrency) or the account pool: the utilisation alarm exists only then.
            reserved_concurrency=concurrency if reason.startswith("Reserved") else None,
        )
        if args.recording
        else None
    )
    platform = recorder  # it observes what AWS would publish itself (PlatformMetrics's calls, replayed there)
    out = LineWriter(sys.stdout.fileno(), tap=recorder.server_line if recorder else None)
    sys.stdout.flush()
    sys.stdout = out  # every line of this process is whole too (print, telemetry)

    emulator: EmulatorProcess | None = None
    proxy: FaultProxy | None = None
    pool: WorkerPool | None = None
    try:
        upstream = os.environ.get("DYNAMODB_ENDPOINT_URL")
        if upstream:
            if is_local_endpoint(upstream) and not (
                os.environ.get("AWS_ACCESS_KEY_ID") or os.environ.get("AWS_PROFILE")
            ):
                os.environ.update(DUMMY_CREDENTIALS)  # DynamoDB Local & co. need some credentials, not real ones
        else:
            emulator = EmulatorProcess()
            upstream = emulator.url
            use_dummy_credentials(os.environ)
        ensure_table(os.environ["TABLE_NAME"], upstream)
        # The proxy runs even without faults when recording: it is where DynamoDB's metrics are observed.
        # Without either, the workers call DynamoDB directly (one HTTP hop less per call).
        endpoint = upstream
        if platform or args.faults.active:
            proxy = FaultProxy(upstream, args.faults, observer=platform.dynamodb_call if platform else None).start()
            endpoint = proxy.url
        pool = WorkerPool(
            concurrency,
            WorkerPool.environment({"DYNAMODB_ENDPOINT_URL": endpoint}),
            out,
            TIMEOUT_MS / 1000 + 1,
            log=recorder.function_line if recorder else None,
        )
        first = pool.acquire()  # one environment up front: init errors show now, not on the first request
        if first:
            pool.release(first)
        console_url = recorder.ready() if recorder else None
    except RecordingError as exc:
        print(exc, file=sys.stderr)
        _shutdown(listener, None, pool, proxy, emulator)
        return 2
    except (WorkerError, RuntimeError, OSError) as exc:
        print(f"cannot start: {exc}", file=sys.stderr)
        _shutdown(listener, None, pool, proxy, emulator)
        _close(recorder)
        return 2

    from service.telemetry import emit_access_line  # the function's own access line, for refusals

    lambda_faults = FaultFolder(args.fis_config_dir or args.telemetry_dir / "fis", log=log_event)
    frontend = FrontEnd(
        listener,
        pool,
        invoke=lambda worker, event, request_id: _invoke(worker, event, request_id, pool, platform, lambda_faults),
        access_log=emit_access_line,
        throttle_reason=reason,
        observer=platform,
    )
    stop = threading.Event()
    # Ctrl-C and SIGTERM (a process manager) both stop cleanly, even when the shell started us in
    # the background with SIGINT ignored.
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    threading.Thread(target=frontend.serve_forever, daemon=True).start()
    host, port = listener.getsockname()[:2]
    faults = f", faults: {args.faults.describe()}" if args.faults.active else ""
    print(
        f"orders-api listening on http://{host}:{port} (DynamoDB: {upstream}{faults}; concurrency {concurrency})",
        flush=True,
    )
    if console_url:
        print(
            f"console on {console_url} (dashboard, alarms, saved queries; telemetry in {args.telemetry_dir})",
            flush=True,
        )
    else:
        print("recording off (--no-recording): no console, nothing written to --telemetry-dir", flush=True)
    while not stop.wait(1.0):
        pass
    memory = server_memory(os.getpid())
    _shutdown(listener, frontend, pool, proxy, emulator)
    _close(recorder)
    log_event("INFO", "local server memory at exit", **memory)
    print("orders-api stopped", flush=True)
    return 0


def _invoke(
    worker: Worker,
    event: dict[str, Any],
    request_id: str,
    pool: WorkerPool,
    platform: RecordingProcess | None,
    faults: FaultFolder,
) -> dict[str, Any]:
    started, concurrent = time.perf_counter(), pool.busy() if platform else 0
    error = True
    try:
        hit = faults.pick()  # a drill's Lambda fault, applied around the handler as the FIS extension does
        for action, fault in hit.items():
            log_event(
                "INFO", "lambda fault injected", action=action, experiment=fault.experiment, request_id=request_id
            )
        result = invoke_with_faults(hit, lambda t: worker.invoke(event, request_id, t), pool.timeout_s)
        error = False
        return result
    finally:
        if platform:  # recording off (--no-recording): nothing observed
            platform.invoked((time.perf_counter() - started) * 1000, error=error, concurrent=concurrent)


def _close(recorder: RecordingProcess | None) -> None:
    if recorder:
        recorder.close()  # what was handed over is recorded before the recording process ends


def _shutdown(
    listener: socket.socket,
    frontend: FrontEnd | None,
    pool: WorkerPool | None,
    proxy: FaultProxy | None,
    emulator: EmulatorProcess | None,
) -> None:
    if frontend:
        frontend.stop()
    else:
        listener.close()
    if pool:
        pool.close()  # workers' remaining output is relayed before they are gone
    if proxy:
        proxy.stop()
    if emulator:
        emulator.stop()
