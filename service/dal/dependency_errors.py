"""Dependency errors as domain exceptions: what went wrong with DynamoDB, without HTTP.

`classify` names the cause of any exception (walking its __cause__/__context__ chain, because
libraries such as Powertools' idempotency wrap the botocore error) as one of contract.ERROR_KINDS;
service/problem_mapping.py turns that into a status code. This is the one place that knows which
botocore errors are throttling, outages or timeouts.
"""

from __future__ import annotations

from service import contract

# DynamoDB's throttling error codes (HTTP 400) and its server-side ones (HTTP 5xx).
THROTTLING_CODES = frozenset({"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"})
UNAVAILABLE_CODES = frozenset({"InternalServerError", "ServiceUnavailable", "InternalFailure"})
# Retry-After (seconds) on a 503: throttling and outages clear in seconds; a deadline is a slow
# dependency, worth another try soon. Clients should add jitter.
RETRY_AFTER_S: dict[str, int] = {
    contract.ERROR_KIND_THROTTLED: 1,
    contract.ERROR_KIND_UNAVAILABLE: 2,
    contract.ERROR_KIND_DEADLINE: 1,
}


class DependencyError(Exception):
    """A dependency failed in a way that is not the request's fault and may pass: retry later."""

    kind: str = contract.ERROR_KIND_UNAVAILABLE


class DependencyThrottled(DependencyError):
    kind = contract.ERROR_KIND_THROTTLED


class DependencyUnavailable(DependencyError):
    kind = contract.ERROR_KIND_UNAVAILABLE


class DeadlineExceeded(DependencyError):
    """The request's time budget ran out while (or before) waiting on a dependency."""

    kind = contract.ERROR_KIND_DEADLINE


def classify(exc: BaseException) -> str:
    """The error kind of an exception: a dependency fault found anywhere in its chain, else a bug."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        kind = _kind_of(current)
        if kind is not None:
            return kind
        current = current.__cause__ or current.__context__
    return contract.ERROR_KIND_BUG


def _kind_of(exc: BaseException) -> str | None:
    if isinstance(exc, DependencyError):
        return exc.kind
    # botocore is imported lazily: this module must stay cheap to import.
    from botocore.exceptions import ClientError, HTTPClientError
    from botocore.exceptions import ConnectionError as BotocoreConnectionError

    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        code = error.get("Code", "")
        if code in THROTTLING_CODES:
            return contract.ERROR_KIND_THROTTLED
        if code in UNAVAILABLE_CODES or status >= 500:
            return contract.ERROR_KIND_UNAVAILABLE
        return None  # a 4xx of ours (validation, missing table, access denied): a bug, not an outage
    # Connection refused/reset, connect and read timeouts, connection closed mid-response.
    if isinstance(exc, BotocoreConnectionError | HTTPClientError):
        return contract.ERROR_KIND_UNAVAILABLE
    return None
