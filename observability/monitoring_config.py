"""Tunables of the monitoring, with the reasoning behind each default."""

from __future__ import annotations

import zlib
from dataclasses import dataclass

from observability.model import Region, Severity
from service.contract import SERVICE_NAME

# The longest runbook_url accepted (settings/config.py checks it). CloudWatch caps AlarmDescription at
# 1,024 characters; every description keeps the full link (plus "#<anchor>") and trims its first checks
# to make room (observability/alarm_docs.py), which tests prove for every alarm at this length.
MAX_RUNBOOK_URL = 256


@dataclass(frozen=True)
class BurnWindow:
    """One SRE-workbook burn-rate pair: ALARM when both the long and the short window burn faster
    than ``factor`` x the error budget. The short window makes the alarm reset quickly once the
    problem stops; the long one keeps a brief spike from paging."""

    name: str  # "fast" / "slow"
    factor: float
    long_s: int
    short_s: int
    budget_spent: str  # what the factor means, for the runbook


# SRE workbook, "Alerting on SLOs", table 5-8 for a 30-day SLO: 14.4x over 1 h spends 2 % of the
# monthly budget in an hour (page); 6x over 6 h spends 5 % in six hours (page / ticket).
BURN_WINDOWS: tuple[BurnWindow, ...] = (
    BurnWindow("fast", 14.4, 3600, 300, "2 % of the 30-day error budget in 1 h"),
    BurnWindow("slow", 6.0, 6 * 3600, 1800, "5 % of the 30-day error budget in 6 h"),
)

# SRE workbook, same table: 1x over 3 days (short window 6 h) spends 10 % of the budget in 3 days: a leak
# nobody need be woken for, a ticket (observability/units/service_wide.py).
TICKET_WINDOW = BurnWindow("leak", 1.0, 3 * 86400, 6 * 3600, "10 % of the 30-day error budget in 3 days")


# Canary names are account+region unique; kept to Synthetics' historical 21 characters (its Lambda
# function is named cwsyn-<canary>-<id>), which every service name up to 21 characters fits as is.
MAX_CANARY_NAME = 21

# Lambda's default per-region concurrency quota: the account-concurrency alarm's 100 % unless configured.
DEFAULT_ACCOUNT_CONCURRENCY_LIMIT = 1000


