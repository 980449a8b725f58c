"""The failure-mode matrix: for each way the API breaks, what the viewer sees, which metrics move, which
alarms page and after how many minutes (plain data; RUNBOOK.md and README render it).

The minutes are not estimates: ``tests/scenarios`` synthesizes the app, feeds each mode's per-minute
metrics (``tests/scenarios/world.py``) to the offline CloudWatch evaluator (``tests/alarms``) and fails
unless exactly these notifying alarms reach ALARM, each exactly this many minutes after the failure
starts. Minutes count from the first failing minute to the evaluation that goes to ALARM, without
CloudWatch's ingestion delay (real pages come about 1-3 minutes later).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# Route alarm keys name a route as {route}; ROUTES_CALLING_DYNAMODB etc. say which routes are meant.
ROUTE = "{route}"


@dataclass(frozen=True)
class FailureMode:
    row: str  # "a", "b", ... (issue 8's rows; extra rows continue the alphabet)
    title: str
    example: str  # a concrete cause
    viewer_sees: str  # status and who answers it (CloudFront or the Function URL or the function)
    metrics_move: str
    # Alarm key -> minutes from the failure's start to ALARM. Keys with {route} stand for every route
    # in ``routes``. Only notifying alarms (composites, not their windows) are listed; every other
    # notifying alarm must stay out of ALARM.
    pages: Mapping[str, int]
    routes: str = ""  # which routes {route} means: "all", "dynamodb" (every route but health)
    note: str = ""
    # Keys that exist only in one configuration (the reserved-concurrency alarm or the account one).
    only_when: Mapping[str, str] = field(default_factory=dict)


# orders_summary's SLO is 99 % (budget 1 %): the same fault rate burns its budget 10x slower than a
# 99.9 % route's, so its burn-rate alarms page later (14.4x of 1 % is a 14.4 % fault rate over the hour).
SUMMARY_FAST = "route-orders_summary-fast-burn"
SUMMARY_SLOW = "route-orders_summary-slow-burn"
RESERVED = "concurrency reserved"
NOT_RESERVED = "concurrency not reserved"
_CONFIG_ALARMS = {"lambda-concurrency-utilisation": RESERVED, "lambda-account-concurrency": NOT_RESERVED}

MODES: tuple[FailureMode, ...] = (
    FailureMode(
        row="a",
        title="CloudFront cannot invoke the function",
        example="the EdgeAccess permission names an old function or distribution; a wrong SourceArn",
        viewer_sees="403 from the Function URL, passed on by CloudFront as a 4xx; the function never runs",
        metrics_move="CloudFront 4xxErrorRate to 100 %; Url4xxCount = UrlRequestCount; no EMF, no Invocations",
        pages={"function-url-refused": 1, "cloudfront-4xx-rate": 8},
    ),
    FailureMode(
        row="b",
        title="Throttling at reserved (or account) concurrency",
        example="a traffic surge or a slow dependency holding executions",
        viewer_sees="429 from the Function URL for 40 % of requests (a 4xx at CloudFront); the rest are served",
        metrics_move=(
            "Throttles > 0; ConcurrentExecutions at the reserved value (ClaimedAccountConcurrency at the "
            "account limit when not reserved); Url4xxCount up without EMF ClientError"
        ),
        pages={
            "lambda-throttles": 1,
            "lambda-concurrency-utilisation": 2,
            "lambda-account-concurrency": 2,
            "function-url-refused": 3,
            "cloudfront-4xx-rate": 10,
        },
        only_when=_CONFIG_ALARMS,
    ),
    FailureMode(
        row="c",
        title="Function timeout",
        example="the orders_summary scan outgrows the Lambda timeout",
        viewer_sees="502 from the Function URL on that route (CloudFront passes it on); other routes fine",
        metrics_move="Lambda Errors, Duration at the timeout; Url5xxCount without EMF Fault; no access line",
        pages={"lambda-errors": 1, "function-url-5xx-unanswered": 2, "cloudfront-5xx-rate": 7},
    ),
    FailureMode(
        row="d",
        title="Function crash or init failure",
        example="an import error after a deploy: every invocation fails during init",
        viewer_sees="502 from the Function URL on every request (through CloudFront)",
        metrics_move="Lambda Errors = Invocations; Url5xxCount = UrlRequestCount; no EMF at all",
        pages={"lambda-errors": 1, "function-url-5xx-unanswered": 1, "cloudfront-5xx-rate": 6},
    ),
    FailureMode(
        row="e1",
        title="DynamoDB throttling",
        example="a hot partition key, or traffic past twice the table's previous peak",
        viewer_sees="500 from the function (problem+json) on half the requests of routes that call DynamoDB; slow",
        metrics_move=(
            "Read/WriteThrottleEvents; EMF Fault and Latency on the DynamoDB routes; Url5xxCount = EMF Fault"
        ),
        pages={
            "dynamodb-throttles": 1,
            "route-{route}-fast-burn": 2,
            "route-{route}-slow-burn": 1,
            SUMMARY_FAST: 18,
            SUMMARY_SLOW: 9,
            "route-{route}-latency": 11,
            "cloudfront-5xx-rate": 6,
        },
        routes="dynamodb",
    ),
    FailureMode(
        row="e2",
        title="DynamoDB unavailable",
        example="a regional DynamoDB event",
        viewer_sees="500 from the function on every route that calls DynamoDB",
        metrics_move="DynamoDB SystemErrors; EMF Fault on the DynamoDB routes; Url5xxCount = EMF Fault",
        pages={
            "dynamodb-system-errors": 6,
            "route-{route}-fast-burn": 1,
            "route-{route}-slow-burn": 1,
            SUMMARY_FAST: 9,
            SUMMARY_SLOW: 4,
            "cloudfront-5xx-rate": 6,
        },
        routes="dynamodb",
    ),
    FailureMode(
        row="f",
        title="A WAF rule blocks legitimate traffic",
        example="a managed rule's false positive on a common request shape",
        viewer_sees="403 from CloudFront (WAF) for 80 % of requests; the function sees the rest",
        metrics_move="WAF BlockedRequests; CloudFront 4xxErrorRate; URL and EMF requests drop",
        pages={"waf-blocked-spike": 3, "cloudfront-4xx-rate": 8},
    ),
    FailureMode(
        row="g",
        title="Traffic stops reaching the function while CloudFront still receives it",
        example="the edge API-key function refuses every key (KeyValueStore emptied or detached)",
        viewer_sees="401/403 from CloudFront (the viewer-request function); the origin is never called",
        metrics_move="CloudFront Requests steady, 4xxErrorRate to 100 %; home region: no URL requests, no EMF",
        pages={"cloudfront-4xx-rate": 8},
        note=(
            "No alarm can compare CloudFront requests (us-east-1) with URL requests (home): an alarm reads "
            "only its own region. The viewer always gets a CloudFront 4xx or 5xx when the origin is not "
            "reached, so the us-east-1 rate alarms catch it; the dashboard shows both request counts."
        ),
    ),
    FailureMode(
        row="h",
        title="CloudFront 5xx without the function",
        example="the distribution's origin is a Function URL domain that no longer exists (DNS failure)",
        viewer_sees="502 from CloudFront; the Function URL receives nothing",
        metrics_move="CloudFront 5xxErrorRate to 100 %; home region: no URL requests, no EMF",
        pages={"cloudfront-5xx-rate": 6},
    ),
    FailureMode(
        row="i1",
        title="Replacement leaves the Lambda permissions on the old function",
        example="the function was replaced; EdgeAccess was not redeployed, so its permissions name the old ARN",
        viewer_sees="403 from the new Function URL (through CloudFront), as in (a)",
        metrics_move=(
            "Url4xxCount under the new FunctionName, which the home alarms (still on the old name) do not "
            "read; CloudFront 4xxErrorRate to 100 %"
        ),
        pages={"cloudfront-4xx-rate": 8},
        note="The home-region alarms watch the old FunctionName until Monitoring is redeployed: only the edge pages.",
    ),
    FailureMode(
        row="i2",
        title="Replacement leaves alarms and dashboard on the old function",
        example="the function was replaced and serves fine; Monitoring was not redeployed",
        viewer_sees="normal answers",
        metrics_move="AWS/Lambda metrics under the new FunctionName; the alarms' FunctionName publishes nothing",
        pages={},
        note=(
            "Nothing pages, and nothing would: every AWS/Lambda alarm reads a name that no longer publishes "
            "(no data = OK). Only `make verify` (every stack's references checked against live resources) "
            "finds it; the EMF alarms (route, Function URL shares) keep working because they read {service}."
        ),
    ),
    FailureMode(
        row="j",
        title="Every route answers 5xx",
        example="a deploy with a bug in shared code that the resolver turns into 500s",
        viewer_sees="500 from the function (problem+json) on every route",
        metrics_move="EMF Fault = Requests on every route; Url5xxCount = EMF Fault; no Lambda Errors",
        pages={
            "route-{route}-fast-burn": 1,
            "route-{route}-slow-burn": 1,
            SUMMARY_FAST: 9,
            SUMMARY_SLOW: 4,
            "cloudfront-5xx-rate": 6,
        },
        routes="all",
    ),
    FailureMode(
        row="k",
        title="Every route slower than its SLO",
        example="memory (and so CPU) lowered, or a slow layer after a deploy",
        viewer_sees="correct answers, slowly",
        metrics_move="EMF Latency above each route's SLO; Duration up",
        pages={"route-{route}-latency": 11},
        routes="all",
    ),
)


def by_row() -> dict[str, FailureMode]:
    return {m.row: m for m in MODES}
