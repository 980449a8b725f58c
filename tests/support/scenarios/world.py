"""A small model of the deployed API that turns "what happens to requests" into the per-minute metrics
AWS and the service publish, for the offline alarm evaluator (observability/simulator).

Every viewer request goes CloudFront -> WAF -> (edge function) -> Function URL -> function, and each
stage may answer it instead of the next one. Per minute, the model counts where each request ends and
publishes what each service publishes for that: CloudFront Requests and error rates (us-east-1), WAF
Allowed/Blocked, the URL's UrlRequestCount/Url4xxCount/Url5xxCount, Lambda Invocations/Errors/Throttles/
ConcurrentExecutions, the service's EMF (Requests, Latency, Fault, ClientError under {service} and
{service, route}) and DynamoDB's throttle and system-error counters. Sparse counters are published only
in minutes where they are non-zero, as AWS does, so the alarms' FILL and missing-data choices matter.

The edge cache: a cached route's (service/catalogue.py ``cache``) viewer requests that pass WAF and the
viewer-request function are answered from CloudFront's cache unless they miss. Model (deliberately
simple): each of ``EDGE_LOCATIONS`` edge locations fetches the answer once per TTL, so a minute sends
the origin ``min(requests, ceil(60 / TTL) x EDGE_LOCATIONS)`` misses; an answer that is not a 2xx is
not cached (the function sends ``no-store`` on errors, the policy's min TTL is 0), so while a share
``f`` of the origin's answers fail, the misses grow to ``ceil(fills / (1 - f))`` (every request, when
everything fails). Hits count in CloudFront's Requests (as 2xx) and nowhere else: no URL request, no
invocation, no EMF.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from observability.simulator.series import Sample, Scenario, Series
from service.catalogue import NOT_FOUND, RouteSpec
from service.dal.tables import DYNAMODB_OPERATIONS

FUNCTION = "FUNCTION"  # the FunctionName the alarms watch (tests/scenarios/conftest maps the token)
NEW_FUNCTION = "FUNCTION-REPLACED"  # a replacement's new name, which no alarm reads
TABLE = "TABLE"
DISTRIBUTION = "DISTRIBUTION"
CANARY = "CANARY"  # the canary's CanaryName unless World.canary_name says otherwise
ANY = "*"


@dataclass(frozen=True)
class Minute:
    """What happens to the requests of one minute. Shares apply in request order: WAF, the edge
    function, the origin connection, the URL's own refusals, throttling, then the function."""

    per_route: int = 10  # viewer requests per catalogue route
    route_requests: Mapping[str, int] = field(default_factory=dict)  # route name -> viewer requests (else per_route)
    not_found: int = 2  # requests for unknown paths (404 from the function)
    client_errors: int = 1  # per route: 4xx answered by the function (404, 422)
    unsigned: int = 1  # POSTs without x-amz-content-sha256: 403 from the URL (a client mistake)
    waf_blocked: float = 0.0  # share blocked by WAF (403 from CloudFront)
    edge_refused: float = 0.0  # share refused by the viewer-request function (401/403 from CloudFront)
    origin_unreachable: float = 0.0  # share CloudFront cannot deliver (502 from CloudFront)
    edge_5xx: int = 0  # of `lone_5xx_route`'s requests: 502s from CloudFront itself (a reset origin connection)
    lone_5xx_route: str = "list_orders"
    url_refused: float = 0.0  # share the URL refuses (403: permission/OAC)
    throttled: float = 0.0  # share throttled (429 from the URL)
    crashed: float = 0.0  # share whose invocation fails (crash, init error): 502 from the URL
    timeout_routes: frozenset[str] = frozenset()  # routes whose invocations may time out (502 from the URL)
    timeout_share: float = 1.0  # share of those routes' invocations that time out
    fault_share: float = 0.0  # share of answered requests on `fault_routes` that the function answers 500
    fault_routes: frozenset[str] = frozenset()
    faults: Mapping[str, int] = field(default_factory=dict)  # route name -> a fixed number of 500s this minute
    latency_ms: Mapping[str, float] = field(default_factory=dict)  # route name -> latency; default SLO/4
    slow_requests: int = 0  # requests per route at 3x the SLO (a cold start, a big page)
    slow: Mapping[str, int] = field(default_factory=dict)  # route name -> slow requests (else slow_requests)
    # The slow requests are the cold starts: each publishes InitDuration (the service's init, which its
    # latency includes), this many ms.
    init_ms: float = 600.0
    read_throttles: int = 0  # DynamoDB ReadThrottleEvents
    write_throttles: int = 0  # DynamoDB WriteThrottleEvents
    system_errors: int = 0  # DynamoDB SystemErrors per operation
    concurrency: int | None = None  # ConcurrentExecutions override (throttling: the reserved value)
    claimed: int | None = None  # ClaimedAccountConcurrency override (account throttling: the limit)
    function_name: str = FUNCTION  # where AWS/Lambda metrics go (a replacement publishes under a new name)
    # False: no request reaches CloudFront at all (DNS, certificate, a disabled distribution): viewers get a
    # connection error, nothing publishes a metric, and only the canary's failed runs are recorded.
    reachable: bool = True
    canary_runs: bool = True  # False: the canary does not run (stopped, or its runtime cannot start)
    # False: the service's requests are served but publish no EMF (metrics disabled, a log format that drops
    # the `_aws` block): AWS's own metrics carry on.
    emf: bool = True