@dataclass(frozen=True)
class MonitoringConfig:
    """Everything the alarms and dashboard need besides the resources themselves."""

    # The `service` dimension value (POWERTOOLS_SERVICE_NAME), and the prefix of alarm, dashboard and
    # topic names and the saved-query folder. Alarm names are account+region unique: give each stage
    # its own (e.g. "orders-api-staging").
    service_name: str = SERVICE_NAME
    # Reserved-concurrency utilisation that alarms (percent of the reserved value).
    concurrency_utilisation_pct: float = 80.0
    # Lambda Errors are crashes the resolver did not catch (timeouts, OOM, init failures): any is a bug.
    lambda_errors_threshold: int = 1
    burn_windows: tuple[BurnWindow, ...] = BURN_WINDOWS
    # Route latency is burned like availability (observability/units/route.py): the share of requests
    # slower than the SLO target against the percentile's budget (p99: 1 %), over the same window
    # pairs, with the same request floor. A window also needs at least `latency_min_slow` slow
    # requests: one cold start among ten requests is a 10 % slow share, a 10x burn on paper, but one
    # event. (A p99 over a handful of requests is their maximum: why latency is not judged as one.)
    latency_min_slow: int = 2
    # A burn-rate window reads 0 unless it holds at least `burn_min_requests` requests AND at least
    # `burn_min_faults` faults. SLO maths: at 99.9 % one 5xx among ten requests is a 10 % fault rate,
    # a 100x burn on paper; but it is one event, and a single failed request is no incident (the
    # errors-by-route query and, for crashes, lambda-errors show it). Two failures in the same window
    # are a pattern: they page when the rate is high enough. On a busy route the rate condition needs
    # far more than two faults anyway (14.4 x 0.1 % of 1,000 requests = 14.4), so only quiet routes
    # are affected.
    burn_min_requests: int = 10
    burn_min_faults: int = 2
    # Service-wide availability (observability/units/service_wide.py): what pages for users failing. Every
    # request the Function URL received counts (5xx answered by the function, crashes, timeouts, init
    # failures and 429 throttles are the failures), so all routes' traffic is judged together and a quiet
    # route adds its requests to the busy ones instead of being judged alone. The SLO is the strictest
    # availability of the catalogue unless set. A window needs `service_burn_min_faults` failures: one bad
    # request retried by its client (2-4 answers of 500) is a ticket for the route, never a page.
    service_availability: float | None = None
    service_burn_min_requests: int = 10
    service_burn_min_faults: int = 5
    # The budget-leak ticket (10 % of the budget in 3 days, SRE workbook).
    ticket_window: BurnWindow = TICKET_WINDOW
    # Cold starts (observability/units/lambda_function.py): the service's init (InitDuration, its imports) is
    # measured by the function and counted in the first request's latency. `init_min_slow` cold starts over
    # `init_budget_ms` within `init_window_s` ticket (one slow cold start is no regression). The world's
    # healthy init is 600 ms (tests/support/scenarios/world.py INIT_MS): +1 s crosses the budget. Set it to your
    # measured init plus a margin (saved query init-durations).
    init_budget_ms: int = 1200
    init_min_slow: int = 3
    init_window_s: int = 3600
    # Function URL (home region): the share of URL requests the URL answered without the function
    # (refused 4xx: IAM/OAC 403, throttling 429, unsigned body 403) or failed without a function answer
    # (5xx: crash, timeout, init failure), over 5 minutes with at least `url_min_requests` requests.
    url_min_requests: int = 10
    url_refused_pct: float = 20.0
    url_unanswered_5xx_pct: float = 5.0
    # CloudFront (us-east-1): percent of viewer requests answered 5xx / 4xx, over 5 minutes with at least
    # `cloudfront_min_requests` requests. 4xx is high on a healthy API (404s, validation, WAF blocks,
    # scanners): half of all requests is what an outage looks like (refusals, WAF false positives).
    cloudfront_min_requests: int = 20
    cloudfront_5xx_rate_pct: float = 5.0
    cloudfront_4xx_rate_pct: float = 50.0
    # Account concurrency (only when the function reserves none and shares the account pool): Lambda's
    # concurrency quota for the region (1,000 by default; new accounts often 10: `aws lambda
    # get-account-settings`), and the share of it claimed that alarms.
    account_concurrency_limit: int = DEFAULT_ACCOUNT_CONCURRENCY_LIMIT
    account_concurrency_pct: float = 80.0
    # WAF: blocked requests per 5 minutes that count as a spike worth a look. WAF's metrics can land a few
    # minutes late, and the newest 5-min period then holds only the minutes that have landed (2 of 5 at
    # 3 minutes late): 50 still catches a steady 25 blocks a minute, as a false positive on a quiet API's
    # traffic is (tests/scenarios row f on a low-traffic day).
    waf_blocked_per_5min: int = 50
    # Routes are spread over this many nested stacks by a stable hash of their name, so adding a
    # route never moves another route's (explicitly named) alarms between stacks (stacks/monitoring).
    route_stack_buckets: int = 4
    # Where on-call reads RUNBOOK.md (alarm descriptions link to its anchors).
    runbook_url: str = "RUNBOOK.md"
    # Shield Advanced protects the distribution: its DDoSDetected metric gets an alarm (us-east-1).
    shield_advanced: bool = False
    # The alias the Function URL invokes (SnapStart on), or None for the unqualified function: the
    # Lambda metrics of the code serving the URL are then read per alias (observability/units/lambda_function.py).
    function_alias: str | None = None
    # The outside-in canary (observability/units/canary.py) and its api-unreachable alarm exist.
    canary: bool = True
    # The custom domain's ACM certificate (us-east-1), when there is one: its expiry tickets.
    certificate_arn: str | None = None

    def __post_init__(self) -> None:
        if not 0 < self.concurrency_utilisation_pct <= 100:
            raise ValueError("concurrency_utilisation_pct must be in (0, 100]")
        if not 0 < self.account_concurrency_pct <= 100:
            raise ValueError("account_concurrency_pct must be in (0, 100]")
        if self.route_stack_buckets < 1:
            raise ValueError("route_stack_buckets must be >= 1")
        if self.service_availability is not None and not 0.9 <= self.service_availability < 1:
            raise ValueError("service_availability must be in [0.9, 1)")
        if self.account_concurrency_limit < 1:
            raise ValueError("account_concurrency_limit must be >= 1")

    @property
    def dashboard_name(self) -> str:
        return f"{self.service_name}-operations"

    @property
    def query_folder(self) -> str:
        return self.service_name

    def alarm_name(self, key: str) -> str:
        return f"{self.service_name}-{key}"

    @property
    def canary_name(self) -> str:
        """The canary's name, known at synth time so the home dashboard can draw its metrics: the service
        name, or when longer than 21 characters its start and a hash of the whole (stages stay apart)."""
        if len(self.service_name) <= MAX_CANARY_NAME:
            return self.service_name
        return f"{self.service_name[:12].rstrip('-')}-{zlib.crc32(self.service_name.encode()):08x}"

    def topic_name(self, region: Region, severity: Severity = "page") -> str:
        """One topic per severity per region. The page topics keep the names they always had."""
        kind = "alarms" if severity == "page" else "tickets"
        return f"{self.service_name}-{kind}" if region == "home" else f"{self.service_name}-edge-{kind}"
