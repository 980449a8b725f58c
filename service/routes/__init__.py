"""The routes, one Powertools Router per resource, each registered from the route catalogue.

Method and path live in service/catalogue.py only; `@route(router, "name")` looks them up, so a
route cannot be served without a catalogue entry (and its SLO), and a test proves the reverse.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from http import HTTPStatus
from typing import Any, TypeVar

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse, OpenAPIResponseHeader

from service.catalogue import ROUTES_BY_NAME
from service.models import Problem, ValidationProblem
from service.problems import PROBLEM_CONTENT_TYPE

F = TypeVar("F", bound=Callable[..., Any])

# Problem responses every route can give (documented in openapi.json): Powertools' own 422 entry
# (application/json, `detail` as an array) is replaced by what service/problem_mapping.py really sends.
_ALWAYS: dict[int, str] = {
    413: "Body over 8 KB",
    422: "Request validation failed: `errors` lists the location and type of each error (never the input)",
    500: "Unexpected error (a bug); the log has the details",
}
# ...routes that take a body (catalogue `takes_body`; service/request_body.py refuses it before parsing)...
_BODY: dict[int, str] = {
    400: "Body is not UTF-8 JSON",
    415: "Content-Type is not `application/json` (a `charset` parameter may only be `utf-8`)",
}
# ...and routes that call DynamoDB: a throttled, failing or slow dependency (service/dal/dependency_errors.py).
_DEPENDENCY: dict[int, str] = {
    503: "DynamoDB throttled, failed or did not answer in time: retry after `Retry-After` seconds",
}
_HEADERS: dict[int, dict[str, OpenAPIResponseHeader]] = {
    503: {"Retry-After": {"description": "Seconds to wait before retrying", "schema": {"type": "integer"}}},
}


def route(
    router: Router,
    name: str,
    errors: dict[int, str] | None = None,
    success: int = 200,
    *,
    success_headers: dict[str, str] | None = None,
    uses_dynamodb: bool = True,
) -> Callable[[F], F]:
    """Register a handler under the method and path its catalogue entry declares, documenting its
    success response (schema from the return annotation) and every problem response it can give."""
    spec = ROUTES_BY_NAME[name]
    problems = {**(errors or {}), **_ALWAYS}
    problems |= (_BODY if spec.takes_body else {}) | (_DEPENDENCY if uses_dynamodb else {})
    responses: dict[int, OpenAPIResponse] = {success: {"description": HTTPStatus(success).phrase}}
    if success == 204:
        responses[success]["content"] = {}
    if success_headers:
        responses[success]["headers"] = {
            header: {"description": text, "schema": {"type": "string"}} for header, text in success_headers.items()
        }
    for status, text in sorted(problems.items()):
        model = ValidationProblem if status == 422 else Problem
        responses[status] = {"description": text, "content": {PROBLEM_CONTENT_TYPE: {"model": model}}}
        if status in _HEADERS:
            responses[status]["headers"] = _HEADERS[status]
    register = router.route(
        rule=spec.rule, method=spec.method, summary=spec.summary, operation_id=name, responses=responses
    )

    def checked(handler: F) -> F:
        if _reads_body(handler) != spec.takes_body:
            raise ValueError(f"route {name}: a Body() parameter needs takes_body=True in the catalogue, and only it")
        return register(handler)

    return checked


def _reads_body(handler: Callable[..., Any]) -> bool:
    """Whether a handler declares an ``Annotated[..., Body()]`` parameter (its wrappers followed)."""
    parameters = inspect.signature(handler, eval_str=True).parameters.values()
    return any(isinstance(meta, Body) for p in parameters for meta in getattr(p.annotation, "__metadata__", ()))
