"""The failure-mode matrix: for each way the API breaks, what the viewer sees, which metrics move, which
alarms page and after how many minutes (plain data; RUNBOOK.md renders it).

The minutes are not estimates: ``tests/scenarios`` synthesizes the app, feeds each mode's per-minute
metrics (``tests/support/scenarios/world.py``) to the offline CloudWatch simulator (``observability/simulator``)
and fails unless exactly these alarms reach ALARM within these minutes of the failure's start. Every row runs on
two backgrounds (normal traffic and a low-traffic day) under every ingestion-lag setting (each source
0-3 minutes late, alone and all together, and the service's EMF 6 minutes late) and evaluation range (N to
N+3 periods): a range (lo, hi)
holds every minute seen, and both ends are seen (a range is never padded). Minutes count from the first
failing minute to the evaluation that goes to ALARM, as CloudWatch sees it (lag included).

A row lists the alarms of the kit's units; a unit may state its own alarms' minutes in its module instead
(its ``PROOF``, observability/proof.py): :func:`pages`, :func:`low_traffic`, :func:`conditions` and
:func:`not_in_a_row` join both, and everything that reads the matrix reads it through them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from observability import plan
from observability.proof import NOTHING_STATED, Minutes, Proof

# Route alarm keys name a route as {route}; FailureMode.routes says which routes are meant.
ROUTE = "{route}"


LOW_TRAFFIC_DAY = "2-10 requests a minute per route (the low-traffic day)"
NO_TRAFFIC = "no real traffic: the canary's calls alone (tests/scenarios/test_quiet_api.py)"


@dataclass(frozen=True)
class FailureMode:
    row: str  # "a", "b1", ... (issue 8's rows (a)-(i), split where one cause has two shapes; then j, k)
    title: str
    example: str  # a concrete cause
    viewer_sees: str  # status and who answers it (CloudFront, the Function URL or the function)
    metrics_move: str
    # Every alarm that reaches ALARM -> minutes from the failure's start. Notifying alarms are the pages
    # (the matrix shows those); the burn-rate windows that feed a composite are listed too, so a test
    # pins each of them. Keys with {route} stand for every route of ``routes``; a route's own key
    # overrides its pattern (None: that route's alarm stays out of ALARM). Every alarm not listed must
    # stay out of ALARM.
    alarms: Mapping[str, Minutes | None]
    routes: str = ""  # which routes {route} means (tests/support/scenarios/world.py ROUTE_SCOPES)
    note: str = ""
    # Alarms that exist only in some configurations (the reserved-concurrency one or the account one) -> which.
    only_when: Mapping[str, str] = field(default_factory=dict)
    # What differs when the failure hits a low-traffic day: keys overriding ``alarms`` there (None: stays
    # OK). A notifying alarm that stays OK there by design (a floor, a share diluted below its threshold)
    # says why in ``not_at_low_traffic``; the matrix shows both.
    low_traffic: Mapping[str, Minutes | None] = field(default_factory=dict)
    not_at_low_traffic: Mapping[str, str] = field(default_factory=dict)
    # The detection floor: the lowest traffic at which the row's first page (or ticket) is proven.
    proven_down_to: str = LOW_TRAFFIC_DAY


def _composites_and_windows(
    composite: str, window: str, route: str, minutes: tuple[Minutes | None, ...]
) -> dict[str, Minutes | None]:
    """route-<route>-<composite prefix><fast|slow>-burn and route-<route>-<window>-<1h|5min|6h|30min>."""
    keys = [f"route-{route}-{composite}fast-burn", f"route-{route}-{composite}slow-burn"]
    keys += [f"route-{route}-{window}-{w}" for w in ("1h", "5min", "6h", "30min")]
    return dict(zip(keys, minutes, strict=True))


def burn(
    fast: Minutes | None,
    slow: Minutes | None,
    w1h: Minutes | None,
    w5m: Minutes | None,
    w6h: Minutes | None,
    w30m: Minutes | None,
    route: str = ROUTE,
) -> dict[str, Minutes | None]:
    """A route's availability burn-rate composites and their four windows (minutes to ALARM, None: stays OK)."""
    return _composites_and_windows("", "fault-rate", route, (fast, slow, w1h, w5m, w6h, w30m))


