"""Logs Insights saved queries: plain text files here, loaded and generated for the CDK app.

Reviewable and pasteable: each ``*.query`` file is exactly what lands in the console (comments with
``#`` included). Per-route queries are rendered from ``route/*.query.tmpl`` and the route catalogue
at synth, so a new route gets its queries with no other edit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Literal

from service.catalogue import ROUTES, RouteSpec
from service.contract import SERVICE_NAME

QUERIES_DIR = Path(__file__).resolve().parent

# Which log group a query runs against: the function's log group (home region) or the WAF
# log group (us-east-1, next to the CLOUDFRONT-scoped web ACL).
LogSource = Literal["service", "waf"]


@dataclass(frozen=True)
class SavedQuery:
    """One saved query. ``key`` is stable: construct ids and dashboard links derive from it."""

    key: str  # e.g. "errors-by-route", "route-get_order-errors"
    title: str  # from the first comment line, shown in docs and on the dashboard header
    text: str
    source: LogSource
    route: RouteSpec | None = None

    def name(self, folder: str = SERVICE_NAME) -> str:
        """The saved-query name; the ``folder/`` prefix groups them in the console."""
        return f"{folder}/{self.key}"


def _title(text: str) -> str:
    # Convention: every query opens with "# <Title>: <what it shows>".
    first = text.splitlines()[0].lstrip("# ").strip()
    return first.split(": ", 1)[0]


def _load(path: Path, source: LogSource) -> SavedQuery:
    text = path.read_text(encoding="utf-8").strip() + "\n"
    return SavedQuery(key=path.stem.replace("_", "-"), title=_title(text), text=text, source=source)


def service_queries() -> list[SavedQuery]:
    """The hand-written service-wide queries (queries/service/*.query), sorted by key."""
    return [_load(p, "service") for p in sorted((QUERIES_DIR / "service").glob("*.query"))]


def waf_queries() -> list[SavedQuery]:
    """Queries over the WAF log group (deployed in us-east-1)."""
    return [_load(p, "waf") for p in sorted((QUERIES_DIR / "waf").glob("*.query"))]


def route_queries(routes: Iterable[RouteSpec] = ROUTES) -> list[SavedQuery]:
    """Per-route queries rendered from queries/route/*.query.tmpl: one of each template per route."""
    templates = sorted((QUERIES_DIR / "route").glob("*.query.tmpl"))
    out: list[SavedQuery] = []
    for route in routes:
        for tmpl_path in templates:
            kind = tmpl_path.name.removesuffix(".query.tmpl")
            # string.Template ($-placeholders) because the path templates themselves contain braces.
            text = Template(tmpl_path.read_text(encoding="utf-8")).substitute(
                label=route.label,
                name=route.name,
                percentile=route.slo.percentile_stat,
                latency_ms=route.slo.latency_ms,
            )
            text = text.strip() + "\n"
            out.append(
                SavedQuery(
                    key=f"route-{route.name}-{kind}",
                    title=_title(text),
                    text=text,
                    source="service",
                    route=route,
                )
            )
    return out


def query(key: str) -> SavedQuery:
    """A service or WAF query by key (e.g. ``recent-errors``)."""
    for q in service_queries() + waf_queries():
        if q.key == key:
            return q
    raise KeyError(key)
