"""CloudFront cache behaviours for the catalogue's cached routes, in an order that is proven safe.

CDK-free (the fast tests and the config read it). CloudFront matches a request path against the
cache behaviours *in list order* and uses the first match (the default behaviour last), with ``*``
standing for any run of characters, ``/`` included, and ``?`` for exactly one. A route's template
``/orders/{order_id}`` becomes the pattern ``/orders/*``, which also matches ``/orders/summary``:
the more specific pattern must come first, and no cached pattern may capture another GET route
whose cache rule differs. :func:`cache_behaviours` orders them and refuses a catalogue where that
cannot hold, so a wrong precedence fails synth instead of caching the wrong answers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from service.catalogue import CacheRule, RouteSpec


@dataclass(frozen=True)
class CacheBehaviour:
    path_pattern: str
    route: RouteSpec

    @property
    def rule(self) -> CacheRule:
        assert self.route.cache is not None  # noqa: S101 (only cached routes get a behaviour)
        return self.route.cache


def path_pattern(route: RouteSpec) -> str:
    """The CloudFront path pattern for a route's template: each parameter segment becomes ``*``."""
    return route.filled("*")


@cache
def _glob(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern), re.DOTALL)


def cloudfront_matches(pattern: str, path: str) -> bool:
    """CloudFront's path-pattern match (case-sensitive, whole path)."""
    return _glob(pattern).fullmatch(path) is not None


def example_path(route: RouteSpec) -> str:
    """A concrete request path for the route (each parameter filled with a plain value)."""
    return route.filled("p1")


def served_by(behaviours: Sequence[CacheBehaviour], path: str) -> CacheBehaviour | None:
    """The behaviour CloudFront picks for a path: the first that matches (None: the default one)."""
    return next((b for b in behaviours if cloudfront_matches(b.path_pattern, path)), None)


def _specificity(route: RouteSpec) -> tuple[int, int, str]:
    pattern = path_pattern(route)
    # Fewer wildcards first, then longer literal text: /orders/summary before /orders/*.
    return (pattern.count("*"), -len(pattern.replace("*", "")), pattern)


def cache_behaviours(routes: Sequence[RouteSpec]) -> tuple[CacheBehaviour, ...]:
    """One behaviour per cached path pattern, most specific first; raises if any GET route of the
    catalogue would be served by a behaviour whose cache rule is not its own."""
    cached = sorted((r for r in routes if r.cache is not None), key=_specificity)
    behaviours: list[CacheBehaviour] = []
    for r in cached:
        pattern = path_pattern(r)
        if any(b.path_pattern == pattern for b in behaviours):
            raise ValueError(f"cached routes share the CloudFront path pattern {pattern!r}: {r.name}")
        behaviours.append(CacheBehaviour(pattern, r))
    result = tuple(behaviours)
    for r in routes:
        if r.method != "GET":  # CloudFront caches only GET/HEAD answers; other methods pass through
            continue
        chosen = served_by(result, example_path(r))
        got = chosen.route.cache if chosen else None
        if got != r.cache:
            where = f"pattern {chosen.path_pattern!r} ({chosen.route.name})" if chosen else "the default behaviour"
            raise ValueError(
                f"GET {r.path} ({r.name}) would be served by {where} at the edge, with cache rule {got} instead of "
                f"{r.cache}: give it a cache rule of its own or change the paths"
            )
    return result