def latency_burn(
    fast: Minutes | None,
    slow: Minutes | None,
    w1h: Minutes | None,
    w5m: Minutes | None,
    w6h: Minutes | None,
    w30m: Minutes | None,
    route: str = ROUTE,
) -> dict[str, Minutes | None]:
    """A route's latency burn-rate composites and their four slow-share windows."""
    return _composites_and_windows("latency-", "slow-share", route, (fast, slow, w1h, w5m, w6h, w30m))


def service(
    fast: Minutes | None,
    slow: Minutes | None,
    leak: Minutes | None,
    w1h: Minutes | None,
    w5m: Minutes | None,
    w6h: Minutes | None,
    w30m: Minutes | None,
    w3d: Minutes | None,
    leak6h: Minutes | None,
) -> dict[str, Minutes | None]:
    """The service-wide burn composites (fast and slow page, leak tickets) and their six windows. The rows
    hold their background's history (6 h 15 min, AWS/Lambda's 3 days: tests/support/scenarios/world.py
    World._history), so every window is judged at its real length: the 6-h windows dilute a failure in 6 hours
    of traffic and the leak's 3-day window in 3 days (it tickets within the 50 minutes judged only for a
    failure of several percent)."""
    keys = (
        "fast-burn",
        "slow-burn",
        "leak-burn",
        "fast-1h",
        "fast-5min",
        "slow-6h",
        "slow-30min",
        "leak-72h",
        "leak-6h",
    )
    return dict(zip((f"service-{k}" for k in keys), (fast, slow, leak, w1h, w5m, w6h, w30m, w3d, leak6h), strict=True))


# orders_summary's SLO is 99 % (budget 1 %): the same fault rate burns its budget 10x slower than on a
# 99.9 % route, so its burn-rate alarms page later or not at all (14.4x of 1 % is a 14.4 % fault rate).
SUMMARY = "orders_summary"
# What FailureMode.routes means, for the matrix (tests/support/scenarios/world.py selects the same routes).
ROUTE_SCOPES = {
    "all": "every route",
    "dynamodb": "every route that calls DynamoDB",
    "dynamodb-reads": "every GET route that reads DynamoDB",
    "dynamodb-writes": "every route that writes DynamoDB",
    "regressed": "the regressed route",
    "down": "the route that is down",
}
RESERVED = "concurrency reserved"
NOT_RESERVED = "concurrency not reserved"
_CONFIG_ALARMS = {"lambda-concurrency-utilisation": RESERVED, "lambda-account-concurrency": NOT_RESERVED}