QUIET = Minute(per_route=0, not_found=0, client_errors=0, unsigned=0)
CANARY_EVERY = 5  # minutes between canary runs (observability/units/canary.py RATE_MINUTES)
# Runs at minutes 2, 7, 12, ...: a failure starting at START (a multiple of 5) meets the canary 2 minutes
# in, midway through its 5-minute cycle (where in the cycle a failure starts moves its page by up to 5 min).
CANARY_PHASE = 2
CANARY_TIMEOUT_MS = 10_000  # a failed request's wait, at most (canary/python/api_canary.py)
# Edge locations the API's callers reach (an internal API: a few offices or egress points). Regional
# edge caches would merge their misses further; without them the origin sees more misses, not fewer.
EDGE_LOCATIONS = 3
OTHER_FUNCTIONS_CLAIM = 200  # ClaimedAccountConcurrency of the rest of the account (reservations, other functions)
TIMEOUT_MS = 10_000
HISTORY_MINUTES = (
    6 * 60 + 15
)  # a failure row's history before its first hour (World._history): a 6 h window and its lag
HISTORY_DAYS = 3  # the budget-leak window's inputs' (observability/units/service_wide.py failure_share)
LEAK_INPUTS = {("AWS/Lambda", n) for n in ("UrlRequestCount", "Url5xxCount", "Throttles")}


def _take(n: int, share: float) -> int:
    return min(n, round(n * share))


def origin_requests(requests: int, ttl_s: int, failing_share: float) -> int:
    """How many of a cached route's requests in a minute miss the edge cache (module docstring)."""
    if failing_share >= 1:
        return requests
    fills = math.ceil(60 / ttl_s) * EDGE_LOCATIONS
    return min(requests, math.ceil(fills / (1 - failing_share)))


def _failing_share(x: Minute, route: str) -> float:
    """The share of a route's origin requests that get no cacheable (2xx) answer this minute."""
    ok = 1.0
    for share in (x.origin_unreachable, x.url_refused, x.throttled, x.crashed):
        ok *= 1 - share
    if route in x.timeout_routes:
        ok *= 1 - x.timeout_share
    if route in x.fault_routes:
        ok *= 1 - x.fault_share
    return 1 - ok


