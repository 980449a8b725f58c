"""Field indexes on the function's log group (observability.queries.INDEXED_FIELDS) against the saved
queries as deployed and the lines the handler really emits (the contract run, conftest ``telemetry``).

Logs Insights uses an index for `field = "value"` (or IN) on an indexed field: every lookup a query makes
by a value that picks out few events must be on an indexed field, and every indexed field must be one a
query looks up and the service emits (an index nobody queries, or on a field nobody writes, is noise)."""

from __future__ import annotations

from observability.queries import INDEXED_FIELDS
from tests.support import logsql
from tests.support.deployed import queries_read
from tests.support.synth import Synth
from tests.support.telemetry import Telemetry

# Equality filters on these select most of the log group (every access line, every INFO line): an index
# would not shrink the scan.
BROAD_FIELDS = frozenset({"message", "level", "method", "service"})


def equality_fields(texts: dict[str, str]) -> dict[str, set[str]]:
    """Field -> the queries that filter it with `= "literal"`."""
    out: dict[str, set[str]] = {}
    for key, text in texts.items():
        for cmp in logsql.equality_literals(text):
            if cmp.field.startswith("@"):  # CloudWatch's own fields (Lambda's REPORT lines), not ours
                continue
            out.setdefault(cmp.field, set()).add(key)
    return out


def test_every_selective_lookup_is_on_an_indexed_field(default_synth: Synth) -> None:
    looked_up = equality_fields(queries_read(default_synth))
    assert {"correlation_id", "edge_request_id", "route"} <= set(looked_up)
    unindexed = {f: sorted(q) for f, q in looked_up.items() if f not in BROAD_FIELDS and f not in INDEXED_FIELDS}
    assert not unindexed, f"queries look these fields up by value without an index: {unindexed}"


def test_every_indexed_field_is_emitted_and_named_exactly(telemetry: Telemetry) -> None:
    # Field names in an index policy are case-sensitive: a near miss indexes nothing.
    assert set(INDEXED_FIELDS) <= telemetry.fields, sorted(set(INDEXED_FIELDS) - telemetry.fields)
    assert len(INDEXED_FIELDS) <= 20  # CloudWatch's limit per policy


def test_indexed_fields_are_exactly_the_saved_queries_lookups(default_synth: Synth) -> None:
    """An index no saved query filters on only costs (xray_trace_id has its own: trace-id)."""
    looked_up = set(equality_fields(queries_read(default_synth))) - BROAD_FIELDS
    assert set(INDEXED_FIELDS) == looked_up
