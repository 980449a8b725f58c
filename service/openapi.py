"""Print the OpenAPI document generated from the resolver: `python -m service.openapi > openapi.json`."""

from __future__ import annotations

import json
import os


def openapi_document() -> dict:
    # Importing the API binds the table client; generating the schema makes no AWS call.
    os.environ.setdefault("TABLE_NAME", "openapi")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    from service.app import app

    schema = app.get_openapi_json_schema(
        title="orders-api",
        version="1.0.0",
        description="Example orders API of the observability-first serverless API kit. "
        "Every error is an RFC 9457 problem+json body carrying the request's correlation_id.",
    )
    return json.loads(schema)


def main() -> None:
    print(json.dumps(openapi_document(), indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
