"""The routes, one Powertools Router per resource, each registered from the route catalogue.

Method and path live in service/catalogue.py only; `@route(router, "name")` looks them up, so a
route cannot be served without a catalogue entry (and its SLO), and a test proves the reverse.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any, TypeVar

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from service.catalogue import ROUTES_BY_NAME
from service.models import Problem
from service.problems import PROBLEM_CONTENT_TYPE

F = TypeVar("F", bound=Callable[..., Any])

# Problem responses every route can give (documented in openapi.json); 422 is added by Powertools.
_ALWAYS = {413: "Body over 8 KB", 500: "Unexpected error; the log has the details"}


def route(router: Router, name: str, errors: dict[int, str] | None = None, success: int = 200) -> Callable[[F], F]:
    """Register a handler under the method and path its catalogue entry declares, documenting its
    success response (schema from the return annotation) and the problem responses it can give."""
    spec = ROUTES_BY_NAME[name]
    problems = {**(errors or {}), **_ALWAYS}
    responses: dict[int, OpenAPIResponse] = {success: {"description": HTTPStatus(success).phrase}}
    if success == 204:
        responses[success]["content"] = {}
    responses |= {
        status: {"description": text, "content": {PROBLEM_CONTENT_TYPE: {"model": Problem}}}
        for status, text in sorted(problems.items())
    }
    return router.route(
        rule=spec.rule, method=spec.method, summary=spec.summary, operation_id=name, responses=responses
    )
