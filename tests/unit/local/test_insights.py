"""Saved queries run locally (local/insights/ on DuckDB): every query on the function's log group runs,
and each result equals the one worked out here in plain Python from the same recorded events."""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from local import insights
from local.telemetry import log_event, platform_lines
from observability import queries
from service.catalogue import ROUTES

T0 = 494_445 * 3_600_000  # ms, a whole hour
LABELS = [r.label for r in ROUTES]


def recorded_log() -> list[dict[str, Any]]:
    """Access lines (mixed routes, statuses, latencies, cold starts, clients), an ERROR line, and
    Lambda's START / END / REPORT lines (Init Duration on cold starts), as the recorder writes them."""
    events: list[dict[str, Any]] = []
    for i in range(60):
        label = LABELS[i % len(LABELS)] if i % 11 else "NOT_FOUND"
        status = 503 if i % 7 == 0 else 404 if i % 5 == 0 else 200
        line: dict[str, Any] = {
            "level": "INFO",
            "message": "access",
            "route": label,
            "method": label.split(" ")[0] if label != "NOT_FOUND" else "GET",
            "status": status,
            "latency_ms": round(3 + (i * 37 % 101) / 3, 2),
            "correlation_id": f"c-{i}",
            "cold_start": i % 20 == 0,
            "Fault": int(status >= 500),
            "ClientError": int(400 <= status < 500),
            "xray_trace_id": f"1-{i}",
        }
        if status >= 500:
            line["error_kind"] = "dependency_throttled" if i % 2 else "bug"
        if i % 3 == 0:
            line["client_id"] = f"k{i % 2}"
        if i % 20 == 0:
            line["ColdStart"] = 1
        ts = T0 + i * 20_000  # every 20 s: 20 minutes in all
        start, end, report = platform_lines(f"r-{i}", 10 + i, 512, 90, 400.0 + i if i % 20 == 0 else None)
        events.append(log_event(start, "s", ts - 5))
        events.append(log_event(json.dumps(line), "s", ts))
        events.append(log_event(end, "s", ts + 1))
        events.append(log_event(report, "s", ts + 2))
    error = {"level": "ERROR", "message": "unhandled", "exception_name": "KeyError", "correlation_id": "c-7"}
    events.append(log_event(json.dumps(error), "s", T0 + 7 * 20_000 + 3))
    return events


@pytest.fixture(scope="module")
def log_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("logs") / "function-x.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in recorded_log()), encoding="utf-8")
    return path


def run(key: str, log_file: Path) -> insights.Result:
    return insights.run(insights.saved_query(key).text, [log_file])


def access() -> list[dict[str, Any]]:
    return [e for e in recorded_log() if e.get("message") == "access"]


