"""The resolver, composed: per-resource routers, the problem mapping, and the one global middleware.

Routes live in service/routes/ (registered from the catalogue), problem responses in
service/problem_mapping.py; per-request state arrives in the resolver's context from service/handler.py.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler import LambdaFunctionUrlResolver

from service import problem_mapping
from service.routes import health, orders

app = LambdaFunctionUrlResolver(enable_validation=True)
app.use(middlewares=[problem_mapping.label_route_and_limit_body])
app.include_router(health.router)
app.include_router(orders.router)
app.include_router(problem_mapping.router)
app.not_found(problem_mapping.handle_not_found)
