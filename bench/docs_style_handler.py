"""Warm comparison: the handler the Powertools docs would have you write for one route.

Logger with inject_lambda_context (Function URL correlation path), Tracer, Metrics with a route
dimension flushed by log_metrics, one info line per request.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import LambdaFunctionUrlResolver
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit

logger = Logger(service="orders-api")
tracer = Tracer(service="orders-api")
metrics = Metrics(namespace="OrdersApi", service="orders-api")
app = LambdaFunctionUrlResolver()


@app.get("/health")
@tracer.capture_method
def health() -> dict[str, str]:
    metrics.add_dimension(name="route", value="GET /health")
    metrics.add_metric(name="Requests", unit=MetricUnit.Count, value=1)
    logger.info("health checked")
    return {"status": "ok", "service": "orders-api"}


@logger.inject_lambda_context(correlation_id_path=correlation_paths.LAMBDA_FUNCTION_URL)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