def stamp(ms: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def nearest_rank(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


def num(v: float) -> float | int:
    return int(v) if float(v).is_integer() else round(v, 3)


def test_every_saved_query_on_the_function_log_group_runs(log_file: Path) -> None:
    keys = [q.key for q in queries.service_queries()] + [q.key for r in ROUTES for q in queries.route_queries(r)]
    for key in keys:
        result = run(key, log_file)
        assert result.columns, key


def test_errors_by_route(log_file: Path) -> None:
    counts = Counter((a["route"], a["status"]) for a in access() if a["status"] >= 400)
    expected = sorted(([r, s, n] for (r, s), n in counts.items()), key=lambda row: -row[2])
    got = run("errors-by-route", log_file)
    assert got.columns == ["route", "status", "errors"]
    # equal counts may come in any order (Logs Insights does not promise one either)
    assert sorted(got.rows, key=lambda r: (-r[2], r[0], r[1])) == sorted(expected, key=lambda r: (-r[2], r[0], r[1]))
    assert [r[2] for r in got.rows] == sorted((r[2] for r in got.rows), reverse=True)


def test_requests_by_route_and_status(log_file: Path) -> None:
    counts = Counter((a["route"], a["method"], a["status"]) for a in access())
    got = run("requests-by-route-and-status", log_file)
    assert got.columns == ["route", "method", "status", "requests"]
    assert {(r[0], r[1], r[2]): r[3] for r in got.rows} == dict(counts)


def test_faults_by_cause(log_file: Path) -> None:
    counts = Counter((a["route"], a["error_kind"]) for a in access() if a["status"] >= 500)
    got = run("faults-by-cause", log_file)
    assert {(r[0], r[1]): r[2] for r in got.rows} == counts


def test_latency_percentiles_by_route_in_5_minute_bins(log_file: Path) -> None:
    groups: dict[tuple[str, str], list[float]] = {}
    for a in access():
        ts = T0 + int(a["correlation_id"][2:]) * 20_000
        groups.setdefault((stamp(ts // 300_000 * 300_000), a["route"]), []).append(a["latency_ms"])
    got = run("latency-percentiles-by-route", log_file)
    assert got.columns == ["bin(5m)", "route", "requests", "p50_ms", "p90_ms", "p99_ms", "max_ms"]
    expected = {
        k: [len(v), num(nearest_rank(v, 50)), num(nearest_rank(v, 90)), num(nearest_rank(v, 99)), num(max(v))]
        for k, v in groups.items()
    }
    assert {(r[0], r[1]): r[2:] for r in got.rows} == expected
    assert [r[1] for r in got.rows] == sorted(r[1] for r in got.rows)  # sort route asc


def test_cold_starts_read_true_as_1(log_file: Path) -> None:
    cold = [a for a in access() if a["cold_start"]]
    got = run("cold-starts", log_file)
    assert sum(r[2] for r in got.rows) == len(cold) == 3


def test_init_durations_read_the_report_lines(log_file: Path) -> None:
    inits = [400.0 + i for i in range(60) if i % 20 == 0]
    got = run("init-durations", log_file)
    assert got.columns == ["bin(1h)", "cold_starts", "avg_init_ms", "p99_init_ms", "max_init_ms"]
    assert got.rows == [[stamp(T0), 3, num(sum(inits) / 3), num(max(inits)), num(max(inits))]]


def test_restore_durations_parse_nothing_without_snapstart(log_file: Path) -> None:
    assert run("restore-durations", log_file).rows == []


def test_slowest_requests_sorted_and_limited(log_file: Path) -> None:
    got = run("slowest-requests", log_file)
    latencies = sorted((a["latency_ms"] for a in access()), reverse=True)[:50]
    assert [float(r[3]) for r in got.rows] == latencies


def test_recent_errors_take_faults_and_error_lines(log_file: Path) -> None:
    got = run("recent-errors", log_file)
    faults = [a for a in access() if a["status"] >= 500]
    assert len(got.rows) == min(20, len(faults) + 1)
    assert "KeyError" in [r[got.columns.index("exception_name")] for r in got.rows]
    times = [r[0] for r in got.rows]
    assert times == sorted(times, reverse=True)


def test_requests_and_faults_by_client(log_file: Path) -> None:
    rows = run("requests-and-faults-by-client", log_file).rows
    by_client: dict[str, list[dict[str, Any]]] = {}
    for a in access():
        if "client_id" in a:
            by_client.setdefault(a["client_id"], []).append(a)
    assert {r[0]: r[1:4] for r in rows} == {
        c: [len(v), sum(a["Fault"] for a in v), sum(a["ClientError"] for a in v)] for c, v in by_client.items()
    }


def test_route_errors_query(log_file: Path) -> None:
    route = ROUTES[3]
    key = queries.route_query_key(route, "errors")
    got = run(key, log_file)
    expected = [a for a in access() if a["route"] == route.label and a["status"] >= 400]
    assert sorted(r[3] for r in got.rows) == sorted(a["correlation_id"] for a in expected)


@pytest.mark.parametrize(
    ("text", "construct"),
    [
        ("fields @message | dedup route", "command 'dedup'"),
        ("stats earliest(route)", "function earliest()"),
        ('parse @message "* ms" as a', "parse with a glob pattern"),
        ("fields route | sort", None),
    ],
)
def test_unsupported_syntax_names_the_construct(text: str, construct: str | None, log_file: Path) -> None:
    if construct is None:
        insights.run(text, [log_file])  # an empty sort is no sort
        return
    with pytest.raises(insights.Unsupported, match=construct.replace("(", r"\(").replace(")", r"\)")):
        insights.run(text, [log_file])


def test_an_unknown_key_lists_the_known_ones() -> None:
    with pytest.raises(KeyError, match="errors-by-route"):
        insights.saved_query("no-such-query")
