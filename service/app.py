"""The resolver, composed: per-resource routers, the problem mapping, and the one global middleware.

Routes live in service/routes/ (registered from the catalogue), problem responses in
service/errors.py; per-request state arrives in the resolver's context from service/handler.py.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler import LambdaFunctionUrlResolver

from service import errors
from service.routes import health, orders

app = LambdaFunctionUrlResolver(enable_validation=True)
app.use(middlewares=[errors.label_route_and_limit_body])
app.include_router(health.router)
app.include_router(orders.router)
app.include_router(errors.router)
app.not_found(errors.handle_not_found)
