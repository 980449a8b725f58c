"""What AWS publishes itself: each platform metric (namespace, name, the dimension sets it comes under)
and when, as one model for the three places that speak of it:

- the units read only these (tests/unit/observability/test_unit_guard.py names this file for any other);
- the local server publishes them from what it observed (:class:`PlatformMetrics`, into local.telemetry's
  Recorder or any other :class:`Sink`);
- the scenario world publishes them per minute (tests/support/scenarios/world.py;
  tests/scenarios/test_world_publishes.py holds it to this list).

The service's own metrics (EMF, service/contract.py) are not here: the service decides those.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

FN = ("FunctionName",)
ALIAS = ("FunctionName", "Resource")  # invoked through an alias (snap_start): also published per alias
TABLE = ("TableName",)
PER_OPERATION = ("Operation", "TableName")
DISTRIBUTION = ("DistributionId", "Region")  # Region=Global, us-east-1 only
WEB_ACL = ("Rule", "WebACL")  # a CLOUDFRONT-scope web ACL: no Region dimension
CANARY = ("CanaryName",)


@dataclass(frozen=True)
class Published:
    namespace: str
    name: str
    dimensions: tuple[tuple[str, ...], ...]  # each dimension set (sorted names) it is published under
    when: str  # when a datapoint exists: what decides missing data for an alarm on it


_ON_INVOKE = "with every invocation minute, 0 included"
_SPARSE = "only in minutes when it happens (no zeros)"
_ON_URL = "in minutes with Function URL requests"

PUBLISHED: tuple[Published, ...] = (
    Published("AWS/Lambda", "UrlRequestCount", (FN,), _ON_URL),
    Published("AWS/Lambda", "UrlRequestLatency", (FN,), _ON_URL),
    Published("AWS/Lambda", "Url4xxCount", (FN,), _SPARSE),
    Published("AWS/Lambda", "Url5xxCount", (FN,), _SPARSE),
    Published("AWS/Lambda", "Invocations", (FN, ALIAS), _ON_INVOKE),
    Published("AWS/Lambda", "Errors", (FN, ALIAS), _ON_INVOKE),
    Published("AWS/Lambda", "Throttles", (FN, ALIAS), _ON_INVOKE),
    Published("AWS/Lambda", "Duration", (FN, ALIAS), "with every invocation"),
    Published("AWS/Lambda", "ConcurrentExecutions", (FN,), "while the function runs"),
    Published("AWS/Lambda", "ClaimedAccountConcurrency", ((),), "while functions of the region run"),
    Published("AWS/DynamoDB", "SuccessfulRequestLatency", (PER_OPERATION,), "with every successful request"),
    Published("AWS/DynamoDB", "ThrottledRequests", (PER_OPERATION,), _SPARSE),
    Published("AWS/DynamoDB", "ReadThrottleEvents", (TABLE,), _SPARSE),
    Published("AWS/DynamoDB", "WriteThrottleEvents", (TABLE,), _SPARSE),
    Published("AWS/DynamoDB", "SystemErrors", (PER_OPERATION,), _SPARSE),
    Published("AWS/DynamoDB", "UserErrors", ((),), _SPARSE + "; account-wide, per region"),
    Published("AWS/CloudFront", "Requests", (DISTRIBUTION,), "in minutes with requests"),
    Published("AWS/CloudFront", "4xxErrorRate", (DISTRIBUTION,), "in minutes with requests"),
    Published("AWS/CloudFront", "5xxErrorRate", (DISTRIBUTION,), "in minutes with requests"),
    Published(
        "AWS/CloudFront", "CacheHitRate", (DISTRIBUTION,), "in minutes with requests (a monitoring subscription)"
    ),
    Published("AWS/WAFV2", "AllowedRequests", (WEB_ACL,), _SPARSE),
    Published("AWS/WAFV2", "BlockedRequests", (WEB_ACL,), _SPARSE),
    Published("CloudWatchSynthetics", "SuccessPercent", (CANARY,), "once per canary run"),
    Published("CloudWatchSynthetics", "Duration", (CANARY,), "once per canary run"),
    Published("AWS/DDoSProtection", "DDoSDetected", (("ResourceArn",),), "per minute, 0 or 1, with Shield Advanced"),
    Published(
        "AWS/CertificateManager", "DaysToExpiry", (("CertificateArn",),), "once a day while the certificate exists"
    ),
)
_BY_KEY = {(p.namespace, p.name, dims): p for p in PUBLISHED for dims in p.dimensions}


def published(namespace: str, name: str, dimensions: tuple[str, ...] | frozenset[str]) -> Published | None:
    """The entry for a metric under one dimension set (names, any order), None when AWS publishes no such thing."""
    return _BY_KEY.get((namespace, name, tuple(sorted(dimensions))))


class Sink(Protocol):
    """Where published values go (local.telemetry.Recorder)."""

    def add(self, namespace: str, name: str, dimensions: Mapping[str, str], value: float) -> None: ...


# DynamoDB operations that read (ReadThrottleEvents); every other operation writes.
READ_OPERATIONS = frozenset({"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"})


class PlatformMetrics:
    """The metrics AWS publishes itself (``AWS/Lambda``, the Function URL's, ``AWS/DynamoDB``), from what
    the local server observed: every URL answer, invocation, throttle and DynamoDB call."""

    def __init__(self, recorder: Sink, function_name: str) -> None:
        self.recorder = recorder
        self.function = {"FunctionName": function_name}

    def url_answered(self, status: int, latency_ms: float) -> None:
        """A response of the Function URL, whoever answered it (the function, a throttle, a refusal)."""
        add = self.recorder.add
        add("AWS/Lambda", "UrlRequestCount", self.function, 1)
        add("AWS/Lambda", "UrlRequestLatency", self.function, latency_ms)
        if 400 <= status < 500:
            add("AWS/Lambda", "Url4xxCount", self.function, 1)
        elif status >= 500:
            add("AWS/Lambda", "Url5xxCount", self.function, 1)

    def throttled(self) -> None:
        self.recorder.add("AWS/Lambda", "Throttles", self.function, 1)

    def invoked(self, duration_ms: float, *, error: bool, concurrent: int) -> None:
        """One invocation: Errors counts those that failed outside the handler's answer (crash, timeout)."""
        add = self.recorder.add
        add("AWS/Lambda", "Invocations", self.function, 1)
        add("AWS/Lambda", "Errors", self.function, 1 if error else 0)
        add("AWS/Lambda", "Duration", self.function, duration_ms)
        add("AWS/Lambda", "ConcurrentExecutions", self.function, concurrent)

    def dynamodb_call(self, table: str | None, operation: str | None, outcome: str, latency_ms: float) -> None:
        """One DynamoDB HTTP call as the table's metrics count it. ``outcome``: ok, throttled, system_error
        (DynamoDB's 5xx), user_error (another 4xx) or reset (no answer: DynamoDB saw nothing)."""
        if not table or not operation:
            return
        add, per_op = self.recorder.add, {"TableName": table, "Operation": operation}
        if outcome == "ok":
            add("AWS/DynamoDB", "SuccessfulRequestLatency", per_op, latency_ms)
        elif outcome == "throttled":
            add("AWS/DynamoDB", "ThrottledRequests", per_op, 1)
            side = "ReadThrottleEvents" if operation in READ_OPERATIONS else "WriteThrottleEvents"
            add("AWS/DynamoDB", side, {"TableName": table}, 1)
        elif outcome == "system_error":
            add("AWS/DynamoDB", "SystemErrors", per_op, 1)
        elif outcome == "user_error":
            add("AWS/DynamoDB", "UserErrors", {}, 1)