MODES: tuple[FailureMode, ...] = (
    FailureMode(
        row="a",
        title="CloudFront cannot invoke the function",
        example="the EdgeAccess permissions name an old function or distribution; a wrong SourceArn",
        viewer_sees="403 from the Function URL, passed on by CloudFront as a 4xx; the function never runs",
        metrics_move="CloudFront 4xxErrorRate to 100 %; Url4xxCount = UrlRequestCount; no EMF, no Invocations",
        alarms={"function-url-refused": (6, 7), "cloudfront-4xx-rate": 8, "telemetry-heartbeat": 30},
    ),
    FailureMode(
        row="b1",
        title="Throttling at reserved (or account) concurrency",
        example="a traffic surge or a slow dependency holding executions",
        viewer_sees="429 from the Function URL for 40 % of requests (a 4xx at CloudFront); the rest are served",
        metrics_move=(
            "Throttles > 0; ConcurrentExecutions at the reserved value (ClaimedAccountConcurrency at the "
            "account limit when not reserved); Url4xxCount up, Invocations below UrlRequestCount"
        ),
        alarms={
            **service((2, 5), (5, 9), (10, 14), (2, 3), 1, (5, 6), 1, (10, 11), 1),
            "lambda-throttles": (1, 4),
            "lambda-concurrency-utilisation": (2, 5),
            "lambda-account-concurrency": (2, 5),
            "function-url-refused": 8,
            "cloudfront-4xx-rate": 10,
        },
        only_when=_CONFIG_ALARMS,
        low_traffic={"cloudfront-4xx-rate": None},
        not_at_low_traffic={
            "cloudfront-4xx-rate": "40 % throttled plus the quiet day's few other 4xx stay under its 50 %",
        },
    ),
    FailureMode(
        row="b2",
        title="A one-minute throttling burst",
        example="a burst of parallel requests at the reserved limit",
        viewer_sees="429 from the Function URL for a few requests (a 4xx at CloudFront)",
        metrics_move="Throttles > 0 for one minute; Url4xxCount up, Invocations below UrlRequestCount",
        alarms={**service(None, None, None, None, 1, None, None, None, None), "lambda-throttles": (1, 4)},
        only_when=_CONFIG_ALARMS,
        note=(
            "A minute of 429s is no budget leak: on 3 days of history the leak window hardly moves; the service's "
            "5-min window breaches alone (no page) and lambda-throttles tickets."
        ),
    ),
    FailureMode(
        row="c",
        title="Function timeout",
        example="the orders_summary scan outgrows the Lambda timeout for a fifth of its calls",
        viewer_sees="502 from the Function URL for those requests (CloudFront passes it on); the rest fine",
        metrics_move="Lambda Errors, Duration at the timeout; Url5xxCount without EMF Fault; no access line",
        alarms={
            **service((24, 28), None, None, (24, 27), 3, None, (5, 6), None, 11),
            "lambda-errors": (1, 4),
        },
        note=(
            "3 % of all requests: below the URL's unanswered-5xx share; lambda-errors tickets on the first one, "
            "and the service burn (Url5xxCount counts timeouts) pages once they add up."
        ),
    ),
    FailureMode(
        row="d",
        title="Function crash or init failure",
        example="an import error after a deploy: every invocation fails during init",
        viewer_sees="502 from the Function URL on every request (through CloudFront)",
        metrics_move="Lambda Errors = Invocations; Url5xxCount = UrlRequestCount; no EMF at all",
        alarms={
            **service((1, 4), (3, 6), (4, 8), 1, 1, 3, 1, (4, 5), 1),
            "lambda-errors": (1, 4),
            "function-url-5xx-unanswered": 6,
            "cloudfront-5xx-rate": 8,
            "telemetry-heartbeat": 30,
        },
    ),
    FailureMode(
        row="e1",
        title="DynamoDB read throttling",
        example="a hot partition key read by the GET routes",
        viewer_sees=(
            "503 with Retry-After from the function (problem+json, error_kind dependency_throttled) on 10 % "
            "of the reading routes' requests, after botocore's retries: slow"
        ),
        metrics_move="ReadThrottleEvents; EMF Fault and Latency on the reading routes; Url5xxCount = EMF Fault",
        alarms={
            **service((16, 20), (44, 46), None, (16, 18), 2, 44, (3, 4), None, 8),
            "dynamodb-throttles": (1, 4),
            **burn((9, 17), (23, 29), (9, 11), (2, 3), 23, (2, 3)),
            **burn(None, None, None, None, None, (12, 14), route=SUMMARY),
            **latency_burn((8, 14), (14, 28), (8, 9), 1, (14, 22), (1, 2)),
            **latency_burn((27, 31), None, (27, 28), 3, None, 14, route=SUMMARY),
        },
        routes="dynamodb-reads",
        low_traffic={
            f"route-{SUMMARY}-fault-rate-5min": 10,
            "cloudfront-5xx-rate": (15, 17),
        },
    ),
    FailureMode(
        row="e2",
        title="DynamoDB write throttling",
        example="a burst of creates and deletes past the table's write capacity",
        viewer_sees=(
            "503 with Retry-After from the function (dependency_throttled) on 10 % of the writing routes' requests"
        ),
        metrics_move="WriteThrottleEvents; EMF Fault on the writing routes; Url5xxCount = EMF Fault",
        alarms={
            **service((26, 31), None, None, (26, 29), 3, None, (5, 6), None, (10, 11)),
            "dynamodb-throttles": (1, 4),
            **burn((8, 14), (23, 32), (8, 9), (2, 4), (23, 26), (2, 4)),
        },
        routes="dynamodb-writes",
    ),
    FailureMode(
        row="e3",
        title="DynamoDB unavailable",
        example="a regional DynamoDB event",
        viewer_sees=(
            "503 with Retry-After from the function (dependency_unavailable) on every route that calls DynamoDB"
        ),
        metrics_move="DynamoDB SystemErrors; EMF Fault on the DynamoDB routes; Url5xxCount = EMF Fault",
        alarms={
            **service((2, 5), (3, 6), (5, 9), 2, 1, 3, 1, (5, 6), 1),
            "dynamodb-system-errors": 6,
            "cloudfront-5xx-rate": 8,
            **burn((1, 8), (2, 9), (1, 2), 1, (2, 3), 1),
            **burn((6, 12), (13, 23), (6, 7), 1, (13, 17), 2, route=SUMMARY),
        },
        routes="dynamodb",
    ),
    FailureMode(
        row="f",
        title="A WAF rule blocks legitimate traffic",
        example="a managed rule's false positive on a common request shape",
        viewer_sees="403 from CloudFront (WAF) for 80 % of requests; the function sees the rest",
        metrics_move="WAF BlockedRequests; CloudFront 4xxErrorRate; URL and EMF requests drop",
        alarms={"waf-blocked-spike": (2, 5), "cloudfront-4xx-rate": (8, 9)},
        # With 80 % blocked, a quiet day's cold starts are a larger share of what reaches the function:
        # four routes' 30-min latency windows breach (their 6-h partners do not: no page).
        low_traffic={
            "route-create_order-slow-share-30min": 28,
            "route-delete_order-slow-share-30min": 30,
            "route-health-slow-share-30min": 29,
            "route-list_orders-slow-share-30min": 47,
        },
    ),
    FailureMode(
        row="g",
        title="Traffic stops reaching the function while CloudFront still receives it",
        example="the edge API-key function refuses every key: its KeyValueStore was emptied or detached",
        viewer_sees="401/403 from CloudFront (the viewer-request function); the origin is never called",
        metrics_move="CloudFront Requests steady, 4xxErrorRate to 100 %; home region: no URL requests, no EMF",
        alarms={"cloudfront-4xx-rate": 8},
        note=(
            "No alarm can compare CloudFront requests (us-east-1) with URL requests (home): an alarm reads "
            "only its own region. The viewer always gets a CloudFront 4xx or 5xx when the origin is not "
            "reached, so the us-east-1 rate alarms catch it; the dashboard shows both request counts."
        ),
    ),
    FailureMode(
        row="h",
        title="CloudFront 5xx without the function",
        example="the distribution's origin is a Function URL domain that no longer exists: a DNS failure",
        viewer_sees="502 from CloudFront; the Function URL receives nothing",
        metrics_move="CloudFront 5xxErrorRate to 100 %; home region: no URL requests, no EMF",
        alarms={"cloudfront-5xx-rate": 8},
    ),
    FailureMode(
        row="i1",
        title="A replacement leaves the Lambda permissions on the old function",
        example="the function was replaced; EdgeAccess was not redeployed, so its permissions name the old ARN",
        viewer_sees="403 from the new Function URL (through CloudFront), as in (a)",
        metrics_move=(
            "Url4xxCount under the new FunctionName, which the home alarms (still on the old name) do not "
            "read; CloudFront 4xxErrorRate to 100 %"
        ),
        alarms={"cloudfront-4xx-rate": 8},
        note="The home-region alarms watch the old FunctionName until Monitoring is redeployed: only the edge pages.",
    ),
    FailureMode(
        row="i2",
        title="A replacement leaves alarms and dashboard on the old function",
        example="the function was replaced and serves fine; Monitoring was not redeployed",
        viewer_sees="normal answers",
        metrics_move="AWS/Lambda metrics under the new FunctionName; the alarms' FunctionName publishes nothing",
        alarms={},
        note=(
            "Nothing pages, and nothing could until the next failure: every AWS/Lambda alarm (Function URL "
            "shares included) reads a FunctionName that no longer publishes, and no data is OK. The route "
            "alarms read the service's EMF and keep working. `make verify` (every stack's references checked "
            "against live resources) is what finds it; `make deploy` redeploys Monitoring after Service."
        ),
    ),
    FailureMode(
        row="j",
        title="Every route answers 5xx to one request in ten",
        example="a deploy with a bug in a shared code path that the resolver turns into 500s",
        viewer_sees="500 from the function (problem+json) on 10 % of every route's requests",
        metrics_move="EMF Fault on every route; Url5xxCount = EMF Fault; no Lambda Errors",
        alarms={
            **service((8, 12), (22, 25), (44, 47), (8, 9), 1, 22, 2, 44, 4),
            "cloudfront-5xx-rate": 8,
            **burn((8, 17), (23, 32), (8, 11), (2, 4), (23, 26), (2, 4)),
            **burn(None, None, None, None, None, (12, 14), route=SUMMARY),
        },
        routes="all",
        low_traffic={
            f"route-{SUMMARY}-fault-rate-5min": 10,
        },
    ),
    FailureMode(
        row="k1",
        title="Every route slower than its SLO",
        example="memory, and with it CPU, lowered, or a slow layer after a deploy",
        viewer_sees="correct answers, slowly (every request 1.5x its route's target)",
        metrics_move="EMF Latency above each route's target: PR(:target) to 0 %",
        alarms={
            **latency_burn((7, 14), (14, 28), (7, 9), (1, 2), (14, 22), (1, 2)),
            **latency_burn((29, 33), None, (29, 30), 3, None, 15, route=SUMMARY),
        },
        routes="all",
    ),
    FailureMode(
        row="k2",
        title="A quiet route regresses: every request 3x its target",
        example="a new query plan or an N+1 loop on one route that gets a few requests a minute",
        viewer_sees="correct answers from that route, three times slower than its target",
        metrics_move="EMF Latency of one route: PR(:target) to 0 %; its request count unchanged",
        alarms=latency_burn((8, 14), (16, 28), (8, 9), (1, 2), (16, 22), 2),
        routes="regressed",
        note=(
            "Latency is judged as a share of slow requests against the percentile's budget (p99: 1 %), burned "
            "like availability: cold starts on a low-traffic day stay below the burn factors (and a window "
            "needs 2 slow requests), a real regression tickets. Slow answers are answers: latency tickets, it "
            "never wakes anyone (a route slower than the canary's timeout pages through api-unreachable). "
            "It clears when the route is fast again (the short windows empty within 5 and 30 minutes)."
        ),
    ),
    FailureMode(
        row="l",
        title="Nobody can reach the API",
        example=(
            "the custom domain's DNS record points nowhere or its certificate expired; the distribution is disabled"
        ),
        viewer_sees="a connection or TLS error, no HTTP status: nothing reaches CloudFront",
        metrics_move=(
            "none from the API: CloudFront, WAF, the Function URL, Lambda and the service publish nothing (every "
            "other alarm reads no data as no traffic); the canary's SuccessPercent is 0 every run"
        ),
        alarms={},  # the canary's alarm, as its unit states it (observability/units/canary.py PROOF)
        note=(
            "Only the outside-in canary sees it (`canary: true`, the default; without it nothing pages). It "
            "pages on its second failed run: 5 to 10 minutes after the failure starts, depending on where the "
            "failure falls in the canary's 5-minute cycle (the matrix's minutes: 3 minutes before a run)."
        ),
        proven_down_to="any traffic: nothing reaches the API",
    ),
    FailureMode(
        row="m",
        title="One route answers 5xx to every request",
        example="a deploy breaks GET /orders/{order_id} only (a renamed attribute, a bad query)",
        viewer_sees="500 from the function (problem+json) on every request of that route; the others are fine",
        metrics_move="EMF Fault = 1 on that route; Url5xxCount up by its requests (and the canary's one per run)",
        alarms={
            **service((5, 8), (13, 16), (23, 29), (5, 6), 1, 13, (1, 2), (23, 26), (2, 3)),
            "cloudfront-5xx-rate": 8,
            **burn((1, 7), (2, 9), 1, 1, (2, 3), 1),
        },
        routes="down",
        note=(
            "At any real traffic, none included: the canary calls every route every 5 minutes, so its second "
            "failed run pages (tests/scenarios/test_quiet_api.py: every route, 1 request "
            "per 5 or 10 minutes, Poisson 0.2/min and no real traffic, every lag). With enough traffic the "
            "service burn pages too; the route's own burn alarms ticket it."
        ),
        proven_down_to=NO_TRAFFIC,
    ),
    FailureMode(
        row="n",
        title="A deploy makes the init 1 s slower",
        example="a heavy dependency imported at module level, or less memory (and so less CPU) for init",
        viewer_sees="correct answers; the first request of every new execution environment waits 1 s longer",
        metrics_move="EMF InitDuration +1 s on every cold start, and the cold starts' Latency with it",
        alarms={"lambda-init-slow": (1, 7)},
        note=(
            "The deploy's wave of cold starts (one per route) crosses the init budget at once. Slower cold "
            "starts are no failures: it tickets. Between deploys it tickets on the third slow cold start in an "
            "hour, whatever the traffic."
        ),
    ),
    FailureMode(
        row="o",
        title="The API serves, but its telemetry stops",
        example=(
            "a deploy changes the service's logging (plain-text lines, or another EMF namespace), or the log "
            "group's KMS key is disabled: its lines no longer become metrics"
        ),
        viewer_sees="normal answers",
        metrics_move="the service's EMF stops (every route's Requests, Fault, Latency); AWS/Lambda and the URL's go on",
        alarms={"telemetry-heartbeat": 30},
        note=(
            "Only the heartbeat tickets: URL requests flow and no EMF arrives for two 15-minute periods. While it "
            "lasts every route alarm is blind (no EMF reads as no traffic); the Lambda, Function URL, CloudFront "
            "and canary alarms still watch, so a real outage meanwhile still pages."
        ),
    ),
)

