"""The route catalogue: the one place a route is declared.

Each route is declared once, with what operations needs to watch it: method, path template,
a short name and its SLO. The resolver registers its routes from here (service/routes/), and the
dashboards, alarms, saved queries and RUNBOOK are generated from here too. This module must stay
free of heavy imports: the CDK app and the dashboard builders import it.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

# The label every unmatched request gets, whatever its path or method. Metric cardinality is
# therefore bounded by the catalogue plus this one value.
NOT_FOUND = "NOT_FOUND"

# A path parameter in a catalogue path: one whole segment, e.g. {order_id}.
_PARAMETER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Slo:
    """What "healthy" means for a route: a latency target at a percentile, and availability."""

    latency_ms: int
    latency_percentile: float  # e.g. 99.0 for p99
    availability: float  # fraction of requests that must not fault (5xx), e.g. 0.999

    def __post_init__(self) -> None:
        if self.latency_ms <= 0:
            raise ValueError(f"latency_ms must be positive, got {self.latency_ms}")
        if not 50.0 <= self.latency_percentile < 100.0:
            raise ValueError(f"latency_percentile must be in [50, 100), got {self.latency_percentile}")
        if not 0.9 <= self.availability < 1.0:
            raise ValueError(f"availability must be in [0.9, 1), got {self.availability}")

    @property
    def percentile_stat(self) -> str:
        """The CloudWatch statistic name for the latency percentile, e.g. ``p99``."""
        return f"p{self.latency_percentile:g}"

    @property
    def error_budget(self) -> float:
        """The fraction of requests allowed to fault, e.g. 0.001 for 99.9 %."""
        return round(1.0 - self.availability, 10)


# One day: an API answer cached longer than that is configuration, not caching.
MAX_CACHE_TTL_S = 86_400
# Methods whose request body has meaning (RFC 9110): only these may declare ``takes_body``.
_BODY_METHODS = ("POST", "PUT", "PATCH")
_QUERY_KEY = re.compile(r"[A-Za-z0-9_.-]{1,64}")


@dataclass(frozen=True)
class CacheRule:
    """Edge caching of a route's 2xx answers: CloudFront keeps them ``ttl_s`` seconds, keyed on the
    path and ``query_keys`` only (never cookies, ``Authorization`` or the API key). The function
    sends the matching ``Cache-Control`` and CloudFront's cache behaviour is generated from it."""

    ttl_s: int
    query_keys: tuple[str, ...] = ()  # every query parameter the route reads, and nothing else

    def __post_init__(self) -> None:
        if not 1 <= self.ttl_s <= MAX_CACHE_TTL_S:
            raise ValueError(f"cache ttl_s must be in [1, {MAX_CACHE_TTL_S}], got {self.ttl_s}")
        if any(not _QUERY_KEY.fullmatch(k) for k in self.query_keys) or len(set(self.query_keys)) != len(
            self.query_keys
        ):
            raise ValueError(f"cache query_keys must be distinct parameter names, got {self.query_keys}")

    @property
    def cache_control(self) -> str:
        """The Cache-Control of a 2xx answer (errors are ``no-store``)."""
        return f"public, max-age={self.ttl_s}"


@dataclass(frozen=True)
class RouteSpec:
    """One HTTP route as operations sees it."""

    name: str  # short snake_case id, used for construct ids, query file names and alarm names
    method: str
    path: str  # path template as the resolver declares it, e.g. /orders/{order_id}
    summary: str
    slo: Slo
    cache: CacheRule | None = None  # edge caching (GET only, never with per_caller)
    # The answer depends on who calls (API key, client id, cookies): a shared cache would hand one
    # caller's data to another, so such a route can never declare ``cache``.
    per_caller: bool = False
    # The route reads a JSON request body. Such a body is checked before anything parses it
    # (service/request_body.py: 413, then 415 unless application/json, then 400 unless UTF-8 JSON), and
    # service/routes/ holds the handler to it: it must declare a Body parameter exactly when this is set.
    takes_body: bool = False
    # The path split once into literal text and parameter names (literal, name, literal, ...):
    # the resolver rule and the path matcher are both built from it.
    _parts: tuple[str, ...] = field(init=False, repr=False, compare=False)
    _matcher: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        parts = tuple(_PARAMETER.split(self.path))
        # "^...$" with match(), a parameter being one non-empty segment: how the resolver matches paths.
        pattern = "".join(re.escape(p) if i % 2 == 0 else "[^/]+" for i, p in enumerate(parts))
        object.__setattr__(self, "_parts", parts)
        object.__setattr__(self, "_matcher", re.compile(f"^{pattern}$"))

    @property
    def label(self) -> str:
        """The route label in logs, metric dimensions and trace annotations."""
        return f"{self.method} {self.path}"

    @property
    def rule(self) -> str:
        """The path in the resolver's rule syntax: /orders/{order_id} is /orders/<order_id>."""
        return "".join(p if i % 2 == 0 else f"<{p}>" for i, p in enumerate(self._parts))

    def matches(self, path: str) -> bool:
        """Whether a raw request path fits this route's template (whatever the method)."""
        return self._matcher.match(path) is not None

    def filled(self, value: str) -> str:
        """The path with every parameter replaced by ``value``: ``*`` gives CloudFront's path pattern."""
        return "".join(p if i % 2 == 0 else value for i, p in enumerate(self._parts))


