"""The CloudFront access-log queries read only fields the v2 delivery actually writes, and spell
them so Logs Insights can parse them (names with '-' or '(' in backticks)."""

from __future__ import annotations

import pytest

from observability import cloudfront_logs, queries
from observability.queries import SavedQuery
from tests.support import logsql

EDGE = queries.cloudfront_log_queries()


def unquoted_special_names(text: str) -> list[str]:
    """Identifiers with characters Logs Insights only accepts inside backticks."""
    out = []
    for cmd in logsql.commands(text):
        for kind, tok in logsql.tokens(cmd):
            if kind == "ident" and not tok.startswith("`") and "-" in tok:
                out.append(tok)
    return out


def problems(q: SavedQuery, delivered: tuple[str, ...]) -> list[str]:
    found = [f"{q.key}: reads {f!r}, not delivered" for f in sorted(logsql.read_fields(q.text) - set(delivered))]
    found += [f"{q.key}: {n} must be in backticks" for n in unquoted_special_names(q.text)]
    return found


def test_the_cloudfront_log_queries_exist() -> None:
    assert {q.key for q in EDGE} == {
        "edge-errors-by-result",
        "edge-origin-never-answered",
        "edge-top-error-paths",
        "edge-request-line",
        "edge-cache-by-path-pattern",
    }


def test_the_cache_query_counts_hits_per_cached_behaviour() -> None:
    """Per cached route: grouped by the behaviour CloudFront picked, the default (uncached) one left
    out, hits from the result type; the one field it adds to the delivery is a documented v2 field."""
    q = queries.get("edge-cache-by-path-pattern", "cloudfront_access_logs")
    assert logsql.read_fields(q.text) == {"cache-behavior-path-pattern", "x-edge-result-type"}
    assert "cache-behavior-path-pattern" in cloudfront_logs.DOCUMENTED_FIELDS
    stats = next(c for c in logsql.commands(q.text) if c.startswith("stats"))
    assert "by bin(5m) as period, `cache-behavior-path-pattern`" in " ".join(stats.split())
    for result_type in ("Hit", "Miss"):
        assert f'strcontains(`x-edge-result-type`, "{result_type}")' in stats
    (where,) = [c for c in logsql.commands(q.text) if c.startswith("filter")]
    assert f'`cache-behavior-path-pattern` != "{cloudfront_logs.DEFAULT_BEHAVIOUR_PATTERN}"' in where


def test_delivered_fields_are_documented_v2_fields_without_repeats() -> None:
    assert set(cloudfront_logs.RECORD_FIELDS) <= set(cloudfront_logs.DOCUMENTED_FIELDS)
    assert len(set(cloudfront_logs.RECORD_FIELDS)) == len(cloudfront_logs.RECORD_FIELDS)
    # What the issue asks an operator to see: time, result type, status, path, method, client IP,
    # request id, time taken, origin latency.
    assert {
        "timestamp", "x-edge-result-type", "x-edge-detailed-result-type", "sc-status", "cs-uri-stem",
        "cs-method", "c-ip", "x-edge-request-id", "time-taken", "origin-fbl", "origin-lbl",
    } <= set(cloudfront_logs.RECORD_FIELDS)  # fmt: skip
    # Never the ones that can carry credentials.
    assert not {"cs-uri-query", "cs(Cookie)"} & set(cloudfront_logs.RECORD_FIELDS)


@pytest.mark.parametrize("q", EDGE, ids=lambda q: q.key)
def test_edge_query_reads_only_delivered_fields(q: SavedQuery) -> None:
    assert logsql.read_fields(q.text), q.key
    assert not problems(q, cloudfront_logs.RECORD_FIELDS)


def test_the_check_fails_on_an_undelivered_or_unquoted_field() -> None:
    q = next(q for q in EDGE if q.key == "edge-top-error-paths")
    without = tuple(f for f in cloudfront_logs.RECORD_FIELDS if f != "cs-uri-stem")
    assert problems(q, without) == ["edge-top-error-paths: reads 'cs-uri-stem', not delivered"]
    bare = SavedQuery("bare", "Bare", q.text.replace("`sc-status`", "sc-status"))
    assert any("sc-status must be in backticks" in p for p in problems(bare, cloudfront_logs.RECORD_FIELDS))


def test_the_edge_and_function_lookups_share_the_request_id() -> None:
    # One id follows a request: the edge log's x-edge-request-id is the function's edge_request_id.
    edge_line = next(q for q in EDGE if q.key == "edge-request-line")
    function_line = next(q for q in queries.service_queries() if q.key == "edge-request-id")
    assert "x-edge-request-id" in logsql.read_fields(edge_line.text)
    assert "edge_request_id" in logsql.read_fields(function_line.text)
    assert "edge-request-id" in edge_line.text
    assert "edge-request-line" in function_line.text
