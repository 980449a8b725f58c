"""Side-by-side benchmark of the service against baselines, all measured in one run.

1. Cold init: import time of service.handler vs a bare module that imports boto3 and creates
   the table resource, each in fresh interpreters, rounds interleaved. Target: ours <= 1.0x (issue 11).
2. Warm per-request cost on GET /health (no I/O), in-process: bare handler, docs-style
   Powertools handler, ours. Target: (ours - bare) <= 0.7 x (docs-style - bare).
3. Log bytes per request (access line + EMF) for that GET, with a Lambda-style X-Ray trace id
   in the environment so the line is as long as in AWS. Target: <= 700 bytes.
4. First request on a DynamoDB route after init (GET /orders/{id}: connection set-up, signing and
   the GetItem round trip included) vs the bare module's first call (its table's get_item), against
   a moto server on loopback started by this process, and init + first request together.
5. Cold start per tracing mode (the deploy option `tracing`), in a Lambda-like environment: xray
   (Powertools' Tracer imports the X-Ray SDK), otel (the distro's SDK set up as AWS's layer sets it
   up: fast start, and the full SDK that Application Signals needs) and off, each against the same
   bare baseline. Target: otel <= xray.
6. The asset's bytecode (asset/bytecode.py): cold init with service/ compiled from source, as
   Lambda does without it, vs loaded from the bytecode compiled the way the asset is.

Machines are shared and noisy: times are CPU time of the measuring process (not wall time),
every figure is a median over interleaved rounds, and only ratios measured in the same run are
compared. Nothing here is asserted in the test suite.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from asset.bytecode import compile_package
from service.tracing import ENV_TRACING_MODE

ROOT = Path(__file__).resolve().parents[1]
TRACE_ID = "Root=1-6740b2a3-5d9f0f2d8e7b4a1c9e3f2a10;Parent=53995c3f42cd8ad8;Sampled=1"
INIT_TARGET, WARM_TARGET, BYTES_TARGET = 1.0, 0.7, 700
OTEL_TARGET = 1.0  # otel's cold start over xray's

# Lambda-like: LAMBDA_TASK_ROOT set, so Powertools enables its Tracer (xray imports the X-Ray SDK) as in AWS.
LAMBDA_LIKE = {"LAMBDA_TASK_ROOT": str(ROOT), "AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR"}
# What the distro layer's otel-instrument script and the stack set (stacks/service_stack.tracing_environment).
OTEL_LAYER = LAMBDA_LIKE | {
    ENV_TRACING_MODE: "otel",
    "AWS_LAMBDA_FUNCTION_NAME": "orders-api-api",
    "ORIG_HANDLER": "service.handler.handler",
    "OTEL_SERVICE_NAME": "orders-api",
    "OTEL_PROPAGATORS": "baggage,xray,tracecontext",
    "OTEL_METRICS_EXPORTER": "none",
    "OTEL_LOGS_EXPORTER": "none",
    "OTEL_AWS_APPLICATION_SIGNALS_RUNTIME_ENABLED": "false",
}
# The layer's default OTEL_PYTHON_DISABLED_INSTRUMENTATIONS for its full SDK path, plus aws-lambda (the wrapper's).
LAYER_DISABLED = (
    "aio-pika,aiohttp-client,aiohttp-server,aiopg,asgi,asyncio,asyncpg,boto,boto3,cassandra,celery,confluent_kafka,"
    "dbapi,django,falcon,fastapi,flask,grpc_client,grpc_server,grpc_aio_client,grpc_aio_server,httpx,jinja2,kafka,"
    "logging,mysql,mysqlclient,pika,psycopg,psycopg2,pymemcache,pymongo,pymysql,pyramid,redis,remoulade,requests,"
    "sklearn,sqlalchemy,sqlite3,starlette,system_metrics,threading,tornado,tortoiseorm,wsgi,openai_agents,"
    "aws_openai_agents,aws_crewai,aws_langchain,aws_mcp,aws_llama-index,aws-lambda"
)
TRACING_MODES: dict[str, dict[str, str]] = {
    "xray": LAMBDA_LIKE,
    "otel (fast start: the kit's otel)": OTEL_LAYER
    | {
        "BENCH_OTEL": "fast",
        "OTEL_AWS_LAMBDA_FAST_START": "true",
        "OTEL_AWS_APPLICATION_SIGNALS_ENABLED": "false",
        "OTEL_PYTHON_DISABLED_INSTRUMENTATIONS": "requests,urllib3",
    },
    "otel + application_signals (full SDK)": OTEL_LAYER
    | {
        "BENCH_OTEL": "full",
        "OTEL_AWS_APPLICATION_SIGNALS_ENABLED": "true",
        "OTEL_PYTHON_DISTRO": "aws_distro",
        "OTEL_PYTHON_CONFIGURATOR": "aws_configurator",
        "OTEL_PYTHON_DISABLED_INSTRUMENTATIONS": LAYER_DISABLED,
    },
    "off": LAMBDA_LIKE | {ENV_TRACING_MODE: "off"},
}


def compiled_service() -> Path:
    """A copy of service/ with bytecode compiled as the function's asset is (this interpreter's version)."""
    folder = Path(tempfile.mkdtemp(prefix="bench-asset-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    shutil.copytree(ROOT / "service", folder / "service", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    if not compile_package(folder / "service", version):
        raise SystemExit(f"bench: cannot compile service/ for {version}")
    return folder


def child(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT) -> dict[str, float]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("POWERTOOLS_", "LAMBDA_TASK_ROOT"))}
    # Lambda puts the role's credentials in the environment; without them botocore's credential chain
    # would probe the container and instance-metadata endpoints at client creation, on both sides.
    base |= {
        "TABLE_NAME": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
        "_X_AMZN_TRACE_ID": TRACE_ID,
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",  # dummy: nothing here reaches AWS
        "AWS_SESSION_TOKEN": "bench",
    }
    # cwd comes first on sys.path: a compiled copy of service/ there shadows the repository's.
    base["PYTHONPATH"] = str(ROOT)
    out = subprocess.run(
        [sys.executable, "-m", "bench.child", *args],
        cwd=cwd,
        env=base | (env or {}),
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def start_emulator() -> tuple[object, dict[str, str], str]:
    """A DynamoDB emulator (moto) on loopback with the bench table and one order in it.

    Its environment (endpoint, dummy credentials as Lambda provides them) goes to the first-request
    children only, so the cold-init rows are measured exactly as before.
    """
    import boto3

    from local.emulator import start_moto
    from service.dal.tables import default_idempotency_table, table_definitions

    server, endpoint = start_moto(0)
    env = {
        "DYNAMODB_ENDPOINT_URL": endpoint,  # ours
        "AWS_ENDPOINT_URL_DYNAMODB": endpoint,  # the bare module's boto3.resource("dynamodb") reads this
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",  # dummy: the emulator accepts any
    }
    dynamodb = boto3.resource(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )
    orders, _ = table_definitions("bench", default_idempotency_table("bench"))  # the GET reads orders only
    table = dynamodb.create_table(**orders)
    order_id = "0123456789abcdef0123456789abcdef"
    table.put_item(
        Item={
            "order_id": order_id,
            "customer_id": "bench",
            "currency": "EUR",
            "items": [{"sku": "SKU-1", "quantity": 2, "unit_price_cents": 250}],
            "total_cents": 500,
            "status": "CREATED",
            "created_at": "2026-01-01T00:00:00.000Z",
        }
    )
    return server, env, order_id


def function_url_get(path: str) -> str:
    """A Function URL (payload 2.0) GET event, as JSON for the child."""
    return json.dumps(
        {
            "version": "2.0",
            "routeKey": "$default",
            "rawPath": path,
            "rawQueryString": "",
            "headers": {"accept": "application/json", "user-agent": "bench", "host": "localhost"},
            "requestContext": {
                "accountId": "anonymous",
                "apiId": "bench",
                "domainName": "localhost",
                "domainPrefix": "localhost",
                "http": {
                    "method": "GET",
                    "path": path,
                    "protocol": "HTTP/1.1",
                    "sourceIp": "127.0.0.1",
                    "userAgent": "bench",
                },
                "requestId": "00000000-0000-4000-8000-000000000000",
                "routeKey": "$default",
                "stage": "$default",
                "time": "01/Jan/2026:00:00:00 +0000",
                "timeEpoch": 1767225600000,
            },
            "isBase64Encoded": False,
        }
    )


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds per measurement")
    parser.add_argument("--requests", type=int, default=5000, help="warm requests per round")
    args = parser.parse_args()

    # "ours (Lambda-like)" is the xray mode below: informational, the target is for the plain import.
    lambda_like = LAMBDA_LIKE
    asset = compiled_service()
    init: dict[str, list[float]] = {"bare": [], "ours": [], "bytecode": [], **{m: [] for m in TRACING_MODES}}
    for _ in range(args.rounds):
        init["bare"].append(child("init", "bench.bare_init")["init_ms"])
        init["ours"].append(child("init", "service.handler")["init_ms"])
        for mode, env in TRACING_MODES.items():
            init[mode].append(child("init", "service.handler", env=env)["init_ms"])
        init["bytecode"].append(child("init", "service.handler", env=lambda_like, cwd=asset)["init_ms"])
    bare_init, ours_init = statistics.median(init["bare"]), statistics.median(init["ours"])
    lambda_init = statistics.median(init["xray"])

    modules = {
        "bare": "bench.bare_handler",
        "docs-style": "bench.docs_style_handler",
        "docs-style + validation": "bench.docs_validated_handler",
        "ours": "service.handler",
    }
    warm: dict[str, list[dict[str, float]]] = {name: [] for name in modules}
    for _ in range(max(3, args.rounds // 2)):
        for name, module in modules.items():
            warm[name].append(child("warm", module, str(args.requests)))
    us = {name: statistics.median(r["us_per_request"] for r in runs) for name, runs in warm.items()}
    log_bytes = {name: statistics.median(r["log_bytes_per_request"] for r in runs) for name, runs in warm.items()}
    log_lines = {name: statistics.median(r["log_lines_per_request"] for r in runs) for name, runs in warm.items()}
    ours_overhead, docs_overhead = us["ours"] - us["bare"], us["docs-style"] - us["bare"]

    server, ddb_env, order_id = start_emulator()
    ddb_env["BENCH_EVENT"] = function_url_get(f"/orders/{order_id}")
    first: dict[str, list[dict[str, float]]] = {"bare": [], "ours": [], **{m: [] for m in TRACING_MODES}}
    try:
        for _ in range(args.rounds):
            first["bare"].append(child("first", "bench.bare_init", order_id, env=ddb_env))
            first["ours"].append(child("first", "service.handler", order_id, env=ddb_env))
            for mode, env in TRACING_MODES.items():
                first[mode].append(child("first", "service.handler", order_id, env=ddb_env | env))
    finally:
        server.stop()  # type: ignore[attr-defined]  # server is the local server when this branch runs

    def med(name: str, key: str) -> float:
        return statistics.median(r[key] for r in first[name])

    def med_total(name: str) -> float:
        return statistics.median(r["init_ms"] + r["first_ms"] for r in first[name])

    init_ratio = ours_init / bare_init
    warm_ratio = ours_overhead / docs_overhead
    print(f"Benchmark ({args.rounds} interleaved rounds, Python {sys.version.split()[0]}, median CPU times)\n")
    print("| measurement | baseline | ours | ratio | target | result |")
    print("|---|---|---|---|---|---|")
    print(
        f"| cold init: import (ms) | bare boto3 + table: {bare_init:.0f} | {ours_init:.0f} "
        f"| {init_ratio:.2f}x | <= {INIT_TARGET}x | {verdict(init_ratio <= INIT_TARGET)} |"
    )
    print(
        f"| warm overhead over bare handler (us/request) | docs-style Powertools: {docs_overhead:.0f} "
        f"| {ours_overhead:.0f} | {warm_ratio:.2f}x | <= {WARM_TARGET}x | {verdict(warm_ratio <= WARM_TARGET)} |"
    )
    print(
        f"| log bytes per GET (access line + EMF) | docs-style: {log_bytes['docs-style']:.0f} in "
        f"{log_lines['docs-style']:.0f} lines | {log_bytes['ours']:.0f} in {log_lines['ours']:.0f} line "
        f"| {log_bytes['ours'] / log_bytes['docs-style']:.2f}x | <= {BYTES_TARGET} B "
        f"| {verdict(log_bytes['ours'] <= BYTES_TARGET)} |"
    )
    print(
        f"| supplementary: cold init with tracing on (Lambda-like env, X-Ray SDK imported) (ms) "
        f"| {bare_init:.0f} | {lambda_init:.0f} | {lambda_init / bare_init:.2f}x | - | - |"
    )
    validated_overhead = us["docs-style + validation"] - us["bare"]
    print(
        f"| supplementary: same, against docs-style with enable_validation (us/request) "
        f"| {validated_overhead:.0f} | {ours_overhead:.0f} | {ours_overhead / validated_overhead:.2f}x | - | - |"
    )
    bare_first, ours_first = med("bare", "first_ms"), med("ours", "first_ms")
    print(
        f"| first request on a DynamoDB route after init (ms) | bare get_item: {bare_first:.1f} "
        f"| GET /orders/{{id}}: {ours_first:.1f} | {ours_first / bare_first:.2f}x | - | - |"
    )
    bare_total, ours_total, lambda_total = med_total("bare"), med_total("ours"), med_total("xray")
    print(
        f"| init + first DynamoDB request (ms) | {bare_total:.0f} | {ours_total:.0f} "
        f"| {ours_total / bare_total:.2f}x | - | - |"
    )
    print(
        f"| supplementary: same, Lambda-like env (tracing on) (ms) | {bare_total:.0f} | {lambda_total:.0f} "
        f"| {lambda_total / bare_total:.2f}x | - | - |"
    )
    print("\nWarm cost per request (us): " + ", ".join(f"{k} {v:.0f}" for k, v in us.items()))
    print(
        "First DynamoDB request, wall clock (ms, emulator on loopback): "
        + ", ".join(f"{k} {med(k, 'first_wall_ms'):.1f}" for k in first)
        + f"; CPU, Lambda-like: {med('xray', 'first_ms'):.1f}"
    )

    print(f"\nCold start per tracing mode (Lambda-like environment, Python {sys.version.split()[0]}, median CPU ms)\n")
    print("| tracing | cold init | x bare | init + first DynamoDB request | x bare |")
    print("|---|---|---|---|---|")
    print(f"| bare boto3 + table (baseline) | {bare_init:.0f} | 1.00x | {bare_total:.0f} | 1.00x |")
    for mode in TRACING_MODES:
        mode_init, mode_total = statistics.median(init[mode]), med_total(mode)
        print(
            f"| {mode} | {mode_init:.0f} | {mode_init / bare_init:.2f}x | {mode_total:.0f} "
            f"| {mode_total / bare_total:.2f}x |"
        )
    otel = next(m for m in TRACING_MODES if m.startswith("otel ("))
    otel_ratio = med_total(otel) / med_total("xray")
    print(
        f"\notel over xray, init + first request: {otel_ratio:.2f}x (target <= {OTEL_TARGET}x: "
        f"{verdict(otel_ratio <= OTEL_TARGET)}); cold init alone: "
        f"{statistics.median(init[otel]) / statistics.median(init['xray']):.2f}x"
    )
    from_source, from_bytecode = statistics.median(init["xray"]), statistics.median(init["bytecode"])
    compile_ms = compile_cost(asset / "service")
    print(
        f"Bytecode: compiling service/ costs {compile_ms:.1f} ms CPU per cold start without it (compile() of "
        f"every module, median of 15); cold init (xray, Lambda-like) from source {from_source:.0f} ms, from "
        f"the asset's bytecode {from_bytecode:.0f} ms ({from_source - from_bytecode:+.0f} ms: within this "
        "machine's round-to-round noise when smaller than the compile cost)"
    )


def compile_cost(package: Path) -> float:
    """CPU ms to compile every module of the function (what a cold start without bytecode pays)."""
    sources = [(str(p), p.read_text(encoding="utf-8")) for p in sorted(package.rglob("*.py"))]
    samples = []
    for _ in range(15):
        started = time.process_time()
        for name, text in sources:
            compile(text, name, "exec", dont_inherit=True)
        samples.append((time.process_time() - started) * 1000)
    return statistics.median(samples)


if __name__ == "__main__":
    main()
