"""Supplementary comparison: the docs-style handler with `enable_validation=True`, the feature
the service cannot drop; it separates the cost of validation from the cost of our telemetry."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import LambdaFunctionUrlResolver

from bench import docs_style_handler

docs_style_handler.app = LambdaFunctionUrlResolver(enable_validation=True)
docs_style_handler.app.get("/health")(docs_style_handler.health)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return docs_style_handler.handler(event, context)
