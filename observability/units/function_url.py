"""The Lambda Function URL (AuthType AWS_IAM, CloudFront's origin): what the URL answered without
the function.

AWS/Lambda publishes ``UrlRequestCount``, ``Url4xxCount`` and ``Url5xxCount`` per function (dimension
``FunctionName``, home region). They count every request the URL received, including those it
answered itself: a refused signature or missing permission (403), a throttle (429), a crash, timeout
or init failure (5xx, no access line). What the URL answered *without* the function is read on the same
clock, AWS/Lambda's own: a request the URL refused was never an invocation (``UrlRequestCount -
Invocations``), and a 5xx the function never answered is a function error (``Errors``: crash, timeout,
init failure). These are the outages the function's own telemetry cannot see.

One clock, on purpose. The service's EMF counts (``ClientError``, ``Fault``) would tell the function's
own answers apart too, but they land minutes after AWS/Lambda's (log delivery and metric extraction;
6-10 minutes on a bad day), and until they have landed the service's own 4xx and 5xx read as "answered by
the URL": a busy healthy day's 404s and 422s paged as refusals with EMF 6 minutes late. Read on one
clock, a late minute is missing from every input alike and the share never skews, whatever the lag.

Every input but ``UrlRequestCount`` is FILLed with 0 (Url4xxCount/Url5xxCount are sparse; Invocations and
Errors are missing in a minute without invocations, where zero is the truth); the request count is the floor
and the denominator, and a window below the floor has no datapoint (IF without a false value), which the
alarms treat as not breaching. The alarms need 2 of 2 five-minute periods: a share that holds for 10
minutes is an outage, a client's burst of a few refused requests inside one quiet period is not (a real
refusal or crash breaches both periods within about 6 minutes).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from observability import causes, sections
from observability.emf import service_metric
from observability.model import ORANGE, RED, Alarm, AlarmLine, Expression, Graph, Metric, Playbook
from observability.monitoring_config import MonitoringConfig
from observability.queries import SavedQuery
from observability.unit import Panel, Scope, UnitAlarms
from observability.units import lambda_function
from service.contract import METRIC_REQUESTS

PERIOD_S = 300


def metric(name: str, period_s: int = PERIOD_S, label: str | None = None) -> Metric:
    """A URL counter, function-wide (AWS/Lambda, FunctionName only: lambda_function.metric)."""
    return lambda_function.metric(name, "Sum", period_s, label=label)


REFUSED = Playbook(
    kind="function-url-refused",
    title="Function URL refusing requests",
    meaning=(
        "{threshold} % or more of the Function URL's requests got a 4xx the function never answered. "
        "403: CloudFront's OAC signature or its invoke permissions refused (stale after a replacement, "
        "wrong SourceArn), or a body without x-amz-content-sha256; 429: throttled. Viewers get a 4xx "
        "from CloudFront; the function logs nothing."
    ),
    first_checks=(
        "Lambda throttles alarm or Concurrency section at the reserved line? Then it is throttling (429)",
        "Otherwise permissions: do the function's policy statements (aws lambda get-policy) name this "
        "distribution? After a replacement redeploy EdgeAccess (make deploy)",
        "Only requests with a body refused? Clients without x-amz-content-sha256 (README)",
    ),
    dashboard_section=sections.EDGE,
    saved_queries=("requests-by-route-and-status",),
)

UNANSWERED = Playbook(
    kind="function-url-5xx-unanswered",
    title="Function URL 5xx the function never answered",
    meaning=(
        "{threshold} % or more of the Function URL's requests ended in a 5xx that the service did not "
        "answer itself (no access line): the function crashed, timed out, ran out of memory or failed "
        "to initialise (e.g. an import error after a deploy). Viewers get 502 from CloudFront."
    ),
    first_checks=(
        "Lambda section: Errors up? Duration at the timeout = timeouts; cold starts failing = init errors",
        "Log group: 'Task timed out', 'Runtime exited', 'INIT_REPORT' lines (not JSON)",
        "Recent deploy or layer change? Roll back if it correlates",
    ),
    dashboard_section=sections.LAMBDA,
    saved_queries=("recent-errors",),
)

_BELOW_FLOOR_WHY = (
    "the expression has no datapoint below {floor} URL requests in 5 minutes (no traffic, or too little "
    "to judge a share): no evidence of failure"
)


def _share(cfg: MonitoringConfig, status: str, label: str) -> Expression:
    """100 x (what the URL answered {status} without the function) / URL requests, with the request floor:
    4xx, the requests that were never an invocation; 5xx, the invocations that ended in a function error."""
    floor = cfg.url_min_requests
    answered = "(requests - FILL(invocations, 0))" if status == "4xx" else "FILL(errors, 0)"
    # The code the URL invokes (the alias with SnapStart): a console test of $LATEST is no URL request.
    name = "Invocations" if status == "4xx" else "Errors"
    inputs = {name.lower(): lambda_function.served_metric(cfg, name, "Sum", PERIOD_S)}
    return Expression(
        f"IF(requests >= {floor}, 100 * {answered} / requests)",
        {"requests": metric("UrlRequestCount"), **inputs},
        period_s=PERIOD_S,
        label=label,
    )


_CONDITION = {
    "4xx": "100 x (UrlRequestCount - Sum(Invocations)) / UrlRequestCount",
    "5xx": "100 x Sum(Errors) / UrlRequestCount",
}


def _share_alarm(cfg: MonitoringConfig, playbook: Playbook, status: str, label: str, threshold: float) -> Alarm:
    """Alarm on the share of URL requests answered {status} without the function (:func:`_share`)."""
    floor = cfg.url_min_requests
    return Alarm(
        key=playbook.kind,
        playbook=playbook,
        region="home",
        metric=_share(cfg, status, label),
        threshold=threshold,
        comparison=">=",
        # 2 of 2 five-minute periods (module docstring: sustained, not one burst).
        evaluation_periods=2,
        datapoints_to_alarm=2,
        missing_data="notBreaching",
        missing_data_why=_BELOW_FLOOR_WHY.format(floor=floor),
        condition=f"% of URL requests ({_CONDITION[status]})",
        context={"threshold": f"{threshold:g}"},
    )


HEARTBEAT = Playbook(
    kind="telemetry-heartbeat",
    title="Telemetry stopped while requests flow (ticket)",
    meaning=(
        "The Function URL received {floor} or more requests in each of two 15-minute periods and the "
        "service published no EMF Requests in either: the alarms and dashboard rows that read the service's "
        "own metrics are blind (a silent route reads the same as an idle one). Causes: the access line no "
        "longer reaches the log (a log level or log format change, a broken EMF block, metrics disabled), "
        "or every request fails before it (then the URL's 5xx and refused shares page)."
    ),
    first_checks=(
        "Function URL section: requests without 'answered by the service'? The URL's refused or 5xx share up?",
        "Log group: do access lines still arrive, and do they carry an `_aws` block?",
        "Recent config change: POWERTOOLS_METRICS_DISABLED, POWERTOOLS_DEV, a log level or LogFormat?",
    ),
    dashboard_section=sections.EDGE,
    saved_queries=("requests-by-route-and-status",),
)
HEARTBEAT_PERIOD_S = 900


def heartbeat_alarm(cfg: MonitoringConfig) -> Alarm:
    """URL requests flowing and no EMF Requests, in 2 of 2 fifteen-minute periods. The older period ended
    15 minutes before the evaluation, by when EMF has landed whatever its lag: a skew never breaches it."""
    floor = cfg.url_min_requests
    return Alarm(
        key="telemetry-heartbeat",
        playbook=HEARTBEAT,
        region="home",
        metric=Expression(
            f"IF(requests >= {floor} AND FILL(answered, 0) == 0, 1, 0)",
            {
                "requests": metric("UrlRequestCount", HEARTBEAT_PERIOD_S),
                "answered": service_metric(cfg, METRIC_REQUESTS, "Sum", period_s=HEARTBEAT_PERIOD_S),
            },
            period_s=HEARTBEAT_PERIOD_S,
            label="URL requests without telemetry",
        ),
        threshold=1,
        comparison=">=",
        evaluation_periods=2,
        datapoints_to_alarm=2,
        missing_data="notBreaching",
        missing_data_why="no URL requests, no heartbeat expected",
        condition="URL requests without any EMF Requests (1 when so)",
        severity="ticket",
        severity_why=causes.HEARTBEAT,
        context={"floor": str(floor)},
    )


@dataclass(frozen=True)
class FunctionUrlAlarms(UnitAlarms):
    refused: Alarm
    unanswered: Alarm
    heartbeat: Alarm


def alarms(scope: Scope) -> FunctionUrlAlarms:
    cfg = scope.cfg
    return FunctionUrlAlarms(
        refused=_share_alarm(cfg, REFUSED, "4xx", "% refused by the URL", cfg.url_refused_pct),
        unanswered=_share_alarm(cfg, UNANSWERED, "5xx", "% 5xx without a function answer", cfg.url_unanswered_5xx_pct),
        heartbeat=heartbeat_alarm(cfg),
    )


def saved_queries(scope: Scope) -> tuple[SavedQuery, ...]:
    return ()


def panels(scope: Scope, alarms: FunctionUrlAlarms) -> tuple[Panel, ...]:
    """Home-region graphs in the Edge section, below CloudFront's: the URL's requests against the
    service's (requests that never reach the function), and the two alarm shares."""
    cfg, refused, unanswered = scope.cfg, alarms.refused, alarms.unanswered
    row = (
        Graph(
            "Function URL requests vs answered by the service / 5 min",
            left=(
                metric("UrlRequestCount", label="URL requests"),
                service_metric(cfg, METRIC_REQUESTS, "Sum", period_s=PERIOD_S, label="answered by the service"),
            ),
            width=6,
        ),
        Graph(
            "Answered by the URL without the function, % of URL requests",
            left=(
                replace(refused.metric, label="refused 4xx %", color=ORANGE),
                replace(unanswered.metric, label="unanswered 5xx %", color=RED),
            ),
            lines=(
                AlarmLine(refused, "refused alarm {threshold:g} %", color=ORANGE),
                AlarmLine(unanswered, "5xx alarm {threshold:g} %"),
            ),
            width=6,
        ),
    )
    return (Panel(sections.EDGE, (row,)),)
