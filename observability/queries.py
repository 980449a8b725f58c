"""Logs Insights saved queries: the text files under ``queries/``, loaded into one registry.

Reviewable and pasteable: each ``queries/<log source>/*.query`` file is exactly what lands in the
console (``#`` comments included). Per-route queries are rendered from ``queries/route/*.query.tmpl``
and the route catalogue, so a new route gets its queries with no other edit. Playbooks and the
dashboard name queries by key; :func:`check_keys` rejects a key no file defines.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from string import Template

from observability.model import LOG_GROUPS, LogGroup, LogSource, Region
from service.catalogue import RouteSpec

QUERIES_DIR = Path(__file__).resolve().parents[1] / "queries"
# Field indexes of the function's log group (stacks/service_stack.py): the fields the saved queries find
# one request, one route or one trace by with `filter field = "value"`. Case-sensitive; at most 20.
INDEXED_FIELDS: tuple[str, ...] = ("correlation_id", "edge_request_id", "route", "xray_trace_id")


@dataclass(frozen=True)
class SavedQuery:
    """One saved query. ``key`` is stable: construct ids and dashboard links derive from it."""

    key: str  # e.g. "errors-by-route", "route-get_order-errors"
    title: str  # from the first comment line
    text: str
    log_group: LogGroup = "function"  # the log group it reads (and so its region)
    group: str | None = None  # deployed in this group's nested stack (a route's), None: its region's stack

    @property
    def region(self) -> Region:
        return LOG_GROUPS[self.log_group][0]

    def name(self, folder: str) -> str:
        """The saved-query name; the ``folder/`` prefix groups them in the console."""
        return f"{folder}/{self.key}"


def _title(text: str) -> str:
    # Convention: every query opens with "# <Title>: <what it shows>".
    first = text.splitlines()[0].lstrip("# ").strip()
    return first.split(": ", 1)[0]


# The files are read once per process: a plan asks for the same folders and templates many times
# (per log widget, per route, per key check), and the files do not change while it is built.
@functools.cache
def load(directory: str, log_group: LogGroup) -> tuple[SavedQuery, ...]:
    """The queries of one folder under queries/, sorted by key, each reading ``log_group``."""
    if not (QUERIES_DIR / directory).is_dir():  # a unit's queries are its folder: a missing one is a mistake
        raise FileNotFoundError(
            f"no folder queries/{directory}/ (observability.queries.load({directory!r}, ...)): create it, with one "
            "<key>.query file per saved query (its first line '# <Title>: <what it shows>')"
        )
    out = []
    for path in sorted((QUERIES_DIR / directory).glob("*.query")):
        text = path.read_text(encoding="utf-8").strip() + "\n"
        out.append(SavedQuery(key=path.stem.replace("_", "-"), title=_title(text), text=text, log_group=log_group))
    return tuple(out)


def service_queries() -> tuple[SavedQuery, ...]:
    """The hand-written queries over the function's log group (queries/service/), sorted by key."""
    return load("service", "function")


def waf_queries() -> tuple[SavedQuery, ...]:
    """Queries over the WAF log group (queries/waf/, deployed in us-east-1)."""
    return load("waf", "waf")


def cloudfront_log_queries() -> tuple[SavedQuery, ...]:
    """Queries over CloudFront's access log group (queries/cloudfront/, deployed in us-east-1); they
    read only the fields observability.cloudfront_logs delivers (a test holds them to it)."""
    return load("cloudfront", "cloudfront_access_logs")


@functools.cache
def route_query_kinds() -> tuple[str, ...]:
    """One per queries/route/<kind>.query.tmpl: each route gets a ``route-<name>-<kind>`` query."""
    return tuple(p.name.removesuffix(".query.tmpl") for p in sorted((QUERIES_DIR / "route").glob("*.query.tmpl")))


def route_query_key(route: RouteSpec | str, kind: str) -> str:
    return f"route-{route if isinstance(route, str) else route.name}-{kind}"


@functools.cache
def _route_template(kind: str) -> Template:
    # string.Template ($-placeholders) because the path templates themselves contain braces.
    return Template((QUERIES_DIR / "route" / f"{kind}.query.tmpl").read_text(encoding="utf-8"))


def route_queries(route: RouteSpec) -> tuple[SavedQuery, ...]:
    """The route's queries, rendered from queries/route/*.query.tmpl (deployed with its alarms)."""
    out = []
    for kind in route_query_kinds():
        text = _route_template(kind).substitute(
            label=route.label,
            name=route.name,
            percentile=route.slo.percentile_stat,
            latency_ms=route.slo.latency_ms,
        )
        text = text.strip() + "\n"
        out.append(SavedQuery(key=route_query_key(route, kind), title=_title(text), text=text, group=route.name))
    return tuple(out)


def get(key: str, source: LogSource = "function") -> SavedQuery:
    """A query by key for a dashboard log widget over ``source``: the function's log group
    (queries/service/, e.g. ``recent-errors``) or CloudFront's access logs (queries/cloudfront/)."""
    found, directory = (
        (cloudfront_log_queries(), "cloudfront")
        if source == "cloudfront_access_logs"
        else (service_queries(), "service")
    )
    for q in found:
        if q.key == key:
            return q
    raise KeyError(f"no saved query {key!r} under queries/{directory}/")


def check_keys(keys: Iterable[str], routes: Iterable[RouteSpec]) -> None:
    """Every key names a query that is deployed (service, WAF, CloudFront logs, or a route's); else ValueError."""
    known = {q.key for q in (*service_queries(), *waf_queries(), *cloudfront_log_queries())}
    known |= {route_query_key(r, kind) for r in routes for kind in route_query_kinds()}
    unknown = sorted(set(keys) - known)
    if unknown:
        raise ValueError(f"saved queries referenced but not defined under queries/: {unknown}")
