"""Why each cause alarm tickets rather than pages (RUNBOOK.md prints these beside the alarm).

The rule: page for what users feel (the service-wide burn, the edge's error rates, the Function URL's
refusals and unanswered 5xx, the outside-in canary); ticket a cause unless it is the only signal of user
impact. Each text below names what pages when the cause does hurt users.
"""

from __future__ import annotations

CAUSE_NEAR_LIMIT = (
    "near the concurrency limit nobody is refused yet; once requests are throttled (429) they count as "
    "failures in the service burn, which pages"
)
CAUSE_THROTTLES = (
    "a throttled request is a 429 the client may retry; a few in a burst are no incident. Sustained "
    "throttling counts in the service burn (5xx + 429) and the URL-refused share, which page"
)
CAUSE_ERRORS = (
    "one crash, timeout or init failure is one failed request (a bug to fix); when they repeat, the "
    "service burn (Url5xxCount counts them) and the URL's unanswered-5xx share page"
)
CAUSE_DDB_THROTTLES = (
    "botocore retries throttled calls, and most succeed: a throttle event is no failed request. Requests "
    "that still fail answer 503 and count in the service burn, which pages"
)
CAUSE_DDB_ERRORS = (
    "a DynamoDB system error is retried by botocore; requests that still fail answer 503 and page through "
    "the service burn and the canary's calls"
)
CAUSE_WAF = (
    "blocked requests are usually the WAF doing its job (a scanner, a rate-limited client). A rule that "
    "blocks legitimate traffic is felt as 4xx at the edge (cloudfront-4xx-rate) and by the canary, which page"
)
CAUSE_DDOS = "Shield Advanced mitigates at the edge; an attack users feel shows as 5xx or throttling, which page"
ROUTE_BURN = (
    "a single route's traffic is often too thin to tell one retried bad request from an outage (at a few "
    "requests an hour no window can). Users failing on any route page through the service burn (all routes "
    "together) and the canary, which calls every route every 5 minutes; this ticket finds the route"
)
ROUTE_LATENCY = (
    "slow answers are answers: the route's users wait, nobody fails. It is fixed in working hours, and "
    "total slowness past the canary's timeout pages through api-unreachable"
)
INIT_SLOW = (
    "a slower init makes the first request of each new environment wait longer (its latency includes the "
    "init, so the route's latency tickets too); nobody fails. An init that fails or outlasts the timeout "
    "answers 5xx, which the service burn and the URL's unanswered-5xx share page"
)
HEARTBEAT = (
    "blind telemetry hurts nobody by itself; the failures it could hide still page through the URL's own "
    "counters (service burn, refused and unanswered-5xx shares) and the canary"
)
