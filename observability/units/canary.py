"""The outside-in check: a CloudWatch Synthetics canary (stacks/canary.py, us-east-1) calls the API through
CloudFront every 5 minutes, and ``api-unreachable`` pages when it cannot (failure-mode row l).

Every other alarm reads metrics the API publishes while it serves: when viewers cannot reach CloudFront at
all (DNS, certificate, a disabled distribution), every metric simply stops and no data reads as "no
traffic". The canary's own SuccessPercent is the one metric that keeps arriving: a failed run publishes 0.
A run that does not happen is not a failed one (missing data stays missing): a stopped canary is a blind
spot the dashboard shows (no runs), not a page, and a first deploy does not page before the first run.
The alarm lives in the canary's region (us-east-1), with the CloudFront and WAF alarms.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from observability import sections
from observability.model import Alarm, AlarmLine, Dimensions, Graph, Metric, Playbook
from observability.monitoring_config import MonitoringConfig
from observability.queries import SavedQuery
from observability.unit import Panel, Scope, UnitAlarms
from service.catalogue import RouteSpec

NS = "CloudWatchSynthetics"
RATE_MINUTES = 5  # one run every 5 minutes: 12 an hour, 8,760 a month
# Every canary request carries x-correlation-id "canary-<run start, UTC>-<route name>": short and plain
# enough for the service to keep it (service/request_state.py), found by the canary-requests query.
CORRELATION_PREFIX = "canary-"
HEALTH_PATH = "/health"

API_UNREACHABLE = Playbook(
    kind="api-unreachable",
    title="API unreachable from outside",
    meaning=(
        "The canary failed GET {health} or GET {read} through the API's public URL in 2 runs in a row. "
        "When nothing reaches CloudFront, every other alarm stays quiet: this is the "
        "outside-in view."
    ),
    first_checks=(
        "Synthetics console (us-east-1) > Canaries > the failed run's log: the status, or the DNS/TLS error",
        "DNS/TLS error: does the domain's record point at the distribution, is the certificate valid, "
        "is the distribution enabled?",
        "An error status: the CloudFront and home-region alarms tell which layer answered",
        "401/403 with api_keys: register the canary's key (scripts/api_keys.py add canary --from-secret "
        "<CanaryApiKeySecret output>)",
        "No run at all: aws synthetics get-canary (stopped? runtime retired?)",
    ),
    dashboard_section=sections.EDGE,
    saved_queries=("canary-requests",),
)


def targets(routes: tuple[RouteSpec, ...]) -> tuple[RouteSpec, ...]:
    """What the canary calls: the health route and one real read. The read is the first GET route
    without path parameters and without edge caching (a cached answer proves nothing about the
    origin): GET /orders in the kit's catalogue, one query per run (GET /orders/summary is cached and a
    full-table scan). Both need no body; with api_keys only /health is exempt, so the read proves the key."""
    health = [r for r in routes if r.method == "GET" and r.path == HEALTH_PATH]
    reads = [r for r in routes if r.method == "GET" and "{" not in r.path and r.cache is None and r not in health]
    return tuple(health + reads[:1])


@dataclass(frozen=True)
class CanaryAlarms(UnitAlarms):
    unreachable: Alarm | None  # only with the canary (config `canary`)


def dimensions(cfg: MonitoringConfig) -> Dimensions:
    # Synthetics publishes per canary under CanaryName; the name is fixed at synth (MonitoringConfig).
    return (("CanaryName", cfg.canary_name),)


def success_percent(cfg: MonitoringConfig) -> Metric:
    # Minimum: with two runs in one 5-minute period (schedule drift), a failed one still shows.
    return Metric(NS, "SuccessPercent", "Minimum", RATE_MINUTES * 60, dimensions(cfg))


def alarms(scope: Scope) -> CanaryAlarms:
    if not scope.cfg.canary:
        return CanaryAlarms(None)
    called = targets(scope.routes)
    return CanaryAlarms(
        Alarm(
            key="api-unreachable",
            playbook=API_UNREACHABLE,
            region="edge",
            metric=success_percent(scope.cfg),
            threshold=100,
            comparison="<",
            # 2 of 2 runs: one failed run can be the canary's own network; two in a row, 10 minutes, is not.
            evaluation_periods=2,
            datapoints_to_alarm=2,
            missing_data="missing",
            missing_data_why=(
                "a failed run publishes 0, so failures never go missing; a period without a run means the canary "
                "stopped (or has not run yet, right after a deploy), which says nothing about the API: the alarm "
                "goes to INSUFFICIENT_DATA instead of paging, and the dashboard's canary graph shows the gap. "
                "Check `aws synthetics get-canary-runs --name <canary>` when it does"
            ),
            condition="",
            context={"health": called[0].path if called else HEALTH_PATH, "read": called[-1].path if called else ""},
        )
    )


def saved_queries(scope: Scope) -> tuple[SavedQuery, ...]:
    return ()


def panels(scope: Scope, alarms: CanaryAlarms) -> tuple[Panel, ...]:
    """Drawn from us-east-1 in the Edge section: each run's success and how long it took."""
    if alarms.unreachable is None:
        return ()
    unreachable = alarms.unreachable
    row = (
        Graph(
            "Canary (outside-in, every 5 min): success % and run duration",
            left=(replace(unreachable.metric, label="success % (min)"),),
            right=(Metric(NS, "Duration", "Maximum", RATE_MINUTES * 60, dimensions(scope.cfg), label="run ms"),),
            lines=(AlarmLine(unreachable, "pages below {threshold:g} % twice in a row"),),
            edge=True,
            width=6,
            left_max=100,
        ),
    )
    return (Panel(sections.EDGE, (row,)),)
