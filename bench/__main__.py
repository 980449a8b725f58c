"""Side-by-side benchmark of the service against baselines, all measured in one run.

1. Cold init: import time of service.handler vs a bare module that imports boto3 and creates
   the table resource, each in fresh interpreters, rounds interleaved. Target: ours <= 1.3x.
2. Warm per-request cost on GET /health (no I/O), in-process: bare handler, docs-style
   Powertools handler, ours. Target: (ours - bare) <= 0.7 x (docs-style - bare).
3. Log bytes per request (access line + EMF) for that GET, with a Lambda-style X-Ray trace id
   in the environment so the line is as long as in AWS. Target: <= 700 bytes.

Machines are shared and noisy: times are CPU time of the measuring process (not wall time),
every figure is a median over interleaved rounds, and only ratios measured in the same run are
compared. Nothing here is asserted in the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRACE_ID = "Root=1-6740b2a3-5d9f0f2d8e7b4a1c9e3f2a10;Parent=53995c3f42cd8ad8;Sampled=1"
INIT_TARGET, WARM_TARGET, BYTES_TARGET = 1.3, 0.7, 700


def child(*args: str, env: dict[str, str] | None = None) -> dict[str, float]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("POWERTOOLS_", "LAMBDA_TASK_ROOT"))}
    base |= {"TABLE_NAME": "bench", "AWS_DEFAULT_REGION": "us-east-1", "_X_AMZN_TRACE_ID": TRACE_ID}
    out = subprocess.run(
        [sys.executable, "-m", "bench.child", *args],
        cwd=ROOT,
        env=base | (env or {}),
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds per measurement")
    parser.add_argument("--requests", type=int, default=5000, help="warm requests per round")
    args = parser.parse_args()

    # "ours (Lambda-like)": LAMBDA_TASK_ROOT set, so Powertools enables the Tracer and the X-Ray SDK
    # is imported, as it is in AWS; informational, the target is for the plain import.
    lambda_like = {"LAMBDA_TASK_ROOT": str(ROOT), "AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR"}
    init: dict[str, list[float]] = {"bare": [], "ours": [], "ours-lambda": []}
    for _ in range(args.rounds):
        init["bare"].append(child("init", "bench.bare_init")["init_ms"])
        init["ours"].append(child("init", "service.handler")["init_ms"])
        init["ours-lambda"].append(child("init", "service.handler", env=lambda_like)["init_ms"])
    bare_init, ours_init = statistics.median(init["bare"]), statistics.median(init["ours"])
    lambda_init = statistics.median(init["ours-lambda"])

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
    print("\nWarm cost per request (us): " + ", ".join(f"{k} {v:.0f}" for k, v in us.items()))


if __name__ == "__main__":
    main()
