"""The outside-in check: a CloudWatch Synthetics canary (stacks/canary.py, us-east-1) calls every route of the
API through CloudFront every 5 minutes, the write path included (it creates an order of the synthetic
customer, reads it and deletes it), and ``api-unreachable`` pages when a run fails twice in a row: a route
that is totally down pages within 8-11 minutes at any real traffic, none included (failure-mode rows l, m).

This is the synthetic traffic the SRE workbook prescribes for low-traffic services: a quiet internal API's
routes see a few requests an hour, too few for any burn-rate window, so the canary's requests are what
makes a dead route visible. They are marked (service/contract.py SYNTHETIC_*) so that they never mix with
real ones in the business summary or the real-traffic saved queries; they do count in the request metrics.

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
from observability.proof import Proof
from observability.queries import SavedQuery
from observability.unit import Panel, Scope, UnitAlarms
from service.catalogue import RouteSpec
from service.contract import SYNTHETIC_CUSTOMER

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
        "The canary failed one of its calls (each of the {called} routes, through the API's public URL) in 2 "
        "runs in a row. A route that is down for everyone, or an API nobody can reach, may be seen by no other "
        "alarm on a quiet day: this is the outside-in view."
    ),
    first_checks=(
        "Synthetics console (us-east-1) > Canaries > the failed run's log: the status, or the DNS/TLS error",
        "DNS/TLS error: does the domain's record point at the distribution, is the certificate valid, "
        "is the distribution enabled?",
        "An error status: the run's log names the route; its dashboard row and errors query show the rest",
        "401/403 with api_keys: register the canary's key (scripts/api_keys.py add canary --from-secret "
        "<CanaryApiKeySecret output>)",
        "No run at all: aws synthetics get-canary (stopped? runtime retired?)",
    ),
    dashboard_section=sections.EDGE,
    saved_queries=("canary-requests",),
)


UNREACHABLE = "api-unreachable"
# Its reach across the failure-mode matrix (observability/failure_modes.py): it pages too in every row whose
# failure its own requests meet (a call answered non-2xx through CloudFront, or no answer), on its second
# failed run: 8-11 minutes with the failure 3 minutes before a run (tests/support/scenarios/world.py decides
# from each row's shares whether a run fails). In row l, nothing reaches the API: it alone sees it.
PROOF = Proof(
    rows={row: {UNREACHABLE: (8, 11)} for row in ("a", "d", "e3", "f", "g", "h", "i1", "l", "m")},
    only_when={UNREACHABLE: "canary on"},
    survivors={
        f"{UNREACHABLE}: threshold 100 -> 10": (
            "cannot matter: a canary run's SuccessPercent is 0 or 100 (one script, passed or failed), so < 100 "
            "and < 10 select the same runs"
        ),
    },
)


def targets(routes: tuple[RouteSpec, ...]) -> tuple[RouteSpec, ...]:
    """What the canary calls: every route of the catalogue (the script orders them: plain reads, writes,
    reads of what it wrote, deletes). A cached route is called too: its failed answers are never cached,
    so an origin that fails shows within a TTL."""
    return tuple(routes)


def body() -> str:
    """The body of every write the canary makes: one order of the synthetic customer, worth nothing."""
    return (
        f'{{"customer_id":"{SYNTHETIC_CUSTOMER}","currency":"EUR",'
        '"items":[{"sku":"canary","quantity":1,"unit_price_cents":0}]}'
    )


CERTIFICATE_EXPIRY = Playbook(
    kind="certificate-expiry",
    title="Custom domain's certificate expires soon (ticket)",
    meaning=(
        "The ACM certificate of the API's custom domain expires in fewer than {days} days. ACM renews a "
        "DNS-validated certificate on its own from 60 days before expiry: still expiring means renewal is "
        "stuck (the validation CNAME was removed, or the certificate was imported). When it expires, "
        "viewers get a TLS error and only api-unreachable pages."
    ),
    first_checks=(
        "ACM console (us-east-1) > the certificate: renewal status and its eligibility",
        "DNS-validated: is the validation CNAME record still in the zone?",
        "Imported: import the renewed certificate under the same ARN",
    ),
    dashboard_section=sections.EDGE,
    saved_queries=("canary-requests",),
)
# ACM publishes DaysToExpiry once a day; it starts renewing 60 days out and warns (EventBridge) from 45.
CERTIFICATE_DAYS = 30


def certificate_alarm(cfg: MonitoringConfig) -> Alarm | None:
    """DaysToExpiry of the custom domain's certificate (config `certificate_arn`), us-east-1 like CloudFront's."""
    if not cfg.certificate_arn:
        return None
    return Alarm(
        key="certificate-expiry",
        playbook=CERTIFICATE_EXPIRY,
        region="edge",
        metric=Metric(
            "AWS/CertificateManager", "DaysToExpiry", "Minimum", 86400, (("CertificateArn", cfg.certificate_arn),)
        ),
        threshold=CERTIFICATE_DAYS,
        comparison="<",
        evaluation_periods=1,
        datapoints_to_alarm=1,
        missing_data="missing",
        missing_data_why=(
            "ACM publishes DaysToExpiry daily while the certificate exists; no data reads INSUFFICIENT_DATA, "
            "which tickets (a deleted certificate is a TLS outage waiting for its cache to expire)"
        ),
        condition="",
        severity="ticket",
        severity_why=(
            "weeks of warning: renewing is working-hours work. The day it expires, viewers get TLS errors "
            "and the canary pages (api-unreachable)"
        ),
        silence="ticket",
        context={"days": str(CERTIFICATE_DAYS)},
    )


@dataclass(frozen=True)
class CanaryAlarms(UnitAlarms):
    unreachable: Alarm | None  # only with the canary (config `canary`)
    certificate_expiry: Alarm | None = None  # only with a custom domain (config `certificate_arn`)


def dimensions(cfg: MonitoringConfig) -> Dimensions:
    # Synthetics publishes per canary under CanaryName; the name is fixed at synth (MonitoringConfig).
    return (("CanaryName", cfg.canary_name),)


def success_percent(cfg: MonitoringConfig) -> Metric:
    # Minimum: with two runs in one 5-minute period (schedule drift), a failed one still shows.
    return Metric(NS, "SuccessPercent", "Minimum", RATE_MINUTES * 60, dimensions(cfg))


def alarms(scope: Scope) -> CanaryAlarms:
    if not scope.cfg.canary:
        return CanaryAlarms(None, certificate_alarm(scope.cfg))
    called = targets(scope.routes)
    return CanaryAlarms(
        Alarm(
            key=UNREACHABLE,
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
                "stopped (or has not run yet, right after a deploy), which says nothing about the API: no page. "
                "Every period of the evaluation range without a run reads INSUFFICIENT_DATA, and that tickets "
                "(no outside-in check is a blind spot to fix in working hours); the first deploy starts in "
                "INSUFFICIENT_DATA, which is no transition and notifies nobody"
            ),
            condition="",
            silence="ticket",
            context={"called": str(len(called))},
        ),
        certificate_alarm(scope.cfg),
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
