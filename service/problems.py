"""RFC 9457 problem details: the one error shape every non-2xx response uses."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response

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


def problem(
    status: int,
    detail: str,
    *,
    correlation_id: str,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    return Response(
        status_code=status,
        content_type=PROBLEM_CONTENT_TYPE,
        body=problem_body(status, detail, correlation_id=correlation_id, extra=extra),
        headers=headers,
    )


def problem_body(
    status: int,
    detail: str,
    *,
    correlation_id: str,
    extra: dict[str, Any] | None = None,
) -> str:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "correlation_id": correlation_id,
    }
    if extra:
        body.update(extra)
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)