ROUTES: tuple[RouteSpec, ...] = (
    RouteSpec(
        name="health",
        method="GET",
        path="/health",
        summary="Liveness: answers without touching DynamoDB.",
        slo=Slo(latency_ms=100, latency_percentile=99, availability=0.999),
    ),
    RouteSpec(
        name="create_order",
        method="POST",
        path="/orders",
        summary="Create an order from a validated JSON body; 201 with Location.",
        slo=Slo(latency_ms=300, latency_percentile=99, availability=0.999),
        takes_body=True,
    ),
    RouteSpec(
        name="list_orders",
        method="GET",
        path="/orders",
        summary="List orders, a page at a time, with an opaque cursor.",
        slo=Slo(latency_ms=300, latency_percentile=99, availability=0.999),
    ),
    RouteSpec(
        name="get_order",
        method="GET",
        path="/orders/{order_id}",
        summary="Fetch one order by id.",
        slo=Slo(latency_ms=200, latency_percentile=99, availability=0.999),
    ),
    RouteSpec(
        name="delete_order",
        method="DELETE",
        path="/orders/{order_id}",
        summary="Delete one order by id.",
        slo=Slo(latency_ms=200, latency_percentile=99, availability=0.999),
    ),
    RouteSpec(
        name="orders_summary",
        method="GET",
        path="/orders/summary",
        summary="Heavy by design: scans the whole table; totals per currency and top customers.",
        slo=Slo(latency_ms=2000, latency_percentile=90, availability=0.99),
        # The same totals for every caller, and a full table scan per miss: 30 s at the edge turns a
        # burst of dashboards polling it into one scan per edge location and half minute.
        cache=CacheRule(ttl_s=30),
    ),
)

ROUTES_BY_NAME: dict[str, RouteSpec] = {r.name: r for r in ROUTES}
ROUTES_BY_LABEL: dict[str, RouteSpec] = {r.label: r for r in ROUTES}
ROUTE_LABELS: frozenset[str] = frozenset(r.label for r in ROUTES)


def label_for(method: str, path_template: str) -> str:
    """Map a resolver match to its bounded label; anything outside the catalogue is NOT_FOUND."""
    label = f"{method.upper()} {path_template}"
    return label if label in ROUTE_LABELS else NOT_FOUND


def route_for(method: str, path: str) -> RouteSpec | None:
    """The catalogue route a raw method and path resolve to, as the resolver picks it: a path without
    parameters wins over a template (GET /orders/summary is not GET /orders/{order_id})."""
    candidates = [r for r in ROUTES if r.method == method.upper() and r.matches(path)]
    return min(candidates, key=lambda r: len(r._parts), default=None)


def allowed_methods(path: str) -> list[str]:
    """The methods the catalogue serves on a raw path, sorted (empty when no template fits)."""
    return sorted({r.method for r in ROUTES if r.matches(path)})


def check_catalogue(routes: tuple[RouteSpec, ...]) -> None:
    """Raise ValueError on a catalogue mistake; runs on ROUTES at import, and on any other route set."""
    names = [r.name for r in routes]
    labels = [r.label for r in routes]
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate route names in catalogue: {names}")
    if len(set(labels)) != len(labels):
        raise ValueError(f"duplicate method+path in catalogue: {labels}")
    for r in routes:
        if not r.name.isidentifier() or r.name != r.name.lower():
            raise ValueError(f"route name must be a lower-case identifier: {r.name!r}")
        if not r.path.startswith("/"):
            raise ValueError(f"route path must start with '/': {r.path!r}")
        literals = r._parts[::2]
        stray_brace = any(char in "{}" for literal in literals for char in literal)
        inside_segment = any(not a.endswith("/") or b[:1] not in ("", "/") for a, b in itertools.pairwise(literals))
        if stray_brace or inside_segment:
            raise ValueError(f"route path parameters must be whole {{identifier}} names: {r.path!r}")
        if not isinstance(r.slo, Slo):
            raise ValueError(f"route {r.name} has no SLO")
        if r.cache is not None and (r.method != "GET" or r.per_caller):
            # Only a GET answer that is the same for every caller may sit in a shared cache.
            raise ValueError(f"route {r.name}: only GET routes without per-caller data may declare cache")
        if r.takes_body and r.method not in _BODY_METHODS:
            raise ValueError(f"route {r.name}: only {'/'.join(_BODY_METHODS)} routes may take a body")


check_catalogue(ROUTES)