@dataclass
class World:
    routes: tuple[RouteSpec, ...]
    service: str
    timeline: Callable[[int], Minute]
    minutes: int
    web_acl: str = ANY
    # The outside-in canary's targets (route names), empty without it: a run every CANARY_EVERY minutes.
    canary: tuple[str, ...] = ()
    canary_name: str = CANARY
    # The days before minute 0 (the failure rows): the first hour's metrics again (World._history).
    history: bool = False
    _data: dict[tuple[str, str, tuple[tuple[str, str], ...]], dict[int, list[float]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )

    def put(self, ns: str, name: str, dims: Mapping[str, str], minute: int, *values: float) -> None:
        self._data[(ns, name, tuple(sorted(dims.items())))][minute].extend(values)

    def count(self, ns: str, name: str, dims: Mapping[str, str], minute: int, value: float) -> None:
        """A sparse AWS counter: published only when non-zero."""
        if value:
            self.put(ns, name, dims, minute, value)

    def run(self) -> Scenario:
        # The canary runs whatever the traffic: it ran before the scenario's first minute too.
        if not self.history:
            for m in range(-CANARY_EVERY, 0):
                self._canary_run(m, self.timeline(0))
        for m in range(self.minutes):
            self._minute(m, self.timeline(m))
        scn = Scenario(end=self.minutes)
        for (ns, name, dims), per_minute in self._data.items():
            samples = {m: Sample.of(v) for m, v in per_minute.items() if v}
            if self.history:
                samples = self._history(ns, name, samples) | samples
            scn.add(ns, name, dict(dims), Series(samples))
        return scn

    def _history(self, namespace: str, name: str, samples: Mapping[int, Sample]) -> dict[int, Sample]:
        """The days before minute 0: the first hour (the background, before any failure) published again and
        again, AWS/Lambda's counters for HISTORY_DAYS (the budget-leak window), every other metric for
        HISTORY_MINUTES (the longest other window is 6 h). Windows are then judged at their real length."""
        minutes = HISTORY_DAYS * 1440 if (namespace, name) in LEAK_INPUTS else HISTORY_MINUTES
        return {m: samples[m % 60] for m in range(-minutes, 0) if m % 60 in samples}

    def _canary_run(self, m: int, x: Minute) -> tuple[str, ...]:
        """A canary run (every CANARY_EVERY minutes): CloudWatchSynthetics SuccessPercent (100, or 0 when a
        request fails) and Duration under {CanaryName}, published for every run, failed ones included.
        Returns the routes its requests reach CloudFront on (they are traffic like any other's)."""
        if not self.canary or m % CANARY_EVERY != CANARY_PHASE or not x.canary_runs:
            return ()
        ok = x.reachable and all(_canary_request_ok(x, route) for route in self.canary)
        dims = {"CanaryName": self.canary_name}
        self.put("CloudWatchSynthetics", "SuccessPercent", dims, m, 100.0 if ok else 0.0)
        self.put("CloudWatchSynthetics", "Duration", dims, m, 800.0 if ok else CANARY_TIMEOUT_MS)
        return self.canary if x.reachable else ()

    def _minute(self, m: int, x: Minute) -> None:
        called = self._canary_run(m, x)
        if not x.reachable:
            return
        cf = {"DistributionId": ANY, "Region": "Global"}
        fn = {"FunctionName": x.function_name}
        svc = {"service": self.service}
        counts = {r.name: x.route_requests.get(r.name, x.per_route) for r in self.routes} | {NOT_FOUND: x.not_found}
        for route in called:
            counts[route] += 1
        viewer = sum(counts.values())
        if not viewer:
            return
        specs = {r.name: r for r in self.routes}
        cf4 = cf5 = url = url4 = url5 = invocations = errors = throttles = timeouts = 0
        blocked_total = 0
        emf: dict[str, list[tuple[float, int, int]]] = defaultdict(list)  # route -> (latency, fault, client)
        cold: dict[str, int] = defaultdict(int)  # route -> cold starts (its slow requests)
        for route, n in counts.items():
            blocked = _take(n, x.waf_blocked)
            refused_edge = _take(n - blocked, x.edge_refused)
            spec = specs.get(route)
            if spec is not None and spec.cache is not None:  # hits: a 2xx from CloudFront, nothing else
                passed = n - blocked - refused_edge
                n -= passed - origin_requests(passed, spec.cache.ttl_s, _failing_share(x, route))
            unreachable = _take(n - blocked - refused_edge, x.origin_unreachable)
            if route == x.lone_5xx_route:
                unreachable = min(n - blocked - refused_edge, unreachable + x.edge_5xx)
            blocked_total += blocked
            cf4 += blocked + refused_edge
            cf5 += unreachable
            reach = n - blocked - refused_edge - unreachable
            url += reach
            refused = _take(reach, x.url_refused)
            throttled = _take(reach - refused, x.throttled)
            url4 += refused + throttled
            throttles += throttled
            invoked = reach - refused - throttled
            invocations += invoked
            timed_out = _take(invoked, x.timeout_share) if route in x.timeout_routes else 0
            crashed = timed_out or _take(invoked, x.crashed)
            errors += crashed
            timeouts += timed_out
            url5 += crashed
            answered = invoked - crashed
            slo = spec.slo.latency_ms if spec else 100
            latency = x.latency_ms.get(route, slo / 4)
            faults = _take(answered, x.fault_share) if route in x.fault_routes else 0
            faults = min(answered, faults + x.faults.get(route, 0))
            clients = answered if route == NOT_FOUND else min(answered - faults, x.client_errors)
            slow = min(x.slow.get(route, x.slow_requests), answered - faults - clients)
            cold[route] += slow
            for i in range(answered):
                fault, client = int(i < faults), int(faults <= i < faults + clients)
                lat = slo * 3 if faults + clients <= i < faults + clients + slow else latency
                emf[route].append((lat, fault, client))
            url4 += clients
            url5 += faults
        # The unsigned POSTs: refused by the URL (403) like a missing permission, and a viewer 4xx.
        unsigned = x.unsigned if url else 0
        url += unsigned
        url4 += unsigned
        viewer += unsigned
        cf4 += url4
        cf5 += url5
        # CloudFront (us-east-1): Requests and per-minute error rates, published while it has requests.
        self.put("AWS/CloudFront", "Requests", cf, m, viewer)
        self.put("AWS/CloudFront", "4xxErrorRate", cf, m, 100 * cf4 / viewer)
        self.put("AWS/CloudFront", "5xxErrorRate", cf, m, 100 * cf5 / viewer)
        waf = {"WebACL": self.web_acl, "Rule": "ALL"}
        self.count("AWS/WAFV2", "AllowedRequests", waf, m, viewer - blocked_total)
        self.count("AWS/WAFV2", "BlockedRequests", waf, m, blocked_total)
        # Function URL and Lambda (home region), under the function's current name.
        self.count("AWS/Lambda", "UrlRequestCount", fn, m, url)
        self.count("AWS/Lambda", "Url4xxCount", fn, m, url4)
        self.count("AWS/Lambda", "Url5xxCount", fn, m, url5)
        if invocations or throttles:
            # Lambda publishes Errors and Throttles (0 included) with its invocation metrics.
            # Invoked through an alias (snap_start), Lambda also publishes them per alias (Resource=fn:alias).
            for dims in (fn, fn | {"Resource": ANY}):
                self.put("AWS/Lambda", "Invocations", dims, m, invocations)
                self.put("AWS/Lambda", "Errors", dims, m, errors)
                self.put("AWS/Lambda", "Throttles", dims, m, throttles)
            busy_ms = sum(lat for rows in emf.values() for lat, _, _ in rows) + TIMEOUT_MS * timeouts
            concurrent = x.concurrency or max(1, math.ceil(busy_ms / 60_000 * 3))  # peaks above the mean
            self.put("AWS/Lambda", "ConcurrentExecutions", fn, m, concurrent)
            self.put("AWS/Lambda", "ClaimedAccountConcurrency", {}, m, x.claimed or concurrent + OTHER_FUNCTIONS_CLAIM)
        # The service's EMF: one value per answered request, under {service} and {service, route}.
        labels = {r.name: r.label for r in self.routes} | {NOT_FOUND: NOT_FOUND}
        for route, rows in emf.items():
            if not rows or not x.emf:
                continue
            for dims in (svc, svc | {"route": labels[route]}):
                self.put("OrdersApi", "Requests", dims, m, *(1 for _ in rows))
                self.put("OrdersApi", "Latency", dims, m, *(lat for lat, _, _ in rows))
                self.put("OrdersApi", "Fault", dims, m, *(f for _, f, _ in rows))
                self.put("OrdersApi", "ClientError", dims, m, *(c for _, _, c in rows))
                self.put("OrdersApi", "InitDuration", dims, m, *(x.init_ms for _ in range(cold[route])))
        # DynamoDB: counters only when they happen.
        table = {"TableName": TABLE}
        self.count("AWS/DynamoDB", "ReadThrottleEvents", table, m, x.read_throttles)
        self.count("AWS/DynamoDB", "WriteThrottleEvents", table, m, x.write_throttles)
        for op in DYNAMODB_OPERATIONS:
            self.count("AWS/DynamoDB", "SystemErrors", table | {"Operation": op}, m, x.system_errors)


def _canary_request_ok(x: Minute, route: str) -> bool:
    """Whether the canary's one request on ``route`` gets a 2xx this minute: a single request falls in a
    share of the minute's requests when that share is at least one half (what ``_take(1, share)`` gives),
    in the order viewers' requests meet them. Sparse fixed faults (``faults``) hit viewers' requests."""
    hit = lambda share: _take(1, share) == 1  # noqa: E731
    refused = (x.waf_blocked, x.edge_refused, x.origin_unreachable, x.url_refused, x.throttled, x.crashed)
    if any(hit(share) for share in refused):
        return False
    if route in x.timeout_routes and hit(x.timeout_share):
        return False
    return not (route in x.fault_routes and hit(x.fault_share))


# --- the scenarios ---------------------------------------------------------------------------------

START = 60  # an hour of background first (and, for the rows, its history before it: World._history)
END = START + 50  # a failure's minutes are judged up to here (orders_summary's p90 latency SLO pages after ~30)
NORMAL = Minute()
Timeline = Callable[[int], Minute]
Change = Callable[[Minute], Minute]


def normal(m: int) -> Minute:
    return NORMAL


def change(**fields: object) -> Change:
    """A failure as a change to whatever the background's minute is."""
    return lambda x: replace(x, **fields)  # type: ignore[arg-type]


def failing(during: Change, background: Timeline = normal, *, minutes: range | None = None) -> Timeline:
    """The background, changed by ``during`` in ``minutes`` (from START on, by default)."""
    when = minutes or range(START, 10**6)
    return lambda m: during(background(m)) if m in when else background(m)


# Which routes call DynamoDB, and how (service/routes/): health calls nothing.
ROUTE_SCOPES: dict[str, Callable[[RouteSpec], bool]] = {
    "all": lambda r: True,
    "dynamodb": lambda r: r.name != "health",
    "dynamodb-reads": lambda r: r.name != "health" and r.method == "GET",
    "dynamodb-writes": lambda r: r.method in ("POST", "DELETE"),
    "regressed": lambda r: r.name == REGRESSED_ROUTE,
    "down": lambda r: r.name == DOWN_ROUTE,
}
# The route of row m (one route totally down): GET /orders/{order_id}, which only the canary's write path reaches.
DOWN_ROUTE = "get_order"
# The route of row k2 (a quiet route's regression): any route is quiet on the low-traffic day; a write one.
REGRESSED_ROUTE = "delete_order"


def scope(name: str, routes: tuple[RouteSpec, ...]) -> frozenset[str]:
    return frozenset(r.name for r in routes if ROUTE_SCOPES[name](r))


def failure_timelines(
    routes: tuple[RouteSpec, ...], reserved: int | None, limit: int, background: Timeline = normal
) -> dict[str, Timeline]:
    """What each failure-mode row does to the requests, minute by minute: the background until START,
    then the background changed by the failure."""
    db, reads, writes = (scope(n, routes) for n in ("dynamodb", "dynamodb-reads", "dynamodb-writes"))
    every = scope("all", routes)
    slower = {r.name: r.slo.latency_ms * 1.5 for r in routes}
    regressed = {r.name: r.slo.latency_ms * 3 for r in routes if r.name == REGRESSED_ROUTE}
    throttling = change(throttled=0.4, concurrency=reserved or 40, claimed=None if reserved else limit)
    burst = change(throttled=0.08, concurrency=reserved or 40, claimed=None if reserved else limit)
    rows: dict[str, Change] = {
        "a": change(url_refused=1.0),
        "b1": throttling,
        "c": change(timeout_routes=frozenset({"orders_summary"}), timeout_share=0.2),
        "d": change(crashed=1.0),
        "e1": change(
            read_throttles=2,
            fault_share=0.1,
            fault_routes=reads,
            latency_ms={k: v for k, v in slower.items() if k in reads},
        ),
        "e2": change(write_throttles=2, fault_share=0.1, fault_routes=writes),
        "e3": change(system_errors=1, fault_share=1.0, fault_routes=db),
        "f": change(waf_blocked=0.8),
        "g": change(edge_refused=1.0),
        "h": change(origin_unreachable=1.0),
        "i1": change(url_refused=1.0, function_name=NEW_FUNCTION),
        "i2": change(function_name=NEW_FUNCTION),
        "j": change(fault_share=0.1, fault_routes=every),
        "k1": change(latency_ms=slower),
        "k2": change(latency_ms=regressed),
        "l": change(reachable=False),
        "m": change(fault_share=1.0, fault_routes=frozenset({DOWN_ROUTE})),
        "o": change(emf=False),
    }
    out = {row: failing(c, background) for row, c in rows.items()}
    out["n"] = init_regression(routes, background)
    out["b2"] = failing(burst, background, minutes=range(START, START + 1))
    return out


INIT_REGRESSION_MS = 1000


def init_regression(routes: tuple[RouteSpec, ...], background: Timeline) -> Timeline:
    """Row n: a deploy at START whose init is 1 s slower. Every route's next request is a cold start (the
    deploy wave), and so is every later cold start of the background (none on normal traffic)."""
    every = {r.name: 1 for r in routes}

    def minute(m: int) -> Minute:
        x = background(m)
        if m < START:
            return x
        x = replace(x, init_ms=x.init_ms + INIT_REGRESSION_MS)
        return replace(x, slow=every) if m == START else x

    return minute


CANARY_STOPPED = failing(change(canary_runs=False))  # the API is fine; its outside-in check is not


def quiet_night(m: int) -> Minute:
    """Four hours, a request every twenty minutes or so: one 404, one unsigned POST refused by the URL,
    one cold start far above its route's SLO; nothing else."""
    if m == 20:
        return replace(QUIET, per_route=0, not_found=1)  # a 404
    if m == 95:
        return replace(QUIET, unsigned=1, not_found=1)  # a POST without x-amz-content-sha256, and a 404
    if m in (60, 140, 200):
        return replace(QUIET, per_route=1, slow_requests=1)  # one request per route, slow (cold)
    return QUIET


def busy_day(m: int) -> Minute:
    """Three busy hours: 30 requests per route a minute, a fifth of them 4xx, 3 % unsigned refusals,
    one slow request per route every 5 minutes, a background of 5xx (two at once every 20 minutes on
    every route, every 8 minutes on orders_summary, from the second hour: spending budget but far from
    paging), a 10-minute DynamoDB hiccup (one more 500 a minute on three routes), a scanner
    burst of 404s and a WAF rate rule blocking a noisy client now and then."""
    # (from the second hour: a window over the first minutes of the scenario has no history to dilute them)
    pairs = {r: 2 for r in ("health", "create_order", "list_orders", "get_order", "delete_order") if m % 20 == 7}
    pairs |= {"orders_summary": 2} if m % 8 == 1 else {}  # its origin sees only the edge cache's misses
    pairs = pairs if m >= 60 else {}
    base = Minute(per_route=30, not_found=10, client_errors=5, unsigned=6, slow_requests=int(m % 5 == 0), faults=pairs)
    if 100 <= m < 110:
        base = replace(base, fault_share=0.034, fault_routes=frozenset({"create_order", "list_orders", "get_order"}))
    if 130 <= m < 135:
        base = replace(base, not_found=60)  # a scanner
    if m % 7 == 0:
        base = replace(base, waf_blocked=0.05)
    return base


LOW_TRAFFIC_MINUTES = 240


def low_traffic_day(routes: tuple[RouteSpec, ...], *, seed: str = "low-traffic day") -> Timeline:
    """A quiet internal API, the pattern's sweet spot: each route gets 2 to 10 requests a minute (varying
    minute to minute), a client error on every route about every 20 minutes, a 404 about
    every 10 minutes, and a slow request (3x its SLO) on every route every 5 to 15 minutes.

    The slow requests are the cold starts. AWS does not document how long an execution environment
    lives: it recycles environments (idle ones after some minutes, every one within hours), and the
    figures users report for idle reclaim are roughly 5-15 minutes (reports, not a documented number).
    One function serves every route, so at a request every few seconds a recycled environment's next
    request (a cold start, several times the warm latency) lands on some route every few minutes;
    giving EVERY route one every 5-15 minutes is the pessimistic end of that, and stands for a big page
    as well. Deterministic: the same seed, the same day."""
    rng = random.Random(seed)
    minutes = LOW_TRAFFIC_MINUTES + 105  # fixed: the same day whatever END judges of it
    requests = {r.name: [rng.randint(2, 10) for _ in range(minutes)] for r in routes}
    slow_at: dict[str, set[int]] = {}
    for r in routes:
        at, slow_at[r.name] = rng.randint(0, 15), set()
        while at < minutes:
            slow_at[r.name].add(at)
            at += rng.randint(5, 15)
    client = {m for m in range(minutes) if rng.random() < 0.05}  # a 4xx on every route, about every 20 min
    not_found = {m for m in range(minutes) if rng.random() < 0.1}
    plan = [
        Minute(
            route_requests={r.name: requests[r.name][m] for r in routes},
            not_found=int(m in not_found),
            client_errors=int(m in client),
            unsigned=0,
            slow={r.name: int(m in slow_at[r.name]) for r in routes},
        )
        for m in range(minutes)
    ]
    return lambda m: plan[m]


BURSTY_BATCH_MINUTES = 180
BATCH = {"create_order": 120, "get_order": 60, "list_orders": 20}  # requests a minute, for two minutes


def bursty_batch(m: int) -> Minute:
    """Idle for an hour, then a batch job: 400 requests in two minutes (creates, reads of what it
    created, a few listings), then idle again. The burst scales the function out from nothing: the
    first minute's requests include a few cold starts on each route the batch calls; a few of its
    creates fail validation (422)."""
    if m not in (60, 61):
        return QUIET
    cold = {r: 3 for r in BATCH} if m == 60 else {}
    return replace(QUIET, route_requests=BATCH, slow=cold, client_errors=2)


# --- the quiet cases of issue 23: sparse traffic, retried bad requests, an office day ---------------------

SPARSE_MINUTES = START + 45  # an hour of history, then 45 judged minutes


def sparse(routes: tuple[RouteSpec, ...], every: int | None, *, seed: str = "sparse") -> Timeline:
    """Each route gets one request every ``every`` minutes (at its own phase), None: no real traffic at all;
    nothing else (no 404s, no unsigned POSTs). The canary's runs come on top, as always."""
    rng = random.Random(seed)
    phase = {r.name: rng.randrange(every) if every else 0 for r in routes}
    plan = [
        replace(QUIET, route_requests={r.name: int(bool(every) and m % every == phase[r.name]) for r in routes})  # type: ignore[operator]
        for m in range(SPARSE_MINUTES + 10)
    ]
    return lambda m: plan[m]


def poisson(routes: tuple[RouteSpec, ...], per_minute: float, minutes: int, *, seed: str) -> Timeline:
    """Random arrivals at ``per_minute`` per route (Poisson), nothing else."""
    rng = random.Random(seed)

    def draw() -> int:
        n, t = 0, rng.expovariate(per_minute)
        while t < 1:
            n, t = n + 1, t + rng.expovariate(per_minute)
        return n

    plan = [replace(QUIET, route_requests={r.name: draw() for r in routes}) for _ in range(minutes)]
    return lambda m: plan[m]


def route_down(route: str, background: Timeline, start: int = START) -> Timeline:
    """``route`` answers 500 to every request from ``start`` on (a total outage of one route)."""
    return failing(change(fault_share=1.0, fault_routes=frozenset({route})), background, minutes=range(start, 10**6))


QUIET_API_MINUTES = 8 * 60  # 00:00-08:00, then the office hours of the quiet API's day are judged
OFFICE_DAY_MINUTES = 18 * 60  # 00:00 to 18:00
OFFICE_OPENS = 8 * 60
DEPLOY_AT = 10 * 60
FAN_OUT_EVERY = 15  # a dashboard that reads 12 orders in parallel every 15 minutes
FAN_OUT = 12


def office_day(
    routes: tuple[RouteSpec, ...],
    *,
    low: int = 1,
    high: int = 3,
    seed: str = "office day",
    retried: Mapping[int, tuple[str, int]] | None = None,
    minutes: int = OFFICE_DAY_MINUTES,
) -> Timeline:
    """A quiet internal API's day: nothing at night, from 08:00 each route gets ``low``-``high`` requests a
    minute; the first request of the morning on every route is a cold start (3x its SLO), and so is one
    request per route at the deploy at 10:00 (every environment is new) and in the minute after it; a
    dashboard fans out 12 parallel reads of GET /orders/{order_id} every 15 minutes, 3 of them cold (new
    environments for the burst); a client error on every route about every 20 minutes; a cold start on some
    route every 5-15 minutes all day (recycled environments). ``retried``: minute -> (route, 500s): one bad
    request that the service answers 500 and its client retries (2-4 answers of 500 in that minute)."""
    rng = random.Random(seed)
    names = [r.name for r in routes]
    plan = []
    recycled = set()
    at = OFFICE_OPENS + rng.randint(5, 15)
    while at < minutes:
        recycled.add((at, rng.choice(names)))
        at += rng.randint(5, 15)
    for m in range(minutes):
        if m < OFFICE_OPENS:
            plan.append(QUIET)
            continue
        requests = {n: rng.randint(low, high) for n in names}
        slow = {n: int(m == OFFICE_OPENS or m in (DEPLOY_AT, DEPLOY_AT + 1) or (m, n) in recycled) for n in names}
        if m % FAN_OUT_EVERY == 0 and "get_order" in requests:
            requests["get_order"] += FAN_OUT
            slow["get_order"] += 3
        faults = {}
        if retried and m in retried:
            route, n = retried[m]
            faults[route] = n
            requests[route] += n
        plan.append(
            Minute(
                route_requests=requests,
                not_found=int(rng.random() < 0.1),
                client_errors=int(rng.random() < 0.05),
                unsigned=0,
                slow=slow,
                faults=faults,
            )
        )
    return lambda m: plan[m]


# --- cases that pin the floors and windows no row can (issue 23's deliverable 8) ------------------------

RETRIED_ALONE_AT = 7 * 60  # after 7 hours of the canary alone: every service window holds only its calls
RETRIED_ALONE = ("get_order", 4)


def retried_alone(m: int) -> Minute:
    """An API used a few times a day: the canary's calls and, at 07:00, one client's bad request answered 500
    and retried (4 answers of 500), with 2 good requests on the same route. Fewer than the service burns' 5 failures: no page, however few the
    requests around them (the route's own burn windows ticket it)."""
    if m != RETRIED_ALONE_AT:
        return QUIET
    route, n = RETRIED_ALONE
    return replace(QUIET, route_requests={route: n + 2}, faults={route: n})  # and 2 good requests


SLOW_INITS_FROM = 240  # the init regression (no deploy wave): cold starts every SLOW_INIT_EVERY minutes
SLOW_INIT_EVERY = 20
COLD_START_EVERY = 10  # before it: a cold start every 10 minutes, from minute 60 ...
NOISY_INIT_EVERY = 40  # ... every fourth of them slow (a noisy neighbour): never 3 slow ones in an hour
SLOW_INIT_MS = 600.0 + INIT_REGRESSION_MS


def slow_inits(routes: tuple[RouteSpec, ...]) -> Timeline:
    """Canary traffic only, and sparse cold starts, one route at a time (3x its SLO): first one every 10
    minutes whose init is healthy but for a noisy neighbour's slow one every 40 minutes (1-2 slow among 6 an
    hour: no ticket), then from SLOW_INITS_FROM an init 1 s slower without a deploy wave, met by the cold
    starts of recycled environments every 20 minutes: the third in an hour tickets."""
    names = [r.name for r in routes]

    def minute(m: int) -> Minute:
        every = SLOW_INIT_EVERY if m >= SLOW_INITS_FROM else COLD_START_EVERY
        if m < 60 or (m - 60) % every:
            return QUIET
        route = names[(m // every) % len(names)]
        slow = m >= SLOW_INITS_FROM or (m - 60) % NOISY_INIT_EVERY == 0
        init_ms = SLOW_INIT_MS if slow else NORMAL.init_ms
        return replace(QUIET, route_requests={route: 1}, slow={route: 1}, init_ms=init_ms)

    return minute


# Intermittent failures (minutes from the start, on normal traffic): each a few bad minutes (BURST; the 5xx
# one a single minute), twice, 10 minutes apart, with a healthy 5-minute period between them. 2 of 3 periods
# page them; 2 consecutive never would.
EDGE_4XX_BURSTS = (60, 70)  # the edge function refuses every key for 3 minutes (a KeyValueStore reload)
EDGE_5XX_BURSTS = (100, 110)  # CloudFront cannot reach the origin for a minute, among lone 502s
DYNAMODB_ERROR_MINUTES = (140, 150)  # a SystemError each, absorbed by the SDK's retries (no 5xx)
INTERMITTENT_MINUTES = 175
BURST = 3


def intermittent(m: int) -> Minute:
    """Normal traffic with short failures that come back (module constants above)."""
    if any(b <= m < b + BURST for b in EDGE_4XX_BURSTS):
        return replace(NORMAL, edge_refused=1.0)
    if m in EDGE_5XX_BURSTS:
        return replace(NORMAL, origin_unreachable=1.0)
    if EDGE_5XX_BURSTS[0] - 10 <= m < EDGE_5XX_BURSTS[1] + 15:
        # Around the 5xx bursts a lone 502 a minute (1.4 %): the period between them has a datapoint (most of
        # its minutes saw a 5xx) that does not breach, so 2 of 3 periods page and 2 consecutive never would.
        return replace(NORMAL, edge_5xx=1)
    if m in DYNAMODB_ERROR_MINUTES:
        return replace(NORMAL, system_errors=1)
    return NORMAL


# Thin windows (the canary stopped, a few requests a minute on the two routes the mutation proof mutates):
# minute -> route -> (requests, of them answered 500, of the others slow at 3x the SLO). orders_summary is
# cached at the edge: at most 6 of its requests a minute reach the origin (2 fills per edge location), so
# its requests are spread over minutes.
Thin = Mapping[int, Mapping[str, tuple[int, int, int]]]
THIN_MINUTES = 40
# One 500 among a dozen requests (one slow among get_order's): under the 2-fault and 2-slow floors.
LONE_FAULT: Thin = {5: {"get_order": (12, 1, 1), "orders_summary": (6, 1, 0)}, 6: {"orders_summary": (6, 0, 0)}}
# Two 500s and two slow among 4 requests a route, 5 failures among 9 URL requests: under the request floors.
FEW_REQUESTS: Thin = {
    5: {"get_order": (4, 2, 2), "orders_summary": (4, 2, 2), "create_order": (1, 1, 0)},
}
# A burst on a route used by a handful: orders_summary's 24 requests in 4 minutes, 5 answered 500 and 14
# slow; get_order's 40 requests, 8 slow, then 170 more with 6 slow (210 and 14 in its 6 hours).
SMALL_BURST: Thin = {
    5: {"orders_summary": (6, 2, 3), "get_order": (40, 0, 8)},
    6: {"orders_summary": (6, 1, 4)},
    7: {"orders_summary": (6, 1, 4)},
    8: {"orders_summary": (6, 1, 3)},
    25: {"get_order": (170, 0, 6)},
}


# create_order, which neither mutated route's alarms read, every 5 minutes for 15: 3 requests at the URL (one
# refused, one unanswered: 502), then 2 refused at the edge: under the URL's (10) and the edge's (20) request
# floors in every period (these alarms want 2 of 2 and 2 of 3 periods).
FEW_REFUSED: Thin = {m + d: {"create_order": (3 - d, 0, 0)} for m in (5, 10, 15) for d in (0, 1)}
FEW_REFUSED_SHARES: Mapping[int, Mapping[str, float]] = {
    m + d: {"url_refused": 0.34, "crashed": 0.5} if d == 0 else {"edge_refused": 1.0}
    for m in (5, 10, 15)
    for d in (0, 1)
}


def thin(events: Thin, shares: Mapping[int, Mapping[str, float]] | None = None) -> Timeline:
    """Nothing but ``events`` reaches the API (the canary stopped: its calls would fill the windows), each
    minute's failing ``shares`` (Minute's fields) applied."""
    still = replace(QUIET, canary_runs=False)

    def minute(m: int) -> Minute:
        at = events.get(m)
        if not at:
            return still
        return replace(
            still,
            **(shares or {}).get(m, {}),  # type: ignore[arg-type]
            route_requests={r: n for r, (n, _, _) in at.items()},
            faults={r: f for r, (_, f, _) in at.items() if f},
            slow={r: s for r, (_, _, s) in at.items()},
        )

    return minute


# --- the 6-hour slow-share window at its real length, on a route used by a handful (the canary stopped) -------

# A healthy session of orders_summary (30 requests), then 4 hours later a slow stretch: 24 requests in 4
# minutes, 14 slow (58 %). The 1-h and 5-min windows hold the stretch alone (the fast pair tickets); the 6-h
# window holds the morning's session too (26 %): no slow burn. A 3-h window would hold the stretch alone.
SLOW_AFTER_HEALTHY_AT = 240
SLOW_AFTER_HEALTHY: Thin = {m: {"orders_summary": (6, 0, 0)} for m in range(5)} | {
    SLOW_AFTER_HEALTHY_AT + d: {"orders_summary": (6, 0, s)} for d, s in enumerate((3, 4, 4, 3))
}
# An evening of single requests 10 minutes apart for 2 hours, each a cold start (idle environments are reclaimed
# after some minutes: low_traffic_day), then, 8 hours after the evening began, a morning session: 12
# requests in 2 minutes, the first minute's 6 on new environments (6 slow, 50 %). The short windows breach; the
# 6-h window holds the 12 requests alone, under its floor of 20: no slow burn. A 12-h window would hold the
# evening's cold starts too (18 slow among 24).
COLD_MORNING_AT = 480
COLD_MORNING: Thin = {m: {"orders_summary": (1, 0, 1)} for m in range(0, 120, 10)} | {
    COLD_MORNING_AT: {"orders_summary": (6, 0, 6)},
    COLD_MORNING_AT + 1: {"orders_summary": (6, 0, 0)},
}

# --- the telemetry heartbeat's floor: 10 URL requests in each of two 15-minute periods ---------------------

TELEMETRY_LOST_AT = 60


def telemetry_lost(m: int) -> Minute:
    """An API nobody calls but its canary (a night): from TELEMETRY_LOST_AT the service publishes no EMF (a
    deploy that disables metrics) while every request is answered as before. The canary's runs put one request
    per route through the URL, 18 in every 15-minute period (15 without the cached route's, were it a hit):
    over the heartbeat's floor of 10 at any traffic."""
    return replace(QUIET, emf=m < TELEMETRY_LOST_AT)


# A client's POST /orders without x-amz-content-sha256, retried every 5 minutes: the URL refuses it (403), the
# function never runs, so no EMF is due. Nothing else reaches the API (the canary stopped): 3 URL requests in
# every 15-minute period, none answered by the service, and its telemetry is fine.
REFUSED_RETRIED: Thin = {m: {"create_order": (1, 0, 0)} for m in range(0, THIN_MINUTES, 5)}
REFUSED_RETRIED_SHARES: Mapping[int, Mapping[str, float]] = {m: {"url_refused": 1.0} for m in REFUSED_RETRIED}
