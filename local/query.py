"""`make query Q=<saved-query key>`: run a saved Logs Insights query over the local log group.

The local log group is what `make run` recorded under .local/logs/ (local.telemetry); the query is the
saved query's own text (queries/service/*.query, or a route's from queries/route/*.query.tmpl), run by
local.insights on DuckDB. Prints the result table, or JSON with --format json (make query FORMAT=json).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from local.insights import Unsupported, run, saved_query
from local.telemetry import DEFAULT_DIR, log_files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.query", description=__doc__.splitlines()[0])
    parser.add_argument("key", help="saved-query key, e.g. errors-by-route, route-get_order-errors")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument("--telemetry-dir", type=Path, default=DEFAULT_DIR, help="default .local/")
    parser.add_argument("--minutes", type=float, default=None, help="only the last N minutes (default: all kept)")
    args = parser.parse_args(argv)
    try:
        query = saved_query(args.key)
    except KeyError as exc:
        print(exc.args[0], file=sys.stderr)
        return 2
    files = log_files(args.telemetry_dir)
    start = int((time.time() - args.minutes * 60) * 1000) if args.minutes else None
    try:
        result = run(query.text, files, start_ms=start)
    except Unsupported as exc:
        print(f"{args.key}: unsupported Logs Insights syntax: {exc}", file=sys.stderr)
        return 2
    if args.format == "json":
        print(json.dumps(result.as_dict(), indent=1, default=str))
    else:
        print(f"# {query.title} ({len(result.rows)} rows, {len(files)} log files in {args.telemetry_dir})")
        print(result.table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
