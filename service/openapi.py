"""Print the OpenAPI document generated from the resolver: `python -m service.openapi > openapi.json`."""

from __future__ import annotations

import json
import os


def openapi_document() -> dict:
    # Importing the API binds the table client; generating the schema makes no AWS call.
    os.environ.setdefault("TABLE_NAME", "openapi")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    from service.resolver import app

    schema = app.get_openapi_json_schema(
        title="orders-api",
        version="1.0.0",
        description="Example orders API of the observability-first serverless API kit. "
        "Every error is an RFC 9457 problem+json body carrying the request's correlation_id.",
    )
    return _api_wide_responses(_without_unused_schemas(json.loads(schema)))


def _without_unused_schemas(doc: dict) -> dict:
    """Drop Powertools' default validation-error schemas: every operation documents the API's own 422."""
    paths = json.dumps(doc["paths"])
    for name in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):
        if f'"#/components/schemas/{name}"' not in paths:
            doc["components"]["schemas"].pop(name, None)
    return doc


def _api_wide_responses(doc: dict) -> dict:
    """What the API answers outside any declared operation: an unknown path (404) and a known path with
    a method it does not serve, HEAD and OPTIONS included (405 with Allow). OpenAPI can only attach
    responses to declared operations, so these are reusable components named in the description."""
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    doc["components"]["responses"] = {
        "NotFound": {"description": "No route matches the path (any method)", "content": problem},
        "MethodNotAllowed": {
            "description": "The path exists but not with this method",
            "headers": {
                "Allow": {
                    "description": "The methods this path serves, e.g. `GET, POST`",
                    "schema": {"type": "string"},
                }
            },
            "content": problem,
        },
    }
    doc["info"]["description"] += (
        " Any path not listed here answers 404 (components/responses/NotFound); a listed path called with a "
        "method it does not list (HEAD and OPTIONS included) answers 405 with an Allow header "
        "(components/responses/MethodNotAllowed)."
    )
    return doc


def main() -> None:
    print(json.dumps(openapi_document(), indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
