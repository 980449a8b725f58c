"""Liveness. (No `from __future__ import annotations` in route modules: see service/routes/orders.py.)"""

from aws_lambda_powertools.event_handler.api_gateway import Router

from service.models import Health
from service.routes import route
from service.telemetry import SERVICE

router = Router()


@route(router, "health", uses_dynamodb=False)
def health() -> Health:
    return Health(status="ok", service=SERVICE)
