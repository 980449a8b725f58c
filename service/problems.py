"""RFC 9457 problem details: the one error shape every non-2xx answer uses.

"Problem" is the one name for it: the document built here (``problem_details``), its JSON text
(``problem_body``), the exception a route raises for one (``ProblemError``) and the response the
resolver sends (service/problem_mapping.py). The WAF's custom response bodies (stacks/edge/waf.py)
are built here too; cloudfront_functions/api_key.js keeps its own builder, and
tests/cloudfront_functions/test_problem_shape.py keeps the two alike. Plain Python (no Powertools): the CDK
app imports it.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

PROBLEM_CONTENT_TYPE = "application/problem+json"


class ProblemError(Exception):
    """Raise from a route or middleware to answer with a problem-details response."""

    def __init__(
        self, status: int, detail: str, *, extra: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.extra = extra or {}
        self.headers = headers or {}


def problem_details(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    correlation_id: str | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The problem document: type, title (the status phrase unless given), status, detail, then the
    request's correlation id when there is one (the function always has one; the WAF never does)."""
    problem: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase if title is None else title,
        "status": status,
        "detail": detail,
    }
    if correlation_id is not None:
        problem["correlation_id"] = correlation_id
    if extra:
        problem.update(extra)
    return problem


def problem_body(
    status: int,
    detail: str,
    *,
    correlation_id: str,
    extra: dict[str, Any] | None = None,
) -> str:
    """The function's problem as compact JSON text."""
    problem = problem_details(status, detail, correlation_id=correlation_id, extra=extra)
    return json.dumps(problem, separators=(",", ":"), ensure_ascii=False)


def problem_result(status: int, detail: str, *, correlation_id: str) -> dict[str, Any]:
    """A whole Function URL result holding a problem: for answers the handler gives without the resolver."""
    return {
        "statusCode": status,
        "headers": {"Content-Type": PROBLEM_CONTENT_TYPE},
        "body": problem_body(status, detail, correlation_id=correlation_id),
        "isBase64Encoded": False,
    }
