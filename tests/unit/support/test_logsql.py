"""The Logs Insights field reader the contract test relies on."""

from __future__ import annotations

import pytest

from observability import queries
from service.catalogue import ROUTES
from tests.support import logsql


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('filter message = "access" | fields @timestamp, route', {"message", "route"}),
        ("stats count(*) as n by route, bin(5m) | sort n desc", {"route"}),
        ("stats pct(latency_ms, 99) as p99 by route | sort p99 desc", {"latency_ms", "route"}),
        ('# comment: ignored field_in_comment\nfilter level = "ERROR # not a comment"', {"level"}),
        ("fields latency_ms as ms | sort ms desc | limit 5", {"latency_ms"}),
        ("filter status >= 500 and not ispresent(exception) | display status", {"status", "exception"}),
        ("filter action = 'BLOCK' | stats count(*) by httpRequest.clientIp", {"action", "httpRequest.clientIp"}),
        ("filter @message like /timed out/ | fields `odd-name`", {"odd-name"}),
        # parse defines its named groups; reading them later reads no log field.
        ("parse @message /Restore Duration: (?<ms>[0-9.]+) ms/ | stats max(ms) by route", {"route"}),
        ("parse detail /(?<a>x)/ | filter ispresent(b)", {"detail", "b"}),
    ],
)
def test_read_fields(text: str, expected: set[str]) -> None:
    assert logsql.read_fields(text) == expected


def test_equality_literals() -> None:
    got = logsql.equality_literals('filter message = "access" and route = "GET /orders/{order_id}" and status >= 400')
    assert got == {logsql.Comparison("message", "access"), logsql.Comparison("route", "GET /orders/{order_id}")}


def test_every_query_file_parses_and_opens_with_a_title() -> None:
    route_queries = [q for r in ROUTES for q in queries.route_queries(r)]
    for q in (*queries.service_queries(), *queries.waf_queries(), *queries.cloudfront_log_queries(), *route_queries):
        assert q.text.startswith("# "), q.key
        assert q.title, q.key
        # tokenizes, and reads something of ours; a query of Lambda's own REPORT lines reads @-fields only
        assert logsql.read_fields(q.text) or '@type = "REPORT"' in q.text, q.key


def test_route_queries_are_generated_for_every_route_from_the_templates() -> None:
    kinds = {p.name.removesuffix(".query.tmpl") for p in (queries.QUERIES_DIR / "route").glob("*.query.tmpl")}
    assert kinds == {"errors", "slowest"}
    for r in ROUTES:
        generated = queries.route_queries(r)
        assert {q.key for q in generated} == {f"route-{r.name}-{k}" for k in kinds}
        for q in generated:
            assert f'route = "{r.label}"' in q.text
            assert "$" not in q.text
