"""Run a saved query over the recorded log files and present rows as Logs Insights prints them."""

# ruff: noqa: S608 - this module's job is writing SQL; queries are the project's own, run on local files

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from local.insights.translate import to_sql
from observability import queries
from service.catalogue import ROUTES


@dataclass
class Result:
    columns: list[str]
    rows: list[list[Any]]

    def as_dict(self) -> dict[str, Any]:
        return {"columns": self.columns, "rows": self.rows}

    def table(self) -> str:
        cells = [self.columns, *[["" if v is None else str(v) for v in row] for row in self.rows]]
        widths = [max(len(r[i]) for r in cells) for i in range(len(self.columns))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines)


def run(text: str, files: Sequence[Path], *, start_ms: int | None = None, end_ms: int | None = None) -> Result:
    """Run a query over recorded log files (JSON lines), optionally within [start_ms, end_ms)."""
    import duckdb

    if not files:
        return Result(*_columns(text), [])
    listed = ", ".join("'" + str(f).replace("'", "''") + "'" for f in files)
    where = []
    if start_ms is not None:
        where.append(f"CAST(json ->> '$.\"@timestamp\"' AS BIGINT) >= {int(start_ms)}")
    if end_ms is not None:
        where.append(f"CAST(json ->> '$.\"@timestamp\"' AS BIGINT) < {int(end_ms)}")
    source = f"(SELECT json AS r FROM read_ndjson_objects([{listed}])" + (
        f" WHERE {' AND '.join(where)}) AS src" if where else ") AS src"
    )
    sql, described = to_sql(text, source)
    columns = [d.split("\t")[0] for d in described]
    kinds = [d.split("\t")[1] for d in described]
    with duckdb.connect() as con:
        fetched = con.execute(sql).fetchall()
    return Result(columns, [[_present(v, k) for v, k in zip(row, kinds, strict=True)] for row in fetched])


def _columns(text: str) -> tuple[list[str]]:
    _, described = to_sql(text, "(SELECT NULL::JSON AS r) AS src")
    return ([d.split("\t")[0] for d in described],)


# A JSON number as text: JSON writes no leading zeros, so "000123" was a string (an id) and stays text.
_NUMBER = re.compile(r"-?(0|[1-9]\d*)(\.\d+)?")


def _present(value: Any, kind: str) -> Any:
    """Values as Logs Insights prints them: times as 'YYYY-MM-DD HH:MM:SS.mmm', whole numbers without .0."""
    if value is None:
        return None
    if kind == "time":
        return datetime.fromtimestamp(int(value) / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    if kind == "text" and isinstance(value, str) and _NUMBER.fullmatch(value):
        value = float(value)  # a JSON number read as text: shown as the number
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, float):
        return round(value, 3)
    return value


def saved_query(key: str) -> queries.SavedQuery:
    """A saved query on the function's log group by key: queries/service/ or a route's (route-<name>-<kind>)."""
    found = {q.key: q for q in queries.service_queries()}
    found |= {q.key: q for r in ROUTES for q in queries.route_queries(r)}
    if key not in found:
        raise KeyError(f"no saved query {key!r} on the function's log group; known: {', '.join(sorted(found))}")
    return found[key]