# A unit may state its own alarms' part in the rows (and its exceptions) in its module: its PROOF
# (observability/proof.py). The canary does: its one alarm's reach across the matrix, where its own requests
# meet a row's failure. The accessors below join the rows with what the units state.


def proofs() -> tuple[Proof, ...]:
    """What each unit of ``observability.plan.UNITS`` states (nothing, for most)."""
    return tuple(getattr(u, "PROOF", NOTHING_STATED) for u in plan.UNITS)


def stated(part: str, name: str) -> dict[str, Any]:
    """What the units state in ``part`` (a Proof field keyed by row or case) for the row or case ``name``."""
    return {k: v for p in proofs() for k, v in getattr(p, part).get(name, {}).items()}


def pages(mode: FailureMode) -> dict[str, Minutes | None]:
    """Every alarm a row reaches ALARM with: its own ``alarms`` and what the units state for the row."""
    return {**mode.alarms, **stated("rows", mode.row)}


def low_traffic(mode: FailureMode) -> dict[str, Minutes | None]:
    """What differs on a low-traffic day: the row's ``low_traffic`` and what the units state for it."""
    return {**mode.low_traffic, **stated("low_traffic", mode.row)}


def not_at_low_traffic(mode: FailureMode) -> dict[str, str]:
    """Why a notifying alarm stays OK on a low-traffic day: the row's and the units' reasons."""
    return {**mode.not_at_low_traffic, **stated("not_at_low_traffic", mode.row)}


def conditions(mode: FailureMode) -> dict[str, str]:
    """A row's alarms that exist only in some configurations (``only_when``, and the units' own)."""
    keys = set(pages(mode)) | set(low_traffic(mode))
    units = {k: why for p in proofs() for k, why in p.only_when.items() if k in keys}
    return {**mode.only_when, **units}


def not_in_a_row() -> dict[str, str]:
    """Notifying alarms that no row makes fire, each with what covers it instead (a unit's PROOF.not_in_a_row),
    in one of three checkable shapes: "tests/scenarios/<file>.py::<test> ..." (a quiet scenario test that
    exists), "survivor '<a stated survivor>' ..." or "cannot: <why nothing can>". The unit guard
    (tests/unit/observability/test_unit_guard.py) fails on a notifying alarm that is in no row and not here, and
    on an entry of another shape or naming a test or survivor that does not exist."""
    return {k: why for p in proofs() for k, why in p.not_in_a_row.items()}


def by_row() -> dict[str, FailureMode]:
    return {m.row: m for m in MODES}
