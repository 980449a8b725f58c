"""`make query Q=<saved-query key>`: run a saved Logs Insights query over the local log group.

The local log group is what `make run` recorded under .local/logs/ (local.telemetry); the query is the
saved query's own text (queries/service/*.query, or a route's from queries/route/*.query.tmpl), run by
local.insights on DuckDB. Prints the result table, or JSON with --format json (make query FORMAT=json).

`make query` alone lists every key (exit 0). Queries for one request (correlation-id, edge-request-id) take the id
with --id (make query Q=correlation-id ID=...); --minutes (MINUTES=) keeps the last N minutes. WAF and
CloudFront queries read log groups that exist only in us-east-1: they are named, with no local source.
Any error exits 2 with one line on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from local.insights import Unsupported, run, saved_query
from local.recording import catch_up
from local.telemetry import DEFAULT_DIR, log_files
from observability import queries
from service.catalogue import ROUTES

PLACEHOLDER = "REPLACE_ME"  # the saved queries' stand-in for one request's id


def listing() -> str:
    """Every key `make query` takes, and the saved queries it cannot run here."""
    service = [q.key for q in queries.service_queries()]
    kinds = queries.route_query_kinds()
    routes = [f"  {queries.route_query_key(r, '<kind>')}  ({r.label})" for r in ROUTES]
    lines = [
        "Saved queries over the function's log group (make query Q=<key>):",
        *(f"  {k}{'  (needs ID=<id>)' if PLACEHOLDER in saved_query(k).text else ''}" for k in service),
        f"Per route, <kind> one of {', '.join(kinds)}:",
        *routes,
        "No local source (their log groups exist only in us-east-1, in AWS):",
        *(f"  {q.key}  (WAF logs)" for q in queries.waf_queries()),
        *(f"  {q.key}  (CloudFront access logs)" for q in queries.cloudfront_log_queries()),
    ]
    return "\n".join(lines)


def _edge_source(key: str) -> str | None:
    if key in {q.key for q in queries.waf_queries()}:
        return "the WAF log group"
    if key in {q.key for q in queries.cloudfront_log_queries()}:
        return "CloudFront's access log group"
    return None


def with_id(text: str, key: str, request_id: str | None) -> str:
    """The query with its placeholder replaced by ``request_id`` (a Logs Insights string literal)."""
    if PLACEHOLDER not in text:
        if request_id is not None:
            raise ValueError(f"{key} takes no id: drop ID=")
        return text
    if request_id is None:
        raise ValueError(f"{key} is about one request: give its id, make query Q={key} ID=<id>")
    if not request_id or any(c in request_id for c in '"\\\n\r'):
        raise ValueError(f"ID={request_id!r}: an id is a non-empty string without quotes or backslashes")
    return text.replace(PLACEHOLDER, request_id)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.query", description=__doc__.splitlines()[0])
    parser.add_argument("key", nargs="?", help="saved-query key, e.g. errors-by-route (none: list them)")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument("--id", dest="request_id", help="the id a one-request query looks for (correlation-id, ...)")
    parser.add_argument("--telemetry-dir", type=Path, default=DEFAULT_DIR, help="default .local/")
    parser.add_argument("--minutes", type=float, default=None, help="only the last N minutes (default: all kept)")
    args = parser.parse_args(argv)
    if not args.key:
        print(listing())
        return 0
    if args.minutes is not None and not args.minutes > 0:
        print(f"MINUTES={args.minutes:g}: give a number of minutes above 0", file=sys.stderr)
        return 2
    edge = _edge_source(args.key)
    if edge:
        print(f"{args.key}: no local source: it reads {edge}, which exists only in us-east-1 (in AWS)", file=sys.stderr)
        return 2
    try:
        query = saved_query(args.key)
        text = with_id(query.text, args.key, args.request_id)
    except KeyError:
        print(f"no saved query {args.key!r}: `make query` lists them", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    catch_up(args.telemetry_dir)  # a running server's recording parses lazily: have it record up to now
    files = log_files(args.telemetry_dir)
    start = int((time.time() - args.minutes * 60) * 1000) if args.minutes else None
    try:
        result = run(text, files, start_ms=start)
    except Unsupported as exc:
        print(f"{args.key}: unsupported Logs Insights syntax: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # DuckDB's errors (a bad regex, ...): one line, not a traceback
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"{args.key}: the query failed: {first}", file=sys.stderr)
        return 2
    if args.format == "json":
        print(json.dumps(result.as_dict(), indent=1, default=str))
    else:
        span = f"the last {args.minutes:g} min" if args.minutes else "all kept"
        print(f"# {query.title} ({len(result.rows)} rows, {span}, {len(files)} log files in {args.telemetry_dir})")
        print(result.table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
